// VAR(p) baseline (recur/baselines/var.hpp) against statsmodels 0.13 and against hand-checkable
// cases.
//
// Reference: tests/fixtures/var_macrodata.json, written by scripts/make_statsmodels_fixtures.py
// (statsmodels' VAR on log-differenced macrodata realgdp, realcons, realinv; T = 202, K = 3;
// the layout is described at the top of that script). The input matrix is read from the fixture,
// so both sides start from bit-identical data.
//
// Criterion, for each compared array b (statsmodels) and a (recur), elementwise
//     |a - b| <= 1e-6 * max_j |b_j|
// i.e. relative to the array's largest magnitude (for a scalar: plain relative error). This is
// scale-free, which matters here: sigma_u entries are ~1e-5 and fpe ~1e-12, where an absolute
// 1e-6 would test nothing. Each check prints the largest such scaled deviation it saw
// ([var statsmodels] lines), so the real margin (~1e-13) is visible in the test log.
#include "recur/baselines/var.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace recur {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using json = nlohmann::json;

constexpr double kTol = 1e-6;

const json& fixture() {
    static const json j = [] {
        const std::string path = std::string(RECUR_FIXTURE_DIR) + "/var_macrodata.json";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open fixture " + path);
        return json::parse(in);
    }();
    return j;
}

MatrixXd to_matrix(const json& rows) {
    const auto r = static_cast<Eigen::Index>(rows.size());
    const auto c = r == 0 ? Eigen::Index{0} : static_cast<Eigen::Index>(rows[0].size());
    MatrixXd m(r, c);
    for (Eigen::Index i = 0; i < r; ++i)
        for (Eigen::Index k = 0; k < c; ++k) m(i, k) = rows[i][k].get<double>();
    return m;
}

VectorXd to_vector(const json& v) {
    VectorXd out(static_cast<Eigen::Index>(v.size()));
    for (Eigen::Index i = 0; i < out.size(); ++i) out(i) = v[i].get<double>();
    return out;
}

const json& entry(const json& list, const std::string& name) {
    for (const auto& e : list)
        if (e.at("name") == name) return e;
    throw std::runtime_error("fixture has no entry " + name);
}

// Largest |a - b| / max|b| seen over all checks, printed at the end of each test.
struct Deviation {
    double worst = 0.0;
    std::string where;
    void report(const char* test) const {
        std::printf("[var statsmodels] %s: max scaled deviation %.3e (%s)\n", test, worst,
                    where.c_str());
    }
};

void expect_close(const MatrixXd& a, const MatrixXd& b, const std::string& what, Deviation& dev) {
    ASSERT_EQ(a.rows(), b.rows()) << what;
    ASSERT_EQ(a.cols(), b.cols()) << what;
    const double scale = b.cwiseAbs().maxCoeff();
    ASSERT_GT(scale, 0.0) << what;
    for (Eigen::Index i = 0; i < b.rows(); ++i)
        for (Eigen::Index k = 0; k < b.cols(); ++k) {
            const double d = std::abs(a(i, k) - b(i, k)) / scale;
            EXPECT_LE(d, kTol) << what << "(" << i << ", " << k << "): recur " << a(i, k)
                               << ", statsmodels " << b(i, k);
            if (!(d <= dev.worst)) {
                dev.worst = d;
                dev.where = what;
            }
        }
}

void expect_close(double a, double b, const std::string& what, Deviation& dev) {
    expect_close(MatrixXd::Constant(1, 1, a), MatrixXd::Constant(1, 1, b), what, dev);
}

MatrixXd fixture_data() {
    return to_matrix(fixture().at("data"));
}

void check_fit(const VarModel& m, const json& ref, Deviation& dev) {
    const std::string name = ref.at("name");
    ASSERT_EQ(m.lags, ref.at("k_ar").get<std::int64_t>()) << name;
    EXPECT_EQ(m.neqs, 3);
    EXPECT_EQ(m.nobs, ref.at("nobs").get<std::int64_t>()) << name;
    EXPECT_EQ(m.df_model, ref.at("df_model").get<std::int64_t>()) << name;
    EXPECT_EQ(m.df_resid, ref.at("df_resid").get<std::int64_t>()) << name;
    expect_close(m.intercept, to_vector(ref.at("intercept")), name + " intercept", dev);
    ASSERT_EQ(m.coefs.size(), ref.at("coefs").size()) << name;
    for (std::size_t i = 0; i < m.coefs.size(); ++i)
        expect_close(m.coefs[i], to_matrix(ref.at("coefs")[i]),
                     name + " A_" + std::to_string(i + 1), dev);
    expect_close(m.params, to_matrix(ref.at("params")), name + " params", dev);
    expect_close(m.sigma_u, to_matrix(ref.at("sigma_u")), name + " sigma_u", dev);
    expect_close(m.sigma_u_mle, to_matrix(ref.at("sigma_u_mle")), name + " sigma_u_mle", dev);
    expect_close(m.ic.aic, ref.at("aic").get<double>(), name + " aic", dev);
    expect_close(m.ic.bic, ref.at("bic").get<double>(), name + " bic", dev);
    expect_close(m.ic.hqic, ref.at("hqic").get<double>(), name + " hqic", dev);
    expect_close(m.ic.fpe, ref.at("fpe").get<double>(), name + " fpe", dev);
    expect_close(m.llf, ref.at("llf").get<double>(), name + " llf", dev);

    const auto steps = ref.at("forecast_steps").get<std::int64_t>();
    const MatrixXd want = to_matrix(ref.at("forecast"));
    expect_close(m.forecast(steps), want, name + " forecast", dev);
    expect_close(m.forecast(fixture_data(), steps), want, name + " forecast(data)", dev);
    expect_close(m.forecast_one(fixture_data()).transpose(), want.topRows(1),
                 name + " forecast_one", dev);
}

