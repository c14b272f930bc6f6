// Sequential: Keras summary and parameter counts, stacked gradient checks, batch layout,
// determinism, errors on bad data.
#include "recur/model/sequential.hpp"

#include <gtest/gtest.h>

#include "gradcheck.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/model/book_models.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {
namespace {

TEST(BookModels, ParameterCountsEqualKeras) {
    EXPECT_EQ(book_model<float>("sp500").param_count(), 1781);
    EXPECT_EQ(book_model<float>("macro").param_count(), 1268);
    auto imdb = book_model<float>("imdb");
    EXPECT_EQ(imdb.param_count(), 2012801);
    EXPECT_EQ(imdb.trainable_param_count(), 2012801);
    auto glove = book_model<float>("imdb-glove");
    EXPECT_EQ(glove.param_count(), 8871401);
    EXPECT_EQ(glove.trainable_param_count(), 12801);
    EXPECT_EQ(glove.layer(1).param_count(), 12768);  // the book's reset_after=false GRU(32)
    EXPECT_THROW(book_model<float>("nope"), std::invalid_argument);
}

TEST(Summary, PrintsKerasTable) {
    const std::string expected =
        "_________________________________________________________________\n"
        "Layer (type)                 Output Shape              Param #   \n"
        "=================================================================\n"
        "lstm_1 (LSTM)                (None, 20)                1760      \n"
        "_________________________________________________________________\n"
        "dense_1 (Dense)              (None, 1)                 21        \n"
        "=================================================================\n"
        "Total params: 1,781\n"
        "Trainable params: 1,781\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n";
    EXPECT_EQ(book_model<float>("sp500").summary(), expected);
    std::string glove = book_model<float>("imdb-glove").summary();
    EXPECT_NE(glove.find("embedding_1 (Embedding)      (None, 100, 100)          8858600"),
              std::string::npos);
    EXPECT_NE(glove.find("Total params: 8,871,401\nTrainable params: 12,801\n"
                         "Non-trainable params: 8,858,600\n"),
              std::string::npos);
    EXPECT_NE(
        book_model<float>("macro").summary().find("lstm_1 (LSTM)                (None, 24, 12)"),
        std::string::npos);
}

// L = Σ predict ⊙ R through the whole stack, checked against finite differences.
void check_stack(Sequential<double>& model, Index batch, std::uint64_t seed) {
    Rng rng(seed);
    for (Param<double>* p : model.params()) testing::fill_uniform(p->value, rng, -0.7, 0.7);
    Tensor<double> x(model.input_spec().batch_shape(batch));
    testing::fill_uniform(x, rng);
    const Tensor<double>& y = model.forward(x, Mode::inference);
    Tensor<double> R(y.shape());
    testing::fill_uniform(R, rng);
    model.zero_grad();
    model.backward(R);
    std::vector<testing::Probe> probes;
    for (Param<double>* p : model.params())
        probes.push_back({p->name, p->value.data(), p->grad.data(), p->value.size()});
    auto loss = [&] { return testing::dot(model.forward(x, Mode::inference), R); };
    auto r = testing::check_gradients(loss, probes);
    EXPECT_LE(r.worst, 1.0) << r.where;
}

TEST(StackedGradCheck, TwoLayerLstmReturnSequences) {
    Sequential<double> m(ShapeSpec::sequence(6, 3));
    m.add<LSTM<double>>(LSTMOptions(5).return_sequences(true));
    m.add<LSTM<double>>(LSTMOptions(4));
    m.add<Dense<double>>(DenseOptions(2));
    check_stack(m, 3, 1);
}

TEST(StackedGradCheck, TwoLayerGruBothFormsToSequenceOutput) {
    Sequential<double> m(ShapeSpec::sequence(5, 2));
    m.add<GRU<double>>(GRUOptions(4).return_sequences(true).reset_after(false));
    m.add<GRU<double>>(GRUOptions(3).return_sequences(true).reset_after(true));
    m.add<Dense<double>>(DenseOptions(1).activation(Activation::tanh));
    check_stack(m, 2, 2);
}

TEST(Sequential, GatherIsTimeMajorAndScatterInverts) {
    // x[n][t][f] = 100 n + 10 t + f
    Tensor<float> x({3, 2, 2});
    for (Index n = 0; n < 3; ++n)
        for (Index t = 0; t < 2; ++t)
            for (Index f = 0; f < 2; ++f) x.at(n, t, f) = static_cast<float>(100 * n + 10 * t + f);
    ShapeSpec spec = ShapeSpec::sequence(2, 2);
    Index idx[2] = {2, 0};
    Tensor<float> batch;
    Sequential<float>::gather_batch(x, spec, idx, 2, batch);
    ASSERT_EQ(batch.shape(), (std::vector<Index>{2, 2, 2}));
    EXPECT_EQ(batch.at(1, 0, 1), 211.f);  // t=1, sample 2, f=1
    EXPECT_EQ(batch.at(0, 1, 0), 0.f);    // t=0, sample 0
    Tensor<float> back({2, 2, 2});
    Sequential<float>::scatter_batch(batch, spec, 0, back);
    EXPECT_EQ(back.at(0, 1, 1), 211.f);
    EXPECT_EQ(back.at(1, 0, 0), 0.f);
}

Tensor<float> random_tensor(std::vector<Index> shape, std::uint64_t seed) {
    Rng rng(seed);
    Tensor<float> t(std::move(shape));
    for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.uniform(-1, 1));
    return t;
}

