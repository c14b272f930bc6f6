// A small synthetic daily close panel for end-to-end tests of the stock case study: 40
// random-walk stocks ("t0" .. "t39"), weekdays of 2007-2010 (a year of 365 days, so no Feb 29),
// in the long Date,Close,Ticker layout of ../shared/data/stocks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace recur::testing {

inline void write_small_panel(const std::filesystem::path& file, int stocks = 40) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream csv(file);
    csv << "Date,Close,Ticker\n";
    std::uint64_t state = 7;
    auto uniform = [&] {  // a small LCG: the tests must not depend on recur's Rng
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    static const int cum[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
    for (int s = 0; s < stocks; ++s) {
        double price = 20 + s;
        for (int day = 0; day < 4 * 365; ++day) {
            if (day % 7 >= 5) continue;  // 2007-01-01 was a Monday
            price *= 1 + 0.02 * (uniform() - 0.49);
            const int y = 2007 + day / 365, doy = day % 365;
            int mo = 0;
            while (doy >= cum[mo + 1]) ++mo;
            char date[40];
            std::snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo + 1, doy - cum[mo] + 1);
            csv << date << "," << price << ",t" << s << "\n";
        }
    }
}

}  // namespace recur::testing
