// bench/model_bench.hpp — `recur bench`: throughput and latency of the book's models (and one
// large LSTM) on random data, the numbers issue #6 asks for, as one JSON object per model.
//
// Models (the case studies' own definitions, model/book_models.hpp; batch = the book's):
//   sp500   LSTM(20) -> Dense(1) on (63, 1), MSE, RMSprop, batch 20
//   macro   LSTM(12, seq) -> LSTM(6) -> Dense(10) -> Dense(2) on (24, 2), dropout and recurrent
//           dropout 0.2, MAE, RMSprop, batch 20
//   stocks  returns (52, 1) -> LSTM(25, seq) -> LSTM(10); ticker id -> Embedding(2489, 10);
//           month one-hot (12) -> Concatenate -> Dense(10) -> Dense(1, sigmoid), BCE, RMSprop,
//           batch 32
//   imdb    ids (100) -> Embedding(20000, 100) -> GRU(32, dropout 0.2, recurrent dropout 0.2)
//           -> Dense(1, sigmoid), BCE, RMSprop, batch 32; ids uniform over the vocabulary
//   imdb-zipf  the same model with ids from Zipf's law (P(id) ∝ 1 / (id + 1)), as word ranks in
//           text: a batch repeats its frequent words and touches fewer table rows (uniform ids
//           are the worst case for the row-sparse update)
//   large   LSTM(256) -> Dense(1) on (100, 64), MSE, Adam, batch 128
//
// Measures (float, the thread count set by the caller's options):
//   train_windows_per_s   optimiser steps (gather the batch, forward, backward, update) over
//                         8 distinct batches in turn, windows per second
//   infer_windows_per_s   forward in inference mode on a prepared batch of 1,024 windows
//   latency_us            forward of one window (batch 1), microseconds per call
//   stream_step_us        sp500 only: one StreamingPredictor step (one new observation)
//   train_gflops          nominal GEMM flops of a training step / time (the formula of
//                         bench/README.md: recurrent 2 (I + U) G U T, Dense 2 in out, times 3
//                         for forward + backward)
//   gemm_kernels          "avx512" or "portable": which build of Eigen's GEMM large products
//                         took (cpu_features.hpp; RECUR_AVX512=0 forces "portable")
// Training with several threads uses TrainParallelism (model.hpp): one model replica per thread
// by default, or every layer splitting its rows (split_layers, and models over 2^20 parameters);
// "train_parallelism" prints which ran: "batch", "layers", or "none" on one thread. Each measure
// runs `warmup` seconds untimed, then `seconds` timed. With train_only, only the training measure
// runs (the others stay 0 / not measured): for profiling the training loop.
#pragma once

#include <string>
#include <vector>

#include "recur/tensor/rng.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur::bench {

// Ids below `vocab` drawn with P(id) ∝ 1 / (id + 1)^s: word ranks in text follow Zipf's law with s
// near 1, so a batch repeats its frequent ids (imdb-zipf uses s = 1).
class ZipfIds {
  public:
    ZipfIds(Index vocab, double s);
    Index operator()(Rng& rng) const;

  private:
    std::vector<double> cdf_;  // P(id <= i)
};

struct BenchOptions {
    int threads = 1;
    double seconds = 1.0;  // timed, per measure
    double warmup = 0.3;   // untimed, per measure
    std::uint64_t seed = 42;
    Index batch = 0;            // training batch size; 0: the book's (above)
    bool split_layers = false;  // TrainParallelism::layers instead of the default batch split
    bool train_only = false;    // skip the forward-only measures (profiling the training loop)
};

struct BenchResult {
    std::string model;
    int threads = 1;
    Index batch = 0, infer_batch = 1024, params = 0;
    double train_flops_per_window = 0;
    double train_windows_per_s = 0, infer_windows_per_s = 0, latency_us = 0;
    double stream_step_us = -1;              // < 0: not measured (models other than sp500)
    std::string train_parallelism = "none";  // "batch" (replicas), "layers", "none" (1 thread)
    double train_gflops = 0;
    std::string gemm_kernels = "portable";  // "avx512" when large products ran on AVX-512
};

std::vector<std::string> bench_model_names();
// Throws std::invalid_argument for an unknown name (listing the known ones).
BenchResult run_bench(const std::string& model, const BenchOptions& options);
std::string to_json(const BenchResult& result);

}  // namespace recur::bench
