// recur/data/fetch.hpp — downloading FRED series (the CSVs the case studies read) with libcurl.
#pragma once

#include <cstddef>
#include <string>

namespace recur {

// FRED's CSV download; `{series}` is replaced by the series id.
inline constexpr const char* kFredBaseUrl =
    "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series}";

struct FetchStats {
    std::size_t bytes = 0;  // size of the file written
    std::size_t rows = 0;   // observations read_fred_csv found (missing values dropped)
};

// Downloads `series` from `base_url` (every `{series}` replaced by the id) into
// DATA_DIR/fred/SERIES.csv and returns that path. The body is written (atomically) only after it
// parses as a FRED CSV; an invalid series id, a connection error, an HTTP status other than 200 or
// a body that is not a FRED CSV throws std::runtime_error naming the series and the URL, and
// nothing is written. `stats`, when given, receives the size and row count.
std::string fetch_fred(const std::string& series, const std::string& data_dir,
                       const std::string& base_url = kFredBaseUrl, FetchStats* stats = nullptr);

}  // namespace recur
