// VAR(p) by OLS, statsmodels-compatible; equations and conventions in recur/baselines/var.hpp.
#include "recur/baselines/var.hpp"

#include <Eigen/Cholesky>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace recur {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// numpy.linalg.lstsq's rcond as statsmodels passes it.
constexpr double kLstsqRcond = 1e-15;

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    throw std::invalid_argument(os.str());
}

void check_data(const MatrixXd& data, const char* who) {
    if (data.cols() < 1) fail(who, ": data has no columns (need a (T, K) matrix with K >= 1)");
    if (!data.allFinite()) {
        for (Eigen::Index t = 0; t < data.rows(); ++t)
            for (Eigen::Index k = 0; k < data.cols(); ++k)
                if (!std::isfinite(data(t, k)))
                    fail(who, ": data(", t, ", ", k, ") = ", data(t, k), " is not finite");
    }
}

// log det of a symmetric positive definite matrix by Cholesky (statsmodels' logdet_symm); -inf if
// the factorisation fails (singular / not positive definite).
double logdet_spd(const MatrixXd& m) {
    Eigen::LLT<MatrixXd> llt(m);
    if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
    const MatrixXd& l = llt.matrixLLT();
    double s = 0.0;
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        const double d = l(i, i);
        if (!(d > 0.0)) return -std::numeric_limits<double>::infinity();
        s += std::log(d);
    }
    return 2.0 * s;
}

// statsmodels' _estimate_var(lags = p, offset): the regression on rows offset .. T-1, so the
// response rows are offset + p .. T-1 (n = T - offset - p of them).
VarModel estimate(const MatrixXd& data, std::int64_t p, std::int64_t offset) {
    const std::int64_t rows = data.rows() - offset;
    const std::int64_t k = data.cols();
    const std::int64_t n = rows - p;
    const std::int64_t ncoef = 1 + k * p;

    VarModel m;
    m.lags = p;
    m.neqs = k;
    m.nobs = n;
    m.df_model = ncoef;
    m.df_resid = n - ncoef;

    // Z (n, 1 + K p): row r = [1, y_{t-1}', ..., y_{t-p}'] for t = offset + p + r.
    MatrixXd z(n, ncoef);
    z.col(0).setOnes();
    for (std::int64_t i = 1; i <= p; ++i)
        z.middleCols(1 + (i - 1) * k, k) = data.middleRows(offset + p - i, n);
    const MatrixXd y = data.bottomRows(n);

    Eigen::BDCSVD<MatrixXd> svd(z, Eigen::ComputeThinU | Eigen::ComputeThinV);
    svd.setThreshold(kLstsqRcond);
    m.params = svd.solve(y);

    m.intercept = m.params.row(0).transpose();
    m.coefs.resize(static_cast<std::size_t>(p));
    for (std::int64_t i = 1; i <= p; ++i)
        m.coefs[static_cast<std::size_t>(i - 1)] =
            m.params.middleRows(1 + (i - 1) * k, k).transpose();

    m.resid = y - z * m.params;
    const MatrixXd sse = m.resid.transpose() * m.resid;
    m.sigma_u = sse / static_cast<double>(m.df_resid);
    m.sigma_u_mle = sse / static_cast<double>(n);
    m.last_obs = data.bottomRows(p);

    const double dn = static_cast<double>(n);
    const double dk = static_cast<double>(k);
    const double ld = logdet_spd(m.sigma_u_mle);
    const double free_params = static_cast<double>(p * k * k + k);
    m.ic.aic = ld + (2.0 / dn) * free_params;
    m.ic.bic = ld + (std::log(dn) / dn) * free_params;
    m.ic.hqic = ld + (2.0 * std::log(std::log(dn)) / dn) * free_params;
    m.ic.fpe =
        std::pow((dn + static_cast<double>(m.df_model)) / static_cast<double>(m.df_resid), dk) *
        std::exp(ld);
    m.llf = -(dn * dk / 2.0) * std::log(2.0 * std::numbers::pi) - (dn / 2.0) * (ld + dk);
    return m;
}

std::int64_t max_estimable(std::int64_t rows, std::int64_t neqs) {
    // statsmodels: (n_totobs - neqs - ntrend) // (1 + neqs), Python floor division.
    const std::int64_t num = rows - neqs - 1;
    const std::int64_t den = 1 + neqs;
    std::int64_t q = num / den;
    if (num % den != 0 && num < 0) --q;
    return q;
}

}  // namespace

const char* var_criterion_name(VarCriterion c) {
    switch (c) {
        case VarCriterion::aic:
            return "aic";
        case VarCriterion::bic:
            return "bic";
        case VarCriterion::hqic:
            return "hqic";
        case VarCriterion::fpe:
            return "fpe";
    }
    return "?";
}

VarCriterion parse_var_criterion(const std::string& name) {
    if (name == "aic") return VarCriterion::aic;
    if (name == "bic") return VarCriterion::bic;
    if (name == "hqic") return VarCriterion::hqic;
    if (name == "fpe") return VarCriterion::fpe;
    fail("unknown VAR information criterion '", name, "' (expected aic, bic, hqic or fpe)");
}

