// The library's matrix products, C (+)= op(A) op(B), on row-major views.
//
// One entry point so that a large product can run the AVX-512 build of Eigen's GEMM when the CPU
// has AVX-512 (decided at run time, gemm_avx512.cpp; the switch is in cpu_features.hpp) while the
// rest of recur stays compiled for the portable target (-march=x86-64-v3). Products under
// kMinWideMacs multiply-adds keep the build's own Eigen kernels: the small book models' bits do
// not depend on the CPU's AVX-512.
#pragma once

#include <cstdint>
#include <type_traits>

#include "recur/tensor/cpu_features.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

// A (rows x cols) row-major matrix whose row i starts at data + i * stride.
template <typename T>
struct MatView {
    T* data;
    Index rows, cols, stride;
};

// The view of a row-major Eigen map or block (unit inner stride).
template <typename E>
auto mat(E&& e) {
    using Plain = std::remove_reference_t<E>;
    static_assert(Plain::IsRowMajor, "recur::mat takes row-major matrices");
    static_assert(Plain::InnerStrideAtCompileTime == 1, "recur::mat takes unit inner strides");
    using S = std::remove_pointer_t<decltype(e.data())>;
    return MatView<S>{e.data(), Index(e.rows()), Index(e.cols()), Index(e.outerStride())};
}

enum class Op { none, transpose };

// C = op_a(A) op_b(B), or C += ... when `accumulate`. Shapes must agree and every stride cover
// its row (else std::invalid_argument). The kernels are chosen per call: a call of kMinWideMacs
// multiply-adds or more (a thread's share, when the caller splits a product over threads) takes
// the AVX-512 build when it is on.
template <typename T>
void gemm(MatView<const T> a, Op op_a, MatView<const T> b, Op op_b, MatView<T> c, bool accumulate);

template <typename T>
void gemm(MatView<T> a, Op op_a, MatView<T> b, Op op_b, MatView<T> c, bool accumulate) {
    gemm<T>(MatView<const T>{a.data, a.rows, a.cols, a.stride}, op_a,
            MatView<const T>{b.data, b.rows, b.cols, b.stride}, op_b, c, accumulate);
}
template <typename T>
void gemm(MatView<const T> a, Op op_a, MatView<T> b, Op op_b, MatView<T> c, bool accumulate) {
    gemm<T>(a, op_a, MatView<const T>{b.data, b.rows, b.cols, b.stride}, op_b, c, accumulate);
}
template <typename T>
void gemm(MatView<T> a, Op op_a, MatView<const T> b, Op op_b, MatView<T> c, bool accumulate) {
    gemm<T>(MatView<const T>{a.data, a.rows, a.cols, a.stride}, op_a, b, op_b, c, accumulate);
}

// Products of at least this many multiply-adds take the AVX-512 kernels when they are on.
inline constexpr double kMinWideMacs = 1 << 21;

// How many products have run on the AVX-512 kernels in this process (for tests).
std::uint64_t avx512_gemm_products();

}  // namespace recur
