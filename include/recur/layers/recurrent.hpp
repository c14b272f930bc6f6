// recur/layers/recurrent.hpp — what SimpleRNN, LSTM and GRU share.
//
// Shapes (time-major, see tensor.hpp):  x (T, B, I)  ->  y (T, B, U) with return_sequences,
// else (B, U) = the last processed step.  G = gates per unit (SimpleRNN 1, GRU 3, LSTM 4).
//
// Weights, Keras layout and names (so Keras arrays load verbatim):
//   kernel            W (I, G*U)   input projection, gate blocks side by side
//   recurrent_kernel  U (U, G*U)   recurrent projection, same gate blocks
//   bias              b (G*U), or (2, G*U) for GRU with reset_after (row 0 input, row 1 recurrent)
// Gate order per cell is documented in lstm.hpp / gru.hpp / simple_rnn.hpp, together with the
// mapping from PyTorch's weight_ih_l0 / weight_hh_l0 / bias_ih_l0 / bias_hh_l0.
//
// How a sequence is computed (the speed design):
//   1. P = x W + b for all T*B rows in ONE product (no time dependency).
//   2. For t = 0..T-1: P[t] += h_{t-1} U, then the fused gate math, per batch chunk on its own
//      thread. All buffers are members sized once per shape: nothing is allocated in the loop.
//   3. Backward walks t = T-1..0 producing dL/dP for every step, then dW = x^T dP, db = sum dP
//      and dx = dP W^T as ONE product each; dU = H_prev^T dP_rec likewise.
//   The whole-sequence products are Eigen GEMMs, except that with the fused kernels (below) dU
//   and db, and for a layer of at most 64 inputs also P and dW, run in the step kernels' register
//   tiles (kernels::small_gemm_tn_acc, column_sums_acc, affine_rows): at these sizes Eigen's
//   packing costs as much as the arithmetic. dx stays an Eigen GEMM.
//
// Options follow Keras: return_sequences, return_state, go_backwards (process the sequence in
// reverse and return the outputs in processing order), dropout / recurrent_dropout with Keras's
// variational semantics: in training, one mask per sequence on the inputs (shared by all gates)
// and one on h_{t-1}, reused at every step; inverted scaling by 1/(1-rate).
//
// State contract: set_initial_state() supplies h0 (and c0 for LSTM), (B, U) each, used by every
// forward until clear_initial_state(). After forward, final_state(k) holds h_T (k=0) and c_T (k=1,
// LSTM). set_final_state_grad() adds dL/dh_T, dL/dc_T to the next backward only (return_state
// users; shapes (B, U), checked);
// after backward, initial_state_grad(k) holds dL/dh0, dL/dc0.
#pragma once

#include "recur/layers/activation.hpp"
#include "recur/layers/layer.hpp"

