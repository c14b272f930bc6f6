// Sequential::fit / evaluate / predict: mini-batch BPTT with validation, callbacks and progress.
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "recur/model/sequential.hpp"
#include "training/progress.hpp"

namespace recur {

template <typename T>
void Sequential<T>::check_data(const Tensor<T>& x, const Tensor<T>* y, const char* what) const {
    auto per_sample = [](const ShapeSpec& s) {
        return s.kind == ShapeSpec::Kind::vector ? s.features : s.steps * s.features;
    };
    if (x.rank() < 1 || x.dim(0) == 0)
        throw std::invalid_argument(std::string(what) + ": no samples");
    const Index n = x.dim(0);
    if (x.size() != n * per_sample(input_))
        throw std::invalid_argument(std::string(what) + ": inputs have shape " +
                                    shape_to_string(x.shape()) + ", the model expects (N, " +
                                    input_.keras_string().substr(7));
    for (Index i = 0; i < x.size(); ++i)
        if (!std::isfinite(static_cast<double>(x[i])))
            throw std::invalid_argument(std::string(what) + ": input sample " +
                                        std::to_string(i / per_sample(input_)) + " contains " +
                                        (std::isnan(static_cast<double>(x[i])) ? "NaN" : "inf"));
    if (!y) return;
    ShapeSpec out = output_spec();
    if (y->rank() < 1 || y->dim(0) != n || y->size() != n * per_sample(out))
        throw std::invalid_argument(std::string(what) + ": targets have shape " +
                                    shape_to_string(y->shape()) + ", the model outputs (N, " +
                                    out.keras_string().substr(7) + " for " + std::to_string(n) +
                                    " samples");
    for (Index i = 0; i < y->size(); ++i)
        if (!std::isfinite(static_cast<double>((*y)[i])))
            throw std::invalid_argument(std::string(what) + ": target of sample " +
                                        std::to_string(i / per_sample(out)) + " is not finite");
}

template <typename T>
double Sequential<T>::train_on_indices(const Tensor<T>& x, const Tensor<T>& y, const Index* idx,
                                       Index n) {
    if (!optimizer_) throw std::logic_error("Sequential: call compile() before training");
    gather_batch(x, input_, idx, n, batch_x_);
    gather_batch(y, output_spec(), idx, n, batch_y_);
    zero_grad();
    const Tensor<T>& pred = forward(batch_x_, Mode::training);
    double loss;
    if (fused_sigmoid_bce()) {
        // d/dz BCE(σ(z), y) = σ(z) - y: the gradient never vanishes in a saturated sigmoid.
        loss = compute_loss<T>(Loss::bce, pred, batch_y_, nullptr);
        dloss_.resize(pred.shape());
        const T inv = T(1) / static_cast<T>(pred.size());
        for (Index i = 0; i < pred.size(); ++i) dloss_[i] = (pred[i] - batch_y_[i]) * inv;
        dloss_is_logit_grad_ = true;
    } else {
        loss = compute_loss<T>(loss_, pred, batch_y_, &dloss_);
    }
    backward(dloss_);
    dloss_is_logit_grad_ = false;
    optimizer_->step(params());
    return loss;
}

template <typename T>
double Sequential<T>::train_on_batch(const Tensor<T>& x, const Tensor<T>& y) {
    check_data(x, &y, "train_on_batch");
    std::vector<Index> idx(static_cast<size_t>(x.dim(0)));
    std::iota(idx.begin(), idx.end(), Index(0));
    return train_on_indices(x, y, idx.data(), x.dim(0));
}

template <typename T>
History Sequential<T>::fit(const Tensor<T>& x, const Tensor<T>& y, const FitOptions<T>& options,
                           const Tensor<T>* x_val, const Tensor<T>* y_val) {
    check_data(x, &y, "fit");
    if ((x_val == nullptr) != (y_val == nullptr))
        throw std::invalid_argument("fit: give both validation inputs and targets, or neither");
    if (x_val) check_data(*x_val, y_val, "fit (validation data)");
    if (options.batch_size < 1) throw std::invalid_argument("fit: batch_size must be >= 1");
    const Index n = x.dim(0), bs = options.batch_size, steps = (n + bs - 1) / bs;

    Rng rng(options.seed);
    for (auto& l : layers_) l->seed_rng(rng.split());
    History history;
    for (auto* cb : options.callbacks) cb->on_train_begin(*this);
    order_.resize(static_cast<size_t>(n));
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        auto t0 = std::chrono::steady_clock::now();
        if (options.shuffle)
            order_ = rng.permutation(n);
        else
            std::iota(order_.begin(), order_.end(), Index(0));
        ProgressBar progress(epoch, options.epochs, steps, options.verbose > 0);
        double sum = 0;
        for (Index s = 0; s < steps; ++s) {
            Index b0 = s * bs, b = std::min(bs, n - b0);
            double loss = train_on_indices(x, y, order_.data() + b0, b);
            sum += loss * static_cast<double>(b);
            progress.update(s + 1, sum / static_cast<double>(b0 + b));
        }
        Logs logs{{"loss", sum / static_cast<double>(n)}};
        if (x_val) {
            Tensor<T> pred = predict(*x_val, std::max<Index>(bs, 256));
            logs["val_loss"] = compute_loss<T>(loss_, pred, *y_val, nullptr);
            for (const auto& [name, fn] : options.metrics) logs["val_" + name] = fn(pred, *y_val);
        }
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        history.add(logs, secs);
        progress.finish(logs);
        bool stop = false;
        for (auto* cb : options.callbacks) stop = cb->on_epoch_end(epoch, logs, *this) || stop;
        if (stop) break;
    }
    for (auto* cb : options.callbacks) cb->on_train_end(*this);
    return history;
}

template <typename T>
Tensor<T> Sequential<T>::predict(const Tensor<T>& x, Index batch_size) {
    check_data(x, nullptr, "predict");
    const Index n = x.dim(0), bs = std::max<Index>(1, batch_size);
    ShapeSpec out = output_spec();
    std::vector<Index> shape = out.batch_shape(n);
    if (out.is_sequence()) std::swap(shape[0], shape[1]);  // samples-first
    Tensor<T> result(shape);
    std::vector<Index> idx(static_cast<size_t>(bs));
    for (Index b0 = 0; b0 < n; b0 += bs) {
        Index b = std::min(bs, n - b0);
        std::iota(idx.begin(), idx.begin() + b, b0);
        gather_batch(x, input_, idx.data(), b, batch_x_);
        scatter_batch(forward(batch_x_, Mode::inference), out, b0, result);
    }
    return result;
}

template <typename T>
double Sequential<T>::evaluate(const Tensor<T>& x, const Tensor<T>& y, Index batch_size) {
    check_data(x, &y, "evaluate");
    return compute_loss<T>(loss_, predict(x, batch_size), y, nullptr);
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace recur
