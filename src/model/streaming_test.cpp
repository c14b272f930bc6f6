// StreamingPredictor: stepping a stream from a reset gives what predict() gives for the window of
// the same observations, for every cell kind and stacks; series keep separate states; step_all
// equals single steps; unsupported models are refused with a clear message.
#include "recur/model/streaming.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "recur/layers/bidirectional.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/dropout.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"
#include "recur/model/sequential.hpp"

namespace recur {
namespace {

template <typename T>
Sequential<T> make_model(const std::string& cell, Index steps, Index features) {
    Sequential<T> m(ShapeSpec::sequence(steps, features), 3);
    auto o = [](Index u) { return RecurrentOptions(u); };
    if (cell == "lstm") {
        m.template add<LSTM<T>>(o(20));
    } else if (cell == "lstm_hard") {
        m.template add<LSTM<T>>(o(7).recurrent_activation(Activation::hard_sigmoid));
    } else if (cell == "gru") {
        m.template add<GRU<T>>(o(9).reset_after(false));
    } else if (cell == "gru_ra") {
        m.template add<GRU<T>>(o(9).reset_after(true));
    } else if (cell == "rnn") {
        m.template add<SimpleRNN<T>>(o(6));
    } else {  // the macro-like stack: LSTM -> LSTM -> Dense -> Dense, dropout in between
        m.template add<LSTM<T>>(o(12).return_sequences(true).dropout(0.2).recurrent_dropout(0.2));
        m.template add<Dropout<T>>(0.1);
        m.template add<GRU<T>>(o(6));
        m.template add<Dense<T>>(DenseOptions(10).activation(Activation::relu));
    }
    m.template add<Dense<T>>(DenseOptions(2));
    // Non-zero biases everywhere.
    Rng rng(11);
    for (Param<T>* p : m.params())
        for (Index i = 0; i < p->value.size(); ++i) p->value[i] += T(rng.uniform(-0.3, 0.3));
    return m;
}

template <typename T>
void expect_stream_equals_window(const std::string& cell, double tol) {
    const Index steps = 30, features = 3;
    auto model = make_model<T>(cell, steps, features);
    Rng rng(5);
    Tensor<T> x({1, steps, features});
    for (Index i = 0; i < x.size(); ++i) x[i] = T(rng.uniform(-1, 1));
    StreamingPredictor<T> live(model, 2);
    EXPECT_EQ(live.input_size(), features);
    EXPECT_EQ(live.output_size(), 2);
    std::vector<T> last;
    for (Index t = 0; t < steps; ++t) {
        std::vector<T> obs(x.data() + t * features, x.data() + (t + 1) * features);
        last = live.step(1, obs);
        // Every prefix is a window too: predict on the first t + 1 observations.
        if (t == 4 || t == steps - 1) {
            Sequential<T> shorter = make_model<T>(cell, t + 1, features);
            Tensor<T> xs({1, t + 1, features});
            std::copy(x.data(), x.data() + (t + 1) * features, xs.data());
            Tensor<T> want = shorter.predict(xs);
            for (Index k = 0; k < 2; ++k)
                EXPECT_NEAR(double(last[size_t(k)]), double(want[k]), tol)
                    << cell << " after " << t + 1 << " steps, output " << k;
        }
    }
    // Series 0 never stepped: its state is still zero.
    EXPECT_EQ(live.state(0, 0)[0], T(0));
    EXPECT_NE(live.state(0, 1)[0], T(0));
    // A reset series starts afresh: its first step equals the first step of the stream.
    live.reset(1);
    std::vector<T> first(x.data(), x.data() + features);
    auto again = live.step(1, first);
    StreamingPredictor<T> fresh(model, 1);
    auto want = fresh.step(0, first);
    EXPECT_EQ(again, want);
}

TEST(Streaming, StreamEqualsThePredictionOnTheSameWindowDouble) {
    for (const char* cell : {"lstm", "lstm_hard", "gru", "gru_ra", "rnn", "stack"})
        expect_stream_equals_window<double>(cell, 1e-12);
}

TEST(Streaming, StreamEqualsThePredictionOnTheSameWindowFloat) {
    for (const char* cell : {"lstm", "lstm_hard", "gru", "gru_ra", "rnn", "stack"})
        expect_stream_equals_window<float>(cell, 2e-6);
}

TEST(Streaming, ManySeriesKeepTheirOwnStateAndStepAllEqualsSingleSteps) {
    auto model = make_model<double>("stack", 10, 2);
    const Index S = 5;
    StreamingPredictor<double> one_by_one(model, S), together(model, S);
    Rng rng(2);
    Tensor<double> x({S, 2}), y;
    for (int t = 0; t < 8; ++t) {
        for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
        together.step_all(x, y);
        for (Index s = 0; s < S; ++s) {
            const double* ys = one_by_one.step(s, x.data() + s * 2);
            for (Index k = 0; k < 2; ++k) EXPECT_NEAR(ys[k], y[s * 2 + k], 1e-13);
        }
    }
    // Different inputs, different states.
    EXPECT_NE(together.state(0, 0)[0], together.state(0, 1)[0]);
}

TEST(Streaming, AddedSeriesStartFromZeroAndKeepTheOthers) {
    // A predictor grown one series at a time (a live stream meeting new tickers) answers exactly
    // as one built with all of them, whichever series step in between.
    auto model = make_model<double>("stack", 10, 2);
    StreamingPredictor<double> grown(model, 1), fixed(model, 3);
    Rng rng(4);
    std::vector<double> x(2);
    auto both = [&](Index s) {
        for (double& v : x) v = rng.uniform(-1, 1);
        const std::vector<double> a = grown.step(s, x), b = fixed.step(s, x);
        for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]) << "series " << s;
    };
    for (int t = 0; t < 4; ++t) both(0);
    EXPECT_EQ(grown.add_series(), 1);
    EXPECT_EQ(grown.n_series(), 2);
    for (int t = 0; t < 3; ++t) both(1), both(0);
    EXPECT_EQ(grown.add_series(), 2);
    for (int t = 0; t < 5; ++t) both(2), both(1), both(0);
    EXPECT_THROW(grown.step(3, x), std::out_of_range);
}

