// recur/model/book_models.hpp — the architectures of the book's case studies (1st edition,
// Keras 2.2.4 defaults: hard_sigmoid gates, GRU reset_after = false), as `recur summary NAME`
// prints them. Parameter counts equal Keras's:
//   sp500       LSTM(20) -> Dense(1) on (63, 1)                                       1,781
//   macro       LSTM(12, rs) -> LSTM(6) -> Dense(10) -> Dense(2) on (24, 2)           1,268
//   imdb        Embedding(20000, 100) -> GRU(32) -> Dense(1, sigmoid), length 100   2,012,801
//   imdb-glove  frozen Embedding(88586, 100) -> GRU(32) -> Dense(1, sigmoid)
//               8,871,401 total / 12,801 trainable
#pragma once

#include <string>
#include <vector>

#include "recur/model/sequential.hpp"

namespace recur {

struct BookModelOptions {
    Index vocab_size = 0;  // imdb: 20,000, imdb-glove: 88,586 when 0
    std::uint64_t seed = 42;
};

// Throws std::invalid_argument for an unknown name, listing the known ones.
template <typename T>
Sequential<T> book_model(const std::string& name, const BookModelOptions& options = {});

std::vector<std::string> book_model_names();

}  // namespace recur
