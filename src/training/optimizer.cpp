// SGD, RMSprop and Adam with Keras's update rules; see recur/training/optimizer.hpp.
#include "recur/training/optimizer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

#include "recur/tensor/parallel.hpp"
#include "tensor/prefetch.hpp"

namespace recur {

namespace {

std::string to_lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Calls fn(begin, end) for each run of gradient elements that may be non-zero: the whole tensor,
// or each listed row of a row-sparse parameter.
template <typename T, typename Fn>
void for_each_grad_range(const Param<T>& p, Fn fn) {
    if (!p.sparse) {
        fn(Index(0), p.grad.size());
        return;
    }
    const Index width = p.grad.size() / std::max<Index>(p.grad.dim(0), 1);
    for (Index r : p.rows) fn(r * width, (r + 1) * width);
}

template <typename T>
double squared_norm(const Param<T>& p) {
    double s = 0.0;
    const T* d = p.grad.data();
    for_each_grad_range(p, [&](Index b, Index e) {
        for (Index i = b; i < e; ++i) s += static_cast<double>(d[i]) * static_cast<double>(d[i]);
    });
    return s;
}

template <typename T>
void scale(Param<T>& p, double factor) {
    const T f = static_cast<T>(factor);
    T* d = p.grad.data();
    for_each_grad_range(p, [&](Index b, Index e) {
        for (Index i = b; i < e; ++i) d[i] *= f;
    });
}

// The updates below are plain loops: GCC auto-vectorises them, and Eigen's AVX-512 sqrt
// trips a GCC 12 -Wmaybe-uninitialized false positive under -march=native -Werror.

// ---------------------------------------------------------------- SGD
template <typename T>
class SGD final : public Optimizer<T> {
  public:
    explicit SGD(OptimizerOptions o) : Optimizer<T>(std::move(o)) {
        if (!(this->options_.momentum >= 0.0 && this->options_.momentum <= 1.0)) {
            throw std::invalid_argument("sgd: momentum must be in [0, 1], got " +
                                        std::to_string(this->options_.momentum));
        }
    }

  protected:
    // Like Keras, plain SGD (momentum 0) keeps no state.
    int slots_per_param() const override { return this->options_.momentum != 0.0 ? 1 : 0; }

    void update(std::size_t index, Param<T>& p, Index b, Index e) override {
        T* w = p.value.data();
        const T* g = p.grad.data();
        const T lr = static_cast<T>(this->options_.learning_rate);
        if (this->options_.momentum == 0.0) {
            for (Index i = b; i < e; ++i) w[i] -= lr * g[i];
            return;
        }
        const T m = static_cast<T>(this->options_.momentum);
        T* v = this->slot(index, 0).data();
        if (this->options_.nesterov) {
            for (Index i = b; i < e; ++i) {
                v[i] = m * v[i] - lr * g[i];
                w[i] += m * v[i] - lr * g[i];
            }
        } else {
            for (Index i = b; i < e; ++i) {
                v[i] = m * v[i] - lr * g[i];
                w[i] += v[i];
            }
        }
    }

    void catch_up(std::size_t index, Param<T>& p, Index b, Index e, std::int64_t k) override {
        if (this->options_.momentum == 0.0) return;
        // k steps of v <- m v, w += v (nesterov: w += m v): w gains v (m + ... + m^k), times m.
        const double m = this->options_.momentum, mk = std::pow(m, static_cast<double>(k));
        double gain = m == 1.0 ? static_cast<double>(k) : m * (1.0 - mk) / (1.0 - m);
        if (this->options_.nesterov) gain *= m;
        T* w = p.value.data();
        T* v = this->slot(index, 0).data();
        for (Index i = b; i < e; ++i) {
            w[i] += static_cast<T>(gain) * v[i];
            v[i] *= static_cast<T>(mk);
        }
    }
};

// ---------------------------------------------------------------- RMSprop
template <typename T>
class RMSprop final : public Optimizer<T> {
  public:
    explicit RMSprop(OptimizerOptions o) : Optimizer<T>(std::move(o)) {}

  protected:
    int slots_per_param() const override { return 1; }

    void update(std::size_t index, Param<T>& p, Index b, Index e) override {
        T* w = p.value.data();
        const T* g = p.grad.data();
        T* a = this->slot(index, 0).data();
        const T lr = static_cast<T>(this->options_.learning_rate);
        const T rho = static_cast<T>(this->options_.rho);
        const T eps = static_cast<T>(this->options_.epsilon);
        for (Index i = b; i < e; ++i) {
            a[i] = rho * a[i] + (T(1) - rho) * g[i] * g[i];
            // As the header specifies: lr g / (sqrt(a) + eps).
            // (Keras 3's RMSprop divides by sqrt(a + eps) instead.)
            w[i] -= lr * g[i] / (std::sqrt(a[i]) + eps);
        }
    }

