// recur/model/book_models.hpp — the architectures of the book's case studies (1st edition,
// Keras 2.2.4 defaults: hard_sigmoid gates, GRU reset_after = false), as `recur summary NAME`
// prints them. Parameter counts equal Keras's:
//   sp500       LSTM(20) -> Dense(1) on (63, 1)                                       1,781
//   macro       LSTM(12, rs) -> LSTM(6) -> Dense(10) -> Dense(2) on (24, 2)           1,268
//   imdb        Embedding(20000, 100) -> GRU(32) -> Dense(1, sigmoid), length 100   2,012,801
//   imdb-glove  frozen Embedding(88586, 100) -> GRU(32) -> Dense(1, sigmoid)
//               8,871,401 total / 12,801 trainable
//   stocks      functional: returns (52, 1) -> LSTM(25, rs) -> LSTM(10);
//               ticker id -> Embedding(2489, 10) -> Reshape(10); month one-hot (12);
//               Concatenate (32) -> Dense(10) -> Dense(1, sigmoid)                       29,371
#pragma once

#include <string>
#include <vector>

#include "recur/layers/activation.hpp"
#include "recur/model/sequential.hpp"

namespace recur {

struct BookModelOptions {
    Index vocab_size = 0;  // imdb: 20,000, imdb-glove: 88,586 when 0
    Index n_tickers = 0;   // stocks: 2,489 (the book's panel) when 0
    Index lags = 52;       // stocks: weeks of returns per window
    std::uint64_t seed = 42;
};

// The stacked-LSTM weekly-return classifier (book_model("stocks") with the book's settings).
struct StocksModelOptions {
    Index n_tickers = 2489;
    Index lags = 52;
    std::vector<Index> lstm_units{25, 10};  // the first returns sequences into the next
    double dropout = 0.2;                   // input dropout of each LSTM
    Index embedding_dim = 10;
    Index dense_units = 10;                                      // 0: no hidden Dense
    Activation recurrent_activation = Activation::hard_sigmoid;  // Keras 2.2
    Activation output_activation = Activation::sigmoid;          // the book's E1 had linear (a bug)
    std::uint64_t seed = 42;
};
template <typename T>
Model<T> stocks_model(const StocksModelOptions& options);

// Throws std::invalid_argument for an unknown name, listing the known ones.
template <typename T>
Model<T> book_model(const std::string& name, const BookModelOptions& options = {});

std::vector<std::string> book_model_names();

}  // namespace recur
