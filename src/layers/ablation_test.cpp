// Closed-form "ablation" tests for the recurrent cells (in the style of mlpack's LSTM tests):
// every weight is zero except one connection (set through set_weights_keras, Keras layout),
// a tiny known sequence goes in, and the outputs / final states are compared with values worked
// out by hand from the equations in lstm.hpp, gru.hpp and simple_rnn.hpp. The arithmetic is
// written in the comments; the expected values are recomputed in the test from the same
// formulas with an independent hard sigmoid, so a wrong gate order, a transposed recurrent
// kernel or a reset gate applied on the wrong side of the matmul shows up as a number.
//
// Also: the hard sigmoid itself, and the variational semantics of dropout / recurrent_dropout
// (one mask per sequence, reused at every step).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "recur/layers/activation.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"

namespace recur {
namespace {

constexpr double kTol = 1e-12;

// Keras 2.x hard sigmoid, written out here independently of activation.hpp.
double hs(double x) {
    return std::min(1.0, std::max(0.0, 0.2 * x + 0.5));
}

Tensor<double> tensor(std::vector<Index> shape, const std::vector<double>& values) {
    Tensor<double> t(std::move(shape));
    EXPECT_EQ(t.size(), static_cast<Index>(values.size()));
    for (Index i = 0; i < t.size(); ++i) t[i] = values[static_cast<size_t>(i)];
    return t;
}

// A (T, 1, 1) input: one sample, one feature.
Tensor<double> seq(const std::vector<double>& xs) {
    return tensor({static_cast<Index>(xs.size()), 1, 1}, xs);
}

template <typename L>
std::unique_ptr<L> make(const RecurrentOptions& o, Index steps, Index features) {
    auto layer = std::make_unique<L>(o);
    Rng rng(1);
    layer->build(ShapeSpec::sequence(steps, features), rng);
    return layer;
}

RecurrentOptions hard(Index units) {
    return RecurrentOptions(units).return_sequences(true).recurrent_activation(
        Activation::hard_sigmoid);
}

// y is (T, 1, U): compares y[t][0][k] with want[t][k].
void expect_seq(const Tensor<double>& y, const std::vector<std::vector<double>>& want) {
    ASSERT_EQ(y.rank(), 3);
    ASSERT_EQ(y.dim(0), static_cast<Index>(want.size()));
    ASSERT_EQ(y.dim(1), 1);
    for (size_t t = 0; t < want.size(); ++t) {
        ASSERT_EQ(y.dim(2), static_cast<Index>(want[t].size()));
        for (size_t k = 0; k < want[t].size(); ++k)
            EXPECT_NEAR(y.at(static_cast<Index>(t), 0, static_cast<Index>(k)), want[t][k], kTol)
                << "step " << t << " unit " << k;
    }
}

// ================================================================== hard sigmoid

TEST(AblationHardSigmoid, ValuesAndDerivativeFromOutput) {
    // y = clip(0.2 x + 0.5, 0, 1): x = -3 -> clip(-0.1) = 0, x = -2.5 -> 0 (the knee),
    // x = 0 -> 0.5, x = 1 -> 0.7, x = 2.5 -> 1 (the knee), x = 3 -> clip(1.1) = 1.
    // dy/dx = 0.2 strictly inside (0, 1), 0 on the clipped parts and at the knees (y = 0 or 1).
    const std::vector<double> xs = {-3, -2.5, 0, 1, 2.5, 3};
    const std::vector<double> ys = {0, 0, 0.5, 0.7, 1, 1};
    const std::vector<double> ds = {0, 0, 0.2, 0.2, 0, 0};
    for (size_t i = 0; i < xs.size(); ++i) {
        const double y = activate(Activation::hard_sigmoid, xs[i]);
        EXPECT_NEAR(y, ys[i], kTol) << "x = " << xs[i];
        EXPECT_NEAR(activation_grad_from_output(Activation::hard_sigmoid, y), ds[i], kTol)
            << "x = " << xs[i];
        const float yf = activate(Activation::hard_sigmoid, static_cast<float>(xs[i]));
        EXPECT_NEAR(yf, ys[i], 1e-7) << "float x = " << xs[i];
        EXPECT_NEAR(activation_grad_from_output(Activation::hard_sigmoid, yf), ds[i], 1e-7)
            << "float x = " << xs[i];
    }
    // The clipped values are exact, not merely close (the knees of 0.2 * 2.5 round to 0.5).
    EXPECT_EQ(activate(Activation::hard_sigmoid, -2.5), 0.0);
    EXPECT_EQ(activate(Activation::hard_sigmoid, 2.5), 1.0);
    EXPECT_EQ(activate(Activation::hard_sigmoid, -3.0), 0.0);
    EXPECT_EQ(activate(Activation::hard_sigmoid, 3.0), 1.0);

    // The array forms used by the cells agree with the scalar ones.
    std::vector<double> buf = xs, g(xs.size(), 1.0);
    activate_inplace(Activation::hard_sigmoid, buf.data(), static_cast<Index>(buf.size()));
    scale_by_activation_grad(Activation::hard_sigmoid, buf.data(), g.data(),
                             static_cast<Index>(g.size()));
    for (size_t i = 0; i < xs.size(); ++i) {
        EXPECT_NEAR(buf[i], ys[i], kTol) << "activate_inplace x = " << xs[i];
        EXPECT_NEAR(g[i], ds[i], kTol) << "scale_by_activation_grad x = " << xs[i];
    }
    // Float over two 8-lane packets and a scalar tail (the packet path must equal the scalar
    // select bit for bit): outputs at the knees, inside, outside, gradients of both signs; +0
    // (never -0) outside.
    const std::vector<float> yf = {0,           1, 0.5f,  0.2f, -0.1f, 1.1f,  1e-8f,
                                   0.99999994f, 0, 0.25f, 1,    0.7f,  0.01f, 0.6f,
                                   0,           2, 0.3f,  1,    0.5f};
    std::vector<float> gf(yf.size());
    for (size_t i = 0; i < gf.size(); ++i) gf[i] = (i % 3 == 0 ? -1.5f : 2.25f) + float(i);
    std::vector<float> expect(gf.size());
    for (size_t i = 0; i < gf.size(); ++i)
        expect[i] = (yf[i] > 0 && yf[i] < 1) ? gf[i] * 0.2f : 0.0f;
    scale_by_activation_grad(Activation::hard_sigmoid, yf.data(), gf.data(),
                             static_cast<Index>(gf.size()));
    for (size_t i = 0; i < gf.size(); ++i) {
        EXPECT_EQ(gf[i], expect[i]) << "float y = " << yf[i];
        EXPECT_FALSE(std::signbit(gf[i]) && gf[i] == 0) << "-0 at y = " << yf[i];
    }
}

// ================================================================== GRU

// (a) Only the candidate's input weight W_h is non-zero (reset_after = false).
//   z = r = hard_sigmoid(0) = 0.5 at every step, so h_t = 0.5 h_{t-1} + 0.5 tanh(W_h x_t).
//   W_h = 0.8, x = (0.5, -1, 2), h0 = 0:
//     h1 = 0.5 tanh(0.4)                      = 0.5 * 0.379949 = 0.189974
//     h2 = 0.5 h1 + 0.5 tanh(-0.8)            = 0.094987 - 0.332018 = -0.237031
//     h3 = 0.5 h2 + 0.5 tanh(1.6)             = -0.118516 + 0.460834 = 0.342319
TEST(AblationGRU, CandidateInputWeightOnly) {
    const double wh = 0.8;
    const std::vector<double> x = {0.5, -1.0, 2.0};
    const double h1 = 0.5 * std::tanh(wh * x[0]);
    const double h2 = 0.5 * h1 + 0.5 * std::tanh(wh * x[1]);
    const double h3 = 0.5 * h2 + 0.5 * std::tanh(wh * x[2]);
    EXPECT_NEAR(h1, 0.18997448112761, 1e-12);  // the comment's numbers, pinned
    EXPECT_NEAR(h3, 0.34231870491818, 1e-12);

    // Kernel (I=1, 3U=3), columns [z | r | h].
    auto kernel = tensor({1, 3}, {0, 0, wh});
    auto rec = tensor({1, 3}, {0, 0, 0});
    auto bias = tensor({3}, {0, 0, 0});
    auto gru = make<GRU<double>>(hard(1).reset_after(false), 3, 1);
    gru->set_weights_keras(kernel, rec, &bias);
    Tensor<double> y;
    gru->forward(seq(x), y, Mode::inference);
    expect_seq(y, {{h1}, {h2}, {h3}});
    EXPECT_NEAR(gru->final_state(0)[0], h3, kTol);

    // With U = 0 and no recurrent bias the two forms coincide: the reset gate has nothing to
    // act on in either place.
    auto gru_ra = make<GRU<double>>(hard(1).reset_after(true), 3, 1);
    auto bias2 = tensor({2, 3}, {0, 0, 0, 0, 0, 0});
    gru_ra->set_weights_keras(kernel, rec, &bias2);
    gru_ra->forward(seq(x), y, Mode::inference);
    expect_seq(y, {{h1}, {h2}, {h3}});
}

// (b) Only the candidate's recurrent weight U_h (one off-diagonal connection: h_{t-1}[0] ->
// candidate of unit 1) and the reset-gate biases are non-zero; h0 != 0. U = 2, I = 1, T = 2.
//   b_r = (2, -1)  ->  r = (hs(2), hs(-1)) = (0.9, 0.3) at every step (W_r = U_r = 0)
//   z = hs(0) = 0.5                               U_h = [[0, 1.5], [0, 0]]   h0 = (0.6, -0.4)
// reset_after = false (Keras 2.2): the reset gate scales h_{t-1} BEFORE the matmul,
//   ĥ = tanh((r ⊙ h_{t-1}) U_h) = (0, tanh(1.5 r_0 h_{t-1}[0]))   -- uses r_0 = 0.9
//   step 1: ĥ = (0, tanh(1.5 * 0.9 * 0.6)) = (0, tanh(0.81))
//           h1 = 0.5 h0 + 0.5 ĥ = (0.3, -0.2 + 0.5 tanh(0.81)) = (0.3, 0.134795)
//   step 2: ĥ = (0, tanh(1.5 * 0.9 * 0.3)) = (0, tanh(0.405))
//           h2 = (0.15, 0.5 h1[1] + 0.5 tanh(0.405)) = (0.15, 0.259507)
// reset_after = true, same kernels, bias row 0 = the bias above, row 1 (recurrent) b' = 0:
//   ĥ = tanh(r ⊙ (h_{t-1} U_h)) = (0, tanh(r_1 * 1.5 h_{t-1}[0]))   -- uses r_1 = 0.3
//   step 1: ĥ = (0, tanh(0.3 * 0.9)) = (0, tanh(0.27));  h1 = (0.3, -0.2 + 0.5 tanh(0.27))
//           = (0.3, -0.068188)   (reset-before gave 0.134795)
//   step 2: ĥ = (0, tanh(0.3 * 0.45)) = (0, tanh(0.135)); h2 = (0.15, 0.5 h1[1] + 0.5 ĥ[1])
//           = (0.15, 0.032999)
// reset_after = true with recurrent bias b'_h = (0.2, 0.4) (row 1, candidate block):
//   R = h_{t-1} U_h + b'_h = (0.2, 1.5 h_{t-1}[0] + 0.4),  ĥ = tanh(r ⊙ R)
//   step 1: R = (0.2, 1.3),  ĥ = (tanh(0.18), tanh(0.39)),
//           h1 = (0.3 + 0.5 tanh(0.18), -0.2 + 0.5 tanh(0.39)) = (0.389040, -0.014320)
//   step 2: R = (0.2, 1.5 h1[0] + 0.4),  ĥ = (tanh(0.18), tanh(0.3 R[1])),  h2 = 0.5 h1 + 0.5 ĥ
TEST(AblationGRU, ResetGateMultipliesStateBeforeMatmulInResetBeforeForm) {
    const double a = 1.5, h00 = 0.6, h01 = -0.4;
    const double r0 = hs(2.0), r1 = hs(-1.0), z = hs(0.0);
    EXPECT_NEAR(r0, 0.9, kTol);
    EXPECT_NEAR(r1, 0.3, kTol);
    EXPECT_EQ(z, 0.5);
    const Tensor<double> x = seq({1.0, -2.0});  // ignored: the kernel is zero
    // Kernel (1, 6) and recurrent kernel (2, 6), columns [z0 z1 | r0 r1 | h0 h1].
    const auto kernel = tensor({1, 6}, {0, 0, 0, 0, 0, 0});
    const auto rec = tensor({2, 6}, {0, 0, 0, 0, 0, a,  //
                                     0, 0, 0, 0, 0, 0});
    const std::vector<double> b_in = {0, 0, 2.0, -1.0, 0, 0};
    const auto h0 = tensor({1, 2}, {h00, h01});

    // reset_after = false.
    double e1_0 = z * h00, e1_1 = z * h01 + (1 - z) * std::tanh(r0 * h00 * a);
    double e2_0 = z * e1_0, e2_1 = z * e1_1 + (1 - z) * std::tanh(r0 * e1_0 * a);
    EXPECT_NEAR(e1_1, 0.1347951298, 1e-9);
    EXPECT_NEAR(e2_1, 0.2595070692, 1e-9);
    {
        auto gru = make<GRU<double>>(hard(2).reset_after(false), 2, 1);
        auto bias = tensor({6}, b_in);
        gru->set_weights_keras(kernel, rec, &bias);
        gru->set_initial_state({h0});
        Tensor<double> y;
        gru->forward(x, y, Mode::inference);
        expect_seq(y, {{e1_0, e1_1}, {e2_0, e2_1}});
        EXPECT_NEAR(gru->final_state(0)[1], e2_1, kTol);
    }

    // reset_after = true, recurrent bias zero: only the position of the reset gate differs.
    double f1_0 = z * h00, f1_1 = z * h01 + (1 - z) * std::tanh(r1 * (h00 * a));
    double f2_0 = z * f1_0, f2_1 = z * f1_1 + (1 - z) * std::tanh(r1 * (f1_0 * a));
    EXPECT_GT(std::abs(f1_1 - e1_1), 0.1);  // the forms really differ here
    {
        auto gru = make<GRU<double>>(hard(2).reset_after(true), 2, 1);
        std::vector<double> b2 = b_in;
        b2.resize(12, 0.0);  // row 1 (recurrent bias) all zero
        auto bias = tensor({2, 6}, b2);
        gru->set_weights_keras(kernel, rec, &bias);
        gru->set_initial_state({h0});
        Tensor<double> y;
        gru->forward(x, y, Mode::inference);
        expect_seq(y, {{f1_0, f1_1}, {f2_0, f2_1}});
    }

    // reset_after = true with the candidate's recurrent bias b'_h = (0.2, 0.4): it sits inside
    // the reset gate, r ⊙ (h U_h + b'_h).
    const double bp0 = 0.2, bp1 = 0.4;
    double g1_0 = z * h00 + (1 - z) * std::tanh(r0 * bp0);
    double g1_1 = z * h01 + (1 - z) * std::tanh(r1 * (h00 * a + bp1));
    double g2_0 = z * g1_0 + (1 - z) * std::tanh(r0 * bp0);
    double g2_1 = z * g1_1 + (1 - z) * std::tanh(r1 * (g1_0 * a + bp1));
    EXPECT_NEAR(std::tanh(r0 * bp0), std::tanh(0.18), kTol);
    EXPECT_NEAR(std::tanh(r1 * (h00 * a + bp1)), std::tanh(0.39), kTol);
    {
        auto gru = make<GRU<double>>(hard(2).reset_after(true), 2, 1);
        std::vector<double> b2 = b_in;
        b2.insert(b2.end(), {0, 0, 0, 0, bp0, bp1});
        auto bias = tensor({2, 6}, b2);
        gru->set_weights_keras(kernel, rec, &bias);
        gru->set_initial_state({h0});
        Tensor<double> y;
        gru->forward(x, y, Mode::inference);
        expect_seq(y, {{g1_0, g1_1}, {g2_0, g2_1}});
        EXPECT_NEAR(gru->final_state(0)[0], g2_0, kTol);
        EXPECT_NEAR(gru->final_state(0)[1], g2_1, kTol);
    }
}

// (b') reset_after = true: the recurrent bias row also feeds the update gate.
//   Only W_h = 0.8 and b'_z = 1 (row 1, z block) non-zero:  z = hs(1) = 0.7, r = 0.5,
//   ĥ = tanh(0.8 x_t + r (0 + 0)) = tanh(0.8 x_t),  h_t = 0.7 h_{t-1} + 0.3 tanh(0.8 x_t)
//   x = (1, -1): h1 = 0.3 tanh(0.8) = 0.199211,  h2 = 0.7 h1 + 0.3 tanh(-0.8) = -0.059763
TEST(AblationGRU, RecurrentBiasRowFeedsUpdateGateInResetAfterForm) {
    auto gru = make<GRU<double>>(hard(1).reset_after(true), 2, 1);
    auto kernel = tensor({1, 3}, {0, 0, 0.8});
    auto rec = tensor({1, 3}, {0, 0, 0});
    auto bias = tensor({2, 3}, {0, 0, 0,  //
                                1.0, 0, 0});
    gru->set_weights_keras(kernel, rec, &bias);
    Tensor<double> y;
    gru->forward(seq({1.0, -1.0}), y, Mode::inference);
    const double z = hs(1.0);
    const double h1 = (1 - z) * std::tanh(0.8);
    const double h2 = z * h1 + (1 - z) * std::tanh(-0.8);
    EXPECT_NEAR(h1, 0.19921103, 1e-8);
    expect_seq(y, {{h1}, {h2}});
}

// (c) The update gate saturates: b_z = 5, so z = hs(5 + 0.3 x - 0.4 h) = 1 for |x|, |h| <= 1
// (pre-activation >= 4.3 > 2.5, the upper knee). Then h_t = 1 * h_{t-1} + 0 * ĥ = h0 exactly,
// whatever the other (non-zero) weights do, and since hard_sigmoid' = 0 in the clip region no
// gradient reaches any parameter or the input; dL/dh0 is exactly the sum of dL/dh_t over t
// (the direct path h_{t-1} -> h_t has factor z = 1).
TEST(AblationGRU, SaturatedUpdateGateCarriesStateUnchanged) {
    for (bool reset_after : {false, true}) {
        SCOPED_TRACE(reset_after ? "reset_after=true" : "reset_after=false");
        auto gru = make<GRU<double>>(hard(1).reset_after(reset_after), 3, 1);
        auto kernel = tensor({1, 3}, {0.3, 0.7, 0.8});
        auto rec = tensor({1, 3}, {-0.4, 0.6, 1.2});
        Tensor<double> bias = reset_after ? tensor({2, 3}, {5, 0.4, -0.2, 0.1, -0.3, 0.5})
                                          : tensor({3}, {5, 0.4, -0.2});
        gru->set_weights_keras(kernel, rec, &bias);
        const double h0 = 0.25;
        gru->set_initial_state({tensor({1, 1}, {h0})});
        const Tensor<double> x = seq({1.0, -1.0, 0.5});
        Tensor<double> y;
        gru->forward(x, y, Mode::inference);
        for (Index t = 0; t < 3; ++t) EXPECT_EQ(y[t], h0) << "step " << t;
        EXPECT_EQ(gru->final_state(0)[0], h0);

        // Backward (training mode: no dropout, so the same forward).
        gru->forward(x, y, Mode::training);
        for (Param<double>* p : gru->params()) p->grad.zero();
        Tensor<double> dy({3, 1, 1}, 1.0), dx;
        gru->backward(dy, &dx);
        for (Param<double>* p : gru->params())
            for (Index i = 0; i < p->grad.size(); ++i)
                EXPECT_EQ(p->grad[i], 0.0) << p->name << "[" << i << "]";
        for (Index t = 0; t < 3; ++t) EXPECT_EQ(dx[t], 0.0) << "dx step " << t;
        EXPECT_EQ(gru->initial_state_grad(0)[0], 3.0);
    }
}

// ================================================================== LSTM (hard_sigmoid gates)

// (a) Only the input-gate bias b_i = 1 and the candidate's input weight W_c = 0.9 non-zero.
//   i = hs(1) = 0.7, f = o = hs(0) = 0.5, g_t = tanh(0.9 x_t), c0 = h0 = 0:
//   x = (1, -0.5, 2):
//     c1 = 0.7 tanh(0.9)              = 0.7 * 0.716298 = 0.501409,  h1 = 0.5 tanh(c1) = 0.231612
//     c2 = 0.5 c1 + 0.7 tanh(-0.45)   = 0.250704 - 0.295329 = -0.044625
//     c3 = 0.5 c2 + 0.7 tanh(1.8)     = -0.022313 + 0.662764 = 0.640452
//     h_t = 0.5 tanh(c_t)
TEST(AblationLSTM, InputGateBiasAndCandidateInputWeight) {
    const double wc = 0.9, bi = 1.0;
    const double i = hs(bi), f = hs(0), o = hs(0);
    const std::vector<double> x = {1.0, -0.5, 2.0};
    const double c1 = i * std::tanh(wc * x[0]);
    const double c2 = f * c1 + i * std::tanh(wc * x[1]);
    const double c3 = f * c2 + i * std::tanh(wc * x[2]);
    EXPECT_NEAR(c1, 0.50140851, 1e-8);
    EXPECT_NEAR(c3, 0.64045168, 1e-8);

    auto lstm = make<LSTM<double>>(hard(1), 3, 1);
    // Columns [i | f | c | o].
    auto kernel = tensor({1, 4}, {0, 0, wc, 0});
    auto rec = tensor({1, 4}, {0, 0, 0, 0});
    auto bias = tensor({4}, {bi, 0, 0, 0});  // replaces the unit_forget_bias initialisation
    lstm->set_weights_keras(kernel, rec, &bias);
    Tensor<double> y;
    lstm->forward(seq(x), y, Mode::inference);
    expect_seq(y, {{o * std::tanh(c1)}, {o * std::tanh(c2)}, {o * std::tanh(c3)}});
    EXPECT_NEAR(lstm->final_state(0)[0], o * std::tanh(c3), kTol);
    EXPECT_NEAR(lstm->final_state(1)[0], c3, kTol);
}

// (b) Only the forget-gate bias b_f = 1.5 (and b_i = -3, which clips i to exactly 0, so the
// non-zero candidate weight W_c = 0.9 never reaches the cell). f = hs(1.5) = 0.8, o = 0.5,
// c0 = 0.7, h0 = 0.2 (no effect: U = 0):
//   c1 = 0.8 * 0.7 = 0.56,  c2 = 0.448,  c3 = 0.3584,  h_t = 0.5 tanh(c_t)
//   h1 = 0.5 tanh(0.56) = 0.253989, h2 = 0.5 tanh(0.448) = 0.210127, h3 = 0.5 tanh(0.3584) =
//   0.171902
TEST(AblationLSTM, ForgetGateBiasCarriesCellState) {
    EXPECT_EQ(hs(-3.0), 0.0);
    const double f = hs(1.5), o = hs(0.0), c0 = 0.7;
    EXPECT_NEAR(f, 0.8, kTol);
    const double c1 = f * c0, c2 = f * c1, c3 = f * c2;
    EXPECT_NEAR(c3, 0.3584, kTol);

    auto lstm = make<LSTM<double>>(hard(1), 3, 1);
    auto kernel = tensor({1, 4}, {0, 0, 0.9, 0});
    auto rec = tensor({1, 4}, {0, 0, 0, 0});
    auto bias = tensor({4}, {-3.0, 1.5, 0, 0});
    lstm->set_weights_keras(kernel, rec, &bias);
    lstm->set_initial_state({tensor({1, 1}, {0.2}), tensor({1, 1}, {c0})});
    Tensor<double> y;
    lstm->forward(seq({1.0, -2.0, 3.0}), y, Mode::inference);
    expect_seq(y, {{o * std::tanh(c1)}, {o * std::tanh(c2)}, {o * std::tanh(c3)}});
    EXPECT_NEAR(y[2], 0.17190197, 1e-8);
    EXPECT_NEAR(lstm->final_state(0)[0], o * std::tanh(c3), kTol);
    EXPECT_NEAR(lstm->final_state(1)[0], c3, kTol);
}

// (c) Recurrent-only connection, U = 2: the input kernel is zero, so step 2 can differ from
// step 1 only through U. Non-zero: b_c[0] = 0.5 (candidate bias of unit 0) and the recurrent
// weight from h_{t-1}[0] to the candidate of unit 1, u = 2 (recurrent_kernel row 0, column
// 2U + 1 = 5). i = f = o = hs(0) = 0.5; h0 = c0 = 0.
//   step 1: unit 0: g = tanh(0.5), c = 0.5 tanh(0.5) = 0.231059, h = 0.5 tanh(c) = 0.113516
//           unit 1: g = tanh(0) = 0, c = 0, h = 0
//   step 2: unit 0: c = 0.5 c + 0.5 tanh(0.5) = 0.346588, h = 0.5 tanh(c) = 0.166673
//           unit 1: g = tanh(2 * 0.113516), c = 0.5 g = 0.111605, h = 0.5 tanh(c) = 0.055572
// A transposed recurrent kernel would route h[1] (= 0 at step 1) to unit 0 and leave unit 1 at 0.
TEST(AblationLSTM, RecurrentOnlyConnection) {
    const double bc = 0.5, u = 2.0, half = hs(0.0);
    const double c1_0 = half * std::tanh(bc), h1_0 = half * std::tanh(c1_0);
    const double c2_0 = half * c1_0 + half * std::tanh(bc), h2_0 = half * std::tanh(c2_0);
    const double c2_1 = half * std::tanh(u * h1_0), h2_1 = half * std::tanh(c2_1);
    EXPECT_NEAR(h1_0, 0.11351630, 1e-8);
    EXPECT_NEAR(h2_1, 0.05557213, 1e-8);

    auto lstm = make<LSTM<double>>(hard(2), 2, 1);
    // Columns [i0 i1 | f0 f1 | c0 c1 | o0 o1].
    auto kernel = tensor({1, 8}, {0, 0, 0, 0, 0, 0, 0, 0});
    auto rec = tensor({2, 8}, {0, 0, 0, 0, 0, u, 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 0});
    auto bias = tensor({8}, {0, 0, 0, 0, bc, 0, 0, 0});
    lstm->set_weights_keras(kernel, rec, &bias);
    Tensor<double> y;
    // Different inputs at the two steps: with a zero kernel they must not matter.
    lstm->forward(tensor({2, 1, 1}, {3.0, -7.0}), y, Mode::inference);
    expect_seq(y, {{h1_0, 0.0}, {h2_0, h2_1}});
    EXPECT_EQ(y.at(0, 0, 1), 0.0);
    EXPECT_NEAR(lstm->final_state(1)[0], c2_0, kTol);
    EXPECT_NEAR(lstm->final_state(1)[1], c2_1, kTol);
}

// ================================================================== SimpleRNN

// Recurrent-only: kernel = 0, U = 0.5, b = 0.3 (tanh):
//   h1 = tanh(0.3) = 0.291313,  h2 = tanh(0.5 h1 + 0.3) = tanh(0.445656) = 0.418322,
//   h3 = tanh(0.5 h2 + 0.3) = tanh(0.509161) = 0.469291
TEST(AblationSimpleRNN, RecurrentOnly) {
    const double u = 0.5, b = 0.3;
    const double h1 = std::tanh(b), h2 = std::tanh(u * h1 + b), h3 = std::tanh(u * h2 + b);
    EXPECT_NEAR(h1, 0.29131261, 1e-8);
    EXPECT_NEAR(h3, 0.46929121, 1e-8);
    auto rnn = make<SimpleRNN<double>>(RecurrentOptions(1).return_sequences(true), 3, 1);
    auto kernel = tensor({1, 1}, {0});
    auto rec = tensor({1, 1}, {u});
    auto bias = tensor({1}, {b});
    rnn->set_weights_keras(kernel, rec, &bias);
    Tensor<double> y;
    rnn->forward(seq({2.0, -1.0, 4.0}), y, Mode::inference);
    expect_seq(y, {{h1}, {h2}, {h3}});
    EXPECT_NEAR(rnn->final_state(0)[0], h3, kTol);
}

// ================================================================== variational dropout

Tensor<double> identity(Index n) {
    Tensor<double> t({n, n}, 0.0);
    for (Index i = 0; i < n; ++i) t.at(i, i) = 1.0;
    return t;
}

// Row b of a (B, U) slice of y at step t.
std::vector<double> row(const Tensor<double>& y, Index t, Index b) {
    std::vector<double> r;
    for (Index k = 0; k < y.dim(2); ++k) r.push_back(y.at(t, b, k));
    return r;
}

constexpr Index kT = 6, kB = 3, kU = 4;

// Linear SimpleRNN with W = I, U = 0, b = 0 and input dropout 0.5 on an all-ones input:
// y_t = (x_t ⊙ m) W = m, the input mask (entries 0 or 1/(1-0.5) = 2). Keras's variational
// dropout draws one mask per sequence, so y_t is the same at every step; samples get their own.
TEST(AblationDropout, InputMaskIsPerSequenceAndSharedOverTime) {
    auto rnn = make<SimpleRNN<double>>(
        RecurrentOptions(kU).return_sequences(true).activation(Activation::linear).dropout(0.5), kT,
        kU);
    auto bias = tensor({kU}, {0, 0, 0, 0});
    rnn->set_weights_keras(identity(kU), Tensor<double>({kU, kU}, 0.0), &bias);
    rnn->seed_rng(2024);
    const Tensor<double> x({kT, kB, kU}, 1.0);
    Tensor<double> y;
    rnn->forward(x, y, Mode::training);
    ASSERT_EQ(y.shape(), (std::vector<Index>{kT, kB, kU}));
    int zeros = 0, twos = 0;
    for (Index b = 0; b < kB; ++b) {
        const std::vector<double> m = row(y, 0, b);
        for (double v : m) {
            EXPECT_TRUE(v == 0.0 || v == 2.0) << "mask value " << v;
            (v == 0.0 ? zeros : twos)++;
        }
        for (Index t = 1; t < kT; ++t)
            EXPECT_EQ(row(y, t, b), m) << "sample " << b << " step " << t;
    }
    EXPECT_GT(zeros, 0);
    EXPECT_GT(twos, 0);
    // Different samples, different masks (true for this seed; chance of a clash is ~18%).
    EXPECT_NE(row(y, 0, 0), row(y, 0, 1));
    EXPECT_NE(row(y, 0, 0), row(y, 0, 2));
    EXPECT_NE(row(y, 0, 1), row(y, 0, 2));

    // A new forward (a new batch) draws new masks.
    Tensor<double> y2;
    rnn->forward(x, y2, Mode::training);
    bool differs = false;
    for (Index i = 0; i < y.size(); ++i) differs = differs || y[i] != y2[i];
    EXPECT_TRUE(differs) << "the second training forward reused the first masks";

    // Inference: no dropout, y = x W = 1.
    rnn->forward(x, y, Mode::inference);
    for (Index i = 0; i < y.size(); ++i) EXPECT_EQ(y[i], 1.0) << "at " << i;
}

// Linear SimpleRNN with W = 0, b = 1, U = I and recurrent_dropout 0.5:
//   h_t = 1 + (m ⊙ h_{t-1}) I = 1 + m ⊙ h_{t-1},  h_{-1} = 0.
// Where m = 2: h = 1, 3, 7, 15, 31, 63 (h_t = 2^{t+1} - 1); where m = 0: h = 1 at every step.
// So the zero pattern of h_t - 1 is the same (that of m) for every t >= 1: one mask, all steps.
TEST(AblationDropout, RecurrentMaskIsPerSequenceAndSharedOverTime) {
    auto rnn = make<SimpleRNN<double>>(RecurrentOptions(kU)
                                           .return_sequences(true)
                                           .activation(Activation::linear)
                                           .recurrent_dropout(0.5),
                                       kT, kU);
    auto bias = tensor({kU}, {1, 1, 1, 1});
    rnn->set_weights_keras(Tensor<double>({kU, kU}, 0.0), identity(kU), &bias);
    rnn->seed_rng(7);
    const Tensor<double> x({kT, kB, kU}, 1.0);
    Tensor<double> y;
    rnn->forward(x, y, Mode::training);
    ASSERT_EQ(y.shape(), (std::vector<Index>{kT, kB, kU}));
    std::vector<std::vector<bool>> kept(kB);
    int n_kept = 0, n_dropped = 0;
    for (Index b = 0; b < kB; ++b)
        for (Index k = 0; k < kU; ++k) {
            EXPECT_EQ(y.at(0, b, k), 1.0);
            const bool keep = y.at(1, b, k) != 1.0;
            kept[static_cast<size_t>(b)].push_back(keep);
            (keep ? n_kept : n_dropped)++;
            for (Index t = 1; t < kT; ++t) {
                const double want = keep ? std::pow(2.0, static_cast<double>(t + 1)) - 1 : 1.0;
                EXPECT_EQ(y.at(t, b, k), want) << "sample " << b << " unit " << k << " step " << t;
            }
        }
    EXPECT_GT(n_kept, 0);
    EXPECT_GT(n_dropped, 0);
    EXPECT_NE(kept[0], kept[1]);
    EXPECT_NE(kept[0], kept[2]);
    EXPECT_NE(kept[1], kept[2]);

    // Inference: h_t = 1 + h_{t-1} = t + 1.
    rnn->forward(x, y, Mode::inference);
    for (Index t = 0; t < kT; ++t)
        for (Index b = 0; b < kB; ++b)
            for (Index k = 0; k < kU; ++k) EXPECT_EQ(y.at(t, b, k), static_cast<double>(t + 1));
}

}  // namespace
}  // namespace recur
