// MinMaxScaler and StandardScaler: fit on a date range, apply and invert anywhere.
#include "recur/data/scaler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace recur {
namespace {

Frame sample() {
    Frame f;
    f.dates = {"2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01"};
    f.names = {"a", "b"};
    f.columns = {{0, 2, 4, 6, 8, 10}, {5, 1, 3, 2, 9, -1}};
    return f;
}

TEST(DataScaler, MinMaxFitOnASubrangeAppliesEverywhere) {
    MinMaxScaler s;
    s.fit(sample(), "2020-02-01", "2020-04-01");  // a in [2, 6], b in [1, 3]
    EXPECT_EQ(s.data_min(), (std::vector<double>{2, 1}));
    EXPECT_EQ(s.data_max(), (std::vector<double>{6, 3}));
    Frame z = s.transform(sample());
    EXPECT_EQ(z.columns[0], (std::vector<double>{-0.5, 0, 0.5, 1, 1.5, 2}));
    EXPECT_EQ(z.columns[1], (std::vector<double>{2, 0, 1, 0.5, 4, -1}));
    EXPECT_EQ(z.dates, sample().dates);
    Frame back = s.inverse_transform(z);
    EXPECT_EQ(back.columns, sample().columns);

    MinMaxScaler wide(-1, 1);
    wide.fit(sample());  // whole range: a in [0, 10]
    EXPECT_DOUBLE_EQ(wide.transform(sample()).columns[0][5], 1.0);
    EXPECT_DOUBLE_EQ(wide.transform(sample()).columns[0][0], -1.0);
}

TEST(DataScaler, StandardUsesThePopulationStd) {
    StandardScaler s;
    s.fit(sample(), "2020-02-01", "2020-04-01");  // a: 2, 4, 6   b: 1, 3, 2
    EXPECT_DOUBLE_EQ(s.mean()[0], 4.0);
    EXPECT_DOUBLE_EQ(s.scale()[0], std::sqrt(8.0 / 3.0));
    EXPECT_DOUBLE_EQ(s.mean()[1], 2.0);
    EXPECT_DOUBLE_EQ(s.scale()[1], std::sqrt(2.0 / 3.0));
    Frame z = s.transform(sample());
    EXPECT_DOUBLE_EQ(z.columns[0][5], 6.0 / std::sqrt(8.0 / 3.0));
    Frame back = s.inverse_transform(z);
    for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t t = 0; t < 6; ++t)
            EXPECT_NEAR(back.columns[k][t], sample().columns[k][t], 1e-14);
}

TEST(DataScaler, SeriesTensorsMissingCellsAndConstantColumns) {
    Series a = sample().series("a");
    MinMaxScaler s;
    s.fit(a, "", "2020-03-01");  // [0, 4]
    EXPECT_EQ(s.transform(a).values, (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5}));
    EXPECT_EQ(s.inverse_transform(s.transform(a)).values, a.values);

    StandardScaler two;
    two.fit(sample());
    Tensor<float> w({2, 3, 2});  // (N, W, K): the last dimension is the column
    for (Index i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i);
    Tensor<float> orig = w;
    two.transform_inplace(w);
    EXPECT_FLOAT_EQ(w.at(1, 2, 1), static_cast<float>((11.0 - two.mean()[1]) / two.scale()[1]));
    two.inverse_transform_inplace(w);
    for (Index i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], orig[i], 1e-5);

    Frame f = sample();
    f.columns[1][0] = std::numeric_limits<double>::quiet_NaN();  // ignored by fit, kept
    f.columns[0].assign(6, 7.0);                                 // constant: scale 1
    MinMaxScaler m;
    m.fit(f);
    Frame z = m.transform(f);
    EXPECT_EQ(m.data_min()[1], -1.0);
    EXPECT_TRUE(std::isnan(z.columns[1][0]));
    EXPECT_EQ(z.columns[0], std::vector<double>(6, 0.0));
}

TEST(DataScaler, MismatchesAreErrors) {
    MinMaxScaler s;
    EXPECT_THROW(s.transform(sample()), DataError);  // not fitted
    s.fit(sample());
    EXPECT_THROW(s.transform(sample().series("a")), DataError);  // 2 columns
    Tensor<double> t({4, 3});
    EXPECT_THROW(s.transform_inplace(t), DataError);
    Frame swapped = sample();
    std::swap(swapped.names[0], swapped.names[1]);
    try {
        s.transform(swapped);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(),
                     "transform: the scaler was fitted on columns 'a', 'b', the data has 'b', 'a'");
    }
    try {
        s.fit(sample(), "2021-01-01", "");
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "fit: column 'a' has no values between 2021-01-01 and its end");
    }
    EXPECT_THROW(MinMaxScaler(1, 1), DataError);
}

}  // namespace
}  // namespace recur
