// Eigen's GEMM on raw row-major operands; included by gemm.cpp (the build's instruction set) and
// by gemm_avx512.cpp (AVX-512, with Eigen's namespace renamed so that its templates, compiled for
// AVX-512 there, never stand in for the portable ones at link time). Plain types only: no recur
// or standard-library types cross between the two builds.
#pragma once

#include <cstdint>

namespace recur::gemm_detail {

struct Operand {
    const void* data;
    std::int64_t rows, cols, stride;
    bool transpose;
};
struct Result {
    void* data;
    std::int64_t rows, cols, stride;
    bool accumulate;
};

#ifdef RECUR_GEMM_KERNEL_BODY
namespace {  // each including file gets its own copy, compiled for its own instruction set
template <typename T>
void eigen_product(const Operand& a, const Operand& b, const Result& c) {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using In = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
    using Out = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
    const In A(static_cast<const T*>(a.data), a.rows, a.cols, Eigen::OuterStride<>(a.stride));
    const In B(static_cast<const T*>(b.data), b.rows, b.cols, Eigen::OuterStride<>(b.stride));
    Out C(static_cast<T*>(c.data), c.rows, c.cols, Eigen::OuterStride<>(c.stride));
    auto run = [&](const auto& lhs, const auto& rhs) {
        if (c.accumulate)
            C.noalias() += lhs * rhs;
        else
            C.noalias() = lhs * rhs;
    };
    if (!a.transpose && !b.transpose) run(A, B);
    if (!a.transpose && b.transpose) run(A, B.transpose());
    if (a.transpose && !b.transpose) run(A.transpose(), B);
    if (a.transpose && b.transpose) run(A.transpose(), B.transpose());
}
}  // namespace
#endif

// Defined in gemm_avx512.cpp (only built where the compiler targets x86-64).
void product_avx512_f32(const Operand& a, const Operand& b, const Result& c);
void product_avx512_f64(const Operand& a, const Operand& b, const Result& c);

}  // namespace recur::gemm_detail
