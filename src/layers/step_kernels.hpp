// Building blocks of the fused step kernels (recurrent.hpp, "How a sequence is computed").
//
// At the book's sizes (U = 10..32 units, a batch chunk of 10..32 rows) one step's products
// h_{t-1} U (rows x U times U x G*U) are a few thousand multiply-adds: a general GEMM call spends
// more time packing and dispatching than computing. small_gemm_acc keeps a tile of output columns
// in registers across the whole inner dimension (a fixed-width tile the compiler unrolls and
// vectorises), reading each weight once per row from L1. Activations are applied once per step to
// the whole chunk (a strided block), not once per row.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <type_traits>
#include <utility>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "recur/layers/activation.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur::kernels {

// SIMD vectors of Bytes bytes (GCC/Clang vector extensions: AVX2 registers on x86-64-v3, split or
// scalarised by the compiler elsewhere, so the code stays portable).
template <typename T, int Bytes>
using Vec [[gnu::vector_size(Bytes)]] = T;

template <typename V, typename T>
inline V load_vec(const T* p) {
    V v;
    __builtin_memcpy(&v, p, sizeof(V));
    return v;
}
template <typename V, typename T>
inline void store_vec(T* p, const V& v) {
    __builtin_memcpy(p, &v, sizeof(V));
}

// x in every lane, as one initializer list {x, x, ...}: GCC emits a single broadcast load
// (vbroadcastss from memory, a load-port instruction). `V{} + x` is not the same thing to the
// compiler (0 + x is +0 for x = -0), so it computes a scalar add and then broadcasts: two
// arithmetic instructions per broadcast in the tile loops, where the FP units are the bottleneck.
template <typename V, typename T, std::size_t... Lane>
inline V splat_lanes(T x, std::index_sequence<Lane...>) {
    return V{((void)Lane, x)...};
}
template <typename V, typename T>
inline V splat(T x) {
    return splat_lanes<V>(x, std::make_index_sequence<sizeof(V) / sizeof(T)>{});
}

// The left operand of a step product, element (r, q) of an R-row block: RowsOf reads a row-major
// matrix (A itself: h_{t-1}, dP_t), ColsOf a row-major matrix's transpose (Aᵀ: the Hᵀ of
// dU = Hᵀ dP, where row q of H is one time step and batch row). The tiles are written once for
// both; only the addresses they broadcast from differ.
template <typename T>
struct RowsOf {
    const T* p;
    Index ld;
    const T* at(Index r, Index q) const { return p + r * ld + q; }
    RowsOf from_row(Index r) const { return {p + r * ld, ld}; }
};
template <typename T>
struct ColsOf {
    const T* p;
    Index ld;
    const T* at(Index r, Index q) const { return p + q * ld + r; }
    ColsOf from_row(Index r) const { return {p + r, ld}; }
};

