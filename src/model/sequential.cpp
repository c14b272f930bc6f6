// Sequential: layer bookkeeping, batch layout conversion, forward / backward over the stack.
#include "recur/model/sequential.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

#include "recur/layers/dense.hpp"

namespace recur {

template <typename T>
Sequential<T>::Sequential(ShapeSpec input, std::uint64_t seed) : input_(input), rng_(seed) {}
template <typename T>
Sequential<T>::Sequential(Sequential&&) noexcept = default;
template <typename T>
Sequential<T>& Sequential<T>::operator=(Sequential&&) noexcept = default;
template <typename T>
Sequential<T>::~Sequential() = default;

namespace {
// Keras 2.2 auto-names: class name in snake_case plus a per-model counter ("lstm_1").
std::string snake_case(const std::string& kind) {
    if (kind == "SimpleRNN") return "simple_rnn";
    if (kind == "LSTM") return "lstm";
    if (kind == "GRU") return "gru";
    std::string out;
    for (size_t i = 0; i < kind.size(); ++i) {
        char c = kind[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (i) out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}
}  // namespace

template <typename T>
Layer<T>& Sequential<T>::add(std::unique_ptr<Layer<T>> layer) {
    if (layer->name().empty()) {
        std::string base = snake_case(layer->kind()), name;
        auto taken = [&](const std::string& n) {
            for (const auto& l : layers_)
                if (l->name() == n) return true;
            return false;
        };
        for (int count = 1; name.empty() || taken(name); ++count)
            name = base + "_" + std::to_string(count);
        layer->set_name(name);
    }
    ShapeSpec in = layers_.empty() ? input_ : layers_.back()->output_spec();
    layer->build(in, rng_);
    layer->seed_rng(rng_.split());
    layers_.push_back(std::move(layer));
    acts_.resize(layers_.size());
    grads_.resize(layers_.size());
    return *layers_.back();
}

template <typename T>
ShapeSpec Sequential<T>::output_spec() const {
    return layers_.empty() ? input_ : layers_.back()->output_spec();
}

template <typename T>
void Sequential<T>::compile(Loss loss, OptimizerOptions optimizer) {
    loss_ = loss;
    optimizer_ = make_optimizer<T>(std::move(optimizer));
}

template <typename T>
bool Sequential<T>::fused_sigmoid_bce() const {
    if (loss_ != Loss::bce || layers_.empty()) return false;
    auto* dense = dynamic_cast<const Dense<T>*>(layers_.back().get());
    return dense && dense->options().activation() == Activation::sigmoid;
}

template <typename T>
const Tensor<T>& Sequential<T>::forward(const Tensor<T>& x_batch, Mode mode) {
    if (layers_.empty()) throw std::logic_error("Sequential: the model has no layers");
    const Tensor<T>* in = &x_batch;
    for (size_t i = 0; i < layers_.size(); ++i) {
        layers_[i]->forward(*in, acts_[i], mode);
        in = &acts_[i];
    }
    return acts_.back();
}

template <typename T>
void Sequential<T>::backward(const Tensor<T>& dloss) {
    const Tensor<T>* dy = &dloss;
    for (size_t i = layers_.size(); i-- > 0;) {
        Tensor<T>* dx = i > 0 ? &grads_[i - 1] : nullptr;
        // train_on_batch hands the last Dense(sigmoid) dL/dlogit directly (fused BCE).
        if (i == layers_.size() - 1 && dloss_is_logit_grad_)
            static_cast<Dense<T>*>(layers_[i].get())->backward_preactivation(dloss, dx);
        else
            layers_[i]->backward(*dy, dx);
        if (dx) dy = dx;
    }
}

template <typename T>
void Sequential<T>::zero_grad() {
    for (Param<T>* p : params())
        if (p->trainable) p->grad.zero();
}

template <typename T>
std::vector<Param<T>*> Sequential<T>::params() {
    std::vector<Param<T>*> out;
    for (auto& l : layers_)
        for (Param<T>* p : l->params()) out.push_back(p);
    return out;
}

template <typename T>
Index Sequential<T>::param_count() const {
    Index n = 0;
    for (const auto& l : layers_) n += l->param_count();
    return n;
}

template <typename T>
Index Sequential<T>::trainable_param_count() const {
    Index n = 0;
    for (const auto& l : layers_) n += l->trainable_param_count();
    return n;
}

template <typename T>
std::vector<Tensor<T>> Sequential<T>::get_weights() const {
    std::vector<Tensor<T>> out;
    for (const auto& l : layers_)
        for (const Param<T>* p : static_cast<const Layer<T>&>(*l).params()) out.push_back(p->value);
    return out;
}

template <typename T>
void Sequential<T>::set_weights(const std::vector<Tensor<T>>& weights) {
    auto ps = params();
    if (ps.size() != weights.size())
        throw std::invalid_argument("set_weights: model has " + std::to_string(ps.size()) +
                                    " weight tensors, got " + std::to_string(weights.size()));
    for (size_t i = 0; i < ps.size(); ++i) {
        if (ps[i]->value.shape() != weights[i].shape())
            throw std::invalid_argument("set_weights: tensor " + std::to_string(i) + " (" +
                                        ps[i]->name + ") has shape " +
                                        shape_to_string(ps[i]->value.shape()) + ", got " +
                                        shape_to_string(weights[i].shape()));
        ps[i]->value = weights[i];
    }
}

template <typename T>
void Sequential<T>::gather_batch(const Tensor<T>& data, const ShapeSpec& spec, const Index* index,
                                 Index n, Tensor<T>& batch) {
    const Index per =
        spec.kind == ShapeSpec::Kind::vector ? spec.features : spec.steps * spec.features;
    batch.resize(spec.batch_shape(n));
    if (spec.kind == ShapeSpec::Kind::vector) {
        for (Index j = 0; j < n; ++j) {
            const T* src = data.data() + index[j] * per;
            std::copy(src, src + per, batch.data() + j * per);
        }
        return;
    }
    const Index f = spec.features;  // (N, T, F) -> (T, n, F)
    for (Index j = 0; j < n; ++j) {
        const T* src = data.data() + index[j] * per;
        for (Index t = 0; t < spec.steps; ++t)
            std::copy(src + t * f, src + (t + 1) * f, batch.data() + (t * n + j) * f);
    }
}

template <typename T>
void Sequential<T>::scatter_batch(const Tensor<T>& batch, const ShapeSpec& spec, Index offset,
                                  Tensor<T>& data) {
    const Index per =
        spec.kind == ShapeSpec::Kind::vector ? spec.features : spec.steps * spec.features;
    if (spec.kind == ShapeSpec::Kind::vector) {
        std::copy(batch.data(), batch.data() + batch.size(), data.data() + offset * per);
        return;
    }
    const Index f = spec.features, n = batch.dim(1);
    for (Index j = 0; j < n; ++j)
        for (Index t = 0; t < spec.steps; ++t) {
            const T* src = batch.data() + (t * n + j) * f;
            std::copy(src, src + f, data.data() + (offset + j) * per + t * f);
        }
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace recur
