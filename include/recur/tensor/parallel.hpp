// recur/tensor/parallel.hpp — the thread pool recur splits batches over.
//
// Kernels receive their share explicitly (a [begin, end) range of batch rows); there is no
// hidden parallelism inside Eigen (EIGEN_DONT_PARALLELIZE). The split depends only on the
// thread count, so the same seed and the same thread count give bit-identical results.
#pragma once

#include <cstdint>
#include <functional>

namespace recur {

// Number of worker threads used by layers (default: 1; RECUR_THREADS overrides the default).
int num_threads();
void set_num_threads(int n);

// Calls fn(chunk, begin, end) for `chunks` contiguous pieces of [0, n), each on its own thread.
// chunks = min(num_threads(), n). Blocks until all are done. Exceptions propagate.
// Inner chunk boundaries are rounded to multiples of `align` (e.g. so that two threads never
// write the same cache line of a row-major buffer); a chunk that rounds to nothing is skipped.
// A call from inside a chunk of another parallel_for runs inline as one chunk (nesting).
void parallel_for(std::int64_t n, const std::function<void(int, std::int64_t, std::int64_t)>& fn,
                  std::int64_t align = 1);

// The chunk count parallel_for will use for n items (1 inside a chunk).
int parallel_chunks(std::int64_t n);

}  // namespace recur
