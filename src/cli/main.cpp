// recur — recurrent neural networks for financial time series and text.
#include <fmt/core.h>

#include <exception>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"recur: recurrent neural networks for financial time series and text"};
    app.set_version_flag("--version", "recur 0.1.0");
    app.require_subcommand(1);
    recur::cli::add_summary_command(app);
    recur::cli::add_predict_command(app);
    recur::cli::add_fit_command(app);
    recur::cli::add_reproduce_command(app);
    recur::cli::add_data_command(app);
    recur::cli::add_bench_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        fmt::print(stderr, "recur: error: {}\n", e.what());
        return 1;
    }
    return 0;
}
