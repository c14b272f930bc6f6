// Parity with PyTorch: recur's SimpleRNN, LSTM, GRU (reset_after), stacked LSTMs, Dense and
// Embedding against float64 references computed by nn.RNN / nn.LSTM / nn.GRU / nn.Linear /
// nn.Embedding (tests/fixtures/torch_<case>.json, written by scripts/make_torch_fixtures.py; the
// file format is described at the top of that script).
//
// Every case checks the forward output, the final states, and the gradients of
//   L = sum(output * R) + sum(h_n * Rh) + sum(c_n * Rc)
// w.r.t. every parameter, the input and the initial states. recur gets dL/dh_T, dL/dc_T through
// set_final_state_grad({Rh, Rc}) and dL/doutput = R through backward(R, &dx).
//
// PyTorch's gradients are compared in recur's (Keras) layout, converted exactly as
// set_weights_pytorch converts the weights:
//   SimpleRNN / LSTM  kernel grad = grad_weight_ih^T, recurrent grad = grad_weight_hh^T; recur has
//                     one bias b = b_ih + b_hh, so its grad equals grad_bias_ih (= grad_bias_hh).
//   GRU               gate blocks reordered PyTorch [r z n] -> Keras [z r h], then transposed;
//                     bias (2, 3U): row 0 = reorder(grad_bias_ih), row 1 = reorder(grad_bias_hh).
//   Dense             kernel grad = grad_weight^T.     Embedding  same layout as PyTorch.
//
// Criterion (per element, a = recur, b = PyTorch):   |a - b| <= tol * max(1, |b|)
// i.e. relative error for |b| >= 1 and absolute error below. tol = 1e-5 for T = double; 1e-4 for
// T = float (recur then computes in float from float-rounded weights and inputs, so it carries
// ~1e-7 relative rounding per operation, amplified through the recurrence). Each check prints the
// largest errors it saw ([torch parity] lines) so the real margin is visible in the test log.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "recur/layers/bidirectional.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {
namespace {

using json = nlohmann::json;

constexpr double kTolDouble = 1e-5;
constexpr double kTolFloat = 1e-4;

template <typename T>
constexpr double tolerance() {
    return std::is_same_v<T, double> ? kTolDouble : kTolFloat;
}
template <typename T>
const char* type_name() {
    return std::is_same_v<T, double> ? "double" : "float";
}

json load_fixture(const std::string& name) {
    std::string path = std::string(RECUR_FIXTURE_DIR) + "/torch_" + name + ".json";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(
            path + " is missing; run /usr/bin/python3 scripts/make_torch_fixtures.py");
    return json::parse(in);
}

// {"shape": [...], "data": [...]} -> Tensor<T> (row-major).
template <typename T>
Tensor<T> tensor_from(const json& j) {
    std::vector<Index> shape = j.at("shape").get<std::vector<Index>>();
    const json& data = j.at("data");
    Tensor<T> t(shape);
    if (static_cast<Index>(data.size()) != t.size())
        throw std::runtime_error("fixture tensor: data size does not match its shape");
    for (Index i = 0; i < t.size(); ++i)
        t[i] = static_cast<T>(data[static_cast<size_t>(i)].get<double>());
    return t;
}

// Slice k of a (K, B, H) state tensor as (B, H).
template <typename T>
Tensor<T> slice0(const Tensor<T>& t, Index k) {
    Tensor<T> out({t.dim(1), t.dim(2)});
    std::copy(t.data() + k * out.size(), t.data() + (k + 1) * out.size(), out.data());
    return out;
}

Tensor<double> transpose(const Tensor<double>& m) {
    Tensor<double> out({m.dim(1), m.dim(0)});
    out.matrix() = m.matrix().transpose();
    return out;
}

// PyTorch GRU blocks [r z n] (rows of a (3U, X) matrix, or entries of a (3U) vector) to Keras
// [z r h]: Keras block k is PyTorch block kTorchOf[k].
constexpr Index kTorchOf[3] = {1, 0, 2};

Tensor<double> gru_weight_to_keras(const Tensor<double>& w) {  // (3U, X) -> (X, 3U)
    Index u = w.dim(0) / 3, x = w.dim(1);
    Tensor<double> out({x, 3 * u});
    for (Index k = 0; k < 3; ++k)
        for (Index j = 0; j < u; ++j)
            for (Index i = 0; i < x; ++i) out.at(i, k * u + j) = w.at(kTorchOf[k] * u + j, i);
    return out;
}

Tensor<double> gru_bias_to_keras(const Tensor<double>& b_ih, const Tensor<double>& b_hh) {
    Index u = b_ih.size() / 3;
    Tensor<double> out({2, 3 * u});
    for (Index k = 0; k < 3; ++k)
        for (Index j = 0; j < u; ++j) {
            out.at(0, k * u + j) = b_ih[kTorchOf[k] * u + j];
            out.at(1, k * u + j) = b_hh[kTorchOf[k] * u + j];
        }
    return out;
}

// ------------------------------------------------------------------ comparison (llm.c style)

// Largest errors over one case, for the [torch parity] summary line.
struct Stats {
    double max_abs = 0, max_scaled = 0;
    std::string worst;  // tensor holding max_scaled
    Index values = 0;
};

// EXPECTs |got - want| <= tol * max(1, |want|) element-wise and identical shapes; on failure
// reports the count, the largest errors and the first few mismatches.
template <typename T>
void check_tensor(const std::string& label, const Tensor<T>& got, const Tensor<double>& want,
                  double tol, Stats& stats) {
    ASSERT_EQ(got.shape(), want.shape())
        << label << ": recur shape " << shape_to_string(got.shape()) << ", PyTorch shape "
        << shape_to_string(want.shape());
    Index bad = 0;
    double max_abs = 0, max_scaled = 0;
    std::ostringstream first;
    first.precision(17);
    for (Index i = 0; i < want.size(); ++i) {
        double a = static_cast<double>(got[i]), b = want[i];
        double err = std::abs(a - b), scaled = err / std::max(1.0, std::abs(b));
        if (!(scaled <= tol)) {  // also catches NaN
            if (bad < 5) first << "\n    [" << i << "] recur " << a << " vs torch " << b;
            ++bad;
            if (std::isnan(scaled)) scaled = err = INFINITY;
        }
        max_abs = std::max(max_abs, err);
        max_scaled = std::max(max_scaled, scaled);
    }
    stats.values += want.size();
    stats.max_abs = std::max(stats.max_abs, max_abs);
    if (max_scaled >= stats.max_scaled) {
        stats.max_scaled = max_scaled;
        stats.worst = label;
    }
    EXPECT_EQ(bad, 0) << label << ": " << bad << " of " << want.size()
                      << " values exceed |a-b| <= " << tol << " * max(1,|b|); max abs err "
                      << max_abs << ", max scaled err " << max_scaled
                      << "; first mismatches:" << first.str();
}

void report(const std::string& what, const Stats& s) {
    std::printf("[torch parity] %-36s %6lld values  max abs err %.3e  max scaled err %.3e (%s)\n",
                what.c_str(), static_cast<long long>(s.values), s.max_abs, s.max_scaled,
                s.worst.c_str());
}

// ------------------------------------------------------------------ recurrent cases

template <typename T>
std::unique_ptr<RecurrentLayer<T>> torch_equivalent(const std::string& module,
                                                    const RecurrentOptions& o) {
    if (module == "RNN") return std::make_unique<SimpleRNN<T>>(o);
    if (module == "LSTM") return std::make_unique<LSTM<T>>(o);
    if (module == "GRU") return std::make_unique<GRU<T>>(RecurrentOptions(o).reset_after(true));
    throw std::runtime_error("unknown module " + module);
}

// One forward + backward of the recur stack equivalent to the fixture's PyTorch module.
template <typename T>
struct RecurrentRun {
    std::vector<std::unique_ptr<RecurrentLayer<T>>> layers;
    Tensor<T> x;
    std::vector<Tensor<T>> acts;  // output of each layer (kept alive for backward)
    Tensor<T> dx;
};

template <typename T>
RecurrentRun<T> run_recurrent(const json& doc) {
    const json& cfg = doc.at("config");
    const std::string module = cfg.at("module");
    const Index steps = cfg.at("T"), input = cfg.at("I"), units = cfg.at("H");
    const int num_layers = cfg.at("num_layers");
    const bool lstm = module == "LSTM";
    const json &params = doc.at("params"), &inputs = doc.at("inputs"), &loss = doc.at("loss");

    RecurrentRun<T> run;
    run.x = tensor_from<T>(inputs.at("x"));
    Tensor<T> h0 = tensor_from<T>(inputs.at("h0"));
    Tensor<T> c0 = lstm ? tensor_from<T>(inputs.at("c0")) : Tensor<T>();
    for (int l = 0; l < num_layers; ++l) {
        // Layers below the top feed whole sequences upward, as in nn.LSTM(num_layers=2).
        auto o = RecurrentOptions(units)
                     .return_sequences(l + 1 < num_layers || cfg.at("return_sequences").get<bool>())
                     .go_backwards(cfg.at("go_backwards").get<bool>());
        auto layer = torch_equivalent<T>(module, o);
        Rng rng(7);
        layer->build(ShapeSpec::sequence(steps, l == 0 ? input : units), rng);
        const std::string sfx = "_l" + std::to_string(l);
        Tensor<T> b_ih = tensor_from<T>(params.at("bias_ih" + sfx));
        Tensor<T> b_hh = tensor_from<T>(params.at("bias_hh" + sfx));
        layer->set_weights_pytorch(tensor_from<T>(params.at("weight_ih" + sfx)),
                                   tensor_from<T>(params.at("weight_hh" + sfx)), &b_ih, &b_hh);
        std::vector<Tensor<T>> states{slice0(h0, l)};
        if (lstm) states.push_back(slice0(c0, l));
        layer->set_initial_state(std::move(states));
        run.layers.push_back(std::move(layer));
    }

    run.acts.resize(static_cast<size_t>(num_layers));
    const Tensor<T>* in = &run.x;
    for (int l = 0; l < num_layers; ++l) {
        run.layers[static_cast<size_t>(l)]->forward(*in, run.acts[static_cast<size_t>(l)],
                                                    Mode::inference);
        in = &run.acts[static_cast<size_t>(l)];
    }

    // Backward from the top: dL/d(top output) = R, each layer's own final-state grads, and the
    // input grad of layer l + 1 is the output grad of layer l.
    Tensor<T> rh = tensor_from<T>(loss.at("Rh"));
    Tensor<T> rc = lstm ? tensor_from<T>(loss.at("Rc")) : Tensor<T>();
    for (auto& layer : run.layers)
        for (Param<T>* p : layer->params()) p->grad.zero();
    Tensor<T> dy = tensor_from<T>(loss.at("R"));
    for (int l = num_layers - 1; l >= 0; --l) {
        auto& layer = *run.layers[static_cast<size_t>(l)];
        std::vector<Tensor<T>> fsg{slice0(rh, l)};
        if (lstm) fsg.push_back(slice0(rc, l));
        layer.set_final_state_grad(std::move(fsg));
        Tensor<T> dprev;
        layer.backward(dy, &dprev);
        dy = std::move(dprev);
    }
    run.dx = std::move(dy);
    return run;
}

template <typename T>
Stats check_recurrent_run(RecurrentRun<T>& run, const json& doc, const std::string& what) {
    const json& cfg = doc.at("config");
    const std::string module = cfg.at("module");
    const bool lstm = module == "LSTM", gru = module == "GRU";
    const json &params = doc.at("grads"), &outputs = doc.at("outputs");
    const double tol = tolerance<T>();
    Stats s;

    check_tensor(what + " output", run.acts.back(), tensor_from<double>(outputs.at("output")), tol,
                 s);
    check_tensor(what + " dx", run.dx, tensor_from<double>(params.at("x")), tol, s);
    Tensor<double> h_n = tensor_from<double>(outputs.at("h_n"));
    Tensor<double> dh0 = tensor_from<double>(params.at("h0"));
    Tensor<double> c_n, dc0;
    if (lstm) {
        c_n = tensor_from<double>(outputs.at("c_n"));
        dc0 = tensor_from<double>(params.at("c0"));
    }
    for (size_t l = 0; l < run.layers.size(); ++l) {
        auto& layer = *run.layers[l];
        const std::string sfx = "_l" + std::to_string(l);
        const std::string at = what + " layer " + std::to_string(l) + " ";
        check_tensor(at + "h_n", layer.final_state(0), slice0(h_n, static_cast<Index>(l)), tol, s);
        check_tensor(at + "dh0", layer.initial_state_grad(0), slice0(dh0, static_cast<Index>(l)),
                     tol, s);
        if (lstm) {
            check_tensor(at + "c_n", layer.final_state(1), slice0(c_n, static_cast<Index>(l)), tol,
                         s);
            check_tensor(at + "dc0", layer.initial_state_grad(1),
                         slice0(dc0, static_cast<Index>(l)), tol, s);
        }
        Tensor<double> g_ih = tensor_from<double>(params.at("weight_ih" + sfx));
        Tensor<double> g_hh = tensor_from<double>(params.at("weight_hh" + sfx));
        Tensor<double> g_bih = tensor_from<double>(params.at("bias_ih" + sfx));
        Tensor<double> g_bhh = tensor_from<double>(params.at("bias_hh" + sfx));
        if (gru) {
            check_tensor(at + "d kernel", layer.kernel().grad, gru_weight_to_keras(g_ih), tol, s);
            check_tensor(at + "d recurrent_kernel", layer.recurrent_kernel().grad,
                         gru_weight_to_keras(g_hh), tol, s);
            check_tensor(at + "d bias", layer.bias().grad, gru_bias_to_keras(g_bih, g_bhh), tol, s);
        } else {
            check_tensor(at + "d kernel", layer.kernel().grad, transpose(g_ih), tol, s);
            check_tensor(at + "d recurrent_kernel", layer.recurrent_kernel().grad, transpose(g_hh),
                         tol, s);
            // One recur bias stands for b_ih + b_hh, whose PyTorch grads are equal.
            Stats fixture;
            check_tensor(what + " fixture grad_bias_hh == grad_bias_ih", g_bhh, g_bih, 1e-12,
                         fixture);
            check_tensor(at + "d bias", layer.bias().grad, g_bih, tol, s);
        }
    }
    return s;
}

template <typename T>
void check_recurrent(const std::string& name) {
    json doc = load_fixture(name);
    RecurrentRun<T> run = run_recurrent<T>(doc);
    const std::string what = name + " " + type_name<T>();
    Stats s = check_recurrent_run(run, doc, what);
    report(what, s);
}

// ------------------------------------------------------------------ Bidirectional

// PyTorch's bidirectional module: the *_l0 parameters are the forward direction, *_l0_reverse
// the backward one; recur's Bidirectional holds the same two layers.
template <typename T>
void check_bidirectional(const std::string& name) {
    json doc = load_fixture(name);
    const json& cfg = doc.at("config");
    const std::string module = cfg.at("module");
    const bool gru = module == "GRU", seq = cfg.at("return_sequences").get<bool>();
    const json &params = doc.at("params"), &grads = doc.at("grads");
    Bidirectional<T> bidi(torch_equivalent<T>(
        module, RecurrentOptions(cfg.at("H").get<Index>()).return_sequences(seq)));
    Rng rng(7);
    bidi.build(ShapeSpec::sequence(cfg.at("T").get<Index>(), cfg.at("I").get<Index>()), rng);
    RecurrentLayer<T>* halves[2] = {&bidi.forward_layer(), &bidi.backward_layer()};
    const std::string sfx[2] = {"_l0", "_l0_reverse"};
    for (int k = 0; k < 2; ++k) {
        Tensor<T> b_ih = tensor_from<T>(params.at("bias_ih" + sfx[k]));
        Tensor<T> b_hh = tensor_from<T>(params.at("bias_hh" + sfx[k]));
        halves[k]->set_weights_pytorch(tensor_from<T>(params.at("weight_ih" + sfx[k])),
                                       tensor_from<T>(params.at("weight_hh" + sfx[k])), &b_ih,
                                       &b_hh);
    }
    Tensor<T> x = tensor_from<T>(doc.at("inputs").at("x")), y, dx;
    bidi.forward(x, y, Mode::inference);
    for (Param<T>* p : bidi.params()) p->grad.zero();
    bidi.backward(tensor_from<T>(doc.at("loss").at("R")), &dx);

    const std::string what = name + " " + type_name<T>();
    const double tol = tolerance<T>();
    Stats s;
    check_tensor(what + " output", y, tensor_from<double>(doc.at("outputs").at("output")), tol, s);
    check_tensor(what + " dx", dx, tensor_from<double>(grads.at("x")), tol, s);
    for (int k = 0; k < 2; ++k) {
        RecurrentLayer<T>& layer = *halves[k];
        const std::string at = what + (k ? " backward " : " forward ");
        Tensor<double> g_ih = tensor_from<double>(grads.at("weight_ih" + sfx[k]));
        Tensor<double> g_hh = tensor_from<double>(grads.at("weight_hh" + sfx[k]));
        Tensor<double> g_bih = tensor_from<double>(grads.at("bias_ih" + sfx[k]));
        Tensor<double> g_bhh = tensor_from<double>(grads.at("bias_hh" + sfx[k]));
        if (gru) {
            check_tensor(at + "d kernel", layer.kernel().grad, gru_weight_to_keras(g_ih), tol, s);
            check_tensor(at + "d recurrent_kernel", layer.recurrent_kernel().grad,
                         gru_weight_to_keras(g_hh), tol, s);
            check_tensor(at + "d bias", layer.bias().grad, gru_bias_to_keras(g_bih, g_bhh), tol, s);
        } else {
            check_tensor(at + "d kernel", layer.kernel().grad, transpose(g_ih), tol, s);
            check_tensor(at + "d recurrent_kernel", layer.recurrent_kernel().grad, transpose(g_hh),
                         tol, s);
            check_tensor(at + "d bias", layer.bias().grad, g_bih, tol, s);
        }
    }
    report(what, s);
}

// ------------------------------------------------------------------ Dense, Embedding

template <typename T>
void check_dense(const std::string& name) {
    json doc = load_fixture(name);
    const json& cfg = doc.at("config");
    const std::string act = cfg.at("activation");
    Tensor<T> x = tensor_from<T>(doc.at("inputs").at("x"));
    Dense<T> dense(
        DenseOptions(cfg.at("out_features").get<Index>()).activation(activation_from_name(act)));
    Rng rng(7);
    Index in = cfg.at("in_features");
    dense.build(x.rank() == 3 ? ShapeSpec::sequence(x.dim(0), in) : ShapeSpec::vector(in), rng);
    Tensor<T> b = tensor_from<T>(doc.at("params").at("bias"));
    dense.set_weights_pytorch(tensor_from<T>(doc.at("params").at("weight")), &b);
    Tensor<T> y, dx;
    dense.forward(x, y, Mode::inference);
    for (Param<T>* p : dense.params()) p->grad.zero();
    dense.backward(tensor_from<T>(doc.at("loss").at("R")), &dx);

    const json& g = doc.at("grads");
    const std::string what = name + " " + type_name<T>();
    const double tol = tolerance<T>();
    Stats s;
    check_tensor(what + " output", y, tensor_from<double>(doc.at("outputs").at("output")), tol, s);
    check_tensor(what + " dx", dx, tensor_from<double>(g.at("x")), tol, s);
    check_tensor(what + " d kernel", dense.kernel().grad,
                 transpose(tensor_from<double>(g.at("weight"))), tol, s);
    check_tensor(what + " d bias", dense.bias().grad, tensor_from<double>(g.at("bias")), tol, s);
    report(what, s);
}

template <typename T>
void check_embedding(const std::string& name) {
    json doc = load_fixture(name);
    const json& cfg = doc.at("config");
    Embedding<T> emb(EmbeddingOptions(cfg.at("num_embeddings").get<Index>(),
                                      cfg.at("embedding_dim").get<Index>()));
    Rng rng(7);
    emb.build(ShapeSpec::ids(cfg.at("T").get<Index>()), rng);
    emb.set_embeddings(tensor_from<T>(doc.at("params").at("weight")));
    Tensor<T> ids = tensor_from<T>(doc.at("inputs").at("ids")), y;
    emb.forward(ids, y, Mode::inference);
    emb.embeddings().grad.zero();
    emb.backward(tensor_from<T>(doc.at("loss").at("R")), nullptr);

    const std::string what = name + " " + type_name<T>();
    const double tol = tolerance<T>();
    Stats s;
    check_tensor(what + " output", y, tensor_from<double>(doc.at("outputs").at("output")), tol, s);
    check_tensor(what + " d embeddings", emb.embeddings().grad,
                 tensor_from<double>(doc.at("grads").at("weight")), tol, s);
    report(what, s);
}

// ------------------------------------------------------------------ tests

TEST(TorchParity, SimpleRNNDouble) {
    check_recurrent<double>("simple_rnn");
}
TEST(TorchParity, SimpleRNNFloat) {
    check_recurrent<float>("simple_rnn");
}
TEST(TorchParity, LSTMDouble) {
    check_recurrent<double>("lstm");
}
TEST(TorchParity, LSTMFloat) {
    check_recurrent<float>("lstm");
}
TEST(TorchParity, GRUDouble) {
    check_recurrent<double>("gru");
}
TEST(TorchParity, GRUFloat) {
    check_recurrent<float>("gru");
}
TEST(TorchParity, TwoLayerLSTMDouble) {
    check_recurrent<double>("lstm2");
}
TEST(TorchParity, TwoLayerLSTMFloat) {
    check_recurrent<float>("lstm2");
}

// return_sequences = false: the loss sees output[T-1] only (plus the final states).
TEST(TorchParity, LSTMLastStepDouble) {
    check_recurrent<double>("lstm_last");
}
TEST(TorchParity, LSTMLastStepFloat) {
    check_recurrent<float>("lstm_last");
}
TEST(TorchParity, GRULastStepDouble) {
    check_recurrent<double>("gru_last");
}
TEST(TorchParity, GRULastStepFloat) {
    check_recurrent<float>("gru_last");
}

// go_backwards = true against PyTorch run on x.flip(0).
TEST(TorchParity, GRUGoBackwardsDouble) {
    check_recurrent<double>("gru_backwards");
}
TEST(TorchParity, GRUGoBackwardsFloat) {
    check_recurrent<float>("gru_backwards");
}
TEST(TorchParity, LSTMGoBackwardsDouble) {
    check_recurrent<double>("lstm_backwards");
}
TEST(TorchParity, LSTMGoBackwardsFloat) {
    check_recurrent<float>("lstm_backwards");
}

TEST(TorchParity, BidirectionalLSTMSequenceDouble) {
    check_bidirectional<double>("lstm_bidirectional");
}
TEST(TorchParity, BidirectionalLSTMSequenceFloat) {
    check_bidirectional<float>("lstm_bidirectional");
}
TEST(TorchParity, BidirectionalGRULastDouble) {
    check_bidirectional<double>("gru_bidirectional_last");
}
TEST(TorchParity, BidirectionalGRULastFloat) {
    check_bidirectional<float>("gru_bidirectional_last");
}

TEST(TorchParity, DenseDouble) {
    for (const char* c : {"dense", "dense_sigmoid", "dense_tanh", "dense_seq"}) {
        SCOPED_TRACE(c);
        check_dense<double>(c);
    }
}
TEST(TorchParity, DenseFloat) {
    for (const char* c : {"dense", "dense_sigmoid", "dense_tanh", "dense_seq"}) {
        SCOPED_TRACE(c);
        check_dense<float>(c);
    }
}
TEST(TorchParity, EmbeddingDouble) {
    check_embedding<double>("embedding");
}
TEST(TorchParity, EmbeddingFloat) {
    check_embedding<float>("embedding");
}

// The batch split over threads (B = 3: 2 threads -> rows {0} and {1, 2}; 3 -> one row each)
// must still match PyTorch, and match the single-thread run to rounding (GEMMs over different
// row counts may round differently, so not bit for bit: within 1e-12 * max(1, |b|)).
class ThreadCount {
  public:
    explicit ThreadCount(int n) : saved_(num_threads()) { set_num_threads(n); }
    ~ThreadCount() { set_num_threads(saved_); }
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

