#include "recur/data/frame.hpp"

#include <cmath>
#include <set>

namespace recur {

bool is_missing(double v) {
    return std::isnan(v);
}

bool is_iso_date(const std::string& d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (d[i] < '0' || d[i] > '9') return false;
    auto num = [&](std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (d[i] - '0');
        return v;
    };
    const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
    if (month < 1 || month > 12 || day < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::size_t Frame::index_of(const std::string& name) const {
    for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name) return k;
    std::string have;
    for (const auto& n : names) have += (have.empty() ? "'" : ", '") + n + "'";
    throw DataError("no column named '" + name + "' (columns: " + (have.empty() ? "none" : have) +
                    ")");
}

const std::vector<double>& Frame::column(const std::string& name) const {
    return columns[index_of(name)];
}

std::vector<double>& Frame::column(const std::string& name) {
    return columns[index_of(name)];
}

Series Frame::series(const std::string& name) const {
    const auto& col = column(name);
    Series s;
    s.name = name;
    for (std::size_t t = 0; t < rows(); ++t)
        if (!is_missing(col[t])) {
            s.dates.push_back(dates[t]);
            s.values.push_back(col[t]);
        }
    return s;
}

Frame to_frame(const Series& s) {
    Frame f;
    f.dates = s.dates;
    f.names = {s.name};
    f.columns = {s.values};
    return f;
}

namespace {

bool in_range(const std::string& d, const std::string& start, const std::string& end) {
    return (start.empty() || d >= start) && (end.empty() || d <= end);
}

// The rows of `f` for which keep(t) holds.
template <typename Keep>
Frame filter_rows(const Frame& f, Keep keep) {
    Frame out;
    out.names = f.names;
    out.columns.resize(f.cols());
    for (std::size_t t = 0; t < f.rows(); ++t) {
        if (!keep(t)) continue;
        out.dates.push_back(f.dates[t]);
        for (std::size_t k = 0; k < f.cols(); ++k) out.columns[k].push_back(f.columns[k][t]);
    }
    return out;
}

}  // namespace

Series slice_dates(const Series& s, const std::string& start, const std::string& end) {
    Series out;
    out.name = s.name;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (in_range(s.dates[i], start, end)) {
            out.dates.push_back(s.dates[i]);
            out.values.push_back(s.values[i]);
        }
    return out;
}

Frame slice_dates(const Frame& f, const std::string& start, const std::string& end) {
    return filter_rows(f, [&](std::size_t t) { return in_range(f.dates[t], start, end); });
}

Frame dropna(const Frame& f) {
    return filter_rows(f, [&](std::size_t t) {
        for (const auto& col : f.columns)
            if (is_missing(col[t])) return false;
        return true;
    });
}

Frame select_columns(const Frame& f, const std::vector<std::string>& names) {
    Frame out;
    out.dates = f.dates;
    for (const auto& n : names) {
        out.names.push_back(n);
        out.columns.push_back(f.column(n));
    }
    return out;
}

void check_frame(const Frame& f, const std::string& what) {
    if (f.columns.size() != f.names.size())
        throw DataError(what + ": " + std::to_string(f.names.size()) + " column names but " +
                        std::to_string(f.columns.size()) + " columns");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < f.cols(); ++k) {
        if (!seen.insert(f.names[k]).second)
            throw DataError(what + ": column name '" + f.names[k] + "' is repeated");
        if (f.columns[k].size() != f.rows())
            throw DataError(what + ": column '" + f.names[k] + "' has " +
                            std::to_string(f.columns[k].size()) + " values for " +
                            std::to_string(f.rows()) + " dates");
    }
    for (std::size_t t = 0; t < f.rows(); ++t) {
        if (!is_iso_date(f.dates[t]))
            throw DataError(what + ": row " + std::to_string(t) + ": '" + f.dates[t] +
                            "' is not a YYYY-MM-DD date");
        if (t > 0 && f.dates[t] <= f.dates[t - 1])
            throw DataError(what + ": row " + std::to_string(t) + ": date " + f.dates[t] +
                            (f.dates[t] == f.dates[t - 1]
                                 ? " is repeated"
                                 : " is out of order (after " + f.dates[t - 1] + ")"));
    }
}

}  // namespace recur
