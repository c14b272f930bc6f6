// The weekly-return stock panel (a hand-written CSV line parser over plain or gzip input, zlib)
// and the stacked-LSTM window view over it; conventions in recur/data/stock_panel.hpp.
#include "recur/data/stock_panel.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace recur {
namespace {

// ---------------------------------------------------------------- dates as day numbers

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// YYYY-MM-DD of a day number (civil_from_days).
std::string civil_from_days(std::int32_t z) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    const int y = yoe + era * 400 + (m <= 2);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

// The day number of a real calendar date written YYYY-MM-DD.
bool parse_date(std::string_view s, std::int32_t& days) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    const int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1) return false;
    static constexpr int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[m - 1] + (m == 2 && leap)) return false;
    days = days_from_civil(y, m, d);
    return true;
}

// Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
int weekday(std::int32_t days) {
    return ((days + 3) % 7 + 7) % 7;
}

// The Sunday that ends the (Monday..Sunday) week holding `days`: pandas' 'W' = 'W-SUN' label.
std::int32_t week_end(std::int32_t days) {
    return days + 6 - weekday(days);
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// ---------------------------------------------------------------- weekly prices, shared core

// Receives the panel's rows one by one (grouped by ticker) and keeps, per ticker, the last close
// of every week from the week before the first kept week (index 0) through the last Sunday <=
// end. A ticker is a candidate when its block ends with no gap from week 0 through its own last
// week (or the end week); once the data's last date is known, candidates that reach the last
// kept week are the kept tickers.
class WeeklyBuilder {
  public:
    // `file`: `source` is a path and `line` a 1-based line number; else rows[line] of memory.
    WeeklyBuilder(const WeeklyOptions& opt, std::string source, bool file)
        : source_(std::move(source)), file_(file), start_(opt.start), end_(opt.end) {
        std::int32_t start = 0, end = 0;
        if (!parse_date(opt.start, start))
            throw std::invalid_argument("weekly returns: start " + in_quotes(opt.start) +
                                        " is not a YYYY-MM-DD date");
        if (!parse_date(opt.end, end))
            throw std::invalid_argument("weekly returns: end " + in_quotes(opt.end) +
                                        " is not a YYYY-MM-DD date");
        const std::int32_t first = week_end(start);
        const std::int32_t last = end - (weekday(end) + 1) % 7;  // last Sunday <= end
        if (last < first)
            throw std::invalid_argument("weekly returns: no week ends (Sunday) between start " +
                                        opt.start + " and end " + opt.end);
        base_ = first - 7;
        n_max_ = (last - base_) / 7 + 1;
        prices_.assign(static_cast<std::size_t>(n_max_), kMissing);
    }

    // "path:line: column c: " or "rows[i]: column c: ".
    std::string where(long line, int column) const {
        return (file_ ? source_ + ":" + std::to_string(line)
                      : "rows[" + std::to_string(line) + "]") +
               ": column " + std::to_string(column) + ": ";
    }

    // One row; `close_text` is the close as written (empty: format `close`).
    void add(std::string_view date, double close, std::string_view close_text,
             std::string_view ticker, long line) {
        std::int32_t day = 0;
        if (!parse_date(date, day))
            throw DataError(where(line, 1) + in_quotes(date) + " is not a YYYY-MM-DD date");
        if (!(close > 0) || !std::isfinite(close)) {
            char buf[64];
            if (close_text.empty()) {
                auto r = std::to_chars(buf, buf + sizeof buf, close);
                close_text = std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
            }
            throw DataError(where(line, 2) + "close " + std::string(close_text) +
                            (std::isfinite(close) ? " is not positive" : " is not finite"));
        }
        if (ticker.empty()) throw DataError(where(line, 3) + "empty ticker");
        if (!have_ticker_ || ticker != ticker_) {
            start_ticker(ticker, line);
        } else if (day <= prev_day_) {
            throw DataError(where(line, 1) + "date " + std::string(date) +
                            (day == prev_day_
                                 ? " is repeated for ticker " + in_quotes(ticker) + " (first " +
                                       place(prev_line_) + ")"
                                 : " is out of order for ticker " + in_quotes(ticker) + " (after " +
                                       civil_from_days(prev_day_) + " " + place(prev_line_) + ")"));
        }
        prev_day_ = day;
        prev_line_ = line;
        if (!have_rows_ || day > max_day_) max_day_ = day;
        have_rows_ = true;
        const std::int32_t week = (week_end(day) - base_) / 7;
        last_week_ = week;
        if (week >= 0 && week < n_max_) prices_[static_cast<std::size_t>(week)] = close;
    }

    WeeklyReturns finish() {
        if (have_ticker_) finish_ticker();
        if (!have_rows_) throw DataError(source_ + ": no data rows");
        // The kept weeks are 1 .. n_weeks: through the end week or the data's last week.
        const std::int32_t n_weeks = std::min(n_max_ - 1, (week_end(max_day_) - base_) / 7);
        if (n_weeks < 1)
            throw DataError(source_ + ": no weekly returns from " + start_ + " to " + end_ +
                            ": the data end on " + civil_from_days(max_day_));
        WeeklyReturns out;
        out.tickers_read = static_cast<Index>(seen_.size());
        std::vector<std::size_t> kept;
        for (std::size_t c = 0; c < names_.size(); ++c)
            if (last_weeks_[c] >= n_weeks) kept.push_back(c);
        const std::size_t n_kept = kept.size();
        out.tickers.reserve(n_kept);
        for (std::size_t c : kept) out.tickers.push_back(std::move(names_[c]));
        for (std::int32_t w = 1; w <= n_weeks; ++w)
            out.weeks.push_back(civil_from_days(base_ + 7 * w));
        out.returns.resize(static_cast<std::size_t>(n_weeks) * n_kept);
        const auto stride = static_cast<std::size_t>(n_max_);
        for (std::size_t s = 0; s < n_kept; ++s) {
            const double* p = candidate_prices_.data() + kept[s] * stride;
            for (std::int32_t w = 1; w <= n_weeks; ++w)
                out.returns[static_cast<std::size_t>(w - 1) * n_kept + s] =
                    static_cast<float>(p[w] / p[w - 1] - 1.0);
        }
        return out;
    }

  private:
    static constexpr double kMissing = -1;  // closes are > 0

    std::string place(long line) const {
        return file_ ? "on line " + std::to_string(line) : "at rows[" + std::to_string(line) + "]";
    }

    void start_ticker(std::string_view ticker, long line) {
        if (have_ticker_) finish_ticker();
        if (auto it = seen_.find(std::string(ticker)); it != seen_.end())
            throw DataError(where(line, 3) + "ticker " + in_quotes(ticker) +
                            " appears again (its rows ended " + place(it->second) +
                            "; rows must be grouped by ticker)");
        ticker_.assign(ticker);
        have_ticker_ = true;
    }

    // Ends the current ticker's block: keeps its weekly prices if it is a candidate.
    void finish_ticker() {
        seen_.emplace(ticker_, prev_line_);
        const std::int32_t through = std::min(last_week_, n_max_ - 1);
        bool candidate = through >= 0;
        for (std::int32_t w = 0; candidate && w <= through; ++w)
            candidate = prices_[static_cast<std::size_t>(w)] != kMissing;
        if (candidate) {
            names_.push_back(ticker_);
            last_weeks_.push_back(through);
            candidate_prices_.insert(candidate_prices_.end(), prices_.begin(), prices_.end());
        }
        std::fill(prices_.begin(), prices_.end(), kMissing);
    }

    std::string source_;
    bool file_;
    std::string start_, end_;
    std::int32_t base_ = 0;   // Sunday of week index 0 (the week before the first kept week)
    std::int32_t n_max_ = 0;  // weeks 0 .. n_max_-1 run through the last Sunday <= end

    // The ticker being read.
    std::string ticker_;
    bool have_ticker_ = false;
    std::int32_t prev_day_ = 0, last_week_ = 0;
    long prev_line_ = 0;
    std::vector<double> prices_;  // n_max_ weekly closes, kMissing where none

    bool have_rows_ = false;
    std::int32_t max_day_ = 0;
    std::unordered_map<std::string, long> seen_;  // finished ticker -> its last line
    std::vector<std::string> names_;              // candidates, in input order
    std::vector<std::int32_t> last_weeks_;        // their last week index (capped at n_max_-1)
    std::vector<double> candidate_prices_;        // n_max_ per candidate
};

// ---------------------------------------------------------------- plain or gzip input

class ByteSource {
  public:
    explicit ByteSource(const std::string& path) : path_(path) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) throw DataError(path + ": file not found");
        file_ = std::fopen(path.c_str(), "rb");
        if (!file_) throw DataError(path + ": cannot open file");
        unsigned char magic[2] = {0, 0};
        const std::size_t got = std::fread(magic, 1, 2, file_);
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
            std::fclose(file_);
            file_ = nullptr;
            gz_ = gzopen(path.c_str(), "rb");
            if (!gz_) throw DataError(path + ": cannot open gzip file");
            gzbuffer(gz_, 1 << 18);
        } else {
            std::rewind(file_);
        }
    }
    ~ByteSource() {
        if (file_) std::fclose(file_);
        if (gz_) gzclose(gz_);
    }
    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;

    // Up to n bytes into buf; 0 at the end of the data.
    std::size_t read(char* buf, std::size_t n) {
        if (file_) {
            const std::size_t got = std::fread(buf, 1, n, file_);
            if (got == 0 && std::ferror(file_)) throw DataError(path_ + ": read error");
            return got;
        }
        const int got = gzread(gz_, buf, static_cast<unsigned>(std::min<std::size_t>(n, 1 << 30)));
        int err = Z_OK;
        const char* msg = gzerror(gz_, &err);
        if (got < 0 || (err != Z_OK && err != Z_STREAM_END))
            throw DataError(path_ + ": gzip read error: " + (msg ? msg : "unknown"));
        return static_cast<std::size_t>(got);
    }

  private:
    std::string path_;
    std::FILE* file_ = nullptr;
    gzFile gz_ = nullptr;
};

