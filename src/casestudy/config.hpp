// casestudy/config.hpp — a case study (data, transforms, windows, model, training) read from a
// TOML file; `recur fit CONFIG` and `recur reproduce NAME` run it (casestudy/runner.hpp).
//
// Layout (configs/sp500.toml and configs/macro.toml are complete examples):
//   name, report ("levels": one price series, RMSE/IC/naive/returns metrics;
//                 "changes": MAE per series and a last-value naive forecast;
//                 "classification": the weekly stock-panel classifier, configs/stocks.toml,
//                 whose [data], [windows] and [model] keys are listed at PanelSpec;
//                 "text": IMDB sentiment, configs/imdb*.toml, keys at TextSpec), seed
//   [data]      start, end (inclusive, YYYY-MM-DD), [[data.series]] name, file (relative to
//               --data-dir), column (default: the file's first value column), transforms
//               (list of "log", "diff(N)", "pct_change(N)", applied in order after slicing)
//   [scaling]   method ("none" | "minmax"), fit_on ("all" | "train")
//   [windows]   window (rows per sample), test_start (first target date of the test set)
//   [[model.layers]] type (LSTM | GRU | SimpleRNN | Dense), units, return_sequences, dropout,
//               recurrent_dropout, activation, recurrent_activation
//   [training]  loss, batch_size, epochs, shuffle, [training.optimizer] name, learning_rate, rho,
//               epsilon, [training.early_stopping] monitor, patience, restore_best_weights
//   [reference] numbers copied verbatim into metrics.json (the book's results)
//   [walk_forward] folds, window, train_rows, gap (WalkForwardSpec)
// Every error names the file, the key and what was expected (ConfigError).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "recur/training/callbacks.hpp"
#include "recur/training/optimizer.hpp"

namespace recur::casestudy {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct SeriesSpec {
    std::string name;
    std::string file;
    std::string column;
    std::vector<std::string> transforms;
};

struct LayerSpec {
    std::string type;  // LSTM, GRU, SimpleRNN, Dense
    long units = 1;
    bool return_sequences = false;
    double dropout = 0.0;
    double recurrent_dropout = 0.0;
    std::string activation;            // empty: the layer's default
    std::string recurrent_activation;  // empty: the layer's default
};

// report = "classification": a daily close panel -> weekly returns -> windows of `lags` weeks
// with ticker id and month one-hot -> stacked LSTM + embedding classifier (configs/stocks.toml).
struct PanelSpec {
    std::string file;  // [data] panel, relative to --data-dir (start / end: the return period)
    // [windows] lags, order ("most_recent_first" | "chronological"), test_start or test_weeks,
    // winsorize = [lower, upper] quantiles or false, winsorize_fit ("all" | "train"),
    // clip_last_lag
    long lags = 52;
    bool most_recent_first = true;
    bool winsorize = true;
    double winsor_lower = 0.01, winsor_upper = 0.99;
    std::string winsorize_fit = "all";
    bool clip_last_lag = false;
    std::string test_start;  // empty: the last test_weeks weeks
    long test_weeks = 52;
    // [model] lstm_units, dropout, embedding_dim, dense_units, recurrent_activation,
    // output_activation
    std::vector<long> lstm_units{25, 10};
    double dropout = 0.2;
    long embedding_dim = 10;
    long dense_units = 10;
    std::string recurrent_activation = "hard_sigmoid";
    std::string output_activation = "sigmoid";
};

// report = "text": IMDB reviews (recur data fetch imdb) -> ids -> Embedding -> GRU -> sigmoid
// (configs/imdb.toml, configs/imdb-glove.toml).
struct TextSpec {
    long split_seed = 42;  // [data] the balanced 25,000 / 25,000 split (data/text.hpp)
    // [text] pipeline: "imdb_ids" (keras.datasets.imdb: start 1, oov 2, ids from 3, num_words)
    //                  "tokenizer" (Keras Tokenizer fit on the training reviews, OOV index 1)
    std::string pipeline = "imdb_ids";
    long num_words = 20000;
    long maxlen = 100;
    std::string padding = "pre", truncating = "pre";
    // [model] embedding ("learned" | "glove": frozen GloVe rows over the full word index),
    // sparse_embedding, embedding_dim, gru_units, dropout, recurrent_dropout, reset_after,
    // recurrent_activation
    std::string embedding = "learned";
    bool sparse_embedding = true;  // row-sparse gradient updates (false: dense, as Keras)
    long embedding_dim = 100;
    long gru_units = 32;
    double dropout = 0.2, recurrent_dropout = 0.2;
    bool reset_after = false;
    std::string recurrent_activation = "hard_sigmoid";
};

// report = "multistep": h = 1..horizon forecasts of every series from rolling origins in the test
// period by a seq2seq LSTM (model/seq2seq.hpp), the VAR's iterated forecast and the naive last
// value (configs/macro-multistep.toml). [model] keys, defaults below.
struct MultistepSpec {
    long horizon = 12;
    long units = 32;
    bool attention = true;
    std::string score = "general";  // dot | general | additive
    bool residual = true;           // the decoder forecasts changes from the previous value
    double sampling = 0.25;         // scheduled sampling: probability reached at the last epoch
    // Share of the training windows (the latest) for early stopping; the H - 1 windows before
    // them are not trained on (their targets would overlap). The best validation weights are
    // always restored; [training.early_stopping] patience stops training early.
    double validation = 0.15;
};

// [walk_forward] (report = "levels", "changes" or "multistep"): refit before each of `folds`
// groups of test origins (0: one fit before the test period, the book's split); "expanding"
// keeps every earlier row, "rolling" the last train_rows rows; training targets end `gap` rows
// before the group's first origin (casestudy/walk_forward.hpp). One-step configs early-stop each
// refit on the latest `validation` share of its training windows (the single split keeps the
// book's choice, the test set; multistep configs use [model] validation).
struct WalkForwardSpec {
    long folds = 0;
    std::string window = "expanding";
    long train_rows = 0;
    long gap = 0;
    double validation = 0.1;
};

struct CaseConfig {
    std::string path;  // the file it was read from
    std::string name;
    std::string report =
        "levels";  // "levels" | "changes" | "classification" | "text" | "multistep"
    std::uint64_t seed = 42;
    std::string start, end;
    std::vector<SeriesSpec> series;
    std::string scaling = "none";  // "none" | "minmax"
    std::string fit_on = "all";    // "all" | "train"
    long window = 1;
    std::string test_start;
    std::vector<LayerSpec> layers;
    std::string loss = "mse";
    long batch_size = 32;
    int epochs = 1;
    bool shuffle = true;
    OptimizerOptions optimizer;
    bool early_stopping = false;
    EarlyStoppingOptions early;
    std::vector<std::pair<std::string, double>> reference;
    PanelSpec panel;          // report = "classification"
    TextSpec text;            // report = "text"
    MultistepSpec multistep;  // report = "multistep"
    WalkForwardSpec walk_forward;
    // [baselines.var]: a VAR(p) with intercept fit on the training rows, p chosen by `var_ic`
    // up to `var_maxlags` (0 = no VAR; report = "multistep" always fits one, 0 meaning 12).
    long var_maxlags = 0;
    std::string var_ic = "aic";
};

// Whether configs of this report refit per origin ([walk_forward], --walk-forward).
bool supports_walk_forward(const std::string& report);

// Reads and validates a config file; throws ConfigError.
CaseConfig load_config(const std::string& path);

// Parses a TOML document given as text (`path` is used in messages only).
CaseConfig parse_config(const std::string& text, const std::string& path);

}  // namespace recur::casestudy
