#include "recur/metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace recur {
namespace {

using Vec = std::vector<double>;
const double kNaN = std::nan("");

// Expects `f` to throw std::invalid_argument whose message contains `needle`.
template <typename F>
void expect_invalid(F&& f, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no exception; expected one mentioning \"" << needle << "\"";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
    }
}

// ------------------------------------------------------------------ rmse / mae

TEST(Metrics, RmseAndMaeHandComputed) {
    Vec pred{1, 2, 3, 4}, actual{2, 2, 5, 0};
    // errors pred - actual = -1, 0, -2, 4
    // squares 1 + 0 + 4 + 16 = 21, mean 21/4 = 5.25, rmse = sqrt(5.25) = 2.29128784747792
    EXPECT_NEAR(rmse(pred, actual), 2.29128784747792, 1e-14);
    EXPECT_DOUBLE_EQ(rmse(pred, actual), std::sqrt(5.25));
    // |errors| 1 + 0 + 2 + 4 = 7, mean 7/4 = 1.75
    EXPECT_DOUBLE_EQ(mae(pred, actual), 1.75);
    // symmetric in its arguments
    EXPECT_DOUBLE_EQ(rmse(actual, pred), rmse(pred, actual));
    EXPECT_DOUBLE_EQ(mae(actual, pred), mae(pred, actual));
    // a perfect forecast
    EXPECT_EQ(rmse(pred, pred), 0.0);
    EXPECT_EQ(mae(pred, pred), 0.0);
    // a single observation: rmse = mae = |0.5 - 2| = 1.5
    EXPECT_DOUBLE_EQ(rmse(Vec{0.5}, Vec{2.0}), 1.5);
    EXPECT_DOUBLE_EQ(mae(Vec{0.5}, Vec{2.0}), 1.5);
}

TEST(Metrics, RmseAtLeastMae) {
    // RMSE >= MAE (power mean inequality), equal iff all |errors| are equal.
    Vec pred{0.1, -0.3, 0.7, 0.2, 0.0}, actual{0.0, 0.1, 0.2, 0.2, -0.9};
    EXPECT_GT(rmse(pred, actual), mae(pred, actual));
    // |errors| all 1: rmse = mae = 1
    EXPECT_DOUBLE_EQ(rmse(Vec{1, 2, 3}, Vec{2, 1, 4}), 1.0);
    EXPECT_DOUBLE_EQ(mae(Vec{1, 2, 3}, Vec{2, 1, 4}), 1.0);
}

TEST(Metrics, RmseAndMaeRejectBadInput) {
    expect_invalid([] { rmse(Vec{1, 2, 3}, Vec{1, 2}); }, "pred has 3 entries, actual has 2");
    expect_invalid([] { mae(Vec{1}, Vec{1, 2}); }, "pred has 1 entries, actual has 2");
    expect_invalid([] { rmse(Vec{}, Vec{}); }, "empty");
    expect_invalid([] { mae(Vec{}, Vec{}); }, "empty");
    expect_invalid([] { rmse(Vec{1, 2, kNaN}, Vec{1, 2, 3}); }, "recur::rmse: pred[2] is NaN");
    expect_invalid([] { rmse(Vec{1, 2, 3}, Vec{kNaN, 2, 3}); }, "actual[0] is NaN");
    expect_invalid([] { mae(Vec{1, 2, 3}, Vec{1, kNaN, kNaN}); }, "recur::mae: actual[1] is NaN");
}

TEST(Metrics, FloatOverloadsComputeInDouble) {
    std::vector<float> pf{1, 2, 3, 4}, af{2, 2, 5, 0};
    EXPECT_DOUBLE_EQ(rmse(pf, af), std::sqrt(5.25));
    EXPECT_DOUBLE_EQ(mae(pf, af), 1.75);
    std::vector<float> x{1, 2, 2, 3}, y{1, 3, 2, 4};
    EXPECT_DOUBLE_EQ(spearman(x, y), spearman(Vec{1, 2, 2, 3}, Vec{1, 3, 2, 4}));
    EXPECT_DOUBLE_EQ(pearson(x, y), pearson(Vec{1, 2, 2, 3}, Vec{1, 3, 2, 4}));
    EXPECT_EQ(average_ranks(x), (Vec{1, 2.5, 2.5, 4}));
    EXPECT_DOUBLE_EQ(
        roc_auc(std::vector<float>{0.1f, 0.4f, 0.35f, 0.8f}, std::vector<float>{0, 0, 1, 1}), 0.75);
    EXPECT_DOUBLE_EQ(binary_accuracy(std::vector<float>{0.9f, 0.2f}, std::vector<float>{1, 1}),
                     0.5);
    EXPECT_DOUBLE_EQ(direction_accuracy(std::vector<float>{1, -1}, std::vector<float>{2, 3}), 0.5);
    // float 1.5f and 3.0f are exact: 3 / 1.5 - 1 = 1
    EXPECT_EQ(returns_from_levels(std::vector<float>{1.5f, 3.0f}), (Vec{1.0}));
    expect_invalid(
        [] {
            rmse(std::vector<float>{1, std::nanf("")}, std::vector<float>{1, 2});
        },
        "pred[1] is NaN");
}

