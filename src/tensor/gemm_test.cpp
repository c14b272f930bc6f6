// recur::gemm against a naive product in long double: every transpose pair, set and accumulate,
// views into wider matrices (the padding must stay untouched), sizes on both sides of
// kMinWideMacs, and — where the CPU has AVX-512 — the AVX-512 kernels against the portable ones
// on the shapes the models run, and the switch leaving products below the threshold alone.
#include "tensor/gemm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "recur/tensor/rng.hpp"

namespace recur {
namespace {

// Restores the AVX-512 switch however a test ends.
struct Avx512Switch {
    bool was = avx512_gemm_enabled();
    explicit Avx512Switch(bool on) { set_avx512_gemm(on); }
    ~Avx512Switch() { set_avx512_gemm(was); }
};

// A (rows x cols) matrix stored with `pad` extra columns per row, filled at random; the padding
// holds a sentinel that no product may overwrite.
template <typename T>
struct Padded {
    static constexpr T kSentinel = T(-777);
    Index rows, cols, stride;
    std::vector<T> v;
    Padded(Index r, Index c, Index pad, Rng& rng)
        : rows(r), cols(c), stride(c + pad), v(static_cast<size_t>(r * (c + pad)), kSentinel) {
        for (Index i = 0; i < r; ++i)
            for (Index j = 0; j < c; ++j) at(i, j) = static_cast<T>(rng.uniform(-1.0, 1.0));
    }
    T& at(Index i, Index j) { return v[static_cast<size_t>(i * stride + j)]; }
    T at(Index i, Index j) const { return v[static_cast<size_t>(i * stride + j)]; }
    MatView<T> view() { return {v.data(), rows, cols, stride}; }
    MatView<const T> cview() const { return {v.data(), rows, cols, stride}; }
    bool padding_intact() const {
        for (Index i = 0; i < rows; ++i)
            for (Index j = cols; j < stride; ++j)
                if (at(i, j) != kSentinel) return false;
        return true;
    }
};

// Largest |C - exact| over the largest |C's terms| sum, i.e. relative to the products' scale.
template <typename T>
double product_error(const Padded<T>& a, Op op_a, const Padded<T>& b, Op op_b, const Padded<T>& c0,
                     const Padded<T>& c, bool accumulate) {
    const Index m = c.rows, n = c.cols, k = op_a == Op::none ? a.cols : a.rows;
    double worst = 0;
    for (Index i = 0; i < m; ++i)
        for (Index j = 0; j < n; ++j) {
            long double sum = accumulate ? c0.at(i, j) : 0, scale = accumulate ? 1 : 0;
            for (Index p = 0; p < k; ++p) {
                const long double x = op_a == Op::none ? a.at(i, p) : a.at(p, i);
                const long double y = op_b == Op::none ? b.at(p, j) : b.at(j, p);
                sum += x * y;
                scale += std::abs(x * y);
            }
            worst = std::max(worst, double(std::abs(c.at(i, j) - sum) / std::max(scale, 1.0L)));
        }
    return worst;
}

template <typename T>
void check_products(Index m, Index n, Index k, double tolerance) {
    Rng rng(11);
    for (Op op_a : {Op::none, Op::transpose})
        for (Op op_b : {Op::none, Op::transpose})
            for (bool accumulate : {false, true}) {
                Padded<T> a = op_a == Op::none ? Padded<T>(m, k, 3, rng) : Padded<T>(k, m, 5, rng);
                Padded<T> b = op_b == Op::none ? Padded<T>(k, n, 2, rng) : Padded<T>(n, k, 7, rng);
                const Padded<T> c0(m, n, 4, rng);
                Padded<T> c = c0;
                gemm<T>(a.cview(), op_a, b.cview(), op_b, c.view(), accumulate);
                SCOPED_TRACE(testing::Message()
                             << m << "x" << n << "x" << k << " op_a " << int(op_a) << " op_b "
                             << int(op_b) << " accumulate " << accumulate);
                EXPECT_LE(product_error(a, op_a, b, op_b, c0, c, accumulate), tolerance);
                EXPECT_TRUE(c.padding_intact());
            }
}

TEST(Gemm, SmallProductsMatchTheExactSum) {
    check_products<float>(7, 5, 9, 1e-6);
    check_products<double>(7, 5, 9, 1e-14);
    check_products<float>(1, 1, 1, 1e-6);
}

TEST(Gemm, WideProductsMatchTheExactSumWithAndWithoutAvx512) {
    // 136 * 130 * 120 = 2.1 M multiply-adds: over kMinWideMacs, so the AVX-512 kernels run
    // where the CPU has them; then the same products on the portable kernels.
    static_assert(136.0 * 130 * 120 >= kMinWideMacs);
    for (bool wide : {true, false}) {
        Avx512Switch on(wide);
        SCOPED_TRACE(avx512_gemm_enabled() ? "AVX-512 kernels" : "portable kernels");
        const std::uint64_t before = avx512_gemm_products();
        check_products<float>(136, 130, 120, 1e-6);
        check_products<double>(136, 130, 120, 1e-14);
        // 8 products (transpose pairs x set/accumulate) per type.
        EXPECT_EQ(avx512_gemm_products() - before, avx512_gemm_enabled() ? 16u : 0u);
    }
}

// C = op_a(A) op_b(B) (+ C) on the AVX-512 and on the portable kernels; the largest difference
// relative to the largest |C|.
template <typename T>
double kernel_difference(const Padded<T>& a, Op op_a, const Padded<T>& b, Op op_b, Padded<T> c,
                         bool accumulate) {
    Padded<T> wide = c, portable = c;
    {
        Avx512Switch on(true);
        const std::uint64_t before = avx512_gemm_products();
        gemm<T>(a.cview(), op_a, b.cview(), op_b, wide.view(), accumulate);
        EXPECT_EQ(avx512_gemm_products(), before + 1) << "the AVX-512 kernels did not run";
    }
    {
        Avx512Switch off(false);
        const std::uint64_t before = avx512_gemm_products();
        gemm<T>(a.cview(), op_a, b.cview(), op_b, portable.view(), accumulate);
        EXPECT_EQ(avx512_gemm_products(), before);
    }
    EXPECT_TRUE(wide.padding_intact());
    double worst = 0, scale = 0;
    for (size_t i = 0; i < wide.v.size(); ++i) {
        worst = std::max(worst, double(std::abs(wide.v[i] - portable.v[i])));
        scale = std::max(scale, double(std::abs(portable.v[i])));
    }
    return worst / scale;
}

TEST(Gemm, Avx512AndPortableKernelsAgreeOnTheModelsShapes) {
    if (!avx512_gemm_supported()) GTEST_SKIP() << "this CPU has no AVX-512";
    Rng rng(5);
    // imdb at batch 32 (T * B = 3,200 rows, 100 inputs, 96 gate columns): P = x W; dW = xᵀ dP for
    // one thread's 48 columns (a strided slice); dx = dP Wᵀ.
    const Padded<float> x(3200, 100, 0, rng), w(100, 96, 0, rng), dp(3200, 96, 0, rng);
    EXPECT_LE(kernel_difference(x, Op::none, w, Op::none, Padded<float>(3200, 96, 0, rng), false),
              1e-6);
    const Padded<float> dp_half(3200, 48, 48, rng);
    EXPECT_LE(kernel_difference(x, Op::transpose, dp_half, Op::none,
                                Padded<float>(100, 48, 48, rng), true),
              1e-6);
    EXPECT_LE(
        kernel_difference(dp, Op::none, w, Op::transpose, Padded<float>(3200, 100, 0, rng), false),
        1e-6);
    // The 256-unit LSTM, 64 rows per thread: h U and dP Uᵀ.
    const Padded<float> h(64, 256, 0, rng), u(256, 1024, 0, rng), dg(64, 1024, 0, rng);
    EXPECT_LE(kernel_difference(h, Op::none, u, Op::none, Padded<float>(64, 1024, 0, rng), true),
              1e-6);
    EXPECT_LE(
        kernel_difference(dg, Op::none, u, Op::transpose, Padded<float>(64, 256, 0, rng), false),
        1e-6);
    // Odd sizes: every kernel tail, in float and double.
    const Padded<float> a(137, 123, 5, rng), b(131, 123, 3, rng);
    EXPECT_LE(
        kernel_difference(a, Op::none, b, Op::transpose, Padded<float>(137, 131, 1, rng), true),
        1e-6);
    const Padded<double> ad(123, 137, 1, rng), bd(123, 131, 2, rng);
    EXPECT_LE(
        kernel_difference(ad, Op::transpose, bd, Op::none, Padded<double>(137, 131, 0, rng), false),
        1e-14);
}

TEST(Gemm, ProductsBelowTheThresholdIgnoreTheSwitch) {
    // 200 * 96 * 100 = 1.9 M multiply-adds: the portable kernels, bit for bit, either way.
    static_assert(200.0 * 96 * 100 < kMinWideMacs);
    Rng rng(9);
    const Padded<float> a(200, 100, 0, rng), b(100, 96, 0, rng);
    Padded<float> on_result(200, 96, 0, rng), off_result = on_result;
    const std::uint64_t before = avx512_gemm_products();
    {
        Avx512Switch on(true);
        gemm<float>(a.cview(), Op::none, b.cview(), Op::none, on_result.view(), true);
    }
    {
        Avx512Switch off(false);
        gemm<float>(a.cview(), Op::none, b.cview(), Op::none, off_result.view(), true);
    }
    EXPECT_EQ(avx512_gemm_products(), before);
    EXPECT_EQ(on_result.v, off_result.v);
}

TEST(Gemm, WideProductsEqualEigensExpressionBitForBit) {
    // Wide products run Eigen's GEMM with the packing buffers in a per-thread scratch; on the
    // portable build that must be exactly Eigen's `C (+)= A B` expression (same blocking, same
    // kernels), for every transpose pair, set and accumulate, twice (the scratch reused).
    Avx512Switch off(false);
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Map = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
    Rng rng(21);
    const Index m = 140, n = 131, k = 121;
    for (int round = 0; round < 2; ++round)
        for (Op op_a : {Op::none, Op::transpose})
            for (Op op_b : {Op::none, Op::transpose})
                for (bool accumulate : {false, true}) {
                    Padded<float> a = op_a == Op::none ? Padded<float>(m, k, 3, rng)
                                                       : Padded<float>(k, m, 1, rng);
                    Padded<float> b = op_b == Op::none ? Padded<float>(k, n, 2, rng)
                                                       : Padded<float>(n, k, 5, rng);
                    Padded<float> mine(m, n, 4, rng), eigen = mine;
                    gemm<float>(a.cview(), op_a, b.cview(), op_b, mine.view(), accumulate);
                    const Map A(a.v.data(), a.rows, a.cols, Eigen::OuterStride<>(a.stride));
                    const Map B(b.v.data(), b.rows, b.cols, Eigen::OuterStride<>(b.stride));
                    Map C(eigen.v.data(), m, n, Eigen::OuterStride<>(eigen.stride));
                    auto product = [&](const auto& lhs, const auto& rhs) {
                        if (accumulate)
                            C.noalias() += lhs * rhs;
                        else
                            C.noalias() = lhs * rhs;
                    };
                    if (op_a == Op::none && op_b == Op::none) product(A, B);
                    if (op_a == Op::none && op_b == Op::transpose) product(A, B.transpose());
                    if (op_a == Op::transpose && op_b == Op::none) product(A.transpose(), B);
                    if (op_a == Op::transpose && op_b == Op::transpose)
                        product(A.transpose(), B.transpose());
                    EXPECT_EQ(mine.v, eigen.v) << "op_a " << int(op_a) << " op_b " << int(op_b)
                                               << " accumulate " << accumulate;
                }
}

TEST(Gemm, SwitchFollowsTheCpu) {
    Avx512Switch keep(avx512_gemm_enabled());
    EXPECT_EQ(set_avx512_gemm(true), avx512_gemm_supported());
    EXPECT_FALSE(set_avx512_gemm(false));
    EXPECT_FALSE(avx512_gemm_enabled());
}

TEST(Gemm, MismatchedShapesThrow) {
    Rng rng(3);
    Padded<float> a(4, 3, 0, rng), b(4, 2, 0, rng), c(4, 2, 0, rng);
    EXPECT_THROW(gemm<float>(a.cview(), Op::none, b.cview(), Op::none, c.view(), false),
                 std::invalid_argument);
    // Aᵀ B is 3 x 2: a 4 x 2 target is refused, a 3 x 2 one taken.
    EXPECT_THROW(gemm<float>(a.cview(), Op::transpose, b.cview(), Op::none, c.view(), false),
                 std::invalid_argument);
    Padded<float> c_right(3, 2, 0, rng);
    EXPECT_NO_THROW(
        gemm<float>(a.cview(), Op::transpose, b.cview(), Op::none, c_right.view(), false));
    // A row stride shorter than the row would read the next row's values.
    EXPECT_THROW(gemm<float>(MatView<const float>{a.v.data(), 4, 3, 2}, Op::none, b.cview(),
                             Op::none, c.view(), false),
                 std::invalid_argument);
}

}  // namespace
}  // namespace recur
