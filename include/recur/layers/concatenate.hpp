// recur/layers/concatenate.hpp — joins its inputs along the last axis (Keras Concatenate,
// axis=-1). Inputs are all vectors (B, F_i) -> (B, sum F_i), or all sequences of the same length
// (T, B, F_i) -> (T, B, sum F_i). Either way each input is a row-major matrix with the same rows,
// and the output row r is the inputs' rows r side by side.
#pragma once

#include "recur/layers/layer.hpp"

namespace recur {

template <typename T>
class Concatenate : public Layer<T> {
  public:
    Concatenate() = default;
    std::string kind() const override { return "Concatenate"; }
    int max_inputs() const override { return 1 << 20; }
    ShapeSpec build_multi(const std::vector<ShapeSpec>& inputs, Rng& rng) override;
    void forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode mode) override;
    void backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs) override;
    // The single-input forms treat the layer as a concatenation of one tensor.
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::string config_json() const override;

  private:
    std::vector<Index> widths_;  // F_i of each input
};

}  // namespace recur
