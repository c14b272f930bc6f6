#include "recur/training/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace recur {
namespace {

template <typename T>
Tensor<T> make(std::vector<Index> shape, std::vector<double> values) {
    Tensor<T> t(std::move(shape));
    EXPECT_EQ(t.size(), static_cast<Index>(values.size()));
    for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<T>(values[static_cast<size_t>(i)]);
    return t;
}

double sigmoid(double z) {
    return 1.0 / (1.0 + std::exp(-z));
}

TEST(LossNames, RoundTripAndAliases) {
    for (Loss l : {Loss::mse, Loss::mae, Loss::bce, Loss::bce_logits}) {
        EXPECT_EQ(loss_from_name(loss_name(l)), l);
    }
    EXPECT_EQ(loss_name(Loss::mse), "mse");
    EXPECT_EQ(loss_name(Loss::mae), "mae");
    EXPECT_EQ(loss_name(Loss::bce), "binary_crossentropy");
    EXPECT_EQ(loss_name(Loss::bce_logits), "binary_crossentropy_logits");
    EXPECT_EQ(loss_from_name("mean_squared_error"), Loss::mse);
    EXPECT_EQ(loss_from_name("mean_absolute_error"), Loss::mae);
    EXPECT_EQ(loss_from_name("bce"), Loss::bce);
    EXPECT_EQ(loss_from_name("MSE"), Loss::mse);
    EXPECT_THROW(loss_from_name("hinge"), std::invalid_argument);
    try {
        loss_from_name("hinge");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("binary_crossentropy"), std::string::npos);
    }
}

TEST(LossMse, HandComputedValueAndGradient) {
    // p - y = (-0.5, -2, 1, 0); squares 0.25 + 4 + 1 + 0 = 5.25; mean 5.25 / 4 = 1.3125.
    // grad = 2 (p - y) / 4 = (-0.25, -1, 0.5, 0).
    auto p = make<double>({2, 2}, {0.5, -1.0, 2.0, 0.0});
    auto y = make<double>({2, 2}, {1.0, 1.0, 1.0, 0.0});
    Tensor<double> g;
    EXPECT_DOUBLE_EQ(compute_loss(Loss::mse, p, y, &g), 1.3125);
    ASSERT_EQ(g.shape(), p.shape());
    EXPECT_DOUBLE_EQ(g[0], -0.25);
    EXPECT_DOUBLE_EQ(g[1], -1.0);
    EXPECT_DOUBLE_EQ(g[2], 0.5);
    EXPECT_DOUBLE_EQ(g[3], 0.0);
    // Without a gradient pointer the value is the same.
    EXPECT_DOUBLE_EQ(compute_loss<double>(Loss::mse, p, y, nullptr), 1.3125);
}

TEST(LossMae, HandComputedValueAndGradient) {
    // |p - y| = (0.5, 2, 1, 0); sum 3.5; mean 0.875.
    // grad = sign(p - y) / 4 = (-0.25, -0.25, 0.25, 0)  (subgradient 0 where p == y).
    auto p = make<float>({4}, {0.5, -1.0, 2.0, 0.0});
    auto y = make<float>({4}, {1.0, 1.0, 1.0, 0.0});
    Tensor<float> g;
    EXPECT_NEAR(compute_loss(Loss::mae, p, y, &g), 0.875, 1e-7);
    ASSERT_EQ(g.shape(), p.shape());
    EXPECT_FLOAT_EQ(g[0], -0.25f);
    EXPECT_FLOAT_EQ(g[1], -0.25f);
    EXPECT_FLOAT_EQ(g[2], 0.25f);
    EXPECT_FLOAT_EQ(g[3], 0.0f);
}

TEST(LossBce, HandComputedValueAndGradient) {
    // p = (0.9, 0.2, 0.6, 0.3), y = (1, 0, 1, 0):
    //   -ln 0.9 = 0.1053605157, -ln 0.8 = 0.2231435513, -ln 0.6 = 0.5108256238,
    //   -ln 0.7 = 0.3566749439; sum 1.1960046347; mean 0.2990011587.
    // grad = (-y/p + (1-y)/(1-p)) / 4 = (-1/3.6, 1/3.2, -1/2.4, 1/2.8)
    //      = (-0.2777777778, 0.3125, -0.4166666667, 0.3571428571).
    auto p = make<double>({2, 2}, {0.9, 0.2, 0.6, 0.3});
    auto y = make<double>({2, 2}, {1, 0, 1, 0});
    Tensor<double> g;
    EXPECT_NEAR(compute_loss(Loss::bce, p, y, &g), 0.299001158669, 1e-11);
    EXPECT_NEAR(g[0], -1.0 / 3.6, 1e-14);
    EXPECT_NEAR(g[1], 1.0 / 3.2, 1e-14);
    EXPECT_NEAR(g[2], -1.0 / 2.4, 1e-14);
    EXPECT_NEAR(g[3], 1.0 / 2.8, 1e-14);

    // Same in float.
    auto pf = tensor_cast<float>(p);
    auto yf = tensor_cast<float>(y);
    Tensor<float> gf;
    EXPECT_NEAR(compute_loss(Loss::bce, pf, yf, &gf), 0.299001158669, 1e-6);
    EXPECT_NEAR(gf[1], 0.3125f, 1e-6);
}

