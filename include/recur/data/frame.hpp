// recur/data/frame.hpp — date-indexed data: one series (Series) or several columns (Frame).
//
// Dates are ISO YYYY-MM-DD strings, strictly increasing, so string order is date order and a
// date range [start, end] is a pair of string comparisons. A Series holds observed values only
// (missing observations are dropped when it is built); a Frame keeps every row of its source and
// marks a missing cell with NaN. Every data-layer error is a DataError whose message names what
// was wrong and where (file:line: column c:, or the series/column and date).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace recur {

class DataError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Series {
    std::string name;
    std::vector<std::string> dates;  // YYYY-MM-DD, strictly increasing
    std::vector<double> values;      // missing observations are dropped
    std::size_t size() const { return values.size(); }
};

// A (rows, cols) table of doubles indexed by date; stored column by column.
struct Frame {
    std::vector<std::string> dates;            // rows, strictly increasing
    std::vector<std::string> names;            // one per column, distinct
    std::vector<std::vector<double>> columns;  // columns[k][t]; NaN = missing

    std::size_t rows() const { return dates.size(); }
    std::size_t cols() const { return names.size(); }
    // Position of column `name`; throws DataError listing the columns if there is none.
    std::size_t index_of(const std::string& name) const;
    const std::vector<double>& column(const std::string& name) const;
    std::vector<double>& column(const std::string& name);
    // Column `name` as a Series, its missing (NaN) cells dropped.
    Series series(const std::string& name) const;
};

// True for the NaN that marks a missing cell.
bool is_missing(double v);

// A one-column frame holding `s` (column name = s.name).
Frame to_frame(const Series& s);

// Keeps observations with start <= date <= end (ISO strings compare chronologically). An empty
// start or end leaves that side open.
Series slice_dates(const Series& s, const std::string& start, const std::string& end);
Frame slice_dates(const Frame& f, const std::string& start, const std::string& end);

// Drops every row with a missing cell in any column (pandas' dropna()).
Frame dropna(const Frame& f);

// The named columns, in the order given (throws DataError on an unknown name).
Frame select_columns(const Frame& f, const std::vector<std::string>& names);

// Throws DataError unless dates are valid YYYY-MM-DD and strictly increasing, the column
// count matches the names, names are distinct, and every column has one value per date.
// `what` names the object in the message.
void check_frame(const Frame& f, const std::string& what = "frame");

// True if `d` is a real calendar date written YYYY-MM-DD (leap years included).
bool is_iso_date(const std::string& d);

}  // namespace recur
