#include "recur/training/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "recur/layers/embedding.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {
namespace {

template <typename T>
Param<T> make_param(std::vector<double> value, std::vector<double> grad, bool trainable = true) {
    Param<T> p;
    p.name = "kernel";
    p.value.resize({static_cast<Index>(value.size())});
    p.grad.resize({static_cast<Index>(grad.size())});
    for (size_t i = 0; i < value.size(); ++i) p.value[static_cast<Index>(i)] = T(value[i]);
    for (size_t i = 0; i < grad.size(); ++i) p.grad[static_cast<Index>(i)] = T(grad[i]);
    p.trainable = trainable;
    return p;
}

// Runs `steps` steps from w = (1, -2) with the fixed gradient g = (0.5, -0.25).
template <typename T>
std::vector<double> run_steps(const OptimizerOptions& o, int steps) {
    auto opt = make_optimizer<T>(o);
    Param<T> p = make_param<T>({1.0, -2.0}, {0.5, -0.25});
    for (int s = 0; s < steps; ++s) {
        p.grad[0] = T(0.5);
        p.grad[1] = T(-0.25);
        opt->step({&p});
    }
    EXPECT_EQ(opt->iterations(), steps);
    return {double(p.value[0]), double(p.value[1])};
}

const std::vector<double> kW0{1.0, -2.0};
const std::vector<double> kG{0.5, -0.25};

TEST(OptimizerFactory, KerasDefaults) {
    EXPECT_DOUBLE_EQ(make_optimizer<float>({.name = "sgd"})->learning_rate(), 0.01);
    EXPECT_DOUBLE_EQ(make_optimizer<float>({.name = "rmsprop"})->learning_rate(), 0.001);
    EXPECT_DOUBLE_EQ(make_optimizer<double>({.name = "adam"})->learning_rate(), 0.001);
    EXPECT_DOUBLE_EQ(
        make_optimizer<double>({.name = "adam", .learning_rate = 0.05})->learning_rate(), 0.05);
    const OptimizerOptions o;
    EXPECT_EQ(o.name, "rmsprop");
    EXPECT_DOUBLE_EQ(o.momentum, 0.0);
    EXPECT_FALSE(o.nesterov);
    EXPECT_DOUBLE_EQ(o.rho, 0.9);
    EXPECT_DOUBLE_EQ(o.beta_1, 0.9);
    EXPECT_DOUBLE_EQ(o.beta_2, 0.999);
    EXPECT_DOUBLE_EQ(o.epsilon, 1e-7);
    auto opt = make_optimizer<float>(o);
    EXPECT_DOUBLE_EQ(opt->learning_rate(), 0.001);
    EXPECT_EQ(opt->iterations(), 0);
    opt->set_learning_rate(0.5);
    EXPECT_DOUBLE_EQ(opt->options().learning_rate, 0.5);
}

TEST(OptimizerFactory, NamesAreCaseInsensitive) {
    EXPECT_NO_THROW(make_optimizer<float>({.name = "RMSprop"}));
    EXPECT_NO_THROW(make_optimizer<float>({.name = "Adam"}));
    EXPECT_NO_THROW(make_optimizer<double>({.name = "SGD"}));
    EXPECT_DOUBLE_EQ(make_optimizer<double>({.name = "SGD"})->learning_rate(), 0.01);
    EXPECT_EQ(make_optimizer<double>({.name = "ADAM"})->options().name, "adam");
}

TEST(OptimizerFactory, UnknownNameThrowsListingValidNames) {
    try {
        make_optimizer<float>({.name = "adagrad"});
        FAIL() << "no throw";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("adagrad"), std::string::npos);
        for (const char* n : {"sgd", "rmsprop", "adam"}) {
            EXPECT_NE(msg.find(n), std::string::npos) << msg;
        }
    }
}

