#include "recur/layers/concatenate.hpp"

#include <stdexcept>

namespace recur {

template <typename T>
ShapeSpec Concatenate<T>::build_multi(const std::vector<ShapeSpec>& inputs, Rng&) {
    if (inputs.empty()) throw std::invalid_argument("Concatenate needs at least one input");
    const ShapeSpec& first = inputs[0];
    widths_.clear();
    Index total = 0;
    for (const ShapeSpec& s : inputs) {
        if (s.kind == ShapeSpec::Kind::ids)
            throw std::invalid_argument("Concatenate: cannot concatenate integer ids " +
                                        s.keras_string() + " (embed them first)");
        if (s.kind != first.kind || s.steps != first.steps) {
            std::string all;
            for (const ShapeSpec& t : inputs) all += (all.empty() ? "" : ", ") + t.keras_string();
            throw std::invalid_argument(
                "Concatenate: inputs must all be vectors or all sequences of the same length, "
                "got " +
                all);
        }
        widths_.push_back(s.features);
        total += s.features;
    }
    this->input_spec_ = first;
    this->output_spec_ =
        first.is_sequence() ? ShapeSpec::sequence(first.steps, total) : ShapeSpec::vector(total);
    this->built_ = true;
    return this->output_spec_;
}

template <typename T>
void Concatenate<T>::forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode) {
    const Index rows = xs[0]->rows(), width = this->output_spec_.features;
    std::vector<Index> shape = xs[0]->shape();
    shape.back() = width;
    y.resize(shape);
    Index offset = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Index w = widths_[i];
        if (xs[i]->rows() != rows || xs[i]->cols() != w)
            throw std::invalid_argument("Concatenate: input " + std::to_string(i) + " has shape " +
                                        shape_to_string(xs[i]->shape()));
        StridedMap<T>(y.data() + offset, rows, w, Eigen::OuterStride<>(width)) = xs[i]->matrix();
        offset += w;
    }
}

template <typename T>
void Concatenate<T>::backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs) {
    const Index rows = dy.rows(), width = dy.cols();
    Index offset = 0;
    for (std::size_t i = 0; i < dxs.size(); ++i) {
        const Index w = widths_[i];
        if (dxs[i]) {
            std::vector<Index> shape = dy.shape();
            shape.back() = w;
            dxs[i]->resize(shape);
            dxs[i]->matrix() =
                ConstStridedMap<T>(dy.data() + offset, rows, w, Eigen::OuterStride<>(width));
        }
        offset += w;
    }
}

template <typename T>
ShapeSpec Concatenate<T>::build(const ShapeSpec& input, Rng& rng) {
    return build_multi({input}, rng);
}

template <typename T>
void Concatenate<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) {
    forward_multi({&x}, y, mode);
}

template <typename T>
void Concatenate<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    backward_multi(dy, {dx});
}

template <typename T>
std::string Concatenate<T>::config_json() const {
    return R"({"axis":-1})";
}

template class Concatenate<float>;
template class Concatenate<double>;

}  // namespace recur
