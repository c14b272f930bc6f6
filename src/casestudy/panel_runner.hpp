// casestudy/panel_runner.hpp — the weekly stock-panel classifier (report = "classification",
// configs/stocks.toml): read the daily close panel, build weekly returns and the book's 52-week
// windows as views, train the functional stacked-LSTM + ticker-embedding model with early
// stopping on validation AUC, and report what a trader reads:
//   metrics.json   test AUC / accuracy / base rate, mean weekly cross-sectional IC (and its
//                  t-statistic), mean next-week return per predicted quintile (pooled over the
//                  test windows, and within each week averaged over weeks), the same for a
//                  naive score (last week's return), data sizes, epochs, seconds per epoch
//   history.csv, predictions.csv (week, ticker, probability, label, next_return),
//   learning_curve.svg, roc_curve.svg, weekly_ic.svg, model.recur, config.toml
#pragma once

#include "casestudy/config.hpp"
#include "casestudy/runner.hpp"
#include "report/report.hpp"

namespace recur::casestudy {

report::Metrics run_panel_case(const CaseConfig& config, const RunOptions& options);

}  // namespace recur::casestudy
