// End-to-end runs of the book's case studies (configs/sp500.toml, configs/macro.toml) through
// the library runner behind `recur reproduce`, cut to 2 epochs, plus config error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "casestudy/runner.hpp"
#include "recur/baselines/var.hpp"
#include "recur/data/glove.hpp"
#include "recur/data/imdb.hpp"
#include "small_panel.hpp"

namespace fs = std::filesystem;
using recur::casestudy::CaseConfig;
using recur::casestudy::ConfigError;

namespace {

const std::string kRepo = std::string(RECUR_FIXTURE_DIR) + "/../..";
const std::string kData = std::string(RECUR_FIXTURE_DIR) + "/../../../shared/data";

fs::path fresh_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("recur_reproduce_test_" + name);
    fs::remove_all(d);
    return d;
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

void run_and_check(const std::string& name, const std::vector<std::string>& files,
                   const std::vector<std::string>& keys) {
    for (const auto& f : files)
        if (!fs::exists(fs::path(kData) / f)) GTEST_SKIP() << "no " << f << " under " << kData;
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/" + name + ".toml");
    recur::casestudy::RunOptions o;
    o.data_dir = kData;
    o.out_dir = fresh_dir(name).string();
    o.epochs = 2;
    o.verbose = 0;
    recur::casestudy::run_seeds(config, o);
    for (const char* f : {"metrics.json", "history.csv", "predictions.csv", "learning_curve.svg",
                          "test_predictions.svg", "model.recur"})
        EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / f)) << f;
    nlohmann::json m = read_json(fs::path(o.out_dir) / "metrics.json");
    for (const auto& k : keys) {
        ASSERT_TRUE(m.contains(k)) << k;
        ASSERT_TRUE(m[k].is_number()) << k << " = " << m[k].dump();
        EXPECT_TRUE(std::isfinite(m[k].get<double>())) << k;
    }
    EXPECT_EQ(m["epochs_run"].get<int>(), 2);
}

}  // namespace

TEST(Reproduce, Sp500TwoEpochsWritesEveryFileAndMetric) {
    run_and_check(
        "sp500", {"fred/SP500.csv"},
        {"params", "epochs_run", "best_epoch", "train_seconds", "test_rmse_scaled",
         "test_ic_pearson", "test_rmse_points", "naive_test_rmse_points", "naive_test_rmse_scaled",
         "test_return_ic", "test_direction_accuracy", "book_test_rmse_scaled", "book_test_ic"});
}

TEST(Reproduce, MacroTwoEpochsWritesEveryFileAndMetric) {
    run_and_check("macro", {"fred/UMCSENT.csv", "fred/IPGMFN.csv"},
                  {"params", "epochs_run", "best_epoch", "train_seconds", "test_mae", "test_mae_ip",
                   "test_mae_sentiment", "naive_test_mae", "book_test_mae", "var_lag_order",
                   "var_one_step_mae", "var_dynamic_mae"});
}

TEST(Reproduce, StocksOnASmallPanelWritesEveryFileAndMetric) {
    const fs::path data = fresh_dir("stocks_data");
    recur::testing::write_small_panel(data / "stocks/us_stocks_daily_close_2007_2017.csv.gz");
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/stocks.toml");
    recur::casestudy::RunOptions o;
    o.data_dir = data.string();
    o.out_dir = fresh_dir("stocks").string();
    o.epochs = 2;
    o.verbose = 0;
    recur::casestudy::run_seeds(config, o);
    for (const char* f : {"metrics.json", "history.csv", "predictions.csv", "learning_curve.svg",
                          "roc_curve.svg", "weekly_ic.svg", "model.recur", "config.toml"})
        EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / f)) << f;
    nlohmann::json m = read_json(fs::path(o.out_dir) / "metrics.json");
    for (const char* k : {"params", "n_tickers", "n_train", "n_test", "test_auc", "test_accuracy",
                          "test_base_rate", "epochs_run", "seconds_per_epoch", "mean_weekly_ic",
                          "quintile_5_mean_next_return", "naive_last_week_test_auc"}) {
        ASSERT_TRUE(m.contains(k)) << k;
        ASSERT_TRUE(m[k].is_number()) << k << " = " << m[k].dump();
    }
    EXPECT_EQ(m["n_tickers"].get<int>(), 40);
    // Every week has prices for every stock: 52 test weeks x 40 stocks.
    EXPECT_EQ(m["n_test"].get<int>(), 52 * 40);
    EXPECT_EQ(m["params"].get<int>(), 29371 - 10 * (2489 - 40));
    EXPECT_EQ(m["epochs_run"].get<int>(), 2);
    const double auc = m["test_auc"].get<double>();
    EXPECT_GT(auc, 0.3);
    EXPECT_LT(auc, 0.7);  // random walks: nothing to learn
}

