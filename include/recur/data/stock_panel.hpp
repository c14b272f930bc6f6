// recur/data/stock_panel.hpp — the book's weekly-return stock panel and its stacked-LSTM windows
// (Jansen, "ML for Algorithmic Trading", ch. 18: 00_build_dataset and 02_stacked_lstm).
//
// Input: a long-format daily close panel, CSV with the header Date,Close,Ticker, one row per
// (ticker, trading day), rows grouped by ticker and dates strictly increasing within a ticker;
// plain or gzip-compressed (recognised by the gzip magic bytes, not the file name). Cells are not
// quoted; CRLF line endings, a UTF-8 byte-order mark and blank lines are accepted.
//
// Weekly returns, as pandas' prices.resample('W').last().pct_change().loc[start:end]:
//   - a week runs Monday..Sunday and is labelled by its Sunday ('W' = 'W-SUN');
//   - the weekly price is the last close within the week;
//   - the return of week w is price[w] / price[w-1] - 1;
//   - the kept weeks are every Sunday from the first Sunday >= start through the last Sunday
//     <= end that is not after the week of the data's last date;
//   - a ticker is kept only if it has a price in every week from the week before the first kept
//     week through the last kept week (the book's dropna(axis=1): stocks without missing weeks).
//     Note: pandas before 2.1 pct_change() forward-fills missing prices first, so there a gap
//     inside the period gives a zero return instead of dropping the stock; recur drops it.
//
// Every error in the file is a DataError naming the file, the 1-based line and column:
//   prices.csv.gz:7: column 2: '1.5x' is not a number
//   prices.csv.gz:4: column 1: '2010-02-30' is not a YYYY-MM-DD date
//   prices.csv.gz:5: column 2: close -1 is not positive
//   prices.csv.gz:3: column 4: expected 3 cells, found 4
//   prices.csv.gz:9: column 1: date 2010-01-04 is out of order for ticker 'aapl' (after
//                              2010-01-05 on line 8)
//   prices.csv.gz:12: column 3: ticker 'aapl' appears again (its rows ended on line 9; rows
//                               must be grouped by ticker)
//
// StockWindows is the book's 52-week window data set as a Dataset view over the weekly returns:
// sample (ticker s, target week w) has the features r[w-1][s] .. r[w-lags][s] (lag 1 .. lags),
// the ticker id, the month of week w, and the label r[w][s] > 0. Nothing is materialised; a
// batch is gathered from the return matrix, winsorised per lag as the book does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "recur/data/frame.hpp"
#include "recur/model/dataset.hpp"

namespace recur {

// One row of the long-format panel.
struct DailyClose {
    std::string date;  // YYYY-MM-DD
    double close = 0;  // > 0
    std::string ticker;
};

struct WeeklyOptions {
    std::string start = "2008-01-01";  // the period of weekly returns kept, by week-end (Sunday)
    std::string end = "2017-12-31";    // date, both inclusive
};

// Weekly returns of the kept tickers, a (weeks, tickers) matrix stored week by week.
struct WeeklyReturns {
    std::vector<std::string> tickers;  // kept, in file order
    std::vector<std::string> weeks;    // Sunday dates YYYY-MM-DD, increasing by 7 days
    std::vector<float> returns;        // returns[w * tickers.size() + s]
    Index tickers_read = 0;            // distinct tickers in the input