// ---------------------------------------------------------------- statsmodels parity

TEST(VarStatsmodels, SelectOrderMatchesCriteriaForEveryLagAndTheSelections) {
    const json& ref = fixture().at("select_order");
    const auto maxlags = ref.at("maxlags").get<std::int64_t>();
    const VarOrderSelection sel = select_var_order(fixture_data(), maxlags);
    EXPECT_EQ(sel.maxlags, maxlags);
    EXPECT_EQ(sel.nobs, fixture_data().rows() - maxlags);
    ASSERT_EQ(sel.criteria.size(), static_cast<std::size_t>(maxlags + 1));
    Deviation dev;
    for (VarCriterion c :
         {VarCriterion::aic, VarCriterion::bic, VarCriterion::hqic, VarCriterion::fpe}) {
        const char* name = var_criterion_name(c);
        const VectorXd want = to_vector(ref.at("ics").at(name));
        ASSERT_EQ(want.size(), maxlags + 1);
        VectorXd got(want.size());
        for (Eigen::Index p = 0; p < got.size(); ++p)
            got(p) = sel.criteria[static_cast<std::size_t>(p)].get(c);
        // Per lag order (the criteria differ little between orders, so relative to each value).
        for (Eigen::Index p = 0; p < got.size(); ++p)
            expect_close(got(p), want(p), std::string(name) + "[p=" + std::to_string(p) + "]", dev);
        EXPECT_EQ(sel.selected(c), ref.at("selected").at(name).get<std::int64_t>()) << name;
    }
    dev.report("select_order(15)");
}

TEST(VarStatsmodels, FixedOrderFitMatches) {
    Deviation dev;
    check_fit(fit_var(fixture_data(), 2), entry(fixture().at("fits"), "fixed_p2"), dev);
    dev.report("fit(2)");
}

TEST(VarStatsmodels, AicSelectedFitMatches) {
    Deviation dev;
    VarOrderSelection sel;
    const VarModel m = fit_var_select(fixture_data(), 15, VarCriterion::aic, &sel);
    EXPECT_EQ(sel.aic, m.lags);
    check_fit(m, entry(fixture().at("fits"), "aic_maxlags15"), dev);
    dev.report("fit(maxlags=15, ic='aic')");
}

TEST(VarStatsmodels, EveryCriterionRefitsItsSelectedOrderOnTheWholeSample) {
    const json& selected = fixture().at("select_order").at("selected");
    for (const char* name : {"aic", "bic", "hqic", "fpe"}) {
        const VarModel m = fit_var_select(fixture_data(), 15, parse_var_criterion(name));
        const auto p = selected.at(name).get<std::int64_t>();
        EXPECT_EQ(m.lags, p) << name;
        EXPECT_EQ(m.nobs, fixture_data().rows() - p) << name;
        EXPECT_EQ(m.params, fit_var(fixture_data(), p).params) << name;
    }
}

TEST(VarStatsmodels, OneStepForecastsWithTrueLagsMatch) {
    const MatrixXd data = fixture_data();
    Deviation dev;
    for (const json& ref : fixture().at("one_step")) {
        const std::string name = ref.at("name");
        const auto train_rows = ref.at("train_rows").get<std::int64_t>();
        const MatrixXd train = data.topRows(train_rows);
        const VarModel m =
            name == "fixed_p2" ? fit_var(train, 2) : fit_var_select(train, 15, VarCriterion::aic);
        ASSERT_EQ(m.lags, ref.at("k_ar").get<std::int64_t>()) << name;
        expect_close(m.params, to_matrix(ref.at("params")), name + " train params", dev);
        const MatrixXd want = to_matrix(ref.at("forecasts"));
        const MatrixXd got = var_one_step_forecasts(m, data, train_rows);
        expect_close(got, want, name + " one-step forecasts", dev);
        // Row j is forecast_one from the true rows before it, never from earlier forecasts.
        for (Eigen::Index j = 0; j < got.rows(); ++j)
            EXPECT_LT((got.row(j) - m.forecast_one(data.topRows(train_rows + j)).transpose())
                          .cwiseAbs()
                          .maxCoeff(),
                      1e-15)
                << name << " row " << j;
    }
    dev.report("one-step with true lags, last 10 rows");
}

