// recur/layers/gru.hpp — Gated Recurrent Unit (Cho et al. 2014) in both Keras forms.
//
//   z_t = σ(x_t W_z + h_{t-1} U_z + b_z)                       update gate
//   r_t = σ(x_t W_r + h_{t-1} U_r + b_r)                       reset gate
//   reset_after = false (Keras 2.2, the book's E1):
//     ĥ_t = φ(x_t W_h + (r_t ⊙ h_{t-1}) U_h + b_h)
//   reset_after = true (Keras 2.3+, PyTorch, cuDNN; "linear before reset"):
//     ĥ_t = φ(x_t W_h + b_h + r_t ⊙ (h_{t-1} U_h + b'_h))      b' = recurrent bias
//   h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ ĥ_t
//
// Gate order in kernel / recurrent_kernel / bias columns: [z | r | h], each U wide (Keras).
// Bias: (3U) for reset_after = false; (2, 3U) for reset_after = true, row 0 input bias b,
// row 1 recurrent bias b'. Parameters: 3 (U (I + U) + U), plus 3U with reset_after.
// PyTorch nn.GRU is the reset_after = true form with gate order [r | z | n] in rows:
// kernel = reorder(weight_ih_l0)^T, bias row 0 = reorder(bias_ih_l0), row 1 = reorder(bias_hh_l0).
#pragma once

#include "recur/layers/recurrent.hpp"

namespace recur {

template <typename T>
class GRU : public RecurrentLayer<T> {
  public:
    explicit GRU(GRUOptions options) : RecurrentLayer<T>(options) {}
    std::string kind() const override { return "GRU"; }
    int gates() const override { return 3; }
    void set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                             const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) override;

  protected:
    void forward_steps(Index b0, Index b1) override;
    void backward_steps(Index b0, Index b1) override;
    void backward_recurrent_weights() override;
    void resize_cell_buffers() override;
    bool has_recurrent_bias() const override {
        return this->options_.reset_after() && this->options_.use_bias();
    }

  private:
    // Step loops; kFused selects the fused kernels or the plain reference (see StepKernels).
    template <bool kFused>
    void step_forward(Index b0, Index b1);
    template <bool kFused>
    void step_backward(Index b0, Index b1);

    // reset_after = false: rh_[t] = r_t ⊙ hm_t, the operand of U_h.
    // reset_after = true:  rh_[t] = hm_t U_h + b'_h, the recurrent candidate term.
    Tensor<T> rh_;    // (T, B, U)
    Tensor<T> drec_;  // (T, B, 3U) dL/d(recurrent pre-activations), when it differs from dproj_
};

}  // namespace recur