    void catch_up(std::size_t index, Param<T>&, Index b, Index e, std::int64_t k) override {
        const T decay = static_cast<T>(std::pow(this->options_.rho, static_cast<double>(k)));
        T* a = this->slot(index, 0).data();
        for (Index i = b; i < e; ++i) a[i] *= decay;
    }
};

// ---------------------------------------------------------------- Adam
template <typename T>
class Adam final : public Optimizer<T> {
  public:
    explicit Adam(OptimizerOptions o) : Optimizer<T>(std::move(o)) {
        if (!(this->options_.beta_1 >= 0.0 && this->options_.beta_1 < 1.0)) {
            throw std::invalid_argument("adam: beta_1 must be in [0, 1), got " +
                                        std::to_string(this->options_.beta_1));
        }
        if (!(this->options_.beta_2 >= 0.0 && this->options_.beta_2 <= 1.0)) {
            throw std::invalid_argument("adam: beta_2 must be in [0, 1], got " +
                                        std::to_string(this->options_.beta_2));
        }
    }

  protected:
    int slots_per_param() const override { return 2; }
    bool sparse_rows() const override { return this->options_.lazy_sparse_adam; }

    void update(std::size_t index, Param<T>& p, Index b, Index e) override {
        T* w = p.value.data();
        const T* g = p.grad.data();
        T* m = this->slot(index, 0).data();
        T* v = this->slot(index, 1).data();
        const OptimizerOptions& o = this->options_;
        const double t = static_cast<double>(this->iterations_);  // already incremented by step()
        const double lr_t = o.learning_rate * std::sqrt(1.0 - std::pow(o.beta_2, t)) /
                            (1.0 - std::pow(o.beta_1, t));
        const T b1 = static_cast<T>(o.beta_1);
        const T b2 = static_cast<T>(o.beta_2);
        const T eps = static_cast<T>(o.epsilon);
        const T alpha = static_cast<T>(lr_t);
        for (Index i = b; i < e; ++i) {
            m[i] = b1 * m[i] + (T(1) - b1) * g[i];
            v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
            w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
        }
    }
};

}  // namespace

// ---------------------------------------------------------------- Optimizer

template <typename T>
Optimizer<T>::Optimizer(OptimizerOptions options) : options_(std::move(options)) {
    options_.name = to_lower(options_.name);
    if (options_.learning_rate < 0) options_.learning_rate = options_.name == "sgd" ? 0.01 : 0.001;
    if (options_.clipnorm < 0 || options_.global_clipnorm < 0 || options_.clipvalue < 0) {
        throw std::invalid_argument(
            "optimizer: clipnorm, global_clipnorm and clipvalue must be >= 0");
    }
}

template <typename T>
void Optimizer<T>::step(const std::vector<Param<T>*>& params) {
    for (const Param<T>* p : params) {
        if (p && p->trainable && p->grad.size() != p->value.size()) {
            throw std::invalid_argument("optimizer: parameter '" + p->name + "' has " +
                                        std::to_string(p->value.size()) + " values but " +
                                        std::to_string(p->grad.size()) + " gradients");
        }
    }
    const std::size_t per = static_cast<std::size_t>(slots_per_param());
    if (slots_.empty() && per > 0) {
        slots_.resize(params.size() * per);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (!params[i]) continue;
            for (std::size_t k = 0; k < per; ++k) {
                slots_[i * per + k].assign(params[i]->value.shape(), T(0));
            }
        }
    }
    if (slots_.size() != params.size() * per) {
        throw std::invalid_argument("optimizer: state holds " + std::to_string(slots_.size()) +
                                    " slots but " + std::to_string(params.size()) +
                                    " parameters need " + std::to_string(params.size() * per) +
                                    " (parameters must be passed in the same order every step)");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Param<T>* p = params[i];
        if (!p || !p->trainable) continue;
        for (std::size_t k = 0; k < per; ++k) {
            if (slots_[i * per + k].size() != p->value.size()) {
                throw std::invalid_argument("optimizer: state for parameter '" + p->name +
                                            "' does not match its size");
            }
        }
    }

    ++iterations_;
    clip_gradients(params, options_.clipnorm, options_.global_clipnorm, options_.clipvalue);
    if (row_step_.size() != params.size()) row_step_.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        Param<T>* p = params[i];
        if (!p) continue;
        if (!p->trainable) {
            // Frozen steps are not owed: a sparse table unfrozen later starts from here.
            std::fill(row_step_[i].begin(), row_step_[i].end(), iterations_);
            continue;
        }
        if (p->sparse && sparse_rows())
            update_sparse(i, *p);
        else
            update_split(i, *p);
    }
}

// Elements are independent, so a large parameter's update is split over the threads (the result
// does not depend on the split). Small ones stay on the caller's thread.
template <typename T>
void Optimizer<T>::update_split(std::size_t index, Param<T>& p) {
    const Index n = p.value.size();
    if (n < kParallelElements || parallel_chunks(n) < 2) {
        update(index, p, 0, n);
        return;
    }
    parallel_for(
        n, [&](int, Index b, Index e) { update(index, p, b, e); }, 16);
}

