// recur/tensor/rng.hpp — portable random numbers.
//
// std::uniform_real_distribution and std::shuffle are implementation-defined; recur derives
// everything from std::mt19937_64's raw 64-bit output so a seed means the same thing everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace recur {

class Rng {
  public:
    explicit Rng(std::uint64_t seed = 42) : engine_(seed) {}
    void seed(std::uint64_t s) { engine_.seed(s); }
    std::uint64_t next() { return engine_(); }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Standard normal (Box-Muller, one value per call).
    double normal();
    // Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
    // Fisher-Yates permutation of 0..n-1.
    std::vector<std::int64_t> permutation(std::int64_t n);
    // A fresh seed for a child generator (one per layer, per epoch, ...).
    std::uint64_t split() { return engine_() ^ 0x9E3779B97F4A7C15ull; }

  private:
    std::mt19937_64 engine_;
};

}  // namespace recur
