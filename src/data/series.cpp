#include "recur/data/series.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace recur {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream ss(line);
    while (std::getline(ss, cell, ',')) {
        while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
        while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
        if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
            cell = cell.substr(1, cell.size() - 2);
        cells.push_back(cell);
    }
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

bool valid_date(const std::string& d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (d[static_cast<size_t>(i)] < '0' || d[static_cast<size_t>(i)] > '9') return false;
    int month = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

Series read_fred_csv(const std::string& path, const std::string& column) {
    std::ifstream in(path);
    if (!in) throw DataError(path + ": cannot open file");
    std::string line;
    if (!std::getline(in, line)) throw DataError(path + ": empty file");
    auto header = split_csv_line(line);
    if (header.empty() ||
        (header[0] != "DATE" && header[0] != "observation_date" && header[0] != "date"))
        throw DataError(path + ":1: column 1: expected a DATE or observation_date header, found '" +
                        (header.empty() ? "" : header[0]) + "'");
    size_t col = 1;
    if (!column.empty()) {
        col = 0;
        for (size_t c = 1; c < header.size(); ++c)
            if (header[c] == column) col = c;
        if (col == 0) throw DataError(path + ":1: no column named '" + column + "'");
    }
    if (col >= header.size()) throw DataError(path + ":1: no value column");
    Series s;
    s.name = header[col];
    long line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        auto cells = split_csv_line(line);
        auto where = [&](size_t c) {
            return path + ":" + std::to_string(line_no) + ": column " + std::to_string(c + 1) +
                   ": ";
        };
        if (cells.size() != header.size())
            throw DataError(where(std::min(cells.size(), header.size())) + "expected " +
                            std::to_string(header.size()) + " cells, found " +
                            std::to_string(cells.size()));
        if (!valid_date(cells[0]))
            throw DataError(where(0) + "'" + cells[0] + "' is not a YYYY-MM-DD date");
        if (!s.dates.empty() && cells[0] <= s.dates.back())
            throw DataError(where(0) + "date " + cells[0] +
                            (cells[0] == s.dates.back()
                                 ? " is repeated"
                                 : " is out of order (after " + s.dates.back() + ")"));
        const std::string& v = cells[col];
        if (v.empty() || v == ".") continue;  // FRED's missing value
        double value = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
        if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value))
            throw DataError(where(col) + "'" + v + "' is not a number");
        s.dates.push_back(cells[0]);
        s.values.push_back(value);
    }
    return s;
}

Series slice_dates(const Series& s, const std::string& start, const std::string& end) {
    Series out;
    out.name = s.name;
    for (size_t i = 0; i < s.size(); ++i)
        if (s.dates[i] >= start && s.dates[i] <= end) {
            out.dates.push_back(s.dates[i]);
            out.values.push_back(s.values[i]);
        }
    return out;
}

template <typename T>
void make_windows(const std::vector<double>& values, Index window, Tensor<T>& x, Tensor<T>& y) {
    const Index n = static_cast<Index>(values.size()) - window;
    if (window < 1 || n < 1)
        throw DataError("a series of " + std::to_string(values.size()) +
                        " values is too short for windows of " + std::to_string(window));
    x.resize({n, window, 1});
    y.resize({n, 1});
    for (Index i = 0; i < n; ++i) {
        for (Index t = 0; t < window; ++t)
            x.at(i, t, 0) = static_cast<T>(values[static_cast<size_t>(i + t)]);
        y[i] = static_cast<T>(values[static_cast<size_t>(i + window)]);
    }
}

template void make_windows<float>(const std::vector<double>&, Index, Tensor<float>&,
                                  Tensor<float>&);
template void make_windows<double>(const std::vector<double>&, Index, Tensor<double>&,
                                   Tensor<double>&);

}  // namespace recur