// 240 short reviews whose sentiment words decide the label, and 100-d vectors for some words.
void write_small_text_cache(const fs::path& cache) {
    recur::ImdbReviews r;
    const char* good[] = {"great", "wonderful", "superb", "moving"};
    const char* bad[] = {"awful", "boring", "dull", "terrible"};
    const char* filler[] = {"the", "film", "plot", "actor", "scene", "story", "was", "and", "a"};
    std::uint64_t state = 11;
    auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    for (int i = 0; i < 240; ++i) {
        const int label = i < 120 ? 0 : 1;  // sorted by label, as the package is
        std::string text;
        for (int w = 0; w < 30; ++w) {
            if (!text.empty()) text += w % 7 == 3 ? ", " : " ";
            text += w % 6 == 0 ? (label ? good : bad)[next(4)] : filler[next(9)];
        }
        r.texts.push_back(text + ".<br /><br />The End!");
        r.labels.push_back(label);
    }
    fs::create_directories(cache / "imdb");
    fs::create_directories(cache / "glove");
    recur::write_imdb_cache(r, recur::imdb_cache_path(cache.string()));
    recur::WordVectors wv;
    wv.dim = 100;
    for (const char* w : {"great", "awful", "film", "the", "zebra"}) {
        wv.words.push_back(w);
        for (int k = 0; k < 100; ++k) wv.values.push_back(static_cast<float>(next(1000)) / 1000.f);
    }
    wv.build_index();
    recur::write_glove_cache(wv, recur::glove_cache_path(cache.string()));
}

TEST(Reproduce, ImdbAndImdbGloveOnASmallCacheWriteEveryFileAndMetric) {
    const fs::path cache = fresh_dir("text_cache");
    write_small_text_cache(cache);
    for (const std::string name : {"imdb", "imdb-glove"}) {
        CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/" + name + ".toml");
        recur::casestudy::RunOptions o;
        o.cache_dir = cache.string();
        o.out_dir = fresh_dir(name).string();
        o.epochs = 3;
        o.verbose = 0;
        recur::casestudy::run_seeds(config, o);
        for (const char* f : {"metrics.json", "history.csv", "predictions.csv",
                              "learning_curve.svg", "roc_curve.svg", "model.recur"})
            EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / f)) << name << ": " << f;
        nlohmann::json m = read_json(fs::path(o.out_dir) / "metrics.json");
        std::vector<std::string> keys = {"params_total",     "params_trainable", "vocab_size",
                                         "test_auc",         "test_accuracy",    "epochs_run",
                                         "seconds_per_epoch"};
        if (name == "imdb-glove") keys.push_back("glove_vocab_coverage");
        for (const auto& k : keys) {
            ASSERT_TRUE(m.contains(k)) << name << ": " << k;
            ASSERT_TRUE(m[k].is_number()) << name << ": " << k << " = " << m[k].dump();
        }
        EXPECT_EQ(m["n_train"].get<int>(), 120);
        EXPECT_EQ(m["n_test"].get<int>(), 120);
        const int vocab = m["vocab_size"].get<int>();
        if (name == "imdb") {
            // 17 words + "end" (the <br /> breaks are removed) ranked from id 4: ids 0..21.
            EXPECT_EQ(vocab, 4 + 18);
            EXPECT_EQ(m["params_total"].get<int>(), vocab * 100 + 12768 + 33);
        } else {
            // Tokenizer: the OOV token at 1, then 17 words + "br" + "end": 21 rows. GloVe has
            // vectors for 4 of the 20 word_index entries (great, awful, film, the).
            EXPECT_EQ(vocab, 21);
            EXPECT_EQ(m["params_trainable"].get<int>(), 12768 + 33);
            EXPECT_NEAR(m["glove_vocab_coverage"].get<double>(), 4.0 / 20, 1e-12);
        }
    }
}

