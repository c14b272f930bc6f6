// Model::fit / evaluate / predict: mini-batch BPTT with validation, callbacks and progress.
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "recur/model/model.hpp"
#include "training/progress.hpp"

namespace recur {

template <typename T>
double Model<T>::loss_and_grads(const Dataset<T>& data, const Index* index, Index n, double scale) {
    const size_t ni = input_nodes_.size(), no = output_nodes_.size();
    batch_x_.resize(ni);
    batch_x_ptr_.resize(ni);
    for (size_t k = 0; k < ni; ++k) {
        data.gather_input(k, input_spec(k), index, n, batch_x_[k]);
        batch_x_ptr_[k] = &batch_x_[k];
    }
    batch_y_.resize(no);
    dloss_.resize(no);
    dloss_ptr_.resize(no);
    if (losses_.size() != no) throw std::logic_error("Model: call compile() before training");
    fused_.assign(no, nullptr);
    // fused_ points into this step's buffers: never leave it set, whatever throws below.
    struct ResetFused {
        std::vector<const Tensor<T>*>& f;
        ~ResetFused() { f.assign(f.size(), nullptr); }
    } reset_fused{fused_};
    zero_grad();
    forward(batch_x_ptr_, Mode::training);
    double total = 0;
    for (size_t k = 0; k < no; ++k) {
        data.gather_target(k, output_spec(k), index, n, batch_y_[k]);
        const Tensor<T>& pred = output(k);
        const T w = static_cast<T>(loss_weights_[k] * scale);
        double loss;
        if (fused_sigmoid_bce(k) && consumers_[static_cast<size_t>(output_nodes_[k])].empty()) {
            // d/dz BCE(σ(z), y) = σ(z) - y: the gradient never vanishes in a saturated sigmoid.
            loss = compute_loss<T>(Loss::bce, pred, batch_y_[k], nullptr);
            dloss_[k].resize(pred.shape());
            const T per_element = w / static_cast<T>(pred.size());
            for (Index i = 0; i < pred.size(); ++i)
                dloss_[k][i] = (pred[i] - batch_y_[k][i]) * per_element;
            fused_[k] = &dloss_[k];
        } else {
            loss = compute_loss<T>(losses_[k], pred, batch_y_[k], &dloss_[k]);
            if (w != T(1)) dloss_[k].matrix() *= w;
        }
        dloss_ptr_[k] = &dloss_[k];
        total += loss_weights_[k] * loss;
    }
    backward(dloss_ptr_);
    return total;
}

template <typename T>
double Model<T>::train_on_batch(const Dataset<T>& data, const Index* index, Index n) {
    if (!optimizer_) throw std::logic_error("Model: call compile() before training");
    double loss = use_replicas(n) ? replicated_loss_and_grads(data, index, n)
                                  : loss_and_grads(data, index, n);
    optimizer_->step(params());
    return loss;
}

template <typename T>
double Model<T>::train_on_batch(const Tensor<T>& x, const Tensor<T>& y) {
    TensorDataset<T> data({&x}, {&y});
    check_ready("train_on_batch");
    data.check(input_specs(), output_specs(), "train_on_batch");
    std::vector<Index> idx(static_cast<size_t>(x.dim(0)));
    std::iota(idx.begin(), idx.end(), Index(0));
    return train_on_batch(data, idx.data(), x.dim(0));
}

template <typename T>
Tensor<T> Model<T>::collect_targets(const Dataset<T>& data, std::size_t k) const {
    const ShapeSpec spec = output_spec(k);
    const Index n = data.size(), chunk = 4096;
    std::vector<Index> shape = spec.batch_shape(n);
    if (spec.is_sequence()) std::swap(shape[0], shape[1]);  // samples-first
    Tensor<T> out(shape), batch;
    std::vector<Index> idx(static_cast<size_t>(chunk));
    for (Index b0 = 0; b0 < n; b0 += chunk) {
        const Index b = std::min(chunk, n - b0);
        std::iota(idx.begin(), idx.begin() + b, b0);
        data.gather_target(k, spec, idx.data(), b, batch);
        scatter_samples(batch, spec, b0, out);
    }
    return out;
}

template <typename T>
History Model<T>::fit(const Dataset<T>& train, const FitOptions<T>& options,
                      const Dataset<T>* validation) {
    check_ready("fit");
    if (!optimizer_) throw std::logic_error("Model: call compile() before training");
    train.check(input_specs(), output_specs(), "fit");
    std::vector<Tensor<T>> val_targets;
    if (validation) {
        validation->check(input_specs(), output_specs(), "fit (validation data)");
        for (size_t k = 0; k < output_nodes_.size(); ++k)
            val_targets.push_back(collect_targets(*validation, k));
    }
    if (options.batch_size < 1) throw std::invalid_argument("fit: batch_size must be >= 1");
    const Index n = train.size(), bs = options.batch_size, steps = (n + bs - 1) / bs;

    Rng rng(options.seed);
    for (auto& l : layers_) l->seed_rng(rng.split());
    seed_replicas(options.seed);  // without drawing from rng: one thread trains as it always did
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
            double loss = train_on_batch(train, order_.data() + b0, b);
            sum += loss * static_cast<double>(b);
            progress.update(s + 1, sum / static_cast<double>(b0 + b));
        }
        optimizer_->flush(params());  // sparse rows catch up before anyone reads the weights
        Logs logs{{"loss", sum / static_cast<double>(n)}};
        if (validation) {
            std::vector<Tensor<T>> pred = predict(*validation, std::max<Index>(bs, 256));
            double total = 0;
            for (size_t k = 0; k < pred.size(); ++k) {
                double l = compute_loss<T>(losses_[k], pred[k], val_targets[k], nullptr);
                if (pred.size() > 1) logs["val_" + output_name(k) + "_loss"] = l;
                total += loss_weights_[k] * l;
            }
            logs["val_loss"] = total;
            for (const auto& [name, fn] : options.metrics)
                logs["val_" + name] = fn(pred[0], val_targets[0]);
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
History Model<T>::fit(const Tensor<T>& x, const Tensor<T>& y, const FitOptions<T>& options,
                      const Tensor<T>* x_val, const Tensor<T>* y_val) {
    if ((x_val == nullptr) != (y_val == nullptr))
        throw std::invalid_argument("fit: give both validation inputs and targets, or neither");
    TensorDataset<T> train({&x}, {&y});
    if (!x_val) return fit(train, options, nullptr);
    TensorDataset<T> val({x_val}, {y_val});
    return fit(train, options, &val);
}

template <typename T>
std::vector<Tensor<T>> Model<T>::predict(const Dataset<T>& data, Index batch_size) {
    check_ready("predict");
    data.check(input_specs(), {}, "predict");
    // Sparse rows that skipped steps (train_on_batch loops) catch up before being read.
    if (optimizer_) optimizer_->flush(params());
    const Index n = data.size(), bs = std::max<Index>(1, batch_size);
    const size_t ni = input_nodes_.size(), no = output_nodes_.size();
    std::vector<Tensor<T>> result;
    for (size_t k = 0; k < no; ++k) {
        std::vector<Index> shape = output_spec(k).batch_shape(n);
        if (output_spec(k).is_sequence()) std::swap(shape[0], shape[1]);  // samples-first
        result.emplace_back(shape);
    }
    batch_x_.resize(ni);
    batch_x_ptr_.resize(ni);
    std::vector<Index> idx(static_cast<size_t>(bs));
    for (Index b0 = 0; b0 < n; b0 += bs) {
        Index b = std::min(bs, n - b0);
        std::iota(idx.begin(), idx.begin() + b, b0);
        for (size_t k = 0; k < ni; ++k) {
            data.gather_input(k, input_spec(k), idx.data(), b, batch_x_[k]);
            batch_x_ptr_[k] = &batch_x_[k];
        }
        forward(batch_x_ptr_, Mode::inference);
        for (size_t k = 0; k < no; ++k) scatter_samples(output(k), output_spec(k), b0, result[k]);
    }
    return result;
}

template <typename T>
Tensor<T> Model<T>::predict(const Tensor<T>& x, Index batch_size) {
    if (output_nodes_.size() != 1)
        throw std::invalid_argument("predict: the model has several outputs; pass a Dataset");
    return std::move(predict(TensorDataset<T>({&x}), batch_size)[0]);
}

template <typename T>
double Model<T>::evaluate(const Dataset<T>& data, Index batch_size) {
    data.check(input_specs(), output_specs(), "evaluate");
    if (losses_.size() != output_nodes_.size())
        throw std::logic_error("Model: call compile() before evaluate()");
    std::vector<Tensor<T>> pred = predict(data, batch_size);
    double total = 0;
    for (size_t k = 0; k < pred.size(); ++k)
        total += loss_weights_[k] *
                 compute_loss<T>(losses_[k], pred[k], collect_targets(data, k), nullptr);
    return total;
}

template <typename T>
double Model<T>::evaluate(const Tensor<T>& x, const Tensor<T>& y, Index batch_size) {
    return evaluate(TensorDataset<T>({&x}, {&y}), batch_size);
}

template class Model<float>;
template class Model<double>;

}  // namespace recur
