// recur/model/seq2seq.hpp — an encoder-decoder (sequence-to-sequence) model with output recurrence,
// teacher forcing, scheduled sampling and optional attention (Sutskever et al. 2014; Luong et al.
// 2015; Bengio et al. 2015).
//
//   encoder   LSTM(units) over the input window x (T_in, B, F_in) -> outputs e_1..e_T, states h, c
//   decoder   LSTM(units) started from the encoder's final (h, c); its input at step k is the
//             previous value of the output series y_{k-1} (y_0 = `start`, the last observed value)
//   output    without attention: y_k = d_k W_o + b_o
//             with attention:    a_k = softmax_j score(d_k, e_j), c_k = Σ_j a_kj e_j
//             (attention.hpp)
//                                h̃_k = tanh([c_k; d_k] W_c + b_c),  y_k = h̃_k W_o + b_o
//   (an output activation, e.g. sigmoid for one-hot symbols with BCE, applies to y_k)
//   residual = true: y_k = y_{k-1} + (the above), the decoder's own input added back, so the
//             network forecasts the change from the previous value (a persistent series starts
//             from the naive forecast instead of having to learn the identity)
//
// Training (train_on_batch) feeds the true previous value (teacher forcing); with a scheduled
// sampling probability p each decoder input is instead, with probability p, the model's own
// previous prediction, drawn per sample and step, fed as a constant (no gradient through the
// choice or through the fed-back prediction, as in Bengio et al.'s and most implementations).
// It first decodes step by step to build those inputs, then trains the teacher-forced graph on
// them, which computes the same states. predict() always feeds its own predictions and keeps the
// attention weights (H, B, T_in) of the last call.
//
// All tensors are time-major (tensor.hpp): x (T_in, B, F_in), start (B, F_out), y (H, B, F_out).
#pragma once

#include <memory>
#include <vector>

#include "recur/layers/attention.hpp"
#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/training/loss.hpp"
#include "recur/training/optimizer.hpp"

namespace recur {

struct Seq2SeqOptions {
    Index input_steps = 24, input_features = 1;  // the encoder's window
    Index horizon = 12, output_features = 1;     // decoder steps, values per step
    Index units = 32;                            // both LSTMs and the attentional layer
    bool attention = true;
    AttentionScore score = AttentionScore::general;
    Activation output_activation = Activation::linear;
    bool residual = false;  // forecast changes: y_k = y_{k-1} + head (output_features only)
    std::uint64_t seed = 42;
};

template <typename T>
class Seq2Seq {
  public:
    explicit Seq2Seq(Seq2SeqOptions options);
    const Seq2SeqOptions& options() const { return options_; }

    void compile(Loss loss, OptimizerOptions optimizer = {});
    // One optimiser step; returns the loss. sampling = scheduled-sampling probability in [0, 1].
    double train_on_batch(const Tensor<T>& x, const Tensor<T>& start, const Tensor<T>& y,
                          double sampling, Rng& rng);
    // Mean loss of the autoregressive forecast (predict) against y.
    double evaluate(const Tensor<T>& x, const Tensor<T>& start, const Tensor<T>& y);
    // Autoregressive forecast y_hat (H, B, F_out), feeding its own predictions.
    void predict(const Tensor<T>& x, const Tensor<T>& start, Tensor<T>& y_hat);
    // Attention weights of the last predict(): (H, B, T_in); empty without attention.
    const Tensor<T>& attention_weights() const { return weights_; }

    // The teacher-forced graph with explicit decoder inputs dec_in (H, B, F_out): forward, then
    // backward from dL/dy (accumulates parameter gradients; dx gets dL/dx when non-null).
    const Tensor<T>& forward_teacher(const Tensor<T>& x, const Tensor<T>& dec_in, Mode mode);
    void backward(const Tensor<T>& dy, Tensor<T>* dx = nullptr);

    std::vector<Param<T>*> params();
    Index param_count();
    void zero_grad();

  private:
    // The head on decoder outputs d (T, B, U): attention + combine + output, or output alone.
    void head_forward(const Tensor<T>& dec_out, const Tensor<T>& enc_out, Tensor<T>& y, Mode mode);
    // One autoregressive step: the decoder from `states` on step_in_ (states updated), the head
    // into step_y_ (plus step_in_ when residual). Needs enc_out_ from the encoder.
    void decode_step(std::vector<Tensor<T>>& states);

    Seq2SeqOptions options_;
    LSTM<T> encoder_, decoder_;
    Attention<T> attention_;
    Concatenate<T> concat_;
    Dense<T> combine_, output_;
    Loss loss_ = Loss::mse;
    std::unique_ptr<Optimizer<T>> optimizer_;

    Tensor<T> enc_out_, dec_out_, ctx_, cat_, hidden_, y_;  // teacher-forced forward
    Tensor<T> dec_in_, step_in_, step_out_, step_y_;        // step-by-step decoding
    Tensor<T> weights_;                                     // (H, B, T_in), last predict
    Tensor<T> dloss_;
};

}  // namespace recur