// Parses the lines of a Date,Close,Ticker CSV into the builder.
class PanelParser {
  public:
    explicit PanelParser(WeeklyBuilder& builder) : b_(builder) {}

    void line(const char* p, std::size_t len) {
        ++line_no_;
        if (len > 0 && p[len - 1] == '\r') --len;
        std::string_view s(p, len);
        if (line_no_ == 1) {
            if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
            header(s);
            return;
        }
        if (s.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
        const std::size_t c1 = s.find(',');
        const std::size_t c2 = c1 == s.npos ? s.npos : s.find(',', c1 + 1);
        if (c2 == s.npos || s.find(',', c2 + 1) != s.npos) {
            const auto cells = std::count(s.begin(), s.end(), ',') + 1;
            throw DataError(b_.where(line_no_, static_cast<int>(std::min<long>(cells, 3) + 1)) +
                            "expected 3 cells, found " + std::to_string(cells));
        }
        const std::string_view date = s.substr(0, c1);
        const std::string_view close = s.substr(c1 + 1, c2 - c1 - 1);
        const std::string_view ticker = s.substr(c2 + 1);
        double value = 0;
        auto [end, err] = std::from_chars(close.data(), close.data() + close.size(), value);
        if (err != std::errc() || end != close.data() + close.size() || !std::isfinite(value))
            throw DataError(b_.where(line_no_, 2) + (close.empty()
                                                         ? std::string("missing close")
                                                         : in_quotes(close) + " is not a number"));
        b_.add(date, value, close, ticker, line_no_);
    }

    bool saw_header() const { return line_no_ >= 1; }

  private:
    void header(std::string_view s) {
        static constexpr std::string_view names[3] = {"date", "close", "ticker"};
        std::size_t pos = 0;
        for (int c = 0; c < 3; ++c) {
            const std::size_t comma = c < 2 ? s.find(',', pos) : s.size();
            std::string_view cell = comma == s.npos ? s.substr(pos) : s.substr(pos, comma - pos);
            bool same = cell.size() == names[c].size();
            for (std::size_t i = 0; same && i < cell.size(); ++i)
                same = std::tolower(static_cast<unsigned char>(cell[i])) == names[c][i];
            if (!same || (c < 2 && comma == s.npos) || (c == 2 && s.find(',', pos) != s.npos))
                throw DataError(b_.where(1, c + 1) +
                                "expected the header Date,Close,Ticker, found " + in_quotes(s));
            pos = comma + 1;
        }
    }

    WeeklyBuilder& b_;
    long line_no_ = 0;
};

}  // namespace