// ------------------------------------------------------------------ pearson

TEST(Metrics, PearsonHandComputed) {
    // x = 1..5, y = 2 4 5 4 5: means 3 and 4
    // dx = -2 -1 0 1 2, dy = -2 0 1 0 1
    // sxy = 4 + 0 + 0 + 0 + 2 = 6, sxx = 10, syy = 4 + 0 + 1 + 0 + 1 = 6
    // r = 6 / sqrt(10 * 6) = 0.7745966692414834  (scipy.stats.pearsonr: same)
    EXPECT_NEAR(pearson(Vec{1, 2, 3, 4, 5}, Vec{2, 4, 5, 4, 5}), 0.7745966692414834, 1e-15);
    // exact linear relations give +-1 (clipped, never 1 + epsilon)
    EXPECT_DOUBLE_EQ(pearson(Vec{1, 2, 3, 4}, Vec{-4, -1, 2, 5}), 1.0);     // y = 3x - 7
    EXPECT_DOUBLE_EQ(pearson(Vec{1, 2, 3, 4}, Vec{-1, -2, -3, -4}), -1.0);  // y = -x
    EXPECT_LE(pearson(Vec{0.1, 0.2, 0.3}, Vec{0.3, 0.6, 0.9}), 1.0);
    // two points are always perfectly (anti)correlated
    EXPECT_DOUBLE_EQ(pearson(Vec{1, 2}, Vec{5, 3}), -1.0);
    // y = x^3 on 1..4: means 2.5, 25; dx = -1.5 -.5 .5 1.5, dy = -24 -17 2 39
    // sxy = 36 + 8.5 + 1 + 58.5 = 104, sxx = 5, syy = 576 + 289 + 4 + 1521 = 2390
    // r = 104 / sqrt(11950) = 0.9513698557924043 (scipy: same)
    EXPECT_NEAR(pearson(Vec{1, 2, 3, 4}, Vec{1, 8, 27, 64}), 0.9513698557924043, 1e-15);
}

TEST(Metrics, PearsonConstantInputIsNaNAndBadInputThrows) {
    // sxx = 0: r = 0/0, undefined; SciPy returns nan (with a warning)
    EXPECT_TRUE(std::isnan(pearson(Vec{2, 2, 2}, Vec{1, 2, 3})));
    EXPECT_TRUE(std::isnan(pearson(Vec{1, 2, 3}, Vec{7, 7, 7})));
    expect_invalid([] { pearson(Vec{1}, Vec{2}); }, "at least 2");
    expect_invalid([] { pearson(Vec{1, 2}, Vec{2}); }, "x has 2 entries, y has 1");
    expect_invalid([] { pearson(Vec{1, 2}, Vec{2, kNaN}); }, "recur::pearson: y[1] is NaN");
}

// ------------------------------------------------------------------ ranks / spearman

