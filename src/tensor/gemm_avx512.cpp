// Eigen's GEMM compiled for AVX-512 (this file alone gets -mavx512f/vl/dq/bw, CMakeLists.txt).
// gemm.cpp calls it only after checking the CPU at run time, so the library still runs on any
// x86-64-v3 machine. Eigen's namespace is renamed here: its templates instantiated in this file
// are then distinct symbols, and the linker cannot pick one of them (with AVX-512 instructions)
// for a call from the portable code. Only <cstdint> and Eigen are included, nothing else whose
// inline functions could be shared with the rest of the library.
#define Eigen recur_eigen_avx512
#include <Eigen/Core>

#define RECUR_GEMM_KERNEL_BODY
#include "tensor/gemm_kernel.hpp"

namespace recur::gemm_detail {

void product_avx512_f32(const Operand& a, const Operand& b, const Result& c) {
    eigen_product<float>(a, b, c);
}
void product_avx512_f64(const Operand& a, const Operand& b, const Result& c) {
    eigen_product<double>(a, b, c);
}

}  // namespace recur::gemm_detail