template <typename T>
void Optimizer<T>::update_sparse(std::size_t index, Param<T>& p) {
    std::vector<std::int64_t>& at = row_step_[index];
    const Index nrows = p.value.dim(0), width = p.value.size() / std::max<Index>(nrows, 1);
    if (at.size() != static_cast<std::size_t>(nrows))
        at.assign(static_cast<std::size_t>(nrows), restored_step_);
    // Rows are distinct (Param::mark_row), so chunks of the row list never share an element.
    // Rows a few list entries ahead are prefetched: the list is in first-touch order, i.e. random
    // rows of a large table, and each row's value, gradient and slots are misses otherwise.
    constexpr Index kAhead = 4;
    const int nslots = slots_per_param();
    auto prefetch_row = [&](Index r) {
        prefetch_span<true>(p.value.data() + r * width, width);
        prefetch_span(p.grad.data() + r * width, width);
        for (int s = 0; s < nslots; ++s)
            prefetch_span<true>(slot(index, s).data() + r * width, width);
        __builtin_prefetch(&at[static_cast<std::size_t>(r)], 1);
    };
    auto rows = [&](Index r0, Index r1) {
        for (Index k = r0; k < std::min(r0 + kAhead, r1); ++k)
            prefetch_row(p.rows[static_cast<std::size_t>(k)]);
        for (Index k = r0; k < r1; ++k) {
            if (k + kAhead < r1) prefetch_row(p.rows[static_cast<std::size_t>(k + kAhead)]);
            const Index r = p.rows[static_cast<std::size_t>(k)];
            std::int64_t& step = at[static_cast<std::size_t>(r)];
            if (iterations_ - 1 > step)
                catch_up(index, p, r * width, (r + 1) * width, iterations_ - 1 - step);
            update(index, p, r * width, (r + 1) * width);
            step = iterations_;
        }
    };
    const Index n = static_cast<Index>(p.rows.size());
    if (n * width < kParallelElements || parallel_chunks(n) < 2)
        rows(0, n);
    else
        parallel_for(n, [&](int, Index r0, Index r1) { rows(r0, r1); });
}

template <typename T>
void Optimizer<T>::flush(const std::vector<Param<T>*>& params) {
    for (std::size_t i = 0; i < params.size() && i < row_step_.size(); ++i) {
        Param<T>* p = params[i];
        std::vector<std::int64_t>& at = row_step_[i];
        if (!p || !p->trainable || !p->sparse || at.empty()) continue;
        const Index width = p->value.size() / p->value.dim(0);
        for (std::size_t r = 0; r < at.size(); ++r) {
            if (at[r] < iterations_) {
                const Index b = static_cast<Index>(r) * width;
                catch_up(i, *p, b, b + width, iterations_ - at[r]);
                at[r] = iterations_;
            }
        }
    }
}

// ---------------------------------------------------------------- clipping

template <typename T>
void clip_gradients(const std::vector<Param<T>*>& params, double clipnorm, double global_clipnorm,
                    double clipvalue) {
    // Each clip is applied in turn; every one of them only shrinks gradients, so after all of
    // them every set constraint holds. (Keras allows only one at a time.)
    if (clipnorm > 0) {
        for (Param<T>* p : params) {
            if (!p || !p->trainable) continue;
            const double norm = std::sqrt(squared_norm(*p));
            if (norm > clipnorm) scale(*p, clipnorm / norm);
        }
    }
    if (global_clipnorm > 0) {
        double total = 0.0;
        for (const Param<T>* p : params) {
            if (p && p->trainable) total += squared_norm(*p);
        }
        const double norm = std::sqrt(total);
        if (norm > global_clipnorm) {
            const double f = global_clipnorm / norm;
            for (Param<T>* p : params) {
                if (p && p->trainable) scale(*p, f);
            }
        }
    }
    if (clipvalue > 0) {
        const T hi = static_cast<T>(clipvalue);
        for (Param<T>* p : params) {
            if (!p || !p->trainable) continue;
            T* d = p->grad.data();
            for_each_grad_range(*p, [&](Index b, Index e) {
                for (Index i = b; i < e; ++i) d[i] = std::clamp(d[i], -hi, hi);
            });
        }
    }
}

// ---------------------------------------------------------------- factory

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(OptimizerOptions options) {
    const std::string n = to_lower(options.name);
    if (n == "sgd") return std::make_unique<SGD<T>>(std::move(options));
    if (n == "rmsprop") return std::make_unique<RMSprop<T>>(std::move(options));
    if (n == "adam") return std::make_unique<Adam<T>>(std::move(options));
    throw std::invalid_argument("unknown optimizer '" + options.name +
                                "'; valid names: sgd, rmsprop, adam");
}

template class Optimizer<float>;
template class Optimizer<double>;
template void clip_gradients<float>(const std::vector<Param<float>*>&, double, double, double);
template void clip_gradients<double>(const std::vector<Param<double>*>&, double, double, double);
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(OptimizerOptions);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(OptimizerOptions);

}  // namespace recur
