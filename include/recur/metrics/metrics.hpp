// recur/metrics/metrics.hpp — the evaluation metrics quants read off a forecast.
//
// Every function takes std::span<const double> (a std::vector<double> converts implicitly) and
// has a std::span<const float> overload that computes in double. Results are double.
//
// Conventions shared by all functions:
//   * Paired inputs (prediction / actual, x / y, scores / labels) must have equal sizes, and
//     must not be empty; otherwise std::invalid_argument.
//   * A NaN anywhere in the input throws std::invalid_argument naming the argument and the
//     index of the first NaN, e.g. "recur::rmse: pred[17] is NaN". NaN is never skipped
//     silently: a gap in a series is the caller's decision to drop or fill.
//   * Where the inputs are valid but the metric is undefined (0 / 0: a constant series for a
//     correlation, no nonzero actual change for direction accuracy) the result is a quiet NaN,
//     as NumPy / SciPy return, rather than an exception, so a report still prints.
//   * Sums use a plain loop in double: no reordering, results are bit-reproducible.
#pragma once

#include <span>
#include <utility>
#include <vector>

namespace recur {

// Root mean squared error:  rmse = sqrt( (1/n) * sum_i (pred[i] - actual[i])^2 ).
// Same units as the series (the README's "Test RMSE" on the [0, 1]-scaled index).
double rmse(std::span<const double> pred, std::span<const double> actual);
double rmse(std::span<const float> pred, std::span<const float> actual);

// Mean absolute error:  mae = (1/n) * sum_i |pred[i] - actual[i]|.
double mae(std::span<const double> pred, std::span<const double> actual);
double mae(std::span<const float> pred, std::span<const float> actual);

// Pearson correlation (as scipy.stats.pearsonr / numpy.corrcoef), two-pass:
//   mx = (1/n) sum x[i],  my = (1/n) sum y[i]
//   r  = sum (x[i]-mx)(y[i]-my) / sqrt( sum (x[i]-mx)^2 * sum (y[i]-my)^2 ),
// clipped to [-1, 1] against rounding. Needs n >= 2 (else std::invalid_argument). If x or y
// is constant (a zero sum of squares) r is undefined and the result is NaN, as SciPy returns.
double pearson(std::span<const double> x, std::span<const double> y);
double pearson(std::span<const float> x, std::span<const float> y);

// 1-based ranks with ties given the average of the ranks they span, as
// scipy.stats.rankdata(x, method="average"):  sorting x ascending, a group of equal values
// occupying sorted positions p .. q (1-based) all get rank (p + q) / 2.
// Example: {10, 20, 20, 5} -> {2, 3.5, 3.5, 1}. Ranks are exact (integers or halves).
// O(n log n). Throws on NaN; an empty input gives an empty result.
std::vector<double> average_ranks(std::span<const double> x);
std::vector<double> average_ranks(std::span<const float> x);

// Spearman rank correlation with ties (as scipy.stats.spearmanr): the Pearson correlation of
// average_ranks(x) and average_ranks(y). With no ties this equals 1 - 6 sum d_i^2 / (n(n^2-1)),
// d_i the rank differences; with ties that shortcut is wrong and is not used. Needs n >= 2;
// NaN if either input is constant.
double spearman(std::span<const double> x, std::span<const double> y);
double spearman(std::span<const float> x, std::span<const float> y);

// Direction (sign) accuracy of predicted changes:
//   S = { i : actual_change[i] != 0 }                 (zero actual moves are excluded)
//   direction_accuracy = |{ i in S : sign(pred_change[i]) == sign(actual_change[i]) }| / |S|.
// A zero actual change is neither up nor down, so it is dropped from numerator and
// denominator. A zero predicted change (with a nonzero actual) predicts no direction and
// counts as a miss. If S is empty (every actual change is zero) the result is NaN.
// Pass changes (returns, or differences of levels), not levels.
double direction_accuracy(std::span<const double> pred_change,
                          std::span<const double> actual_change);
double direction_accuracy(std::span<const float> pred_change, std::span<const float> actual_change);

// Area under the ROC curve, equal to scikit-learn's roc_auc_score(labels01, scores) including
// tied scores. Computed as the Mann-Whitney U statistic with average ranks:
//   AUC = ( sum_{i: y=1} rank(score_i) - n1 (n1 + 1) / 2 ) / (n1 * n0)
//       = P(score of a random positive > score of a random negative)
//         + 0.5 * P(the two scores are equal),
// n1 / n0 the numbers of positives / negatives. Implemented by one sort (O(n log n)) and, per
// group of tied scores, adding (negatives below) + 0.5 * (negatives in the group) for each
// positive in the group: an exact count in halves, divided once by n1 * n0.
// labels01 entries must be exactly 0 or 1 (else std::invalid_argument with the index). Throws
// std::invalid_argument if only one class is present (AUC is undefined), as sklearn raises.
// Scores may be any real numbers (probabilities, logits, predicted returns); only their order
// matters.
double roc_auc(std::span<const double> scores, std::span<const double> labels01);
double roc_auc(std::span<const float> scores, std::span<const float> labels01);

// The ROC curve as scikit-learn's roc_curve(labels01, scores, drop_intermediate=False): one
// point per distinct score, from the highest down, starting at (0, 0); fpr[i] / tpr[i] are the
// shares of negatives / positives with score >= that threshold. The trapezoid area under it is
// roc_auc. Same argument checks as roc_auc.
struct RocCurve {
    std::vector<double> fpr, tpr, thresholds;
};
RocCurve roc_curve(std::span<const double> scores, std::span<const double> labels01);

// Cross-sectional information coefficient: the Spearman correlation of score and outcome within
// each group (e.g. each week across stocks), for groups with at least `min_size` members and
// non-constant values. `group` holds a group key per sample; samples need not be sorted.
// Returns (key, IC) pairs in increasing key order. Averaging them gives the "mean weekly IC".
std::vector<std::pair<long, double>> group_spearman(std::span<const long> group,
                                                    std::span<const double> score,
                                                    std::span<const double> outcome,
                                                    std::size_t min_size = 10);

// Mean outcome per score quantile bucket (quintiles for q = 5), bucket 0 = lowest scores.
// Buckets are by rank (pandas qcut on ranks): sample i goes to floor(rank_i * q / n).
std::vector<double> quantile_means(std::span<const double> score, std::span<const double> outcome,
                                   int q = 5);

// quantile_means within each group (e.g. each week's cross-section), then averaged over the
// groups with at least q members: what an equal-weight portfolio per bucket rebalanced every
// period earns on average, without the pooled version's mix of timing and cross-section.
std::vector<double> group_quantile_means(std::span<const long> group, std::span<const double> score,
                                         std::span<const double> outcome, int q = 5);

// Accuracy of probabilities against 0/1 labels at a threshold:
//   predicted class = 1 if prob[i] > threshold else 0   (prob == threshold counts as class 0,
//                                                        as Keras' binary_accuracy does)
//   binary_accuracy = |{ i : predicted class == labels01[i] }| / n.
// labels01 entries must be exactly 0 or 1. The probabilities are not range-checked.
double binary_accuracy(std::span<const double> prob, std::span<const double> labels01,
                       double threshold = 0.5);
double binary_accuracy(std::span<const float> prob, std::span<const float> labels01,
                       double threshold = 0.5);

// Simple returns of a price / level series:  r[t-1] = levels[t] / levels[t-1] - 1  for
// t = 1 .. n-1, so the result has n - 1 entries (empty if n < 2). Throws std::invalid_argument
// on NaN, or on a zero level that would be divided by (naming its index).
std::vector<double> returns_from_levels(std::span<const double> levels);
std::vector<double> returns_from_levels(std::span<const float> levels);

}  // namespace recur
