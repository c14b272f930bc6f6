// recur/layers/bidirectional.hpp — Keras's Bidirectional wrapper: the same recurrent layer run
// forward and backward over the sequence, outputs merged.
//
//   Bidirectional<float>::of<LSTM<float>>(LSTMOptions(32).return_sequences(true))
//
// The backward copy has go_backwards flipped. With return_sequences its outputs, produced in
// processing order, are reversed back so that step t of both halves refers to input step t
// (Keras; PyTorch's bidirectional output has the same alignment). Without return_sequences each
// half returns its last processed step: h_T of the forward pass and h_1 of the backward pass,
// i.e. PyTorch's h_n[0] and h_n[1].
// merge_mode: "concat" (default) y = [y_f, y_b]; "sum" y_f + y_b; "ave" (y_f + y_b) / 2;
// "mul" y_f ⊙ y_b; "none" two outputs [y_f, y_b] (Keras's merge_mode=None: add the layer with
// Model::add_outputs). Weights: the forward layer's, then the backward layer's, named
// forward_kernel, ..., backward_bias (Keras: forward_lstm_1/kernel, ...); 2x the layer's count.
#pragma once

#include <memory>

#include "recur/layers/recurrent.hpp"

namespace recur {

template <typename T>
class Bidirectional : public Layer<T> {
  public:
    // `forward` is the layer to wrap; the backward copy is made from its kind and options.
    explicit Bidirectional(std::unique_ptr<RecurrentLayer<T>> forward,
                           std::string merge_mode = "concat");
    template <typename L>
    static std::unique_ptr<Bidirectional<T>> of(RecurrentOptions options,
                                                std::string merge_mode = "concat") {
        return std::make_unique<Bidirectional<T>>(std::make_unique<L>(options),
                                                  std::move(merge_mode));
    }

    std::string kind() const override { return "Bidirectional"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    int num_outputs() const override { return merge_ == "none" ? 2 : 1; }
    std::vector<ShapeSpec> build_outputs(const std::vector<ShapeSpec>& inputs, Rng& rng) override;
    void forward_outputs(const std::vector<const Tensor<T>*>& xs, const std::vector<Tensor<T>*>& ys,
                         Mode mode) override;
    void backward_outputs(const std::vector<const Tensor<T>*>& dys,
                          const std::vector<Tensor<T>*>& dxs) override;
    std::vector<Param<T>*> params() override;
    std::string config_json() const override;

    RecurrentLayer<T>& forward_layer() { return *forward_; }
    RecurrentLayer<T>& backward_layer() { return *backward_; }
    const std::string& merge_mode() const { return merge_; }
    void set_seed(std::uint64_t seed);

  private:
    std::unique_ptr<RecurrentLayer<T>> forward_, backward_;
    std::string merge_;
    Tensor<T> yf_, yb_, yb_raw_, dyf_, dyb_, dyb_raw_, dxb_;
    // Reverses the time axis of a (T, B, F) tensor.
    static void reverse_time(const Tensor<T>& in, Tensor<T>& out);
    // Both halves into yf and yb (yb aligned with the input's time axis): the merge buffers
    // yf_ / yb_, or the two outputs of merge mode "none".
    void run_halves(const Tensor<T>& x, Mode mode, Tensor<T>& yf, Tensor<T>& yb);
    // Both halves' backward from dL/dyf_ and dL/dyb_; dx (if any) gets the sum of both.
    void backward_halves(const Tensor<T>& dyf, const Tensor<T>& dyb, Tensor<T>* dx);
    void require_merged(const char* what) const;
};

// A recurrent layer of kind "LSTM", "GRU" or "SimpleRNN" (throws std::invalid_argument otherwise).
template <typename T>
std::unique_ptr<RecurrentLayer<T>> make_recurrent(const std::string& kind,
                                                  RecurrentOptions options);

}  // namespace recur