// C[0..R) [0 .. NV*L) += A[0..R) * B[:, 0 .. NV*L) for R rows at once: R*NV accumulators stay in
// registers for the whole inner dimension, each weight vector is loaded once for R rows, and the
// R*NV independent FMA chains hide the FMA latency.
template <int R, int NV, int Bytes, typename A, typename T>
inline void gemm_tile(A a, Index k, const T* b, Index ldb, T* c, Index ldc) {
    using V = Vec<T, Bytes>;
    constexpr int L = Bytes / static_cast<int>(sizeof(T));
    if constexpr (R == 1) {
        // One row (batch 1: latency, streaming): even and odd q in separate accumulators, so
        // twice as many FMA chains are in flight.
        V even[NV], odd[NV];
        for (int v = 0; v < NV; ++v) {
            even[v] = load_vec<V>(c + v * L);
            odd[v] = V{};
        }
        Index q = 0;
        for (; q + 1 < k; q += 2) {
            const V a0 = splat<V>(*a.at(0, q)), a1 = splat<V>(*a.at(0, q + 1));
            const T* b0 = b + q * ldb;
            const T* b1 = b0 + ldb;
            for (int v = 0; v < NV; ++v) {
                even[v] += a0 * load_vec<V>(b0 + v * L);
                odd[v] += a1 * load_vec<V>(b1 + v * L);
            }
        }
        if (q < k) {
            const V a0 = splat<V>(*a.at(0, q));
            for (int v = 0; v < NV; ++v) even[v] += a0 * load_vec<V>(b + q * ldb + v * L);
        }
        for (int v = 0; v < NV; ++v) store_vec(c + v * L, even[v] + odd[v]);
        return;
    }
    V acc[R][NV];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = load_vec<V>(c + r * ldc + v * L);
    for (Index q = 0; q < k; ++q) {
        const T* bq = b + q * ldb;
        V bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = load_vec<V>(bq + v * L);
        for (int r = 0; r < R; ++r) {
            const V ar = splat<V>(*a.at(r, q));
            for (int v = 0; v < NV; ++v) acc[r][v] += ar * bv[v];
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < NV; ++v) store_vec(c + r * ldc + v * L, acc[r][v]);
}

// gemm_tile for blocks of more than 4 rows, as a function of its own: inlined into a caller
// with other live values, a 10-row tile runs out of general registers for its row addresses and
// keeps them (and accumulators) on the stack, 1.5x slower. Vector tiles of up to 4 rows stay
// inline (a call costs the one-row latency path about a third); the rare last 1-3 columns
// (gemm_scalar_columns) are always a call.
template <int R, int NV, int Bytes, typename A, typename T>
[[gnu::noinline]] void gemm_tile_outlined(A a, Index k, const T* b, Index ldb, T* c, Index ldc) {
    gemm_tile<R, NV, Bytes>(a, k, b, ldb, c, ldc);
}
template <int R, int NV, int Bytes, typename A, typename T>
inline void tile(A a, Index k, const T* b, Index ldb, T* c, Index ldc) {
    if constexpr (R > 4)
        gemm_tile_outlined<R, NV, Bytes>(a, k, b, ldb, c, ldc);
    else
        gemm_tile<R, NV, Bytes>(a, k, b, ldb, c, ldc);
}

// From column j of R rows: 32-byte vectors one at a time, then one 16-byte vector; returns the
// first column left (fewer than a 16-byte vector's worth).
template <int R, typename A, typename T>
inline Index gemm_narrow_vectors(A a, const T* B, Index ldb, T* c, Index ldc, Index k, Index j,
                                 Index n) {
    constexpr Index L = 32 / static_cast<Index>(sizeof(T));
    for (; j + L <= n; j += L) tile<R, 1, 32>(a, k, B + j, ldb, c + j, ldc);
    if (j + L / 2 <= n) {
        tile<R, 1, 16>(a, k, B + j, ldb, c + j, ldc);
        j += L / 2;
    }
    return j;
}

// Columns [j, n) of R rows (fewer than a 16-byte vector's worth), each element one fused
// multiply-add per q in q order: the same arithmetic as the vector tiles, so a result does not
// depend on which kind of tile computed it. With AVX2, float columns go through one masked
// 4-lane tile (R chains, the tile's lanes past n neither read nor written); otherwise scalar
// chains, std::fma with FMA hardware (one vfmadd), else a multiply and an add as in the tiles.
template <int R, typename A, typename T>
[[gnu::noinline]] void gemm_scalar_columns(A a, const T* B, Index ldb, T* c, Index ldc, Index k,
                                           Index j, Index n) {
#if defined(__AVX2__) && defined(__FMA__)
    if constexpr (std::is_same_v<T, float>) {
        if (j >= n) return;
        assert(n - j < 4);  // what the vector tiles leave
        const __m128i mask =
            _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int>(n - j)), _mm_setr_epi32(0, 1, 2, 3));
        // The loops over r are unrolled first so that the accumulators live in registers only
        // (left to itself GCC also stored each one to the stack after every multiply-add).
        __m128 acc[R];
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) acc[r] = _mm_maskload_ps(c + r * ldc + j, mask);
        for (Index q = 0; q < k; ++q) {
            const __m128 bq = _mm_maskload_ps(B + q * ldb + j, mask);
#pragma GCC unroll 16
            for (int r = 0; r < R; ++r)
                acc[r] = _mm_fmadd_ps(_mm_broadcast_ss(a.at(r, q)), bq, acc[r]);
        }
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) _mm_maskstore_ps(c + r * ldc + j, mask, acc[r]);
        return;
    }
#endif
    for (; j < n; ++j) {
        T s[R];
        for (int r = 0; r < R; ++r) s[r] = c[r * ldc + j];
        for (Index q = 0; q < k; ++q) {
            const T bq = B[q * ldb + j];
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
            for (int r = 0; r < R; ++r) s[r] = std::fma(*a.at(r, q), bq, s[r]);
#else  // no FMA instruction: the vector tiles multiply, then add (std::fma would call libm)
            for (int r = 0; r < R; ++r) s[r] += *a.at(r, q) * bq;
#endif
        }
        for (int r = 0; r < R; ++r) c[r * ldc + j] = s[r];
    }
}