WeeklyReturns read_weekly_returns(const std::string& path, const WeeklyOptions& opt) {
    WeeklyBuilder builder(opt, path, true);
    ByteSource source(path);
    PanelParser parser(builder);
    std::vector<char> buf(std::size_t{1} << 20);
    std::size_t have = 0;
    for (bool eof = false; !eof;) {
        const std::size_t got = source.read(buf.data() + have, buf.size() - have);
        eof = got == 0;
        have += got;
        std::size_t pos = 0;
        while (pos < have) {
            const void* nl = std::memchr(buf.data() + pos, '\n', have - pos);
            if (!nl) break;
            const auto next = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
            parser.line(buf.data() + pos, next - pos);
            pos = next + 1;
        }
        if (eof) {
            if (pos < have) parser.line(buf.data() + pos, have - pos);  // no final newline
            break;
        }
        std::memmove(buf.data(), buf.data() + pos, have - pos);
        have -= pos;
        if (have == buf.size()) buf.resize(2 * buf.size());  // a line longer than the buffer
    }
    if (!parser.saw_header()) throw DataError(path + ": empty file (no header row)");
    return builder.finish();
}

WeeklyReturns weekly_returns_from_rows(const std::vector<DailyClose>& rows,
                                       const WeeklyOptions& opt) {
    WeeklyBuilder builder(opt, "rows", false);
    for (std::size_t i = 0; i < rows.size(); ++i)
        builder.add(rows[i].date, rows[i].close, "", rows[i].ticker, static_cast<long>(i));
    return builder.finish();
}

