// recur bench MODEL — training / inference throughput, one-window latency and (sp500) a streaming
// step of a book model on random data; one JSON object on stdout (bench/model_bench.hpp).
#include <fmt/core.h>

#include "bench/model_bench.hpp"
#include "cli/commands.hpp"

namespace recur::cli {

void add_bench_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "bench", "Time a book model: training, inference, latency (JSON on stdout)");
    auto model = std::make_shared<std::string>();
    auto options = std::make_shared<bench::BenchOptions>();
    std::string names;
    for (const auto& n : bench::bench_model_names()) names += (names.empty() ? "" : "|") + n;
    cmd->add_option("model", *model, "Model: " + names)->required();
    cmd->add_option("--threads", options->threads, "Worker threads (default 1)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--seconds", options->seconds, "Timed seconds per measure (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--warmup", options->warmup, "Untimed seconds before each measure (0.3)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--batch", options->batch, "Training batch size (default: the book's)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--split-layers", options->split_layers,
                  "Train with every layer splitting its rows over the threads instead of one "
                  "model replica per thread (TrainParallelism::layers)");
    cmd->add_flag("--train-only", options->train_only,
                  "Time only the training steps (for profiling; other measures print 0)");
    cmd->callback([=] { fmt::print("{}\n", bench::to_json(bench::run_bench(*model, *options))); });
}

}  // namespace recur::cli
