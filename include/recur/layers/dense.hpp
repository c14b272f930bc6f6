// recur/layers/dense.hpp — fully connected layer, y = act(x W + b).
//
// Weights: kernel W (in, units), bias b (units) — Keras layout; PyTorch's nn.Linear weight is W^T.
// Acts on the last axis, so it also applies step-wise to a (T, B, F) sequence (Keras semantics).
#pragma once

#include "recur/layers/activation.hpp"
#include "recur/layers/layer.hpp"

namespace recur {

struct DenseOptions {
    explicit DenseOptions(Index units) : units_(units) {}
    RECUR_ARG(Index, units, 1);
    RECUR_ARG(Activation, activation, Activation::linear);
    RECUR_ARG(bool, use_bias, true);
};

template <typename T>
class Dense : public Layer<T> {
  public:
    explicit Dense(DenseOptions options) : options_(options) {}
    std::string kind() const override { return "Dense"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::vector<Param<T>*> params() override;
    std::string config_json() const override;

    const DenseOptions& options() const { return options_; }
    Param<T>& kernel() { return kernel_; }
    Param<T>& bias() { return bias_; }
    // Backward from dL/d(pre-activation) directly, for fused sigmoid + cross-entropy.
    void backward_preactivation(const Tensor<T>& dpre, Tensor<T>* dx);
    // PyTorch nn.Linear: weight (units, in), bias (units).
    void set_weights_pytorch(const Tensor<T>& weight, const Tensor<T>* bias);

  private:
    DenseOptions options_;
    Param<T> kernel_{"kernel", {}, {}, true}, bias_{"bias", {}, {}, true};
    const Tensor<T>* x_ = nullptr;  // input of the last forward
    const Tensor<T>* y_ = nullptr;  // output of the last forward (post-activation)
    Tensor<T> dpre_;                // dL/d(pre-activation)
};

}  // namespace recur
