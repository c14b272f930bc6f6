// log, diff, pct_change and their inverses.
#include "recur/data/transforms.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace recur {
namespace {

Series prices() {
    return Series{"p",
                  {"2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"},
                  {100, 110, 99, 121, 120}};
}

TEST(DataTransforms, DiffDropsTheFirstNAndShiftsDates) {
    Series d1 = diff(prices());
    EXPECT_EQ(d1.name, "p");
    EXPECT_EQ(d1.values, (std::vector<double>{10, -11, 22, -1}));
    EXPECT_EQ(d1.dates.front(), "2020-01-02");
    Series d2 = diff(prices(), 2);
    EXPECT_EQ(d2.values, (std::vector<double>{-1, 11, 21}));
    EXPECT_EQ(d2.dates, (std::vector<std::string>{"2020-01-03", "2020-01-06", "2020-01-07"}));
}

TEST(DataTransforms, PctChangeAndLogMatchTheirFormulas) {
    Series r = pct_change(prices(), 1);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r.values[0], 110.0 / 100.0 - 1);  // as pandas: x / x.shift(n) - 1
    EXPECT_EQ(r.values[1], 99.0 / 110.0 - 1);
    Series r3 = pct_change(prices(), 3);
    EXPECT_EQ(r3.dates.front(), "2020-01-06");
    EXPECT_EQ(r3.values[0], 121.0 / 100.0 - 1);
    Series l = log_series(prices());
    EXPECT_DOUBLE_EQ(l.values[3], std::log(121.0));
    EXPECT_EQ(l.dates, prices().dates);
}

TEST(DataTransforms, InversesRebuildTheOriginal) {
    const Series p = prices();
    for (int n : {1, 2, 4}) {
        Series back = inverse_diff(diff(p, n), head(p, static_cast<std::size_t>(n)));
        EXPECT_EQ(back.dates, p.dates);
        EXPECT_EQ(back.values, p.values) << "diff(" << n << ")";  // integers: exact
        Series back_r = inverse_pct_change(pct_change(p, n), head(p, static_cast<std::size_t>(n)));
        ASSERT_EQ(back_r.size(), p.size());
        for (std::size_t t = 0; t < p.size(); ++t)
            EXPECT_NEAR(back_r.values[t], p.values[t], 1e-12 * p.values[t]);
    }
    // log, then 12-month differences, as the macro case study; and back.
    Series ip{"ip", {}, {}};
    for (int m = 0; m < 30; ++m) {
        ip.dates.push_back((m < 12   ? "2000-"
                            : m < 24 ? "2001-"
                                     : "2002-") +
                           std::string(m % 12 < 9 ? "0" : "") + std::to_string(m % 12 + 1) + "-01");
        ip.values.push_back(50 + 10 * std::sin(m) + m);
    }
    Series g = diff(log_series(ip), 12);
    EXPECT_EQ(g.size(), 18u);
    EXPECT_EQ(g.dates.front(), "2001-01-01");
    Series back = exp_series(inverse_diff(g, head(log_series(ip), 12)));
    for (std::size_t t = 0; t < ip.size(); ++t)
        EXPECT_NEAR(back.values[t], ip.values[t], 1e-12 * ip.values[t]);
}

TEST(DataTransforms, ErrorsNameTheSeries) {
    Series p = prices();
    try {
        diff(p, 5);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "diff(5): series 'p' has 5 values, needs at least 6");
    }
    EXPECT_THROW(diff(p, 0), DataError);
    p.values[2] = -1;
    try {
        log_series(p);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("series 'p' is -1.000000 at 2020-01-03"),
                  std::string::npos)
            << e.what();
    }
    p.values[2] = 0;
    EXPECT_THROW(pct_change(p), DataError);
    EXPECT_THROW(inverse_diff(diff(prices()), Series{"p", {"2020-01-02"}, {1}}), DataError);
}

}  // namespace
}  // namespace recur
