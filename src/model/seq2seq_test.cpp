// Seq2Seq: finite-difference gradients (double) through both LSTMs, the attention weights and the
// head, trained with teacher forcing; scheduled sampling at p = 0 is teacher forcing and at p = 1
// trains on exactly the autoregressive forecast; shapes are checked.
#include "recur/model/seq2seq.hpp"

#include <gtest/gtest.h>

#include "gradcheck.hpp"

namespace recur {
namespace {

Seq2SeqOptions small(bool attention, AttentionScore score) {
    Seq2SeqOptions o;
    o.input_steps = 5;
    o.input_features = 2;
    o.horizon = 4;
    o.output_features = 2;
    o.units = 3;
    o.attention = attention;
    o.score = score;
    o.seed = 7;
    return o;
}

void check_gradients_of(bool attention, AttentionScore score) {
    Seq2Seq<double> m(small(attention, score));
    Rng rng(3);
    for (Param<double>* p : m.params()) testing::fill_uniform(p->value, rng, -0.7, 0.7);
    const Index B = 2;
    Tensor<double> x({5, B, 2}), dec_in({4, B, 2}), R({4, B, 2});
    testing::fill_uniform(x, rng);
    testing::fill_uniform(dec_in, rng);
    testing::fill_uniform(R, rng);
    auto loss = [&] { return testing::dot(m.forward_teacher(x, dec_in, Mode::inference), R); };
    loss();
    m.zero_grad();
    Tensor<double> dx;
    m.backward(R, &dx);
    std::vector<testing::Probe> probes{{"x", x.data(), dx.data(), x.size()}};
    for (Param<double>* p : m.params())
        probes.push_back({p->name, p->value.data(), p->grad.data(), p->value.size()});
    auto report = testing::check_gradients(loss, probes);
    EXPECT_LE(report.worst, 1.0) << (attention ? attention_score_name(score) : "no attention")
                                 << ": " << report.where;
    EXPECT_EQ(report.checked, x.size() + m.param_count());
}

TEST(Seq2Seq, GradientsThroughEncoderDecoderAndAttention) {
    check_gradients_of(false, AttentionScore::dot);
    check_gradients_of(true, AttentionScore::dot);
    check_gradients_of(true, AttentionScore::general);
    check_gradients_of(true, AttentionScore::additive);
}

void check_sampling_endpoints(bool residual) {
    Seq2SeqOptions o = small(true, AttentionScore::general);
    o.residual = residual;
    Seq2Seq<double> m(o);
    m.compile(Loss::mse, {.name = "sgd", .learning_rate = 0.0});  // lr 0: weights stay put
    Rng rng(5);
    const Index B = 3;
    Tensor<double> x({5, B, 2}), start({B, 2}), y({4, B, 2});
    testing::fill_uniform(x, rng);
    testing::fill_uniform(start, rng);
    testing::fill_uniform(y, rng);
    // p = 1: every decoder input is the model's own previous prediction, so the training loss is
    // the loss of the autoregressive forecast.
    const double forecast = m.evaluate(x, start, y);
    EXPECT_NEAR(m.train_on_batch(x, start, y, 1.0, rng), forecast, 1e-12);
    // p = 0: teacher forcing, the true previous values.
    Tensor<double> dec_in({4, B, 2});
    std::copy(start.data(), start.data() + start.size(), dec_in.data());
    std::copy(y.data(), y.data() + 3 * B * 2, dec_in.data() + B * 2);
    const double teacher = compute_loss(Loss::mse, m.forward_teacher(x, dec_in, Mode::training), y,
                                        static_cast<Tensor<double>*>(nullptr));
    EXPECT_NEAR(m.train_on_batch(x, start, y, 0.0, rng), teacher, 1e-12);
    EXPECT_GT(std::abs(teacher - forecast), 1e-6);  // the two really differ
    // Attention weights of the forecast: (H, B, T_in), rows summing to one.
    Tensor<double> y_hat;
    m.predict(x, start, y_hat);
    const Tensor<double>& a = m.attention_weights();
    ASSERT_EQ(a.shape(), (std::vector<Index>{4, B, 5}));
    double sum = 0;
    for (Index j = 0; j < 5; ++j) sum += a[j];
    EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(Seq2Seq, ScheduledSamplingEndpoints) {
    check_sampling_endpoints(false);
    check_sampling_endpoints(true);  // residual: y_k = y_{k-1} + head
}

TEST(Seq2Seq, BadShapesAreRefused) {
    Seq2Seq<double> m(small(false, AttentionScore::dot));
    Rng rng(1);
    Tensor<double> x({5, 2, 2}), start({2, 2}), y({3, 2, 2}), y_hat;
    EXPECT_THROW(m.train_on_batch(x, start, y, 0.0, rng), std::logic_error);  // not compiled
    m.compile(Loss::mse);
    EXPECT_THROW(m.train_on_batch(x, start, y, 0.0, rng), std::invalid_argument);
    Tensor<double> bad_start({3, 2});
    EXPECT_THROW(m.predict(x, bad_start, y_hat), std::invalid_argument);
}

}  // namespace
}  // namespace recur
