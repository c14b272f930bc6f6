// Frame and Series helpers: slicing, dropna, column selection, validation.
#include "recur/data/frame.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace recur {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Frame sample() {
    Frame f;
    f.dates = {"2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"};
    f.names = {"a", "b"};
    f.columns = {{1, kNaN, 3, 4}, {10, 20, 30, kNaN}};
    return f;
}

TEST(DataFrame, IsoDatesAreRealCalendarDates) {
    EXPECT_TRUE(is_iso_date("2020-02-29"));
    EXPECT_TRUE(is_iso_date("2000-02-29"));
    EXPECT_FALSE(is_iso_date("1900-02-29"));
    EXPECT_FALSE(is_iso_date("2021-04-31"));
    EXPECT_FALSE(is_iso_date("2021-13-01"));
    EXPECT_FALSE(is_iso_date("2021-1-01"));
    EXPECT_FALSE(is_iso_date("2021-01-00"));
}

TEST(DataFrame, SliceDatesIsInclusiveAndOpenWhenEmpty) {
    Frame f = sample();
    Frame s = slice_dates(f, "2020-02-01", "2020-03-01");
    EXPECT_EQ(s.dates, (std::vector<std::string>{"2020-02-01", "2020-03-01"}));
    EXPECT_EQ(s.columns[1], (std::vector<double>{20, 30}));
    EXPECT_EQ(slice_dates(f, "", "2020-01-15").rows(), 1u);
    EXPECT_EQ(slice_dates(f, "2020-03-15", "").rows(), 1u);
    Series a = f.series("a");
    EXPECT_EQ(a.values, (std::vector<double>{1, 3, 4}));
    EXPECT_EQ(slice_dates(a, "2020-01-02", "2020-12-31").values, (std::vector<double>{3, 4}));
}

TEST(DataFrame, DropnaKeepsCompleteRows) {
    Frame d = dropna(sample());
    EXPECT_EQ(d.dates, (std::vector<std::string>{"2020-01-01", "2020-03-01"}));
    EXPECT_EQ(d.columns[0], (std::vector<double>{1, 3}));
    EXPECT_EQ(d.columns[1], (std::vector<double>{10, 30}));
}

TEST(DataFrame, SelectColumnsReordersAndUnknownNamesAreErrors) {
    Frame s = select_columns(sample(), {"b", "a"});
    EXPECT_EQ(s.names, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(s.columns[0][0], 10);
    try {
        select_columns(sample(), {"c"});
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "no column named 'c' (columns: 'a', 'b')");
    }
}

TEST(DataFrame, CheckFrameNamesTheProblem) {
    Frame f = sample();
    EXPECT_NO_THROW(check_frame(f));
    f.dates[2] = "2020-02-01";
    try {
        check_frame(f, "macro");
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "macro: row 2: date 2020-02-01 is repeated");
    }
    f = sample();
    f.columns[1].pop_back();
    EXPECT_THROW(check_frame(f), DataError);
}

}  // namespace
}  // namespace recur