TEST(Reproduce, BookArchitecturesHaveTheBooksParameterCounts) {
    if (!fs::exists(fs::path(kData) / "fred/SP500.csv")) GTEST_SKIP() << "no data";
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/sp500.toml");
    recur::casestudy::RunOptions o;
    o.data_dir = kData;
    o.out_dir = fresh_dir("sp500_seeds").string();
    o.epochs = 1;
    o.seeds = 2;
    o.verbose = 0;
    auto m = recur::casestudy::run_seeds(config, o);
    EXPECT_EQ(m[0].first, "params");
    EXPECT_EQ(m[0].second, 1781);
    EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / "seed_42" / "metrics.json"));
    EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / "seed_43" / "metrics.json"));
    nlohmann::json s = read_json(fs::path(o.out_dir) / "summary.json");
    EXPECT_TRUE(s["metrics"]["test_rmse_scaled"]["mean"].is_number());
    EXPECT_TRUE(s["metrics"]["test_rmse_scaled"]["sd"].is_number());
}

TEST(Reproduce, ConfigErrorNamesFileAndKey) {
    const std::string text = R"(
name = "bad"
[data]
[[data.series]]
file = "fred/SP500.csv"
[windows]
window = 63
test_start = "2018-01-01"
[[model.layers]]
type = "LSTM"
units = 20
[training]
batch_size = "twenty"
epochs = 5
)";
    try {
        recur::casestudy::parse_config(text, "bad.toml");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("bad.toml"), std::string::npos) << msg;
        EXPECT_NE(msg.find("training.batch_size"), std::string::npos) << msg;
        EXPECT_NE(msg.find("integer"), std::string::npos) << msg;
    }
}

TEST(Reproduce, ConfigErrorsForUnknownKeysAndSyntax) {
    EXPECT_THROW(recur::casestudy::parse_config("nmae = 1\n", "typo.toml"), ConfigError);
    try {
        recur::casestudy::parse_config("name = \n", "syntax.toml");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("syntax.toml"), std::string::npos) << e.what();
    }
}

TEST(Reproduce, MissingDataFileSaysHowToFetchIt) {
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/sp500.toml");
    recur::casestudy::RunOptions o;
    o.data_dir = fresh_dir("no_data").string();
    o.out_dir = fresh_dir("no_data_out").string();
    o.verbose = 0;
    try {
        recur::casestudy::run_case(config, o);
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("recur data fetch fred SP500"), std::string::npos)
            << e.what();
    }
}

TEST(Reproduce, CliReproduceRunsAndBadConfigFails) {
    if (!fs::exists(fs::path(kData) / "fred/SP500.csv")) GTEST_SKIP() << "no data";
    const fs::path out = fresh_dir("cli");
    const std::string cmd = std::string(RECUR_CLI_PATH) + " reproduce sp500 -q --epochs 1 --out " +
                            out.string() + " --data-dir " + kData + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_TRUE(fs::exists(out / "metrics.json"));
    const fs::path bad = fresh_dir("cli_bad_cfg");
    fs::create_directories(bad);
    { std::ofstream(bad / "c.toml") << "seed = \"x\"\n"; }
    const std::string cmd2 = std::string(RECUR_CLI_PATH) + " fit " + (bad / "c.toml").string() +
                             " --out " + (bad / "o").string() + " 2> " + (bad / "err").string();
    EXPECT_NE(std::system(cmd2.c_str()), 0);
    std::ifstream err(bad / "err");
    std::string msg((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    EXPECT_NE(msg.find("c.toml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'seed'"), std::string::npos) << msg;
}

// `recur predict` on the raw FRED file, with the run's config.toml and scaler.json, gives the
// same forecasts as the run's own predictions.csv for the test year (forecast made after date
// d = the prediction for the next trading day).
TEST(Reproduce, PredictOnRawSeriesMatchesTheRunsTestPredictions) {
    if (!fs::exists(fs::path(kData) / "fred/SP500.csv")) GTEST_SKIP() << "no data";
    const fs::path out = fresh_dir("predict_raw");
    const std::string cli = std::string(RECUR_CLI_PATH);
    ASSERT_EQ(std::system((cli + " reproduce sp500 -q --epochs 1 --out " + out.string() +
                           " --data-dir " + kData + " > /dev/null")
                              .c_str()),
              0);
    ASSERT_EQ(std::system((cli + " predict --model " + (out / "model.recur").string() + " --data " +
                           kData + "/fred/SP500.csv --out " + (out / "p.csv").string())
                              .c_str()),
              0);
    auto read_csv = [](const fs::path& p) {
        std::vector<std::pair<std::string, double>> rows;  // first column, last column
        std::ifstream in(p);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line))
            rows.emplace_back(line.substr(0, line.find(',')),
                              std::stod(line.substr(line.rfind(',') + 1)));
        return rows;
    };
    auto run = read_csv(out / "predictions.csv");  // date, actual, predicted
    auto raw = read_csv(out / "p.csv");            // after_date, predicted
    ASSERT_EQ(run.size(), 251u);
    size_t matched = 0;
    for (size_t i = 0; i + 1 < raw.size(); ++i)
        for (const auto& [date, predicted] : run)
            if (date == raw[i + 1].first) {
                EXPECT_NEAR(raw[i].second, predicted, 1e-6 * predicted) << date;
                ++matched;
            }
    EXPECT_EQ(matched, 251u);
}

