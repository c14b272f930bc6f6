// The book's S&P 500 forecast (Chapter 18, 01_univariate_time_series_regression) against the
// C++ API: 63 days of the min-max scaled index -> the next day, LSTM(20) -> Dense(1), RMSprop,
// MSE, batch 20, early stopping on val_loss (patience 25, best weights restored); train on
// targets through 2017, test on 2018. Usage: example_sp500 [FRED SP500 csv] [out model]
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "recur/data/series.hpp"
#include "recur/recur.hpp"

int main(int argc, char** argv) {
    using namespace recur;
    std::string csv = argc > 1 ? argv[1] : "../shared/data/fred/SP500.csv";
    Series sp500 = slice_dates(read_fred_csv(csv), "2010-01-01", "2018-12-31");
    auto [lo, hi] = std::minmax_element(sp500.values.begin(), sp500.values.end());
    std::vector<double> scaled;  // the book scales on the full sample, test year included
    for (double v : sp500.values) scaled.push_back((v - *lo) / (*hi - *lo));
    Tensor<float> x, y;
    make_windows(scaled, 63, x, y);
    Index n_train = std::count_if(sp500.dates.begin() + 63, sp500.dates.end(),
                                  [](const std::string& d) { return d < "2018-01-01"; });
    Tensor<float> x_train = slice_rows(x, 0, n_train), y_train = slice_rows(y, 0, n_train);
    Tensor<float> x_test = slice_rows(x, n_train, x.dim(0)),
                  y_test = slice_rows(y, n_train, y.dim(0));

    Sequential<float> model(ShapeSpec::sequence(63, 1));
    model.add<LSTM<float>>(LSTMOptions(20).recurrent_activation(Activation::hard_sigmoid));
    model.add<Dense<float>>(DenseOptions(1));
    std::printf("%s", model.summary().c_str());
    model.compile(Loss::mse,
                  {.name = "rmsprop", .learning_rate = 1e-3, .rho = 0.9, .epsilon = 1e-8});
    EarlyStopping<float> early(
        {.monitor = "val_loss", .patience = 25, .restore_best_weights = true});
    auto history =
        model.fit(x_train, y_train, {.epochs = 500, .batch_size = 20, .callbacks = {&early}},
                  &x_test, &y_test);
    if (argc > 2) save_model(model, argv[2]);

    std::printf("epochs %d, best %d | Train RMSE: %.4f | Test RMSE: %.4f (book: 0.0076 | 0.0150)\n",
                history.epochs_run(), early.best_epoch(),
                std::sqrt(model.evaluate(x_train, y_train)),
                std::sqrt(model.evaluate(x_test, y_test)));
}
