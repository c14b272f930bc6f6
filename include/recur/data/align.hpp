// recur/data/align.hpp — several series on their common dates (an inner join).
//
// The result has one row per date present in every input, in date order, and the inputs'
// columns side by side in the order given (pandas: pd.concat(series, axis=1, join='inner')).
// E.g. align({ip, sentiment}) for the book's macro case study, FRED IPGMFN and UMCSENT, monthly.
// Column names must be distinct (rename a Series by assigning its name).
#pragma once

#include <vector>

#include "recur/data/frame.hpp"

namespace recur {

Frame align(const std::vector<Series>& series);
// Frames keep their missing (NaN) cells; only the dates are intersected.
Frame align(const std::vector<Frame>& frames);

}  // namespace recur
