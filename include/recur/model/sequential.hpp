// recur/model/sequential.hpp — a linear stack of layers, trained with BPTT (Keras's Sequential).
//
//   recur::Sequential<float> model(recur::ShapeSpec::sequence(63, 1));
//   model.add<recur::LSTM<float>>(recur::LSTMOptions(20));
//   model.add<recur::Dense<float>>(recur::DenseOptions(1));
//   model.compile(recur::Loss::mse, {.name = "rmsprop"});
//   auto history = model.fit(x, y, {.epochs = 50, .batch_size = 20}, &x_val, &y_val);
//
// Data passed to fit / evaluate / predict is samples-first, like a NumPy array:
//   sequences (N, T, F), id sequences (N, T), vectors (N, F); targets (N, out) or (N, T, out).
// Each batch is gathered into recur's time-major layout (tensor.hpp) before the layers see it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recur/layers/layer.hpp"
#include "recur/training/callbacks.hpp"
#include "recur/training/loss.hpp"
#include "recur/training/optimizer.hpp"

namespace recur {

template <typename T>
using MetricFn = std::function<double(const Tensor<T>& pred, const Tensor<T>& target)>;

template <typename T>
struct FitOptions {
    int epochs = 1;
    Index batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 42;  // shuffling and dropout masks
    int verbose = 1;          // 0 silent; 1 a Keras-style progress line per epoch on stderr
    std::vector<Callback<T>*> callbacks{};
    // Extra per-epoch metrics on the validation data, logged as "val_<name>" (e.g. auc).
    std::vector<std::pair<std::string, MetricFn<T>>> metrics{};
};

struct History {
    std::vector<std::string> keys;            // column order: loss, val_loss, ...
    std::vector<std::vector<double>> values;  // values[k][epoch]
    std::vector<double> seconds;              // wall time per epoch
    int epochs_run() const { return static_cast<int>(seconds.size()); }
    const std::vector<double>& operator[](const std::string& key) const;
    void add(const Logs& logs, double secs);
    void write_csv(const std::string& path) const;  // epoch,loss,val_loss,...,seconds
};

template <typename T>
class Sequential {
  public:
    explicit Sequential(ShapeSpec input, std::uint64_t seed = 42);
    Sequential(Sequential&&) noexcept;
    Sequential& operator=(Sequential&&) noexcept;
    ~Sequential();

    // Adds and builds a layer (weights initialised from the model's seed). Keras 2.2 names
    // ("lstm_1", "dense_2") are assigned unless the layer already has a name.
    template <typename L, typename... Args>
    L& add(Args&&... args) {
        auto layer = std::make_unique<L>(std::forward<Args>(args)...);
        L& ref = *layer;
        add(std::move(layer));
        return ref;
    }
    Layer<T>& add(std::unique_ptr<Layer<T>> layer);

    void compile(Loss loss, OptimizerOptions optimizer = {});
    History fit(const Tensor<T>& x, const Tensor<T>& y, const FitOptions<T>& options,
                const Tensor<T>* x_val = nullptr, const Tensor<T>* y_val = nullptr);
    double evaluate(const Tensor<T>& x, const Tensor<T>& y, Index batch_size = 256);
    Tensor<T> predict(const Tensor<T>& x, Index batch_size = 256);

    // One training step on a batch (samples-first); returns the loss. Used by fit().
    double train_on_batch(const Tensor<T>& x, const Tensor<T>& y);

    // Low level, on time-major batches: forward keeps activations for backward.
    const Tensor<T>& forward(const Tensor<T>& x_batch, Mode mode);
    void backward(const Tensor<T>& dloss);  // accumulates into Param::grad
    void zero_grad();

    std::string summary() const;  // Keras's table; also printed by `recur summary`
    std::vector<Param<T>*> params();
    Index param_count() const;
    Index trainable_param_count() const;
    std::vector<Tensor<T>> get_weights() const;
    void set_weights(const std::vector<Tensor<T>>& weights);

    std::size_t size() const { return layers_.size(); }
    Layer<T>& layer(std::size_t i) { return *layers_[i]; }
    const Layer<T>& layer(std::size_t i) const { return *layers_[i]; }
    const ShapeSpec& input_spec() const { return input_; }
    ShapeSpec output_spec() const;
    Loss loss() const { return loss_; }
    Optimizer<T>* optimizer() { return optimizer_.get(); }

    // Gathers samples `index[0..n)` of a samples-first array into a time-major batch for `spec`.
    static void gather_batch(const Tensor<T>& data, const ShapeSpec& spec, const Index* index,
                             Index n, Tensor<T>& batch);
    // Inverse of gather_batch for model outputs: time-major batch -> rows [offset, offset+n).
    static void scatter_batch(const Tensor<T>& batch, const ShapeSpec& spec, Index offset,
                              Tensor<T>& data);

  private:
    bool fused_sigmoid_bce() const;
    ShapeSpec input_;
    Rng rng_;
    std::vector<std::unique_ptr<Layer<T>>> layers_;
    std::vector<Tensor<T>> acts_;   // acts_[i] = output of layer i (time-major batch)
    std::vector<Tensor<T>> grads_;  // dL/d(output of layer i)
    Tensor<T> batch_x_, batch_y_, dloss_;
    bool dloss_is_logit_grad_ = false;
    std::vector<Index> order_;  // sample order of the current epoch
    double train_on_indices(const Tensor<T>& x, const Tensor<T>& y, const Index* idx, Index n);
    void check_data(const Tensor<T>& x, const Tensor<T>* y, const char* what) const;
    Loss loss_ = Loss::mse;
    std::unique_ptr<Optimizer<T>> optimizer_;
};

}  // namespace recur
