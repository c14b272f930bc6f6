#include "recur/tensor/rng.hpp"

#include <cmath>
#include <numbers>

namespace recur {

double Rng::normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::vector<std::int64_t> Rng::permutation(std::int64_t n) {
    std::vector<std::int64_t> p(static_cast<size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
    for (std::int64_t i = n - 1; i > 0; --i) {
        auto j = static_cast<std::int64_t>(below(static_cast<std::uint64_t>(i + 1)));
        std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(j)]);
    }
    return p;
}

}  // namespace recur
