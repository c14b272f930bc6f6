#include "casestudy/classification.hpp"

#include <fmt/core.h>

#include <fstream>
#include <numeric>
#include <span>

#include "recur/data/frame.hpp"
#include "recur/io/model_io.hpp"
#include "recur/metrics/metrics.hpp"
#include "report/report.hpp"

namespace recur::casestudy {

std::pair<std::string, MetricFn<float>> auc_metric() {
    return {"auc", [](const Tensor<float>& pred, const Tensor<float>& y) {
                return roc_auc(std::span<const float>(pred.data(), pred.size()),
                               std::span<const float>(y.data(), y.size()));
            }};
}

FitOptions<float> classification_fit_options(const CaseConfig& c, const RunOptions& o,
                                             std::uint64_t seed, int epochs,
                                             EarlyStopping<float>& early) {
    FitOptions<float> fo = case_fit_options(c, o, seed, epochs, early);
    fo.metrics.push_back(auc_metric());
    return fo;
}

void write_learning_curve(const std::string& path, const std::string& name, const History& h,
                          int best_epoch) {
    std::vector<std::string> epochs;
    for (int e = 1; e <= h.epochs_run(); ++e) epochs.push_back(std::to_string(e));
    report::Plot loss{
        name + ": binary cross-entropy by epoch (best " + std::to_string(best_epoch) + ")",
        "loss",
        epochs,
        {},
        false};
    loss.lines.push_back({"loss", h["loss"], ""});
    loss.lines.push_back({"val_loss", h["val_loss"], ""});
    std::vector<report::Plot> panels{loss};
    if (std::find(h.keys.begin(), h.keys.end(), "val_auc") != h.keys.end()) {
        report::Plot auc{name + ": validation (test) AUC by epoch", "AUC", epochs, {}, false};
        auc.lines.push_back({"val_auc", h["val_auc"], "#d62728"});
        auc.lines.push_back({"coin flip", std::vector<double>(epochs.size(), 0.5), "#999999"});
        panels.push_back(auc);
    }
    write_file_atomic(path, report::svg_plots(panels));
}

namespace {
// TPR at evenly spaced false-positive rates 0, 0.01, ..., 1 (the ROC curve is a step function).
std::vector<double> tpr_on_grid(const RocCurve& c, int points) {
    std::vector<double> out;
    std::size_t j = 0;
    for (int i = 0; i < points; ++i) {
        const double f = static_cast<double>(i) / (points - 1);
        while (j + 1 < c.fpr.size() && c.fpr[j + 1] <= f + 1e-12) ++j;
        out.push_back(c.tpr[j]);
    }
    return out;
}
}  // namespace

void write_roc_plot(const std::string& path, const std::string& title,
                    const std::vector<double>& labels, const std::vector<RocLine>& lines) {
    const int grid = 101;
    report::Plot roc{title, "true positive rate (x: false positive rate)", {}, {}, false};
    std::vector<double> diag;
    for (int i = 0; i < grid; ++i) {
        roc.x_labels.push_back(fmt::format("{:.2f}", static_cast<double>(i) / (grid - 1)));
        diag.push_back(static_cast<double>(i) / (grid - 1));
    }
    for (const RocLine& l : lines)
        roc.lines.push_back(
            {l.name, tpr_on_grid(roc_curve(std::span<const double>(l.scores), labels), grid),
             l.color});
    roc.lines.push_back({"chance", diag, "#999999"});
    write_file_atomic(path, report::svg_plots({roc}));
}

std::string read_file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot open");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double mean_of(const std::vector<double>& v) {
    return v.empty() ? NAN
                     : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace recur::casestudy
