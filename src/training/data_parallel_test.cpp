// Data-parallel training (training/data_parallel.cpp): with 2 or 3 threads, one optimiser step on
// per-thread replicas equals the single-thread step on the whole batch (the full-batch mean
// gradient, sparse Embedding rows and a frozen table included), in both parallel modes; nested
// parallel_for calls run inline.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/reshape.hpp"
#include "recur/model/model.hpp"
#include "recur/tensor/parallel.hpp"
#include "recur/tensor/rng.hpp"

namespace recur {
namespace {

// seq (6, 2) -> LSTM(5, seq) -> GRU(4);  id -> Embedding(12, 3) trainable and Embedding(12, 2)
// frozen;  extra (3,);  out0 = Dense(1, sigmoid) (bce, the fused gradient),  out1 = Dense(2)(gru)
// (mse, loss weight 0.5).
Model<double> graph() {
    Model<double> m(11);
    NodeRef seq = m.input("seq", ShapeSpec::sequence(6, 2));
    NodeRef id = m.input("id", ShapeSpec::ids(1));
    NodeRef extra = m.input("extra", ShapeSpec::vector(3));
    NodeRef h = m.add<LSTM<double>>(seq, RecurrentOptions(5).return_sequences(true));
    h = m.add<GRU<double>>(h, RecurrentOptions(4));
    NodeRef e = m.add<Flatten<double>>(m.add<Embedding<double>>(id, EmbeddingOptions(12, 3)));
    NodeRef f = m.add<Flatten<double>>(
        m.add<Embedding<double>>(id, EmbeddingOptions(12, 2).trainable(false)));
    NodeRef x = m.add<Concatenate<double>>({h, e, f, extra});
    m.set_outputs({m.add<Dense<double>>(x, DenseOptions(1).activation(Activation::sigmoid)),
                   m.add<Dense<double>>(h, DenseOptions(2))});
    m.compile({Loss::bce, Loss::mse}, {.name = "sgd", .learning_rate = 0.5}, {1.0, 0.5});
    return m;
}

struct Batch {
    Tensor<double> seq{{7, 6, 2}}, id{{7, 1}}, extra{{7, 3}}, y0{{7, 1}}, y1{{7, 2}};
};

Batch batch() {
    Batch b;
    Rng rng(3);
    for (Index i = 0; i < b.seq.size(); ++i) b.seq[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < b.id.size(); ++i) b.id[i] = double(rng.below(12));
    for (Index i = 0; i < b.extra.size(); ++i) b.extra[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < b.y0.size(); ++i) b.y0[i] = rng.uniform() < 0.5 ? 0.0 : 1.0;
    for (Index i = 0; i < b.y1.size(); ++i) b.y1[i] = rng.uniform(-1, 1);
    return b;
}

struct Step {
    double loss;
    std::vector<Tensor<double>> weights;
};

// Two optimiser steps on the 7 samples (an odd count: unequal chunks) with `threads` threads.
Step two_steps(int threads, TrainParallelism mode) {
    const int saved_threads = num_threads();
    const TrainParallelism saved_mode = train_parallelism();
    set_num_threads(threads);
    set_train_parallelism(mode);
    Model<double> m = graph();
    Batch b = batch();
    TensorDataset<double> data({&b.seq, &b.id, &b.extra}, {&b.y0, &b.y1});
    std::vector<Index> index{6, 0, 3, 5, 1, 4, 2};
    Step s;
    s.loss = m.train_on_batch(data, index.data(), 7);
    s.loss += m.train_on_batch(data, index.data(), 7);
    s.weights = m.get_weights();
    set_num_threads(saved_threads);
    set_train_parallelism(saved_mode);
    return s;
}

TEST(DataParallel, ThreadsGiveTheSingleThreadStep) {
    const Step one = two_steps(1, TrainParallelism::batch);
    for (TrainParallelism mode : {TrainParallelism::batch, TrainParallelism::layers})
        for (int threads : {2, 3}) {
            SCOPED_TRACE(testing::Message()
                         << threads << " threads, mode "
                         << (mode == TrainParallelism::batch ? "batch" : "layers"));
            const Step s = two_steps(threads, mode);
            EXPECT_NEAR(s.loss, one.loss, 1e-12);
            ASSERT_EQ(s.weights.size(), one.weights.size());
            for (size_t w = 0; w < s.weights.size(); ++w)
                for (Index i = 0; i < s.weights[w].size(); ++i)
                    ASSERT_NEAR(s.weights[w][i], one.weights[w][i], 1e-12)
                        << "tensor " << w << " element " << i;
        }
    // The steps moved every tensor (the sparse embedding rows included) except the frozen table.
    const std::vector<Tensor<double>> initial = graph().get_weights();
    for (size_t w = 0; w < initial.size(); ++w) {
        const bool frozen = initial[w].shape() == std::vector<Index>{12, 2};
        EXPECT_EQ(one.weights[w].storage() == initial[w].storage(), frozen) << "tensor " << w;
    }
}

void expect_same_weights(const std::vector<Tensor<double>>& got,
                         const std::vector<Tensor<double>>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t w = 0; w < got.size(); ++w)
        for (Index i = 0; i < got[w].size(); ++i)
            ASSERT_NEAR(got[w][i], want[w][i], 1e-12) << "tensor " << w << " element " << i;
}

// compile() after the replicas exist: the new loss reaches them.
std::vector<Tensor<double>> train_then_recompile(int threads) {
    const int saved = num_threads();
    set_num_threads(threads);
    Model<double> m(5);
    NodeRef x = m.input("x", ShapeSpec::sequence(4, 2));
    m.set_outputs(
        {m.add<Dense<double>>(m.add<LSTM<double>>(x, RecurrentOptions(3)), DenseOptions(1))});
    Tensor<double> xs({6, 4, 2}), ys({6, 1});
    Rng rng(8);
    for (Index i = 0; i < xs.size(); ++i) xs[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < ys.size(); ++i) ys[i] = rng.uniform(-1, 1);
    m.compile(Loss::mse, {.name = "sgd", .learning_rate = 0.3});
    m.train_on_batch(xs, ys);
    m.compile(Loss::mae, {.name = "sgd", .learning_rate = 0.3});
    m.train_on_batch(xs, ys);
    set_num_threads(saved);
    return m.get_weights();
}

TEST(DataParallel, ACompileAfterTrainingReachesTheReplicas) {
    expect_same_weights(train_then_recompile(2), train_then_recompile(1));
}

// A step, then the frozen table unfrozen (fine-tuning pretrained vectors), then a step: the
// replicas built with the frozen table must give it a gradient too.
std::vector<Tensor<double>> unfreeze_midway(int threads) {
    const int saved = num_threads();
    set_num_threads(threads);
    Model<double> m = graph();
    Batch b = batch();
    TensorDataset<double> data({&b.seq, &b.id, &b.extra}, {&b.y0, &b.y1});
    std::vector<Index> index{0, 1, 2, 3, 4, 5, 6};
    m.train_on_batch(data, index.data(), 7);
    for (std::size_t i = 0; i < m.size(); ++i)
        if (auto* e = dynamic_cast<Embedding<double>*>(&m.layer(i)))
            if (!e->options().trainable()) e->set_trainable(true);
    m.compile({Loss::bce, Loss::mse}, {.name = "sgd", .learning_rate = 0.5}, {1.0, 0.5});
    m.train_on_batch(data, index.data(), 7);
    set_num_threads(saved);
    return m.get_weights();
}

TEST(DataParallel, ATableUnfrozenAfterTrainingGetsItsGradientInEveryReplica) {
    expect_same_weights(unfreeze_midway(2), unfreeze_midway(1));
}

// An initial state holds the whole batch's rows: such a model trains with the layer split.
TEST(DataParallel, ARecurrentInitialStateKeepsTheLayerSplit) {
    const int saved = num_threads();
    set_num_threads(2);
    Model<double> m(2);
    NodeRef x = m.input("x", ShapeSpec::sequence(3, 2));
    NodeRef h = m.add<LSTM<double>>(x, RecurrentOptions(3));
    m.set_outputs({m.add<Dense<double>>(h, DenseOptions(1))});
    m.compile(Loss::mse, {.name = "sgd"});
    EXPECT_TRUE(m.use_replicas(4));
    auto& lstm = dynamic_cast<LSTM<double>&>(m.layer(0));
    lstm.set_initial_state({Tensor<double>({4, 3}, 0.5), Tensor<double>({4, 3}, -0.5)});
    EXPECT_FALSE(m.use_replicas(4));
    Tensor<double> xs({4, 3, 2}, 0.1), ys({4, 1}, 0.2);
    EXPECT_NO_THROW(m.train_on_batch(xs, ys));
    lstm.clear_initial_state();
    set_train_parallelism(TrainParallelism::layers);
    EXPECT_FALSE(m.use_replicas(4));
    set_train_parallelism(TrainParallelism::batch);
    set_num_threads(1);
    EXPECT_FALSE(m.use_replicas(4));
    set_num_threads(saved);
}

TEST(DataParallel, NestedParallelForRunsInline) {
    const int saved = num_threads();
    set_num_threads(2);
    std::atomic<int> inner_items{0}, inner_chunks{0};
    parallel_for(2, [&](int, std::int64_t c0, std::int64_t c1) {
        for (std::int64_t c = c0; c < c1; ++c) {
            EXPECT_EQ(parallel_chunks(100), 1);
            parallel_for(100, [&](int, std::int64_t b0, std::int64_t b1) {
                inner_chunks += 1;
                inner_items += static_cast<int>(b1 - b0);
            });
        }
    });
    set_num_threads(saved);
    EXPECT_EQ(inner_items.load(), 200);
    EXPECT_EQ(inner_chunks.load(), 2);
    EXPECT_EQ(parallel_chunks(100), saved == 1 ? 1 : std::min(saved, 100));
}

}  // namespace
}  // namespace recur
