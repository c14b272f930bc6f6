// recur/layers/dropout.hpp — inverted dropout: in training, zero each element with probability
// `rate` and scale survivors by 1/(1-rate); identity at inference (Keras / PyTorch semantics).
#pragma once

#include "recur/layers/layer.hpp"

namespace recur {

template <typename T>
class Dropout : public Layer<T> {
  public:
    explicit Dropout(double rate) : rate_(rate) {}
    std::string kind() const override { return "Dropout"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::string config_json() const override;
    double rate() const { return rate_; }

  private:
    double rate_;
    Tensor<T> mask_;  // scaled keep mask of the last training forward; empty at inference
};

}  // namespace recur
