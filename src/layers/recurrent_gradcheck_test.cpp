// Finite-difference gradient checks (double) for SimpleRNN, LSTM and both GRU forms, across
// shapes and options: every parameter, the input, the initial states and the final-state
// gradients (return_state), with dropout off and, with masks held fixed, on.
#include <gtest/gtest.h>

#include <memory>

#include "gradcheck.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {
namespace {

using testing::check_layer;

struct Case {
    std::string cell;  // "rnn", "lstm", "gru", "gru_ra"
    Index T, B, I, U;
    bool return_sequences = false;
    bool go_backwards = false;
    bool initial_state = false;
    Activation recurrent_activation = Activation::sigmoid;
    double dropout = 0, recurrent_dropout = 0;
    int threads = 1;
};

std::unique_ptr<RecurrentLayer<double>> make(const Case& c) {
    auto o = RecurrentOptions(c.U)
                 .return_sequences(c.return_sequences)
                 .go_backwards(c.go_backwards)
                 .recurrent_activation(c.recurrent_activation)
                 .dropout(c.dropout)
                 .recurrent_dropout(c.recurrent_dropout);
    if (c.cell == "rnn") return std::make_unique<SimpleRNN<double>>(o);
    if (c.cell == "lstm") return std::make_unique<LSTM<double>>(o);
    if (c.cell == "gru") return std::make_unique<GRU<double>>(o.reset_after(false));
    return std::make_unique<GRU<double>>(o.reset_after(true));
}

void run_case(const Case& c) {
    set_num_threads(c.threads);
    Rng rng(7);
    auto layer = make(c);
    layer->build(ShapeSpec::sequence(c.T, c.I), rng);
    // Non-zero biases so every term of the bias gradient is exercised.
    for (Param<double>* p : layer->params()) testing::fill_uniform(p->value, rng, -0.8, 0.8);
    Tensor<double> x({c.T, c.B, c.I});
    testing::fill_uniform(x, rng);
    std::vector<Tensor<double>> init;
    if (c.initial_state)
        for (int k = 0; k < layer->state_count(); ++k) {
            init.emplace_back(std::vector<Index>{c.B, c.U});
            testing::fill_uniform(init.back(), rng, -0.5, 0.5);
        }
    bool dropout = c.dropout > 0 || c.recurrent_dropout > 0;
    auto r = check_layer(*layer, x, 11, dropout ? Mode::training : Mode::inference, true, init);
    set_num_threads(1);
    EXPECT_LE(r.worst, 1.0) << c.cell << " worst at " << r.where;
    EXPECT_GT(r.checked, 0);
}

class RecurrentGradCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(RecurrentGradCheck, SingleStepSingleUnit) {
    run_case({.cell = GetParam(), .T = 1, .B = 1, .I = 1, .U = 1});
}
TEST_P(RecurrentGradCheck, LastOutput) {
    run_case({.cell = GetParam(), .T = 5, .B = 3, .I = 4, .U = 6});
}
TEST_P(RecurrentGradCheck, ReturnSequences) {
    run_case({.cell = GetParam(), .T = 6, .B = 2, .I = 3, .U = 5, .return_sequences = true});
}
TEST_P(RecurrentGradCheck, GoBackwardsWithInitialState) {
    run_case({.cell = GetParam(),
              .T = 4,
              .B = 3,
              .I = 2,
              .U = 3,
              .return_sequences = true,
              .go_backwards = true,
              .initial_state = true});
}
TEST_P(RecurrentGradCheck, HardSigmoidGates) {
    run_case({.cell = GetParam(),
              .T = 5,
              .B = 2,
              .I = 3,
              .U = 4,
              .recurrent_activation = Activation::hard_sigmoid});
}
TEST_P(RecurrentGradCheck, VariationalDropoutMasksFixed) {
    run_case({.cell = GetParam(),
              .T = 5,
              .B = 3,
              .I = 3,
              .U = 4,
              .return_sequences = true,
              .dropout = 0.3,
              .recurrent_dropout = 0.3});
}
TEST_P(RecurrentGradCheck, BatchSplitAcrossThreads) {
    run_case({.cell = GetParam(),
              .T = 4,
              .B = 5,
              .I = 2,
              .U = 3,
              .return_sequences = true,
              .initial_state = true,
              .threads = 2});
}

INSTANTIATE_TEST_SUITE_P(Cells, RecurrentGradCheck,
                         ::testing::Values("rnn", "lstm", "gru", "gru_ra"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recur