namespace recur {

// Which step kernels the recurrent layers run. `fused` (the default) computes each step's small
// products h_{t-1} U and dP Uᵀ with register-tiled loops and applies the gate activations once
// per step to the whole batch chunk (layers/step_kernels.hpp); it is used up to kFusedMaxUnits
// units, above which the products are large enough for a GEMM call to win. `reference` is the
// plain version (one Eigen GEMM and per-row activations per step), kept next to each fused kernel;
// tests check that the two agree. Process-wide, for tests and benchmarks.
enum class StepKernels { fused, reference };
void set_step_kernels(StepKernels kernels);
StepKernels step_kernels();
inline constexpr Index kFusedMaxUnits = 64;

struct RecurrentOptions {
    explicit RecurrentOptions(Index units) : units_(units) {}
    RECUR_ARG(Index, units, 1);
    RECUR_ARG(bool, return_sequences, false);
    RECUR_ARG(bool, return_state, false);
    RECUR_ARG(bool, go_backwards, false);
    RECUR_ARG(Activation, activation, Activation::tanh);
    // LSTM/GRU gates. tf.keras 2 default is sigmoid; Keras 2.2 (the book's E1) used hard_sigmoid.
    RECUR_ARG(Activation, recurrent_activation, Activation::sigmoid);
    RECUR_ARG(double, dropout, 0.0);
    RECUR_ARG(double, recurrent_dropout, 0.0);
    RECUR_ARG(bool, use_bias, true);
    RECUR_ARG(bool, unit_forget_bias, true);  // LSTM: forget-gate bias initialised to 1
    RECUR_ARG(bool, reset_after, true);       // GRU: false = Keras 2.2 form, true = cuDNN/PyTorch
};
using SimpleRNNOptions = RecurrentOptions;
using LSTMOptions = RecurrentOptions;
using GRUOptions = RecurrentOptions;

template <typename T>
class RecurrentLayer : public Layer<T> {
  public:
    explicit RecurrentLayer(RecurrentOptions options) : options_(options) {}

    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::vector<Param<T>*> params() override;
    std::string config_json() const override;
    // With return_state, in a graph Model: outputs [y, h_T] (SimpleRNN, GRU) or [y, h_T, c_T]
    // (LSTM), as Keras's return_state=True returns them; the states are (None, units) each.
    int num_outputs() const override { return options_.return_state() ? 1 + state_count() : 1; }
    std::vector<ShapeSpec> build_outputs(const std::vector<ShapeSpec>& inputs, Rng& rng) override;
    void forward_outputs(const std::vector<const Tensor<T>*>& xs, const std::vector<Tensor<T>*>& ys,
                         Mode mode) override;
    void backward_outputs(const std::vector<const Tensor<T>*>& dys,
                          const std::vector<Tensor<T>*>& dxs) override;

    const RecurrentOptions& options() const { return options_; }
    Index units() const { return options_.units(); }
    virtual int gates() const = 0;
    virtual int state_count() const { return 1; }

    Param<T>& kernel() { return kernel_; }
    Param<T>& recurrent_kernel() { return recurrent_kernel_; }
    Param<T>& bias() { return bias_; }

    // Keras arrays, as returned by layer.get_weights(): kernel (I, G*U), recurrent_kernel
    // (U, G*U), bias (G*U) or (2, G*U). Shapes are checked; a mismatch throws with both shapes.
    void set_weights_keras(const Tensor<T>& kernel, const Tensor<T>& recurrent_kernel,
                           const Tensor<T>* bias);
    // PyTorch tensors weight_ih_l0 (G*U, I), weight_hh_l0 (G*U, U), bias_ih_l0, bias_hh_l0 (G*U),
    // gate blocks in PyTorch's order; converted to the Keras layout above.
    virtual void set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                                     const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) = 0;

    void set_initial_state(std::vector<Tensor<T>> states);
    void clear_initial_state() { initial_state_.clear(); }
    bool has_initial_state() const { return !initial_state_.empty(); }
    const Tensor<T>& final_state(int k) const { return final_state_[static_cast<size_t>(k)]; }
    void set_final_state_grad(std::vector<Tensor<T>> grads) {
        final_state_grad_ = std::move(grads);
    }
    const Tensor<T>& initial_state_grad(int k) const {
        return initial_state_grad_[static_cast<size_t>(k)];
    }

  protected:
    // PyTorch -> Keras when the gate order is the same (LSTM, SimpleRNN): transpose both weight
    // matrices, bias = bias_ih + bias_hh.
    void set_weights_pytorch_same_order(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                                        const Tensor<T>* bias_ih, const Tensor<T>* bias_hh);
    // Cell-specific parts. `proj_` holds x W + b_in for every step on entry to step_forward.
    virtual void init_weights(Rng& rng);
    virtual void forward_steps(Index b0, Index b1) = 0;
    // Fills dproj_ (dL/dP for the input side) for rows [b0, b1) and the state grads; reads
    // dh_seq_ (dL/dh_t from the output, processing order).
    virtual void backward_steps(Index b0, Index b1) = 0;
    // After all chunks: recurrent-weight gradients as whole-sequence products.
    virtual void backward_recurrent_weights() = 0;
    virtual void resize_cell_buffers() {}
    // True when this layer runs the fused step kernels (see StepKernels).
    bool use_fused() const {
        return step_kernels() == StepKernels::fused && units() <= kFusedMaxUnits;
    }
    virtual bool has_recurrent_bias() const { return false; }  // GRU reset_after
    const T* input_bias() const { return bias_.value.empty() ? nullptr : bias_.value.data(); }
    const T* recurrent_bias() const {
        return has_recurrent_bias() ? bias_.value.data() + gates() * units() : nullptr;
    }
    T* recurrent_bias_grad() { return bias_.grad.data() + gates() * units(); }

