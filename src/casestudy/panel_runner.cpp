#include "casestudy/panel_runner.hpp"

#include "casestudy/classification.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>

#include "recur/data/stock_panel.hpp"
#include "recur/io/model_io.hpp"
#include "recur/metrics/metrics.hpp"
#include "recur/model/book_models.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur::casestudy {
namespace fs = std::filesystem;
namespace {

double sd(const std::vector<double>& v) {
    if (v.size() < 2) return NAN;
    const double m = mean_of(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

struct Scored {
    double auc = NAN, mean_ic = NAN, ic_t = NAN;
    std::vector<std::pair<long, double>> weekly_ic;
    std::vector<double> quintiles;         // pooled over all test windows
    std::vector<double> weekly_quintiles;  // within each week, averaged over the weeks
};

Scored score(const std::vector<double>& s, const std::vector<double>& labels,
             const std::vector<long>& week, const std::vector<double>& next_return) {
    Scored r;
    r.auc = roc_auc(std::span<const double>(s), labels);
    r.weekly_ic = group_spearman(week, s, next_return);
    std::vector<double> ics;
    for (const auto& [w, ic] : r.weekly_ic) ics.push_back(ic);
    r.mean_ic = mean_of(ics);
    r.ic_t = r.mean_ic / sd(ics) * std::sqrt(static_cast<double>(ics.size()));
    r.quintiles = quantile_means(s, next_return, 5);
    r.weekly_quintiles = group_quantile_means(week, s, next_return, 5);
    return r;
}

}  // namespace

report::Metrics run_panel_case(const CaseConfig& c, const RunOptions& o) {
    if (o.threads > 0) set_num_threads(o.threads);
    const std::uint64_t seed = o.seed.value_or(c.seed);
    const int epochs = o.epochs.value_or(c.epochs);
    const PanelSpec& p = c.panel;
    fs::create_directories(o.out_dir);
    const fs::path out(o.out_dir);

    const fs::path file = fs::path(o.data_dir) / p.file;
    if (!fs::exists(file))
        throw DataError(file.string() + ": no such file (the price panel of " + c.path +
                        "); pass --data-dir (see ../shared/data/README.md)");
    const auto t_read = std::chrono::steady_clock::now();
    auto panel = std::make_shared<const WeeklyReturns>(
        read_weekly_returns(file.string(), {.start = c.start, .end = c.end}));
    WindowOptions wo;
    wo.lags = p.lags;
    wo.most_recent_first = p.most_recent_first;
    wo.winsorize = p.winsorize;
    wo.winsor_lower = p.winsor_lower;
    wo.winsor_upper = p.winsor_upper;
    wo.clip_last_lag = p.clip_last_lag;
    wo.winsor_fit_train_only = p.winsorize_fit == "train";
    wo.test_start = p.test_start;
    wo.test_weeks = p.test_weeks;
    auto [train, test] = make_stock_windows<float>(panel, wo);
    const double read_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_read).count();
    if (o.verbose)
        fmt::print(stderr,
                   "{}: {} tickers read, {} kept with every week; {} weeks {} .. {}; "
                   "{} train / {} test windows ({:.1f} s)\n",
                   p.file, panel->tickers_read, panel->n_tickers(), panel->n_weeks(),
                   panel->weeks.front(), panel->weeks.back(), train.size(), test.size(),
                   read_seconds);

    StocksModelOptions mo;
    mo.n_tickers = panel->n_tickers();
    mo.lags = p.lags;
    mo.lstm_units.assign(p.lstm_units.begin(), p.lstm_units.end());
    mo.dropout = p.dropout;
    mo.embedding_dim = p.embedding_dim;
    mo.dense_units = p.dense_units;
    mo.recurrent_activation = activation_from_name(p.recurrent_activation);
    mo.output_activation = activation_from_name(p.output_activation);
    mo.seed = seed;
    Model<float> model = stocks_model<float>(mo);
    if (o.verbose) fmt::print(stderr, "{}", model.summary());
    model.compile(Loss::bce, c.optimizer);

    EarlyStopping<float> early(c.early);
    const FitOptions<float> fo = classification_fit_options(c, o, seed, epochs, early);
    const auto t0 = std::chrono::steady_clock::now();
    History history = model.fit(train, fo, &test);
    const double train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int best_epoch = c.early_stopping ? early.best_epoch() : history.epochs_run();

    // Scores on the test windows: the model's probability and the naive last-week return.
    const Tensor<float> prob = model.predict(test, 1024)[0];
    const Index n = test.size();
    std::vector<double> pr(static_cast<std::size_t>(n)), naive(pr.size()), labels(pr.size()),
        next(pr.size());
    std::vector<long> week(pr.size());
    for (Index i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        pr[k] = prob[i];
        labels[k] = test.label(i);
        next[k] = test.next_return(i);
        week[k] = static_cast<long>(test.week_of(i));
        naive[k] = panel->at(test.week_of(i) - 1, test.ticker_of(i));
    }
    const Scored model_scores = score(pr, labels, week, next);
    const Scored naive_scores = score(naive, labels, week, next);
    const double base_rate = mean_of(labels);

    report::Metrics m;
    m.emplace_back("params", static_cast<double>(model.param_count()));
    m.emplace_back("n_tickers", static_cast<double>(panel->n_tickers()));
    m.emplace_back("n_tickers_read", static_cast<double>(panel->tickers_read));
    m.emplace_back("n_weeks", static_cast<double>(panel->n_weeks()));
    m.emplace_back("n_train", static_cast<double>(train.size()));
    m.emplace_back("n_test", static_cast<double>(test.size()));
    m.emplace_back("test_auc", model_scores.auc);
    m.emplace_back("test_accuracy", binary_accuracy(std::span<const double>(pr), labels));
    m.emplace_back("test_base_rate", base_rate);
    m.emplace_back("naive_test_accuracy_majority", std::max(base_rate, 1 - base_rate));
    m.emplace_back("mean_weekly_ic", model_scores.mean_ic);
    m.emplace_back("weekly_ic_t_stat", model_scores.ic_t);
    m.emplace_back("ic_weeks", static_cast<double>(model_scores.weekly_ic.size()));
    for (int q = 0; q < 5; ++q)
        m.emplace_back("quintile_" + std::to_string(q + 1) + "_mean_next_return",
                       model_scores.quintiles[static_cast<std::size_t>(q)]);
    for (int q = 0; q < 5; ++q)
        m.emplace_back("weekly_quintile_" + std::to_string(q + 1) + "_mean_next_return",
                       model_scores.weekly_quintiles[static_cast<std::size_t>(q)]);
    m.emplace_back("naive_last_week_test_auc", naive_scores.auc);
    m.emplace_back("naive_last_week_mean_weekly_ic", naive_scores.mean_ic);
    m.emplace_back("epochs_run", history.epochs_run());
    m.emplace_back("best_epoch", best_epoch);
    m.emplace_back("seconds_per_epoch", mean_of(history.seconds));
    m.emplace_back("train_seconds", train_seconds);
    m.emplace_back("data_seconds", read_seconds);
    for (const auto& r : c.reference) m.push_back(r);
    m.emplace_back("seed", static_cast<double>(seed));

    write_file_atomic((out / "metrics.json").string(), report::metrics_json(m));
    history.write_csv((out / "history.csv").string());
    std::string csv = "week,ticker,probability,label,next_return\n";
    csv.reserve(static_cast<std::size_t>(n) * 40);
    for (Index i = 0; i < n; ++i)
        csv += fmt::format("{},{},{:.6g},{:g},{:.6g}\n", test.week_date(i),
                           panel->tickers[static_cast<std::size_t>(test.ticker_of(i))], prob[i],
                           labels[static_cast<std::size_t>(i)], next[static_cast<std::size_t>(i)]);
    write_file_atomic((out / "predictions.csv").string(), csv);

    write_learning_curve((out / "learning_curve.svg").string(), c.name, history, best_epoch);
    write_roc_plot((out / "roc_curve.svg").string(),
                   fmt::format("{}: ROC on the test weeks (AUC {:.4f}; last week's return {:.4f})",
                               c.name, model_scores.auc, naive_scores.auc),
                   labels, {{"model", pr, "#d62728"}, {"last week's return", naive, "#1f77b4"}});

    report::Plot ic_plot{
        fmt::format("{}: weekly cross-sectional Spearman IC (mean {:.4f}, t {:.2f})", c.name,
                    model_scores.mean_ic, model_scores.ic_t),
        "IC",
        {},
        {},
        false};
    std::vector<double> ic, zero;
    for (const auto& [w, v] : model_scores.weekly_ic) {
        ic_plot.x_labels.push_back(panel->weeks[static_cast<std::size_t>(w)]);
        ic.push_back(v);
        zero.push_back(0);
    }
    ic_plot.lines.push_back({"weekly IC", ic, "#d62728"});
    ic_plot.lines.push_back({"zero", zero, "#999999"});
    report::Plot quint{c.name + ": mean next-week return by predicted quintile (1 = lowest)",
                       "mean return",
                       {"1", "2", "3", "4", "5"},
                       {},
                       false};
    quint.lines.push_back({"model", model_scores.quintiles, "#d62728"});
    quint.lines.push_back({"last week's return", naive_scores.quintiles, "#1f77b4"});
    write_file_atomic((out / "weekly_ic.svg").string(), report::svg_plots({ic_plot, quint}));

    save_model(model, (out / "model.recur").string());
    write_file_atomic((out / "config.toml").string(), read_file_text(c.path));
    return m;
}

}  // namespace recur::casestudy