TEST(OptimizerFactory, InvalidOptionsThrow) {
    EXPECT_THROW(make_optimizer<float>({.name = "sgd", .momentum = 1.5}), std::invalid_argument);
    EXPECT_THROW(make_optimizer<float>({.name = "adam", .beta_1 = 1.0}), std::invalid_argument);
    EXPECT_THROW(make_optimizer<float>({.name = "adam", .clipnorm = -1}), std::invalid_argument);
}

TEST(OptimizerSgd, PlainThreeSteps) {
    // w -= 0.1 g three times: (1 - 0.15, -2 + 0.075) = (0.85, -1.925).
    auto w = run_steps<double>({.name = "sgd", .learning_rate = 0.1}, 3);
    EXPECT_NEAR(w[0], 0.85, 1e-15);
    EXPECT_NEAR(w[1], -1.925, 1e-15);
}

TEST(OptimizerSgd, MomentumThreeSteps) {
    // lr 0.1, m 0.9, g = (0.5, -0.25), v = m v - lr g, w += v:
    //   v1 = (-0.05, 0.025)                         w1 = (0.95, -1.975)
    //   v2 = (-0.045 - 0.05, 0.0225 + 0.025)
    //      = (-0.095, 0.0475)                       w2 = (0.855, -1.9275)
    //   v3 = (-0.0855 - 0.05, 0.04275 + 0.025)
    //      = (-0.1355, 0.06775)                     w3 = (0.7195, -1.85975)
    const OptimizerOptions o{.name = "sgd", .learning_rate = 0.1, .momentum = 0.9};
    auto w = run_steps<double>(o, 3);
    EXPECT_NEAR(w[0], 0.7195, 1e-14);
    EXPECT_NEAR(w[1], -1.85975, 1e-14);

    // Independent straightforward recomputation.
    std::vector<double> ref = kW0, v{0, 0};
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < 2; ++i) {
            v[i] = 0.9 * v[i] - 0.1 * kG[i];
            ref[i] += v[i];
        }
    }
    EXPECT_NEAR(w[0], ref[0], 1e-14);
    EXPECT_NEAR(w[1], ref[1], 1e-14);

    // One momentum slot per parameter.
    auto opt = make_optimizer<double>(o);
    Param<double> p = make_param<double>(kW0, kG);
    opt->step({&p});
    ASSERT_EQ(opt->slots().size(), 1u);
    EXPECT_NEAR(opt->slots()[0][0], -0.05, 1e-15);
    EXPECT_NEAR(opt->slots()[0][1], 0.025, 1e-15);
}

TEST(OptimizerSgd, NesterovThreeSteps) {
    // Same v as above, but w += m v - lr g:
    //   w1 = 1 + (0.9 * -0.05 - 0.05)   = 1 - 0.095     = 0.905
    //   w2 = 0.905 + (0.9 * -0.095 - 0.05) = 0.905 - 0.1355 = 0.7695
    //   w3 = 0.7695 + (0.9 * -0.1355 - 0.05) = 0.7695 - 0.17195 = 0.59755
    //   and for the second element: -2 + 0.0475 + 0.06775 + 0.085975 = -1.798775.
    const OptimizerOptions o{
        .name = "sgd", .learning_rate = 0.1, .momentum = 0.9, .nesterov = true};
    auto w = run_steps<double>(o, 3);
    EXPECT_NEAR(w[0], 0.59755, 1e-14);
    EXPECT_NEAR(w[1], -1.798775, 1e-14);

    std::vector<double> ref = kW0, v{0, 0};
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < 2; ++i) {
            v[i] = 0.9 * v[i] - 0.1 * kG[i];
            ref[i] += 0.9 * v[i] - 0.1 * kG[i];
        }
    }
    EXPECT_NEAR(w[0], ref[0], 1e-14);
    EXPECT_NEAR(w[1], ref[1], 1e-14);
}