TEST(Metrics, AverageRanksHandComputed) {
    // sorted: 5 (rank 1), 10 (rank 2), 20 20 (ranks 3 and 4 -> 3.5 each)
    EXPECT_EQ(average_ranks(Vec{10, 20, 20, 5}), (Vec{2, 3.5, 3.5, 1}));
    // 3 1 4 1 5 9 2 6 5 3 5 sorted: 1 1 | 2 | 3 3 | 4 | 5 5 5 | 6 | 9 at positions 1..11:
    // 1 -> (1+2)/2 = 1.5, 2 -> 3, 3 -> (4+5)/2 = 4.5, 4 -> 6, 5 -> (7+8+9)/3 = 8, 6 -> 10,
    // 9 -> 11 (scipy.stats.rankdata: [4.5 1.5 6 1.5 8 11 3 10 8 4.5 8])
    EXPECT_EQ(average_ranks(Vec{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}),
              (Vec{4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8}));
    // all tied: every rank is (1 + n) / 2 = 2.5
    EXPECT_EQ(average_ranks(Vec{7, 7, 7, 7}), (Vec{2.5, 2.5, 2.5, 2.5}));
    // -0.0 == 0.0 ties; infinities rank at the ends
    EXPECT_EQ(average_ranks(Vec{0.0, -INFINITY, -0.0, INFINITY}), (Vec{2.5, 1, 2.5, 4}));
    EXPECT_TRUE(average_ranks(Vec{}).empty());
    expect_invalid([] { average_ranks(Vec{1, kNaN}); }, "recur::average_ranks: x[1] is NaN");
}

TEST(Metrics, SpearmanWithTiesUsesAverageRanks) {
    // x = 1 2 2 3 -> ranks 1 2.5 2.5 4;  y = 1 3 2 4 -> ranks 1 3 2 4; both rank means 2.5
    // dx = -1.5 0 0 1.5, dy = -1.5 .5 -.5 1.5
    // sxy = 2.25 + 0 + 0 + 2.25 = 4.5, sxx = 4.5, syy = 2.25 + .25 + .25 + 2.25 = 5
    // rho = 4.5 / sqrt(4.5 * 5) = 0.9486832980505138 (scipy.stats.spearmanr:
    // 0.9486832980505139). The no-ties shortcut 1 - 6 sum d^2 / (n (n^2 - 1)) =
    // 1 - 6 * 0.5 / 60 = 0.95 would be wrong here.
    const double rho = spearman(Vec{1, 2, 2, 3}, Vec{1, 3, 2, 4});
    EXPECT_NEAR(rho, 0.9486832980505138, 1e-15);
    EXPECT_GT(std::abs(rho - 0.95), 1e-3);
}

TEST(Metrics, SpearmanHandComputed) {
    // monotone but nonlinear: ranks equal, rho = 1 while pearson = 0.95137 < 1
    EXPECT_DOUBLE_EQ(spearman(Vec{1, 2, 3, 4}, Vec{1, 8, 27, 64}), 1.0);
    EXPECT_DOUBLE_EQ(spearman(Vec{0.1, 0.5, 0.2}, Vec{-1, -30, -2}), -1.0);
    // no ties, n = 5: x ranks 1..5, y = 2 1 4 3 5 -> d = -1 1 -1 1 0, sum d^2 = 4
    // rho = 1 - 6 * 4 / (5 * 24) = 1 - 0.2 = 0.8 (scipy: 0.7999999999999999)
    EXPECT_NEAR(spearman(Vec{10, 20, 30, 40, 50}, Vec{0.2, 0.1, 0.4, 0.3, 0.5}), 0.8, 1e-15);
    // heavy ties in both: x = 0 0 1 1 -> ranks 1.5 1.5 3.5 3.5; y = 0 1 1 1 -> 1 3 3 3
    // means 2.5 and 2.5; dx = -1 -1 1 1, dy = -1.5 .5 .5 .5
    // sxy = 1.5 - .5 + .5 + .5 = 2, sxx = 4, syy = 2.25 + .25 * 3 = 3
    // rho = 2 / sqrt(12) = 0.5773502691896258 (scipy: 0.5773502691896257)
    EXPECT_NEAR(spearman(Vec{0, 0, 1, 1}, Vec{0, 1, 1, 1}), 0.5773502691896258, 1e-15);
    // a constant input has constant ranks: undefined
    EXPECT_TRUE(std::isnan(spearman(Vec{1, 1, 1}, Vec{1, 2, 3})));
    expect_invalid([] { spearman(Vec{1}, Vec{1}); }, "at least 2");
    expect_invalid([] { spearman(Vec{1, kNaN}, Vec{1, 2}); }, "recur::spearman: x[1] is NaN");
}

// ------------------------------------------------------------------ direction accuracy

