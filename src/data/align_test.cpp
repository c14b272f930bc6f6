// Inner join of several series on their common dates.
#include "recur/data/align.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace recur {
namespace {

Series make(std::string name, std::vector<std::string> dates, std::vector<double> values) {
    return Series{std::move(name), std::move(dates), std::move(values)};
}

TEST(DataAlign, KeepsOnlyDatesCommonToAllInTheGivenColumnOrder) {
    Series a = make("a", {"2020-01-01", "2020-02-01", "2020-03-01", "2020-05-01"}, {1, 2, 3, 5});
    Series b =
        make("b", {"2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"}, {20, 30, 40, 50});
    Series c = make("c", {"2019-12-01", "2020-02-01", "2020-05-01"}, {-1, -2, -5});
    Frame f = align({b, a, c});
    EXPECT_EQ(f.names, (std::vector<std::string>{"b", "a", "c"}));
    EXPECT_EQ(f.dates, (std::vector<std::string>{"2020-02-01", "2020-05-01"}));
    EXPECT_EQ(f.columns[0], (std::vector<double>{20, 50}));
    EXPECT_EQ(f.columns[1], (std::vector<double>{2, 5}));
    EXPECT_EQ(f.columns[2], (std::vector<double>{-2, -5}));
    EXPECT_EQ(align({a}).dates, a.dates);
    EXPECT_EQ(align({a, make("d", {"2021-01-01"}, {1})}).rows(), 0u);
}

TEST(DataAlign, FramesKeepTheirMissingCells) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Frame x{{"2020-01-01", "2020-02-01"}, {"x", "y"}, {{1, nan}, {3, 4}}};
    Frame z{{"2020-02-01", "2020-03-01"}, {"z"}, {{7, 8}}};
    Frame f = align(std::vector<Frame>{x, z});
    ASSERT_EQ(f.rows(), 1u);
    EXPECT_TRUE(std::isnan(f.column("x")[0]));
    EXPECT_EQ(f.column("y")[0], 4);
    EXPECT_EQ(f.column("z")[0], 7);
}

TEST(DataAlign, RepeatedNamesAndNoInputAreErrors) {
    Series a = make("a", {"2020-01-01"}, {1});
    try {
        align({a, a});
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "align: result: column name 'a' is repeated");
    }
    EXPECT_THROW(align(std::vector<Series>{}), DataError);
    Series bad = make("bad", {"2020-02-01", "2020-01-01"}, {1, 2});
    EXPECT_THROW(align({a, bad}), DataError);
}

}  // namespace
}  // namespace recur
