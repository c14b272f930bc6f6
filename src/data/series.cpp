#include "recur/data/series.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>

namespace recur {
namespace {

// "path:line: column c: " (1-based line and column).
std::string where(const std::string& path, long line, std::size_t column) {
    return path + ":" + std::to_string(line) + ": column " + std::to_string(column) + ": ";
}

void trim(std::string& s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    s.erase(0, i);
}

// One CSV line into cells. A cell may be "quoted" (holding commas, "" for a quote); blanks
// around a cell are dropped. Throws for a quote that is not closed on the line.
std::vector<std::string> split_csv_line(const std::string& line, const std::string& path,
                                        long line_no) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch != '"') {
                cells.back() += ch;
            } else if (i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            cells.emplace_back();
        } else {
            cells.back() += ch;
        }
    }
    if (quoted) throw DataError(where(path, line_no, cells.size()) + "unterminated quote");
    for (auto& c : cells) trim(c);
    return cells;
}

bool is_missing_cell(const std::string& v) {
    return v.empty() || v == "." || v == "NA" || v == "NaN" || v == "nan";
}

// Reads the file; if `fred`, the first header cell must be DATE, observation_date or date.
Frame read_csv_impl(const std::string& path, bool fred) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw DataError(path + ": file not found");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot open file");
    std::string line;
    if (!std::getline(in, line)) throw DataError(path + ": empty file (no header row)");
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto header = split_csv_line(line, path, 1);
    if (fred && header[0] != "DATE" && header[0] != "observation_date" && header[0] != "date")
        throw DataError(where(path, 1, 1) + "expected a DATE or observation_date header, found '" +
                        header[0] + "'");
    if (header.size() < 2)
        throw DataError(where(path, 1, 2) + "expected a date column and at least one value column");
    Frame f;
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t c = 1; c < header.size(); ++c) {
        if (header[c].empty()) throw DataError(where(path, 1, c + 1) + "empty column name");
        if (auto [it, fresh] = seen.emplace(header[c], c); !fresh)
            throw DataError(where(path, 1, c + 1) + "column name '" + header[c] +
                            "' repeats column " + std::to_string(it->second + 1));
        f.names.push_back(header[c]);
    }
    f.columns.resize(f.names.size());

    long line_no = 1, prev_line = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
        const auto cells = split_csv_line(line, path, line_no);
        if (cells.size() != header.size())
            throw DataError(where(path, line_no, std::min(cells.size(), header.size()) + 1) +
                            "expected " + std::to_string(header.size()) + " cells, found " +
                            std::to_string(cells.size()));
        const std::string& date = cells[0];
        if (!is_iso_date(date))
            throw DataError(where(path, line_no, 1) + "'" + date + "' is not a YYYY-MM-DD date");
        if (!f.dates.empty() && date <= f.dates.back())
            throw DataError(where(path, line_no, 1) + "date " + date +
                            (date == f.dates.back()
                                 ? " is repeated (first on line "
                                 : " is out of order (after " + f.dates.back() + " on line ") +
                            std::to_string(prev_line) + ")");
        for (std::size_t c = 1; c < cells.size(); ++c) {
            const std::string& v = cells[c];
            double value = std::numeric_limits<double>::quiet_NaN();
            if (!is_missing_cell(v)) {
                const bool plus = v[0] == '+' && v.size() > 1 && v[1] != '-' && v[1] != '+';
                const char* first = v.data() + (plus ? 1 : 0);
                auto [end, err] = std::from_chars(first, v.data() + v.size(), value);
                if (err != std::errc() || end != v.data() + v.size() || !std::isfinite(value))
                    throw DataError(where(path, line_no, c + 1) + "'" + v + "' is not a number");
            }
            f.columns[c - 1].push_back(value);
        }
        f.dates.push_back(date);
        prev_line = line_no;
    }
    return f;
}

}  // namespace

Frame read_csv(const std::string& path) {
    return read_csv_impl(path, false);
}

Series read_fred_csv(const std::string& path, const std::string& column) {
    const Frame f = read_csv_impl(path, true);
    std::string name = column.empty() ? f.names[0] : column;
    try {
        return f.series(name);
    } catch (const DataError& e) {
        throw DataError(path + ":1: " + e.what());
    }
}

}  // namespace recur
