// Bidirectional: finite-difference gradients for every cell, merge mode and output form; each
// half equals the wrapped layer run on its own; Keras's parameter count; save / load.
#include "recur/layers/bidirectional.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "gradcheck.hpp"
#include "recur/io/model_io.hpp"
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

}  // namespace
}  // namespace recur
