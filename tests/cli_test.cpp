// The recur executable, run as a separate process: `summary` prints Keras's counts, and a model
// trained and saved here predicts bit-identically when loaded by a fresh `recur predict`.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recur/io/model_io.hpp"
#include "recur/model/book_models.hpp"
#include "recur/tensor/cpu_features.hpp"
#include "small_panel.hpp"

static std::string fmt_float(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

namespace recur {
namespace {

struct Result {
    int status;
    std::string out;
};

Result run(const std::string& args) {
    std::string cmd = std::string(RECUR_CLI_PATH) + " " + args + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return {-1, ""};
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    int status = pclose(pipe);
    return {WEXITSTATUS(status), out};
}

TEST(Cli, SummaryPrintsTheBooksParameterCounts) {
    struct Expect {
        const char* name;
        const char* lines;
    } cases[] = {
        {"sp500", "Total params: 1,781\nTrainable params: 1,781\nNon-trainable params: 0\n"},
        {"macro", "Total params: 1,268\nTrainable params: 1,268\nNon-trainable params: 0\n"},
        {"imdb", "Total params: 2,012,801\nTrainable params: 2,012,801\n"},
        {"imdb-glove",
         "Total params: 8,871,401\nTrainable params: 12,801\nNon-trainable params: 8,858,600\n"},
        {"stocks", "concatenate_1 (Concatenate)     (None, 32)           0           lstm_2[0][0]"},
        {"stocks", "Total params: 29,371\nTrainable params: 29,371\nNon-trainable params: 0\n"},
    };
    for (const auto& c : cases) {
        Result r = run(std::string("summary ") + c.name);
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_NE(r.out.find(c.lines), std::string::npos) << c.name << ":\n" << r.out;
    }
    Result bad = run("summary nosuchmodel");
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("known: sp500, macro, imdb, imdb-glove, stocks"), std::string::npos)
        << bad.out;
}

class CliFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("recur_cli_test_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::filesystem::path dir_;
};

TEST_F(CliFiles, TrainSaveAndPredictInAFreshProcessIsBitIdentical) {
    Rng rng(1);
    const Index n = 40;
    Tensor<float> x({n, 63, 1}), y({n, 1});
    for (Index i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform());
    for (Index i = 0; i < n; ++i) y[i] = x.at(i, 62, 0);
    auto model = book_model<float>("sp500");
    model.compile(Loss::mse);
    model.fit(x, y, {.epochs = 2, .batch_size = 20, .verbose = 0});
    save_model(model, path("m.recur"));
    Tensor<float> expected = model.predict(x);

    std::ofstream csv(path("x.csv"));
    for (Index i = 0; i < n; ++i) {
        for (Index t = 0; t < 63; ++t) csv << (t ? "," : "") << fmt_float(x.at(i, t, 0));
        csv << '\n';
    }
    csv.close();
    Result r = run("predict --model " + path("m.recur") + " --input " + path("x.csv") +
                   " --output " + path("p.csv"));
    ASSERT_EQ(r.status, 0) << r.out;
    std::ifstream pred(path("p.csv"));
    for (Index i = 0; i < n; ++i) {
        float v;
        ASSERT_TRUE(pred >> v) << "row " << i;
        EXPECT_EQ(v, expected[i]) << "row " << i;  // bit-identical, not approximately equal
    }
}

TEST_F(CliFiles, PredictStreamCarriesStatesPerSeries) {
    // Two interleaved series (tickers) of 63 observations each: the prediction after each
    // ticker's last row equals predict() on that ticker's whole window.
    Rng rng(3);
    auto model = book_model<float>("sp500");
    save_model(model, path("m.recur"));
    Tensor<float> x({2, 63, 1});
    for (Index i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform());
    Tensor<float> expected = model.predict(x);
    {
        std::ofstream csv(path("stream.csv"));
        csv << "ticker,close\n";
        for (Index t = 0; t < 63; ++t)
            for (Index s = 0; s < 2; ++s)
                csv << (s ? "BBB" : "AAA") << "," << fmt_float(x.at(s, t, 0)) << "\n";
    }
    Result r = run("predict --stream --series-column ticker --model " + path("m.recur") +
                   " --input " + path("stream.csv") + " --output " + path("p.csv"));
    ASSERT_EQ(r.status, 0) << r.out;
    std::ifstream pred(path("p.csv"));
    std::string line, last[2];
    std::getline(pred, line);
    EXPECT_EQ(line, "ticker,y0");
    int rows = 0;
    while (std::getline(pred, line)) {
        ++rows;
        last[line.rfind("AAA", 0) == 0 ? 0 : 1] = line.substr(4);
    }
    EXPECT_EQ(rows, 126);
    for (int s = 0; s < 2; ++s)
        EXPECT_NEAR(std::stod(last[s]), expected[s], 1e-6) << "series " << s;

    // Errors name the file, the line and the column.
    std::ofstream(path("bad.csv")) << "ticker,close\nAAA,0.5\nAAA,oops\n";
    Result bad = run("predict --stream --series-column ticker --model " + path("m.recur") +
                     " --input " + path("bad.csv"));
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("bad.csv:3: column 2: 'oops' is not a number"), std::string::npos)
        << bad.out;
    Result missing = run("predict --stream --series-column symbol --model " + path("m.recur") +
                         " --input " + path("bad.csv"));
    EXPECT_NE(missing.out.find("no column named 'symbol'"), std::string::npos) << missing.out;
    // No header, one series: a first value that underflows float is still an observation.
    std::ofstream(path("plain.csv")) << "1e-40\n0.5\n0.25\n";
    Result plain =
        run("predict --stream --model " + path("m.recur") + " --input " + path("plain.csv"));
    ASSERT_EQ(plain.status, 0) << plain.out;
    EXPECT_EQ(std::count(plain.out.begin(), plain.out.end(), '\n'), 3) << plain.out;
}

// A child `recur ARGS` with pipes to its stdin and stdout.
struct Child {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string pending;  // read but not yet returned
    // One line of the child's stdout, or "<timeout>" if none comes within `seconds`.
    std::string read_line(int seconds) {
        for (;;) {
            const auto nl = pending.find('\n');
            if (nl != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                return line;
            }
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, seconds * 1000) <= 0) return "<timeout>";
            char buf[4096];
            const ssize_t n = ::read(out, buf, sizeof buf);
            if (n <= 0) return "<eof>";
            pending.append(buf, static_cast<size_t>(n));
        }
    }
    void write(const std::string& text) const {
        ASSERT_EQ(::write(in, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    }
    int finish() {  // closes stdin, waits; the exit status
        ::close(in);
        int status = 0;
        ::waitpid(pid, &status, 0);
        ::close(out);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

Child spawn(const std::vector<std::string>& args) {
    int to_child[2], from_child[2];
    EXPECT_EQ(::pipe(to_child), 0);
    EXPECT_EQ(::pipe(from_child), 0);
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) {
        ::dup2(to_child[0], 0);
        ::dup2(from_child[1], 1);
        ::close(to_child[1]);
        ::close(from_child[0]);
        std::vector<char*> argv{const_cast<char*>(RECUR_CLI_PATH)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(RECUR_CLI_PATH, argv.data());
        ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    c.in = to_child[1];
    c.out = from_child[0];
    return c;
}

TEST_F(CliFiles, PredictStreamFromStdinAnswersEachLineAsItArrives) {
    // Live use: each observation written to recur's stdin is answered before the next one is
    // written (a program that read to the end first would time out here), and the answers equal
    // those for the same observations read from a file.
    auto model = book_model<float>("sp500");
    save_model(model, path("m.recur"));
    std::ofstream(path("obs.csv")) << "ticker,close\nAAA,0.5\nBBB,0.1\nAAA,0.25\n";
    Result file = run("predict --stream --series-column ticker --model " + path("m.recur") +
                      " --data " + path("obs.csv"));
    ASSERT_EQ(file.status, 0) << file.out;

    ::signal(SIGPIPE, SIG_IGN);
    Child live = spawn({"predict", "--stream", "--series-column", "ticker", "--model",
                        path("m.recur"), "--data", "-"});
    std::string answers;
    live.write("ticker,close\n");
    answers += live.read_line(60) + "\n";
    for (const char* obs : {"AAA,0.5\n", "BBB,0.1\n", "AAA,0.25\n"}) {
        live.write(obs);
        const std::string line = live.read_line(60);
        EXPECT_EQ(line.substr(0, 4), std::string(obs).substr(0, 4)) << line;
        answers += line + "\n";
    }
    EXPECT_EQ(live.finish(), 0);
    EXPECT_EQ(answers, file.out);

    // A bad line stops the stream with its line number; the answers before it were given.
    Child bad = spawn({"predict", "--stream", "--model", path("m.recur"), "--data", "-"});
    bad.write("0.5\n");
    EXPECT_NE(bad.read_line(60), "<timeout>");
    bad.write("x\n");
    EXPECT_NE(bad.finish(), 0);
}

TEST_F(CliFiles, BrokenModelFilesAreRefusedWithTheirReason) {
    auto model = book_model<float>("sp500");
    save_model(model, path("good.recur"));
    std::ifstream in(path("good.recur"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto write = [&](const std::string& name, const std::string& content) {
        std::ofstream(path(name), std::ios::binary) << content;
        return path(name);
    };
    std::string corrupt = bytes;
    corrupt[corrupt.size() / 2] ^= 0x5a;
    std::ofstream(path("x.csv")) << "0.5\n";
    struct Case {
        std::string file, reason;
    } cases[] = {
        {write("truncated.recur", bytes.substr(0, bytes.size() - 100)), "truncated"},
        {write("corrupt.recur", corrupt), "corrupt"},
        {write("other.recur", "hello, this is not a model at all, just some text"),
         "not a recur model"},
    };
    for (const auto& c : cases) {
        Result r = run("predict --model " + c.file + " --input " + path("x.csv"));
        EXPECT_NE(r.status, 0);
        EXPECT_NE(r.out.find(c.reason), std::string::npos) << c.file << ": " << r.out;
    }
    // A model of another architecture cannot take the weights.
    auto other = book_model<float>("macro");
    EXPECT_THROW(
        try { load_weights(other, path("good.recur")); } catch (const FormatError& e) {
            EXPECT_NE(std::string(e.what()).find("architecture mismatch"), std::string::npos)
                << e.what();
            throw;
        },
        FormatError);
}

}  // namespace
}  // namespace recur

namespace recur {
namespace {

TEST(Cli, ReproduceStocksTakesThePeriodsAsFlags) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("recur_cli_stocks_" + std::to_string(::getpid()));
    recur::testing::write_small_panel(dir / "data/stocks/us_stocks_daily_close_2007_2017.csv.gz");
    // Data from 2008-07-01 on, test = the last 20 weeks: 40 stocks x 20 test windows.
    Result r = run("reproduce stocks -q --epochs 1 --data-dir " + (dir / "data").string() +
                   " --out " + (dir / "run").string() + " --start 2008-07-01 --test-weeks 20");
    ASSERT_EQ(r.status, 0) << r.out;
    std::ifstream in(dir / "run/metrics.json");
    nlohmann::json m = nlohmann::json::parse(in);
    EXPECT_EQ(m["n_test"].get<int>(), 40 * 20);
    const int weeks = m["n_weeks"].get<int>();
    EXPECT_EQ(m["n_train"].get<int>(), 40 * (weeks - 52 - 20));
    Result bad = run("reproduce stocks -q --data-dir " + (dir / "data").string() + " --out " +
                     (dir / "bad").string() + " --test-start 2010-13-45x");
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("expected a date YYYY-MM-DD"), std::string::npos) << bad.out;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace recur

namespace recur {
namespace {

TEST(Cli, BenchPrintsOneJsonObjectWithEveryMeasure) {
    // Timings are not checked (they belong in benchmarks): only that every measure ran.
    Result r = run("bench sp500 --seconds 0.02 --warmup 0");
    ASSERT_EQ(r.status, 0) << r.out;
    auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"train_windows_per_s", "infer_windows_per_s", "latency_us",
                            "stream_step_us", "train_gflops"}) {
        ASSERT_TRUE(j.contains(key) && j[key].is_number()) << key << " in " << r.out;
        EXPECT_GT(j[key].get<double>(), 0) << key;
    }
    EXPECT_EQ(j["params"], 1781);
    EXPECT_EQ(j["batch"], 20);
    EXPECT_EQ(j["train_parallelism"], "none");
    Result macro = run("bench macro --seconds 0.02 --warmup 0 --threads 2");
    ASSERT_EQ(macro.status, 0) << macro.out;
    auto m = nlohmann::json::parse(macro.out);
    EXPECT_TRUE(m["stream_step_us"].is_null());
    EXPECT_EQ(m["threads"], 2);
    EXPECT_EQ(m["train_parallelism"], "batch");
    // Profiling options: another batch size, the layer split, training only.
    Result alt =
        run("bench macro --seconds 0.02 --warmup 0 --threads 2 --batch 7 --split-layers "
            "--train-only");
    ASSERT_EQ(alt.status, 0) << alt.out;
    auto a = nlohmann::json::parse(alt.out);
    EXPECT_EQ(a["batch"], 7);
    EXPECT_EQ(a["train_parallelism"], "layers");
    EXPECT_GT(a["train_windows_per_s"].get<double>(), 0);
    EXPECT_EQ(a["latency_us"].get<double>(), 0);
    Result bad = run("bench nosuchmodel");
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("known: sp500, macro, stocks, imdb, imdb-zipf, large"),
              std::string::npos)
        << bad.out;
    Result zipf = run("bench imdb-zipf --seconds 0.02 --warmup 0 --train-only");
    ASSERT_EQ(zipf.status, 0) << zipf.out;
    auto z = nlohmann::json::parse(zipf.out);
    EXPECT_EQ(z["model"], "imdb-zipf");
    EXPECT_EQ(z["params"], 2012801);  // the imdb model
    EXPECT_GT(z["train_windows_per_s"].get<double>(), 0);
    // Which build of the GEMM large products took: AVX-512 where the CPU has it, unless the
    // environment turns it off.
    EXPECT_EQ(z["gemm_kernels"], avx512_gemm_enabled() ? "avx512" : "portable");
    const char* was = std::getenv("RECUR_AVX512");
    const std::string saved = was ? was : "";
    setenv("RECUR_AVX512", "Off", 1);  // any case
    Result portable = run("bench imdb-zipf --seconds 0.02 --warmup 0 --train-only");
    if (was)
        setenv("RECUR_AVX512", saved.c_str(), 1);
    else
        unsetenv("RECUR_AVX512");
    ASSERT_EQ(portable.status, 0) << portable.out;
    EXPECT_EQ(nlohmann::json::parse(portable.out)["gemm_kernels"], "portable");
}

}  // namespace
}  // namespace recur
