// recur/layers/simple_rnn.hpp — Elman RNN, h_t = φ(x_t W + h_{t-1} U + b), φ = activation (tanh).
//
// Weights: kernel (I, U), recurrent_kernel (U, U), bias (U). Parameters: U (I + U) + U.
// PyTorch nn.RNN: kernel = weight_ih_l0^T, recurrent_kernel = weight_hh_l0^T,
// bias = bias_ih_l0 + bias_hh_l0.
#pragma once

#include "recur/layers/recurrent.hpp"

namespace recur {

template <typename T>
class SimpleRNN : public RecurrentLayer<T> {
  public:
    explicit SimpleRNN(SimpleRNNOptions options) : RecurrentLayer<T>(options) {}
    std::string kind() const override { return "SimpleRNN"; }
    int gates() const override { return 1; }
    void set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                             const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) override;

  protected:
    void forward_steps(Index b0, Index b1) override;
    void backward_steps(Index b0, Index b1) override;
    void backward_recurrent_weights() override;
};

}  // namespace recur
