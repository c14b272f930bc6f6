// Functional Model: gradient checks through a multi-input, multi-output graph with a shared
// node, equality with the same Sequential, Reshape / Flatten layout, the stocks summary,
// save / load of a graph, and errors when wiring a graph wrongly.
#include "recur/model/model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "gradcheck.hpp"
#include "recur/io/model_io.hpp"
#include "recur/layers/bidirectional.hpp"
#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/reshape.hpp"
#include "recur/metrics/metrics.hpp"
#include "recur/model/book_models.hpp"
#include "recur/model/sequential.hpp"

namespace recur {
namespace {

// returns (4, 2) -> LSTM(3) = h;  ticker id -> Embedding(5, 2) -> Reshape(2);  extra (3,)
// out0 = Dense(1)(Dense(4, tanh)(concat[h, embedding, extra]))     out1 = Dense(2)(h)
// h is read by two layers, so its gradient is the sum of both paths.
Model<double> multi_input_graph(std::uint64_t seed) {
    Model<double> m(seed);
    NodeRef seq = m.input("returns", ShapeSpec::sequence(4, 2));
    NodeRef ids = m.input("ticker", ShapeSpec::ids(1));
    NodeRef extra = m.input("extra", ShapeSpec::vector(3));
    NodeRef h = m.add<LSTM<double>>(seq, LSTMOptions(3));
    NodeRef e = m.add<Reshape<double>>(m.add<Embedding<double>>(ids, EmbeddingOptions(5, 2)),
                                       std::vector<Index>{2});
    NodeRef x = m.add<Concatenate<double>>({h, e, extra});
    x = m.add<Dense<double>>(x, DenseOptions(4).activation(Activation::tanh));
    m.set_outputs(
        {m.add<Dense<double>>(x, DenseOptions(1)), m.add<Dense<double>>(h, DenseOptions(2))});
    return m;
}

TEST(ModelGraph, GradientsThroughConcatenateEmbeddingAndSharedNode) {
    Model<double> m = multi_input_graph(3);
    Rng rng(11);
    for (Param<double>* p : m.params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
    const Index B = 3;
    Tensor<double> seq({4, B, 2}), ids({1, B}), extra({B, 3});
    testing::fill_uniform(seq, rng);
    testing::fill_uniform(extra, rng);
    ids[0] = 4, ids[1] = 0, ids[2] = 4;  // a repeated id accumulates into one embedding row
    std::vector<const Tensor<double>*> in = {&seq, &ids, &extra};
    Tensor<double> R0({B, 1}), R1({B, 2});
    testing::fill_uniform(R0, rng);
    testing::fill_uniform(R1, rng);
    auto loss = [&] {
        m.forward(in, Mode::inference);
        return testing::dot(m.output(0), R0) + testing::dot(m.output(1), R1);
    };
    loss();
    m.set_compute_input_grads(true);
    m.zero_grad();
    m.backward(std::vector<const Tensor<double>*>{&R0, &R1});
    Tensor<double> dseq = m.input_grad(0), dextra = m.input_grad(2);
    std::vector<testing::Probe> probes;
    for (size_t i = 0; i < m.size(); ++i)
        for (Param<double>* p : m.layer(i).params())
            probes.push_back({m.layer(i).name() + "/" + p->name, p->value.data(), p->grad.data(),
                              p->value.size()});
    probes.push_back({"returns", seq.data(), dseq.data(), seq.size()});
    probes.push_back({"extra", extra.data(), dextra.data(), extra.size()});
    auto report = testing::check_gradients(loss, probes);
    EXPECT_LE(report.worst, 1.0) << report.where;
    EXPECT_EQ(report.checked, 72 + 10 + 36 + 5 + 8 + 24 + 9);  // every weight, both inputs
    EXPECT_THROW(m.input_grad(1), std::logic_error);           // integer ids have no gradient
}

// return_state in a graph: x -> RNN(return_state) -> [y, h_T(, c_T)], Keras's list; here h_T also
// feeds a Dense head, so its gradient joins from two readers.
Model<double> return_state_graph(const std::string& cell, bool sequences) {
    Model<double> m(4);
    NodeRef x = m.input("x", ShapeSpec::sequence(5, 2));
    auto outs =
        m.add_outputs(make_recurrent<double>(
                          cell, RecurrentOptions(3).return_state(true).return_sequences(sequences)),
                      {x});
    std::vector<NodeRef> model_outputs = outs;
    model_outputs.push_back(m.add<Dense<double>>(outs[1], DenseOptions(2)));
    m.set_outputs(model_outputs);
    return m;
}

TEST(ModelGraph, ReturnStateGivesTheFinalStatesAsOutputs) {
    for (const std::string cell : {"SimpleRNN", "LSTM", "GRU"})
        for (bool sequences : {false, true}) {
            Model<double> m = return_state_graph(cell, sequences);
            const size_t states = cell == "LSTM" ? 2 : 1;
            ASSERT_EQ(m.num_outputs(), 1 + states + 1);
            for (size_t k = 1; k <= states; ++k) EXPECT_EQ(m.output_spec(k), ShapeSpec::vector(3));
            Rng rng(6);
            for (Param<double>* p : m.params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
            Tensor<double> x({5, 4, 2});
            testing::fill_uniform(x, rng);
            m.forward({&x}, Mode::inference);
            // h_T is the output's last step (or the output itself without return_sequences).
            const Tensor<double>& y = m.output(0);
            const Index last = sequences ? 4 * 4 * 3 : 0;
            for (Index i = 0; i < 4 * 3; ++i) EXPECT_EQ(m.output(1)[i], y[last + i]) << cell;
            auto r = testing::check_model(m, {&x}, 7);
            EXPECT_LE(r.worst, 1.0) << cell << " sequences=" << sequences << ": " << r.where;
        }
    // Summary lists the three shapes; a file keeps the wiring ("lstm_1:1" is h_T).
    Model<double> m = return_state_graph("LSTM", false);
    // (Keras's narrow chain layout cuts the list at its column width, as here.)
    EXPECT_NE(m.summary().find("lstm_1 (LSTM)                [(None, 3), (None, 3), (N 72"),
              std::string::npos)
        << m.summary();
    const auto file = std::filesystem::temp_directory_path() / "recur_return_state_test.recur";
    save_model(m, file.string());
    Model<double> back = load_model<double>(file.string());
    EXPECT_EQ(back.layer_inbound(1), std::vector<std::string>{"lstm_1:1"});
    EXPECT_EQ(back.output_name(2), "lstm_1:2");
    Tensor<double> x({5, 2, 2});
    Rng rng(2);
    testing::fill_uniform(x, rng);
    m.set_weights(back.get_weights());  // the file holds float32 values
    m.forward({&x}, Mode::inference);
    back.forward({&x}, Mode::inference);
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(back.output(k).storage(), m.output(k).storage());
    std::filesystem::remove(file);
    // A Sequential has one output per layer: return_state needs the graph Model.
    Sequential<double> s(ShapeSpec::sequence(5, 2));
    EXPECT_THROW(s.add<LSTM<double>>(LSTMOptions(3).return_state(true)), std::invalid_argument);
}

TEST(ModelGraph, FlattenAndReshapeKeepSamplesFirstOrder) {
    // A (T=3, B=2, F=2) sequence flattened per sample is [x(t0), x(t1), x(t2)] as in Keras.
    Flatten<double> flat;
    Rng rng(1);
    EXPECT_EQ(flat.build(ShapeSpec::sequence(3, 2), rng), ShapeSpec::vector(6));
    Tensor<double> x({3, 2, 2}), y;
    for (Index i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);  // (t*2 + b)*2 + f
    flat.forward(x, y, Mode::inference);
    ASSERT_EQ(y.shape(), (std::vector<Index>{2, 6}));
    const double sample1[6] = {2, 3, 6, 7, 10, 11};
    for (int p = 0; p < 6; ++p) EXPECT_EQ(y.at(1, p), sample1[p]);
    Reshape<double> back({3, 2});
    EXPECT_EQ(back.build(ShapeSpec::vector(6), rng), ShapeSpec::sequence(3, 2));
    Tensor<double> z;
    back.forward(y, z, Mode::inference);
    for (Index i = 0; i < x.size(); ++i) EXPECT_EQ(z[i], x[i]);
    auto report = testing::check_layer(flat, x, 5);
    EXPECT_LE(report.worst, 1.0) << report.where;
    Reshape<double> bad({5});
    EXPECT_THROW(bad.build(ShapeSpec::sequence(3, 2), rng), std::invalid_argument);
}

TEST(ModelGraph, ChainGraphEqualsSequential) {
    const std::uint64_t seed = 9;
    Sequential<float> seq(ShapeSpec::sequence(6, 2), seed);
    seq.add<LSTM<float>>(LSTMOptions(4).return_sequences(true));
    seq.add<LSTM<float>>(LSTMOptions(3).dropout(0.2));
    seq.add<Dense<float>>(DenseOptions(1).activation(Activation::sigmoid));
    Model<float> g(seed);
    NodeRef x = g.input("x", ShapeSpec::sequence(6, 2));
    x = g.add<LSTM<float>>(x, LSTMOptions(4).return_sequences(true));
    x = g.add<LSTM<float>>(x, LSTMOptions(3).dropout(0.2));
    g.set_outputs({g.add<Dense<float>>(x, DenseOptions(1).activation(Activation::sigmoid))});

    Rng rng(2);
    Tensor<float> X({40, 6, 2}), Y({40, 1});
    for (Index i = 0; i < X.size(); ++i) X[i] = static_cast<float>(rng.uniform(-1, 1));
    for (Index i = 0; i < Y.size(); ++i) Y[i] = rng.uniform() < 0.5 ? 0.f : 1.f;
    auto ws = seq.get_weights(), wg = g.get_weights();
    ASSERT_EQ(ws.size(), wg.size());
    for (size_t i = 0; i < ws.size(); ++i) ASSERT_EQ(ws[i].storage(), wg[i].storage());

    seq.compile(Loss::bce, {.name = "rmsprop"});
    g.compile(Loss::bce, {.name = "rmsprop"});
    FitOptions<float> fo{.epochs = 3, .batch_size = 8, .verbose = 0};
    auto hs = seq.fit(X, Y, fo, &X, &Y);
    TensorDataset<float> data({&X}, {&Y});
    auto hg = g.fit(data, fo, &data);
    EXPECT_EQ(hs["loss"], hg["loss"]);
    EXPECT_EQ(hs["val_loss"], hg["val_loss"]);
    ws = seq.get_weights(), wg = g.get_weights();
    for (size_t i = 0; i < ws.size(); ++i) EXPECT_EQ(ws[i].storage(), wg[i].storage());
    EXPECT_EQ(seq.predict(X).storage(), g.predict(X).storage());
}

TEST(ModelGraph, LearnsFromIdsAndDenseInputs) {
    // y = 1 when the id is odd XOR the vector's first value is positive: needs both inputs.
    Model<float> m(4);
    NodeRef ids = m.input("id", ShapeSpec::ids(1));
    NodeRef v = m.input("v", ShapeSpec::vector(2));
    NodeRef e = m.add<Flatten<float>>(m.add<Embedding<float>>(ids, EmbeddingOptions(6, 3)));
    NodeRef h = m.add<Dense<float>>(m.add<Concatenate<float>>({e, v}),
                                    DenseOptions(16).activation(Activation::tanh));
    m.set_outputs({m.add<Dense<float>>(h, DenseOptions(1).activation(Activation::sigmoid))});
    m.compile(Loss::bce, {.name = "adam", .learning_rate = 0.01});
    Rng rng(3);
    const Index n = 600;
    Tensor<float> I({n, 1}), V({n, 2}), Y({n, 1});
    for (Index i = 0; i < n; ++i) {
        I[i] = static_cast<float>(rng.below(6));
        V.at(i, 0) = static_cast<float>(rng.uniform(-1, 1));
        V.at(i, 1) = static_cast<float>(rng.uniform(-1, 1));
        Y[i] = ((static_cast<int>(I[i]) % 2 == 1) != (V.at(i, 0) > 0)) ? 1.f : 0.f;
    }
    TensorDataset<float> data({&I, &V}, {&Y});
    auto h0 = m.evaluate(data);
    m.fit(data, {.epochs = 30, .batch_size = 32, .verbose = 0});
    EXPECT_LT(m.evaluate(data), 0.25 * h0);
}

TEST(ModelGraph, EarlyStoppingOnValidationAucRestoresTheBestEpoch) {
    // A noisy two-input problem, validated on held-out samples: val_auc rises, then wobbles.
    Model<float> m(8);
    NodeRef ids = m.input("id", ShapeSpec::ids(1));
    NodeRef v = m.input("v", ShapeSpec::vector(2));
    NodeRef e = m.add<Flatten<float>>(m.add<Embedding<float>>(ids, EmbeddingOptions(20, 4)));
    NodeRef h = m.add<Dense<float>>(m.add<Concatenate<float>>({e, v}),
                                    DenseOptions(8).activation(Activation::tanh));
    m.set_outputs({m.add<Dense<float>>(h, DenseOptions(1).activation(Activation::sigmoid))});
    m.compile(Loss::bce, {.name = "adam", .learning_rate = 0.05});
    Rng rng(5);
    auto make = [&](Index n, Tensor<float>& I, Tensor<float>& V, Tensor<float>& Y) {
        I.resize({n, 1}), V.resize({n, 2}), Y.resize({n, 1});
        for (Index i = 0; i < n; ++i) {
            I[i] = static_cast<float>(rng.below(20));
            V.at(i, 0) = static_cast<float>(rng.uniform(-1, 1));
            V.at(i, 1) = static_cast<float>(rng.uniform(-1, 1));
            const double signal = 0.8 * V.at(i, 0) + (static_cast<int>(I[i]) % 3 == 0 ? 0.5 : 0);
            Y[i] = rng.uniform(-1, 1) < signal ? 1.f : 0.f;
        }
    };
    Tensor<float> I, V, Y, Iv, Vv, Yv;
    make(300, I, V, Y);
    make(300, Iv, Vv, Yv);
    TensorDataset<float> train({&I, &V}, {&Y}), val({&Iv, &Vv}, {&Yv});
    EarlyStopping<float> es(
        {.monitor = "val_auc", .mode = "max", .patience = 2, .restore_best_weights = true});
    FitOptions<float> fo{.epochs = 30, .batch_size = 16, .verbose = 0, .callbacks = {&es}};
    fo.metrics.push_back({"auc", [](const Tensor<float>& p, const Tensor<float>& y) {
                              return roc_auc(std::span<const float>(p.data(), p.size()),
                                             std::span<const float>(y.data(), y.size()));
                          }});
    History h_ = m.fit(train, fo, &val);
    const auto& auc = h_["val_auc"];
    ASSERT_GT(es.best_epoch(), 0);
    ASSERT_LT(h_.epochs_run(), 30) << "early stopping never triggered";
    EXPECT_EQ(*std::max_element(auc.begin(), auc.end()),
              auc[static_cast<size_t>(es.best_epoch() - 1)]);
    const Tensor<float> p = m.predict(val)[0];
    EXPECT_EQ(roc_auc(std::span<const float>(p.data(), p.size()),
                      std::span<const float>(Yv.data(), Yv.size())),
              auc[static_cast<size_t>(es.best_epoch() - 1)]);  // the best weights are back
}

TEST(ModelGraph, StocksSummaryHasConnectedToAnd29371Params) {
    Model<float> m = book_model<float>("stocks");
    EXPECT_EQ(m.param_count(), 29371);
    const std::string s = m.summary();
    const std::string expected_head =
        "__________________________________________________________________________________________"
        "________\n"
        "Layer (type)                    Output Shape         Param #     Connected to            "
        "         \n"
        "=========================================================================================="
        "========\n"
        "returns (InputLayer)            (None, 52, 1)        0                                   "
        "         \n";
    EXPECT_EQ(s.substr(0, expected_head.size()), expected_head);
    for (const char* line :
         {"lstm_1 (LSTM)                   (None, 52, 25)       2700        returns[0][0]",
          "embedding_1 (Embedding)         (None, 1, 10)        24890       ticker[0][0]",
          "reshape_1 (Reshape)             (None, 10)           0           embedding_1[0][0]",
          "concatenate_1 (Concatenate)     (None, 32)           0           lstm_2[0][0]",
          "                                                                 reshape_1[0][0]",
          "                                                                 month[0][0]",
          "dense_2 (Dense)                 (None, 1)            11          dense_1[0][0]",
          "Total params: 29,371\n"})
        EXPECT_NE(s.find(line), std::string::npos) << line << "\n" << s;
    EXPECT_EQ(book_model<float>("stocks", {.n_tickers = 3112}).param_count(), 29371 + 6230);
}

TEST(ModelGraph, SaveLoadRoundTripOfAGraph) {
    Model<float> m = book_model<float>("stocks", {.n_tickers = 7, .lags = 5});
    const auto dir = std::filesystem::temp_directory_path() / "recur_model_graph_test";
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "g.recur").string();
    save_model(m, file);
    Model<float> back = load_model<float>(file);
    EXPECT_FALSE(back.is_sequential());
    EXPECT_EQ(back.summary(), m.summary());
    Rng rng(1);
    const Index n = 9;
    Tensor<float> R({n, 5, 1}), I({n, 1}), M({n, 12}, 0.f);
    for (Index i = 0; i < R.size(); ++i) R[i] = static_cast<float>(rng.uniform(-0.1, 0.1));
    for (Index i = 0; i < n; ++i) I[i] = static_cast<float>(i % 7), M.at(i, i % 12) = 1;
    TensorDataset<float> data({&R, &I, &M});
    EXPECT_EQ(m.predict(data)[0].storage(), back.predict(data)[0].storage());
    // Weights of a graph load into the same graph, not into a Sequential or other wiring.
    BookModelOptions opts{.n_tickers = 7, .lags = 5};
    opts.seed = 7;
    Model<float> other = book_model<float>("stocks", opts);
    load_weights(other, file);
    EXPECT_EQ(other.predict(data)[0].storage(), m.predict(data)[0].storage());
    Model<float> seq = book_model<float>("sp500");
    EXPECT_THROW(load_weights(seq, file), FormatError);
    std::filesystem::remove_all(dir);
}

TEST(ModelGraph, WiringErrorsAreClear) {
    Model<float> m;
    NodeRef a = m.input("a", ShapeSpec::vector(3));
    NodeRef s = m.input("s", ShapeSpec::sequence(4, 2));
    EXPECT_THROW(m.input("a", ShapeSpec::vector(1)), std::invalid_argument);
    try {
        m.add<Concatenate<float>>({a, s});
        FAIL() << "concatenating a vector and a sequence must fail";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("(None, 3), (None, 4, 2)"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(m.add<Dense<float>>({a, a}, DenseOptions(1)), std::invalid_argument);
    EXPECT_THROW(m.add<Dense<float>>(NodeRef(99), DenseOptions(1)), std::invalid_argument);
    EXPECT_THROW(m.compile(Loss::mse), std::logic_error);  // no outputs yet
    m.set_outputs({m.add<Dense<float>>(a, DenseOptions(1))});
    m.compile(Loss::mse);
    Tensor<float> x({5, 3}), y({5, 1});
    TensorDataset<float> one_input({&x}, {&y});
    EXPECT_THROW(m.fit(one_input, {.verbose = 0}), std::invalid_argument);  // model has 2 inputs
}

}  // namespace
}  // namespace recur