TEST(Metrics, DirectionAccuracyHandComputed) {
    //          i:    0     1     2     3     4     5
    Vec pred_change{0.5, -0.2, 0.1, 0.0, -0.3, 0.2};
    Vec actual_chng{1.0, -1.0, -0.5, 0.4, 0.0, 0.0};
    // 0 up/up hit; 1 down/down hit; 2 up/down miss; 3 no predicted direction vs up: miss;
    // 4 and 5 zero actual change: excluded. hits 2 of |S| = 4 -> 0.5
    EXPECT_DOUBLE_EQ(direction_accuracy(pred_change, actual_chng), 0.5);
    // magnitudes do not matter, only signs: 3 of 3
    EXPECT_DOUBLE_EQ(direction_accuracy(Vec{1e-9, -5, 2}, Vec{100, -1e-9, 3}), 1.0);
    // 1 of 3
    EXPECT_NEAR(direction_accuracy(Vec{1, 1, 1}, Vec{1, -1, -2}), 1.0 / 3.0, 1e-16);
    // only zero actual changes: nothing to score, undefined
    EXPECT_TRUE(std::isnan(direction_accuracy(Vec{1, -1}, Vec{0, -0.0})));
    expect_invalid(
        [] {
            direction_accuracy(Vec{1}, Vec{1, 2});
        },
        "pred_change has 1 entries, actual_change has 2");
    expect_invalid([] { direction_accuracy(Vec{}, Vec{}); }, "empty");
    expect_invalid([] { direction_accuracy(Vec{1, 2}, Vec{kNaN, 1}); }, "actual_change[0] is NaN");
}

TEST(Metrics, DirectionAccuracyOnReturnsFromLevels) {
    // levels 100 110 99 99 120 -> returns .1, -.1, 0, .2121...
    // a forecast of levels 100 105 104 100 121 -> predicted changes vs previous actual level:
    // 105/100-1 > 0 (up, actual up: hit), 104/110-1 < 0 (down, actual down: hit),
    // 100/99-1 > 0 (actual flat: excluded), 121/99-1 > 0 (up, actual up: hit) -> 3 of 3
    Vec levels{100, 110, 99, 99, 120};
    Vec forecast{105, 104, 100, 121};  // forecast[t] is the level predicted for t + 1
    Vec actual = returns_from_levels(levels);
    Vec pred(forecast.size());
    for (std::size_t t = 0; t < forecast.size(); ++t) pred[t] = forecast[t] / levels[t] - 1;
    EXPECT_DOUBLE_EQ(direction_accuracy(pred, actual), 1.0);
}

// ------------------------------------------------------------------ ROC AUC

TEST(Metrics, RocAucHandComputed) {
    // sklearn's docstring example: positives 0.35, 0.8; negatives 0.1, 0.4
    // pairs (pos > neg): 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes -> 3 / 4 = 0.75
    EXPECT_DOUBLE_EQ(roc_auc(Vec{0.1, 0.4, 0.35, 0.8}, Vec{0, 0, 1, 1}), 0.75);
    // perfect ranking and its reverse
    EXPECT_DOUBLE_EQ(roc_auc(Vec{0.1, 0.2, 0.8, 0.9}, Vec{0, 0, 1, 1}), 1.0);
    EXPECT_DOUBLE_EQ(roc_auc(Vec{0.1, 0.2, 0.8, 0.9}, Vec{1, 1, 0, 0}), 0.0);
    // scores need not be probabilities: logits / predicted returns, only order matters
    EXPECT_DOUBLE_EQ(roc_auc(Vec{-3, 40, 2, 1e6}, Vec{0, 0, 1, 1}), 0.75);
}

TEST(Metrics, RocAucTiesCountHalf) {
    // scores 0.2 0.5 0.5 0.5 0.9, labels 0 0 1 1 1: positives 0.5 0.5 0.9, negatives 0.2 0.5
    // pair credit: each positive 0.5 beats 0.2 (1) and ties 0.5 (1/2) -> 1.5, twice -> 3;
    // 0.9 beats both -> 2. U = 5, AUC = 5 / (3 * 2) = 0.8333333333333334.
    // Rank form: ranks 1, (2+3+4)/3 = 3 x3, 5; positives' rank sum 3 + 3 + 5 = 11,
    // U = 11 - 3 * 4 / 2 = 5. sklearn roc_auc_score: 0.8333333333333333 (within 1 ulp).
    EXPECT_NEAR(roc_auc(Vec{0.2, 0.5, 0.5, 0.5, 0.9}, Vec{0, 0, 1, 1, 1}), 5.0 / 6.0, 1e-15);
    // all scores tied: every pair is a tie -> 0.5, whatever the labels
    EXPECT_DOUBLE_EQ(roc_auc(Vec{0.7, 0.7, 0.7, 0.7, 0.7}, Vec{1, 0, 0, 1, 0}), 0.5);
    // binary scores (a hard classifier): scores 1 1 0 0 1, labels 1 0 0 1 1
    // positives 1, 0, 1; negatives 1, 0
    // pos 1: vs neg 1 tie .5, vs neg 0 win 1 -> 1.5 (twice: 3); pos 0: tie .5 with neg 0 -> .5
    // U = 3.5, AUC = 3.5 / 6 = 0.5833333333333334 (= (TPR + TNR) / 2 = (2/3 + 1/2) / 2;
    // sklearn: 0.5833333333333333)
    EXPECT_NEAR(roc_auc(Vec{1, 1, 0, 0, 1}, Vec{1, 0, 0, 1, 1}), 3.5 / 6.0, 1e-15);
}

