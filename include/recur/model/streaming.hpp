// recur/model/streaming.hpp — stateful one-step inference: feed one new observation, get the
// next prediction, the recurrent states carried between calls (Keras's stateful=True at batch
// size 1, PyTorch's passing (h, c) back in), for one series or many at once.
//
//   recur::StreamingPredictor<float> live(model, n_tickers);   // a copy of the weights
//   for each new bar:  const float* y = live.step(ticker, features);  // F values in, outputs out
//   live.reset(ticker);                                         // start that series afresh
//
// Equality with re-running a window: after n steps from a reset, step() returns what
// model.predict() returns for the window of those n observations (the same cell math; equal up to
// the summation order of x W, i.e. float rounding); a window shorter than the stream forgets what
// came before it, the stream does not. Tested in streaming_test.cpp.
//
// Supported: a single-input chain of SimpleRNN / LSTM / GRU (either reset_after) layers, then
// Dense layers, with Dropout anywhere (the identity at inference). Each recurrent layer steps
// once per observation (return_sequences only says what a full window returns). Refused with a
// clear error: go_backwards, Bidirectional, Embedding or any other layer, several inputs.
// One step is a few hundred nanoseconds at the book's sizes: no allocation, the step products
// use the fused kernels (layers/step_kernels.hpp), activations over contiguous gate blocks.
#pragma once

#include <memory>
#include <vector>

#include "recur/model/model.hpp"

namespace recur {

template <typename T>
class StreamingPredictor {
  public:
    // Copies the model's weights; later training of `model` does not change this predictor.
    explicit StreamingPredictor(Model<T>& model, Index n_series = 1);
    ~StreamingPredictor();
    StreamingPredictor(StreamingPredictor&&) noexcept;
    StreamingPredictor& operator=(StreamingPredictor&&) noexcept;

    Index n_series() const { return n_series_; }
    Index input_size() const { return input_size_; }    // features per observation
    Index output_size() const { return output_size_; }  // values per prediction

    // One observation (input_size() values) of `series`; returns output_size() values, valid
    // until the next call. Throws std::out_of_range for a bad series index.
    const T* step(Index series, const T* x);
    std::vector<T> step(Index series, const std::vector<T>& x);
    // Every series steps once: x (n_series, input_size) -> y (n_series, output_size).
    void step_all(const Tensor<T>& x, Tensor<T>& y);

    // Appends a series with zero states (a new ticker in a live stream); returns its index.
    Index add_series();
    void reset(Index series);  // zero states
    void reset_all();
    // The states of one layer for one series (h, then c for LSTM); for inspection and tests.
    const T* state(std::size_t recurrent_layer, Index series, int k = 0) const;

  private:
    struct Stage;
    void run_rows(Index series0, Index rows, const T* x, Index ldx, T* y, Index ldy);

    std::vector<std::unique_ptr<Stage>> stages_;
    Index n_series_ = 0, input_size_ = 0, output_size_ = 0, widest_ = 0;
    Tensor<T> act_a_, act_b_;  // (rows, widest) ping-pong activations between stages
    Tensor<T> gates_;          // (rows, widest gate block) scratch
    Tensor<T> out_;            // (1, output_size) result of step()
};

}  // namespace recur
