// recur/baselines/var.hpp — vector autoregression VAR(p) with intercept, fitted by OLS: the
// classical baseline for multivariate series, numerically matching statsmodels' VAR (0.13,
// statsmodels/tsa/vector_ar/var_model.py: VAR.fit, VAR.select_order, VARResults.forecast and
// VARResults.info_criteria), checked against it in src/baselines/var_test.cpp.
//
// Data layout: an Eigen::MatrixXd (T, K), row t = observation y_t (K variables), rows in
// chronological order, like the (T, K) array given to statsmodels' VAR.
//
// Model, for t = p .. T-1 (0-based rows):
//     y_t = c + A_1 y_{t-1} + ... + A_p y_{t-p} + u_t,      E[u_t u_t'] = Sigma_u
// c (K) is the intercept, A_i (K, K) the lag-i coefficients: A_i(r, j) is the effect of variable
// j at lag i on variable r. p = 0 is allowed (y_t = c + u_t), and so is K = 1 (an AR(p) by
// OLS with the same formulas), which statsmodels' VAR refuses ("Only gave one variable").
//
// Estimation (Lütkepohl 2005, sec. 3.2; statsmodels' _estimate_var): with the regressor rows
//     z_t = [1, y_{t-1}', y_{t-2}', ..., y_{t-p}']          (1 + K p)
// stacked into Z (n, 1 + K p), n = T - p, and Y = rows p .. T-1 of the data (n, K),
//     B = argmin ||Z B - Y||_F                              (1 + K p, K), statsmodels' `params`
// solved by SVD with singular values below 1e-15 * the largest treated as zero (numpy.lstsq's
// rcond = 1e-15, which statsmodels passes; the minimum-norm solution if Z is rank deficient).
// Row 0 of B is c', rows 1 + (i-1) K .. i K are A_i'. Residuals U = Y - Z B (n, K) and
//     df_model = K p + 1,   df_resid = n - df_model
//     Sigma_u     = U'U / df_resid                          (statsmodels' sigma_u)
//     Sigma_u_mle = U'U / n                                 (statsmodels' sigma_u_mle)
//
// Information criteria (statsmodels' VARResults.info_criteria; Lütkepohl pp. 146-150), with
// ld = log det Sigma_u_mle and free = p K^2 + K (the intercept counts K parameters):
//     aic  = ld + 2 free / n
//     bic  = ld + log(n) free / n
//     hqic = ld + 2 log(log(n)) free / n
//     fpe  = ((n + df_model) / df_resid)^K det Sigma_u_mle
// ld comes from a Cholesky factorisation, as statsmodels' logdet_symm. If that fails (Sigma_u_mle
// numerically singular, e.g. noiseless data, where statsmodels raises LinAlgError), ld is
// -infinity: aic = bic = hqic = -inf and fpe = 0.
//
// Lag-order selection (statsmodels' VAR.select_order(maxlags), trend "c"): every p = 0 ..
// maxlags is fitted on the same effective sample — the first maxlags - p rows are dropped, so
// each regression has n = T - maxlags rows — and each criterion picks the p with the smallest
// value (the smallest such p on ties, numpy's argmin). fit_var_select then refits the chosen p on
// the whole data (n = T - p), like VAR.fit(maxlags, ic=...).
//
// Forecasts (statsmodels' VARResults.forecast(y, steps); Lütkepohl p. 37): from the last p rows
// of a history y, iterate
//     yhat_{T+h} = c + sum_{i=1}^{p} A_i yhat_{T+h-i},   yhat_{T+h-i} = y_{T+h-i} when h - i <= 0
//
// Errors: std::invalid_argument, naming the numbers, for data with too few rows for p
// (fit_var needs df_resid >= 1, i.e. T >= (K + 1) p + 2; select_var_order needs statsmodels'
// maxlags <= (T - K - 1) / (K + 1), integer division), non-finite data, K = 0, negative p, and
// histories or starts that do not match the model.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace recur {

// The four order-selection criteria, in statsmodels' names.
enum class VarCriterion { aic, bic, hqic, fpe };

// "aic", "bic", "hqic", "fpe"; parse_var_criterion throws std::invalid_argument on other names.
const char* var_criterion_name(VarCriterion c);
VarCriterion parse_var_criterion(const std::string& name);

