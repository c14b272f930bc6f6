// SimpleRNN step kernels: forward h_t = φ(P_t + hm_t U); backward dP_t = (dh_out + dh_next) ⊙ φ',
// dh_next = dP_t Uᵀ ⊙ recurrent-dropout mask.
#include "recur/layers/simple_rnn.hpp"

#include <stdexcept>

#include "tensor/gemm.hpp"

namespace recur {

template <typename T>
void SimpleRNN<T>::forward_steps(Index b0, Index b1) {
    const Index u = this->units(), rows = b1 - b0;
    auto U = this->recurrent_kernel_.value.matrix();
    for (Index t = 0; t < this->T_; ++t) {
        const T* hm = this->recurrent_operand(t, b0, b1);
        MatrixMap<T> P(this->at(this->proj_, t, b0), rows, u);
        gemm(MatView<const T>{hm, rows, u, u}, Op::none, mat(U), Op::none, mat(P), true);
        activate_inplace(this->options_.activation(), P.data(), rows * u);
        std::copy(P.data(), P.data() + rows * u, this->at(this->h_, t, b0));
    }
}

template <typename T>
void SimpleRNN<T>::backward_steps(Index b0, Index b1) {
    const Index u = this->units(), rows = b1 - b0;
    auto U = this->recurrent_kernel_.value.matrix();
    for (Index t = this->T_ - 1; t >= 0; --t) {
        T* d = this->at(this->dproj_, t, b0);
        const T* dh_out = this->at(this->dh_seq_, t, b0);
        const T* dh_run = this->dh_run_.data() + b0 * u;
        for (Index k = 0; k < rows * u; ++k) d[k] = dh_run[k] + dh_out[k];
        scale_by_activation_grad(this->options_.activation(), this->at(this->h_, t, b0), d,
                                 rows * u);
        gemm(MatView<T>{d, rows, u, u}, Op::none, mat(U), Op::transpose,
             MatView<T>{this->dh_run_.data() + b0 * u, rows, u, u}, false);
        this->mask_dh_run(b0, b1);
    }
}

template <typename T>
void SimpleRNN<T>::backward_recurrent_weights() {
    this->accumulate_recurrent_grad(this->dproj_, 0, this->units());
}

template <typename T>
void SimpleRNN<T>::set_weights_pytorch(const Tensor<T>& weight_ih, const Tensor<T>& weight_hh,
                                       const Tensor<T>* bias_ih, const Tensor<T>* bias_hh) {
    this->set_weights_pytorch_same_order(weight_ih, weight_hh, bias_ih, bias_hh);
}

template class SimpleRNN<float>;
template class SimpleRNN<double>;

}  // namespace recur
