// Eigen's GEMM on raw row-major operands; included by gemm.cpp (the build's instruction set) and
// by gemm_avx512.cpp (AVX-512, with Eigen's namespace renamed so that its templates, compiled for
// AVX-512 there, never stand in for the portable ones at link time). Plain types only: no recur
// or standard-library types cross between the two builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

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
    bool wide;  // a large product: packing buffers from the per-thread scratch (below)
};

#ifdef RECUR_GEMM_KERNEL_BODY
namespace {  // each including file gets its own copy, compiled for its own instruction set

// One thread's packing buffers, kept between products. Eigen allocates them per product, on the
// heap beyond 128 KB; at one thread glibc then mapped and unmapped imdb's (about 150 KB each for
// the 3,200-deep weight gradient) on every product and the pages faulted in again each time
// (69,000 page faults in a one-second training benchmark, 9,300 without: start-up's).
struct PackingScratch {
    void* data = nullptr;
    std::size_t bytes = 0;
    ~PackingScratch() { Eigen::internal::aligned_free(data); }
    void* reserve(std::size_t n) {
        if (n > bytes) {
            Eigen::internal::aligned_free(data);
            data = nullptr;  // consistent if the allocation below throws std::bad_alloc
            bytes = 0;
            data = Eigen::internal::aligned_malloc(n);
            bytes = n;
        }
        return data;
    }
};

// Eigen's blocking of a product into a row-major result, as Eigen's own gemm_blocking_space
// computes it (the column-major transpose: mc over the result's columns, nc over its rows),
// with the two packing buffers in the thread's scratch.
template <typename T>
class ScratchBlocking : public Eigen::internal::level3_blocking<T, T> {
  public:
    ScratchBlocking(std::int64_t rows, std::int64_t cols, std::int64_t depth) {
        this->m_mc = cols;
        this->m_nc = rows;
        this->m_kc = depth;
        Eigen::internal::computeProductBlockingSizes<T, T, 1>(this->m_kc, this->m_mc, this->m_nc,
                                                              Eigen::Index(1));
        constexpr std::size_t kAlign = 64 / sizeof(T);  // whole cache lines: any packet alignment
        const std::size_t a = (std::size_t(this->m_mc * this->m_kc) + kAlign - 1) / kAlign * kAlign;
        const std::size_t b = std::size_t(this->m_kc * this->m_nc);
        thread_local PackingScratch scratch;
        T* base = static_cast<T*>(scratch.reserve((a + b) * sizeof(T)));
        this->m_blockA = base;
        this->m_blockB = base + a;
    }
};

// C (+)= op(A) op(B) through Eigen's general_matrix_matrix_product with ScratchBlocking: the
// blocking, packing and kernels of the expression `C.noalias() += A * B`, so the same bits.
template <typename T>
void scratch_product(const Operand& a, const Operand& b, const Result& c, std::int64_t depth) {
    namespace ei = Eigen::internal;
    T* out = static_cast<T*>(c.data);
    if (!c.accumulate)  // what Eigen's `C = A B` does before it accumulates
        for (std::int64_t r = 0; r < c.rows; ++r)
            for (std::int64_t j = 0; j < c.cols; ++j) out[r * c.stride + j] = T(0);
    ScratchBlocking<T> blocking(c.rows, c.cols, depth);
    const T* lhs = static_cast<const T*>(a.data);
    const T* rhs = static_cast<const T*>(b.data);
    auto run = [&](auto lhs_order, auto rhs_order) {
        ei::general_matrix_matrix_product<Eigen::Index, T, decltype(lhs_order)::value, false, T,
                                          decltype(rhs_order)::value, false, Eigen::RowMajor,
                                          1>::run(c.rows, c.cols, depth, lhs, a.stride, rhs,
                                                  b.stride, out, 1, c.stride, T(1), blocking);
    };
    using Row = std::integral_constant<int, Eigen::RowMajor>;
    using Col = std::integral_constant<int, Eigen::ColMajor>;
    // A stored row-major; its transpose is the same memory read column-major.
    if (!a.transpose && !b.transpose) run(Row{}, Row{});
    if (!a.transpose && b.transpose) run(Row{}, Col{});
    if (a.transpose && !b.transpose) run(Col{}, Row{});
    if (a.transpose && b.transpose) run(Col{}, Col{});
}

template <typename T>
void eigen_product(const Operand& a, const Operand& b, const Result& c) {
    const std::int64_t depth = a.transpose ? a.rows : a.cols;
    // Eigen's expression takes the GEMM path too (not GEMV, not a lazy product) for these.
    if (c.wide && c.rows > 1 && c.cols > 1 && depth > 0) return scratch_product<T>(a, b, c, depth);
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
