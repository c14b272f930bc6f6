// recur fit CONFIG — runs the case study a TOML config describes (casestudy/config.hpp).
#include <fmt/core.h>

#include "casestudy/runner.hpp"
#include "cli/commands.hpp"

namespace recur::cli {

std::shared_ptr<CaseFlags> add_case_flags(CLI::App* cmd) {
    auto f = std::make_shared<CaseFlags>();
    cmd->add_option("--out", f->out, "Output directory (metrics.json, plots, model)")->required();
    cmd->add_option("--data-dir", f->data_dir, "Directory the config's data files are under")
        ->capture_default_str();
    cmd->add_option("--cache", f->cache,
                    "Text cases: where `recur data fetch imdb|glove` put the data (default: "
                    "$RECUR_CACHE, else $XDG_CACHE_HOME/recur, else ~/.cache/recur)");
    cmd->add_option("--seed", f->seed, "Seed (default: the config's)");
    cmd->add_option("--epochs", f->epochs, "Maximum epochs (default: the config's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threads", f->threads, "Worker threads (default: RECUR_THREADS or 1)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--seeds", f->seeds, "Run N seeds into OUT/seed_<s>/ and write summary.json")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--scaler-fit", f->scaler_fit,
                    "Fit the min-max scaler on all data (the book) or the training rows only")
        ->check(CLI::IsMember({"all", "train"}));
    auto date = [](const std::string& v) -> std::string {
        const bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-' &&
                        v.find_first_not_of("0123456789-") == std::string::npos;
        return ok ? "" : "expected a date YYYY-MM-DD, got '" + v + "'";
    };
    cmd->add_option("--start", f->start, "First date of the data read (default: the config's)")
        ->check(date);
    cmd->add_option("--end", f->end, "Last date of the data read (default: the config's)")
        ->check(date);
    cmd->add_option("--test-start", f->test_start,
                    "First target date of the test period (default: the config's)")
        ->check(date);
    cmd->add_option("--test-weeks", f->test_weeks,
                    "Stock panel: test = the last N target weeks (default: the config's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--walk-forward", f->walk_forward,
                    "Time-series configs: refit before each of N groups of test origins")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--wf-window", f->wf_window,
                    "Walk-forward training window: expanding (default) or rolling")
        ->check(CLI::IsMember({"expanding", "rolling"}));
    cmd->add_option("--wf-train-rows", f->wf_train_rows, "Rolling window length in rows")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--gap", f->gap, "Rows between the last training target and the test origin")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--quiet,-q", f->quiet, "No progress lines");
    return f;
}

void run_case_study(const std::string& config_path, const CaseFlags& f) {
    casestudy::CaseConfig config = casestudy::load_config(config_path);
    if (!f.start.empty()) config.start = f.start;
    if (!f.end.empty()) config.end = f.end;
    if (!f.test_start.empty()) config.test_start = config.panel.test_start = f.test_start;
    if (f.test_weeks > 0) {
        if (config.report != "classification")
            throw CLI::ValidationError("--test-weeks", "only for a stock-panel config");
        config.panel.test_weeks = f.test_weeks;
        config.panel.test_start.clear();
    }
    if (f.walk_forward > 0 || !f.wf_window.empty() || f.wf_train_rows > 0 || f.gap >= 0) {
        if (!casestudy::supports_walk_forward(config.report))
            throw CLI::ValidationError("--walk-forward",
                                       "walk-forward options apply to time-series configs "
                                       "(report = \"levels\", \"changes\" or \"multistep\")");
        auto& m = config.walk_forward;
        if (f.walk_forward > 0) m.folds = f.walk_forward;
        if (!f.wf_window.empty()) m.window = f.wf_window;
        if (f.wf_train_rows > 0) m.train_rows = f.wf_train_rows;
        if (f.gap >= 0) m.gap = f.gap;
        if (m.window == "rolling" && m.train_rows == 0)
            throw CLI::ValidationError("--wf-window", "rolling needs --wf-train-rows N");
        if (m.window != "rolling" && f.wf_train_rows > 0)
            throw CLI::ValidationError("--wf-train-rows", "only with --wf-window rolling");
    }
    casestudy::RunOptions o;
    o.data_dir = f.data_dir;
    o.cache_dir = f.cache;
    o.out_dir = f.out;
    if (f.seed >= 0) o.seed = static_cast<std::uint64_t>(f.seed);
    if (f.epochs > 0) o.epochs = f.epochs;
    o.threads = f.threads;
    o.seeds = f.seeds;
    o.scaler_fit = f.scaler_fit;
    o.verbose = f.quiet ? 0 : 1;
    report::Metrics m = casestudy::run_seeds(config, o);
    fmt::print("{} -> {}\n", config.name, f.out);
    for (const auto& [k, v] : m) fmt::print("  {:<26} {:.6g}\n", k, v);
}

void add_fit_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("fit", "Train and evaluate the case study a TOML config describes");
    auto config = std::make_shared<std::string>();
    cmd->add_option("config", *config, "TOML config (see configs/)")->required();
    auto flags = add_case_flags(cmd);
    cmd->callback([=] { run_case_study(*config, *flags); });
}

}  // namespace recur::cli
