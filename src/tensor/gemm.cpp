#include "tensor/gemm.hpp"

#include <strings.h>
#include <Eigen/Core>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#define RECUR_GEMM_KERNEL_BODY
#include "tensor/gemm_kernel.hpp"

namespace recur {

namespace {

bool cpu_has_avx512() {
#if defined(RECUR_HAVE_AVX512_GEMM) && (defined(__GNUC__) || defined(__clang__))
    // GCC's and Clang's checks include the OS saving the AVX-512 registers (XCR0).
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

// RECUR_AVX512 = 0, false, off or no (any case) turns the kernels off; unset or anything else
// leaves them on.
bool environment_allows() {
    const char* env = std::getenv("RECUR_AVX512");
    if (!env) return true;
    for (const char* off : {"0", "false", "off", "no"})
        if (strcasecmp(env, off) == 0) return false;
    return true;
}

// -1 until first asked (then the CPU and environment decide), else 0 or 1. Constant-initialised,
// so a switch set from another file's static initialiser is never overwritten.
std::atomic<int> g_avx512{-1};
std::atomic<std::uint64_t> g_wide_products{0};

bool enabled() {
    int state = g_avx512.load(std::memory_order_relaxed);
    if (state < 0) {
        int fresh = avx512_gemm_supported() && environment_allows() ? 1 : 0;
        g_avx512.compare_exchange_strong(state, fresh);
        state = g_avx512.load(std::memory_order_relaxed);
    }
    return state == 1;
}

template <typename T>
gemm_detail::Operand operand(const MatView<const T>& m, Op op) {
    return {m.data, m.rows, m.cols, m.stride, op == Op::transpose};
}

}  // namespace

bool avx512_gemm_supported() {
    static const bool supported = cpu_has_avx512();
    return supported;
}
bool set_avx512_gemm(bool on) {
    g_avx512 = on && avx512_gemm_supported() ? 1 : 0;
    return g_avx512 == 1;
}
bool avx512_gemm_enabled() {
    return enabled();
}
std::uint64_t avx512_gemm_products() {
    return g_wide_products.load(std::memory_order_relaxed);
}

template <typename T>
void gemm(MatView<const T> a, Op op_a, MatView<const T> b, Op op_b, MatView<T> c, bool accumulate) {
    const Index m = op_a == Op::none ? a.rows : a.cols, k = op_a == Op::none ? a.cols : a.rows;
    const Index kb = op_b == Op::none ? b.rows : b.cols, n = op_b == Op::none ? b.cols : b.rows;
    if (a.stride < a.cols || b.stride < b.cols || c.stride < c.cols)
        throw std::invalid_argument("gemm: a row stride is shorter than its row");
    if (k != kb || c.rows != m || c.cols != n)
        throw std::invalid_argument("gemm: (" + std::to_string(m) + "x" + std::to_string(k) +
                                    ") times (" + std::to_string(kb) + "x" + std::to_string(n) +
                                    ") into (" + std::to_string(c.rows) + "x" +
                                    std::to_string(c.cols) + ")");
    const gemm_detail::Operand A = operand(a, op_a), B = operand(b, op_b);
    const bool wide = double(m) * double(n) * double(k) >= kMinWideMacs;
    const gemm_detail::Result C{c.data, c.rows, c.cols, c.stride, accumulate, wide};
#ifdef RECUR_HAVE_AVX512_GEMM
    if (wide && enabled()) {
        g_wide_products.fetch_add(1, std::memory_order_relaxed);
        if constexpr (std::is_same_v<T, float>)
            return gemm_detail::product_avx512_f32(A, B, C);
        else
            return gemm_detail::product_avx512_f64(A, B, C);
    }
#endif
    gemm_detail::eigen_product<T>(A, B, C);
}

template void gemm<float>(MatView<const float>, Op, MatView<const float>, Op, MatView<float>, bool);
template void gemm<double>(MatView<const double>, Op, MatView<const double>, Op, MatView<double>,
                           bool);

}  // namespace recur
