// Keras's default initialisers (internal).
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio 2010)
//   orthogonal      Q of the QR decomposition of a normal matrix, columns sign-fixed by diag(R)
//                   (Saxe et al. 2014), as keras.initializers.Orthogonal(gain=1)
//   uniform         U(lo, hi)
#pragma once

#include <Eigen/QR>
#include <cmath>

#include "recur/tensor/rng.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur::init {

template <typename T>
void uniform(Tensor<T>& w, Rng& rng, double lo, double hi) {
    for (Index i = 0; i < w.size(); ++i) w[i] = static_cast<T>(rng.uniform(lo, hi));
}

// w is (fan_in, fan_out).
template <typename T>
void glorot_uniform(Tensor<T>& w, Rng& rng) {
    double limit = std::sqrt(6.0 / static_cast<double>(w.dim(0) + w.dim(1)));
    uniform(w, rng, -limit, limit);
}

// w is (rows, cols); orthonormal rows or columns, whichever is fewer.
template <typename T>
void orthogonal(Tensor<T>& w, Rng& rng) {
    Index rows = w.dim(0), cols = w.dim(1);
    Index big = std::max(rows, cols), small = std::min(rows, cols);
    Eigen::MatrixXd a(big, small);
    for (Index i = 0; i < big; ++i)
        for (Index j = 0; j < small; ++j) a(i, j) = rng.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
    Eigen::MatrixXd r = qr.matrixQR().topRows(small).triangularView<Eigen::Upper>();
    for (Index j = 0; j < small; ++j)
        if (r(j, j) < 0) q.col(j) *= -1.0;
    for (Index i = 0; i < rows; ++i)
        for (Index j = 0; j < cols; ++j)
            w.at(i, j) = static_cast<T>(rows >= cols ? q(i, j) : q(j, i));
}

}  // namespace recur::init
