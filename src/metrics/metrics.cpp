#include "recur/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace recur {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const char* fn, const std::string& what) {
    throw std::invalid_argument(std::string("recur::") + fn + ": " + what);
}

template <typename T>
void check_no_nan(std::span<const T> v, const char* fn, const char* arg) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (std::isnan(v[i])) fail(fn, std::string(arg) + "[" + std::to_string(i) + "] is NaN");
    }
}

// Equal, nonzero sizes and no NaN in either argument.
template <typename T>
void check_pair(std::span<const T> a, std::span<const T> b, const char* fn, const char* name_a,
                const char* name_b) {
    if (a.size() != b.size()) {
        fail(fn, std::string(name_a) + " has " + std::to_string(a.size()) + " entries, " + name_b +
                     " has " + std::to_string(b.size()));
    }
    if (a.empty()) fail(fn, "empty input");
    check_no_nan(a, fn, name_a);
    check_no_nan(b, fn, name_b);
}

template <typename T>
void check_labels01(std::span<const T> labels, const char* fn) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != T(0) && labels[i] != T(1)) {
            fail(fn, "labels01[" + std::to_string(i) + "] = " +
                         std::to_string(static_cast<double>(labels[i])) + " is not 0 or 1");
        }
    }
}

template <typename T>
double rmse_impl(std::span<const T> pred, std::span<const T> actual) {
    check_pair(pred, actual, "rmse", "pred", "actual");
    double sum = 0.0;
    for (std::size_t i = 0; i < pred.size(); ++i) {
        const double d = static_cast<double>(pred[i]) - static_cast<double>(actual[i]);
        sum += d * d;
    }
    return std::sqrt(sum / static_cast<double>(pred.size()));
}

template <typename T>
double mae_impl(std::span<const T> pred, std::span<const T> actual) {
    check_pair(pred, actual, "mae", "pred", "actual");
    double sum = 0.0;
    for (std::size_t i = 0; i < pred.size(); ++i) {
        sum += std::abs(static_cast<double>(pred[i]) - static_cast<double>(actual[i]));
    }
    return sum / static_cast<double>(pred.size());
}

// Pearson r of two validated double sequences of size >= 2.
double pearson_unchecked(std::span<const double> x, std::span<const double> y) {
    const std::size_t n = x.size();
    double mx = 0.0, my = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        mx += x[i];
        my += y[i];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double dx = x[i] - mx;
        const double dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0.0 || syy == 0.0) return kNaN;
    const double r = sxy / (std::sqrt(sxx) * std::sqrt(syy));
    return std::clamp(r, -1.0, 1.0);
}

template <typename T>
std::vector<double> to_double(std::span<const T> v) {
    return std::vector<double>(v.begin(), v.end());
}

template <typename T>
double pearson_impl(std::span<const T> x, std::span<const T> y) {
    check_pair(x, y, "pearson", "x", "y");
    if (x.size() < 2) fail("pearson", "needs at least 2 observations");
    if constexpr (std::is_same_v<T, double>) {
        return pearson_unchecked(x, y);
    } else {
        const std::vector<double> xd = to_double(x), yd = to_double(y);
        return pearson_unchecked(xd, yd);
    }
}

// Indices of v sorted ascending by value (stable, so equal values keep input order).
template <typename T>
std::vector<std::size_t> argsort(std::span<const T> v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    return order;
}

template <typename T>
std::vector<double> ranks_unchecked(std::span<const T> x) {
    const std::size_t n = x.size();
    const std::vector<std::size_t> order = argsort(x);
    std::vector<double> ranks(n);
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i + 1;
        while (j < n && x[order[j]] == x[order[i]]) ++j;
        // Sorted positions i .. j-1 (0-based) are 1-based ranks i+1 .. j; their mean is
        // (i + 1 + j) / 2, an integer or a half, exact in double.
        const double rank = 0.5 * static_cast<double>(i + 1 + j);
        for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
        i = j;
    }
    return ranks;
}

template <typename T>
std::vector<double> average_ranks_impl(std::span<const T> x) {
    check_no_nan(x, "average_ranks", "x");
    return ranks_unchecked(x);
}

template <typename T>
double spearman_impl(std::span<const T> x, std::span<const T> y) {
    check_pair(x, y, "spearman", "x", "y");
    if (x.size() < 2) fail("spearman", "needs at least 2 observations");
    const std::vector<double> rx = ranks_unchecked(x), ry = ranks_unchecked(y);
    return pearson_unchecked(rx, ry);
}

template <typename T>
int sign(T v) {
    return (v > T(0)) - (v < T(0));
}

