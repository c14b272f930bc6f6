// recur/data/series.hpp — reading date-indexed CSV files (FRED downloads and plain tables).
//
// Layout: a header row, then one row per date. The first column holds YYYY-MM-DD dates
// (strictly increasing); every other column is one numeric series named by its header cell.
// FRED's downloads are this layout with a first header cell of DATE or observation_date.
// A missing value is an empty cell, '.' (FRED), NA, NaN or nan; cells may be "quoted"; CRLF line
// endings, a UTF-8 byte-order mark and blank lines are accepted.
//
// Every error is a DataError naming the file, the 1-based line and column, and what was wrong:
//   data.csv:7: column 2: '1.5x' is not a number
//   data.csv:4: column 1: '2010-02-30' is not a YYYY-MM-DD date
//   data.csv:5: column 1: date 2010-01-03 is out of order (after 2010-01-05 on line 4)
//   data.csv:6: column 1: date 2010-01-05 is repeated (first on line 5)
//   data.csv:3: column 3: expected 2 cells, found 3
// A file that does not exist gives "PATH: file not found" (the caller can add how to fetch it).
#pragma once

#include <string>

#include "recur/data/frame.hpp"
#include "recur/data/windows.hpp"  // make_windows, declared here before windows.hpp existed

namespace recur {

// Every value column of a date-indexed CSV; missing cells are NaN. The first header cell may be
// anything (DATE, date, observation_date, empty); value-column names must be distinct and
// non-empty.
Frame read_csv(const std::string& path);

// Column `column` (default: the first value column) of a FRED-style CSV, missing values dropped.
// The first header cell must be DATE, observation_date or date.
Series read_fred_csv(const std::string& path, const std::string& column = "");

}  // namespace recur
