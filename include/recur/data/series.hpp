// recur/data/series.hpp — date-indexed series from FRED-style CSV files, and rolling windows.
//
// FRED's CSV layout: a header row whose first column is DATE or observation_date, then one
// column per series; dates are YYYY-MM-DD; '.' or an empty cell marks a missing value.
// Errors name the file, the 1-based line and column, and what was wrong: an unparseable number
// or date, dates out of order or repeated, a row with the wrong number of cells.
#pragma once

#include <string>
#include <vector>

#include "recur/tensor/tensor.hpp"

namespace recur {

struct Series {
    std::string name;
    std::vector<std::string> dates;  // YYYY-MM-DD, strictly increasing
    std::vector<double> values;      // missing observations are dropped
    std::size_t size() const { return values.size(); }
};

class DataError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Reads column `column` (default: the first value column) of a FRED-style CSV.
Series read_fred_csv(const std::string& path, const std::string& column = "");

// Keeps observations with start <= date <= end (ISO strings compare chronologically).
Series slice_dates(const Series& s, const std::string& start, const std::string& end);

// The book's create_univariate_rnn_data: window i holds values[i .. i+T) (chronological) and
// its target is values[i+T]. x is (N, T, 1), y is (N, 1), N = size - T. Throws DataError if the
// series is not longer than the window.
template <typename T>
void make_windows(const std::vector<double>& values, Index window, Tensor<T>& x, Tensor<T>& y);

}  // namespace recur
