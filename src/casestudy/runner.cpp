#include "casestudy/runner.hpp"

#include "casestudy/multistep_runner.hpp"
#include "casestudy/panel_runner.hpp"
#include "casestudy/text_runner.hpp"
#include "casestudy/walk_forward.hpp"

#include "recur/baselines/var.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "recur/data/data.hpp"
#include "recur/io/model_io.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"
#include "recur/metrics/metrics.hpp"
#include "recur/model/sequential.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur::casestudy {
namespace fs = std::filesystem;
namespace {

int transform_arg(const std::string& t) {
    auto open = t.find('(');
    if (open == std::string::npos) return 1;
    return std::stoi(t.substr(open + 1, t.size() - open - 2));
}

Series apply_transforms(Series s, const SeriesSpec& spec) {
    for (const std::string& t : spec.transforms) {
        if (t == "log")
            s = log_series(s);
        else if (t.rfind("diff", 0) == 0)
            s = diff(s, transform_arg(t));
        else
            s = pct_change(s, transform_arg(t));
    }
    return s;
}

Sequential<float> build_model(const CaseConfig& c, Index window, Index features,
                              std::uint64_t seed) {
    Sequential<float> model(ShapeSpec::sequence(window, features), seed);
    for (const LayerSpec& l : c.layers) {
        if (l.type == "Dense") {
            DenseOptions d(l.units);
            if (!l.activation.empty()) d.activation(activation_from_name(l.activation));
            model.add<Dense<float>>(d);
            continue;
        }
        RecurrentOptions r(l.units);
        r.return_sequences(l.return_sequences)
            .dropout(l.dropout)
            .recurrent_dropout(l.recurrent_dropout);
        if (!l.activation.empty()) r.activation(activation_from_name(l.activation));
        if (!l.recurrent_activation.empty())
            r.recurrent_activation(activation_from_name(l.recurrent_activation));
        if (l.type == "LSTM")
            model.add<LSTM<float>>(r);
        else if (l.type == "GRU")
            model.add<GRU<float>>(r);
        else
            model.add<SimpleRNN<float>>(r);
    }
    return model;
}

// (N, K) as doubles, column k of row i at [i * K + k].
struct Table {
    Index n = 0, k = 0;
    std::vector<double> v;
    std::vector<double> col(Index j) const {
        std::vector<double> out(static_cast<std::size_t>(n));
        for (Index i = 0; i < n; ++i)
            out[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(i * k + j)];
        return out;
    }
};

Table to_table(const Tensor<float>& t) {
    Table out{t.dim(0), t.size() / std::max<Index>(t.dim(0), 1), {}};
    out.v.assign(t.data(), t.data() + t.size());
    return out;
}

Table unscale(const Table& t, const MinMaxScaler* scaler) {
    if (!scaler) return t;
    Tensor<double> x({t.n, t.k});
    std::copy(t.v.begin(), t.v.end(), x.data());
    scaler->inverse_transform_inplace(x);
    Table out = t;
    out.v.assign(x.data(), x.data() + x.size());
    return out;
}

std::string last_date_before(const Frame& f, const std::string& date) {
    std::string last;
    for (const auto& d : f.dates)
        if (d < date) last = d;
    return last;
}

// The VAR comparators of the book's macro study, fit on each fold's training rows (one fold:
// the rows before the test period): one-step-ahead forecasts with the true lags (like-for-like
// with the RNN) and the iterated forecast over the fold's test rows from its first origin (over
// the whole test period without walk-forward: the book's "dynamic" comparator).
void add_var_baseline(const CaseConfig& c, const Frame& frame, const std::vector<Fold>& folds,
                      const MinMaxScaler* sc, const Table& actual_u, report::Metrics& m) {
    const Index rows = static_cast<Index>(frame.rows()), K = static_cast<Index>(frame.cols());
    Eigen::MatrixXd data(rows, K);
    for (Index t = 0; t < rows; ++t)
        for (Index k = 0; k < K; ++k)
            data(t, k) = frame.columns[static_cast<std::size_t>(k)][static_cast<std::size_t>(t)];
    const Index n_test = actual_u.n;
    Eigen::MatrixXd one(n_test, K), dyn(n_test, K);
    Index done = 0, lags = 0;
    for (const Fold& f : folds) {
        const VarModel var =
            fit_var_select(data.middleRows(f.train_begin, f.train_end - f.train_begin + 1),
                           c.var_maxlags, parse_var_criterion(c.var_ic));
        const Index n = f.last_origin - f.first_origin + 1;
        one.middleRows(done, n) =
            var_one_step_forecasts(var, data.topRows(f.last_origin + 2), f.first_origin + 1);
        dyn.middleRows(done, n) = var.forecast(data.topRows(f.first_origin + 1), n);
        done += n;
        lags = var.lags;
    }
    auto to_table_u = [&](const Eigen::MatrixXd& f) {
        Table t{n_test, K, std::vector<double>(static_cast<std::size_t>(n_test * K))};
        for (Index i = 0; i < n_test; ++i)
            for (Index k = 0; k < K; ++k) t.v[static_cast<std::size_t>(i * K + k)] = f(i, k);
        return unscale(t, sc);
    };
    const Table one_u = to_table_u(one), dyn_u = to_table_u(dyn);
    m.emplace_back("var_lag_order", static_cast<double>(lags));  // the last fold's
    m.emplace_back("var_one_step_mae", mae(one_u.v, actual_u.v));
    m.emplace_back("var_dynamic_mae", mae(dyn_u.v, actual_u.v));
    for (Index k = 0; k < K; ++k) {
        const std::string& name = frame.names[static_cast<std::size_t>(k)];
        m.emplace_back("var_one_step_mae_" + name, mae(one_u.col(k), actual_u.col(k)));
        m.emplace_back("var_dynamic_mae_" + name, mae(dyn_u.col(k), actual_u.col(k)));
    }
}

// One model trained on `train`, early-stopped on `val`.
struct FitRun {
    Sequential<float> model;
    History history;
    int best_epoch = 0;
    double seconds = 0;
};

FitRun fit_one(const CaseConfig& c, const RunOptions& o, Index window, Index K, std::uint64_t seed,
               int epochs, const Windows<float>& train, const Windows<float>& val,
               bool print_summary) {
    FitRun r{build_model(c, window, K, seed), {}, 0, 0};
    if (o.verbose && print_summary) fmt::print(stderr, "{}", r.model.summary());
    r.model.compile(loss_from_name(c.loss), c.optimizer);
    EarlyStopping<float> early(c.early);
    const FitOptions<float> fo = case_fit_options(c, o, seed, epochs, early);
    const auto t0 = std::chrono::steady_clock::now();
    r.history = r.model.fit(train.x, train.y, fo, &val.x, &val.y);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.early_stopping) {
        r.best_epoch = early.best_epoch();
    } else {
        const auto& vl = r.history["val_loss"];
        r.best_epoch = static_cast<int>(std::min_element(vl.begin(), vl.end()) - vl.begin()) + 1;
    }
    return r;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot open");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

FitOptions<float> case_fit_options(const CaseConfig& c, const RunOptions& o, std::uint64_t seed,
                                   int epochs, EarlyStopping<float>& early) {
    FitOptions<float> fo;
    fo.epochs = epochs;
    fo.batch_size = static_cast<Index>(c.batch_size);
    fo.shuffle = c.shuffle;
    fo.seed = seed;
    fo.verbose = o.verbose;
    if (c.early_stopping) fo.callbacks.push_back(&early);
    return fo;
}

Frame load_frame(const CaseConfig& c, const RunOptions& o) {
    std::vector<Series> all;
    for (const SeriesSpec& spec : c.series) {
        fs::path p = fs::path(o.data_dir) / spec.file;
        if (!fs::exists(p))
            throw DataError(p.string() + ": no such file (series '" + spec.name + "' of " + c.path +
                            "); run `recur data fetch fred " + fs::path(spec.file).stem().string() +
                            "` or pass --data-dir");
        Series s = read_fred_csv(p.string(), spec.column);
        s = slice_dates(s, c.start, c.end);
        s = apply_transforms(std::move(s), spec);
        s.name = spec.name;
        all.push_back(std::move(s));
    }
    return dropna(align(all));
}

void predict_run(const std::string& run_dir, const std::string& data, const std::string& out_csv) {
    const fs::path dir(run_dir);
    CaseConfig c = load_config((dir / "config.toml").string());
    RunOptions o;
    if (fs::is_directory(data)) {
        o.data_dir = data;
    } else {
        if (c.series.size() != 1)
            throw DataError(c.path + " has " + std::to_string(c.series.size()) +
                            " series: pass a data directory (fred/<SERIES>.csv), not one file");
        o.data_dir = fs::path(data).parent_path().string();
        c.series[0].file = fs::path(data).filename().string();
    }
    c.start.clear();  // new data: every row, not the training range
    c.end.clear();
    Frame frame = load_frame(c, o);
    const nlohmann::json sj = nlohmann::json::parse(read_text((dir / "scaler.json").string()));
    std::optional<MinMaxScaler> scaler;
    if (sj.contains("data_min")) {
        // Refit on the two rows (min, max): exactly the training scaler's parameters.
        Frame bounds;
        bounds.dates = {"1900-01-01", "1900-01-02"};
        bounds.names = sj.at("names").get<std::vector<std::string>>();
        auto lo = sj.at("data_min").get<std::vector<double>>();
        auto hi = sj.at("data_max").get<std::vector<double>>();
        for (std::size_t k = 0; k < lo.size(); ++k) bounds.columns.push_back({lo[k], hi[k]});
        scaler.emplace();
        scaler->fit(bounds);
        frame = scaler->transform(frame);
    }
    Model<float> model = load_model<float>((dir / "model.recur").string());
    const Index window = model.input_spec().steps, K = static_cast<Index>(frame.cols());
    // Windows ending at every row from `window - 1` on: the last one forecasts past the data.
    const Index rows = static_cast<Index>(frame.rows()), n = rows - window + 1;
    if (n < 1)
        throw DataError(data + ": " + std::to_string(rows) +
                        " rows after transforms, fewer than "
                        "the window of " +
                        std::to_string(window));
    Tensor<float> x({n, window, K});
    for (Index i = 0; i < n; ++i)
        for (Index t = 0; t < window; ++t)
            for (Index k = 0; k < K; ++k)
                x.at(i, t, k) = static_cast<float>(
                    frame.columns[static_cast<std::size_t>(k)][static_cast<std::size_t>(i + t)]);
    Table pred = unscale(to_table(model.predict(x)), scaler ? &*scaler : nullptr);
    std::string csv = "after_date";
    for (const auto& name : frame.names) csv += "," + name + "_predicted";
    csv += "\n";
    for (Index i = 0; i < n; ++i) {
        csv += frame.dates[static_cast<std::size_t>(i + window - 1)];
        for (Index k = 0; k < K; ++k)
            csv += fmt::format(",{:.9g}", pred.v[static_cast<std::size_t>(i * K + k)]);
        csv += "\n";
    }
    if (out_csv == "-")
        fmt::print("{}", csv);
    else
        write_file_atomic(out_csv, csv);
}

report::Metrics run_case(const CaseConfig& c, const RunOptions& o) {
    if (c.report == "classification") return run_panel_case(c, o);
    if (c.report == "text") return run_text_case(c, o);
    if (c.report == "multistep") return run_multistep_case(c, o);
    if (o.threads > 0) set_num_threads(o.threads);
    const std::uint64_t seed = o.seed.value_or(c.seed);
    const int epochs = o.epochs.value_or(c.epochs);
    // Walk-forward is an out-of-sample evaluation: its scaler sees only the rows before the test
    // period (the book's single split fits it on every row by default).
    const bool walk = c.walk_forward.folds > 0;
    if (walk && o.scaler_fit == "all")
        throw DataError(c.path +
                        ": --scaler-fit all with walk-forward would scale the training "
                        "data with the test period's range");
    const std::string fit_on = walk ? "train" : o.scaler_fit.empty() ? c.fit_on : o.scaler_fit;
    fs::create_directories(o.out_dir);
    const fs::path out(o.out_dir);

    Frame frame = load_frame(c, o);
    std::optional<MinMaxScaler> scaler;
    if (c.scaling == "minmax") {
        scaler.emplace();
        if (fit_on == "train") {
            std::string last = last_date_before(frame, c.test_start);
            if (last.empty())
                throw DataError(c.path + ": no rows before test_start " + c.test_start +
                                " to fit the scaler on");
            scaler->fit(frame, "", last);
        } else {
            scaler->fit(frame);
        }
        frame = scaler->transform(frame);
    }
    const Index window = static_cast<Index>(c.window);
    const Index K = static_cast<Index>(frame.cols());
    Windows<float> w = make_windows<float>(frame, window);
    const Index cut = first_target_index(w.target_dates, c.test_start);
    if (cut == 0 || cut == w.size())
        throw DataError(c.path + ": test_start " + c.test_start + " leaves " + std::to_string(cut) +
                        " training and " + std::to_string(w.size() - cut) +
                        " test samples; both must be > 0");
    const Windows<float> test = slice_windows(w, cut, w.size());

    // Window j reads rows j .. j+W-1 (its origin) and forecasts row j+W. Without walk-forward
    // there is one fold and, as in the book, the test set doubles as the validation set; with it,
    // each refit early-stops on the latest share of its own training windows.
    const WalkForwardSpec& wf = c.walk_forward;
    std::vector<Index> origins;
    for (Index j = cut; j < w.size(); ++j) origins.push_back(j + window - 1);
    const std::vector<Fold> folds = make_folds(wf, origins, cut + window);
    Table pred{test.size(), K, {}};
    std::optional<FitRun> last;
    double train_seconds = 0;
    Index train_size = 0;
    std::string folds_csv =
        "fold,first_target,last_target,train_first_target,train_last_target,val_first_target,"
        "val_last_target,train_samples,val_samples,test_samples,epochs_run,best_epoch\n";
    for (std::size_t f = 0; f < folds.size(); ++f) {
        const Fold& fold = folds[f];
        const Index t0 = fold.first_origin - window + 1, t1 = fold.last_origin - window + 2;
        // Training windows [b, e): inputs from train_begin on, targets up to train_end.
        const Index b = fold.train_begin, e = fold.train_end - window + 1;
        const Index n_val =
            walk ? std::max<Index>(1, static_cast<Index>(double(e - b) * wf.validation)) : 0;
        if (e - b - n_val < 1)
            throw DataError(c.path + ": walk-forward fold " + std::to_string(f + 1) + " has " +
                            std::to_string(std::max<Index>(0, e - b)) +
                            " training windows, too few (check train_rows and gap)");
        const Windows<float> fold_test = slice_windows(w, t0, t1);
        const Windows<float> train = slice_windows(w, b, e - n_val);
        const Windows<float> val = walk ? slice_windows(w, e - n_val, e) : fold_test;
        if (walk && o.verbose)
            fmt::print(stderr, "walk-forward fold {}/{}: {} training windows, test {} .. {}\n",
                       f + 1, folds.size(), train.size(), fold_test.target_dates.front(),
                       fold_test.target_dates.back());
        last.reset();
        last.emplace(fit_one(c, o, window, K, seed, epochs, train, val, f == 0));
        const Tensor<float> p = last->model.predict(fold_test.x);
        pred.v.insert(pred.v.end(), p.data(), p.data() + p.size());
        train_seconds += last->seconds;
        train_size = train.size();
        folds_csv += fmt::format(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n", f + 1, fold_test.target_dates.front(),
            fold_test.target_dates.back(), train.target_dates.front(), train.target_dates.back(),
            val.target_dates.front(), val.target_dates.back(), train.size(), val.size(),
            fold_test.size(), last->history.epochs_run(), last->best_epoch);
        if (walk)
            last->history.write_csv((out / fmt::format("history_fold_{}.csv", f + 1)).string());
    }
    Sequential<float>& model = last->model;
    const History& history = last->history;
    const int best_epoch = last->best_epoch;

    // Actuals and the naive forecast (the last value of each window), scaled.
    const Table actual = to_table(test.y);
    Table naive{actual.n, K, std::vector<double>(actual.v.size())};
    for (Index i = 0; i < actual.n; ++i)
        for (Index k = 0; k < K; ++k)
            naive.v[static_cast<std::size_t>(i * K + k)] =
                test.x.data()[i * window * K + (window - 1) * K + k];
    const MinMaxScaler* sc = scaler ? &*scaler : nullptr;
    const Table pred_u = unscale(pred, sc), actual_u = unscale(actual, sc),
                naive_u = unscale(naive, sc);

    report::Metrics m;
    m.emplace_back("params", static_cast<double>(model.param_count()));
    m.emplace_back("epochs_run", history.epochs_run());
    m.emplace_back("best_epoch", best_epoch);
    m.emplace_back("train_seconds", train_seconds);
    m.emplace_back("train_samples", static_cast<double>(train_size));  // the last fold's
    m.emplace_back("test_samples", static_cast<double>(test.size()));
    if (c.report == "levels") {
        m.emplace_back("test_rmse_scaled", rmse(pred.v, actual.v));
        m.emplace_back("test_ic_pearson", pearson(pred.v, actual.v));
        m.emplace_back("test_rmse_points", rmse(pred_u.v, actual_u.v));
        m.emplace_back("naive_test_rmse_points", rmse(naive_u.v, actual_u.v));
        m.emplace_back("naive_test_rmse_scaled", rmse(naive.v, actual.v));
        std::vector<double> pr, ar;
        for (std::size_t i = 0; i < actual_u.v.size(); ++i) {
            pr.push_back(pred_u.v[i] / naive_u.v[i] - 1);
            ar.push_back(actual_u.v[i] / naive_u.v[i] - 1);
        }
        m.emplace_back("test_return_ic", spearman(pr, ar));
        m.emplace_back("test_direction_accuracy", direction_accuracy(pr, ar));
    } else {
        m.emplace_back("test_mae", mae(pred_u.v, actual_u.v));
        for (Index k = 0; k < K; ++k)
            m.emplace_back("test_mae_" + frame.names[static_cast<std::size_t>(k)],
                           mae(pred_u.col(k), actual_u.col(k)));
        m.emplace_back("naive_test_mae", mae(naive_u.v, actual_u.v));
        for (Index k = 0; k < K; ++k)
            m.emplace_back("naive_test_mae_" + frame.names[static_cast<std::size_t>(k)],
                           mae(naive_u.col(k), actual_u.col(k)));
        if (c.var_maxlags > 0) add_var_baseline(c, frame, folds, sc, actual_u, m);
    }
    if (walk) {
        m.emplace_back("walk_forward_folds", static_cast<double>(folds.size()));
        m.emplace_back("walk_forward_train_rows",  // 0: expanding
                       wf.window == "rolling" ? static_cast<double>(wf.train_rows) : 0.0);
        m.emplace_back("walk_forward_gap", static_cast<double>(wf.gap));
        write_file_atomic((out / "folds.csv").string(), folds_csv);
    }
    for (const auto& r : c.reference) m.push_back(r);
    m.emplace_back("seed", static_cast<double>(seed));

    // Files.
    write_file_atomic((out / "metrics.json").string(), report::metrics_json(m));
    history.write_csv((out / "history.csv").string());
    std::string csv = "date";
    for (const auto& name : frame.names) csv += "," + name + "_actual," + name + "_predicted";
    csv += "\n";
    for (Index i = 0; i < actual.n; ++i) {
        csv += test.target_dates[static_cast<std::size_t>(i)];
        for (Index k = 0; k < K; ++k)
            csv += fmt::format(",{:.9g},{:.9g}", actual_u.v[static_cast<std::size_t>(i * K + k)],
                               pred_u.v[static_cast<std::size_t>(i * K + k)]);
        csv += "\n";
    }
    write_file_atomic((out / "predictions.csv").string(), csv);

    report::Plot curve;
    curve.title = c.name + ": " + c.loss + " by epoch (best " + std::to_string(best_epoch) + ")";
    curve.y_label = c.loss;
    curve.log_y = true;
    for (int e = 1; e <= history.epochs_run(); ++e) curve.x_labels.push_back(std::to_string(e));
    curve.lines.push_back({"loss", history["loss"], ""});
    curve.lines.push_back({"val_loss", history["val_loss"], ""});
    write_file_atomic((out / "learning_curve.svg").string(), report::svg_plots({curve}));

    std::vector<report::Plot> panels;
    for (Index k = 0; k < K; ++k) {
        report::Plot p;
        const std::string& name = frame.names[static_cast<std::size_t>(k)];
        p.title = c.name + ": " + name + ", test period";
        p.y_label = name;
        p.x_labels = test.target_dates;
        p.lines.push_back({"actual", actual_u.col(k), "#333333"});
        p.lines.push_back({"predicted", pred_u.col(k), "#d62728"});
        panels.push_back(std::move(p));
    }
    write_file_atomic((out / "test_predictions.svg").string(), report::svg_plots(panels));
    save_model(model, (out / "model.recur").string());
    // What `recur predict` needs to apply the model to new raw data: the config and the scaler.
    write_file_atomic((out / "config.toml").string(), read_text(c.path));
    nlohmann::json sj = {{"names", frame.names}};
    if (scaler) sj["data_min"] = scaler->data_min(), sj["data_max"] = scaler->data_max();
    write_file_atomic((out / "scaler.json").string(), sj.dump(2));
    return m;
}

report::Metrics run_seeds(const CaseConfig& c, const RunOptions& o) {
    if (o.seeds <= 1) return run_case(c, o);
    const std::uint64_t first = o.seed.value_or(c.seed);
    std::vector<report::Metrics> runs;
    for (int i = 0; i < o.seeds; ++i) {
        RunOptions one = o;
        one.seed = first + static_cast<std::uint64_t>(i);
        one.out_dir = (fs::path(o.out_dir) / ("seed_" + std::to_string(*one.seed))).string();
        runs.push_back(run_case(c, one));
        if (o.verbose) fmt::print(stderr, "seed {} done -> {}\n", *one.seed, one.out_dir);
    }
    nlohmann::ordered_json j;
    j["seeds"] = nlohmann::json::array();
    for (int i = 0; i < o.seeds; ++i) j["seeds"].push_back(first + static_cast<std::uint64_t>(i));
    nlohmann::ordered_json stats = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < runs[0].size(); ++k) {
        const std::string& key = runs[0][k].first;
        if (key == "seed") continue;
        double sum = 0, sq = 0;
        for (const auto& r : runs) sum += r[k].second;
        const double mean = sum / static_cast<double>(runs.size());
        for (const auto& r : runs) sq += (r[k].second - mean) * (r[k].second - mean);
        const double sd = std::sqrt(sq / static_cast<double>(runs.size() - 1));
        auto num = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; };
        stats[key] = {{"mean", num(mean)}, {"sd", num(sd)}};
    }
    j["metrics"] = stats;
    fs::create_directories(o.out_dir);
    write_file_atomic((fs::path(o.out_dir) / "summary.json").string(), j.dump(2) + "\n");
    return runs.back();
}

}  // namespace recur::casestudy
