// recur/data/transforms.hpp — log, differences and percentage changes of a series, and their
// inverses.
//
// Lags count observations, not calendar periods (a Series holds no missing values, so on FRED's
// daily SP500 diff(s, 1) is the change from the previous trading day). For a lag n >= 1:
//   log_series:  z[t] = ln x[t]                          (every x[t] must be > 0)
//   diff:        d[t] = x[t] - x[t-n]                    t = n .. T-1
//   pct_change:  r[t] = x[t] / x[t-n] - 1                t = n .. T-1 (x[t-n] must be nonzero)
// The first n values have no lagged partner (pandas gives NaN there); they are dropped, so the
// result has T - n values and its dates are dates[n ..]. Results are named like the input.
// Inverses rebuild the original from its first n values (the anchors, e.g. slice of the input):
//   inverse_diff:        x[t] = d[t] + x[t-n]
//   inverse_pct_change:  x[t] = x[t-n] * (1 + r[t])
// and return the anchors followed by the rebuilt values (T values, the original dates).
#pragma once

#include "recur/data/frame.hpp"

namespace recur {

Series log_series(const Series& s);
Series exp_series(const Series& s);
Series diff(const Series& s, int n = 1);
Series pct_change(const Series& s, int n = 1);

// `anchors` holds the n observations before the first difference (its size is the lag n).
Series inverse_diff(const Series& d, const Series& anchors);
Series inverse_pct_change(const Series& r, const Series& anchors);

// The first n observations of `s` (the anchors for the inverses above).
Series head(const Series& s, std::size_t n);

}  // namespace recur
