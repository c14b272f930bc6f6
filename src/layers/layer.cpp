#include "recur/layers/layer.hpp"

#include <stdexcept>

namespace recur {

std::vector<Index> ShapeSpec::batch_shape(Index b) const {
    switch (kind) {
        case Kind::vector:
            return {b, features};
        case Kind::sequence:
            return {steps, b, features};
        case Kind::ids:
            return {steps, b};
    }
    return {};
}

std::string ShapeSpec::keras_string() const {
    switch (kind) {
        case Kind::vector:
            return "(None, " + std::to_string(features) + ")";
        case Kind::sequence:
            return "(None, " + std::to_string(steps) + ", " + std::to_string(features) + ")";
        case Kind::ids:
            return "(None, " + std::to_string(steps) + ")";
    }
    return "";
}

template <typename T>
ShapeSpec Layer<T>::build_multi(const std::vector<ShapeSpec>& inputs, Rng& rng) {
    if (inputs.size() != 1)
        throw std::invalid_argument(kind() + " layer '" + name_ + "' takes one input, got " +
                                    std::to_string(inputs.size()));
    return build(inputs[0], rng);
}

template <typename T>
void Layer<T>::forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode mode) {
    forward(*xs[0], y, mode);
}

template <typename T>
void Layer<T>::backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs) {
    backward(dy, dxs[0]);
}

template <typename T>
std::vector<ShapeSpec> Layer<T>::build_outputs(const std::vector<ShapeSpec>& inputs, Rng& rng) {
    return {build_multi(inputs, rng)};
}

template <typename T>
void Layer<T>::forward_outputs(const std::vector<const Tensor<T>*>& xs,
                               const std::vector<Tensor<T>*>& ys, Mode mode) {
    forward_multi(xs, *ys[0], mode);
}

template <typename T>
void Layer<T>::backward_outputs(const std::vector<const Tensor<T>*>& dys,
                                const std::vector<Tensor<T>*>& dxs) {
    backward_multi(*dys[0], dxs);
}

template <typename T>
std::vector<const Param<T>*> Layer<T>::params() const {
    auto mutable_params = const_cast<Layer<T>*>(this)->params();
    return {mutable_params.begin(), mutable_params.end()};
}

template <typename T>
Index Layer<T>::param_count() const {
    Index n = 0;
    for (const Param<T>* p : params()) n += p->value.size();
    return n;
}

template <typename T>
Index Layer<T>::trainable_param_count() const {
    Index n = 0;
    for (const Param<T>* p : params())
        if (p->trainable) n += p->value.size();
    return n;
}

template <typename T>
void Layer<T>::set_trainable(bool trainable) {
    for (Param<T>* p : params()) p->trainable = trainable;
}

template class Layer<float>;
template class Layer<double>;

}  // namespace recur
