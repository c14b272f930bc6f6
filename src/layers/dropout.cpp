#include "recur/layers/dropout.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace recur {

template <typename T>
ShapeSpec Dropout<T>::build(const ShapeSpec& input, Rng&) {
    if (rate_ < 0.0 || rate_ >= 1.0)
        throw std::invalid_argument("Dropout rate must be in [0, 1), got " + std::to_string(rate_));
    this->input_spec_ = this->output_spec_ = input;
    this->built_ = true;
    return input;
}

template <typename T>
void Dropout<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) {
    y.resize(x.shape());
    if (mode != Mode::training || rate_ == 0.0) {
        mask_.resize({0});
        std::copy(x.data(), x.data() + x.size(), y.data());
        return;
    }
    mask_.resize(x.shape());
    T scale = T(1.0 / (1.0 - rate_));
    for (Index i = 0; i < x.size(); ++i) {
        mask_[i] = this->rng_.uniform() < rate_ ? T(0) : scale;
        y[i] = x[i] * mask_[i];
    }
}

template <typename T>
void Dropout<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    if (!dx) return;
    dx->resize(dy.shape());
    if (mask_.empty()) {
        std::copy(dy.data(), dy.data() + dy.size(), dx->data());
        return;
    }
    for (Index i = 0; i < dy.size(); ++i) (*dx)[i] = dy[i] * mask_[i];
}

template <typename T>
std::string Dropout<T>::config_json() const {
    return nlohmann::json{{"rate", rate_}}.dump();
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace recur