  private:
    int saved_;
};

TEST(TorchParity, ThreadedBatchSplitMatches) {
    const int threads_before = num_threads();
    for (const char* name :
         {"simple_rnn", "lstm", "gru", "lstm2", "lstm_last", "gru_last", "gru_backwards"}) {
        SCOPED_TRACE(name);
        json doc = load_fixture(name);
        RecurrentRun<double> single;
        {
            ThreadCount one(1);
            single = run_recurrent<double>(doc);
        }
        for (int threads : {2, 3}) {
            ThreadCount guard(threads);
            RecurrentRun<double> run = run_recurrent<double>(doc);
            const std::string what =
                std::string(name) + " double, " + std::to_string(threads) + " threads";
            Stats s = check_recurrent_run(run, doc, what);
            report(what, s);
            // Against the single-thread run.
            Stats vs1;
            check_tensor(what + " output vs 1 thread", run.acts.back(), single.acts.back(), 1e-12,
                         vs1);
            check_tensor(what + " dx vs 1 thread", run.dx, single.dx, 1e-12, vs1);
            for (size_t l = 0; l < run.layers.size(); ++l) {
                auto& a = *run.layers[l];
                auto& b = *single.layers[l];
                check_tensor(what + " d kernel vs 1 thread", a.kernel().grad, b.kernel().grad,
                             1e-12, vs1);
                check_tensor(what + " d recurrent_kernel vs 1 thread", a.recurrent_kernel().grad,
                             b.recurrent_kernel().grad, 1e-12, vs1);
                check_tensor(what + " d bias vs 1 thread", a.bias().grad, b.bias().grad, 1e-12,
                             vs1);
                check_tensor(what + " dh0 vs 1 thread", a.initial_state_grad(0),
                             b.initial_state_grad(0), 1e-12, vs1);
            }
            report(what + " vs 1 thread", vs1);
        }
    }
    EXPECT_EQ(num_threads(), threads_before);  // restored
}

}  // namespace
}  // namespace recur