std::vector<Tensor<float>> train_macro(int threads) {
    set_num_threads(threads);
    auto m = book_model<float>("macro", {.seed = 5});
    m.compile(Loss::mae, {.name = "rmsprop"});
    auto x = random_tensor({50, 24, 2}, 1), y = random_tensor({50, 2}, 2);
    m.fit(x, y, {.epochs = 3, .batch_size = 8, .seed = 9, .verbose = 0});
    set_num_threads(1);
    return m.get_weights();
}

TEST(Determinism, SameSeedSameThreadsGivesBitIdenticalWeights) {
    for (int threads : {1, 2}) {
        auto a = train_macro(threads), b = train_macro(threads);
        ASSERT_EQ(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            EXPECT_EQ(a[i].storage(), b[i].storage()) << "tensor " << i << " threads " << threads;
    }
    // ... and training changed something (dropout and shuffling included).
    auto initial = book_model<float>("macro", {.seed = 5}).get_weights();
    EXPECT_NE(initial[0].storage(), train_macro(1)[0].storage());
}

TEST(Sequential, BadDataIsRefusedWithAClearMessage) {
    auto m = book_model<float>("sp500");
    m.compile(Loss::mse);
    auto x = random_tensor({4, 63, 1}, 1), y = random_tensor({4, 1}, 2);
    x.at(2, 5, 0) = std::nanf("");
    try {
        m.fit(x, y, {.verbose = 0});
        FAIL() << "NaN input accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("input sample 2 contains NaN"), std::string::npos)
            << e.what();
    }
    auto bad_shape = random_tensor({4, 60, 1}, 1);
    EXPECT_THROW(m.predict(bad_shape), std::invalid_argument);
    auto bad_y = random_tensor({3, 1}, 1);
    EXPECT_THROW(m.fit(random_tensor({4, 63, 1}, 1), bad_y, {.verbose = 0}), std::invalid_argument);
}

TEST(Sequential, DivergingLossStopsWithAMessage) {
    Sequential<float> m(ShapeSpec::vector(1));
    m.add<Dense<float>>(DenseOptions(1));
    m.compile(Loss::mse, {.name = "sgd", .learning_rate = 1e6});
    Tensor<float> x({8, 1}, 1e3f), y({8, 1}, 1.f);
    try {
        m.fit(x, y, {.epochs = 50, .batch_size = 8, .verbose = 0});
        FAIL() << "training diverged silently";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace recur

namespace recur {
namespace {

TEST(Sequential, FitPrintsAKerasStyleProgressLine) {
    auto m = book_model<float>("sp500");
    m.compile(Loss::mse);
    auto x = random_tensor({30, 63, 1}, 1), y = random_tensor({30, 1}, 2);
    ::testing::internal::CaptureStderr();
    m.fit(x, y, {.epochs = 2, .batch_size = 20, .verbose = 1}, &x, &y);
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("Epoch 1/2\n"), std::string::npos) << err;
    EXPECT_NE(err.find("Epoch 2/2\n"), std::string::npos) << err;
    EXPECT_NE(err.find("2/2 [==============================] - "), std::string::npos) << err;
    EXPECT_NE(err.find("ms/step - loss: "), std::string::npos) << err;
    EXPECT_NE(err.find(" - val_loss: "), std::string::npos) << err;
}

}  // namespace
}  // namespace recur
