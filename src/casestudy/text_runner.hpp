// casestudy/text_runner.hpp — IMDB sentiment (report = "text", configs/imdb.toml and
// configs/imdb-glove.toml): the cached reviews (recur data fetch imdb) split 25,000 / 25,000,
// turned into ids by the keras.datasets.imdb scheme or a Keras Tokenizer, padded, and classified
// by Embedding (learned, or frozen GloVe from recur data fetch glove) -> GRU -> Dense(sigmoid),
// with early stopping on the test set as the book does. Writes metrics.json (test AUC, accuracy,
// vocabulary, GloVe coverage, parameters, epochs, seconds per epoch), history.csv,
// predictions.csv, learning_curve.svg, roc_curve.svg, model.recur, config.toml.
#pragma once

#include "casestudy/config.hpp"
#include "casestudy/runner.hpp"
#include "report/report.hpp"

namespace recur::casestudy {

report::Metrics run_text_case(const CaseConfig& config, const RunOptions& options);

}  // namespace recur::casestudy
