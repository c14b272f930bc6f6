// casestudy/runner.hpp — runs a case study end to end: load the FRED series, transform, scale,
// window, split at the test date, build and train the model (the test set is the validation
// set, as in the book), then evaluate against a naive forecast and write the reports:
//   metrics.json, history.csv, predictions.csv, learning_curve.svg, test_predictions.svg,
//   model.recur
// With seeds > 1 each seed s, s+1, ... runs into OUT/seed_<s>/ and OUT/summary.json holds the
// mean and standard deviation (n - 1) of every metric. With [walk_forward] folds = N (one-step
// "levels" / "changes" configs) the model is refit before each of N groups of test windows
// (casestudy/walk_forward.hpp), each refit early-stopping on the latest share of its own training
// windows (which it does not train on); the scaler is fit on the rows before the test period
// whatever the config's fit_on; the metrics cover all test windows, the VAR baseline is refit per
// fold too, and folds.csv and history_fold_<k>.csv describe the refits (model.recur, history.csv,
// epochs_run and best_epoch are the last refit's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "casestudy/config.hpp"
#include "recur/data/frame.hpp"
#include "recur/model/model.hpp"
#include "report/report.hpp"

namespace recur::casestudy {

struct RunOptions {
    std::string data_dir = "../shared/data";
    std::string cache_dir;  // text cases: where `recur data fetch` put the data; empty: default
    std::string out_dir = ".";
    std::optional<std::uint64_t> seed;  // overrides the config's
    std::optional<int> epochs;          // overrides the config's
    std::string scaler_fit;             // "all" | "train" overrides [scaling] fit_on
    int threads = 0;                    // 0: leave recur's default
    int seeds = 1;
    int verbose = 1;  // fit's progress lines
};

// The fit options of a case: the config's batch size, shuffling and early stopping (`early`,
// built from the config, is added as a callback when enabled), the run's seed, epochs, verbosity.
FitOptions<float> case_fit_options(const CaseConfig& c, const RunOptions& o, std::uint64_t seed,
                                   int epochs, EarlyStopping<float>& early);

// The config's series read from options.data_dir, sliced to [start, end], transformed, aligned on
// their common dates (rows with a missing value dropped).
Frame load_frame(const CaseConfig& config, const RunOptions& options);

// One run into options.out_dir; returns the metrics written to metrics.json.
report::Metrics run_case(const CaseConfig& config, const RunOptions& options);

// options.seeds runs (one run straight into out_dir if seeds == 1); returns the last metrics.
report::Metrics run_seeds(const CaseConfig& config, const RunOptions& options);

// Applies the model of a run directory (model.recur + the config.toml and scaler.json that
// run_case writes beside it) to new raw data: `data` is a data directory laid out like
// --data-dir, or for a one-series config a single CSV file. The series are transformed and
// scaled as in training; each window of the last `window` rows is forecast, one CSV row per
// window ("after_date" = its last date, then the predicted next value of each series, in the
// data's units; the last row forecasts past the end of the data). `out_csv` "-" = stdout.
void predict_run(const std::string& run_dir, const std::string& data, const std::string& out_csv);

}  // namespace recur::casestudy