// ---------------------------------------------------------------- windows

namespace {

// numpy.quantile(v, q, method='linear') = pandas Series.quantile(q); reorders v (not empty).
double quantile_linear(std::vector<float>& v, double q) {
    const double h = static_cast<double>(v.size() - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const double t = h - static_cast<double>(lo);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
    const double a = v[lo];
    if (t == 0 || lo + 1 >= v.size()) return a;
    const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
    // numpy's _lerp: a + (b-a)t, computed from b's side for t >= 0.5.
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

std::string describe(const ShapeSpec& s) {
    const char* kind = s.kind == ShapeSpec::Kind::vector     ? "vector "
                       : s.kind == ShapeSpec::Kind::sequence ? "sequence "
                                                             : "ids ";
    return kind + s.keras_string();
}

}  // namespace

template <typename T>
std::pair<StockWindows<T>, StockWindows<T>> make_stock_windows(
    std::shared_ptr<const WeeklyReturns> panel, const WindowOptions& opt) {
    const std::string fn = "make_stock_windows: ";
    if (!panel) throw std::invalid_argument(fn + "no panel");
    if (opt.lags < 1)
        throw std::invalid_argument(fn + "lags must be at least 1, got " +
                                    std::to_string(opt.lags));
    if (opt.winsorize &&
        !(0 <= opt.winsor_lower && opt.winsor_lower <= opt.winsor_upper && opt.winsor_upper <= 1))
        throw std::invalid_argument(
            fn + "winsor quantiles must satisfy 0 <= lower <= upper <= 1, " + "got " +
            std::to_string(opt.winsor_lower) + " and " + std::to_string(opt.winsor_upper));
    if (opt.test_weeks < 0)
        throw std::invalid_argument(fn + "test_weeks must be >= 0, got " +
                                    std::to_string(opt.test_weeks));
    std::int32_t unused = 0;
    if (!opt.test_start.empty() && !parse_date(opt.test_start, unused))
        throw std::invalid_argument(fn + "test_start " + in_quotes(opt.test_start) +
                                    " is not a YYYY-MM-DD date");
    const Index n_tickers = panel->n_tickers(), n_weeks = panel->n_weeks();
    if (n_tickers == 0) throw DataError(fn + "the weekly-return panel has no tickers");
    if (panel->returns.size() != static_cast<std::size_t>(n_tickers * n_weeks))
        throw DataError(fn + "the panel holds " + std::to_string(panel->returns.size()) +
                        " returns, expected weeks x tickers = " + std::to_string(n_weeks) + " x " +
                        std::to_string(n_tickers));
    if (n_weeks <= opt.lags)
        throw DataError(fn + "the panel has " + std::to_string(n_weeks) +
                        " weeks, too few for windows of " + std::to_string(opt.lags) +
                        " lags (needs at least " + std::to_string(opt.lags + 1) + ")");
    if (n_weeks > std::numeric_limits<std::int32_t>::max() ||
        n_tickers > std::numeric_limits<std::int32_t>::max())
        throw DataError(fn + "the panel is too large for 32-bit sample indices");

    // Target weeks [lags, cut) train, [cut, n_weeks) test.
    Index cut = n_weeks - opt.test_weeks;
    if (!opt.test_start.empty())
        cut = std::lower_bound(panel->weeks.begin(), panel->weeks.end(), opt.test_start) -
              panel->weeks.begin();
    cut = std::max(cut, opt.lags);

    StockWindows<T> train, test;
    StockWindows<T>* parts[2] = {&train, &test};
    const Index ranges[2][2] = {{opt.lags, cut}, {cut, n_weeks}};
    for (int p = 0; p < 2; ++p) {
        StockWindows<T>& d = *parts[p];
        d.panel_ = panel;
        d.lags_ = opt.lags;
        d.most_recent_first_ = opt.most_recent_first;
        d.samples_.reserve(static_cast<std::size_t>((ranges[p][1] - ranges[p][0]) * n_tickers));
        for (Index w = ranges[p][0]; w < ranges[p][1]; ++w)
            for (Index s = 0; s < n_tickers; ++s)
                d.samples_.push_back({static_cast<std::int32_t>(s), static_cast<std::int32_t>(w)});
    }

    // Per-lag bounds. The lag-k values of the windows with target weeks [lags, fit_end) are the
    // returns of weeks [lags - k, fit_end - k): one contiguous block of the week-major matrix.
    constexpr float inf = std::numeric_limits<float>::infinity();
    std::vector<std::pair<float, float>> bounds(static_cast<std::size_t>(opt.lags), {-inf, inf});
    if (opt.winsorize && (opt.winsor_lower > 0 || opt.winsor_upper < 1)) {
        const Index fit_end = opt.winsor_fit_train_only ? cut : n_weeks;
        if (fit_end <= opt.lags)
            throw DataError(fn + "no training windows to fit the winsor bounds on (the first " +
                            "test target week is " + panel->weeks[static_cast<std::size_t>(cut)] +
                            ")");
        std::vector<float> values;
        const Index clipped = opt.clip_last_lag ? opt.lags : opt.lags - 1;
        for (Index k = 1; k <= clipped; ++k) {
            const float* first = panel->returns.data() + (opt.lags - k) * n_tickers;
            values.assign(first, first + (fit_end - opt.lags) * n_tickers);
            const double lo = quantile_linear(values, opt.winsor_lower);
            const double hi = quantile_linear(values, opt.winsor_upper);
            bounds[static_cast<std::size_t>(k - 1)] = {static_cast<float>(lo),
                                                       static_cast<float>(hi)};
        }
    }
    train.bounds_ = bounds;
    test.bounds_ = std::move(bounds);
    return {std::move(train), std::move(test)};
}

template <typename T>
std::vector<ShapeSpec> StockWindows<T>::input_specs() const {
    return {ShapeSpec::sequence(lags_, 1), ShapeSpec::ids(1), ShapeSpec::vector(12)};
}

template <typename T>
std::vector<ShapeSpec> StockWindows<T>::target_specs() const {
    return {ShapeSpec::vector(1)};
}

template <typename T>
const std::string& StockWindows<T>::week_date(Index i) const {
    return panel_->weeks[static_cast<std::size_t>(week_of(i))];
}

template <typename T>
float StockWindows<T>::next_return(Index i) const {
    const Sample& s = samples_[static_cast<std::size_t>(i)];
    return panel_->at(s.week, s.ticker);
}

template <typename T>
std::pair<float, float> StockWindows<T>::clip_bounds(Index lag) const {
    if (lag < 1 || lag > lags_)
        throw std::out_of_range("StockWindows::clip_bounds: lag " + std::to_string(lag) +
                                " is not in 1.." + std::to_string(lags_));
    return bounds_[static_cast<std::size_t>(lag - 1)];
}

template <typename T>
float StockWindows<T>::lagged(const Sample& s, Index lag) const {
    const float v = panel_->at(s.week - lag, s.ticker);
    const auto& [lo, hi] = bounds_[static_cast<std::size_t>(lag - 1)];
    return std::min(std::max(v, lo), hi);
}

template <typename T>
void StockWindows<T>::gather_input(std::size_t k, const ShapeSpec& spec, const Index* index,
                                   Index n, Tensor<T>& batch) const {
    if (k >= 3)
        throw std::invalid_argument("StockWindows::gather_input: input " + std::to_string(k) +
                                    " of 3");
    if (spec != input_specs()[k])
        throw std::invalid_argument("StockWindows::gather_input: input " + std::to_string(k) +
                                    " is " + describe(input_specs()[k]) + ", asked for " +
                                    describe(spec));
    if (k == 0) {  // (lags, n, 1)
        batch.resize({lags_, n, 1});
        T* out = batch.data();
        for (Index j = 0; j < n; ++j) {
            const Sample& s = samples_[static_cast<std::size_t>(index[j])];
            for (Index t = 0; t < lags_; ++t)
                out[t * n + j] = static_cast<T>(lagged(s, most_recent_first_ ? t + 1 : lags_ - t));
        }
    } else if (k == 1) {  // (1, n)
        batch.resize({1, n});
        for (Index j = 0; j < n; ++j)
            batch[j] = static_cast<T>(samples_[static_cast<std::size_t>(index[j])].ticker);
    } else {  // (n, 12)
        batch.assign({n, 12}, T(0));
        for (Index j = 0; j < n; ++j) {
            const std::string& date = week_date(index[j]);
            const int month = (date[5] - '0') * 10 + (date[6] - '0');
            batch.at(j, month - 1) = T(1);
        }
    }
}

template <typename T>
void StockWindows<T>::gather_target(std::size_t k, const ShapeSpec& spec, const Index* index,
                                    Index n, Tensor<T>& batch) const {
    if (k != 0)
        throw std::invalid_argument("StockWindows::gather_target: target " + std::to_string(k) +
                                    " of 1");
    if (spec != ShapeSpec::vector(1))
        throw std::invalid_argument("StockWindows::gather_target: the target is " +
                                    describe(ShapeSpec::vector(1)) + ", asked for " +
                                    describe(spec));
    batch.resize({n, 1});
    for (Index j = 0; j < n; ++j) batch[j] = static_cast<T>(label(index[j]));
}

template <typename T>
void StockWindows<T>::check(const std::vector<ShapeSpec>& inputs,
                            const std::vector<ShapeSpec>& outputs, const std::string& what) const {
    const auto want = input_specs();
    const auto names = input_names();
    if (inputs.size() != want.size())
        throw std::invalid_argument(what + ": the stock windows feed 3 inputs (returns, ticker, " +
                                    "month), the model takes " + std::to_string(inputs.size()));
    for (std::size_t k = 0; k < want.size(); ++k)
        if (inputs[k] != want[k])
            throw std::invalid_argument(what + ": input " + std::to_string(k) + " ('" + names[k] +
                                        "') is " + describe(want[k]) + ", the model expects " +
                                        describe(inputs[k]));
    if (outputs.empty()) return;
    if (outputs.size() != 1)
        throw std::invalid_argument(what + ": the stock windows have 1 target (the label), the " +
                                    "model has " + std::to_string(outputs.size()) + " outputs");
    if (outputs[0] != ShapeSpec::vector(1))
        throw std::invalid_argument(what + ": the target (label) is " +
                                    describe(ShapeSpec::vector(1)) + ", the model outputs " +
                                    describe(outputs[0]));
}

template class StockWindows<float>;
template class StockWindows<double>;
template std::pair<StockWindows<float>, StockWindows<float>> make_stock_windows<float>(
    std::shared_ptr<const WeeklyReturns>, const WindowOptions&);
template std::pair<StockWindows<double>, StockWindows<double>> make_stock_windows<double>(
    std::shared_ptr<const WeeklyReturns>, const WindowOptions&);

}  // namespace recur
