// Software prefetch of rows at addresses the hardware cannot predict (embedding rows and their
// optimiser state, picked by token ids): asked for a few rows ahead, their cache misses overlap
// with the work on the current row instead of stalling it one after another.
#pragma once

#include "recur/tensor/tensor.hpp"

namespace recur {

// Every 64-byte line of p[0, n), for writing when `write` (a hint only: never faults).
template <bool write = false, typename T>
inline void prefetch_span(const T* p, Index n) {
    const char* b = reinterpret_cast<const char*>(p);
    const char* e = reinterpret_cast<const char*>(p + n);
    for (const char* q = b; q < e; q += 64) __builtin_prefetch(q, write ? 1 : 0, 3);
}

}  // namespace recur