TEST(Streaming, WeightsAreACopy) {
    auto model = make_model<double>("lstm", 5, 3);
    StreamingPredictor<double> live(model);
    std::vector<double> obs{0.1, -0.2, 0.3};
    auto before = live.step(0, obs);
    for (Param<double>* p : model.params()) p->value.zero();
    live.reset(0);
    EXPECT_EQ(live.step(0, obs), before);
}

TEST(Streaming, UnsupportedModelsAndBadCallsAreRefused) {
    auto expect_refused = [](auto&& build, const std::string& fragment) {
        try {
            auto m = build();
            StreamingPredictor<double> p(m);
            ADD_FAILURE() << "accepted; expected: " << fragment;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expect_refused(
        [] {
            Sequential<double> m(ShapeSpec::sequence(4, 1));
            m.add<LSTM<double>>(RecurrentOptions(3).go_backwards(true));
            return m;
        },
        "backwards");
    expect_refused(
        [] {
            Sequential<double> m(ShapeSpec::sequence(4, 1));
            m.add(Bidirectional<double>::of<LSTM<double>>(RecurrentOptions(3)));
            return m;
        },
        "cannot stream");
    expect_refused(
        [] {
            Sequential<double> m(ShapeSpec::ids(4));
            m.add<Embedding<double>>(EmbeddingOptions(10, 3));
            m.add<LSTM<double>>(RecurrentOptions(3));
            return m;
        },
        "sequence of float features");
    auto model = make_model<double>("lstm", 5, 3);
    StreamingPredictor<double> live(model, 2);
    EXPECT_THROW(live.step(2, std::vector<double>{1, 2, 3}), std::out_of_range);
    EXPECT_THROW(live.step(0, std::vector<double>{1, 2}), std::invalid_argument);
    Tensor<double> bad({3, 3}), y;
    EXPECT_THROW(live.step_all(bad, y), std::invalid_argument);
}

}  // namespace
}  // namespace recur
