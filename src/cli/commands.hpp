// The recur command line: each subcommand registers itself on the CLI11 app (one file each).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace recur::cli {

void add_summary_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_fit_command(CLI::App& app);        // recur fit CONFIG --out DIR ...
void add_reproduce_command(CLI::App& app);  // recur reproduce sp500|macro|stocks --out DIR ...
void add_bench_command(CLI::App& app);      // recur bench sp500|macro|stocks|imdb|large
void add_data_command(CLI::App& app);       // recur data fetch fred|imdb|glove, data export glove

// The flags `fit` and `reproduce` share (--out, --data-dir, --seed, --epochs, --threads, --seeds,
// --scaler-fit, --start, --end, --test-start, --test-weeks, --walk-forward, --wf-window,
// --wf-train-rows, --gap, --quiet); registered on `cmd`, filled
// in when it parses. Each overrides the config's value; empty / 0 / -1 keeps it.
struct CaseFlags {
    std::string out;
    std::string data_dir = "../shared/data";
    std::string cache;  // text cases: the data cache (default: recur::default_cache_dir())
    long long seed = -1;
    int epochs = 0;
    int threads = 0;
    int seeds = 1;
    std::string scaler_fit;
    std::string start, end;  // [data] start / end: the period read (train starts here)
    std::string test_start;  // first target date of the test period
    int test_weeks = 0;      // stock panel: the last N target weeks are the test period
    int walk_forward = 0;    // multistep: refit before each of N groups of origins
    std::string wf_window;   // "expanding" | "rolling"
    int wf_train_rows = 0;   // rolling window length
    int gap = -1;            // rows between training targets and the origin (-1: the config's)
    bool quiet = false;
};
std::shared_ptr<CaseFlags> add_case_flags(CLI::App* cmd);
void run_case_study(const std::string& config_path, const CaseFlags& flags);

}  // namespace recur::cli
