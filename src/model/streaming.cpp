// Stateful one-step inference (streaming.hpp). Each stage owns a copy of its layer's weights and
// (for recurrent stages) the per-series states; a step runs rows of series through the stages,
// the step products on the fused kernels (layers/step_kernels.hpp).
#include "recur/model/streaming.hpp"

#include <stdexcept>
#include <string>

#include "layers/step_kernels.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"

namespace recur {

template <typename T>
struct StreamingPredictor<T>::Stage {
    enum class Kind { simple_rnn, lstm, gru, gru_reset_after, dense } kind;
    Index in = 0, units = 0, gates = 1;
    Activation act = Activation::tanh, rec_act = Activation::sigmoid;
    Tensor<T> W, U, bias, rec_bias;  // Keras layout: W (in, G*U), U (U, G*U)
    Tensor<T> h, c;                  // (n_series, U) states
};

namespace {
[[noreturn]] void refuse(const std::string& why) {
    throw std::invalid_argument("StreamingPredictor: " + why);
}
}  // namespace

template <typename T>
StreamingPredictor<T>::StreamingPredictor(Model<T>& model, Index n_series) : n_series_(n_series) {
    if (n_series < 1) refuse("n_series must be >= 1");
    if (model.num_inputs() != 1 || model.num_outputs() != 1)
        refuse("the model must have one input and one output");
    const ShapeSpec& in = model.input_spec();
    if (in.kind != ShapeSpec::Kind::sequence)
        refuse("the model's input must be a sequence of float features, got " + in.keras_string());
    input_size_ = in.features;
    Index width = input_size_;
    widest_ = width;
    Index widest_gates = 1;
    for (std::size_t i = 0; i < model.size(); ++i) {
        Layer<T>& layer = model.layer(i);
        auto inbound = model.layer_inbound(i);
        const std::string expect = i == 0 ? model.input_name(0) : model.layer(i - 1).name();
        if (inbound.size() != 1 || inbound[0] != expect)
            refuse("layer '" + layer.name() + "' is not part of a single chain");
        if (layer.kind() == "Dropout") continue;  // the identity at inference
        auto stage = std::make_unique<Stage>();
        if (auto* r = dynamic_cast<RecurrentLayer<T>*>(&layer)) {
            const RecurrentOptions& o = r->options();
            if (o.go_backwards())
                refuse("layer '" + layer.name() + "' runs backwards in time; it cannot stream");
            if (layer.kind() == "LSTM")
                stage->kind = Stage::Kind::lstm;
            else if (layer.kind() == "GRU")
                stage->kind = o.reset_after() ? Stage::Kind::gru_reset_after : Stage::Kind::gru;
            else if (layer.kind() == "SimpleRNN")
                stage->kind = Stage::Kind::simple_rnn;
            else
                refuse("unsupported recurrent layer " + layer.kind());
            stage->in = width;
            stage->units = r->units();
            stage->gates = r->gates();
            stage->act = o.activation();
            stage->rec_act = o.recurrent_activation();
            stage->W = r->kernel().value;
            stage->U = r->recurrent_kernel().value;
            const Index gu = stage->gates * stage->units;
            stage->bias.assign({gu}, T(0));
            stage->rec_bias.assign({gu}, T(0));
            if (o.use_bias()) {
                const Tensor<T>& b = r->bias().value;
                std::copy(b.data(), b.data() + gu, stage->bias.data());
                if (b.size() == 2 * gu)
                    std::copy(b.data() + gu, b.data() + 2 * gu, stage->rec_bias.data());
            }
            stage->h.assign({n_series, stage->units}, T(0));
            if (stage->kind == Stage::Kind::lstm) stage->c.assign({n_series, stage->units}, T(0));
            width = stage->units;
            widest_gates = std::max(widest_gates, gu);
        } else if (auto* d = dynamic_cast<Dense<T>*>(&layer)) {
            if (stages_.empty())
                refuse("Dense layer '" + layer.name() + "' before any recurrent layer");
            stage->kind = Stage::Kind::dense;
            stage->in = width;
            stage->units = d->kernel().value.dim(1);
            stage->act = d->options().activation();
            stage->W = d->kernel().value;
            stage->bias.assign({stage->units}, T(0));
            if (d->options().use_bias()) stage->bias = d->bias().value;
            width = stage->units;
            widest_gates = std::max(widest_gates, width);
        } else {
            refuse("layer '" + layer.name() + "' (" + layer.kind() +
                   ") cannot stream; supported: SimpleRNN, LSTM, GRU, Dense, Dropout");
        }
        widest_ = std::max(widest_, width);
        stages_.push_back(std::move(stage));
    }
    if (stages_.empty() || stages_.front()->kind == Stage::Kind::dense)
        refuse("the model has no recurrent layer");
    output_size_ = width;
    act_a_.assign({n_series, widest_}, T(0));
    act_b_.assign({n_series, widest_}, T(0));
    gates_.assign({n_series, 2 * widest_gates}, T(0));
    out_.assign({1, output_size_}, T(0));
}

template <typename T>
StreamingPredictor<T>::~StreamingPredictor() = default;
template <typename T>
StreamingPredictor<T>::StreamingPredictor(StreamingPredictor&&) noexcept = default;
template <typename T>
StreamingPredictor<T>& StreamingPredictor<T>::operator=(StreamingPredictor&&) noexcept = default;

// Rows [series0, series0 + rows): x (rows, input_size, row stride ldx) -> y (rows, output_size).
// The cell equations are those of lstm.hpp / gru.hpp / simple_rnn.hpp for one time step.
template <typename T>
void StreamingPredictor<T>::run_rows(Index series0, Index rows, const T* x, Index ldx, T* y,
                                     Index ldy) {
    const T* cur = x;
    Index ld_cur = ldx;
    for (std::size_t si = 0; si < stages_.size(); ++si) {
        Stage& s = *stages_[si];
        const bool last = si + 1 == stages_.size();
        T* next = last ? y : ((si % 2 == 0) ? act_a_.data() : act_b_.data());
        const Index ld_next = last ? ldy : widest_;
        const Index u = s.units, gu = s.gates * u;
        T* P = gates_.data();              // (rows, gu) pre-activations, then gates
        T* R = gates_.data() + rows * gu;  // GRU reset_after: (rows, gu) recurrent term
        // P = x W, then + b (the layer's order: the projection GEMM, then the bias).
        kernels::small_gemm_set(cur, ld_cur, s.W.data(), gu, P, gu, rows, s.in, gu);
        for (Index r = 0; r < rows; ++r)
            for (Index k = 0; k < gu; ++k) P[r * gu + k] += s.bias[k];
        if (s.kind == Stage::Kind::dense) {
            for (Index r = 0; r < rows; ++r) {
                activate_inplace(s.act, P + r * gu, u);
                std::copy(P + r * gu, P + (r + 1) * gu, next + r * ld_next);
            }
            cur = next;
            ld_cur = ld_next;
            continue;
        }
        T* h = s.h.data() + series0 * u;
        switch (s.kind) {
            case Stage::Kind::simple_rnn:
                kernels::small_gemm_acc(h, u, s.U.data(), gu, P, gu, rows, u, gu);
                for (Index r = 0; r < rows; ++r) {
                    activate_inplace(s.act, P + r * gu, u);
                    std::copy(P + r * gu, P + (r + 1) * gu, h + r * u);
                }
                break;
            case Stage::Kind::lstm: {
                T* c = s.c.data() + series0 * u;
                kernels::small_gemm_acc(h, u, s.U.data(), gu, P, gu, rows, u, gu);
                for (Index r = 0; r < rows; ++r) {
                    T* p = P + r * gu;
                    activate_inplace(s.rec_act, p, 2 * u);      // i, f
                    activate_inplace(s.act, p + 2 * u, u);      // g
                    activate_inplace(s.rec_act, p + 3 * u, u);  // o
                    T* cr = c + r * u;
                    for (Index k = 0; k < u; ++k) cr[k] = p[u + k] * cr[k] + p[k] * p[2 * u + k];
                    T* hr = h + r * u;
                    std::copy(cr, cr + u, hr);
                    activate_inplace(s.act, hr, u);
                    for (Index k = 0; k < u; ++k) hr[k] *= p[3 * u + k];
                }
                break;
            }
            case Stage::Kind::gru:  // reset_after = false
                kernels::small_gemm_acc(h, u, s.U.data(), gu, P, gu, rows, u, 2 * u);
                for (Index r = 0; r < rows; ++r) {
                    T* p = P + r * gu;
                    activate_inplace(s.rec_act, p, 2 * u);
                    T* rh = R + r * u;
                    for (Index k = 0; k < u; ++k) rh[k] = p[u + k] * h[r * u + k];
                }
                kernels::small_gemm_acc(R, u, s.U.data() + 2 * u, gu, P + 2 * u, gu, rows, u, u);
                break;
            case Stage::Kind::gru_reset_after:
                kernels::small_gemm_set(h, u, s.U.data(), gu, R, gu, rows, u, gu);
                for (Index r = 0; r < rows; ++r) {
                    T* p = P + r * gu;
                    T* q = R + r * gu;
                    for (Index k = 0; k < gu; ++k) q[k] += s.rec_bias[k];
                    for (Index k = 0; k < 2 * u; ++k) p[k] += q[k];
                    activate_inplace(s.rec_act, p, 2 * u);
                    for (Index k = 0; k < u; ++k) p[2 * u + k] += p[u + k] * q[2 * u + k];
                }
                break;
            case Stage::Kind::dense:
                break;
        }
        if (s.kind == Stage::Kind::gru || s.kind == Stage::Kind::gru_reset_after)
            for (Index r = 0; r < rows; ++r) {
                T* p = P + r * gu;
                activate_inplace(s.act, p + 2 * u, u);
                T* hr = h + r * u;
                for (Index k = 0; k < u; ++k) hr[k] = p[k] * hr[k] + (T(1) - p[k]) * p[2 * u + k];
            }
        for (Index r = 0; r < rows; ++r) std::copy(h + r * u, h + (r + 1) * u, next + r * ld_next);
        cur = next;
        ld_cur = ld_next;
    }
}

template <typename T>
const T* StreamingPredictor<T>::step(Index series, const T* x) {
    if (series < 0 || series >= n_series_)
        throw std::out_of_range("StreamingPredictor: series " + std::to_string(series) +
                                " out of range [0, " + std::to_string(n_series_) + ")");
    run_rows(series, 1, x, input_size_, out_.data(), output_size_);
    return out_.data();
}

template <typename T>
std::vector<T> StreamingPredictor<T>::step(Index series, const std::vector<T>& x) {
    if (static_cast<Index>(x.size()) != input_size_)
        throw std::invalid_argument("StreamingPredictor: observation has " +
                                    std::to_string(x.size()) + " values, the model expects " +
                                    std::to_string(input_size_));
    const T* y = step(series, x.data());
    return std::vector<T>(y, y + output_size_);
}

template <typename T>
void StreamingPredictor<T>::step_all(const Tensor<T>& x, Tensor<T>& y) {
    if (x.rank() != 2 || x.dim(0) != n_series_ || x.dim(1) != input_size_)
        throw std::invalid_argument("StreamingPredictor::step_all: x has shape " +
                                    shape_to_string(x.shape()) + ", expected " +
                                    shape_to_string({n_series_, input_size_}));
    y.resize({n_series_, output_size_});
    run_rows(0, n_series_, x.data(), input_size_, y.data(), output_size_);
}

template <typename T>
void StreamingPredictor<T>::reset(Index series) {
    if (series < 0 || series >= n_series_)
        throw std::out_of_range("StreamingPredictor: series " + std::to_string(series) +
                                " out of range");
    for (auto& s : stages_) {
        if (s->h.empty()) continue;
        std::fill(s->h.data() + series * s->units, s->h.data() + (series + 1) * s->units, T(0));
        if (!s->c.empty())
            std::fill(s->c.data() + series * s->units, s->c.data() + (series + 1) * s->units, T(0));
    }
}

template <typename T>
Index StreamingPredictor<T>::add_series() {
    auto grow = [&](Tensor<T>& t) {  // one more zero row, the others kept
        if (t.empty()) return;
        Tensor<T> bigger;
        bigger.assign({n_series_ + 1, t.dim(1)}, T(0));
        std::copy(t.data(), t.data() + t.size(), bigger.data());
        t = std::move(bigger);
    };
    for (auto& s : stages_) {
        grow(s->h);
        grow(s->c);
    }
    grow(act_a_);
    grow(act_b_);
    grow(gates_);
    return n_series_++;
}

template <typename T>
void StreamingPredictor<T>::reset_all() {
    for (Index s = 0; s < n_series_; ++s) reset(s);
}

template <typename T>
const T* StreamingPredictor<T>::state(std::size_t recurrent_layer, Index series, int k) const {
    std::size_t seen = 0;
    for (const auto& s : stages_) {
        if (s->kind == Stage::Kind::dense) continue;
        if (seen++ != recurrent_layer) continue;
        const Tensor<T>& st = k == 0 ? s->h : s->c;
        if (st.empty()) throw std::out_of_range("StreamingPredictor: no such state");
        return st.data() + series * s->units;
    }
    throw std::out_of_range("StreamingPredictor: no recurrent layer " +
                            std::to_string(recurrent_layer));
}

template class StreamingPredictor<float>;
template class StreamingPredictor<double>;

}  // namespace recur
