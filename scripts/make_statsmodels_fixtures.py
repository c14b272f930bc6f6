#!/usr/bin/python3
"""Writes the statsmodels VAR reference fixture for src/baselines/var_test.cpp.

Run with Debian's python (the one that has statsmodels: apt-get install -y python3-statsmodels):

    /usr/bin/python3 scripts/make_statsmodels_fixtures.py

Data: statsmodels' macrodata (US quarterly, 1959Q1-2009Q3), columns realgdp, realcons, realinv,
log-differenced as in the statsmodels VAR documentation example:

    data = np.log(macrodata[["realgdp", "realcons", "realinv"]]).diff().dropna()   # (202, 3)

No randomness anywhere; floats are written by json (shortest repr, round-trips exactly), so the
output is byte-for-byte deterministic for a given statsmodels / numpy.

tests/fixtures/var_macrodata.json holds

  columns, layout, versions          what the arrays are
  data           (T, K)              the input matrix, rows = quarters in chronological order
  select_order                       VAR(data).select_order(maxlags): maxlags, the criteria
                                     {aic, bic, hqic, fpe: [value for p = 0 .. maxlags]} (every p
                                     fitted on the same sample, the first maxlags rows dropped) and
                                     the selected order per criterion
  fits [ ... ]                       one entry per fitted model on the whole data:
                                       "fixed_p2":       VAR(data).fit(2)
                                       "aic_maxlags15":  VAR(data).fit(maxlags=15, ic="aic")
                                     k_ar, nobs, df_model, df_resid, intercept (K),
                                     coefs (p, K, K) = A_1..A_p, params (1 + K p, K) (statsmodels'
                                     layout), sigma_u, sigma_u_mle (K, K), aic, bic, hqic, fpe,
                                     llf, forecast (5, K) = results.forecast(data[-k_ar:], 5)
  one_step [ ... ]                   fit on data[:-10], then for each of the last 10 rows t the
                                     forecast of data[t] from the actual data[t-p .. t-1]
                                     (results.forecast(data[t-p:t], 1)); same two model choices
                                     (the aic one selects its order on the training rows)
"""

import json
import os

import numpy as np
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.api import VAR

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
COLUMNS = ["realgdp", "realcons", "realinv"]
MAXLAGS = 15
FIXED_P = 2
FORECAST_STEPS = 5
TEST_ROWS = 10

LAYOUT = ("data (T, K): row t = observation t, chronological. coefs[i] = A_{i+1} (K, K): "
          "y_t = intercept + sum_i A_i y_{t-i} + u_t, A_i[r][c] = effect of variable c at lag i "
          "on variable r. params (1 + K p, K): statsmodels' VARResults.params, row 0 the "
          "intercept, row 1 + (i-1) K + c the coefficient of y_{t-i}[c], column r the equation "
          "of variable r. select_order ics lists start at p = 0.")


def mat(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float64)]


def vec(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def fit_entry(name, how, res, data):
    k = res.k_ar
    return {
        "name": name,
        "how": how,
        "k_ar": int(k),
        "nobs": int(res.nobs),
        "df_model": int(res.df_model),
        "df_resid": int(res.df_resid),
        "intercept": vec(res.intercept),
        "coefs": [mat(a) for a in res.coefs],
        "params": mat(res.params),
        "sigma_u": mat(res.sigma_u),
        "sigma_u_mle": mat(res.sigma_u_mle),
        "aic": float(res.aic),
        "bic": float(res.bic),
        "hqic": float(res.hqic),
        "fpe": float(res.fpe),
        "llf": float(res.llf),
        "forecast_steps": FORECAST_STEPS,
        "forecast": mat(res.forecast(data[len(data) - k:], FORECAST_STEPS)),
    }


def one_step_entry(name, how, res, data, train_rows):
    k = res.k_ar
    preds = [res.forecast(data[t - k:t], 1)[0] for t in range(train_rows, len(data))]
    return {
        "name": name,
        "how": how,
        "train_rows": int(train_rows),
        "k_ar": int(k),
        "params": mat(res.params),
        "forecasts": mat(preds),
    }


def main():
    macro = sm.datasets.macrodata.load_pandas().data
    data = np.log(macro[COLUMNS]).diff().dropna().to_numpy(dtype=np.float64)
    data = np.ascontiguousarray(data)

    sel = VAR(data).select_order(MAXLAGS)
    select = {
        "maxlags": MAXLAGS,
        "how": f"VAR(data).select_order({MAXLAGS})",
        "ics": {k: vec(v) for k, v in sel.ics.items()},
        "selected": {k: int(v) for k, v in sel.selected_orders.items()},
    }

    fits = [
        fit_entry("fixed_p2", f"VAR(data).fit({FIXED_P})", VAR(data).fit(FIXED_P), data),
        fit_entry("aic_maxlags15", f"VAR(data).fit(maxlags={MAXLAGS}, ic='aic')",
                  VAR(data).fit(maxlags=MAXLAGS, ic="aic"), data),
    ]

    train_rows = len(data) - TEST_ROWS
    train = data[:train_rows]
    one_step = [
        one_step_entry("fixed_p2", f"VAR(data[:{train_rows}]).fit({FIXED_P})",
                       VAR(train).fit(FIXED_P), data, train_rows),
        one_step_entry("aic_maxlags15",
                       f"VAR(data[:{train_rows}]).fit(maxlags={MAXLAGS}, ic='aic')",
                       VAR(train).fit(maxlags=MAXLAGS, ic="aic"), data, train_rows),
    ]

    out = {
        "description": ("statsmodels VAR on log-differenced macrodata realgdp, realcons, "
                        "realinv; written by scripts/make_statsmodels_fixtures.py"),
        "versions": {"statsmodels": statsmodels.__version__, "numpy": np.__version__},
        "columns": COLUMNS,
        "layout": LAYOUT,
        "data": mat(data),
        "select_order": select,
        "fits": fits,
        "one_step": one_step,
    }
    path = os.path.join(OUT_DIR, "var_macrodata.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
