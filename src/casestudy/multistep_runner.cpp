// The multistep case study (multistep_runner.hpp).
#include "casestudy/multistep_runner.hpp"

#include "casestudy/walk_forward.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "recur/baselines/var.hpp"
#include "recur/io/model_io.hpp"
#include "recur/model/seq2seq.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur::casestudy {
namespace fs = std::filesystem;
namespace {

// Per-series mean and standard deviation of rows [begin, end].
struct Standardizer {
    std::vector<double> mean, sd;
    Standardizer(const Eigen::MatrixXd& d, Index begin, Index end) {
        const Index n = end - begin + 1;
        for (Index k = 0; k < d.cols(); ++k) {
            const auto col = d.col(k).segment(begin, n);
            const double m = col.mean();
            const double v = (col.array() - m).square().sum() / double(std::max<Index>(1, n - 1));
            mean.push_back(m);
            sd.push_back(v > 0 ? std::sqrt(v) : 1.0);
        }
    }
    float to(double x, Index k) const { return float((x - mean[size_t(k)]) / sd[size_t(k)]); }
    double from(float z, Index k) const { return double(z) * sd[size_t(k)] + mean[size_t(k)]; }
};

// Windows of origins `origins`: x (W, n, K) inputs rows o-W+1..o, start (n, K) = row o,
// y (H, n, K) = rows o+1..o+H, all standardized.
void make_windows(const Eigen::MatrixXd& d, const Standardizer& s,
                  const std::vector<Index>& origins, Index W, Index H, Tensor<float>& x,
                  Tensor<float>& start, Tensor<float>& y) {
    const Index n = static_cast<Index>(origins.size()), K = d.cols();
    x.resize({W, n, K});
    start.resize({n, K});
    y.resize({H, n, K});
    for (Index b = 0; b < n; ++b) {
        const Index o = origins[size_t(b)];
        for (Index t = 0; t < W; ++t)
            for (Index k = 0; k < K; ++k) x[(t * n + b) * K + k] = s.to(d(o - W + 1 + t, k), k);
        for (Index k = 0; k < K; ++k) start[b * K + k] = s.to(d(o, k), k);
        for (Index h = 0; h < H; ++h)
            for (Index k = 0; k < K; ++k) y[(h * n + b) * K + k] = s.to(d(o + 1 + h, k), k);
    }
}

void gather(const Tensor<float>& src, const std::vector<Index>& idx, Index begin, Index count,
            Tensor<float>& dst) {  // (T, N, K) -> (T, count, K) for samples idx[begin..)
    const Index T = src.dim(0), N = src.dim(1), K = src.dim(2);
    dst.resize({T, count, K});
    for (Index t = 0; t < T; ++t)
        for (Index b = 0; b < count; ++b)
            std::copy(src.data() + (t * N + idx[size_t(begin + b)]) * K,
                      src.data() + (t * N + idx[size_t(begin + b)] + 1) * K,
                      dst.data() + (t * count + b) * K);
}

}  // namespace

