// recur/layers/attention.hpp — attention of a query sequence over a value sequence (a decoder's
// states over an encoder's outputs), with the three classic scores:
//
//   dot       s_ij = q_i · v_j                          (Luong et al. 2015, "dot")
//   general   s_ij = q_i W v_jᵀ,  W (Dq, Dv)            (Luong et al. 2015, "general")
//   additive  s_ij = wᵀ tanh(q_i W_q + v_j W_k),        (Bahdanau et al. 2015)
//             W_q (Dq, A), W_k (Dv, A), w (A), A = units
//   a_ij = softmax_j(s_ij) over the unmasked steps j,   context_i = Σ_j a_ij v_j
//
// Inputs (time-major): query (Tq, B, Dq), value (Tv, B, Dv), and optionally a mask (B, Tv) with
// 1 for a real step and 0 for padding (a vector input of Tv features); masked steps get weight 0.
// A row whose steps are all masked gets all-zero weights and a zero context. Output: the contexts
// (Tq, B, Dv), like Keras's Attention / AdditiveAttention with return_attention_scores off;
// attention_weights() holds the last forward's a (Tq, B, Tv) for inspection and plots.
// Keras's Attention is the "dot" form (its use_scale is not implemented); Luong's attentional
// state tanh(W_c [context; h]) is a Concatenate + Dense(tanh) on top.
// Backward (per batch row b, dctx_i = dL/dcontext_i):
//   da_ij = dctx_i · v_j,  ds_ij = a_ij (da_ij - Σ_k a_ik da_ik)  (softmax Jacobian),
//   dv_j += Σ_i a_ij dctx_i, then the score's own terms (attention.cpp).
#pragma once

#include "recur/layers/layer.hpp"

namespace recur {

enum class AttentionScore { dot, general, additive };
std::string attention_score_name(AttentionScore s);
AttentionScore attention_score_from_name(const std::string& name);  // throws std::invalid_argument

struct AttentionOptions {
    RECUR_ARG(AttentionScore, score, AttentionScore::dot);
    RECUR_ARG(Index, units, 0);  // A for the additive score (0: Dq)
};

template <typename T>
class Attention : public Layer<T> {
  public:
    explicit Attention(AttentionOptions options = {}) : options_(options) {}
    std::string kind() const override { return "Attention"; }
    int max_inputs() const override { return 3; }
    ShapeSpec build_multi(const std::vector<ShapeSpec>& inputs, Rng& rng) override;
    void forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode mode) override;
    void backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs) override;
    // Self-attention of one sequence over itself (query = value).
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::vector<Param<T>*> params() override;
    std::string config_json() const override;

    const AttentionOptions& options() const { return options_; }
    // (Tq, B, Tv) weights of the last forward: a_ij for query step i, batch row b, value step j.
    const Tensor<T>& attention_weights() const { return weights_; }

  private:
    AttentionOptions options_;
    Index dq_ = 0, dv_ = 0, units_ = 0;
    Param<T> kernel_{"kernel", {}, {}, true};              // general: W (Dq, Dv)
    Param<T> query_kernel_{"query_kernel", {}, {}, true};  // additive: W_q (Dq, A)
    Param<T> key_kernel_{"key_kernel", {}, {}, true};      // additive: W_k (Dv, A)
    Param<T> score_vector_{"score_vector", {}, {}, true};  // additive: w (A)

    const Tensor<T>* q_ = nullptr;  // inputs of the last forward
    const Tensor<T>* v_ = nullptr;
    const Tensor<T>* mask_ = nullptr;
    Tensor<T> weights_;  // (Tq, B, Tv)
    Tensor<T> vw_;       // general: v_j Wᵀ (Tv, B, Dq)
    Tensor<T> qa_, ka_;  // additive: q W_q (Tq, B, A), v W_k (Tv, B, A)
    Tensor<T> e_;        // additive: tanh(...) (Tq, Tv, B, A)
};

}  // namespace recur