TEST(Metrics, RocAucMatchesBruteForcePairCount) {
    // O(n^2) definition vs the O(n log n) sort, with heavy ties (scores in 0.0 .. 1.0 step .1)
    std::mt19937_64 gen(42);
    std::uniform_int_distribution<int> tenth(0, 10);
    std::bernoulli_distribution coin(0.3);
    for (int trial = 0; trial < 20; ++trial) {
        const std::size_t n = 50 + 37 * static_cast<std::size_t>(trial);
        Vec s(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = tenth(gen) / 10.0;
            y[i] = coin(gen) ? 1.0 : 0.0;
        }
        y[0] = 0;
        y[1] = 1;
        double credit = 0;
        double n1 = 0, n0 = 0;
        for (std::size_t i = 0; i < n; ++i) (y[i] == 1 ? n1 : n0) += 1;
        for (std::size_t i = 0; i < n; ++i) {
            if (y[i] != 1) continue;
            for (std::size_t j = 0; j < n; ++j) {
                if (y[j] != 0) continue;
                credit += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
            }
        }
        EXPECT_NEAR(roc_auc(s, y), credit / (n1 * n0), 1e-14) << "trial " << trial;
    }
}

TEST(Metrics, RocAucInvariantToMonotoneTransformAndLargeInput) {
    std::mt19937_64 gen(7);
    std::normal_distribution<double> normal;
    const std::size_t n = 200000;
    Vec logit(n), prob(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = i % 3 == 0 ? 1.0 : 0.0;
        logit[i] = 0.5 * y[i] + normal(gen);
        prob[i] = 1.0 / (1.0 + std::exp(-logit[i]));
    }
    const double a = roc_auc(logit, y);
    // sigmoid is monotone; rounding could at most merge two near-equal logits into a tie,
    // moving the AUC by 0.5 / (n1 n0) ~ 1e-10
    EXPECT_NEAR(roc_auc(prob, y), a, 1e-9);
    // separation 0.5 sd: AUC = Phi(0.5 / sqrt 2) = 0.6381631950841185 (binormal model)
    EXPECT_NEAR(a, 0.6381631950841185, 0.005);
    // flipping the labels gives 1 - AUC
    Vec flipped(n);
    for (std::size_t i = 0; i < n; ++i) flipped[i] = 1.0 - y[i];
    EXPECT_NEAR(roc_auc(logit, flipped), 1.0 - a, 1e-15);
}

TEST(Metrics, RocAucRejectsBadInput) {
    expect_invalid([] { roc_auc(Vec{0.1, 0.2, 0.3}, Vec{1, 1, 1}); }, "only one class");
    expect_invalid([] { roc_auc(Vec{0.1, 0.2}, Vec{0, 0}); }, "only one class");
    expect_invalid([] { roc_auc(Vec{0.1, 0.2}, Vec{0, 2}); }, "labels01[1]");
    expect_invalid([] { roc_auc(Vec{0.1, 0.2}, Vec{0, 0.5}); }, "is not 0 or 1");
    expect_invalid([] { roc_auc(Vec{0.1, 0.2}, Vec{-1, 1}); }, "labels01[0]");
    expect_invalid([] { roc_auc(Vec{0.1, kNaN}, Vec{0, 1}); }, "recur::roc_auc: scores[1] is NaN");
    expect_invalid([] { roc_auc(Vec{0.1, 0.2}, Vec{0, kNaN}); }, "labels01[1] is NaN");
    expect_invalid([] { roc_auc(Vec{0.1}, Vec{0, 1}); }, "scores has 1 entries, labels01 has 2");
    expect_invalid([] { roc_auc(Vec{}, Vec{}); }, "empty");
}

