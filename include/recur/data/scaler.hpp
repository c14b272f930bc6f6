// recur/data/scaler.hpp — per-column scaling fitted on a date range, as scikit-learn's scalers.
//
// fit(frame, start, end) learns one set of parameters per column from the rows with
// start <= date <= end (empty = open; e.g. the training period only), skipping missing cells;
// transform / inverse_transform then apply to any rows, any date range. Column k:
//   MinMaxScaler(lo, hi):   scale_k = (hi - lo) / (max_k - min_k),  min_k = lo - data_min_k·scale_k
//                           z = x·scale_k + min_k,          x = (z - min_k) / scale_k
//   StandardScaler:         mean_k, std_k = sqrt(mean((x - mean_k)^2))   (population, ddof = 0)
//                           z = (x - mean_k) / std_k,       x = z·std_k + mean_k
// A constant column (max = min, or std = 0) gets scale 1, as in scikit-learn. Missing cells
// (NaN) stay missing. Frames must have the fitted column names in the fitted order; a Series
// needs a scaler fitted on one column; a tensor's last dimension must be the column count
// (predictions (N, K), windows (N, W, K)).
#pragma once

#include <string>
#include <vector>

#include "recur/data/frame.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

class Scaler {
  public:
    virtual ~Scaler() = default;

    void fit(const Frame& f, const std::string& start = "", const std::string& end = "");
    void fit(const Series& s, const std::string& start = "", const std::string& end = "");

    Frame transform(const Frame& f) const;
    Frame inverse_transform(const Frame& f) const;
    Series transform(const Series& s) const;
    Series inverse_transform(const Series& s) const;
    template <typename T>
    void transform_inplace(Tensor<T>& t) const {
        apply(t, false);
    }
    template <typename T>
    void inverse_transform_inplace(Tensor<T>& t) const {
        apply(t, true);
    }

    bool fitted() const { return !names_.empty(); }
    const std::vector<std::string>& names() const { return names_; }

  protected:
    // Learns column k's parameters from its observed values in the fit range (never empty).
    virtual void fit_column(std::size_t k, const std::vector<double>& values) = 0;
    virtual void resize(std::size_t cols) = 0;
    virtual double forward(std::size_t k, double x) const = 0;
    virtual double inverse(std::size_t k, double z) const = 0;

  private:
    Frame map(const Frame& f, bool inverse_map, const char* op) const;
    void check_columns(std::size_t cols, const char* op) const;
    template <typename T>
    void apply(Tensor<T>& t, bool inverse_map) const {
        check_columns(static_cast<std::size_t>(t.cols()), "transform of a tensor");
        const std::size_t cols = names_.size();
        for (Index i = 0; i < t.size(); ++i) {
            const std::size_t k = static_cast<std::size_t>(i) % cols;
            const double v = static_cast<double>(t[i]);
            t[i] = static_cast<T>(inverse_map ? inverse(k, v) : forward(k, v));
        }
    }

    std::vector<std::string> names_;
};

class MinMaxScaler : public Scaler {
  public:
    explicit MinMaxScaler(double lo = 0.0, double hi = 1.0);
    const std::vector<double>& data_min() const { return data_min_; }
    const std::vector<double>& data_max() const { return data_max_; }
    const std::vector<double>& scale() const { return scale_; }
    const std::vector<double>& min() const { return min_; }

  protected:
    void fit_column(std::size_t k, const std::vector<double>& values) override;
    void resize(std::size_t cols) override;
    double forward(std::size_t k, double x) const override { return x * scale_[k] + min_[k]; }
    double inverse(std::size_t k, double z) const override { return (z - min_[k]) / scale_[k]; }

  private:
    double lo_, hi_;
    std::vector<double> data_min_, data_max_, scale_, min_;
};

class StandardScaler : public Scaler {
  public:
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& scale() const { return scale_; }  // population std (1 if 0)

  protected:
    void fit_column(std::size_t k, const std::vector<double>& values) override;
    void resize(std::size_t cols) override;
    double forward(std::size_t k, double x) const override { return (x - mean_[k]) / scale_[k]; }
    double inverse(std::size_t k, double z) const override { return z * scale_[k] + mean_[k]; }

  private:
    std::vector<double> mean_, scale_;
};

}  // namespace recur