// The columns the wide tiles of R rows cover (4 vectors per tile below 4 rows: 4, 8 or 12
// accumulators; 2 from 4 rows on: 8 to 12), from 0; returns where they stop.
template <int R, typename A, typename T>
inline Index gemm_wide(A a, const T* B, Index ldb, T* c, Index ldc, Index k, Index n) {
    constexpr Index L = 32 / static_cast<Index>(sizeof(T));
    constexpr int kWide = R >= 4 ? 2 : 4;
    Index j = 0;
    for (; j + kWide * L <= n; j += kWide * L) tile<R, kWide, 32>(a, k, B + j, ldb, c + j, ldc);
    return j;
}

// All n columns of R rows.
template <int R, typename A, typename T>
inline void gemm_rows(A a, const T* B, Index ldb, T* c, Index ldc, Index k, Index n) {
    Index j = gemm_wide<R>(a, B, ldb, c, ldc, k, n);
    j = gemm_narrow_vectors<R>(a, B, ldb, c, ldc, k, j, n);
    if (j < n) gemm_scalar_columns<R>(a, B, ldb, c, ldc, k, j, n);
}

// All n columns of 2R rows (R = 4, 5, 6): the wide tiles in two R-row halves (2R*2 accumulators
// would not fit in the 16 registers), then the narrow vector tiles over all 2R rows. An R-row
// narrow tile has only R FMA chains and waits on their latency; 2R rows give 2R independent
// chains. Each element still sums its products in q order with fused multiply-adds, so the
// result is that of any other blocking into blocks of 2 or more rows, bit for bit (a lone row,
// the last of an odd row count, sums even and odd q apart: gemm_tile's R == 1 path). A chunk of
// 10 rows (batch 20 over 2 threads in data-parallel training) no longer ends in a 2-row block
// whose tiles wait on 2 chains.
template <int R, typename A, typename T>
inline void gemm_row_pair(A a, const T* B, Index ldb, T* c, Index ldc, Index k, Index n) {
    static_assert(R >= 4 && R <= 6, "two R-row halves of wide tiles must fit in the registers");
    const Index wide = gemm_wide<R>(a, B, ldb, c, ldc, k, n);
    gemm_wide<R>(a.from_row(R), B, ldb, c + R * ldc, ldc, k, n);
    const Index j = gemm_narrow_vectors<2 * R>(a, B, ldb, c, ldc, k, wide, n);
    if (j < n) gemm_scalar_columns<2 * R>(a, B, ldb, c, ldc, k, j, n);
}

// The first row block for `left` rows (8 or more): 8, 10 or 12 rows (a gemm_row_pair), chosen so
// that what is left splits into such blocks too, leaving at most one row: 10 = 10,
// 20 = 10 + 10, 18 = 10 + 8, 22 = 10 + 12, 16 = 8 + 8. Only 14 and 15 must leave a 4-row block.
inline Index first_row_block(Index left) {
    auto splits = [](Index x) { return x < 2 || (x >= 8 && x != 14 && x != 15); };
    if (left < 14) return left < 10 ? 8 : left < 12 ? 10 : 12;
    if (left < 16) return 10;
    return splits(left - 10) ? 10 : 8;
}

template <typename A, typename T>
void small_gemm_rows(A a, const T* B, Index ldb, T* C, Index ldc, Index rows, Index k, Index n) {
    Index r = 0;
    while (rows - r >= 8) {
        const Index block = first_row_block(rows - r);
        const A ar = a.from_row(r);
        T* c = C + r * ldc;
        if (block == 8)
            gemm_row_pair<4>(ar, B, ldb, c, ldc, k, n);
        else if (block == 10)
            gemm_row_pair<5>(ar, B, ldb, c, ldc, k, n);
        else
            gemm_row_pair<6>(ar, B, ldb, c, ldc, k, n);
        r += block;
    }
    if (r + 4 <= rows) {
        gemm_rows<4>(a.from_row(r), B, ldb, C + r * ldc, ldc, k, n);
        r += 4;
    }
    if (r + 2 <= rows) {
        gemm_rows<2>(a.from_row(r), B, ldb, C + r * ldc, ldc, k, n);
        r += 2;
    }
    if (r < rows) gemm_rows<1>(a.from_row(r), B, ldb, C + r * ldc, ldc, k, n);
}

// C (rows x n, row stride ldc) += A (rows x k, row stride lda) * B (k x n, row stride ldb), all
// row-major. Meant for k, n <= a few hundred (one recurrent step of a small layer); large
// products go to Eigen. Rows in blocks of 8, 10 or 12 (first_row_block), then 4, 2 and 1.
template <typename T>
void small_gemm_acc(const T* A, Index lda, const T* B, Index ldb, T* C, Index ldc, Index rows,
                    Index k, Index n) {
    small_gemm_rows(RowsOf<T>{A, lda}, B, ldb, C, ldc, rows, k, n);
}

