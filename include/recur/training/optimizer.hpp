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

    // Optimizer state (moments, iteration count) as flat arrays, for checkpoints.
    std::vector<Tensor<T>>& slots() { return slots_; }
    void set_iterations(std::int64_t n) { iterations_ = n; }

  protected:
    virtual void update(std::size_t index, Param<T>& p) = 0;
    virtual int slots_per_param() const = 0;
    Tensor<T>& slot(std::size_t param_index, int k) {
        return slots_[param_index * static_cast<std::size_t>(slots_per_param()) +
                      static_cast<std::size_t>(k)];
    }
    OptimizerOptions options_;
    std::int64_t iterations_ = 0;
    std::vector<Tensor<T>> slots_;
};

// Gradient clipping on its own (used by Optimizer::step).
template <typename T>
void clip_gradients(const std::vector<Param<T>*>& params, double clipnorm, double global_clipnorm,
                    double clipvalue);

// Builds the optimizer named in options ("sgd", "rmsprop", "adam"); throws on an unknown name.
template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(OptimizerOptions options);

}  // namespace recur
