#include "recur/data/scaler.hpp"

#include <algorithm>
#include <cmath>

namespace recur {

void Scaler::fit(const Frame& f, const std::string& start, const std::string& end) {
    names_.clear();
    check_frame(f, "fit");
    if (f.cols() == 0) throw DataError("fit: the frame has no columns");
    resize(f.cols());
    for (std::size_t k = 0; k < f.cols(); ++k) {
        std::vector<double> values;
        for (std::size_t t = 0; t < f.rows(); ++t)
            if ((start.empty() || f.dates[t] >= start) && (end.empty() || f.dates[t] <= end) &&
                !is_missing(f.columns[k][t]))
                values.push_back(f.columns[k][t]);
        if (values.empty())
            throw DataError("fit: column '" + f.names[k] + "' has no values between " +
                            (start.empty() ? "its start" : start) + " and " +
                            (end.empty() ? "its end" : end));
        fit_column(k, values);
    }
    names_ = f.names;
}

void Scaler::fit(const Series& s, const std::string& start, const std::string& end) {
    fit(to_frame(s), start, end);
}

void Scaler::check_columns(std::size_t cols, const char* op) const {
    if (!fitted()) throw DataError(std::string(op) + ": the scaler is not fitted");
    if (cols != names_.size())
        throw DataError(std::string(op) + ": the scaler was fitted on " +
                        std::to_string(names_.size()) + " columns, the data has " +
                        std::to_string(cols));
}

Frame Scaler::map(const Frame& f, bool inverse_map, const char* op) const {
    check_columns(f.cols(), op);
    if (f.names != names_) {
        std::string fitted_names, given;
        for (std::size_t k = 0; k < names_.size(); ++k) {
            fitted_names += (k ? ", '" : "'") + names_[k] + "'";
            given += (k ? ", '" : "'") + f.names[k] + "'";
        }
        throw DataError(std::string(op) + ": the scaler was fitted on columns " + fitted_names +
                        ", the data has " + given);
    }
    Frame out = f;
    for (std::size_t k = 0; k < out.cols(); ++k)
        for (double& v : out.columns[k]) v = inverse_map ? inverse(k, v) : forward(k, v);
    return out;
}

Frame Scaler::transform(const Frame& f) const {
    return map(f, false, "transform");
}
Frame Scaler::inverse_transform(const Frame& f) const {
    return map(f, true, "inverse_transform");
}

Series Scaler::transform(const Series& s) const {
    check_columns(1, "transform of a series");
    Series out = s;
    for (double& v : out.values) v = forward(0, v);
    return out;
}

Series Scaler::inverse_transform(const Series& s) const {
    check_columns(1, "inverse_transform of a series");
    Series out = s;
    for (double& v : out.values) v = inverse(0, v);
    return out;
}

MinMaxScaler::MinMaxScaler(double lo, double hi) : lo_(lo), hi_(hi) {
    if (!(lo < hi))
        throw DataError("MinMaxScaler: the range (" + std::to_string(lo) + ", " +
                        std::to_string(hi) + ") is empty");
}

void MinMaxScaler::resize(std::size_t cols) {
    data_min_.assign(cols, 0);
    data_max_.assign(cols, 0);
    scale_.assign(cols, 1);
    min_.assign(cols, 0);
}

void MinMaxScaler::fit_column(std::size_t k, const std::vector<double>& values) {
    auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    data_min_[k] = *lo;
    data_max_[k] = *hi;
    const double range = *hi - *lo;
    scale_[k] = (hi_ - lo_) / (range == 0 ? 1.0 : range);
    min_[k] = lo_ - data_min_[k] * scale_[k];
}

void StandardScaler::resize(std::size_t cols) {
    mean_.assign(cols, 0);
    scale_.assign(cols, 1);
}

void StandardScaler::fit_column(std::size_t k, const std::vector<double>& values) {
    const double n = static_cast<double>(values.size());
    double sum = 0;
    for (double v : values) sum += v;
    const double mean = sum / n;
    double ss = 0;
    for (double v : values) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / n);
    mean_[k] = mean;
    scale_[k] = sd == 0 ? 1.0 : sd;
}

}  // namespace recur