// ------------------------------------------------------------------ binary accuracy

TEST(Metrics, BinaryAccuracyHandComputed) {
    Vec prob{0.9, 0.2, 0.5, 0.7, 0.4}, y{1, 0, 1, 0, 0};
    // threshold .5: predicted 1 0 0 1 0 (0.5 is not > 0.5) vs 1 0 1 0 0 -> hits 1 1 0 0 1 = 3/5
    EXPECT_DOUBLE_EQ(binary_accuracy(prob, y), 0.6);
    // threshold .3: predicted 1 0 1 1 1 -> hits 1 1 1 0 0 = 3/5
    EXPECT_DOUBLE_EQ(binary_accuracy(prob, y, 0.3), 0.6);
    // threshold .8: predicted 1 0 0 0 0 -> hits 1 1 0 1 1 = 4/5
    EXPECT_DOUBLE_EQ(binary_accuracy(prob, y, 0.8), 0.8);
    EXPECT_DOUBLE_EQ(binary_accuracy(Vec{0.51, 0.49}, Vec{1, 0}), 1.0);
    EXPECT_DOUBLE_EQ(binary_accuracy(Vec{0.49, 0.51}, Vec{1, 0}), 0.0);
    // one class only is fine for accuracy (unlike AUC)
    EXPECT_DOUBLE_EQ(binary_accuracy(Vec{0.6, 0.7, 0.1, 0.2}, Vec{1, 1, 1, 1}), 0.5);
    expect_invalid([] { binary_accuracy(Vec{0.1, 0.2}, Vec{0, 3}); }, "labels01[1]");
    expect_invalid([] { binary_accuracy(Vec{0.1}, Vec{0, 1}); }, "prob has 1 entries");
    expect_invalid([] { binary_accuracy(Vec{kNaN}, Vec{0}); }, "prob[0] is NaN");
    expect_invalid([] { binary_accuracy(Vec{0.1}, Vec{0}, kNaN); }, "threshold is NaN");
}

// ------------------------------------------------------------------ returns

TEST(Metrics, ReturnsFromLevelsHandComputed) {
    // 110/100 - 1 = .1, 99/110 - 1 = -.1, 99/99 - 1 = 0, 120/99 - 1 = 0.21212121...
    Vec r = returns_from_levels(Vec{100, 110, 99, 99, 120});
    ASSERT_EQ(r.size(), 4u);
    EXPECT_NEAR(r[0], 0.1, 1e-15);
    EXPECT_NEAR(r[1], -0.1, 1e-15);
    EXPECT_EQ(r[2], 0.0);
    EXPECT_NEAR(r[3], 21.0 / 99.0, 1e-15);
    // compounding the returns recovers the last level: 100 * prod(1 + r) = 120
    double level = 100;
    for (double x : r) level *= 1 + x;
    EXPECT_NEAR(level, 120.0, 1e-12);
    // fewer than two levels: no returns
    EXPECT_TRUE(returns_from_levels(Vec{100}).empty());
    EXPECT_TRUE(returns_from_levels(Vec{}).empty());
    expect_invalid([] { returns_from_levels(Vec{1, 0, 2}); }, "levels[1] is 0");
    expect_invalid([] { returns_from_levels(Vec{1, 2, kNaN}); }, "levels[2] is NaN");
}

// ------------------------------------------------------------------ sklearn / scipy parity

nlohmann::json load_fixture() {
    const std::string path = std::string(RECUR_FIXTURE_DIR) + "/auc_sklearn.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(in);
}

TEST(Metrics, RocAucMatchesSklearnFixtures) {
    const nlohmann::json doc = load_fixture();
    ASSERT_GE(doc.at("auc").size(), 8u);
    for (const auto& c : doc.at("auc")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const Vec scores = c.at("scores").get<Vec>();
        const Vec labels = c.at("labels").get<Vec>();
        EXPECT_NEAR(roc_auc(scores, labels), c.at("auc").get<double>(), 1e-12);
    }
}

TEST(Metrics, SpearmanAndRanksMatchScipyFixtures) {
    const nlohmann::json doc = load_fixture();
    ASSERT_GE(doc.at("spearman").size(), 2u);
    for (const auto& c : doc.at("spearman")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const Vec x = c.at("x").get<Vec>(), y = c.at("y").get<Vec>();
        EXPECT_NEAR(spearman(x, y), c.at("rho").get<double>(), 1e-12);
        // ranks are halves: exact
        EXPECT_EQ(average_ranks(x), c.at("ranks_x").get<Vec>());
        EXPECT_EQ(average_ranks(y), c.at("ranks_y").get<Vec>());
    }
}