report::Metrics run_multistep_case(const CaseConfig& c, const RunOptions& o) {
    if (o.threads > 0) set_num_threads(o.threads);
    const MultistepSpec& ms = c.multistep;
    const std::uint64_t seed = o.seed.value_or(c.seed);
    const int epochs = o.epochs.value_or(c.epochs);
    fs::create_directories(o.out_dir);
    const fs::path out(o.out_dir);
    const auto t_start = std::chrono::steady_clock::now();

    Frame frame = load_frame(c, o);
    const Index N = static_cast<Index>(frame.rows()), K = static_cast<Index>(frame.cols());
    const Index W = c.window, H = ms.horizon;
    Eigen::MatrixXd d(N, K);
    for (Index k = 0; k < K; ++k)
        for (Index t = 0; t < N; ++t) d(t, k) = frame.columns[size_t(k)][size_t(t)];
    Index test_row = 0;
    while (test_row < N && frame.dates[size_t(test_row)] < c.test_start) ++test_row;
    // Origins: the H rows after each lie in the test period; the W rows up to it exist.
    std::vector<Index> origins;
    for (Index org = std::max(test_row - 1, W - 1); org + H <= N - 1; ++org) origins.push_back(org);
    if (origins.empty())
        throw DataError(c.path + ": no forecast origin: the test period from " + c.test_start +
                        " has fewer than " + std::to_string(H) + " rows after it");

    const std::vector<Fold> folds = make_folds(c.walk_forward, origins, test_row);

    Seq2SeqOptions so;
    so.input_steps = W;
    so.input_features = so.output_features = K;
    so.horizon = H;
    so.units = ms.units;
    so.attention = ms.attention;
    so.score = attention_score_from_name(ms.score);
    so.residual = ms.residual;
    so.seed = seed;
    const Loss loss = loss_from_name(c.loss);

    // forecasts[model][origin index][h][k] in the series' units.
    const size_t n_origins = origins.size();
    std::vector<std::vector<std::vector<double>>> fc_s2s(n_origins), fc_var(n_origins),
        fc_naive(n_origins);
    std::string history = "fold,epoch,loss,val_loss,sampling\n";
    Tensor<float> heat;  // attention weights of the first origin (H, 1, W)
    Index params = 0, var_lags = 0, n_train_total = 0;
    size_t done = 0;
    for (size_t f = 0; f < folds.size(); ++f) {
        const Fold& fold = folds[f];
        // Training windows: origin o with inputs from train_begin and targets <= train_end.
        std::vector<Index> train;
        for (Index org = fold.train_begin + W - 1; org + H <= fold.train_end; ++org)
            train.push_back(org);
        if (train.size() < 4)
            throw DataError(c.path + ": fold " + std::to_string(f + 1) + " has only " +
                            std::to_string(train.size()) + " training windows");
        n_train_total += Index(train.size());
        const Standardizer sc(d, fold.train_begin, fold.train_end);
        // The latest windows validate (early stopping on the autoregressive forecast). The H - 1
        // windows before them are dropped, so no validation target is also a training target.
        const Index n_val = std::max<Index>(1, Index(double(train.size()) * ms.validation));
        const Index n_fit = Index(train.size()) - n_val - (H - 1);
        if (n_fit < 4)
            throw DataError(c.path + ": fold " + std::to_string(f + 1) + " has only " +
                            std::to_string(train.size()) + " training windows, too few for " +
                            std::to_string(n_val) + " validation windows and a gap of " +
                            std::to_string(H - 1));
        std::vector<Index> fit_origins(train.begin(), train.begin() + n_fit),
            val_origins(train.end() - n_val, train.end());
        Tensor<float> x, start, y, xv, sv, yv;
        make_windows(d, sc, fit_origins, W, H, x, start, y);
        make_windows(d, sc, val_origins, W, H, xv, sv, yv);

        Seq2Seq<float> model(so);
        model.compile(loss, c.optimizer);
        params = model.param_count();
        Rng rng(seed * 7919 + f);
        std::vector<Index> order(fit_origins.size());
        std::iota(order.begin(), order.end(), Index(0));
        std::vector<Tensor<float>> best;
        double best_val = std::numeric_limits<double>::infinity();
        int since_best = 0;
        Tensor<float> bx, bs, by, bs_full;
        for (int e = 0; e < epochs; ++e) {
            // Scheduled sampling: the probability of feeding its own prediction rises linearly.
            const double p = epochs > 1 ? ms.sampling * e / (epochs - 1) : ms.sampling;
            if (c.shuffle)
                for (size_t i = order.size(); i > 1; --i)
                    std::swap(order[i - 1], order[rng.below(i)]);
            double sum = 0;
            Index batches = 0;
            for (Index b0 = 0; b0 < Index(order.size()); b0 += c.batch_size) {
                const Index n = std::min<Index>(c.batch_size, Index(order.size()) - b0);
                gather(x, order, b0, n, bx);
                gather(y, order, b0, n, by);
                bs.resize({n, K});
                for (Index b = 0; b < n; ++b)
                    std::copy(start.data() + order[size_t(b0 + b)] * K,
                              start.data() + (order[size_t(b0 + b)] + 1) * K, bs.data() + b * K);
                sum += model.train_on_batch(bx, bs, by, p, rng);
                ++batches;
            }
            const double val = model.evaluate(xv, sv, yv);
            history += fmt::format("{},{},{:.6g},{:.6g},{:.3f}\n", f + 1, e + 1,
                                   sum / double(batches), val, p);
            if (val < best_val - c.early.min_delta) {
                best_val = val;
                since_best = 0;
                best.clear();
                for (Param<float>* prm : model.params()) best.push_back(prm->value);
            } else if (c.early_stopping && ++since_best >= c.early.patience) {
                break;
            }
            if (o.verbose)
                fmt::print(stderr, "\rfold {}/{} epoch {}/{} loss {:.4f} val_loss {:.4f}  ", f + 1,
                           folds.size(), e + 1, epochs, sum / double(batches), val);
        }
        if (o.verbose) fmt::print(stderr, "\n");
        {
            auto prm = model.params();
            for (size_t i = 0; i < prm.size() && i < best.size(); ++i) prm[i]->value = best[i];
        }

        // VAR on the same rows, p by the information criterion.
        const Eigen::MatrixXd train_rows =
            d.middleRows(fold.train_begin, fold.train_end - fold.train_begin + 1);
        // [baselines.var] maxlags: 0 (or no table) means 12 here, the monthly default.
        const VarModel var = fit_var_select(train_rows, c.var_maxlags > 0 ? c.var_maxlags : 12,
                                            parse_var_criterion(c.var_ic));
        var_lags = var.lags;

        std::vector<Index> fold_origins;
        for (Index org : origins)
            if (org >= fold.first_origin && org <= fold.last_origin) fold_origins.push_back(org);
        Tensor<float> xt, st, yt, pred;
        make_windows(d, sc, fold_origins, W, H, xt, st, yt);
        model.predict(xt, st, pred);
        if (f == 0 && so.attention) {
            const Tensor<float>& a = model.attention_weights();  // (H, n, W): take sample 0
            heat.resize({H, W});
            const Index n = Index(fold_origins.size());
            for (Index h = 0; h < H; ++h)
                std::copy(a.data() + (h * n) * W, a.data() + (h * n + 1) * W, heat.data() + h * W);
        }
        for (size_t i = 0; i < fold_origins.size(); ++i, ++done) {
            const Index org = fold_origins[i];
            const Eigen::MatrixXd var_fc = var.forecast(d.topRows(org + 1), H);
            auto& s2s = fc_s2s[done];
            auto& vf = fc_var[done];
            auto& nv = fc_naive[done];
            for (Index h = 0; h < H; ++h) {
                std::vector<double> a(static_cast<size_t>(K)), b(static_cast<size_t>(K)),
                    n(static_cast<size_t>(K));
                for (Index k = 0; k < K; ++k) {
                    a[size_t(k)] =
                        sc.from(pred[(h * Index(fold_origins.size()) + Index(i)) * K + k], k);
                    b[size_t(k)] = var_fc(h, k);
                    n[size_t(k)] = d(org, k);
                }
                s2s.push_back(a);
                vf.push_back(b);
                nv.push_back(n);
            }
        }
    }

    // MAE by horizon, averaged over origins and series; per-series too.
    auto mae = [&](const auto& fc, Index h, Index only_k) {
        double s = 0;
        Index n = 0;
        for (size_t i = 0; i < n_origins; ++i)
            for (Index k = 0; k < K; ++k) {
                if (only_k >= 0 && k != only_k) continue;
                s += std::abs(fc[i][size_t(h)][size_t(k)] - d(origins[i] + 1 + h, k));
                ++n;
            }
        return s / double(n);
    };
    std::vector<double> m_s2s, m_var, m_naive;
    for (Index h = 0; h < H; ++h) {
        m_s2s.push_back(mae(fc_s2s, h, -1));
        m_var.push_back(mae(fc_var, h, -1));
        m_naive.push_back(mae(fc_naive, h, -1));
    }
    auto mean = [](const std::vector<double>& v) {
        return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    };

    report::Metrics flat;
    flat.emplace_back("seq2seq_mae_mean", mean(m_s2s));
    flat.emplace_back("var_mae_mean", mean(m_var));
    flat.emplace_back("naive_mae_mean", mean(m_naive));
    for (Index h = 0; h < H; ++h)
        flat.emplace_back(fmt::format("seq2seq_mae_h{:02d}", h + 1), m_s2s[size_t(h)]);
    for (Index h = 0; h < H; ++h)
        flat.emplace_back(fmt::format("var_mae_h{:02d}", h + 1), m_var[size_t(h)]);
    for (Index h = 0; h < H; ++h)
        flat.emplace_back(fmt::format("naive_mae_h{:02d}", h + 1), m_naive[size_t(h)]);
    flat.emplace_back("n_origins", double(n_origins));
    flat.emplace_back("params", double(params));
    flat.emplace_back("var_lags", double(var_lags));
    flat.emplace_back("folds", double(folds.size()));
    flat.emplace_back("n_train_windows", double(n_train_total));
    flat.emplace_back("seed", double(seed));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    flat.emplace_back("seconds", seconds);

    nlohmann::ordered_json j;
    j["seq2seq_mae_by_horizon"] = m_s2s;
    j["var_mae_by_horizon"] = m_var;
    j["naive_mae_by_horizon"] = m_naive;
    j["n_origins"] = n_origins;
    j["params"] = params;
    j["first_origin"] = frame.dates[size_t(origins.front())];
    j["last_origin"] = frame.dates[size_t(origins.back())];
    j["series"] = frame.names;
    for (Index k = 0; k < K; ++k) {
        std::vector<double> a, b, n;
        for (Index h = 0; h < H; ++h) {
            a.push_back(mae(fc_s2s, h, k));
            b.push_back(mae(fc_var, h, k));
            n.push_back(mae(fc_naive, h, k));
        }
        j["by_series"][frame.names[size_t(k)]] = {
            {"seq2seq_mae_by_horizon", a}, {"var_mae_by_horizon", b}, {"naive_mae_by_horizon", n}};
    }
    const WalkForwardSpec& wf = c.walk_forward;
    j["walk_forward"] = {
        {"folds", wf.folds}, {"window", wf.window}, {"train_rows", wf.train_rows}, {"gap", wf.gap}};
    for (const auto& [k, v] : flat) j[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
    write_file_atomic((out / "metrics.json").string(), j.dump(2) + "\n");

    std::string csv = "horizon,seq2seq_mae,var_mae,naive_mae\n";
    for (Index h = 0; h < H; ++h)
        csv += fmt::format("{},{:.9g},{:.9g},{:.9g}\n", h + 1, m_s2s[size_t(h)], m_var[size_t(h)],
                           m_naive[size_t(h)]);
    write_file_atomic((out / "multistep.csv").string(), csv);
    std::string fcsv = "origin,horizon,target_date,series,actual,seq2seq,var,naive\n";
    for (size_t i = 0; i < n_origins; ++i)
        for (Index h = 0; h < H; ++h)
            for (Index k = 0; k < K; ++k)
                fcsv += fmt::format(
                    "{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g}\n", frame.dates[size_t(origins[i])],
                    h + 1, frame.dates[size_t(origins[i] + 1 + h)], frame.names[size_t(k)],
                    d(origins[i] + 1 + h, k), fc_s2s[i][size_t(h)][size_t(k)],
                    fc_var[i][size_t(h)][size_t(k)], fc_naive[i][size_t(h)][size_t(k)]);
    write_file_atomic((out / "forecasts.csv").string(), fcsv);
    write_file_atomic((out / "history.csv").string(), history);

    report::Plot p;
    p.title =
        fmt::format("MAE by horizon, {} origins {}..{} (mean of {} series)", n_origins,
                    frame.dates[size_t(origins.front())], frame.dates[size_t(origins.back())], K);
    p.y_label = "MAE";
    for (Index h = 0; h < H; ++h) p.x_labels.push_back("h=" + std::to_string(h + 1));
    p.lines = {{so.attention ? "seq2seq+attn" : "seq2seq", m_s2s, ""},
               {fmt::format("VAR({})", var_lags), m_var, ""},
               {"naive", m_naive, ""}};
    write_file_atomic((out / "mae_by_horizon.svg").string(), report::svg_plots({p}));
    if (!heat.empty()) {
        report::Heatmap hm;
        hm.title = "Attention weights, origin " + frame.dates[size_t(origins.front())];
        hm.x_label = "encoder step (input month)";
        hm.y_label = "forecast horizon";
        for (Index h = 0; h < H; ++h) {
            hm.row_labels.push_back("h=" + std::to_string(h + 1));
            hm.values.emplace_back(heat.data() + h * W, heat.data() + (h + 1) * W);
        }
        for (Index t = 0; t < W; ++t)
            hm.col_labels.push_back(frame.dates[size_t(origins.front() - W + 1 + t)].substr(0, 7));
        write_file_atomic((out / "attention_heatmap.svg").string(), report::svg_heatmap(hm));
    }
    write_file_atomic((out / "config.toml").string(), [&] {
        std::ifstream in(c.path);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }());
    if (o.verbose)
        fmt::print(stderr,
                   "multistep: {} origins, MAE mean over h=1..{}: seq2seq {:.4f}, VAR {:.4f}, "
                   "naive {:.4f} ({:.1f} s)\n",
                   n_origins, H, mean(m_s2s), mean(m_var), mean(m_naive), seconds);
    return flat;
}

}  // namespace recur::casestudy