TEST(Reproduce, MacroMultistepWritesHorizonTablesAndWalksForward) {
    for (const char* f : {"fred/UMCSENT.csv", "fred/IPGMFN.csv"})
        if (!fs::exists(fs::path(kData) / f)) GTEST_SKIP() << "no " << f << " under " << kData;
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/macro-multistep.toml");
    recur::casestudy::RunOptions o;
    o.data_dir = kData;
    o.out_dir = fresh_dir("multistep").string();
    o.epochs = 3;
    o.verbose = 0;
    recur::casestudy::run_seeds(config, o);
    const fs::path out(o.out_dir);
    for (const char* f : {"metrics.json", "multistep.csv", "forecasts.csv", "history.csv",
                          "mae_by_horizon.svg", "attention_heatmap.svg", "config.toml"})
        EXPECT_TRUE(fs::exists(out / f)) << f;
    nlohmann::json m = read_json(out / "metrics.json");
    for (const char* k : {"seq2seq_mae_by_horizon", "var_mae_by_horizon", "naive_mae_by_horizon"}) {
        ASSERT_TRUE(m[k].is_array()) << k;
        ASSERT_EQ(m[k].size(), 12u) << k;
        for (const auto& v : m[k]) EXPECT_TRUE(v.is_number() && v.get<double>() > 0) << k;
    }
    // Origins 2015-12 .. 2016-12: every target in 2016-2017.
    EXPECT_EQ(m["n_origins"].get<int>(), 13);
    EXPECT_EQ(m["first_origin"].get<std::string>(), "2015-12-01");
    EXPECT_EQ(m["last_origin"].get<std::string>(), "2016-12-01");
    EXPECT_GT(m["params"].get<int>(), 0);
    // The naive column of forecasts.csv reproduces naive_mae_by_horizon.
    std::ifstream fc(out / "forecasts.csv");
    std::string line;
    std::getline(fc, line);
    std::vector<double> sum(12, 0.0);
    std::vector<int> count(12, 0);
    while (std::getline(fc, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
        ASSERT_EQ(cells.size(), 8u) << line;
        const int h = std::stoi(cells[1]) - 1;
        sum[size_t(h)] += std::abs(std::stod(cells[4]) - std::stod(cells[7]));
        ++count[size_t(h)];
    }
    for (int h = 0; h < 12; ++h) {
        EXPECT_EQ(count[size_t(h)], 13 * 2);
        EXPECT_NEAR(sum[size_t(h)] / count[size_t(h)], m["naive_mae_by_horizon"][size_t(h)], 1e-6);
    }
    // Walk-forward: 3 refits; the naive forecasts do not depend on it, the VAR's do.
    config.walk_forward.folds = 3;
    o.out_dir = fresh_dir("multistep_wf").string();
    recur::casestudy::run_seeds(config, o);
    nlohmann::json w = read_json(fs::path(o.out_dir) / "metrics.json");
    EXPECT_EQ(w["folds"].get<int>(), 3);
    EXPECT_EQ(w["naive_mae_by_horizon"], m["naive_mae_by_horizon"]);
    EXPECT_NE(w["var_mae_by_horizon"], m["var_mae_by_horizon"]);
    // A rolling window needs its length.
    std::string text =
        "name = \"x\"\nreport = \"multistep\"\n[data]\n[[data.series]]\nfile = "
        "\"a.csv\"\n[windows]\nwindow = 24\ntest_start = \"2016-01-01\"\n[model]\n"
        "[training]\nepochs = 1\n"
        "[walk_forward]\nfolds = 2\nwindow = \"rolling\"\n";
    try {
        recur::casestudy::parse_config(text, "x.toml");
        ADD_FAILURE() << "rolling without train_rows accepted";
    } catch (const recur::casestudy::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("walk_forward.train_rows"), std::string::npos)
            << e.what();
    }
    // Only time-series configs refit per origin: the stock panel refuses [walk_forward].
    std::ifstream stocks_in(kRepo + "/configs/stocks.toml");
    std::string stocks((std::istreambuf_iterator<char>(stocks_in)),
                       std::istreambuf_iterator<char>());
    try {
        recur::casestudy::parse_config(stocks + "\n[walk_forward]\nfolds = 2\n", "stocks.toml");
        ADD_FAILURE() << "walk_forward accepted in a classification config";
    } catch (const recur::casestudy::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("only time-series configs"), std::string::npos)
            << e.what();
    }
}