TEST(OptimizerSgd, NesterovWithoutMomentumIsPlainSgd) {
    auto a = run_steps<double>({.name = "sgd", .learning_rate = 0.1, .nesterov = true}, 2);
    auto b = run_steps<double>({.name = "sgd", .learning_rate = 0.1}, 2);
    EXPECT_DOUBLE_EQ(a[0], b[0]);
    EXPECT_DOUBLE_EQ(a[1], b[1]);
}

TEST(OptimizerRmsprop, ThreeSteps) {
    // lr 0.01, rho 0.9, eps 1e-7. Step 1: a = 0.1 g^2, so g / sqrt(a) = sign(g) / sqrt(0.1)
    // = 3.16227766 sign(g) and w1 = 1 - 0.0316227766 = 0.9683772234 (python3 gives
    // 0.968377243398304 with eps). After three steps (python3):
    //   w3 = (0.926226219157747, -1.926226257064076)
    const OptimizerOptions o{.name = "rmsprop", .learning_rate = 0.01};
    auto w1 = run_steps<double>(o, 1);
    EXPECT_NEAR(w1[0], 0.968377243398304, 1e-13);
    EXPECT_NEAR(w1[1], -1.968377263398266, 1e-13);
    auto w = run_steps<double>(o, 3);
    EXPECT_NEAR(w[0], 0.926226219157747, 1e-13);
    EXPECT_NEAR(w[1], -1.926226257064076, 1e-13);

    std::vector<double> ref = kW0, a{0, 0};
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < 2; ++i) {
            a[i] = 0.9 * a[i] + 0.1 * kG[i] * kG[i];
            ref[i] -= 0.01 * kG[i] / (std::sqrt(a[i]) + 1e-7);
        }
    }
    EXPECT_NEAR(w[0], ref[0], 1e-14);
    EXPECT_NEAR(w[1], ref[1], 1e-14);

    // float agrees to float precision.
    auto wf = run_steps<float>(o, 3);
    EXPECT_NEAR(wf[0], ref[0], 1e-6);
    EXPECT_NEAR(wf[1], ref[1], 1e-6);
}

TEST(OptimizerAdam, ThreeSteps) {
    // lr 0.01, b1 0.9, b2 0.999, eps 1e-7. Step 1: m = 0.1 g, v = 0.001 g^2,
    // lr_1 = 0.01 sqrt(0.001) / 0.1 = 0.00316227766, m / sqrt(v) = 0.1 / sqrt(0.001) sign(g)
    // = 3.16227766 sign(g), so w1 = w0 - 0.01 sign(g) = (0.99, -1.99) up to eps.
    // python3, three steps: w3 = (0.970000144510466, -1.970000289019465).
    const OptimizerOptions o{.name = "adam", .learning_rate = 0.01};
    auto w1 = run_steps<double>(o, 1);
    EXPECT_NEAR(w1[0], 0.99, 1e-6);
    EXPECT_NEAR(w1[0], 0.990000063245153, 1e-13);
    EXPECT_NEAR(w1[1], -1.990000126489506, 1e-13);
    auto w = run_steps<double>(o, 3);
    EXPECT_NEAR(w[0], 0.970000144510466, 1e-13);
    EXPECT_NEAR(w[1], -1.970000289019465, 1e-13);

    std::vector<double> ref = kW0, m{0, 0}, v{0, 0};
    for (int t = 1; t <= 3; ++t) {
        const double lr_t = 0.01 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
        for (int i = 0; i < 2; ++i) {
            m[i] = 0.9 * m[i] + 0.1 * kG[i];
            v[i] = 0.999 * v[i] + 0.001 * kG[i] * kG[i];
            ref[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-7);
        }
    }
    EXPECT_NEAR(w[0], ref[0], 1e-14);
    EXPECT_NEAR(w[1], ref[1], 1e-14);

    auto wf = run_steps<float>(o, 3);
    EXPECT_NEAR(wf[0], ref[0], 1e-6);
    EXPECT_NEAR(wf[1], ref[1], 1e-6);
}

