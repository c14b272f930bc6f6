// Attention: finite-difference gradients (double) for the dot, general and additive scores with a
// padding mask, weights that sum to one over the real steps, a hand-computed example, and a
// save/load round trip inside a graph Model.
#include "recur/layers/attention.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>

#include "gradcheck.hpp"
#include "recur/io/model_io.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/model/model.hpp"

namespace recur {
namespace {

struct Inputs {
    Tensor<double> q, v, mask;
};

Inputs make_inputs(Index Tq, Index Tv, Index B, Index dq, Index dv, Rng& rng) {
    Inputs in{Tensor<double>({Tq, B, dq}), Tensor<double>({Tv, B, dv}),
              Tensor<double>({B, Tv}, 1.0)};
    testing::fill_uniform(in.q, rng);
    testing::fill_uniform(in.v, rng);
    in.mask.at(0, Tv - 1) = 0;  // row 0: last step is padding
    in.mask.at(1, 0) = 0;       // row 1: first two steps are padding
    in.mask.at(1, 1) = 0;
    return in;
}

void check_score(AttentionScore score, Index dv, bool with_mask) {
    const Index Tq = 3, Tv = 5, B = 3, dq = 4;
    Rng rng(17);
    Attention<double> att(AttentionOptions().score(score).units(6));
    std::vector<ShapeSpec> specs{ShapeSpec::sequence(Tq, dq), ShapeSpec::sequence(Tv, dv)};
    if (with_mask) specs.push_back(ShapeSpec::vector(Tv));
    EXPECT_EQ(att.build_multi(specs, rng), ShapeSpec::sequence(Tq, dv));
    Inputs in = make_inputs(Tq, Tv, B, dq, dv, rng);
    std::vector<const Tensor<double>*> xs{&in.q, &in.v};
    if (with_mask) xs.push_back(&in.mask);
    Tensor<double> y, R({Tq, B, dv});
    testing::fill_uniform(R, rng);
    auto loss = [&] {
        att.forward_multi(xs, y, Mode::inference);
        return testing::dot(y, R);
    };
    loss();
    for (Param<double>* p : att.params()) p->grad.zero();
    Tensor<double> dq_t, dv_t, dmask;
    att.backward_multi(R, {&dq_t, &dv_t, with_mask ? &dmask : nullptr});
    std::vector<testing::Probe> probes{{"query", in.q.data(), dq_t.data(), in.q.size()},
                                       {"value", in.v.data(), dv_t.data(), in.v.size()}};
    for (Param<double>* p : att.params())
        probes.push_back({p->name, p->value.data(), p->grad.data(), p->value.size()});
    auto report = testing::check_gradients(loss, probes);
    EXPECT_LE(report.worst, 1.0) << attention_score_name(score) << ": " << report.where;
    Index expected = in.q.size() + in.v.size();
    if (score == AttentionScore::general) expected += dq * dv;
    if (score == AttentionScore::additive) expected += dq * 6 + dv * 6 + 6;
    EXPECT_EQ(report.checked, expected);
    // Weights: a distribution over the real steps, zero on padding.
    const Tensor<double>& a = att.attention_weights();
    ASSERT_EQ(a.shape(), (std::vector<Index>{Tq, B, Tv}));
    for (Index i = 0; i < Tq; ++i)
        for (Index b = 0; b < B; ++b) {
            double sum = 0;
            for (Index j = 0; j < Tv; ++j) {
                const double w = a[(i * B + b) * Tv + j];
                if (with_mask && in.mask.at(b, j) == 0) {
                    EXPECT_EQ(w, 0.0);
                }
                EXPECT_GE(w, 0.0);
                sum += w;
            }
            EXPECT_NEAR(sum, 1.0, 1e-12);
        }
}

TEST(Attention, GradientsOfEveryScoreWithAndWithoutMask) {
    for (bool mask : {false, true}) {
        check_score(AttentionScore::dot, 4, mask);
        check_score(AttentionScore::general, 3, mask);
        check_score(AttentionScore::additive, 3, mask);
    }
}

TEST(Attention, DotScoreByHand) {
    // One query (1, 0) over values (1, 0), (0, 1): scores 1 and 0, weights e/(e+1), 1/(e+1).
    Attention<double> att;
    Rng rng(1);
    att.build_multi({ShapeSpec::sequence(1, 2), ShapeSpec::sequence(2, 2)}, rng);
    Tensor<double> q({1, 1, 2}), v({2, 1, 2}), y;
    q[0] = 1;
    v[0] = 1, v[3] = 1;
    att.forward_multi({&q, &v}, y, Mode::inference);
    const double e = std::exp(1.0);
    EXPECT_NEAR(att.attention_weights()[0], e / (e + 1), 1e-15);
    EXPECT_NEAR(y[0], e / (e + 1), 1e-15);
    EXPECT_NEAR(y[1], 1 / (e + 1), 1e-15);
    // Everything masked: zero weights and a zero context, no NaN.
    Tensor<double> none({1, 2}, 0.0);
    att.build_multi({ShapeSpec::sequence(1, 2), ShapeSpec::sequence(2, 2), ShapeSpec::vector(2)},
                    rng);
    att.forward_multi({&q, &v, &none}, y, Mode::inference);
    EXPECT_EQ(y[0], 0.0);
    EXPECT_EQ(y[1], 0.0);
}

TEST(Attention, BadShapesAreRefused) {
    Rng rng(1);
    Attention<double> dot;
    EXPECT_THROW(dot.build_multi({ShapeSpec::sequence(2, 3), ShapeSpec::sequence(4, 2)}, rng),
                 std::invalid_argument);  // dot needs equal widths
    EXPECT_THROW(
        dot.build_multi(
            {ShapeSpec::sequence(2, 3), ShapeSpec::sequence(4, 3), ShapeSpec::vector(3)}, rng),
        std::invalid_argument);  // mask of the wrong length
    EXPECT_THROW(attention_score_from_name("luong"), std::invalid_argument);
}

TEST(Attention, EncoderDecoderGraphSavesAndLoads) {
    // Decoder states attend over encoder outputs, a padding mask as the third input.
    Model<double> m(5);
    NodeRef enc_in = m.input("encoder", ShapeSpec::sequence(6, 2));
    NodeRef dec_in = m.input("decoder", ShapeSpec::sequence(4, 2));
    NodeRef mask = m.input("mask", ShapeSpec::vector(6));
    NodeRef enc = m.add<LSTM<double>>(enc_in, LSTMOptions(5).return_sequences(true));
    NodeRef dec = m.add<LSTM<double>>(dec_in, LSTMOptions(5).return_sequences(true));
    NodeRef ctx = m.add<Attention<double>>(std::vector<NodeRef>{dec, enc, mask},
                                           AttentionOptions().score(AttentionScore::additive));
    m.set_outputs({ctx});
    Rng rng(2);
    Tensor<double> x1({6, 2, 2}), x2({4, 2, 2}), mk({2, 6}, 1.0);
    testing::fill_uniform(x1, rng);
    testing::fill_uniform(x2, rng);
    mk.at(1, 5) = 0;
    m.forward({&x1, &x2, &mk}, Mode::inference);
    Tensor<double> want = m.output(0);
    auto path = std::filesystem::temp_directory_path() /
                ("recur_attention_" + std::to_string(::getpid()) + ".recur");
    save_model(m, path.string());
    Model<double> back = load_model<double>(path.string());
    std::filesystem::remove(path);
    back.forward({&x1, &x2, &mk}, Mode::inference);
    for (Index i = 0; i < want.size(); ++i) EXPECT_NEAR(back.output(0)[i], want[i], 1e-6);
    EXPECT_NE(back.summary().find("Attention"), std::string::npos);
}

}  // namespace
}  // namespace recur