// C (rows x n) += Aᵀ B with A (k x rows, row stride lda) row-major: a weight gradient such as
// dU = Hᵀ dP over all time steps (k = steps x batch rows), each element one fused multiply-add
// chain in q order, its accumulators in registers for the whole of k (no packing).
// k is taken kTnSlice rows of B at a time (a slice of 256 x 100 floats stays in L2 while every
// row block reads it); C between slices is a store and a reload, so with 2 or more rows each
// element is still one chain in q order. A single row (dW of a one-input layer) takes the one-row
// tile, whose even and odd q sums are added at the end of every slice. An odd row count of 3 or
// more starts with a 3-row block (12 accumulators), so that no row is left alone with the
// load-bound one-row tiles over the long k.
template <typename T>
void small_gemm_tn_acc(const T* A, Index lda, const T* B, Index ldb, T* C, Index ldc, Index rows,
                       Index k, Index n) {
    constexpr Index kTnSlice = 256;
    const Index lead_rows = rows % 2 == 1 && rows >= 3 ? 3 : 0;
    for (Index q = 0; q < k; q += kTnSlice) {
        const ColsOf<T> a{A + q * lda, lda};
        const T* b = B + q * ldb;
        const Index kq = std::min(kTnSlice, k - q);
        if (lead_rows) gemm_rows<3>(a, b, ldb, C, ldc, kq, n);
        small_gemm_rows(a.from_row(lead_rows), b, ldb, C + lead_rows * ldc, ldc, rows - lead_rows,
                        kq, n);
    }
}

// C = A * B (overwrites C), same layout as small_gemm_acc.
template <typename T>
void small_gemm_set(const T* A, Index lda, const T* B, Index ldb, T* C, Index ldc, Index rows,
                    Index k, Index n) {
    for (Index r = 0; r < rows; ++r) std::fill(C + r * ldc, C + r * ldc + n, T(0));
    small_gemm_acc(A, lda, B, ldb, C, ldc, rows, k, n);
}

// P (rows x n) = X W + b (b may be null: 0), X rows x k and W k x n row-major: the input
// projection of a layer with few inputs. Up to kDirectInputs inputs, each row is b, then one
// pass per input over the row while it is in L1 (a store-bound pass, where a tile would also
// load every element first); more inputs go through the register tiles after P = b.
template <typename T>
void affine_rows(const T* X, Index k, const T* W, const T* b, T* P, Index rows, Index n) {
    constexpr Index kDirectInputs = 4;
    for (Index r = 0; r < rows; ++r) {
        T* __restrict p = P + r * n;
        if (b)
            std::copy(b, b + n, p);
        else
            std::fill(p, p + n, T(0));
        if (k > kDirectInputs) continue;
        for (Index q = 0; q < k; ++q) {
            const T x = X[r * k + q];
            const T* __restrict w = W + q * n;
            for (Index j = 0; j < n; ++j) p[j] += x * w[j];
        }
    }
    if (k > kDirectInputs) small_gemm_acc(X, k, W, n, P, n, rows, k, n);
}

// out[0, n) += the sums of the k rows of D (row stride ld): four rows at a time, added pairwise,
// then into out (vectorised over the columns). A bias gradient: the column sums of dP.
template <typename T>
void column_sums_acc(const T* D, Index ld, Index k, Index n, T* __restrict out) {
    Index q = 0;
    for (; q + 4 <= k; q += 4) {
        const T* __restrict d = D + q * ld;
        for (Index j = 0; j < n; ++j)
            out[j] += (d[j] + d[ld + j]) + (d[2 * ld + j] + d[3 * ld + j]);
    }
    for (; q < k; ++q) {
        const T* __restrict d = D + q * ld;
        for (Index j = 0; j < n; ++j) out[j] += d[j];
    }
}

// y = f(y) over a rows x width block whose rows are `stride` apart (one call per step and chunk).
template <typename T>
void activate_block(Activation a, T* p, Index rows, Index width, Index stride) {
    using Block = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                             Eigen::OuterStride<>>;
    Block m(p, rows, width, Eigen::OuterStride<>(stride));
    switch (a) {
        case Activation::tanh:
            m = m.tanh();
            return;
        case Activation::sigmoid:
            m = m.logistic();
            return;
        default:
            for (Index r = 0; r < rows; ++r) activate_inplace(a, p + r * stride, width);
    }
}

// Transposed copy: out (cols x rows) = in (rows x cols)ᵀ, both row-major.
template <typename T>
void transpose_into(const T* in, Index rows, Index cols, T* out) {
    ConstMatrixMap<T> src(in, rows, cols);
    MatrixMap<T>(out, cols, rows) = src.transpose();
}

}  // namespace recur::kernels
