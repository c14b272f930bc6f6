// LSTM step kernels (equations in lstm.hpp). Backward, per step and unit (Greff et al. 2017,
// "LSTM: A search space odyssey", appendix):
//   dh = dL/dh_t (output + next step)      dc = dc_next + dh ⊙ o ⊙ φ'(c_t)
//   do = dh ⊙ φ(c_t) ⊙ σ'   di = dc ⊙ g ⊙ σ'   dg = dc ⊙ i ⊙ φ'   df = dc ⊙ c_{t-1} ⊙ σ'
//   dc_next = dc ⊙ f        dh_next = [di df dg do] Uᵀ (⊙ recurrent-dropout mask)
#include "recur/layers/lstm.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "layers/step_kernels.hpp"
#include "tensor/gemm.hpp"

namespace recur {

namespace {
// One row's cell update, c = f ⊙ c_prev + i ⊙ g. The __restrict qualifiers let the compiler
// vectorise (the buffers never overlap).
template <typename T>
inline void lstm_cell_row(Index u, const T* __restrict p, const T* __restrict cp, T* __restrict c) {
    for (Index k = 0; k < u; ++k) c[k] = p[u + k] * cp[k] + p[k] * p[2 * u + k];
}

// One row's gates and cell with hard_sigmoid gates and tanh in a single pass over the units (the
// book's Keras 2.2 LSTMs): i, f, o = hard_sigmoid, g = tanh of the pre-activations in p (written
// back: the backward pass reads them), c = f ⊙ c_prev + i ⊙ g. Float runs on Eigen's packets (8
// lanes, then 4, then scalars) with Eigen's tanh, the function the whole-chunk Eigen passes use,
// and the same expressions as activate_inplace and lstm_cell_row, so the results are those of the
// separate passes. φ(c) and h follow for the whole chunk at once (forward_steps_fused): a tanh
// at the end of each row's chain would wait on its divide, one row after another.
// Eigen's packet types (__m256 ...) as template arguments drop their alignment attributes, which
// is harmless here (unaligned loads and stores throughout); Eigen silences the same warning.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
template <typename Packet>
inline Packet hard_sigmoid_packet(const Packet& x) {
    namespace ei = Eigen::internal;
    using T = typename ei::unpacket_traits<Packet>::type;
    const Packet zero = ei::pset1<Packet>(T(0)), one = ei::pset1<Packet>(T(1));
    const Packet v = ei::pmadd(ei::pset1<Packet>(T(0.2)), x, ei::pset1<Packet>(T(0.5)));
    // activate(hard_sigmoid, x) per lane; std::clamp(v, 0, 1) is v < 0 ? 0 : (1 < v ? 1 : v)
    return ei::pselect(ei::pcmp_lt(v, zero), zero, ei::pselect(ei::pcmp_lt(one, v), one, v));
}

template <typename Packet, typename T>
inline void lstm_hard_units(Index u, Index k, T* __restrict p, const T* __restrict cp,
                            T* __restrict c) {
    namespace ei = Eigen::internal;
    const Packet i = hard_sigmoid_packet(ei::ploadu<Packet>(p + k));
    const Packet f = hard_sigmoid_packet(ei::ploadu<Packet>(p + u + k));
    const Packet g = ei::ptanh(ei::ploadu<Packet>(p + 2 * u + k));
    const Packet o = hard_sigmoid_packet(ei::ploadu<Packet>(p + 3 * u + k));
    ei::pstoreu(p + k, i);
    ei::pstoreu(p + u + k, f);
    ei::pstoreu(p + 2 * u + k, g);
    ei::pstoreu(p + 3 * u + k, o);
    ei::pstoreu(c + k, ei::pmadd(f, ei::ploadu<Packet>(cp + k), ei::pmul(i, g)));
}

template <typename T>
inline void lstm_hard_row(Index u, T* __restrict p, const T* __restrict cp, T* __restrict c) {
    Index k = 0;
    // (HasTanh: Eigen's packet tanh, the function its scalar float tanh also uses by default.)
    if constexpr (std::is_same_v<T, float> && Eigen::internal::packet_traits<T>::Vectorizable &&
                  Eigen::internal::packet_traits<T>::HasTanh) {
        using Packet = typename Eigen::internal::packet_traits<T>::type;
        using Half = typename Eigen::internal::unpacket_traits<Packet>::half;
        constexpr Index kFull = Eigen::internal::unpacket_traits<Packet>::size;
        constexpr Index kHalf = Eigen::internal::unpacket_traits<Half>::size;
        for (; k + kFull <= u; k += kFull) lstm_hard_units<Packet>(u, k, p, cp, c);
        if constexpr (kHalf < kFull)
            for (; k + kHalf <= u; k += kHalf) lstm_hard_units<Half>(u, k, p, cp, c);
    }
    for (; k < u; ++k) {
        constexpr Activation kHard = Activation::hard_sigmoid;
        const T i = activate(kHard, p[k]), f = activate(kHard, p[u + k]);
        const T g = Eigen::numext::tanh(p[2 * u + k]), o = activate(kHard, p[3 * u + k]);
        p[k] = i;
        p[u + k] = f;
        p[2 * u + k] = g;
        p[3 * u + k] = o;
        c[k] = f * cp[k] + i * g;
    }
}

// y = tanh(x) over n contiguous values: float in Eigen's packets (8 lanes, then 4, then scalars,
// as lstm_hard_row: no out-of-line scalar calls for a 4-lane tail at batch 1), other types
// through Eigen's array tanh. Both are Eigen's tanh, lane for lane.
template <typename T>
inline void tanh_span(const T* __restrict x, T* __restrict y, Index n) {
    namespace ei = Eigen::internal;
    Index k = 0;
    if constexpr (std::is_same_v<T, float> && ei::packet_traits<T>::Vectorizable &&
                  ei::packet_traits<T>::HasTanh) {
        using Packet = typename ei::packet_traits<T>::type;
        using Half = typename ei::unpacket_traits<Packet>::half;
        constexpr Index kFull = ei::unpacket_traits<Packet>::size;
        constexpr Index kHalf = ei::unpacket_traits<Half>::size;
        for (; k + kFull <= n; k += kFull) ei::pstoreu(y + k, ei::ptanh(ei::ploadu<Packet>(x + k)));
        if constexpr (kHalf < kFull)
            for (; k + kHalf <= n; k += kHalf)
                ei::pstoreu(y + k, ei::ptanh(ei::ploadu<Half>(x + k)));
        for (; k < n; ++k) y[k] = Eigen::numext::tanh(x[k]);
    } else {
        using Array = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
        Array(y, n) = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(x, n).tanh();
    }
}
#pragma GCC diagnostic pop

// One row's gate gradients with σ (kHard: hard_sigmoid) gates and tanh, the derivatives from the
// outputs inlined (activation.hpp): writes d = [di df dg do] and updates dc_run.
template <bool kHard, typename T>
inline T gate_slope(T y) {
    if constexpr (kHard)
        return (y > T(0) && y < T(1)) ? T(0.2) : T(0);
    else
        return y * (T(1) - y);
}

template <bool kHard, typename T>
inline void lstm_gate_grads_row(Index u, const T* __restrict p, const T* __restrict ac,
                                const T* __restrict cp, const T* __restrict dh_out,
                                const T* __restrict dh_run, T* __restrict dc_run, T* __restrict d) {
    for (Index k = 0; k < u; ++k) {
        const T i = p[k], f = p[u + k], g = p[2 * u + k], o = p[3 * u + k];
        const T dh = dh_run[k] + dh_out[k];
        const T dc = dc_run[k] + dh * o * (T(1) - ac[k] * ac[k]);
        d[k] = dc * g * gate_slope<kHard>(i);
        d[u + k] = dc * cp[k] * gate_slope<kHard>(f);
        d[2 * u + k] = dc * i * (T(1) - g * g);
        d[3 * u + k] = dh * ac[k] * gate_slope<kHard>(o);
        dc_run[k] = dc * f;
    }
}
}  // namespace

template <typename T>
void LSTM<T>::init_weights(Rng& rng) {
    RecurrentLayer<T>::init_weights(rng);
    if (this->options_.use_bias() && this->options_.unit_forget_bias()) {
        Index u = this->units();
        for (Index k = u; k < 2 * u; ++k) this->bias_.value[k] = T(1);
    }
}

template <typename T>
void LSTM<T>::resize_cell_buffers() {
    act_c_.resize({this->T_, this->B_, this->units()});
    this->scratch_.resize({this->B_, this->units()});
}

template <typename T>
void LSTM<T>::forward_steps(Index b0, Index b1) {
    if (this->use_fused())
        forward_steps_fused(b0, b1);
    else
        forward_steps_reference(b0, b1);
}

template <typename T>
void LSTM<T>::backward_steps(Index b0, Index b1) {
    if (this->use_fused())
        backward_steps_fused(b0, b1);
    else
        backward_steps_reference(b0, b1);
}

// Fused forward: per step, P[t] += h_{t-1} U for the chunk's rows (register tiles), then the gate
// activations, c_t, φ(c_t) and h_t. With hard_sigmoid gates and tanh (the book's models) the gates
// and c_t are one pass per row (lstm_hard_row), φ(c_t) and h_t one pass over the chunk. With σ
// gates and tanh the four gate blocks go through ONE contiguous logistic pass over the chunk and
// the g block's pre-activations, set aside in scratch_ first, through one tanh call (no strided
// blocks, no per-row tails); other activations go block by block.
template <typename T>
void LSTM<T>::forward_steps_fused(Index b0, Index b1) {
    const Index u = this->units(), g4 = 4 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    const bool hard = sig == Activation::hard_sigmoid;
    const bool standard = (sig == Activation::sigmoid || hard) && act == Activation::tanh;
    const T* U = this->recurrent_kernel_.value.data();
    T* g_pre = this->scratch_.data() + b0 * u;  // (rows, U)
    using Array = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
    for (Index t = 0; t < this->T_; ++t) {
        const T* hm = this->recurrent_operand(t, b0, b1);
        T* P = this->at(this->proj_, t, b0);
        kernels::small_gemm_acc(hm, u, U, g4, P, g4, rows, u, g4);
        const T* cp = this->c_prev(t, b0);  // rows contiguous, stride u
        T* c = this->at(this->c_, t, b0);
        T* ac = this->at(act_c_, t, b0);
        T* h = this->at(this->h_, t, b0);
        if (hard && act == Activation::tanh) {
            for (Index r = 0; r < rows; ++r) lstm_hard_row(u, P + r * g4, cp + r * u, c + r * u);
        } else {
            if (standard) {
                for (Index r = 0; r < rows; ++r)
                    std::copy(P + r * g4 + 2 * u, P + r * g4 + 3 * u, g_pre + r * u);
                Array gates(P, rows * g4), g(g_pre, rows * u);
                gates = gates.logistic();  // σ: hard_sigmoid with tanh took the row pass above
                g = g.tanh();
                for (Index r = 0; r < rows; ++r)
                    std::copy(g_pre + r * u, g_pre + (r + 1) * u, P + r * g4 + 2 * u);
            } else {
                kernels::activate_block(sig, P, rows, 2 * u, g4);      // i, f
                kernels::activate_block(act, P + 2 * u, rows, u, g4);  // g
                kernels::activate_block(sig, P + 3 * u, rows, u, g4);  // o
            }
            for (Index r = 0; r < rows; ++r) lstm_cell_row(u, P + r * g4, cp + r * u, c + r * u);
        }
        // φ(c) for the whole chunk (independent packets: no tanh waits at the end of a row's
        // chain), then h = o ⊙ φ(c).
        if (act == Activation::tanh) {
            tanh_span(c, ac, rows * u);
        } else {
            std::copy(c, c + rows * u, ac);
            kernels::activate_block(act, ac, rows, u, u);
        }
        for (Index r = 0; r < rows; ++r) {
            const T* o = P + r * g4 + 3 * u;
            for (Index k = 0; k < u; ++k) h[r * u + k] = o[k] * ac[r * u + k];
        }
    }
}

template <typename T>
void LSTM<T>::backward_steps_fused(Index b0, Index b1) {
    const Index u = this->units(), g4 = 4 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    const bool hard = sig == Activation::hard_sigmoid;
    const bool standard = (sig == Activation::sigmoid || hard) && act == Activation::tanh;
    const T* Ut = this->rec_t_.data();
    for (Index t = this->T_ - 1; t >= 0; --t) {
        T* D = this->at(this->dproj_, t, b0);
        for (Index r = 0; r < rows; ++r) {
            const Index b = b0 + r;
            const T* p = this->at(this->proj_, t, b);
            T* d = D + r * g4;
            const T* ac = this->at(act_c_, t, b);
            const T* cp = this->c_prev(t, b);
            const T* dh_out = this->at(this->dh_seq_, t, b);
            const T* dh_run = this->dh_run_.data() + b * u;
            T* dc_run = this->dc_run_.data() + b * u;
            if (standard) {
                if (hard)
                    lstm_gate_grads_row<true>(u, p, ac, cp, dh_out, dh_run, dc_run, d);
                else
                    lstm_gate_grads_row<false>(u, p, ac, cp, dh_out, dh_run, dc_run, d);
                continue;
            }
            for (Index k = 0; k < u; ++k) {
                const T dh = dh_run[k] + dh_out[k];
                d[3 * u + k] = dh * ac[k];         // do (before σ')
                d[2 * u + k] = dh * p[3 * u + k];  // dh ⊙ o, times φ'(c) next
            }
            scale_by_activation_grad(act, ac, d + 2 * u, u);
            for (Index k = 0; k < u; ++k) {
                const T dc = dc_run[k] + d[2 * u + k];
                d[k] = dc * p[2 * u + k];
                d[u + k] = dc * cp[k];
                d[2 * u + k] = dc * p[k];
                dc_run[k] = dc * p[u + k];
            }
            scale_by_activation_grad(sig, p, d, 2 * u);
            scale_by_activation_grad(act, p + 2 * u, d + 2 * u, u);
            scale_by_activation_grad(sig, p + 3 * u, d + 3 * u, u);
        }
        kernels::small_gemm_set(D, g4, Ut, u, this->dh_run_.data() + b0 * u, u, rows, g4, u);
        this->mask_dh_run(b0, b1);
    }
}

template <typename T>
void LSTM<T>::forward_steps_reference(Index b0, Index b1) {
    const Index u = this->units(), g4 = 4 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    auto U = this->recurrent_kernel_.value.matrix();
    for (Index t = 0; t < this->T_; ++t) {
        const T* hm = this->recurrent_operand(t, b0, b1);
        MatrixMap<T> P(this->at(this->proj_, t, b0), rows, g4);
        gemm(MatView<const T>{hm, rows, u, u}, Op::none, mat(U), Op::none, mat(P), true);
        for (Index r = 0; r < rows; ++r) {
            T* p = P.data() + r * g4;
            activate_inplace(sig, p, 2 * u);      // i, f
            activate_inplace(act, p + 2 * u, u);  // g
            activate_inplace(sig, p + 3 * u, u);  // o
            const T* cp = this->c_prev(t, b0 + r);
            T* c = this->at(this->c_, t, b0 + r);
            T* ac = this->at(act_c_, t, b0 + r);
            T* h = this->at(this->h_, t, b0 + r);
            for (Index k = 0; k < u; ++k) ac[k] = c[k] = p[u + k] * cp[k] + p[k] * p[2 * u + k];
            activate_inplace(act, ac, u);
            for (Index k = 0; k < u; ++k) h[k] = p[3 * u + k] * ac[k];
        }
    }
}

template <typename T>
void LSTM<T>::backward_steps_reference(Index b0, Index b1) {
    const Index u = this->units(), g4 = 4 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    auto U = this->recurrent_kernel_.value.matrix();
    for (Index t = this->T_ - 1; t >= 0; --t) {
        for (Index r = 0; r < rows; ++r) {
            const Index b = b0 + r;
            const T* p = this->at(this->proj_, t, b);  // activated gates i f g o
            T* d = this->at(this->dproj_, t, b);
            const T* ac = this->at(act_c_, t, b);
            const T* cp = this->c_prev(t, b);
            const T* dh_out = this->at(this->dh_seq_, t, b);
            T* dh_run = this->dh_run_.data() + b * u;
            T* dc_run = this->dc_run_.data() + b * u;
            // dh and the φ'(c) factor use d as scratch before it receives the gate grads.
            for (Index k = 0; k < u; ++k) {
                T dh = dh_run[k] + dh_out[k];
                d[3 * u + k] = dh * ac[k];         // do (before σ')
                d[2 * u + k] = dh * p[3 * u + k];  // dh ⊙ o, times φ'(c) next
            }
            scale_by_activation_grad(act, ac, d + 2 * u, u);
            for (Index k = 0; k < u; ++k) {
                T dc = dc_run[k] + d[2 * u + k];
                d[k] = dc * p[2 * u + k];  // di
                d[u + k] = dc * cp[k];     // df
                d[2 * u + k] = dc * p[k];  // dg
                dc_run[k] = dc * p[u + k];
            }
            scale_by_activation_grad(sig, p, d, 2 * u);
            scale_by_activation_grad(act, p + 2 * u, d + 2 * u, u);
            scale_by_activation_grad(sig, p + 3 * u, d + 3 * u, u);
        }
        MatrixMap<T> dh_run(this->dh_run_.data() + b0 * u, rows, u);
        gemm(MatView<T>{this->at(this->dproj_, t, b0), rows, g4, g4}, Op::none, mat(U),
             Op::transpose, mat(dh_run), false);
        this->mask_dh_run(b0, b1);
    }
}

template <typename T>
void LSTM<T>::backward_recurrent_weights() {
    this->accumulate_recurrent_grad(this->dproj_, 0, 4 * this->units());
}

template <typename T>
void LSTM<T>::set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                                  const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) {
    // Same gate order [i f g o] as Keras [i f c o].
    this->set_weights_pytorch_same_order(weight_ih, weight_hh, bias_ih, bias_hh);
}

template class LSTM<float>;
template class LSTM<double>;

}  // namespace recur
