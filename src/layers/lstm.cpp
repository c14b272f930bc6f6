// LSTM step kernels (equations in lstm.hpp). Backward, per step and unit (Greff et al. 2017,
// "LSTM: A search space odyssey", appendix):
//   dh = dL/dh_t (output + next step)      dc = dc_next + dh ⊙ o ⊙ φ'(c_t)
//   do = dh ⊙ φ(c_t) ⊙ σ'   di = dc ⊙ g ⊙ σ'   dg = dc ⊙ i ⊙ φ'   df = dc ⊙ c_{t-1} ⊙ σ'
//   dc_next = dc ⊙ f        dh_next = [di df dg do] Uᵀ (⊙ recurrent-dropout mask)
#include "recur/layers/lstm.hpp"

#include <stdexcept>

namespace recur {

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
}

template <typename T>
void LSTM<T>::forward_steps(Index b0, Index b1) {
    const Index u = this->units(), g4 = 4 * u, rows = b1 - b0;
    const Activation sig = this->options_.recurrent_activation(), act = this->options_.activation();
    auto U = this->recurrent_kernel_.value.matrix();
    for (Index t = 0; t < this->T_; ++t) {
        const T* hm = this->recurrent_operand(t, b0, b1);
        MatrixMap<T> P(this->at(this->proj_, t, b0), rows, g4);
        P.noalias() += ConstMatrixMap<T>(hm, rows, u) * U;
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
void LSTM<T>::backward_steps(Index b0, Index b1) {
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
        dh_run.noalias() = MatrixMap<T>(this->at(this->dproj_, t, b0), rows, g4) * U.transpose();
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
