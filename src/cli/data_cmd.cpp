// recur data fetch fred SERIES... — download FRED series into DATA_DIR/fred/SERIES.csv.
#include <fmt/core.h>

#include <cstdio>
#include <vector>

#include "cli/commands.hpp"
#include "recur/data/fetch.hpp"

namespace recur::cli {

void add_data_command(CLI::App& app) {
    auto* data = app.add_subcommand("data", "Manage the data sets the case studies read");
    data->require_subcommand(1);
    auto* fetch = data->add_subcommand(
        "fetch", "Download series: recur data fetch fred SP500 UMCSENT [--data-dir DIR]");
    struct Opts {
        std::string source;
        std::vector<std::string> series;
        std::string data_dir = "../shared/data";
        std::string base_url = kFredBaseUrl;
    };
    auto o = std::make_shared<Opts>();
    fetch->add_option("source", o->source, "Data source (fred)")
        ->required()
        ->check(CLI::IsMember({"fred"}));
    fetch->add_option("series", o->series, "Series ids, e.g. SP500 UMCSENT")->required();
    fetch->add_option("--data-dir", o->data_dir, "Data directory (files go to DIR/fred/)")
        ->capture_default_str();
    fetch->add_option("--base-url", o->base_url, "URL template; {series} is the series id")
        ->capture_default_str();
    fetch->callback([o] {
        for (const auto& s : o->series) {
            FetchStats st;
            std::string path = fetch_fred(s, o->data_dir, o->base_url, &st);
            fmt::print("fetched {}: {} bytes, {} rows -> {}\n", s, st.bytes, st.rows, path);
            std::fflush(stdout);
        }
    });
}

}  // namespace recur::cli
