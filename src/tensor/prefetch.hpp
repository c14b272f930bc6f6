// Software prefetch of rows at addresses the hardware cannot predict (embedding rows and their
// optimiser state, picked by token ids): asked for a few rows ahead, their cache misses overlap
// with the work on the current row instead of stalling it one after another.
#pragma once

#include <cstdint>

#include "recur/tensor/tensor.hpp"

namespace recur {

// Every 64-byte line that p[0, n) touches, for writing when `write` (a hint only: never faults).
template <bool write = false, typename T>
inline void prefetch_span(const T* p, Index n) {
    if (n <= 0) return;
    constexpr std::uintptr_t kLine = 64;
    const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(p) & ~(kLine - 1);
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(p + n - 1);
    for (std::uintptr_t q = first; q <= last; q += kLine)
        __builtin_prefetch(reinterpret_cast<const void*>(q), write ? 1 : 0, 3);
}

}  // namespace recur
