// casestudy/walk_forward.hpp — the folds of a walk-forward evaluation ([walk_forward],
// --walk-forward).
//
// An origin is the last row known when a forecast is made (a one-step forecast of row r has
// origin r - 1). The test origins, in order, are cut into `folds` consecutive groups; the model is
// refit before each group on rows [train_begin, train_end]: training targets end `gap` rows
// before the group's first origin (gap 0: the origin's own row is the last target), and a rolling
// window keeps only the last `train_rows` rows. Without walk-forward (folds = 0) there is one
// fold: training targets end gap rows before the test period's first row.
#pragma once

#include <vector>

#include "casestudy/config.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur::casestudy {

struct Fold {
    Index first_origin, last_origin;  // rows, inclusive
    Index train_begin, train_end;     // rows usable for training (targets <= train_end)
};

// `origins`: the test origins in increasing order (not empty); `test_row`: the first row of the
// test period.
std::vector<Fold> make_folds(const WalkForwardSpec& spec, const std::vector<Index>& origins,
                             Index test_row);

}  // namespace recur::casestudy