template <typename T>
double direction_accuracy_impl(std::span<const T> pred, std::span<const T> actual) {
    check_pair(pred, actual, "direction_accuracy", "pred_change", "actual_change");
    std::size_t scored = 0, hits = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) {
        const int s = sign(actual[i]);
        if (s == 0) continue;
        ++scored;
        if (sign(pred[i]) == s) ++hits;
    }
    if (scored == 0) return kNaN;
    return static_cast<double>(hits) / static_cast<double>(scored);
}

template <typename T>
double roc_auc_impl(std::span<const T> scores, std::span<const T> labels) {
    check_pair(scores, labels, "roc_auc", "scores", "labels01");
    check_labels01(labels, "roc_auc");
    const std::size_t n = scores.size();
    std::size_t n1 = 0;
    for (std::size_t i = 0; i < n; ++i) n1 += labels[i] == T(1);
    const std::size_t n0 = n - n1;
    if (n1 == 0 || n0 == 0) {
        fail("roc_auc", "only one class present in labels01 (" + std::to_string(n1) +
                            " positives, " + std::to_string(n0) +
                            " negatives); ROC AUC is undefined");
    }
    const std::vector<std::size_t> order = argsort(scores);
    // twice_u = 2 * U: each positive adds 2 per negative with a lower score and 1 per negative
    // with an equal score. Integer counting keeps it exact (n1 * n0 * 2 < 2^64 for any n that
    // fits in memory); the only rounding is the final division.
    unsigned long long twice_u = 0;
    std::size_t negatives_below = 0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        std::size_t pos = 0, neg = 0;
        while (j < n && scores[order[j]] == scores[order[i]]) {
            if (labels[order[j]] == T(1)) {
                ++pos;
            } else {
                ++neg;
            }
            ++j;
        }
        twice_u += static_cast<unsigned long long>(pos) * (2 * negatives_below + neg);
        negatives_below += neg;
        i = j;
    }
    return static_cast<double>(twice_u) / (2.0 * static_cast<double>(n1) * static_cast<double>(n0));
}

template <typename T>
double binary_accuracy_impl(std::span<const T> prob, std::span<const T> labels, double threshold) {
    check_pair(prob, labels, "binary_accuracy", "prob", "labels01");
    check_labels01(labels, "binary_accuracy");
    if (std::isnan(threshold)) fail("binary_accuracy", "threshold is NaN");
    std::size_t hits = 0;
    for (std::size_t i = 0; i < prob.size(); ++i) {
        const bool predicted = static_cast<double>(prob[i]) > threshold;
        const bool actual = labels[i] == T(1);
        hits += predicted == actual;
    }
    return static_cast<double>(hits) / static_cast<double>(prob.size());
}

template <typename T>
std::vector<double> returns_from_levels_impl(std::span<const T> levels) {
    check_no_nan(levels, "returns_from_levels", "levels");
    if (levels.size() < 2) return {};
    std::vector<double> r(levels.size() - 1);
    for (std::size_t t = 1; t < levels.size(); ++t) {
        const double prev = static_cast<double>(levels[t - 1]);
        if (prev == 0.0) {
            fail("returns_from_levels",
                 "levels[" + std::to_string(t - 1) + "] is 0, the return after it is undefined");
        }
        r[t - 1] = static_cast<double>(levels[t]) / prev - 1.0;
    }
    return r;
}

}  // namespace

double rmse(std::span<const double> pred, std::span<const double> actual) {
    return rmse_impl(pred, actual);
}
double rmse(std::span<const float> pred, std::span<const float> actual) {
    return rmse_impl(pred, actual);
}

double mae(std::span<const double> pred, std::span<const double> actual) {
    return mae_impl(pred, actual);
}
double mae(std::span<const float> pred, std::span<const float> actual) {
    return mae_impl(pred, actual);
}

double pearson(std::span<const double> x, std::span<const double> y) {
    return pearson_impl(x, y);
}
double pearson(std::span<const float> x, std::span<const float> y) {
    return pearson_impl(x, y);
}

std::vector<double> average_ranks(std::span<const double> x) {
    return average_ranks_impl(x);
}
std::vector<double> average_ranks(std::span<const float> x) {
    return average_ranks_impl(x);
}

double spearman(std::span<const double> x, std::span<const double> y) {
    return spearman_impl(x, y);
}
double spearman(std::span<const float> x, std::span<const float> y) {
    return spearman_impl(x, y);
}

double direction_accuracy(std::span<const double> pred_change,
                          std::span<const double> actual_change) {
    return direction_accuracy_impl(pred_change, actual_change);
}
double direction_accuracy(std::span<const float> pred_change,
                          std::span<const float> actual_change) {
    return direction_accuracy_impl(pred_change, actual_change);
}

double roc_auc(std::span<const double> scores, std::span<const double> labels01) {
    return roc_auc_impl(scores, labels01);
}
double roc_auc(std::span<const float> scores, std::span<const float> labels01) {
    return roc_auc_impl(scores, labels01);
}