TEST(OptimizerAdam, SlotsHoldMoments) {
    auto opt = make_optimizer<double>({.name = "adam", .learning_rate = 0.01});
    Param<double> p = make_param<double>(kW0, kG);
    opt->step({&p});
    ASSERT_EQ(opt->slots().size(), 2u);               // m, v
    EXPECT_NEAR(opt->slots()[0][0], 0.05, 1e-15);     // m = 0.1 * 0.5
    EXPECT_NEAR(opt->slots()[1][1], 6.25e-5, 1e-18);  // v = 0.001 * 0.0625
    EXPECT_EQ(opt->slots()[0].shape(), p.value.shape());
}

TEST(OptimizerAdam, ResumesFromRestoredState) {
    // Copying slots and the iteration count into a fresh optimizer continues the same run.
    const OptimizerOptions o{.name = "adam", .learning_rate = 0.01};
    auto a = make_optimizer<double>(o);
    Param<double> p = make_param<double>(kW0, kG);
    a->step({&p});
    auto b = make_optimizer<double>(o);
    b->slots() = a->slots();
    b->set_iterations(a->iterations());
    Param<double> q = p;
    a->step({&p});
    b->step({&q});
    EXPECT_DOUBLE_EQ(p.value[0], q.value[0]);
    EXPECT_DOUBLE_EQ(p.value[1], q.value[1]);
    EXPECT_EQ(b->iterations(), 2);
}

TEST(OptimizerStep, NonTrainableParamsAreUntouched) {
    for (const char* name : {"sgd", "rmsprop", "adam"}) {
        auto opt = make_optimizer<double>(
            {.name = name, .learning_rate = 0.1, .momentum = 0.5, .clipvalue = 0.1});
        Param<double> frozen = make_param<double>({3.0, 4.0, 5.0}, {10.0, -10.0, 10.0}, false);
        Param<double> live = make_param<double>(kW0, kG);
        Param<double> reference = make_param<double>(kW0, kG);
        auto ref_opt = make_optimizer<double>(opt->options());
        for (int s = 0; s < 2; ++s) {
            live.grad[0] = reference.grad[0] = 0.5;
            live.grad[1] = reference.grad[1] = -0.25;
            opt->step({&frozen, &live});
            ref_opt->step({&reference});
        }
        // Frozen: value and grad (not even clipped) unchanged.
        EXPECT_EQ(frozen.value[0], 3.0) << name;
        EXPECT_EQ(frozen.value[2], 5.0) << name;
        EXPECT_EQ(frozen.grad[0], 10.0) << name;
        EXPECT_EQ(frozen.grad[1], -10.0) << name;
        // The trainable one moves exactly as it would alone (its slots sit at index 1).
        EXPECT_DOUBLE_EQ(live.value[0], reference.value[0]) << name;
        EXPECT_DOUBLE_EQ(live.value[1], reference.value[1]) << name;
        EXPECT_NE(live.value[0], 1.0) << name;
    }
}

TEST(OptimizerStep, SlotIndicesFollowParamPositions) {
    auto opt = make_optimizer<double>({.name = "adam"});
    Param<double> frozen = make_param<double>({1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}, false);
    Param<double> live = make_param<double>(kW0, kG);
    opt->step({&frozen, &live});
    auto& s = opt->slots();
    ASSERT_EQ(s.size(), 4u);  // 2 params x (m, v), allocated for the frozen one too
    EXPECT_EQ(s[0].shape(), frozen.value.shape());
    EXPECT_EQ(s[1].shape(), frozen.value.shape());
    EXPECT_EQ(s[2].shape(), live.value.shape());
    EXPECT_EQ(s[0][0], 0.0);                      // frozen m untouched
    EXPECT_EQ(s[1][0], 0.0);                      // frozen v untouched
    EXPECT_NEAR(s[2][0], 0.1 * 0.5, 1e-15);       // live m
    EXPECT_NEAR(s[3][1], 0.001 * 0.0625, 1e-18);  // live v

    // Unfreezing later starts that parameter's moments from zero, in its own slots.
    frozen.trainable = true;
    opt->step({&frozen, &live});
    EXPECT_NEAR(s[0][0], 0.1 * 1.0, 1e-15);
    EXPECT_NEAR(s[2][0], 0.9 * 0.05 + 0.1 * 0.5, 1e-15);
}

