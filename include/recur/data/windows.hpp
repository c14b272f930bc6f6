// recur/data/windows.hpp — rolling windows for sequence models: the book's
// create_univariate_rnn_data and create_multivariate_rnn_data.
//
// For a (T_total, K) table and a window of W rows there are N = T_total - W samples; sample i is
//   x[i, t, k] = row (i + t), column k     t = 0 .. W-1, chronological (t = W-1 is the latest)
//   y[i, k]    = row (i + W), column k     the next row, all K columns
//   target_dates[i] = dates[i + W]
// so x is (N, W, K) and y is (N, K), samples-first as Sequential::fit expects. Keeping the target
// dates makes date splits exact: first_target_index(target_dates, "2018-01-01") is the number of
// samples whose target is before 2018, i.e. the size of the training set.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "recur/data/frame.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

template <typename T>
struct Windows {
    Tensor<T> x;                            // (N, W, K)
    Tensor<T> y;                            // (N, K)
    std::vector<std::string> target_dates;  // N, the date of each y row
    Index size() const { return static_cast<Index>(target_dates.size()); }
};

// Windows over every column of `frame` (T = float or double). Throws DataError if the frame has
// no more rows than the window (naming the columns and both lengths) or a cell is missing (NaN:
// call dropna first).
template <typename T>
Windows<T> make_windows(const Frame& frame, Index window);

// Windows over one series: x is (N, W, 1), y is (N, 1).
template <typename T>
Windows<T> make_windows(const Series& series, Index window);

// The index of the first sample whose target date is >= `date` (target_dates.size() if none);
// samples [0, index) form the training set and [index, N) the test set.
Index first_target_index(const std::vector<std::string>& target_dates, const std::string& date);

// Samples [begin, end) (throws std::out_of_range outside [0, size]).
template <typename T>
Windows<T> slice_windows(const Windows<T>& w, Index begin, Index end);

// Samples with target date < `date`, and the rest.
template <typename T>
std::pair<Windows<T>, Windows<T>> split_at_date(const Windows<T>& w, const std::string& date);

// The book's create_univariate_rnn_data on bare values: window i holds values[i .. i+W)
// (chronological) and its target is values[i+W]; x is (N, W, 1), y is (N, 1), N = size - W.
// Throws DataError if the series (called `name` in the message) is not longer than the window.
template <typename T>
void make_windows(const std::vector<double>& values, Index window, Tensor<T>& x, Tensor<T>& y,
                  const std::string& name = "");

}  // namespace recur