struct VarInfoCriteria {
    double aic = 0.0;
    double bic = 0.0;
    double hqic = 0.0;
    double fpe = 0.0;
    double get(VarCriterion c) const;
};

// A fitted VAR(p) (statsmodels' VARResults).
struct VarModel {
    std::int64_t lags = 0;      // p (statsmodels' k_ar)
    std::int64_t neqs = 0;      // K
    std::int64_t nobs = 0;      // n = rows used in the regression (T - p for fit_var)
    std::int64_t df_model = 0;  // K p + 1
    std::int64_t df_resid = 0;  // n - df_model

    Eigen::VectorXd intercept;           // c (K)
    std::vector<Eigen::MatrixXd> coefs;  // A_1 .. A_p, each (K, K)
    Eigen::MatrixXd params;              // B (1 + K p, K), statsmodels' layout (see above)
    Eigen::MatrixXd sigma_u;             // (K, K), U'U / df_resid
    Eigen::MatrixXd sigma_u_mle;         // (K, K), U'U / n
    Eigen::MatrixXd resid;               // U (n, K): rows T - n .. T - 1 of the data
    VarInfoCriteria ic;                  // aic, bic, hqic, fpe of this fit
    double llf = 0.0;                    // Gaussian log-likelihood, -n/2 (K log(2 pi) + ld + K)
    Eigen::MatrixXd last_obs;            // the last p rows of the fitted data (p, K)

    // c + sum_i A_i y_{t-i} from the last p rows of `history` (rows chronological, >= p rows,
    // K columns): the one-step forecast (K).
    Eigen::VectorXd forecast_one(const Eigen::MatrixXd& history) const;
    // statsmodels' forecast(y, steps): (steps, K), iterated from the last p rows of `history`.
    Eigen::MatrixXd forecast(const Eigen::MatrixXd& history, std::int64_t steps) const;
    // forecast(last_obs, steps): forecasts past the end of the fitted data.
    Eigen::MatrixXd forecast(std::int64_t steps) const;
};

// OLS fit of VAR(p) with intercept on data (T, K). Throws std::invalid_argument unless
// T - p - (K p + 1) >= 1.
VarModel fit_var(const Eigen::MatrixXd& data, std::int64_t p);

// statsmodels' select_order(maxlags): criteria for p = 0 .. maxlags on a common sample.
struct VarOrderSelection {
    std::int64_t maxlags = 0;
    std::int64_t nobs = 0;                             // T - maxlags, the common sample size
    std::vector<VarInfoCriteria> criteria;             // criteria[p], p = 0 .. maxlags
    std::int64_t aic = 0, bic = 0, hqic = 0, fpe = 0;  // selected orders
    std::int64_t selected(VarCriterion c) const;
};

// statsmodels' default maxlags, round(12 (T / 100)^(1/4)) (ties to even, as Python's round),
// capped at the largest estimable order (T - K - 1) / (K + 1). Throws if that is negative.
std::int64_t var_default_maxlags(std::int64_t rows, std::int64_t neqs);

// Throws std::invalid_argument if maxlags < 0 or maxlags > (T - K - 1) / (K + 1), as statsmodels
// raises ValueError.
VarOrderSelection select_var_order(const Eigen::MatrixXd& data, std::int64_t maxlags);

// statsmodels' VAR(data).fit(maxlags, ic=criterion): selects p by select_var_order(data,
// maxlags), then fit_var(data, p). `selection`, when given, receives the selection.
VarModel fit_var_select(const Eigen::MatrixXd& data, std::int64_t maxlags, VarCriterion criterion,
                        VarOrderSelection* selection = nullptr);

// One-step-ahead forecasts with true lags: row j of the result (rows T - start, K) is the forecast
// of data row start + j from the actual rows start + j - p .. start + j - 1 (never from earlier
// forecasts). Requires p <= start <= T; data may extend past the model's training rows (a test
// period), e.g. fit on data.topRows(start) and call with the full data.
Eigen::MatrixXd var_one_step_forecasts(const VarModel& model, const Eigen::MatrixXd& data,
                                       std::int64_t start);

}  // namespace recur
