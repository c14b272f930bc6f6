// The book's data on the real FRED files in ../shared/data (skipped where that folder is absent):
// the S&P 500 sample of the univariate case study and the macro sample of the multivariate one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "recur/data/align.hpp"
#include "recur/data/series.hpp"
#include "recur/data/transforms.hpp"
#include "recur/data/windows.hpp"

namespace recur {
namespace {

// <repo>/tests/fixtures/../../../shared/data, i.e. the shared folder beside the repository.
std::string shared_data() {
    return (std::filesystem::path(RECUR_FIXTURE_DIR) / ".." / ".." / ".." / "shared" / "data")
        .lexically_normal()
        .string();
}

#define RECUR_REQUIRE_SHARED_DATA()                    \
    if (!std::filesystem::is_directory(shared_data())) \
    GTEST_SKIP() << "shared data folder " << shared_data() << " not found (see README)"

TEST(DataFred, Sp500BookSampleDropsHolidayDots) {
    RECUR_REQUIRE_SHARED_DATA();
    Series all = read_fred_csv(shared_data() + "/fred/SP500.csv");
    EXPECT_EQ(all.name, "SP500");
    EXPECT_EQ(all.size(), 2610u - 92u);  // 2,610 rows, 92 of them '.'
    Series s = slice_dates(all, "2010-01-01", "2018-12-31");
    ASSERT_EQ(s.size(), 2264u);
    EXPECT_EQ(s.dates.front(), "2010-01-04");
    EXPECT_EQ(s.values.front(), 1132.99);
    EXPECT_EQ(s.dates.back(), "2018-12-31");
    EXPECT_EQ(s.values.back(), 2506.85);
    EXPECT_EQ(std::count(s.dates.begin(), s.dates.end(), "2018-12-05"), 0);  // '.' (mourning)
    auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
    EXPECT_EQ(*lo, 1022.58);
    EXPECT_EQ(*hi, 2930.75);

    // E1: X = (2201, 63); 1,950 training targets through 2017, 251 test targets in 2018.
    Windows<float> w = make_windows<float>(s, 63);
    EXPECT_EQ(w.x.shape(), (std::vector<Index>{2201, 63, 1}));
    EXPECT_EQ(first_target_index(w.target_dates, "2018-01-01"), 1950);
    auto [train, test] = split_at_date(w, "2018-01-01");
    EXPECT_EQ(test.size(), 251);
    EXPECT_EQ(test.y[250], 2506.85f);
}

TEST(DataFred, MacroSampleGivesTheBooksWindows) {
    RECUR_REQUIRE_SHARED_DATA();
    const std::string dir = shared_data() + "/fred/";
    Series ip = slice_dates(read_fred_csv(dir + "IPGMFN.csv"), "1980-01-01", "2017-12-31");
    Series sentiment = slice_dates(read_fred_csv(dir + "UMCSENT.csv"), "1980-01-01", "2017-12-31");
    ip.name = "ip";
    sentiment.name = "sentiment";
    Frame levels = align({ip, sentiment});
    ASSERT_EQ(levels.rows(), 456u);
    EXPECT_EQ(levels.column("ip").front(), 46.877);
    EXPECT_EQ(levels.column("sentiment").back(), 95.9);

    // ip -> log, diff(12); sentiment -> diff(12); dropna: 444 rows from 1981-01.
    Frame df = align({diff(log_series(ip), 12), diff(sentiment, 12)});
    ASSERT_EQ(df.rows(), 444u);
    EXPECT_EQ(df.names, (std::vector<std::string>{"ip", "sentiment"}));
    EXPECT_EQ(df.dates.front(), "1981-01-01");
    EXPECT_DOUBLE_EQ(df.columns[0].front(), std::log(45.6213) - std::log(46.877));
    EXPECT_DOUBLE_EQ(df.columns[1].front(), 71.4 - 67.0);
    EXPECT_DOUBLE_EQ(df.columns[0].back(), std::log(102.8589) - std::log(100.3035));
    EXPECT_DOUBLE_EQ(df.columns[1].back(), 95.9 - 98.2);
    // The same as aligning first, transforming, then dropping the incomplete rows.
    Frame joined_first =
        align({diff(log_series(levels.series("ip")), 12), diff(levels.series("sentiment"), 12)});
    EXPECT_EQ(joined_first.columns, df.columns);

    // E1: X = (420, 24, 2); the last 24 samples (2016-01 .. 2017-12) are the test set.
    Windows<float> w = make_windows<float>(df, 24);
    EXPECT_EQ(w.x.shape(), (std::vector<Index>{420, 24, 2}));
    EXPECT_EQ(w.y.shape(), (std::vector<Index>{420, 2}));
    EXPECT_EQ(w.target_dates.front(), "1983-01-01");
    EXPECT_EQ(first_target_index(w.target_dates, "2016-01-01"), 396);
    EXPECT_EQ(w.y.at(419, 1), static_cast<float>(95.9 - 98.2));
}

}  // namespace
}  // namespace recur
