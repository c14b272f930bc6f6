// GRU step kernels for both Keras forms (equations in gru.hpp). Backward per step, with
// dh = dL/dh_t and hm = h_{t-1} after recurrent dropout:
//   dz = dh ⊙ (h_{t-1} - ĥ) ⊙ σ'(z)      dĥ = dh ⊙ (1 - z) ⊙ φ'(ĥ)      dh_{t-1} ⊇ dh ⊙ z
//   reset_after = false:  d(r⊙hm) = dĥ U_hᵀ,  dr = d(r⊙hm) ⊙ hm ⊙ σ'(r),
//                         dhm = d(r⊙hm) ⊙ r + [dz dr] U_zrᵀ
//   reset_after = true:   with R = hm U_h + b'_h:  dR = dĥ ⊙ r,  dr = dĥ ⊙ R ⊙ σ'(r),
//                         dhm = [dz dr dR] Uᵀ
#include "recur/layers/gru.hpp"

#include <stdexcept>

#include "layers/step_kernels.hpp"
#include "tensor/gemm.hpp"

namespace recur {

namespace {
// One row's dz (before the reset path) and dĥ with σ (kHard: hard_sigmoid) gates and tanh, and
// the direct term dh ⊙ z, in one pass. The derivative factors are the expressions
// scale_by_activation_grad applies (activation.cpp), in the same order. The __restrict
// qualifiers let the compiler vectorise the σ form; the hard_sigmoid form's `inside ? dz * 0.2 :
// 0` GCC kept scalar, with two branches per unit (-ftrapping-math), so it runs on Eigen's packets
// (8 lanes, then 4): a compare mask ANDed with dz * 0.2 is that select (+0 outside), and
// 1 - c² is one fused multiply-add, as GCC contracts the scalar expression.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // Eigen packet types as template arguments
template <typename Packet, typename T>
inline void gru_hard_grads_units(Index u, Index k, const T* __restrict p, const T* __restrict hp,
                                 const T* __restrict dh_out, const T* __restrict dh_run,
                                 T* __restrict d, T* __restrict direct) {
    namespace ei = Eigen::internal;
    const Packet zero = ei::pset1<Packet>(T(0)), one = ei::pset1<Packet>(T(1));
    const Packet dh = ei::padd(ei::ploadu<Packet>(dh_run + k), ei::ploadu<Packet>(dh_out + k));
    const Packet z = ei::ploadu<Packet>(p + k), c = ei::ploadu<Packet>(p + 2 * u + k);
    ei::pstoreu(direct + k, ei::pmul(dh, z));
    const Packet dz = ei::pmul(dh, ei::psub(ei::ploadu<Packet>(hp + k), c));
    const Packet inside = ei::pand(ei::pcmp_lt(zero, z), ei::pcmp_lt(z, one));
    ei::pstoreu(d + k, ei::pand(inside, ei::pmul(dz, ei::pset1<Packet>(T(0.2)))));
    const Packet dc = ei::pmul(dh, ei::psub(one, z));
    ei::pstoreu(d + 2 * u + k, ei::pmul(dc, ei::pmadd(ei::pnegate(c), c, one)));
}

template <bool kHard, typename T>
inline void gru_gate_grads_row(Index u, const T* __restrict p, const T* __restrict hp,
                               const T* __restrict dh_out, const T* __restrict dh_run,
                               T* __restrict d, T* __restrict direct) {
    Index k = 0;
#ifdef __FMA__  // pmadd is then one rounding, like the contracted scalar 1 - c * c below
    if constexpr (kHard && Eigen::internal::packet_traits<T>::Vectorizable) {
        using Packet = typename Eigen::internal::packet_traits<T>::type;
        using Half = typename Eigen::internal::unpacket_traits<Packet>::half;
        constexpr Index kFull = Eigen::internal::unpacket_traits<Packet>::size;
        constexpr Index kHalf = Eigen::internal::unpacket_traits<Half>::size;
        for (; k + kFull <= u; k += kFull)
            gru_hard_grads_units<Packet>(u, k, p, hp, dh_out, dh_run, d, direct);
        if constexpr (kHalf < kFull)
            for (; k + kHalf <= u; k += kHalf)
                gru_hard_grads_units<Half>(u, k, p, hp, dh_out, dh_run, d, direct);
    }
#endif
    for (; k < u; ++k) {
        const T dh = dh_run[k] + dh_out[k];
        const T z = p[k], c = p[2 * u + k];
        direct[k] = dh * z;
        const T dz = dh * (hp[k] - c);
        if constexpr (kHard)
            d[k] = (z > T(0) && z < T(1)) ? dz * T(0.2) : T(0);
        else
            d[k] = dz * (z * (T(1) - z));
        const T dc = dh * (T(1) - z);
        d[2 * u + k] = dc * (T(1) - c * c);
    }
}
#pragma GCC diagnostic pop
}  // namespace

template <typename T>
void GRU<T>::resize_cell_buffers() {
    rh_.resize({this->T_, this->B_, this->units()});
    this->scratch_.resize({this->B_, 3 * this->units()});
    if (this->options_.reset_after()) drec_.resize({this->T_, this->B_, 3 * this->units()});
}

template <typename T>
void GRU<T>::forward_steps(Index b0, Index b1) {
    if (this->use_fused())
        step_forward<true>(b0, b1);
    else
        step_forward<false>(b0, b1);
}

template <typename T>
void GRU<T>::backward_steps(Index b0, Index b1) {
    if (this->use_fused())
        step_backward<true>(b0, b1);
    else
        step_backward<false>(b0, b1);
}

// kFused = false is the plain reference: one Eigen product per step and per-row activations.
// kFused = true replaces exactly those by register-tiled products (step_kernels.hpp) and one
// activation call per gate block over the whole chunk; the gate arithmetic is shared.
template <typename T>
template <bool kFused>
void GRU<T>::step_forward(Index b0, Index b1) {
    const Index u = this->units(), g3 = 3 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    auto U = this->recurrent_kernel_.value.matrix();
    const T* Ud = this->recurrent_kernel_.value.data();
    const bool after = this->options_.reset_after();
    const T* brec = this->recurrent_bias();
    for (Index t = 0; t < this->T_; ++t) {
        ConstMatrixMap<T> hm(this->recurrent_operand(t, b0, b1), rows, u);
        MatrixMap<T> P(this->at(this->proj_, t, b0), rows, g3);
        MatrixMap<T> rh(this->at(rh_, t, b0), rows, u);
        if (!after) {
            if constexpr (kFused) {
                kernels::small_gemm_acc(hm.data(), u, Ud, g3, P.data(), g3, rows, u, 2 * u);
                kernels::activate_block(sig, P.data(), rows, 2 * u, g3);
            } else {
                gemm(mat(hm), Op::none, mat(U.leftCols(2 * u)), Op::none, mat(P.leftCols(2 * u)),
                     true);
            }
            for (Index r = 0; r < rows; ++r) {
                T* p = P.data() + r * g3;
                if constexpr (!kFused) activate_inplace(sig, p, 2 * u);
                const T* hmr = hm.data() + r * u;
                T* rhr = rh.data() + r * u;
                for (Index k = 0; k < u; ++k) rhr[k] = p[u + k] * hmr[k];
            }
            if constexpr (kFused)
                kernels::small_gemm_acc(rh.data(), u, Ud + 2 * u, g3, P.data() + 2 * u, g3, rows, u,
                                        u);
            else
                gemm(mat(rh), Op::none, mat(U.rightCols(u)), Op::none, mat(P.rightCols(u)), true);
        } else {
            MatrixMap<T> R(this->scratch_.data() + b0 * g3, rows, g3);
            if constexpr (kFused)
                kernels::small_gemm_set(hm.data(), u, Ud, g3, R.data(), g3, rows, u, g3);
            else
                gemm(mat(hm), Op::none, mat(U), Op::none, mat(R), false);
            for (Index r = 0; r < rows; ++r) {
                T* p = P.data() + r * g3;
                T* q = R.data() + r * g3;
                if (brec)
                    for (Index k = 0; k < g3; ++k) q[k] += brec[k];
                for (Index k = 0; k < 2 * u; ++k) p[k] += q[k];
            }
            if constexpr (kFused) kernels::activate_block(sig, P.data(), rows, 2 * u, g3);
            for (Index r = 0; r < rows; ++r) {
                T* p = P.data() + r * g3;
                const T* q = R.data() + r * g3;
                if constexpr (!kFused) activate_inplace(sig, p, 2 * u);
                T* rhr = rh.data() + r * u;
                for (Index k = 0; k < u; ++k) {
                    rhr[k] = q[2 * u + k];
                    p[2 * u + k] += p[u + k] * rhr[k];
                }
            }
        }
        if constexpr (kFused) kernels::activate_block(act, P.data() + 2 * u, rows, u, g3);
        for (Index r = 0; r < rows; ++r) {
            T* p = P.data() + r * g3;
            if constexpr (!kFused) activate_inplace(act, p + 2 * u, u);
            const T* hp = this->h_prev(t, b0 + r);
            T* h = this->at(this->h_, t, b0 + r);
            for (Index k = 0; k < u; ++k) h[k] = p[k] * hp[k] + (T(1) - p[k]) * p[2 * u + k];
        }
    }
}

template <typename T>
template <bool kFused>
void GRU<T>::step_backward(Index b0, Index b1) {
    const Index u = this->units(), g3 = 3 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    auto U = this->recurrent_kernel_.value.matrix();
    const T* Ut = this->rec_t_.data();  // (3U, U), fused only
    const bool after = this->options_.reset_after();
    const bool hard = sig == Activation::hard_sigmoid;
    const bool standard = kFused && (sig == Activation::sigmoid || hard) && act == Activation::tanh;
    // scratch_ rows [b0, b1): columns [0,u) d(r⊙hm) or unused, [u,2u) dh ⊙ z (direct path).
    for (Index t = this->T_ - 1; t >= 0; --t) {
        for (Index r = 0; r < rows; ++r) {
            const Index b = b0 + r;
            const T* p = this->at(this->proj_, t, b);  // z, r, ĥ (activated)
            const T* hp = this->h_prev(t, b);
            const T* dh_out = this->at(this->dh_seq_, t, b);
            const T* dh_run = this->dh_run_.data() + b * u;
            T* d = this->at(this->dproj_, t, b);
            T* direct = this->scratch_.data() + b * g3 + u;
            if (standard && hard) {
                gru_gate_grads_row<true>(u, p, hp, dh_out, dh_run, d, direct);
            } else if (standard) {
                gru_gate_grads_row<false>(u, p, hp, dh_out, dh_run, d, direct);
            } else {
                for (Index k = 0; k < u; ++k) {
                    T dh = dh_run[k] + dh_out[k];
                    direct[k] = dh * p[k];
                    d[k] = dh * (hp[k] - p[2 * u + k]);
                    d[2 * u + k] = dh * (T(1) - p[k]);
                }
                scale_by_activation_grad(sig, p, d, u);
                scale_by_activation_grad(act, p + 2 * u, d + 2 * u, u);
            }
            if (after) {
                const T* R = this->at(rh_, t, b);
                T* dr = this->at(drec_, t, b);
                for (Index k = 0; k < u; ++k) {
                    d[u + k] = d[2 * u + k] * R[k];
                    dr[2 * u + k] = d[2 * u + k] * p[u + k];
                }
                scale_by_activation_grad(sig, p + u, d + u, u);
                std::copy(d, d + 2 * u, dr);
            }
        }
        MatrixMap<T> dP(this->at(this->dproj_, t, b0), rows, g3);
        MatrixMap<T> dh_run(this->dh_run_.data() + b0 * u, rows, u);
        if (after) {
            if constexpr (kFused)
                kernels::small_gemm_set(this->at(drec_, t, b0), g3, Ut, u, dh_run.data(), u, rows,
                                        g3, u);
            else
                gemm(MatView<T>{this->at(drec_, t, b0), rows, g3, g3}, Op::none, mat(U),
                     Op::transpose, mat(dh_run), false);
        } else {
            StridedMap<T> drh(this->scratch_.data() + b0 * g3, rows, u, Eigen::OuterStride<>(g3));
            if constexpr (kFused)
                kernels::small_gemm_set(dP.data() + 2 * u, g3, Ut + 2 * u * u, u, drh.data(), g3,
                                        rows, u, u);
            else
                gemm(mat(dP.rightCols(u)), Op::none, mat(U.rightCols(u)), Op::transpose, mat(drh),
                     false);
            for (Index r = 0; r < rows; ++r) {
                const Index b = b0 + r;
                const T* p = this->at(this->proj_, t, b);
                const T* hm = this->operand_at(t, b);
                T* d = this->at(this->dproj_, t, b);
                T* drhr = this->scratch_.data() + b * g3;
                for (Index k = 0; k < u; ++k) d[u + k] = drhr[k] * hm[k];
                scale_by_activation_grad(sig, p + u, d + u, u);
                for (Index k = 0; k < u; ++k) drhr[k] *= p[u + k];  // now d(hm) via r ⊙ hm
            }
            if constexpr (kFused)
                kernels::small_gemm_set(dP.data(), g3, Ut, u, dh_run.data(), u, rows, 2 * u, u);
            else
                gemm(mat(dP.leftCols(2 * u)), Op::none, mat(U.leftCols(2 * u)), Op::transpose,
                     mat(dh_run), false);
            dh_run += drh;
        }
        this->mask_dh_run(b0, b1);
        for (Index r = 0; r < rows; ++r) {
            const Index b = b0 + r;
            T* dhr = this->dh_run_.data() + b * u;
            const T* direct = this->scratch_.data() + b * g3 + u;
            for (Index k = 0; k < u; ++k) dhr[k] += direct[k];
        }
    }
}

template <typename T>
void GRU<T>::backward_recurrent_weights() {
    const Index u = this->units();
    if (this->options_.reset_after()) {
        auto dR = drec_.matrix();
        this->accumulate_recurrent_grad(drec_, 0, 3 * u);
        if (this->has_recurrent_bias())
            Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(this->recurrent_bias_grad(), 3 * u)
                .noalias() += dR.colwise().sum();
    } else {
        this->accumulate_recurrent_grad(this->dproj_, 0, 2 * u);
        this->accumulate_recurrent_grad(this->dproj_, 2 * u, u, &rh_);  // U_h: (r ⊙ h)ᵀ dP_h
    }
}

template <typename T>
void GRU<T>::set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                                 const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) {
    if (!this->options_.reset_after())
        throw std::invalid_argument(
            "GRU: PyTorch's nn.GRU is the reset_after=true form; this layer has reset_after=false");
    const Index u = this->units(), in = this->kernel_.value.dim(0);
    if (weight_ih.shape() != std::vector<Index>{3 * u, in} ||
        weight_hh.shape() != std::vector<Index>{3 * u, u})
        throw std::invalid_argument(
            "GRU: PyTorch weights have shapes " + shape_to_string(weight_ih.shape()) + " and " +
            shape_to_string(weight_hh.shape()) + ", expected " + shape_to_string({3 * u, in}) +
            " and " + shape_to_string({3 * u, u}));
    // Keras block k (z, r, h) comes from PyTorch block torch_of[k] (r=0, z=1, n=2).
    const Index torch_of[3] = {1, 0, 2};
    Tensor<T> kernel({in, 3 * u}), rec({u, 3 * u}), bias({2, 3 * u}, T(0));
    for (Index k = 0; k < 3; ++k)
        for (Index j = 0; j < u; ++j) {
            Index src = torch_of[k] * u + j, dst = k * u + j;
            for (Index i = 0; i < in; ++i) kernel.at(i, dst) = weight_ih.at(src, i);
            for (Index i = 0; i < u; ++i) rec.at(i, dst) = weight_hh.at(src, i);
            if (bias_ih) bias.at(0, dst) = (*bias_ih)[src];
            if (bias_hh) bias.at(1, dst) = (*bias_hh)[src];
        }
    this->set_weights_keras(kernel, rec, this->options_.use_bias() ? &bias : nullptr);
}

template class GRU<float>;
template class GRU<double>;

}  // namespace recur
