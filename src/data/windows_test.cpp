// Rolling windows (create_univariate_rnn_data / create_multivariate_rnn_data) and date splits.
#include "recur/data/windows.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace recur {
namespace {

// 6 monthly rows, columns a = 1..6 and b = 10, 20, ..., 60.
Frame sample() {
    Frame f;
    f.dates = {"2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01"};
    f.names = {"a", "b"};
    f.columns = {{1, 2, 3, 4, 5, 6}, {10, 20, 30, 40, 50, 60}};
    return f;
}

TEST(DataWindows, MultivariateEqualsTheHandBuiltCase) {
    Windows<double> w = make_windows<double>(sample(), 4);
    ASSERT_EQ(w.x.shape(), (std::vector<Index>{2, 4, 2}));
    ASSERT_EQ(w.y.shape(), (std::vector<Index>{2, 2}));
    // x[0] = rows 0..3, y[0] = row 4; x[1] = rows 1..4, y[1] = row 5.
    const std::vector<double> x = {1, 10, 2, 20, 3, 30, 4, 40, 2, 20, 3, 30, 4, 40, 5, 50};
    const std::vector<double> y = {5, 50, 6, 60};
    EXPECT_EQ(std::vector<double>(w.x.data(), w.x.data() + w.x.size()), x);
    EXPECT_EQ(std::vector<double>(w.y.data(), w.y.data() + w.y.size()), y);
    EXPECT_EQ(w.target_dates, (std::vector<std::string>{"2020-05-01", "2020-06-01"}));
}

TEST(DataWindows, UnivariateMatchesTheValueVersion) {
    Series s = sample().series("b");
    Windows<float> w = make_windows<float>(s, 2);
    Tensor<float> x, y;
    make_windows(s.values, 2, x, y);
    ASSERT_EQ(w.x.shape(), (std::vector<Index>{4, 2, 1}));
    ASSERT_EQ(w.y.shape(), (std::vector<Index>{4, 1}));
    EXPECT_EQ(x.shape(), w.x.shape());
    EXPECT_EQ(y.shape(), w.y.shape());
    for (Index i = 0; i < x.size(); ++i) EXPECT_EQ(x[i], w.x[i]);
    for (Index i = 0; i < y.size(); ++i) EXPECT_EQ(y[i], w.y[i]);
    EXPECT_EQ(w.x.at(3, 1, 0), 50.0f);
    EXPECT_EQ(w.y[3], 60.0f);
}

TEST(DataWindows, SplitByTargetDate) {
    Windows<double> w = make_windows<double>(sample(), 2);  // targets 2020-03 .. 2020-06
    EXPECT_EQ(first_target_index(w.target_dates, "2020-01-01"), 0);
    EXPECT_EQ(first_target_index(w.target_dates, "2020-04-01"), 1);
    EXPECT_EQ(first_target_index(w.target_dates, "2020-04-15"), 2);
    EXPECT_EQ(first_target_index(w.target_dates, "2021-01-01"), 4);
    auto [train, test] = split_at_date(w, "2020-05-01");
    EXPECT_EQ(train.size(), 2);
    EXPECT_EQ(test.size(), 2);
    EXPECT_EQ(train.x.shape(), (std::vector<Index>{2, 2, 2}));
    EXPECT_EQ(test.y.at(0, 1), 50.0);
    EXPECT_EQ(test.x.at(0, 0, 0), 3.0);
    EXPECT_EQ(test.target_dates.front(), "2020-05-01");
}

TEST(DataWindows, TooShortNamesTheSeriesAndBothLengths) {
    try {
        make_windows<float>(sample().series("a"), 6);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(),
                     "series 'a' has 6 values, too short for windows of 6 (needs at least 7)");
    }
    try {
        make_windows<float>(sample(), 7);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(),
                     "frame 'a', 'b' has 6 rows, too short for windows of 7 (needs at least 8)");
    }
    Tensor<float> x, y;
    try {
        make_windows(std::vector<double>{1, 2}, 63, x, y, "SP500");
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(),
                     "series 'SP500' has 2 values, too short for windows of 63 (needs at least "
                     "64)");
    }
    EXPECT_THROW(make_windows(std::vector<double>{1, 2}, 2, x, y), DataError);
    EXPECT_THROW(make_windows<float>(sample(), 0), DataError);
}

TEST(DataWindows, MissingCellsAreErrors) {
    Frame f = sample();
    f.columns[1][3] = std::numeric_limits<double>::quiet_NaN();
    try {
        make_windows<float>(f, 2);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(),
                     "column 'b' is missing a value at 2020-04-01 (row 3); drop or fill missing "
                     "rows before making windows");
    }
}

}  // namespace
}  // namespace recur
