// recur/layers/lstm.hpp — Long Short-Term Memory (Hochreiter & Schmidhuber 1997, with the forget
// gate of Gers et al. 2000), as Keras's LSTM and PyTorch's nn.LSTM compute it.
//
//   i_t = σ(x_t W_i + h_{t-1} U_i + b_i)        σ = recurrent_activation
//   f_t = σ(x_t W_f + h_{t-1} U_f + b_f)
//   g_t = φ(x_t W_c + h_{t-1} U_c + b_c)        φ = activation (tanh)
//   o_t = σ(x_t W_o + h_{t-1} U_o + b_o)
//   c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
//   h_t = o_t ⊙ φ(c_t)
//
// Gate order in kernel / recurrent_kernel / bias columns: [i | f | c | o], each U wide (Keras).
// PyTorch uses the same order [i | f | g | o] in rows: kernel = weight_ih_l0^T,
// recurrent_kernel = weight_hh_l0^T, bias = bias_ih_l0 + bias_hh_l0.
// Parameters: 4 (U (I + U) + U). unit_forget_bias sets b_f = 1 at initialisation.
#pragma once

#include "recur/layers/recurrent.hpp"

namespace recur {

template <typename T>
class LSTM : public RecurrentLayer<T> {
  public:
    explicit LSTM(LSTMOptions options) : RecurrentLayer<T>(options) {}
    std::string kind() const override { return "LSTM"; }
    int gates() const override { return 4; }
    int state_count() const override { return 2; }
    void set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                             const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) override;

  protected:
    void init_weights(Rng& rng) override;
    void forward_steps(Index b0, Index b1) override;
    void backward_steps(Index b0, Index b1) override;
    void backward_recurrent_weights() override;
    void resize_cell_buffers() override;

  private:
    // Fused kernels (register-tiled step products, one activation call per step and chunk) and
    // the plain reference they are tested against; forward_steps / backward_steps pick one.
    void forward_steps_fused(Index b0, Index b1);
    void backward_steps_fused(Index b0, Index b1);
    void forward_steps_reference(Index b0, Index b1);
    void backward_steps_reference(Index b0, Index b1);

    Tensor<T> act_c_;  // (T, B, U) φ(c_t)
};

}  // namespace recur
