// casestudy/classification.hpp — what the binary-classification case studies (stocks, imdb)
// share: the AUC metric fit logs as val_auc, the learning-curve and ROC plots, reading a file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "casestudy/config.hpp"
#include "casestudy/runner.hpp"
#include "recur/model/model.hpp"

namespace recur::casestudy {

// ("auc", ROC AUC of the first output) for FitOptions::metrics.
std::pair<std::string, MetricFn<float>> auc_metric();

// The fit options of a classification case: the config's batch, shuffling and early stopping
// (`early`, built from the config, is added as a callback when enabled), the run's seed, epochs
// and verbosity, and val_auc logged every epoch.
FitOptions<float> classification_fit_options(const CaseConfig& c, const RunOptions& o,
                                             std::uint64_t seed, int epochs,
                                             EarlyStopping<float>& early);

// learning_curve.svg: loss and val_loss by epoch, and val_auc when the history has it.
void write_learning_curve(const std::string& path, const std::string& name, const History& h,
                          int best_epoch);

struct RocLine {
    std::string name;
    std::vector<double> scores;
    std::string color;
};
// roc_curve.svg: the ROC curve of each score against the 0/1 labels, plus the chance diagonal.
void write_roc_plot(const std::string& path, const std::string& title,
                    const std::vector<double>& labels, const std::vector<RocLine>& lines);

std::string read_file_text(const std::string& path);

double mean_of(const std::vector<double>& v);

}  // namespace recur::casestudy
