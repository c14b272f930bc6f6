// The recur command line: each subcommand registers itself on the CLI11 app (one file each).
#pragma once

#include <CLI/CLI.hpp>

namespace recur::cli {

void add_summary_command(CLI::App& app);
void add_predict_command(CLI::App& app);

}  // namespace recur::cli