TEST(LossBce, SaturatedProbabilitiesStayFinite) {
    // Clipped to [1e-7, 1 - 1e-7]: a confidently wrong prediction costs -ln(1e-7) = 16.1180956510
    // per element; a confidently right one costs -ln(1 - 1e-7) ~= 1e-7.
    const double wrong = -std::log(1e-7);
    auto p = make<double>({4}, {0.0, 1.0, 1e-12, 1.0 - 1e-12});
    auto y = make<double>({4}, {1.0, 0.0, 0.0, 1.0});
    Tensor<double> g;
    const double l = compute_loss(Loss::bce, p, y, &g);
    EXPECT_TRUE(std::isfinite(l));
    EXPECT_NEAR(l, (2 * wrong + 2 * -std::log1p(-1e-7)) / 4, 1e-9);
    EXPECT_NEAR(l, 8.059047875, 1e-8);  // (2 * 16.1180956510 + 2 * 1.00000005e-7) / 4
    // The clip is active everywhere, so the gradient is zero (Keras: clip_by_value's gradient).
    for (Index i = 0; i < g.size(); ++i) EXPECT_EQ(g[i], 0.0) << i;

    // float: 1.0f and 0.0f must not produce inf either.
    auto pf = make<float>({2}, {0.0, 1.0});
    auto yf = make<float>({2}, {1.0, 0.0});
    Tensor<float> gf;
    const double lf = compute_loss(Loss::bce, pf, yf, &gf);
    EXPECT_NEAR(lf, wrong, 1e-6);
    EXPECT_TRUE(std::isfinite(gf[0]));
    EXPECT_TRUE(std::isfinite(gf[1]));
}

TEST(LossBceLogits, HandComputedValueAndGradient) {
    // z = (2, -1, 0, 3), y = (1, 0, 1, 0); max(z,0) - z y + ln(1 + e^-|z|):
    //   2 - 2 + ln(1 + e^-2) = 0.1269280110
    //   0 - 0 + ln(1 + e^-1) = 0.3132616875
    //   0 - 0 + ln 2         = 0.6931471806
    //   3 - 0 + ln(1 + e^-3) = 3.0485873516      sum 4.1819242307, mean 1.0454810577
    // grad = (sigmoid(z) - y) / 4.
    auto z = make<double>({4}, {2.0, -1.0, 0.0, 3.0});
    auto y = make<double>({4}, {1, 0, 1, 0});
    Tensor<double> g;
    EXPECT_NEAR(compute_loss(Loss::bce_logits, z, y, &g), 1.045481057674, 1e-11);
    EXPECT_NEAR(g[0], (sigmoid(2.0) - 1) / 4, 1e-15);
    EXPECT_NEAR(g[1], sigmoid(-1.0) / 4, 1e-15);
    EXPECT_NEAR(g[2], -0.125, 1e-15);  // (0.5 - 1) / 4
    EXPECT_NEAR(g[3], sigmoid(3.0) / 4, 1e-15);
}

TEST(LossBceLogits, MatchesBceOfSigmoidForModerateLogits) {
    std::vector<double> zs, ys;
    for (int i = 0; i < 21; ++i) {
        zs.push_back(-5.0 + 0.5 * i);
        ys.push_back((i % 3) / 2.0);  // 0, 0.5, 1 (soft labels too)
    }
    auto z = make<double>({21}, zs);
    auto y = make<double>({21}, ys);
    Tensor<double> p({21});
    for (Index i = 0; i < 21; ++i) p[i] = sigmoid(z[i]);
    Tensor<double> gz, gp;
    const double lz = compute_loss(Loss::bce_logits, z, y, &gz);
    const double lp = compute_loss(Loss::bce, p, y, &gp);
    EXPECT_NEAR(lz, lp, 1e-12);
    // Chain rule: dL/dz = dL/dp * p (1 - p).
    for (Index i = 0; i < 21; ++i) EXPECT_NEAR(gz[i], gp[i] * p[i] * (1 - p[i]), 1e-14) << i;
}

