#include "recur/layers/reshape.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace recur {

namespace {

Index per_sample(const ShapeSpec& s) {
    return s.is_sequence() ? s.steps * s.features : s.features;
}

// Position in a time-major batch of n samples of the value at samples-first offset p of sample j.
Index batch_offset(const ShapeSpec& s, Index n, Index j, Index p) {
    if (!s.is_sequence()) return j * s.features + p;
    const Index t = p / s.features, f = p % s.features;
    return (t * n + j) * s.features + f;
}

// Copies every value of `src` (laid out for `from`) to its place in `dst` (laid out for `to`).
template <typename T>
void relayout(const Tensor<T>& src, const ShapeSpec& from, const ShapeSpec& to, Index n,
              Tensor<T>& dst) {
    dst.resize(to.batch_shape(n));
    const bool plain =
        (!from.is_sequence() || from.steps == 1) && (!to.is_sequence() || to.steps == 1);
    if (plain) {  // both are (n, per-sample) in memory
        std::copy(src.data(), src.data() + src.size(), dst.data());
        return;
    }
    const Index per = per_sample(from);
    for (Index j = 0; j < n; ++j)
        for (Index p = 0; p < per; ++p)
            dst[batch_offset(to, n, j, p)] = src[batch_offset(from, n, j, p)];
}

}  // namespace

template <typename T>
ShapeSpec Reshape<T>::build(const ShapeSpec& input, Rng&) {
    if (input.kind == ShapeSpec::Kind::ids)
        throw std::invalid_argument(kind() + ": cannot reshape integer ids " +
                                    input.keras_string());
    for (Index d : target_)
        if (d < 1) throw std::invalid_argument("Reshape: target dimensions must be >= 1");
    ShapeSpec out;
    if (target_.size() == 1)
        out = ShapeSpec::vector(target_[0]);
    else if (target_.size() == 2)
        out = ShapeSpec::sequence(target_[0], target_[1]);
    else
        throw std::invalid_argument("Reshape: target shape must have 1 or 2 dimensions");
    if (per_sample(out) != per_sample(input))
        throw std::invalid_argument("Reshape: cannot reshape " + input.keras_string() + " (" +
                                    std::to_string(per_sample(input)) + " values) to " +
                                    out.keras_string());
    this->input_spec_ = input;
    this->output_spec_ = out;
    this->built_ = true;
    return out;
}

template <typename T>
void Reshape<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode) {
    const Index n = this->input_spec_.is_sequence() ? x.dim(1) : x.dim(0);
    relayout(x, this->input_spec_, this->output_spec_, n, y);
}

template <typename T>
void Reshape<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    if (!dx) return;
    const Index n = this->output_spec_.is_sequence() ? dy.dim(1) : dy.dim(0);
    relayout(dy, this->output_spec_, this->input_spec_, n, *dx);
}

template <typename T>
std::string Reshape<T>::config_json() const {
    return nlohmann::json{{"target_shape", target_}}.dump();
}

template <typename T>
ShapeSpec Flatten<T>::build(const ShapeSpec& input, Rng& rng) {
    this->target_ = {per_sample(input)};
    return Reshape<T>::build(input, rng);
}

template class Reshape<float>;
template class Reshape<double>;
template class Flatten<float>;
template class Flatten<double>;

}  // namespace recur
