// recur reproduce sp500|macro|stocks|imdb|imdb-glove|macro-multistep — `recur fit
// configs/<name>.toml`: the book's case studies.
#include <filesystem>

#include "cli/commands.hpp"

#ifndef RECUR_CONFIG_DIR
#define RECUR_CONFIG_DIR "configs"
#endif

namespace recur::cli {

void add_reproduce_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("reproduce",
                           "Reproduce a book case study: sp500 (LSTM on the S&P 500), macro "
                           "(stacked LSTM on sentiment and industrial production), stocks "
                           "(stacked LSTM + ticker embedding classifying weekly returns), imdb "
                           "(GRU sentiment on learned embeddings), imdb-glove (frozen GloVe) or "
                           "macro-multistep (seq2seq with attention vs VAR vs naive, h = 1..12)");
    auto name = std::make_shared<std::string>();
    auto config_dir = std::make_shared<std::string>(RECUR_CONFIG_DIR);
    cmd->add_option("name", *name, "sp500 | macro | stocks | imdb | imdb-glove | macro-multistep")
        ->required()
        ->check(
            CLI::IsMember({"sp500", "macro", "stocks", "imdb", "imdb-glove", "macro-multistep"}));
    cmd->add_option("--config", *config_dir, "Directory holding <name>.toml")
        ->capture_default_str();
    auto flags = add_case_flags(cmd);
    cmd->callback([=] {
        run_case_study((std::filesystem::path(*config_dir) / (*name + ".toml")).string(), *flags);
    });
}

}  // namespace recur::cli