    Index n_weeks() const { return static_cast<Index>(weeks.size()); }
    Index n_tickers() const { return static_cast<Index>(tickers.size()); }
    float at(Index week, Index ticker) const {
        return returns[static_cast<std::size_t>(week * n_tickers() + ticker)];
    }
};

// Reads the daily close panel at `path` (plain or gzip CSV) into weekly returns.
WeeklyReturns read_weekly_returns(const std::string& path, const WeeklyOptions& opt = {});

// The same from rows in memory (grouped by ticker, dates increasing within a ticker); errors
// name the row as "rows[i]: column c: ..." (0-based i; columns date = 1, close = 2, ticker = 3).
WeeklyReturns weekly_returns_from_rows(const std::vector<DailyClose>& rows,
                                       const WeeklyOptions& opt = {});

struct WindowOptions {
    Index lags = 52;  // weeks of past returns per window
    // The book's order: time step 0 is lag 1 (the week right before the target), step lags-1 is
    // lag `lags`. false: chronological, step 0 is lag `lags` and the last step is lag 1.
    bool most_recent_first = true;
    // Per-lag winsorising (the book: clip each lag column at its 1% and 99% quantiles, pandas'
    // linear interpolation, pooled over all windows). Disabled by winsorize = false or by
    // winsor_lower <= 0 and winsor_upper >= 1.
    bool winsorize = true;
    double winsor_lower = 0.01;
    double winsor_upper = 0.99;
    bool clip_last_lag = false;          // the book clips lags 1 .. lags-1 only
    bool winsor_fit_train_only = false;  // true: quantiles of the training windows only
    // First target week of the test set (YYYY-MM-DD; the book: "2017-01-01"). Empty: the last
    // `test_weeks` target weeks.
    std::string test_start = "";
    Index test_weeks = 52;
};

template <typename T>
class StockWindows;

// (train, test) windows: every target week w >= lags is a window for every ticker, so each ticker
// gives n_weeks - lags windows (the book's loop `for i in range(n - T - 1)` drops one more, the
// oldest). Test = the target weeks from test_start on (or the last test_weeks weeks), train =
// the earlier ones. Throws DataError if the panel has no tickers or no more weeks than lags, and
// std::invalid_argument for bad options.
template <typename T>
std::pair<StockWindows<T>, StockWindows<T>> make_stock_windows(
    std::shared_ptr<const WeeklyReturns> panel, const WindowOptions& opt = {});

// Windows over a WeeklyReturns panel (T = float or double). Inputs, by index:
//   0 "returns"  ShapeSpec::sequence(lags, 1), batch (lags, n, 1): the (clipped) lagged returns
//   1 "ticker"   ShapeSpec::ids(1), batch (1, n): the ticker's index in panel().tickers
//   2 "month"    ShapeSpec::vector(12), batch (n, 12): one-hot month of the target week's
//                Sunday (January = column 0)
// Target 0: ShapeSpec::vector(1), batch (n, 1): 1 if the target week's return is > 0, else 0.
template <typename T>
class StockWindows : public Dataset<T> {
  public:
    Index size() const override { return static_cast<Index>(samples_.size()); }
    std::size_t num_inputs() const override { return 3; }
    std::size_t num_targets() const override { return 1; }
    void gather_input(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                      Tensor<T>& batch) const override;
    void gather_target(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                       Tensor<T>& batch) const override;
    void check(const std::vector<ShapeSpec>& inputs, const std::vector<ShapeSpec>& outputs,
               const std::string& what) const override;

    static std::vector<std::string> input_names() { return {"returns", "ticker", "month"}; }
    std::vector<ShapeSpec> input_specs() const;   // {sequence(lags, 1), ids(1), vector(12)}
    std::vector<ShapeSpec> target_specs() const;  // {vector(1)}

    Index lags() const { return lags_; }
    Index n_tickers() const { return panel_->n_tickers(); }  // ids are 0 .. n_tickers()-1
    const WeeklyReturns& panel() const { return *panel_; }
    Index ticker_of(Index i) const { return samples_[static_cast<std::size_t>(i)].ticker; }
    Index week_of(Index i) const { return samples_[static_cast<std::size_t>(i)].week; }
    const std::string& week_date(Index i) const;  // the target week's Sunday
    float next_return(Index i) const;             // raw (unclipped) return of the target week
    float label(Index i) const { return next_return(i) > 0 ? 1.0f : 0.0f; }
    // Clip bounds of lag 1 .. lags ((-inf, inf) where a lag is not clipped).
    std::pair<float, float> clip_bounds(Index lag) const;

  private:
    struct Sample {
        std::int32_t ticker;
        std::int32_t week;  // target week, index into panel().weeks
    };
    template <typename U>
    friend std::pair<StockWindows<U>, StockWindows<U>> make_stock_windows(
        std::shared_ptr<const WeeklyReturns> panel, const WindowOptions& opt);

    StockWindows() = default;
    float lagged(const Sample& s, Index lag) const;  // clipped return of lag 1 .. lags

    std::shared_ptr<const WeeklyReturns> panel_;
    std::vector<Sample> samples_;  // ordered by target week, then ticker
    Index lags_ = 0;
    bool most_recent_first_ = true;
    std::vector<std::pair<float, float>> bounds_;  // bounds_[lag - 1]
};

}  // namespace recur