TEST(OptimizerStep, MismatchedParamsThrow) {
    auto opt = make_optimizer<double>({.name = "rmsprop"});
    Param<double> a = make_param<double>(kW0, kG);
    Param<double> b = make_param<double>({1.0}, {1.0});
    opt->step({&a});
    EXPECT_THROW(opt->step({&a, &b}), std::invalid_argument);  // state is for one parameter
    EXPECT_THROW(opt->step({&b}), std::invalid_argument);      // wrong size for slot 0
    EXPECT_EQ(opt->iterations(), 1);                           // failed steps do nothing
    Param<double> bad = make_param<double>(kW0, {1.0});
    auto fresh = make_optimizer<double>({.name = "sgd"});
    EXPECT_THROW(fresh->step({&bad}), std::invalid_argument);  // grad size != value size
}

TEST(OptimizerClip, ClipnormIsPerParameter) {
    // (3, 4) has norm 5 -> rescaled to norm 1: (0.6, 0.8). (0.3, 0.4) has norm 0.5 <= 1: kept.
    Param<double> a = make_param<double>({0, 0}, {3.0, 4.0});
    Param<double> b = make_param<double>({0, 0}, {0.3, 0.4});
    Param<double> frozen = make_param<double>({0, 0}, {30.0, 40.0}, false);
    clip_gradients<double>({&a, &frozen, &b}, 1.0, 0.0, 0.0);
    EXPECT_NEAR(a.grad[0], 0.6, 1e-15);
    EXPECT_NEAR(a.grad[1], 0.8, 1e-15);
    EXPECT_DOUBLE_EQ(b.grad[0], 0.3);
    EXPECT_DOUBLE_EQ(b.grad[1], 0.4);
    EXPECT_EQ(frozen.grad[0], 30.0);
    EXPECT_EQ(frozen.grad[1], 40.0);
}

TEST(OptimizerClip, GlobalClipnormScalesAllTogether) {
    // Global norm sqrt(3^2 + 4^2 + 12^2) = 13; clip to 6.5 halves every gradient. The frozen
    // parameter neither counts towards the norm nor gets scaled.
    Param<float> a = make_param<float>({0, 0}, {3.0, 4.0});
    Param<float> b = make_param<float>({0}, {12.0});
    Param<float> frozen = make_param<float>({0}, {100.0}, false);
    clip_gradients<float>({&a, &b, &frozen}, 0.0, 6.5, 0.0);
    EXPECT_FLOAT_EQ(a.grad[0], 1.5f);
    EXPECT_FLOAT_EQ(a.grad[1], 2.0f);
    EXPECT_FLOAT_EQ(b.grad[0], 6.0f);
    EXPECT_FLOAT_EQ(frozen.grad[0], 100.0f);
    // Below the threshold nothing changes.
    clip_gradients<float>({&a, &b, &frozen}, 0.0, 100.0, 0.0);
    EXPECT_FLOAT_EQ(a.grad[0], 1.5f);
    EXPECT_FLOAT_EQ(b.grad[0], 6.0f);
}

TEST(OptimizerClip, ClipvalueClampsElements) {
    Param<double> a = make_param<double>({0, 0, 0, 0}, {3.0, -4.0, 0.5, -0.2});
    Param<double> frozen = make_param<double>({0}, {-9.0}, false);
    clip_gradients<double>({&a, &frozen}, 0.0, 0.0, 1.0);
    EXPECT_EQ(a.grad[0], 1.0);
    EXPECT_EQ(a.grad[1], -1.0);
    EXPECT_EQ(a.grad[2], 0.5);
    EXPECT_EQ(a.grad[3], -0.2);
    EXPECT_EQ(frozen.grad[0], -9.0);
}