TEST(LossBceLogits, ExtremeLogitsStayFinite) {
    // z = 100, y = 0 costs 100 + ln(1 + e^-100) = 100; z = -100, y = 1 costs 100 too;
    // the right-side cases cost ln(1 + e^-100) ~= 3.7e-44.  Mean (100 + 100 + 0 + 0) / 4 = 50.
    auto z = make<double>({4}, {100.0, -100.0, 100.0, -100.0});
    auto y = make<double>({4}, {0, 1, 1, 0});
    Tensor<double> g;
    EXPECT_NEAR(compute_loss(Loss::bce_logits, z, y, &g), 50.0, 1e-12);
    EXPECT_NEAR(g[0], 0.25, 1e-15);   // (1 - 0) / 4
    EXPECT_NEAR(g[1], -0.25, 1e-15);  // (0 - 1) / 4
    EXPECT_NEAR(g[2], 0.0, 1e-15);
    EXPECT_NEAR(g[3], 0.0, 1e-15);

    auto zf = tensor_cast<float>(z);
    auto yf = tensor_cast<float>(y);
    Tensor<float> gf;
    EXPECT_NEAR(compute_loss(Loss::bce_logits, zf, yf, &gf), 50.0, 1e-5);
    for (Index i = 0; i < 4; ++i) EXPECT_TRUE(std::isfinite(gf[i])) << i;
}

// Central finite differences of the mean loss against the analytic gradient, in double.
void check_gradient(Loss loss, const Tensor<double>& pred, const Tensor<double>& target) {
    Tensor<double> g;
    compute_loss(loss, pred, target, &g);
    const double h = 1e-6;
    Tensor<double> q = pred;
    for (Index i = 0; i < pred.size(); ++i) {
        q[i] = pred[i] + h;
        const double up = compute_loss<double>(loss, q, target, nullptr);
        q[i] = pred[i] - h;
        const double down = compute_loss<double>(loss, q, target, nullptr);
        q[i] = pred[i];
        const double numeric = (up - down) / (2 * h);
        EXPECT_NEAR(g[i], numeric, 1e-7 * std::max(1.0, std::abs(numeric)))
            << loss_name(loss) << " element " << i;
    }
}

TEST(LossGradient, MatchesFiniteDifferences) {
    const std::vector<Index> shape{3, 2, 2};  // a (T, B, F) sequence batch
    std::vector<double> pv, yv, probs, labels;
    for (int i = 0; i < 12; ++i) {
        pv.push_back(std::sin(1.7 * i + 0.3) * 2.0);
        yv.push_back(std::cos(0.9 * i) * 1.5);
        probs.push_back(0.05 + 0.9 * (0.5 + 0.5 * std::sin(2.3 * i + 1.0)));
        labels.push_back(i % 4 == 3 ? 0.25 : static_cast<double>(i % 2));
    }
    auto p = make<double>(shape, pv);
    auto y = make<double>(shape, yv);
    check_gradient(Loss::mse, p, y);
    check_gradient(Loss::mae, p, y);  // |p - y| >> h everywhere here
    check_gradient(Loss::bce_logits, p, make<double>(shape, labels));
    check_gradient(Loss::bce, make<double>(shape, probs), make<double>(shape, labels));
}

TEST(LossErrors, ShapeMismatchThrows) {
    Tensor<double> a({2, 3}), b({3, 2}), c({2, 3, 1});
    Tensor<double> g;
    EXPECT_THROW(compute_loss(Loss::mse, a, b, &g), std::invalid_argument);
    EXPECT_THROW(compute_loss<double>(Loss::bce, a, c, nullptr), std::invalid_argument);
    Tensor<float> af({4}), bf({5});
    EXPECT_THROW(compute_loss<float>(Loss::mae, af, bf, nullptr), std::invalid_argument);
}

TEST(LossErrors, NanOrInfLossThrows) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto y = make<double>({3}, {0.0, 1.0, 0.0});
    for (Loss l : {Loss::mse, Loss::mae, Loss::bce, Loss::bce_logits}) {
        auto p = make<double>({3}, {0.5, nan, 0.5});
        Tensor<double> g;
        try {
            compute_loss(l, p, y, &g);
            ADD_FAILURE() << loss_name(l) << " did not throw on NaN";
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
            EXPECT_NE(msg.find(loss_name(l)), std::string::npos) << msg;
        }
        // A NaN target is just as bad.
        auto p2 = make<double>({3}, {0.5, 0.5, 0.5});
        auto y2 = make<double>({3}, {0.0, nan, 0.0});
        EXPECT_THROW(compute_loss<double>(l, p2, y2, nullptr), std::runtime_error) << loss_name(l);
    }
    auto pinf = make<double>({3}, {0.5, inf, 0.5});
    EXPECT_THROW(compute_loss<double>(Loss::mse, pinf, y, nullptr), std::runtime_error);
    EXPECT_THROW(compute_loss<double>(Loss::bce_logits, pinf, y, nullptr), std::runtime_error);
    auto pf = make<float>({2}, {0.5, 0.5});
    auto yf = make<float>({2}, {std::numeric_limits<float>::quiet_NaN(), 0.0});
    EXPECT_THROW(compute_loss<float>(Loss::mse, pf, yf, nullptr), std::runtime_error);
}

TEST(LossErrors, GradIsResizedLikePred) {
    auto p = make<float>({2, 1}, {0.2, 0.7});
    auto y = make<float>({2, 1}, {0.0, 1.0});
    Tensor<float> g({7, 7});
    compute_loss(Loss::mse, p, y, &g);
    EXPECT_EQ(g.shape(), p.shape());
}

}  // namespace
}  // namespace recur
