// recur/tensor/cpu_features.hpp — instruction sets chosen at run time.
//
// recur is compiled for a portable target (-march=x86-64-v3: AVX2 + FMA). Large matrix products
// (about 2 M multiply-adds and more: the input projections and weight gradients of the IMDB GRU,
// every product of a 256-unit LSTM) also have an AVX-512 build of Eigen's GEMM, used when the
// CPU and OS support AVX-512. The small book models never reach it, so their results are the
// same bits on every x86-64-v3 machine; a model that does reach it differs in the last bits
// between machines with and without AVX-512 (turn it off to compare them bit for bit).
#pragma once

namespace recur {

// Whether this CPU and OS run AVX-512 (F, VL, DQ, BW) and this build has the AVX-512 kernels.
bool avx512_gemm_supported();
// Turns the AVX-512 kernels on or off; returns whether they are on afterwards (never where
// unsupported). On by default where supported, unless the environment sets RECUR_AVX512=0.
bool set_avx512_gemm(bool on);
bool avx512_gemm_enabled();

}  // namespace recur
