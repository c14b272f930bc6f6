// recur/tensor/cpu_features.hpp — instruction sets chosen at run time.
//
// recur is compiled for a portable target (-march=x86-64-v3: AVX2 + FMA). Its matrix products of
// 2^21 multiply-adds and more per call (per thread's share where a product is split over
// threads: the IMDB GRU's input projection and its weight and input gradients at batch 32, the
// products of a 256-unit LSTM at batch 128) also have an AVX-512 build of Eigen's GEMM, used when
// the CPU and OS support AVX-512. The small book models (sp500, macro, stocks) never reach it, so
// their results are the same bits on every x86-64-v3 machine; a model that does reach it differs
// in the last bits between machines with and without AVX-512, and with the thread count where a
// thread's share falls below the threshold (turn it off to compare machines bit for bit).
#pragma once

namespace recur {

// Whether this CPU and OS run AVX-512 (F, VL, DQ, BW) and this build has the AVX-512 kernels.
bool avx512_gemm_supported();
// Turns the AVX-512 kernels on or off; returns whether they are on afterwards (never where
// unsupported). On by default where supported, unless the environment sets RECUR_AVX512 to 0,
// false, off or no (any case). Switch it between training runs, not during one.
bool set_avx512_gemm(bool on);
bool avx512_gemm_enabled();

}  // namespace recur
