// The recur command line: each subcommand registers itself on the CLI11 app (one file each).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace recur::cli {

void add_summary_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_fit_command(CLI::App& app);        // recur fit CONFIG --out DIR ...
void add_reproduce_command(CLI::App& app);  // recur reproduce sp500|macro --out DIR ...
void add_data_command(CLI::App& app);       // recur data fetch fred SERIES... [--data-dir DIR]

// The flags `fit` and `reproduce` share (--out, --data-dir, --seed, --epochs, --threads, --seeds,
// --scaler-fit, --quiet); registered on `cmd`, filled in when it parses.
struct CaseFlags {
    std::string out;
    std::string data_dir = "../shared/data";
    long long seed = -1;
    int epochs = 0;
    int threads = 0;
    int seeds = 1;
    std::string scaler_fit;
    bool quiet = false;
};
std::shared_ptr<CaseFlags> add_case_flags(CLI::App* cmd);
void run_case_study(const std::string& config_path, const CaseFlags& flags);

}  // namespace recur::cli
