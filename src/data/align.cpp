#include "recur/data/align.hpp"

#include <algorithm>
#include <iterator>

namespace recur {

Frame align(const std::vector<Frame>& frames) {
    if (frames.empty()) throw DataError("align: no series given");
    for (std::size_t i = 0; i < frames.size(); ++i)
        check_frame(frames[i], "align: input " + std::to_string(i + 1));
    std::vector<std::string> common = frames[0].dates;
    for (std::size_t i = 1; i < frames.size(); ++i) {
        std::vector<std::string> next;
        std::set_intersection(common.begin(), common.end(), frames[i].dates.begin(),
                              frames[i].dates.end(), std::back_inserter(next));
        common = std::move(next);
    }
    Frame out;
    out.dates = common;
    for (const Frame& f : frames) {
        std::size_t t = 0;  // walks f's dates; every common date is among them, in order
        std::vector<std::size_t> rows;
        rows.reserve(common.size());
        for (const auto& d : common) {
            while (f.dates[t] != d) ++t;
            rows.push_back(t);
        }
        for (std::size_t k = 0; k < f.cols(); ++k) {
            out.names.push_back(f.names[k]);
            std::vector<double> col;
            col.reserve(rows.size());
            for (std::size_t r : rows) col.push_back(f.columns[k][r]);
            out.columns.push_back(std::move(col));
        }
    }
    check_frame(out, "align: result");  // catches repeated column names
    return out;
}

Frame align(const std::vector<Series>& series) {
    std::vector<Frame> frames;
    frames.reserve(series.size());
    for (const Series& s : series) frames.push_back(to_frame(s));
    return align(frames);
}

}  // namespace recur
