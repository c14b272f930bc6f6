// recur/training/optimizer.hpp — SGD (momentum, Nesterov), RMSprop and Adam with Keras's defaults
// and update rules, plus gradient clipping.
//
//   SGD      v = m v - lr g;  w += v                       (nesterov: w += m v - lr g)
//            lr 0.01, momentum 0
//   RMSprop  a = ρ a + (1-ρ) g²;  w -= lr g / (√a + ε)     lr 0.001, ρ 0.9, ε 1e-7
//            (Keras 2.2.4, the book's version; tf.keras 2 / Keras 3 put ε under the root)
//   Adam     m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
//            w -= lr_t m / (√v + ε),  lr_t = lr √(1-β2^t) / (1-β1^t)
//            lr 0.001, β1 0.9, β2 0.999, ε 1e-7  (Kingma & Ba 2015, Algorithm 1 with ε̂)
// Clipping, applied before the update (Keras semantics): clipnorm rescales each parameter's
// gradient to norm <= clipnorm; global_clipnorm rescales all gradients together (PyTorch
// clip_grad_norm_); clipvalue clamps each element to [-clipvalue, clipvalue]. 0 = off.
// Only trainable parameters are touched. State (moments) is kept per parameter, in order.
//
// Row-sparse parameters (Param::sparse, an Embedding's table) are updated only in the rows that
// have a gradient. A row without one for k steps has g = 0 there, and the dense rules reduce to
//   SGD        w unchanged                   momentum: v <- m^k v,  w += v (m + ... + m^k)
//              (nesterov: w += v (m^2 + ... + m^(k+1)))
//   RMSprop    a <- rho^k a, w unchanged
// which is applied lazily, when the row next gets a gradient, and to every row by flush() (fit
// calls it at the end of each epoch; Model::predict and evaluate too), so SGD and RMSprop give the
// dense result up to rounding. Adam has no such closed form: by default it updates the whole
// table (the dense result); with lazy_sparse_adam untouched rows keep their moments and weights,
// PyTorch's SparseAdam / TF's LazyAdam rule (bias correction uses the global step).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "recur/layers/layer.hpp"

namespace recur {

struct OptimizerOptions {
    std::string name = "rmsprop";  // "sgd", "rmsprop", "adam"
    double learning_rate = -1;     // < 0: the optimizer's Keras default
    double momentum = 0.0;         // sgd
    bool nesterov = false;         // sgd
    double rho = 0.9;              // rmsprop
    double beta_1 = 0.9;           // adam
    double beta_2 = 0.999;         // adam
    double epsilon = 1e-7;         // rmsprop, adam
    double clipnorm = 0.0;
    double global_clipnorm = 0.0;
    double clipvalue = 0.0;
    // Adam on a row-sparse parameter: false (default) updates the whole table as Keras does
    // (exact; untouched rows still move with their momentum), true uses the lazy rule below.
    bool lazy_sparse_adam = false;
};

template <typename T>
class Optimizer {
  public:
    explicit Optimizer(OptimizerOptions options);
    virtual ~Optimizer() = default;
    const OptimizerOptions& options() const { return options_; }
    double learning_rate() const { return options_.learning_rate; }
    void set_learning_rate(double lr) { options_.learning_rate = lr; }
    std::int64_t iterations() const { return iterations_; }

    // Clips the gradients, then updates every trainable parameter. Parameters must be passed in
    // the same order at every call.
    void step(const std::vector<Param<T>*>& params);

    // Brings every row of the sparse parameters up to the current step (see above).
    void flush(const std::vector<Param<T>*>& params);

    // Optimizer state (moments, iteration count) as flat arrays, for checkpoints.
    std::vector<Tensor<T>>& slots() { return slots_; }
    void set_iterations(std::int64_t n) {
        iterations_ = n;
        row_step_.clear();  // restored state: every sparse row is current at step n
        restored_step_ = n;
    }

  protected:
    // Updates elements [begin, end) of parameter `index` with its gradient.
    virtual void update(std::size_t index, Param<T>& p, Index begin, Index end) = 0;
    // Applies `steps` steps with a zero gradient to elements [begin, end) (sparse rows).
    virtual void catch_up(std::size_t, Param<T>&, Index, Index, std::int64_t) {}
    // Whether row-sparse parameters may skip untouched rows (exactly, or lazily for Adam).
    virtual bool sparse_rows() const { return true; }
    virtual int slots_per_param() const = 0;
    Tensor<T>& slot(std::size_t param_index, int k) {
        return slots_[param_index * static_cast<std::size_t>(slots_per_param()) +
                      static_cast<std::size_t>(k)];
    }
    OptimizerOptions options_;
    std::int64_t iterations_ = 0;
    std::vector<Tensor<T>> slots_;
    std::vector<std::vector<std::int64_t>> row_step_;  // per sparse param: step each row is at
    std::int64_t restored_step_ = 0;

  private:
    // Parameters (or sparse row sets) with fewer elements are updated on one thread.
    static constexpr Index kParallelElements = 1 << 15;
    void update_split(std::size_t index, Param<T>& p);
    void update_sparse(std::size_t index, Param<T>& p);
};

// Gradient clipping on its own (used by Optimizer::step).
template <typename T>
void clip_gradients(const std::vector<Param<T>*>& params, double clipnorm, double global_clipnorm,
                    double clipvalue);

// Builds the optimizer named in options ("sgd", "rmsprop", "adam"); throws on an unknown name.
template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(OptimizerOptions options);

}  // namespace recur