RocCurve roc_curve(std::span<const double> scores, std::span<const double> labels) {
    check_pair(scores, labels, "roc_curve", "scores", "labels01");
    check_labels01(labels, "roc_curve");
    const std::size_t n = scores.size();
    std::size_t n1 = 0;
    for (std::size_t i = 0; i < n; ++i) n1 += labels[i] == 1.0;
    const std::size_t n0 = n - n1;
    if (n1 == 0 || n0 == 0) fail("roc_curve", "only one class present in labels01");
    std::vector<std::size_t> order = argsort(scores);
    std::reverse(order.begin(), order.end());  // highest score first
    RocCurve c;
    c.fpr.push_back(0), c.tpr.push_back(0), c.thresholds.push_back(INFINITY);
    std::size_t tp = 0, fp = 0, i = 0;
    while (i < n) {
        const double s = scores[order[i]];
        while (i < n && scores[order[i]] == s) (labels[order[i]] == 1.0 ? tp : fp) += 1, ++i;
        c.fpr.push_back(static_cast<double>(fp) / static_cast<double>(n0));
        c.tpr.push_back(static_cast<double>(tp) / static_cast<double>(n1));
        c.thresholds.push_back(s);
    }
    return c;
}

std::vector<std::pair<long, double>> group_spearman(std::span<const long> group,
                                                    std::span<const double> score,
                                                    std::span<const double> outcome,
                                                    std::size_t min_size) {
    check_pair(score, outcome, "group_spearman", "score", "outcome");
    if (group.size() != score.size())
        fail("group_spearman", "group has " + std::to_string(group.size()) + " entries, score " +
                                   std::to_string(score.size()));
    std::vector<std::size_t> order(group.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return group[a] < group[b]; });
    std::vector<std::pair<long, double>> out;
    std::vector<double> s, o;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        s.clear(), o.clear();
        for (; j < order.size() && group[order[j]] == group[order[i]]; ++j)
            s.push_back(score[order[j]]), o.push_back(outcome[order[j]]);
        auto constant = [](const std::vector<double>& v) {
            return std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; });
        };
        if (s.size() >= min_size && !constant(s) && !constant(o))
            out.emplace_back(group[order[i]], spearman(std::span<const double>(s), o));
        i = j;
    }
    return out;
}

std::vector<double> quantile_means(std::span<const double> score, std::span<const double> outcome,
                                   int q) {
    check_pair(score, outcome, "quantile_means", "score", "outcome");
    if (q < 1) fail("quantile_means", "q must be >= 1");
    const std::vector<std::size_t> order = argsort(score);
    const std::size_t n = order.size();
    std::vector<double> sum(static_cast<std::size_t>(q), 0.0), count(sum);
    for (std::size_t r = 0; r < n; ++r) {
        const std::size_t b = r * static_cast<std::size_t>(q) / n;
        sum[b] += outcome[order[r]];
        count[b] += 1;
    }
    for (std::size_t b = 0; b < sum.size(); ++b) sum[b] = count[b] > 0 ? sum[b] / count[b] : NAN;
    return sum;
}

std::vector<double> group_quantile_means(std::span<const long> group, std::span<const double> score,
                                         std::span<const double> outcome, int q) {
    check_pair(score, outcome, "group_quantile_means", "score", "outcome");
    if (group.size() != score.size())
        fail("group_quantile_means", "group and score differ in size");
    std::vector<std::size_t> order(group.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return group[a] < group[b]; });
    std::vector<double> sum(static_cast<std::size_t>(std::max(q, 1)), 0.0), s, o;
    std::size_t groups = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        s.clear(), o.clear();
        for (; j < order.size() && group[order[j]] == group[order[i]]; ++j)
            s.push_back(score[order[j]]), o.push_back(outcome[order[j]]);
        if (s.size() >= static_cast<std::size_t>(q)) {
            const std::vector<double> m = quantile_means(s, o, q);
            for (std::size_t b = 0; b < m.size(); ++b) sum[b] += m[b];
            ++groups;
        }
        i = j;
    }
    for (double& v : sum) v = groups ? v / static_cast<double>(groups) : NAN;
    return sum;
}

double binary_accuracy(std::span<const double> prob, std::span<const double> labels01,
                       double threshold) {
    return binary_accuracy_impl(prob, labels01, threshold);
}
double binary_accuracy(std::span<const float> prob, std::span<const float> labels01,
                       double threshold) {
    return binary_accuracy_impl(prob, labels01, threshold);
}

std::vector<double> returns_from_levels(std::span<const double> levels) {
    return returns_from_levels_impl(levels);
}
std::vector<double> returns_from_levels(std::span<const float> levels) {
    return returns_from_levels_impl(levels);
}

}  // namespace recur