namespace {
struct FoldRow {
    std::string first_target, last_target, train_first, train_last, val_first, val_last;
    int train = 0, val = 0, test = 0;
};
std::vector<FoldRow> read_folds(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line,
              "fold,first_target,last_target,train_first_target,train_last_target,"
              "val_first_target,val_last_target,train_samples,val_samples,test_samples,epochs_run,"
              "best_epoch");
    std::vector<FoldRow> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> c;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');) c.push_back(x);
        EXPECT_EQ(c.size(), 12u) << line;
        if (c.size() != 12) break;
        rows.push_back({c[1], c[2], c[3], c[4], c[5], c[6], std::stoi(c[7]), std::stoi(c[8]),
                        std::stoi(c[9])});
    }
    return rows;
}
// "YYYY-MM-DD" -> months since year 0.
int month_index(const std::string& d) {
    return std::stoi(d.substr(0, 4)) * 12 + std::stoi(d.substr(5, 2)) - 1;
}
}  // namespace

TEST(Reproduce, MacroWalkForwardRefitsBeforeEachFoldWithAGap) {
    for (const char* f : {"fred/UMCSENT.csv", "fred/IPGMFN.csv"})
        if (!fs::exists(fs::path(kData) / f)) GTEST_SKIP() << "no " << f;
    CaseConfig config = recur::casestudy::load_config(kRepo + "/configs/macro.toml");
    recur::casestudy::RunOptions o;
    o.data_dir = kData;
    o.epochs = 2;
    o.verbose = 0;
    o.out_dir = fresh_dir("macro_single").string();
    recur::casestudy::run_seeds(config, o);
    const nlohmann::json single = read_json(fs::path(o.out_dir) / "metrics.json");
    EXPECT_FALSE(single.contains("walk_forward_folds"));
    EXPECT_FALSE(fs::exists(fs::path(o.out_dir) / "folds.csv"));

    config.walk_forward.folds = 3;
    config.walk_forward.gap = 1;
    o.out_dir = fresh_dir("macro_wf").string();
    recur::casestudy::run_seeds(config, o);
    const fs::path out(o.out_dir);
    const nlohmann::json m = read_json(out / "metrics.json");
    EXPECT_EQ(m["walk_forward_folds"].get<int>(), 3);
    // The same 24 test targets; the naive forecast does not depend on the refits, the VAR's do.
    EXPECT_EQ(m["test_samples"], single["test_samples"]);
    EXPECT_DOUBLE_EQ(m["naive_test_mae"].get<double>(), single["naive_test_mae"].get<double>());
    EXPECT_NE(m["var_one_step_mae"].get<double>(), single["var_one_step_mae"].get<double>());
    const auto rows = read_folds(out / "folds.csv");
    ASSERT_EQ(rows.size(), 3u);
    int tested = 0;
    for (size_t f = 0; f < rows.size(); ++f) {
        const FoldRow& r = rows[f];
        EXPECT_TRUE(fs::exists(out / ("history_fold_" + std::to_string(f + 1) + ".csv")));
        EXPECT_EQ(r.test, 8);
        tested += r.test;
        // The latest training windows validate; gap 1: the last of them targets the month two
        // before the first test target (the origin's month itself is left out).
        EXPECT_EQ(month_index(r.val_first), month_index(r.train_last) + 1) << f;
        EXPECT_EQ(month_index(r.first_target) - month_index(r.val_last), 2) << f;
        EXPECT_EQ(r.train_first, rows[0].train_first);  // expanding
        if (f > 0) {
            EXPECT_EQ(month_index(r.first_target), month_index(rows[f - 1].last_target) + 1);
            EXPECT_EQ(r.train + r.val, rows[f - 1].train + rows[f - 1].val + 8);
        }
        EXPECT_EQ(r.val, std::max(1, static_cast<int>((r.train + r.val) * 0.1)));
    }
    EXPECT_EQ(tested, 24);
    EXPECT_EQ(rows[0].first_target, "2016-01-01");
    // The VAR refit per fold, recomputed here from folds.csv: fit on every row up to the fold's
    // last training target, one-step forecasts of the fold's months with true lags, and the
    // iterated path from its origin.
    const recur::Frame frame = recur::casestudy::load_frame(config, o);
    const auto row_of = [&](const std::string& date) {
        const auto it = std::find(frame.dates.begin(), frame.dates.end(), date);
        EXPECT_NE(it, frame.dates.end()) << date;
        return static_cast<Eigen::Index>(it - frame.dates.begin());
    };
    Eigen::MatrixXd data(static_cast<Eigen::Index>(frame.rows()), 2);
    for (Eigen::Index t = 0; t < data.rows(); ++t)
        for (Eigen::Index k = 0; k < 2; ++k) data(t, k) = frame.columns[size_t(k)][size_t(t)];
    double one_sum = 0, dyn_sum = 0;
    for (const FoldRow& r : rows) {
        const Eigen::Index first = row_of(r.first_target), last = row_of(r.last_target);
        const recur::VarModel var =
            recur::fit_var_select(data.topRows(row_of(r.val_last) + 1), config.var_maxlags,
                                  recur::parse_var_criterion(config.var_ic));
        const Eigen::MatrixXd one =
            recur::var_one_step_forecasts(var, data.topRows(last + 1), first);
        const Eigen::MatrixXd dyn = var.forecast(data.topRows(first), last - first + 1);
        // The runner's actual values come from the float targets of the windows.
        const Eigen::MatrixXd actual =
            data.middleRows(first, last - first + 1).cast<float>().cast<double>();
        one_sum += (one - actual).cwiseAbs().sum();
        dyn_sum += (dyn - actual).cwiseAbs().sum();
    }
    EXPECT_NEAR(m["var_one_step_mae"].get<double>(), one_sum / 48, 1e-12);
    EXPECT_NEAR(m["var_dynamic_mae"].get<double>(), dyn_sum / 48, 1e-12);
    EXPECT_EQ(m["walk_forward_gap"].get<int>(), 1);

    // Rolling: each refit sees the last 120 rows, so the training window moves with the folds.
    config.walk_forward.window = "rolling";
    config.walk_forward.train_rows = 120;
    o.out_dir = fresh_dir("macro_wf_rolling").string();
    recur::casestudy::run_seeds(config, o);
    const auto rolling = read_folds(fs::path(o.out_dir) / "folds.csv");
    ASSERT_EQ(rolling.size(), 3u);
    for (size_t f = 0; f < rolling.size(); ++f) {
        EXPECT_EQ(rolling[f].train + rolling[f].val, 120 - 24) << f;  // rows minus the window
        if (f > 0) {
            EXPECT_EQ(month_index(rolling[f].train_first),
                      month_index(rolling[f - 1].train_first) + 8);
        }
    }
}
