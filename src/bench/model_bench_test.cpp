// recur bench's data: the Zipf-distributed word ids of imdb-zipf.
#include "bench/model_bench.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace recur::bench {
namespace {

TEST(ZipfIds, FrequenciesFollowOneOverRank) {
    constexpr Index kVocab = 20000, kDraws = 400000;
    const ZipfIds ids(kVocab, 1.0);
    Rng rng(7);
    std::vector<Index> count(kVocab, 0);
    for (Index i = 0; i < kDraws; ++i) {
        const Index id = ids(rng);
        ASSERT_GE(id, 0);
        ASSERT_LT(id, kVocab);
        ++count[static_cast<size_t>(id)];
    }
    double harmonic = 0;
    for (Index i = 1; i <= kVocab; ++i) harmonic += 1.0 / double(i);
    // P(id) = 1 / ((id + 1) H): within 5 standard errors for the first ranks.
    for (Index id : {0, 1, 2, 9, 99}) {
        const double p = 1.0 / (double(id + 1) * harmonic);
        const double se = std::sqrt(p * (1 - p) / double(kDraws));
        EXPECT_NEAR(double(count[static_cast<size_t>(id)]) / double(kDraws), p, 5 * se) << id;
    }
    // s = 0 is uniform: the first id about as frequent as any other.
    const ZipfIds flat(100, 0.0);
    Index zeros = 0;
    for (Index i = 0; i < 100000; ++i) zeros += flat(rng) == 0;
    EXPECT_NEAR(double(zeros) / 1e5, 0.01, 5 * std::sqrt(0.01 * 0.99 / 1e5));
}

}  // namespace
}  // namespace recur::bench
