// casestudy/multistep_runner.hpp — report = "multistep" (configs/macro-multistep.toml): forecasts
// h = 1..H steps ahead of every series from each origin in the test period with
//   (a) a seq2seq LSTM with attention (model/seq2seq.hpp) trained on the earlier windows,
//   (b) the VAR(p) fit on the same earlier rows, iterated from the origin (statsmodels' forecast),
//   (c) the naive forecast: the value at the origin, for every h,
// all from the same origins, so the three are comparable horizon by horizon (the book compared
// one-step LSTM forecasts with a 24-step VAR path). An origin is a test-period row whose H next
// rows all lie in the test period. With [walk_forward] folds the origins are split into
// contiguous groups and both models are refit before each group (expanding or rolling window,
// with a gap). Writes metrics.json (seq2seq_mae_by_horizon, var_mae_by_horizon,
// naive_mae_by_horizon: H numbers each, the MAE over origins averaged over the series, in the
// series' units; n_origins; params), multistep.csv, forecasts.csv, history.csv,
// mae_by_horizon.svg and attention_heatmap.svg (the first origin's weights, horizon x window).
#pragma once

#include "casestudy/runner.hpp"

namespace recur::casestudy {

report::Metrics run_multistep_case(const CaseConfig& config, const RunOptions& options);

}  // namespace recur::casestudy
