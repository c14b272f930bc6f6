// Bidirectional: finite-difference gradients for every cell, merge mode and output form; each
// half equals the wrapped layer run on its own; merge_mode "none" as a two-output layer of a
// graph Model; Keras's parameter count; save / load.
#include "recur/layers/bidirectional.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "gradcheck.hpp"
#include "recur/io/model_io.hpp"
#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/model/sequential.hpp"

namespace recur {
namespace {

std::unique_ptr<Bidirectional<double>> make_bidi(const std::string& cell, RecurrentOptions o,
                                                 const std::string& merge) {
    if (cell == "gru_ra") return Bidirectional<double>::of<GRU<double>>(o.reset_after(true), merge);
    if (cell == "gru") return Bidirectional<double>::of<GRU<double>>(o.reset_after(false), merge);
    return std::make_unique<Bidirectional<double>>(make_recurrent<double>(cell, o), merge);
}

TEST(BidirectionalGradCheck, EveryCellMergeModeAndOutputForm) {
    for (const std::string cell : {"SimpleRNN", "LSTM", "gru", "gru_ra"})
        for (const std::string merge : {"concat", "sum", "ave", "mul"})
            for (bool seq : {false, true}) {
                Rng rng(3);
                auto layer = make_bidi(cell, RecurrentOptions(3).return_sequences(seq), merge);
                layer->set_name("bidi");
                layer->build(ShapeSpec::sequence(4, 2), rng);
                for (Param<double>* p : layer->params())
                    testing::fill_uniform(p->value, rng, -0.8, 0.8);
                Tensor<double> x({4, 3, 2});
                testing::fill_uniform(x, rng);
                auto r = testing::check_layer(*layer, x, 5);
                EXPECT_LE(r.worst, 1.0)
                    << cell << " " << merge << " seq=" << seq << ": " << r.where;
            }
}

TEST(BidirectionalGradCheck, FixedDropoutMasks) {
    Rng rng(4);
    auto layer = make_bidi(
        "LSTM", RecurrentOptions(3).return_sequences(true).dropout(0.3).recurrent_dropout(0.3),
        "concat");
    layer->build(ShapeSpec::sequence(5, 2), rng);
    for (Param<double>* p : layer->params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
    Tensor<double> x({5, 2, 2});
    testing::fill_uniform(x, rng);
    auto r = testing::check_layer(*layer, x, 9, Mode::training);
    EXPECT_LE(r.worst, 1.0) << r.where;
}

TEST(Bidirectional, HalvesEqualTheWrappedLayerForwardAndReversed) {
    Rng rng(1);
    auto bidi = Bidirectional<double>::of<LSTM<double>>(LSTMOptions(3).return_sequences(true));
    bidi->build(ShapeSpec::sequence(5, 2), rng);
    for (Param<double>* p : bidi->params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
    LSTM<double> fwd(LSTMOptions(3).return_sequences(true)),
        bwd(LSTMOptions(3).return_sequences(true).go_backwards(true));
    fwd.build(ShapeSpec::sequence(5, 2), rng);
    bwd.build(ShapeSpec::sequence(5, 2), rng);
    auto src = bidi->params();
    auto fp = fwd.params(), bp = bwd.params();
    for (size_t i = 0; i < 3; ++i) fp[i]->value = src[i]->value, bp[i]->value = src[3 + i]->value;
    Tensor<double> x({5, 2, 2}), y, yf, yb;
    testing::fill_uniform(x, rng);
    bidi->forward(x, y, Mode::inference);
    fwd.forward(x, yf, Mode::inference);
    bwd.forward(x, yb, Mode::inference);  // processing order: step 0 = input step 4
    ASSERT_EQ(y.shape(), (std::vector<Index>{5, 2, 6}));
    for (Index t = 0; t < 5; ++t)
        for (Index b = 0; b < 2; ++b)
            for (Index u = 0; u < 3; ++u) {
                EXPECT_EQ(y.at(t, b, u), yf.at(t, b, u));
                EXPECT_EQ(y.at(t, b, 3 + u), yb.at(4 - t, b, u));
            }
    EXPECT_EQ(src[0]->name, "forward_kernel");
    EXPECT_EQ(src[5]->name, "backward_bias");
}

TEST(Bidirectional, KerasParameterCountAndSummary) {
    // The book's E2 SEC model: Bidirectional(GRU(32)) on 100-d embeddings, 25,728 = 2 x 12,864.
    Sequential<float> m(ShapeSpec::sequence(20, 100));
    m.add(Bidirectional<float>::of<GRU<float>>(GRUOptions(32).reset_after(true)));
    m.add<Dense<float>>(DenseOptions(1));
    EXPECT_EQ(m.layer(0).param_count(), 25728);
    // Keras cuts the name column at 29 characters too: "bidirectional_1 (Bidirection".
    const std::string s = m.summary();
    EXPECT_NE(s.find("bidirectional_1 (Bidirection (None, 64)"), std::string::npos) << s;
    EXPECT_NE(s.find("25728"), std::string::npos) << s;
    EXPECT_THROW(Bidirectional<float>::of<GRU<float>>(GRUOptions(2), "max"), std::invalid_argument);
}

TEST(Bidirectional, SavesAndLoadsInsideAModel) {
    Sequential<float> m(ShapeSpec::sequence(6, 2), 3);
    m.add(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(4).return_sequences(true), "sum"));
    m.add(Bidirectional<float>::of<GRU<float>>(GRUOptions(3).reset_after(false)));
    m.add<Dense<float>>(DenseOptions(1));
    const auto file = std::filesystem::temp_directory_path() / "recur_bidi_test.recur";
    save_model(m, file.string());
    Model<float> back = load_model<float>(file.string());
    EXPECT_EQ(back.summary(), m.summary());
    Tensor<float> x({7, 6, 2});
    Rng rng(2);
    for (Index i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform(-1, 1));
    EXPECT_EQ(back.predict(x).storage(), m.predict(x).storage());
    std::filesystem::remove(file);
}

// merge_mode "none": a Model whose two outputs are the halves (or only the forward half, so the
// backward half's gradient is the zero the Model supplies for an output nothing reads).
struct TwoOutputCase {
    Model<double> model{5};
    std::vector<NodeRef> halves;
};

TwoOutputCase two_output_model(const std::string& cell, bool seq, bool both_outputs) {
    TwoOutputCase c;
    NodeRef x = c.model.input("x", ShapeSpec::sequence(4, 2));
    c.halves = c.model.add_outputs(
        make_bidi(cell, RecurrentOptions(3).return_sequences(seq), "none"), {x});
    c.model.set_outputs(both_outputs ? c.halves : std::vector<NodeRef>{c.halves[0]});
    return c;
}

TEST(BidirectionalGradCheck, MergeModeNoneThroughTheGraphModel) {
    for (const std::string cell : {"SimpleRNN", "LSTM", "gru", "gru_ra"})
        for (bool seq : {false, true})
            for (bool both : {true, false}) {
                TwoOutputCase c = two_output_model(cell, seq, both);
                Model<double>& m = c.model;
                Rng rng(8);
                for (Param<double>* p : m.params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
                Tensor<double> x({4, 3, 2});
                testing::fill_uniform(x, rng);
                auto r = testing::check_model(m, {&x}, 9);
                EXPECT_LE(r.worst, 1.0)
                    << cell << " seq=" << seq << " both=" << both << ": " << r.where;
                if (!both)  // the backward half reaches no output: its gradients are zero
                    for (Param<double>* p : m.params())
                        if (p->name.rfind("backward_", 0) == 0) {
                            EXPECT_EQ(p->grad.matrix().norm(), 0.0) << cell << " " << p->name;
                        }
            }
}

TEST(Bidirectional, MergeModeNoneGivesTheHalvesOfConcat) {
    for (bool seq : {false, true}) {
        TwoOutputCase none = two_output_model("LSTM", seq, true);
        Model<double> concat(5);
        NodeRef x = concat.input("x", ShapeSpec::sequence(4, 2));
        concat.set_outputs({concat.add(
            make_bidi("LSTM", RecurrentOptions(3).return_sequences(seq), "concat"), {x})});
        concat.set_weights(none.model.get_weights());
        Tensor<double> in({4, 3, 2});
        Rng rng(1);
        testing::fill_uniform(in, rng);
        none.model.forward({&in}, Mode::inference);
        concat.forward({&in}, Mode::inference);
        const Tensor<double>&f = none.model.output(0), &b = none.model.output(1),
              &both = concat.output(0);
        ASSERT_EQ(f.shape(), b.shape());
        ASSERT_EQ(both.cols(), 2 * f.cols());
        for (Index r = 0; r < f.rows(); ++r)
            for (Index u = 0; u < f.cols(); ++u) {
                EXPECT_EQ(f.matrix()(r, u), both.matrix()(r, u));
                EXPECT_EQ(b.matrix()(r, u), both.matrix()(r, f.cols() + u));
            }
    }
}

TEST(Bidirectional, MergeModeNoneNeedsTheTwoOutputApi) {
    Model<float> m;
    NodeRef x = m.input("x", ShapeSpec::sequence(4, 2));
    EXPECT_THROW(m.add(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(2), "none"), {x}),
                 std::invalid_argument);
    Sequential<float> s(ShapeSpec::sequence(4, 2));
    EXPECT_THROW(s.add(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(2), "none")),
                 std::invalid_argument);
    auto layer = Bidirectional<float>::of<LSTM<float>>(LSTMOptions(2), "none");
    Rng rng(1);
    layer->build(ShapeSpec::sequence(4, 2), rng);
    Tensor<float> in({4, 1, 2}), y;
    EXPECT_THROW(layer->forward(in, y, Mode::inference), std::logic_error);
}

TEST(Bidirectional, MergeModeNoneSummarySaveAndLoad) {
    // Keras: Bidirectional(LSTM(4), merge_mode=None) returns [forward, backward]; here the two
    // are concatenated backward-first and read by a Dense head, the forward half also an output.
    Model<float> m(4);
    NodeRef x = m.input("x", ShapeSpec::sequence(6, 2));
    auto halves = m.add_outputs(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(4), "none"), {x});
    NodeRef joined = m.add<Concatenate<float>>(std::vector<NodeRef>{halves[1], halves[0]});
    m.set_outputs({m.add<Dense<float>>(joined, DenseOptions(1)), halves[0]});
    const std::string s = m.summary();
    // Keras cuts the shape list at the column's width too: "[(None, 4), (None, 4".
    EXPECT_NE(s.find("(Bidirectional) [(None, 4), (None, 4 224"), std::string::npos) << s;
    EXPECT_NE(s.find("bidirectional_1[0][1]"), std::string::npos) << s;
    EXPECT_NE(s.find("bidirectional_1[0][0]"), std::string::npos) << s;
    EXPECT_EQ(m.param_count(), 2 * 112 + 9);  // LSTM(4) on 2 features: 4 (4 (2 + 4) + 4)
    const auto file = std::filesystem::temp_directory_path() / "recur_bidi_none_test.recur";
    save_model(m, file.string());
    Model<float> back = load_model<float>(file.string());
    EXPECT_EQ(back.summary(), s);
    EXPECT_EQ(back.layer_inbound(1),
              (std::vector<std::string>{"bidirectional_1:1", "bidirectional_1"}));
    Tensor<float> in({7, 6, 2});
    Rng rng(2);
    for (Index i = 0; i < in.size(); ++i) in[i] = static_cast<float>(rng.uniform(-1, 1));
    m.forward({&in}, Mode::inference);
    back.forward({&in}, Mode::inference);
    for (size_t k = 0; k < 2; ++k) EXPECT_EQ(back.output(k).storage(), m.output(k).storage());
    std::filesystem::remove(file);
}

TEST(Bidirectional, MergeModeNoneSummaryLayoutFollowsKerasDepthRule) {
    // Keras prints the short table when every depth has one layer call: Model(x, [fwd, bwd]) of
    // one Bidirectional(merge_mode=None) is a chain; a Dense on each half makes two calls at
    // depth 0, which is not.
    Model<float> alone;
    NodeRef x = alone.input("x", ShapeSpec::sequence(6, 2));
    alone.set_outputs(
        alone.add_outputs(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(4), "none"), {x}));
    const std::string s = alone.summary();
    EXPECT_EQ(s.find("Connected to"), std::string::npos) << s;
    EXPECT_NE(s.find("bidirectional_1 (Bidirection [(None, 4), (None, 4)]"), std::string::npos)
        << s;

    Model<float> heads;
    NodeRef y = heads.input("x", ShapeSpec::sequence(6, 2));
    auto halves =
        heads.add_outputs(Bidirectional<float>::of<LSTM<float>>(LSTMOptions(4), "none"), {y});
    heads.set_outputs({heads.add<Dense<float>>(halves[0], DenseOptions(1)),
                       heads.add<Dense<float>>(halves[1], DenseOptions(1))});
    const std::string t = heads.summary();
    EXPECT_NE(t.find("Connected to"), std::string::npos) << t;
    EXPECT_NE(t.find("bidirectional_1[0][1]"), std::string::npos) << t;
}

}  // namespace
}  // namespace recur
