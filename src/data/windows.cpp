#include "recur/data/windows.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace recur {
namespace {

// `name` is e.g. "series 'SP500'" (counts values) or "frame 'a', 'b'" (counts rows).
void check_length(std::size_t length, Index window, const std::string& name) {
    if (window < 1)
        throw DataError("window length must be at least 1, got " + std::to_string(window));
    if (static_cast<Index>(length) <= window)
        throw DataError(
            (name.empty() ? std::string("the series") : name) + " has " + std::to_string(length) +
            (name.rfind("frame", 0) == 0 ? " rows" : " values") + ", too short for windows of " +
            std::to_string(window) + " (needs at least " + std::to_string(window + 1) + ")");
}

std::string describe_columns(const Frame& f) {
    std::string s = f.cols() == 1 ? "series '" : "frame '";
    for (std::size_t k = 0; k < f.cols(); ++k) s += (k ? "', '" : "") + f.names[k];
    return s + "'";
}

}  // namespace

template <typename T>
Windows<T> make_windows(const Frame& frame, Index window) {
    if (frame.cols() == 0) throw DataError("make_windows: the frame has no columns");
    check_frame(frame, describe_columns(frame));
    check_length(frame.rows(), window, describe_columns(frame));
    for (std::size_t k = 0; k < frame.cols(); ++k)
        for (std::size_t t = 0; t < frame.rows(); ++t)
            if (is_missing(frame.columns[k][t]))
                throw DataError("column '" + frame.names[k] + "' is missing a value at " +
                                frame.dates[t] + " (row " + std::to_string(t) +
                                "); drop or fill missing rows before making windows");
    const Index n = static_cast<Index>(frame.rows()) - window;
    const Index k_cols = static_cast<Index>(frame.cols());
    Windows<T> w;
    w.x.resize({n, window, k_cols});
    w.y.resize({n, k_cols});
    for (Index k = 0; k < k_cols; ++k) {
        const auto& col = frame.columns[static_cast<std::size_t>(k)];
        for (Index i = 0; i < n; ++i) {
            for (Index t = 0; t < window; ++t)
                w.x.at(i, t, k) = static_cast<T>(col[static_cast<std::size_t>(i + t)]);
            w.y.at(i, k) = static_cast<T>(col[static_cast<std::size_t>(i + window)]);
        }
    }
    w.target_dates.assign(frame.dates.begin() + window, frame.dates.end());
    return w;
}

template <typename T>
Windows<T> make_windows(const Series& series, Index window) {
    return make_windows<T>(to_frame(series), window);
}

Index first_target_index(const std::vector<std::string>& target_dates, const std::string& date) {
    return std::lower_bound(target_dates.begin(), target_dates.end(), date) - target_dates.begin();
}

template <typename T>
Windows<T> slice_windows(const Windows<T>& w, Index begin, Index end) {
    if (begin < 0 || end < begin || end > w.size())
        throw std::out_of_range("slice_windows: samples [" + std::to_string(begin) + ", " +
                                std::to_string(end) + ") of " + std::to_string(w.size()));
    Windows<T> out;
    out.x = slice_rows(w.x, begin, end);
    out.y = slice_rows(w.y, begin, end);
    out.target_dates.assign(w.target_dates.begin() + begin, w.target_dates.begin() + end);
    return out;
}

template <typename T>
std::pair<Windows<T>, Windows<T>> split_at_date(const Windows<T>& w, const std::string& date) {
    const Index cut = first_target_index(w.target_dates, date);
    return {slice_windows(w, 0, cut), slice_windows(w, cut, w.size())};
}

template <typename T>
void make_windows(const std::vector<double>& values, Index window, Tensor<T>& x, Tensor<T>& y,
                  const std::string& name) {
    check_length(values.size(), window, name.empty() ? "" : "series '" + name + "'");
    const Index n = static_cast<Index>(values.size()) - window;
    x.resize({n, window, 1});
    y.resize({n, 1});
    for (Index i = 0; i < n; ++i) {
        for (Index t = 0; t < window; ++t)
            x.at(i, t, 0) = static_cast<T>(values[static_cast<std::size_t>(i + t)]);
        y[i] = static_cast<T>(values[static_cast<std::size_t>(i + window)]);
    }
}

#define RECUR_INSTANTIATE_WINDOWS(T)                                                         \
    template struct Windows<T>;                                                              \
    template Windows<T> make_windows<T>(const Frame&, Index);                                \
    template Windows<T> make_windows<T>(const Series&, Index);                               \
    template std::pair<Windows<T>, Windows<T>> split_at_date<T>(const Windows<T>&,           \
                                                                const std::string&);         \
    template Windows<T> slice_windows<T>(const Windows<T>&, Index, Index);                   \
    template void make_windows<T>(const std::vector<double>&, Index, Tensor<T>&, Tensor<T>&, \
                                  const std::string&);
RECUR_INSTANTIATE_WINDOWS(float)
RECUR_INSTANTIATE_WINDOWS(double)
#undef RECUR_INSTANTIATE_WINDOWS

}  // namespace recur