TEST(OptimizerClip, ZeroMeansOff) {
    Param<double> a = make_param<double>({0, 0}, {300.0, -400.0});
    clip_gradients<double>({&a}, 0.0, 0.0, 0.0);
    EXPECT_EQ(a.grad[0], 300.0);
    EXPECT_EQ(a.grad[1], -400.0);
}

TEST(OptimizerClip, CombinedClipsAllHold) {
    // clipnorm 2: (6, 8) -> (1.2, 1.6); then clipvalue 1: (1, 1).
    Param<double> a = make_param<double>({0, 0}, {6.0, 8.0});
    clip_gradients<double>({&a}, 2.0, 0.0, 1.0);
    EXPECT_NEAR(a.grad[0], 1.0, 1e-15);
    EXPECT_NEAR(a.grad[1], 1.0, 1e-15);
}

TEST(OptimizerClip, StepClipsBeforeUpdate) {
    // SGD lr 1 with clipnorm 1 on g = (3, 4): w = (1, -2) - (0.6, 0.8) = (0.4, -2.8).
    auto opt = make_optimizer<double>({.name = "sgd", .learning_rate = 1.0, .clipnorm = 1.0});
    Param<double> p = make_param<double>(kW0, {3.0, 4.0});
    opt->step({&p});
    EXPECT_NEAR(p.value[0], 0.4, 1e-15);
    EXPECT_NEAR(p.value[1], -2.8, 1e-15);

    // global_clipnorm through step: g = (3, 4), (0, 12) -> halved at 6.5; lr 1.
    auto g = make_optimizer<double>({.name = "sgd", .learning_rate = 1.0, .global_clipnorm = 6.5});
    Param<double> a = make_param<double>({0, 0}, {3.0, 4.0});
    Param<double> b = make_param<double>({0}, {12.0});
    g->step({&a, &b});
    EXPECT_NEAR(a.value[0], -1.5, 1e-15);
    EXPECT_NEAR(a.value[1], -2.0, 1e-15);
    EXPECT_NEAR(b.value[0], -6.0, 1e-15);

    // clipvalue through step: g = (3, 4) -> (0.5, 0.5) at clipvalue 0.5; lr 1.
    auto v = make_optimizer<double>({.name = "sgd", .learning_rate = 1.0, .clipvalue = 0.5});
    Param<double> c = make_param<double>(kW0, {3.0, 4.0});
    v->step({&c});
    EXPECT_NEAR(c.value[0], 0.5, 1e-15);
    EXPECT_NEAR(c.value[1], -2.5, 1e-15);
}

}  // namespace
}  // namespace recur

// ---------------------------------------------------------------- sparse embedding updates