TEST(Metrics, PearsonMatchesScipyFixtures) {
    const nlohmann::json doc = load_fixture();
    ASSERT_GE(doc.at("pearson").size(), 1u);
    for (const auto& c : doc.at("pearson")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        EXPECT_NEAR(pearson(c.at("x").get<Vec>(), c.at("y").get<Vec>()), c.at("r").get<double>(),
                    1e-12);
    }
}

}  // namespace
}  // namespace recur

namespace recur {
namespace {

TEST(RocCurve, AreaUnderTheCurveEqualsRocAuc) {
    // Ties across classes (0.5 twice) make one diagonal step, as in sklearn.
    const std::vector<double> s = {0.1, 0.4, 0.35, 0.8, 0.5, 0.5, 0.9};
    const std::vector<double> y = {0, 0, 1, 1, 0, 1, 1};
    RocCurve c = roc_curve(s, y);
    ASSERT_EQ(c.fpr.size(), 7u);  // (0,0) + 6 distinct scores
    EXPECT_EQ(c.fpr.front(), 0.0);
    EXPECT_EQ(c.tpr.back(), 1.0);
    EXPECT_EQ(c.fpr.back(), 1.0);
    EXPECT_EQ(c.thresholds[3], 0.5);
    EXPECT_DOUBLE_EQ(c.tpr[3], 3.0 / 4);  // 0.9, 0.8, one 0.5 positive
    EXPECT_DOUBLE_EQ(c.fpr[3], 1.0 / 3);  // the 0.5 negative
    double area = 0;
    for (std::size_t i = 1; i < c.fpr.size(); ++i)
        area += (c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1]) / 2;
    EXPECT_DOUBLE_EQ(area, roc_auc(std::span<const double>(s), y));
}

TEST(GroupSpearman, OneIcPerGroupSkippingSmallAndConstantGroups) {
    const std::vector<long> g = {7, 3, 7, 3, 7, 3, 9, 9, 5, 5, 5};
    const std::vector<double> s = {1, 1, 2, 2, 3, 3, 1, 2, 1, 2, 3};
    const std::vector<double> o = {10, 30, 20, 20, 30, 10, 5, 6, 4, 4, 4};
    auto ic = group_spearman(g, s, o, 3);
    ASSERT_EQ(ic.size(), 2u);  // group 9 too small, group 5 has a constant outcome
    EXPECT_EQ(ic[0].first, 3);
    EXPECT_DOUBLE_EQ(ic[0].second, -1.0);
    EXPECT_EQ(ic[1].first, 7);
    EXPECT_DOUBLE_EQ(ic[1].second, 1.0);
}

TEST(QuantileMeans, BucketsByRank) {
    const std::vector<double> s = {0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0};
    std::vector<double> o(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) o[i] = 10 * s[i];
    auto q = quantile_means(s, o, 5);
    ASSERT_EQ(q.size(), 5u);
    EXPECT_DOUBLE_EQ(q[0], 0.5);  // scores 0.0, 0.1
    EXPECT_DOUBLE_EQ(q[4], 8.5);  // scores 0.8, 0.9
    EXPECT_THROW(quantile_means(s, o, 0), std::invalid_argument);
}

TEST(QuantileMeans, WithinEachGroupThenAveraged) {
    // Week 1: scores rank outcomes 1 < 2; week 2: 10 < 20. Pooled, the week-2 samples fill the
    // top half; within weeks, bucket 0 averages (1 + 10) / 2 and bucket 1 (2 + 20) / 2.
    const std::vector<long> g = {1, 1, 2, 2};
    const std::vector<double> s = {0.1, 0.2, 0.9, 0.8}, o = {1, 2, 20, 10};
    auto q = group_quantile_means(g, s, o, 2);
    ASSERT_EQ(q.size(), 2u);
    EXPECT_DOUBLE_EQ(q[0], 5.5);
    EXPECT_DOUBLE_EQ(q[1], 11.0);
    EXPECT_DOUBLE_EQ(quantile_means(s, o, 2)[0], 1.5);  // pooled: weeks 1's two samples
}

}  // namespace
}  // namespace recur
