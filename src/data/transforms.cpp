#include "recur/data/transforms.hpp"

#include <algorithm>
#include <cmath>

namespace recur {
namespace {

std::string label(const Series& s) {
    return "series '" + s.name + "'";
}

void check_lag(const Series& s, int n, const char* op) {
    if (n < 1)
        throw DataError(std::string(op) + ": lag must be at least 1, got " + std::to_string(n));
    if (s.size() <= static_cast<std::size_t>(n))
        throw DataError(std::string(op) + "(" + std::to_string(n) + "): " + label(s) + " has " +
                        std::to_string(s.size()) + " values, needs at least " +
                        std::to_string(n + 1));
}

// out[t - n] = f(x[t], x[t - n]) for t = n .. T-1, dated dates[t].
template <typename F>
Series lagged(const Series& s, int n, F f) {
    Series out;
    out.name = s.name;
    const std::size_t lag = static_cast<std::size_t>(n);
    out.dates.assign(s.dates.begin() + static_cast<std::ptrdiff_t>(lag), s.dates.end());
    out.values.reserve(s.size() - lag);
    for (std::size_t t = lag; t < s.size(); ++t) out.values.push_back(f(t, t - lag));
    return out;
}

// The anchors (n = anchors.size() values), then out[i + n] = f(changes[i], out[i]).
template <typename F>
Series rebuild(const Series& changes, const Series& anchors, const char* op, F f) {
    if (anchors.size() == 0) throw DataError(std::string(op) + ": no anchor values");
    if (!anchors.dates.empty() && !changes.dates.empty() &&
        anchors.dates.back() >= changes.dates.front())
        throw DataError(std::string(op) + ": the anchors of " + label(changes) + " end at " +
                        anchors.dates.back() + ", not before its first date " +
                        changes.dates.front());
    Series out = anchors;
    out.name = changes.name;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        out.values.push_back(f(changes.values[i], out.values[i]));
        out.dates.push_back(changes.dates[i]);
    }
    return out;
}

}  // namespace

Series log_series(const Series& s) {
    Series out = s;
    for (std::size_t t = 0; t < s.size(); ++t) {
        if (!(s.values[t] > 0))
            throw DataError("log: " + label(s) + " is " + std::to_string(s.values[t]) + " at " +
                            s.dates[t] + "; the log needs positive values");
        out.values[t] = std::log(s.values[t]);
    }
    return out;
}

Series exp_series(const Series& s) {
    Series out = s;
    for (double& v : out.values) v = std::exp(v);
    return out;
}

Series diff(const Series& s, int n) {
    check_lag(s, n, "diff");
    return lagged(s, n, [&](std::size_t t, std::size_t p) { return s.values[t] - s.values[p]; });
}

Series pct_change(const Series& s, int n) {
    check_lag(s, n, "pct_change");
    return lagged(s, n, [&](std::size_t t, std::size_t p) {
        if (s.values[p] == 0)
            throw DataError("pct_change: " + label(s) + " is 0 at " + s.dates[p] +
                            ", the base of the change to " + s.dates[t]);
        return s.values[t] / s.values[p] - 1;
    });
}

Series inverse_diff(const Series& d, const Series& anchors) {
    return rebuild(d, anchors, "inverse_diff", [](double y, double prev) { return y + prev; });
}

Series inverse_pct_change(const Series& r, const Series& anchors) {
    return rebuild(r, anchors, "inverse_pct_change",
                   [](double y, double prev) { return prev * (1 + y); });
}

Series head(const Series& s, std::size_t n) {
    Series out;
    out.name = s.name;
    n = std::min(n, s.size());
    out.dates.assign(s.dates.begin(), s.dates.begin() + static_cast<std::ptrdiff_t>(n));
    out.values.assign(s.values.begin(), s.values.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

}  // namespace recur
