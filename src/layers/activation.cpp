#include "recur/layers/activation.hpp"

#include <Eigen/Core>
#include <stdexcept>

namespace recur {

std::string activation_name(Activation a) {
    switch (a) {
        case Activation::linear:
            return "linear";
        case Activation::relu:
            return "relu";
        case Activation::tanh:
            return "tanh";
        case Activation::sigmoid:
            return "sigmoid";
        case Activation::hard_sigmoid:
            return "hard_sigmoid";
    }
    return "linear";
}

Activation activation_from_name(const std::string& name) {
    if (name == "linear" || name == "none" || name.empty()) return Activation::linear;
    if (name == "relu") return Activation::relu;
    if (name == "tanh") return Activation::tanh;
    if (name == "sigmoid") return Activation::sigmoid;
    if (name == "hard_sigmoid") return Activation::hard_sigmoid;
    throw std::invalid_argument("unknown activation '" + name +
                                "' (expected linear, relu, tanh, sigmoid or hard_sigmoid)");
}

template <typename T>
void activate_inplace(Activation a, T* p, Index n) {
    switch (a) {
        case Activation::linear:
            return;
        case Activation::relu:
            for (Index i = 0; i < n; ++i) p[i] = p[i] > T(0) ? p[i] : T(0);
            return;
        // Eigen's vectorised tanh / logistic: ~50x faster than a libm call per element, which
        // otherwise dominates small recurrent layers (float: max error ~2.5e-7 vs double).
        case Activation::tanh: {
            Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> a(p, n);
            a = a.tanh();
            return;
        }
        case Activation::sigmoid: {
            Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> a(p, n);
            a = a.logistic();
            return;
        }
        case Activation::hard_sigmoid:
            for (Index i = 0; i < n; ++i) p[i] = std::clamp(T(0.2) * p[i] + T(0.5), T(0), T(1));
            return;
    }
}

template <typename T>
void scale_by_activation_grad(Activation a, const T* y, T* g, Index n) {
    switch (a) {
        case Activation::linear:
            return;
        case Activation::relu:
            for (Index i = 0; i < n; ++i) g[i] = y[i] > T(0) ? g[i] : T(0);
            return;
        case Activation::tanh:
            for (Index i = 0; i < n; ++i) g[i] *= T(1) - y[i] * y[i];
            return;
        case Activation::sigmoid:
            for (Index i = 0; i < n; ++i) g[i] *= y[i] * (T(1) - y[i]);
            return;
        case Activation::hard_sigmoid:
            for (Index i = 0; i < n; ++i)
                g[i] = (y[i] > T(0) && y[i] < T(1)) ? g[i] * T(0.2) : T(0);
            return;
    }
}

template void activate_inplace<float>(Activation, float*, Index);
template void activate_inplace<double>(Activation, double*, Index);
template void scale_by_activation_grad<float>(Activation, const float*, float*, Index);
template void scale_by_activation_grad<double>(Activation, const double*, double*, Index);

}  // namespace recur