double VarInfoCriteria::get(VarCriterion c) const {
    switch (c) {
        case VarCriterion::aic:
            return aic;
        case VarCriterion::bic:
            return bic;
        case VarCriterion::hqic:
            return hqic;
        case VarCriterion::fpe:
            return fpe;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

std::int64_t VarOrderSelection::selected(VarCriterion c) const {
    switch (c) {
        case VarCriterion::aic:
            return aic;
        case VarCriterion::bic:
            return bic;
        case VarCriterion::hqic:
            return hqic;
        case VarCriterion::fpe:
            return fpe;
    }
    return -1;
}

VectorXd VarModel::forecast_one(const MatrixXd& history) const {
    return forecast(history, 1).row(0).transpose();
}

MatrixXd VarModel::forecast(const MatrixXd& history, std::int64_t steps) const {
    if (history.cols() != neqs)
        fail("VAR forecast: history has ", history.cols(), " columns, the model has K = ", neqs,
             " variables");
    if (history.rows() < lags)
        fail("VAR forecast: a VAR(", lags, ") needs at least ", lags, " rows of history, got ",
             history.rows());
    if (steps < 0) fail("VAR forecast: steps = ", steps, " is negative");
    const std::int64_t h0 = history.rows();
    MatrixXd out(steps, neqs);
    for (std::int64_t h = 0; h < steps; ++h) {
        VectorXd f = intercept;
        for (std::int64_t i = 1; i <= lags; ++i) {
            const std::int64_t src = h - i;  // index into out if >= 0, else into history's tail
            const auto& a = coefs[static_cast<std::size_t>(i - 1)];
            if (src >= 0)
                f.noalias() += a * out.row(src).transpose();
            else
                f.noalias() += a * history.row(h0 + src).transpose();
        }
        out.row(h) = f.transpose();
    }
    return out;
}

MatrixXd VarModel::forecast(std::int64_t steps) const {
    return forecast(last_obs, steps);
}

VarModel fit_var(const MatrixXd& data, std::int64_t p) {
    check_data(data, "fit_var");
    if (p < 0) fail("fit_var: lag order p = ", p, " is negative");
    const std::int64_t t = data.rows();
    const std::int64_t k = data.cols();
    const std::int64_t df_resid = t - p - (k * p + 1);
    if (df_resid < 1)
        fail("fit_var: VAR(", p, ") with K = ", k, " variables and an intercept needs at least ",
             (k + 1) * p + 2, " observations (T - p > K p + 1 regressors), got T = ", t);
    return estimate(data, p, 0);
}

std::int64_t var_default_maxlags(std::int64_t rows, std::int64_t neqs) {
    const std::int64_t cap = max_estimable(rows, neqs);
    if (cap < 0)
        fail("var_default_maxlags: T = ", rows, " observations of K = ", neqs,
             " variables are too few for any VAR with an intercept (need T >= K + 1 = ", neqs + 1,
             ")");
    const double guess = std::nearbyint(12.0 * std::pow(static_cast<double>(rows) / 100.0, 0.25));
    return std::min(static_cast<std::int64_t>(guess), cap);
}

VarOrderSelection select_var_order(const MatrixXd& data, std::int64_t maxlags) {
    check_data(data, "select_var_order");
    const std::int64_t t = data.rows();
    const std::int64_t k = data.cols();
    if (maxlags < 0) fail("select_var_order: maxlags = ", maxlags, " is negative");
    const std::int64_t cap = max_estimable(t, k);
    if (maxlags > cap)
        fail(
            "select_var_order: maxlags = ", maxlags, " is too large for T = ", t,
            " observations of K = ", k,
            " variables: the largest order that can be estimated is (T - K - 1) / (K + 1) = ", cap);

    VarOrderSelection sel;
    sel.maxlags = maxlags;
    sel.nobs = t - maxlags;
    sel.criteria.reserve(static_cast<std::size_t>(maxlags + 1));
    for (std::int64_t p = 0; p <= maxlags; ++p)
        sel.criteria.push_back(estimate(data, p, maxlags - p).ic);

    auto argmin = [&](VarCriterion c) {
        std::int64_t best = 0;
        for (std::int64_t p = 1; p <= maxlags; ++p) {
            const double v = sel.criteria[static_cast<std::size_t>(p)].get(c);
            const double b = sel.criteria[static_cast<std::size_t>(best)].get(c);
            if (v < b || (std::isnan(v) && !std::isnan(b))) best = p;  // numpy: NaN wins
        }
        return best;
    };
    sel.aic = argmin(VarCriterion::aic);
    sel.bic = argmin(VarCriterion::bic);
    sel.hqic = argmin(VarCriterion::hqic);
    sel.fpe = argmin(VarCriterion::fpe);
    return sel;
}

VarModel fit_var_select(const MatrixXd& data, std::int64_t maxlags, VarCriterion criterion,
                        VarOrderSelection* selection) {
    VarOrderSelection sel = select_var_order(data, maxlags);
    const std::int64_t p = sel.selected(criterion);
    if (selection) *selection = std::move(sel);
    return fit_var(data, p);
}

MatrixXd var_one_step_forecasts(const VarModel& model, const MatrixXd& data, std::int64_t start) {
    check_data(data, "var_one_step_forecasts");
    if (data.cols() != model.neqs)
        fail("var_one_step_forecasts: data has ", data.cols(),
             " columns, the model has K = ", model.neqs, " variables");
    const std::int64_t t = data.rows();
    if (start < model.lags || start > t)
        fail("var_one_step_forecasts: start = ", start, " must lie in [p, T] = [", model.lags, ", ",
             t, "] (a VAR(", model.lags, ") forecast of row t uses rows t - ", model.lags,
             " .. t - 1)");
    MatrixXd out(t - start, model.neqs);
    for (std::int64_t r = start; r < t; ++r) {
        VectorXd f = model.intercept;
        for (std::int64_t i = 1; i <= model.lags; ++i)
            f.noalias() +=
                model.coefs[static_cast<std::size_t>(i - 1)] * data.row(r - i).transpose();
        out.row(r - start) = f.transpose();
    }
    return out;
}

}  // namespace recur