    // Batch rows per thread chunk are multiples of this, so that no two threads write the same
    // 64-byte cache line of a (T, B, U) buffer in a step (false sharing).
    Index row_align() const;
    // Pointers to step t, batch row b of a (T, B, W) buffer.
    T* at(Tensor<T>& buf, Index t, Index b) { return buf.data() + (t * B_ + b) * buf.cols(); }
    // h_{t-1} for step t (h0 for t = 0), *before* recurrent dropout.
    const T* h_prev(Index t, Index b) const;
    const T* c_prev(Index t, Index b) const;  // LSTM only
    // The operand of U for step t, rows [b0, b1): h_{t-1} ⊙ recurrent-dropout mask, stored in
    // hm_[t] for backward; without recurrent dropout it is h_{t-1} itself (no copy).
    const T* recurrent_operand(Index t, Index b0, Index b1);
    // The same operand for one row during backward.
    const T* operand_at(Index t, Index b) const {
        return rec_mask_.empty() ? h_prev(t, b) : hm_.data() + (t * B_ + b) * units();
    }
    // dU[:, cols] += Σ_t operand_tᵀ dP_t[:, cols] over all steps: one product over hm_ with
    // recurrent dropout, else h_{0..T-2}ᵀ dP_{1..T-1} (and h0ᵀ dP_0 for a given initial state).
    // With `operand` (T, B, units) given, one product over it instead (the GRU's r ⊙ h).
    void accumulate_recurrent_grad(const Tensor<T>& dP, Index col0, Index ncols,
                                   const Tensor<T>* operand = nullptr);
    // `to` = `from` in the loop's step order, times the input-dropout mask (forward: x into
    // xin_; backward: dxin_ into dx).
    void remap_steps(const Tensor<T>& from, Tensor<T>& to) const;
    // dh_run_ rows [b0, b1) ⊙= recurrent-dropout mask (no-op without the mask).
    void mask_dh_run(Index b0, Index b1);

    RecurrentOptions options_;
    Param<T> kernel_{"kernel", {}, {}, true};
    Param<T> recurrent_kernel_{"recurrent_kernel", {}, {}, true};
    Param<T> bias_{"bias", {}, {}, true};

    Index T_ = 0, B_ = 0, I_ = 0;   // shape of the last forward
    const Tensor<T>* x_ = nullptr;  // input actually projected (x, or xin_ if reversed/masked)
    Tensor<T> xin_;                 // (T, B, I) reversed and/or dropout-masked input
    Tensor<T> in_mask_;             // (B, I) scaled keep mask, training with dropout only
    Tensor<T> rec_mask_;            // (B, U) scaled keep mask, training with recurrent_dropout
    Tensor<T> proj_;                // (T, B, G*U) pre-activations, then activated gates
    Tensor<T> h_;                   // (T, B, U) hidden states in processing order
    Tensor<T> hm_;                  // (T, B, U) h_{t-1} ⊙ mask, with recurrent dropout only
    Tensor<T> c_;                   // (T, B, U) LSTM cell states
    std::vector<Tensor<T>> initial_state_, final_state_, final_state_grad_, initial_state_grad_;
    Tensor<T> zero_state_;       // (B, U) zeros when no initial state is set
    Tensor<T> dh_seq_;           // (T, B, U) dL/dh_t coming from the output
    Tensor<T> dproj_;            // (T, B, G*U) dL/dP (input side)
    Tensor<T> dh_run_, dc_run_;  // (B, U) running state gradients
    Tensor<T> scratch_;          // (B, G*U) per-step temporaries, disjoint rows per chunk
    Tensor<T> dxin_;             // (T, B, I) dL/d(projected input) before un-masking/reversing
    Tensor<T> rec_t_;            // (G*U, U) recurrent kernel transposed, fused backward only
};

}  // namespace recur