namespace recur {
namespace {

// Trains two copies of the same Embedding (sparse and dense gradients) on the same id batches
// with loss sum(y * R) and compares the tables after every step (flushed) and at the end.
void compare_sparse_dense(OptimizerOptions o, double tol, bool expect_equal = true) {
    Rng rng(3);
    EmbeddingOptions eo(50, 4);
    Embedding<double> sparse(EmbeddingOptions(eo).sparse(true)),
        dense(EmbeddingOptions(eo).sparse(false));
    Rng init_a(9), init_b(9);
    sparse.build(ShapeSpec::ids(3), init_a);
    dense.build(ShapeSpec::ids(3), init_b);
    auto opt_s = make_optimizer<double>(o), opt_d = make_optimizer<double>(o);
    Tensor<double> x({3, 2}), ys, yd, R({3, 2, 4});
    for (int step = 0; step < 40; ++step) {
        // Ids from a small range most steps, so many rows go untouched for a while.
        for (Index i = 0; i < x.size(); ++i)
            x[i] = static_cast<double>(step % 7 == 0 ? rng.below(50) : rng.below(6));
        for (Index i = 0; i < R.size(); ++i) R[i] = rng.uniform(-1, 1);
        for (auto* p : sparse.params()) p->zero_grad();
        for (auto* p : dense.params()) p->zero_grad();
        sparse.forward(x, ys, Mode::training);
        dense.forward(x, yd, Mode::training);
        sparse.backward(R, nullptr);
        dense.backward(R, nullptr);
        EXPECT_LE(sparse.embeddings().rows.size(), 6u);  // only the batch's rows
        opt_s->step(sparse.params());
        opt_d->step(dense.params());
    }
    opt_s->flush(sparse.params());
    const Tensor<double>& a = sparse.embeddings().value;
    const Tensor<double>& b = dense.embeddings().value;
    double worst = 0;
    for (Index i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    if (expect_equal)
        EXPECT_LE(worst, tol) << o.name;
    else
        EXPECT_GT(worst, 1e-6) << o.name << ": lazy Adam should differ from dense Adam";
}

TEST(SparseEmbeddingUpdates, EqualDenseForSgdMomentumNesterovAndRmsprop) {
    compare_sparse_dense({.name = "sgd", .learning_rate = 0.1}, 1e-14);
    compare_sparse_dense({.name = "sgd", .learning_rate = 0.1, .momentum = 0.9}, 1e-12);
    compare_sparse_dense({.name = "sgd", .learning_rate = 0.1, .momentum = 0.8, .nesterov = true},
                         1e-12);
    compare_sparse_dense({.name = "rmsprop", .learning_rate = 0.01}, 1e-12);
    compare_sparse_dense({.name = "rmsprop", .learning_rate = 0.01, .clipnorm = 0.5}, 1e-12);
}

TEST(SparseEmbeddingUpdates, AdamIsDenseByDefaultAndLazyOnRequest) {
    compare_sparse_dense({.name = "adam", .learning_rate = 0.01}, 1e-14);
    compare_sparse_dense({.name = "adam", .learning_rate = 0.01, .lazy_sparse_adam = true}, 0,
                         /*expect_equal=*/false);
}

TEST(SparseEmbeddingUpdates, FrozenStepsAndRestoredStateAreNotCaughtUp) {
    // A table frozen for 5 steps with momentum SGD, then unfrozen: the frozen steps must not be
    // replayed (the dense update leaves a frozen table alone).
    EmbeddingOptions eo(8, 2);
    Embedding<double> a(EmbeddingOptions(eo).sparse(true)), b(EmbeddingOptions(eo).sparse(false));
    Rng ra(1), rb(1);
    a.build(ShapeSpec::ids(1), ra);
    b.build(ShapeSpec::ids(1), rb);
    OptimizerOptions o{.name = "sgd", .learning_rate = 0.1, .momentum = 0.9};
    auto oa = make_optimizer<double>(o), ob = make_optimizer<double>(o);
    Tensor<double> x({1, 2}), y, R({1, 2, 2}, 1.0);
    auto step = [&](double id0, double id1) {
        x[0] = id0, x[1] = id1;
        for (Embedding<double>* e : {&a, &b}) {
            e->embeddings().zero_grad();
            e->forward(x, y, Mode::training);
            e->backward(R, nullptr);
        }
        oa->step(a.params());
        ob->step(b.params());
    };
    step(0, 1);
    a.set_trainable(false), b.set_trainable(false);
    for (int i = 0; i < 5; ++i) step(2, 3);
    a.set_trainable(true), b.set_trainable(true);
    for (int i = 0; i < 3; ++i) step(4, 0);
    oa->flush(a.params());
    for (Index i = 0; i < a.embeddings().value.size(); ++i)
        EXPECT_NEAR(a.embeddings().value[i], b.embeddings().value[i], 1e-14) << i;
}

// An Embedding big enough that its gather, its gradient scatter and the optimiser's sparse and
// dense updates are split over the threads: 2 and 3 threads give the 1-thread outputs, gradients
// and tables bit for bit (frequent low ids repeat within a batch, as in a Zipf-ordered
// vocabulary), for RMSprop, SGD with momentum and Nesterov (their catch-up rules), and dense and
// lazy Adam.
TEST(SparseEmbeddingUpdates, ThreadedGatherScatterAndUpdatesEqualOneThread) {
    struct Run {
        std::vector<Tensor<double>> outputs, grads, tables;
    };
    auto run = [](int threads, const OptimizerOptions& options) {
        const int saved = num_threads();
        set_num_threads(threads);
        Run r;
        for (bool sparse : {true, false}) {
            Embedding<double> e(EmbeddingOptions(2000, 128).sparse(sparse));
            Rng init(5), rng(8);
            e.build(ShapeSpec::ids(40), init);
            auto opt = make_optimizer<double>(options);
            Tensor<double> x({30, 40}), y, R({30, 40, 128});
            for (int step = 0; step < 3; ++step) {
                for (Index i = 0; i < x.size(); ++i)
                    x[i] = static_cast<double>(rng.below(1 + rng.below(2000)));
                for (Index i = 0; i < R.size(); ++i) R[i] = rng.uniform(-1, 1);
                e.embeddings().zero_grad();
                e.forward(x, y, Mode::training);
                e.backward(R, nullptr);
                r.outputs.push_back(y);
                r.grads.push_back(e.embeddings().grad);
                opt->step(e.params());
            }
            opt->flush(e.params());
            r.tables.push_back(e.embeddings().value);
        }
        set_num_threads(saved);
        return r;
    };
    auto values = [](const Tensor<double>& t) {
        return std::vector<double>(t.data(), t.data() + t.size());
    };
    const std::vector<OptimizerOptions> optimizers = {
        {.name = "rmsprop", .learning_rate = 0.01},
        {.name = "sgd", .learning_rate = 0.1, .momentum = 0.9},
        {.name = "sgd", .learning_rate = 0.1, .momentum = 0.8, .nesterov = true},
        {.name = "adam", .learning_rate = 0.01},
        {.name = "adam", .learning_rate = 0.01, .lazy_sparse_adam = true}};
    for (const OptimizerOptions& o : optimizers) {
        const Run one = run(1, o);
        for (int threads : {2, 3}) {
            const Run many = run(threads, o);
            ASSERT_EQ(many.outputs.size(), one.outputs.size());
            for (std::size_t k = 0; k < one.outputs.size(); ++k) {
                EXPECT_EQ(values(many.outputs[k]), values(one.outputs[k])) << threads << " " << k;
                EXPECT_EQ(values(many.grads[k]), values(one.grads[k])) << threads << " " << k;
            }
            for (std::size_t k = 0; k < one.tables.size(); ++k)
                EXPECT_EQ(values(many.tables[k]), values(one.tables[k]))
                    << o.name << " " << threads << " " << k;
        }
    }
}

TEST(SparseEmbeddingUpdates, ZeroGradClearsOnlyTheListedRows) {
    Param<float> p{"embeddings", Tensor<float>({5, 2}), Tensor<float>({5, 2}, 0.f), true};
    p.sparse = true;
    p.mark_row(3);
    p.mark_row(1);
    p.mark_row(3);
    EXPECT_EQ(p.rows, (std::vector<Index>{3, 1}));
    p.grad.at(3, 0) = 2, p.grad.at(1, 1) = 5;
    p.zero_grad();
    EXPECT_TRUE(p.rows.empty());
    for (Index i = 0; i < p.grad.size(); ++i) EXPECT_EQ(p.grad[i], 0.f);
}

}  // namespace
}  // namespace recur
