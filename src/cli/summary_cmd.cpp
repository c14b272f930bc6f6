// recur summary NAME — prints a book architecture as Keras's model.summary() does.
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "recur/io/model_io.hpp"
#include "recur/model/book_models.hpp"

namespace recur::cli {

void add_summary_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("summary", "Print a book model's (or a saved model's) summary");
    auto name = std::make_shared<std::string>();
    auto vocab = std::make_shared<Index>(0);
    auto tickers = std::make_shared<Index>(0);
    auto model_path = std::make_shared<std::string>();
    std::string names;
    for (const auto& n : book_model_names()) names += (names.empty() ? "" : "|") + n;
    cmd->add_option("name", *name, "Book model: " + names);
    cmd->add_option("--vocab", *vocab,
                    "Vocabulary size for imdb / imdb-glove (default 20000 / 88586)");
    cmd->add_option("--tickers", *tickers,
                    "Number of tickers for stocks (default 2489, the book's)");
    cmd->add_option("--model", *model_path, "Summarise a saved model file instead");
    cmd->callback([=] {
        if (!model_path->empty()) {
            fmt::print("{}", load_model<float>(*model_path).summary());
            return;
        }
        if (name->empty())
            throw CLI::ValidationError("name", "give a book model (" + names + ") or --model FILE");
        fmt::print(
            "{}",
            book_model<float>(*name, {.vocab_size = *vocab, .n_tickers = *tickers}).summary());
    });
}

}  // namespace recur::cli
