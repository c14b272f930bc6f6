// CSV reading: layouts, missing cells, and every error naming file:line: column.
#include "recur/data/series.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace recur {
namespace {

// Writes CSV text into a directory of its own, removed after the test.
class DataCsv : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("recur_data_" + std::to_string(::getpid()) + "_" + info->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    // The message of the DataError that read_csv(path) throws ("" if none).
    static std::string error_of(const std::string& path) {
        try {
            read_csv(path);
        } catch (const DataError& e) {
            return e.what();
        }
        return "";
    }

    std::filesystem::path dir_;
};

TEST_F(DataCsv, ReadsEveryColumnWithMissingCellsAsNaN) {
    auto path = write("m.csv",
                      "date,a,b,c\n"
                      "2020-01-01,1,2.5,.\n"
                      "2020-01-02,,-3e2,NaN\n"
                      "\n"
                      "2020-01-03, 4 ,\"5\",NA\n");
    Frame f = read_csv(path);
    ASSERT_EQ(f.rows(), 3u);
    EXPECT_EQ(f.names, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(f.dates, (std::vector<std::string>{"2020-01-01", "2020-01-02", "2020-01-03"}));
    EXPECT_EQ(f.column("a")[0], 1.0);
    EXPECT_TRUE(std::isnan(f.column("a")[1]));
    EXPECT_EQ(f.column("a")[2], 4.0);
    EXPECT_EQ(f.column("b"), (std::vector<double>{2.5, -300.0, 5.0}));
    for (double v : f.column("c")) EXPECT_TRUE(is_missing(v));
    Series a = f.series("a");  // missing cells dropped
    EXPECT_EQ(a.dates, (std::vector<std::string>{"2020-01-01", "2020-01-03"}));
    EXPECT_EQ(a.values, (std::vector<double>{1.0, 4.0}));
}

TEST_F(DataCsv, FredLayoutDropsDotsAndAcceptsCrlfAndByteOrderMark) {
    auto path = write("fred.csv",
                      "\xEF\xBB\xBFobservation_date,SP500,OTHER\r\n"
                      "2018-12-04,2700.06,1\r\n"
                      "2018-12-05,.,2\r\n"
                      "2018-12-06,2695.95,3\r\n");
    Series s = read_fred_csv(path);
    EXPECT_EQ(s.name, "SP500");
    EXPECT_EQ(s.dates, (std::vector<std::string>{"2018-12-04", "2018-12-06"}));
    EXPECT_EQ(s.values, (std::vector<double>{2700.06, 2695.95}));
    EXPECT_EQ(read_fred_csv(path, "OTHER").values, (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(read_fred_csv(write("d.csv", "DATE,X\n2000-01-01,1\n")).size(), 1u);
}

TEST_F(DataCsv, UnparseableNumberNamesLineAndColumn) {
    auto path = write("num.csv", "DATE,a,b\n2020-01-01,1,2\n2020-01-02,3,4x\n");
    EXPECT_EQ(error_of(path), path + ":3: column 3: '4x' is not a number");
    auto inf = write("inf.csv", "DATE,a\n2020-01-01,inf\n");
    EXPECT_EQ(error_of(inf), inf + ":2: column 2: 'inf' is not a number");
    EXPECT_NE(error_of(write("pm.csv", "DATE,a\n2020-01-01,+-1\n")).find("'+-1' is not a number"),
              std::string::npos);
    EXPECT_EQ(read_csv(write("plus.csv", "DATE,a\n2020-01-01,+1.5\n")).columns[0][0], 1.5);
}

TEST_F(DataCsv, UnparseableDateNamesLineAndColumn) {
    auto path = write("date.csv", "DATE,a\n2020-01-01,1\n2020/01/02,2\n");
    EXPECT_EQ(error_of(path), path + ":3: column 1: '2020/01/02' is not a YYYY-MM-DD date");
    auto feb = write("feb.csv", "DATE,a\n2019-02-29,1\n");
    EXPECT_EQ(error_of(feb), feb + ":2: column 1: '2019-02-29' is not a YYYY-MM-DD date");
    EXPECT_EQ(read_csv(write("leap.csv", "DATE,a\n2020-02-29,1\n")).rows(), 1u);
}

TEST_F(DataCsv, UnsortedDatesNameLineAndColumn) {
    auto path = write("order.csv", "DATE,a\n2020-01-01,1\n2020-01-05,2\n2020-01-03,3\n");
    EXPECT_EQ(error_of(path),
              path + ":4: column 1: date 2020-01-03 is out of order (after 2020-01-05 on line 3)");
}

TEST_F(DataCsv, DuplicateDatesNameLineAndColumn) {
    auto path = write("dup.csv", "DATE,a\n2020-01-01,1\n\n2020-01-01,2\n");
    EXPECT_EQ(error_of(path), path + ":4: column 1: date 2020-01-01 is repeated (first on line 2)");
}

TEST_F(DataCsv, WrongCellCountNamesLineAndColumn) {
    auto many = write("many.csv", "DATE,a\n2020-01-01,1,2\n");
    EXPECT_EQ(error_of(many), many + ":2: column 3: expected 2 cells, found 3");
    auto few = write("few.csv", "DATE,a,b\n2020-01-01,1,2\n2020-01-02,1\n");
    EXPECT_EQ(error_of(few), few + ":3: column 3: expected 3 cells, found 2");
}

TEST_F(DataCsv, MissingFileNamesTheFile) {
    const std::string path = (dir_ / "absent.csv").string();
    EXPECT_EQ(error_of(path), path + ": file not found");
    try {
        read_fred_csv(path);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), path + ": file not found");
    }
}

TEST_F(DataCsv, HeaderErrorsNameLineAndColumn) {
    auto empty = write("empty.csv", "");
    EXPECT_EQ(error_of(empty), empty + ": empty file (no header row)");
    auto unnamed = write("unnamed.csv", "DATE,a,\n2020-01-01,1,2\n");
    EXPECT_EQ(error_of(unnamed), unnamed + ":1: column 3: empty column name");
    auto twice = write("twice.csv", "DATE,a,a\n");
    EXPECT_EQ(error_of(twice), twice + ":1: column 3: column name 'a' repeats column 2");
    auto only = write("only.csv", "DATE\n2020-01-01\n");
    EXPECT_EQ(error_of(only),
              only + ":1: column 2: expected a date column and at least one value column");
    auto quote = write("quote.csv", "DATE,a\n2020-01-01,\"1\n");
    EXPECT_EQ(error_of(quote), quote + ":2: column 2: unterminated quote");
    auto plain = write("plain.csv", "Day,a\n2020-01-01,1\n");
    EXPECT_EQ(read_csv(plain).rows(), 1u);  // any first header for plain CSVs, not for FRED's
    try {
        read_fred_csv(plain);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()),
                  plain + ":1: column 1: expected a DATE or observation_date header, found 'Day'");
    }
    auto fred = write("fred.csv", "DATE,a\n2020-01-01,1\n");
    try {
        read_fred_csv(fred, "b");
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), fred + ":1: no column named 'b' (columns: 'a')");
    }
}

TEST_F(DataCsv, QuotedCellsMayHoldCommasAndQuotes) {
    auto path = write("q.csv", "\"DATE\",\"a,b\",\"say \"\"hi\"\"\"\n\"2020-01-01\",1,2\n");
    Frame f = read_csv(path);
    EXPECT_EQ(f.names, (std::vector<std::string>{"a,b", "say \"hi\""}));
    EXPECT_EQ(f.columns[1][0], 2.0);
}

}  // namespace
}  // namespace recur
