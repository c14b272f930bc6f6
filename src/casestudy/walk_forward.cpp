#include "casestudy/walk_forward.hpp"

#include <algorithm>

namespace recur::casestudy {

std::vector<Fold> make_folds(const WalkForwardSpec& spec, const std::vector<Index>& origins,
                             Index test_row) {
    const Index n = static_cast<Index>(origins.size());
    const Index n_folds = spec.folds > 0 ? std::min<Index>(spec.folds, n) : 1;
    std::vector<Fold> folds;
    for (Index f = 0; f < n_folds; ++f) {
        // Origins [a, b] of fold f: n / n_folds each, the remainder spread over the folds.
        const Index a = n * f / n_folds, b = n * (f + 1) / n_folds - 1;
        Fold fold{origins[static_cast<size_t>(a)], origins[static_cast<size_t>(b)], 0, 0};
        fold.train_end = spec.folds > 0 ? fold.first_origin - spec.gap : test_row - 1 - spec.gap;
        fold.train_begin =
            spec.window == "rolling" ? std::max<Index>(0, fold.train_end - spec.train_rows + 1) : 0;
        folds.push_back(fold);
    }
    return folds;
}

}  // namespace recur::casestudy