TEST(VarStatsmodels, DefaultMaxlagsFollowsStatsmodels) {
    // round(12 (T / 100)^(1/4)), capped at (T - K - 1) / (K + 1): statsmodels gives 14 for the
    // macrodata (T = 202, K = 3) and 6 (capped from 9) for its first 30 rows.
    EXPECT_EQ(var_default_maxlags(202, 3), 14);
    EXPECT_EQ(var_default_maxlags(30, 3), 6);
    EXPECT_EQ(var_default_maxlags(4, 3), 0);
    EXPECT_THROW(var_default_maxlags(3, 3), std::invalid_argument);
}

// ---------------------------------------------------------------- hand-checkable cases

TEST(VarTiny, NoiselessVar1IsRecoveredExactly) {
    // y_t = c + A y_{t-1}, A with eigenvalues 0.6 +- 0.5i (|.| = 0.78), so 20 steps of the
    // transient keep [1, y_{t-1}'] well conditioned.
    MatrixXd a(2, 2);
    a << 0.6, -0.5, 0.5, 0.6;
    VectorXd c(2);
    c << 1.0, -2.0;
    const int t = 20;
    MatrixXd y(t, 2);
    y.row(0) << 3.0, 1.0;
    for (int i = 1; i < t; ++i) y.row(i) = (c + a * y.row(i - 1).transpose()).transpose();

    const VarModel m = fit_var(y, 1);
    EXPECT_EQ(m.lags, 1);
    EXPECT_EQ(m.nobs, t - 1);
    EXPECT_EQ(m.df_model, 3);
    EXPECT_EQ(m.df_resid, t - 1 - 3);
    EXPECT_LT((m.intercept - c).cwiseAbs().maxCoeff(), 1e-12);
    ASSERT_EQ(m.coefs.size(), 1u);
    EXPECT_LT((m.coefs[0] - a).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT(m.resid.cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT(m.sigma_u.cwiseAbs().maxCoeff(), 1e-24);
    // params in statsmodels' layout: row 0 = c', rows 1..2 = A'.
    EXPECT_LT((m.params.row(0).transpose() - c).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((m.params.bottomRows(2).transpose() - a).cwiseAbs().maxCoeff(), 1e-12);

    // Iterated forecasts continue the recursion; one-step forecasts reproduce the data.
    const MatrixXd f = m.forecast(3);
    VectorXd prev = y.row(t - 1).transpose();
    for (int h = 0; h < 3; ++h) {
        prev = c + a * prev;
        EXPECT_LT((f.row(h).transpose() - prev).cwiseAbs().maxCoeff(), 1e-11) << "h=" << h + 1;
    }
    EXPECT_LT((var_one_step_forecasts(m, y, 1) - y.bottomRows(t - 1)).cwiseAbs().maxCoeff(), 1e-11);
}

TEST(VarTiny, Var0IsTheMeanAndCriteriaFollowTheFormulas) {
    // p = 0, K = 1, y = 1, 2, 3, 4: c = 2.5, Sigma_u = sample variance 5/3 (df_resid = 3),
    // Sigma_u_mle = 5/4, free parameters p K^2 + K = 1, n = 4, df_model = 1.
    MatrixXd y(4, 1);
    y << 1.0, 2.0, 3.0, 4.0;
    const VarModel m = fit_var(y, 0);
    EXPECT_EQ(m.df_model, 1);
    EXPECT_EQ(m.df_resid, 3);
    EXPECT_NEAR(m.intercept(0), 2.5, 1e-14);
    EXPECT_NEAR(m.sigma_u(0, 0), 5.0 / 3.0, 1e-14);
    EXPECT_NEAR(m.sigma_u_mle(0, 0), 1.25, 1e-14);
    const double ld = std::log(1.25);
    EXPECT_NEAR(m.ic.aic, ld + 2.0 / 4.0, 1e-14);
    EXPECT_NEAR(m.ic.bic, ld + std::log(4.0) / 4.0, 1e-14);
    EXPECT_NEAR(m.ic.hqic, ld + 2.0 * std::log(std::log(4.0)) / 4.0, 1e-14);
    EXPECT_NEAR(m.ic.fpe, (4.0 + 1.0) / 3.0 * 1.25, 1e-14);
    const MatrixXd f = m.forecast(y, 2);
    EXPECT_EQ(f.rows(), 2);
    EXPECT_NEAR(f(0, 0), 2.5, 1e-14);
    EXPECT_NEAR(f(1, 0), 2.5, 1e-14);
}

TEST(VarTiny, IteratedForecastOfAHandWrittenVar2) {
    // y_t = 1 + 0.5 y_{t-1} - 0.25 y_{t-2}; from ..., 2, 4:
    //   h=1: 1 + 0.5*4    - 0.25*2   = 2.5
    //   h=2: 1 + 0.5*2.5  - 0.25*4   = 1.25
    //   h=3: 1 + 0.5*1.25 - 0.25*2.5 = 1.0
    VarModel m;
    m.lags = 2;
    m.neqs = 1;
    m.intercept = VectorXd::Constant(1, 1.0);
    m.coefs = {MatrixXd::Constant(1, 1, 0.5), MatrixXd::Constant(1, 1, -0.25)};
    MatrixXd history(3, 1);
    history << 100.0, 2.0, 4.0;  // only the last p = 2 rows matter
    const MatrixXd f = m.forecast(history, 3);
    EXPECT_DOUBLE_EQ(f(0, 0), 2.5);
    EXPECT_DOUBLE_EQ(f(1, 0), 1.25);
    EXPECT_DOUBLE_EQ(f(2, 0), 1.0);
    EXPECT_DOUBLE_EQ(m.forecast_one(history)(0), 2.5);
    EXPECT_EQ(m.forecast(history, 0).rows(), 0);
    // With true lags: forecasts of rows 2 and 3 of 100, 2, 4, 8.
    MatrixXd data(4, 1);
    data << 100.0, 2.0, 4.0, 8.0;
    const MatrixXd g = var_one_step_forecasts(m, data, 2);
    ASSERT_EQ(g.rows(), 2);
    EXPECT_DOUBLE_EQ(g(0, 0), 1.0 + 0.5 * 2.0 - 0.25 * 100.0);
    EXPECT_DOUBLE_EQ(g(1, 0), 1.0 + 0.5 * 4.0 - 0.25 * 2.0);
    EXPECT_EQ(var_one_step_forecasts(m, data, 4).rows(), 0);
}

// ---------------------------------------------------------------- errors

template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no std::invalid_argument thrown)";
}

TEST(VarErrors, TooFewObservationsNameTheNumbers) {
    // VAR(2), K = 2: 1 + K p = 5 regressors, so T - 2 must exceed 5: T >= 8.
    const MatrixXd seven = MatrixXd::Random(7, 2);
    const std::string msg = error_of([&] { fit_var(seven, 2); });
    EXPECT_NE(msg.find("VAR(2)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("at least 8"), std::string::npos) << msg;
    EXPECT_NE(msg.find("T = 7"), std::string::npos) << msg;
    EXPECT_NO_THROW(fit_var(MatrixXd::Random(8, 2), 2));  // df_resid = 1

    // statsmodels' max_estimable: (T - K - 1) // (K + 1) = (10 - 3 - 1) // 4 = 1.
    const MatrixXd ten = MatrixXd::Random(10, 3);
    const std::string sel = error_of([&] { select_var_order(ten, 2); });
    EXPECT_NE(sel.find("maxlags = 2"), std::string::npos) << sel;
    EXPECT_NE(sel.find("T = 10"), std::string::npos) << sel;
    EXPECT_NE(sel.find("= 1"), std::string::npos) << sel;
    EXPECT_NO_THROW(select_var_order(ten, 1));
    EXPECT_THROW(fit_var_select(ten, 2, VarCriterion::bic), std::invalid_argument);
}

TEST(VarErrors, BadArgumentsAreRejected) {
    const MatrixXd y = MatrixXd::Random(30, 2);
    EXPECT_THROW(fit_var(y, -1), std::invalid_argument);
    EXPECT_THROW(fit_var(MatrixXd(30, 0), 1), std::invalid_argument);
    EXPECT_THROW(select_var_order(y, -1), std::invalid_argument);
    MatrixXd bad = y;
    bad(4, 1) = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(error_of([&] { fit_var(bad, 1); }).find("data(4, 1)"), std::string::npos);

    const VarModel m = fit_var(y, 3);
    EXPECT_NE(error_of([&] { m.forecast(y.topRows(2), 1); }).find("at least 3"), std::string::npos);
    EXPECT_THROW(m.forecast(MatrixXd::Random(5, 3), 1), std::invalid_argument);
    EXPECT_THROW(m.forecast(y, -1), std::invalid_argument);
    EXPECT_THROW(var_one_step_forecasts(m, y, 2), std::invalid_argument);
    EXPECT_THROW(var_one_step_forecasts(m, y, 31), std::invalid_argument);
    EXPECT_THROW(parse_var_criterion("aicc"), std::invalid_argument);
}

}  // namespace
}  // namespace recur
