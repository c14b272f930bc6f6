#include "recur/layers/dense.hpp"

#include <gtest/gtest.h>

#include "gradcheck.hpp"
#include "recur/layers/dropout.hpp"
#include "recur/layers/embedding.hpp"

namespace recur {
namespace {

class DenseGradCheck : public ::testing::TestWithParam<Activation> {};

TEST_P(DenseGradCheck, VectorAndSequenceInputs) {
    for (bool sequence : {false, true}) {
        Rng rng(3);
        Dense<double> dense(DenseOptions(4).activation(GetParam()));
        ShapeSpec in = sequence ? ShapeSpec::sequence(3, 5) : ShapeSpec::vector(5);
        dense.build(in, rng);
        testing::fill_uniform(dense.bias().value, rng, -0.5, 0.5);
        Tensor<double> x(in.batch_shape(2));
        testing::fill_uniform(x, rng);
        auto r = testing::check_layer(dense, x, 1);
        EXPECT_LE(r.worst, 1.0) << r.where;
    }
}

INSTANTIATE_TEST_SUITE_P(Activations, DenseGradCheck,
                         ::testing::Values(Activation::linear, Activation::relu, Activation::tanh,
                                           Activation::sigmoid),
                         [](const auto& info) { return activation_name(info.param); });

TEST(Dense, OutputShapeAndParamCount) {
    Rng rng(1);
    Dense<float> dense(DenseOptions(1));
    EXPECT_EQ(dense.build(ShapeSpec::vector(20), rng), ShapeSpec::vector(1));
    EXPECT_EQ(dense.param_count(), 21);
}

TEST(Dense, PyTorchLinearWeightsAreTransposed) {
    Rng rng(1);
    Dense<double> dense(DenseOptions(2));
    dense.build(ShapeSpec::vector(3), rng);
    Tensor<double> w({2, 3}), b({2});
    for (Index i = 0; i < 6; ++i) w[i] = static_cast<double>(i + 1);  // [[1,2,3],[4,5,6]]
    b[0] = 0.5;
    b[1] = -1;
    dense.set_weights_pytorch(w, &b);
    Tensor<double> x({1, 3}), y;
    x[0] = 1;
    x[1] = 0;
    x[2] = 2;
    dense.forward(x, y, Mode::inference);
    EXPECT_DOUBLE_EQ(y[0], 1 + 6 + 0.5);   // 1*1 + 2*3 + b0
    EXPECT_DOUBLE_EQ(y[1], 4 + 12 - 1.0);  // 1*4 + 2*6 + b1
}

TEST(EmbeddingGradCheck, RepeatedIdsAccumulate) {
    Rng rng(5);
    Embedding<double> emb(EmbeddingOptions(7, 3));
    emb.build(ShapeSpec::ids(4), rng);
    Tensor<double> ids({4, 2});
    const double values[] = {1, 3, 1, 6, 0, 3, 1, 1};  // id 1 four times, 3 twice
    for (Index i = 0; i < 8; ++i) ids[i] = values[i];
    auto r = testing::check_layer(emb, ids, 2, Mode::inference, /*check_input=*/false);
    EXPECT_LE(r.worst, 1.0) << r.where;
    EXPECT_EQ(r.checked, 21);
}

TEST(Embedding, FrozenHasNoTrainableParamsAndLoadsMatrix) {
    Rng rng(5);
    Embedding<float> emb(EmbeddingOptions(4, 2).trainable(false));
    EXPECT_EQ(emb.build(ShapeSpec::ids(3), rng), ShapeSpec::sequence(3, 2));
    EXPECT_EQ(emb.param_count(), 8);
    EXPECT_EQ(emb.trainable_param_count(), 0);
    Tensor<float> m({4, 2});
    for (Index i = 0; i < 8; ++i) m[i] = static_cast<float>(i);
    emb.set_embeddings(m);
    Tensor<float> ids({1, 1}), y;
    ids[0] = 3;
    emb.forward(ids, y, Mode::inference);
    EXPECT_EQ(y.shape(), (std::vector<Index>{1, 1, 2}));
    EXPECT_EQ(y[0], 6.f);
    EXPECT_EQ(y[1], 7.f);
    EXPECT_THROW(emb.set_embeddings(Tensor<float>({3, 2})), std::invalid_argument);
}

TEST(Embedding, OutOfRangeIdIsAnError) {
    Rng rng(5);
    Embedding<float> emb(EmbeddingOptions(4, 2));
    emb.build(ShapeSpec::ids(1), rng);
    Tensor<float> ids({1, 1}), y;
    ids[0] = 4;
    EXPECT_THROW(emb.forward(ids, y, Mode::inference), std::out_of_range);
}

TEST(Embedding, KerasUniformInit) {
    Rng rng(9);
    Embedding<float> emb(EmbeddingOptions(100, 10));
    emb.build(ShapeSpec::ids(1), rng);
    float lo = 1, hi = -1;
    for (Index i = 0; i < emb.embeddings().value.size(); ++i) {
        lo = std::min(lo, emb.embeddings().value[i]);
        hi = std::max(hi, emb.embeddings().value[i]);
    }
    EXPECT_GE(lo, -0.05f);
    EXPECT_LE(hi, 0.05f);
    EXPECT_LT(lo, -0.045f);  // 1,000 draws reach close to both ends
    EXPECT_GT(hi, 0.045f);
}

TEST(Dropout, InvertedScalingAndIdentityAtInference) {
    Rng rng(1);
    Dropout<double> drop(0.5);
    drop.build(ShapeSpec::vector(1000), rng);
    Tensor<double> x({1, 1000}, 1.0), y, dx;
    drop.forward(x, y, Mode::inference);
    for (Index i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], 1.0);
    drop.forward(x, y, Mode::training);
    Index zeros = 0;
    for (Index i = 0; i < y.size(); ++i) {
        ASSERT_TRUE(y[i] == 0.0 || y[i] == 2.0);
        zeros += y[i] == 0.0;
    }
    EXPECT_GT(zeros, 400);
    EXPECT_LT(zeros, 600);
    drop.backward(x, &dx);  // gradient passes through the same mask
    for (Index i = 0; i < y.size(); ++i) ASSERT_EQ(dx[i], y[i]);
}

}  // namespace
}  // namespace recur
