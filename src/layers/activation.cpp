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

namespace {
// g ⊙= hard_sigmoid'(from the output y): 0.2 inside (0, 1), else +0. GCC keeps the scalar select
// `inside ? g * 0.2 : 0` scalar, with branches (-ftrapping-math), so full packets go through
// Eigen's: the compare mask ANDed with g * 0.2 is the same select, bit for bit. y and g are the
// same buffer or do not overlap.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // Eigen packet types as template arguments
template <typename T>
void scale_by_hard_sigmoid_grad(const T* y, T* g, Index n) {
    Index i = 0;
    if constexpr (Eigen::internal::packet_traits<T>::Vectorizable) {
        namespace ei = Eigen::internal;
        using Packet = typename ei::packet_traits<T>::type;
        constexpr Index kLanes = ei::unpacket_traits<Packet>::size;
        const Packet zero = ei::pset1<Packet>(T(0)), one = ei::pset1<Packet>(T(1));
        const Packet slope = ei::pset1<Packet>(T(0.2));
        for (; i + kLanes <= n; i += kLanes) {
            const Packet yv = ei::ploadu<Packet>(y + i);
            const Packet inside = ei::pand(ei::pcmp_lt(zero, yv), ei::pcmp_lt(yv, one));
            ei::pstoreu(g + i, ei::pand(inside, ei::pmul(ei::ploadu<Packet>(g + i), slope)));
        }
    }
    for (; i < n; ++i) g[i] = (y[i] > T(0) && y[i] < T(1)) ? g[i] * T(0.2) : T(0);
}
#pragma GCC diagnostic pop
}  // namespace

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
            scale_by_hard_sigmoid_grad(y, g, n);
            return;
    }
}

template void activate_inplace<float>(Activation, float*, Index);
template void activate_inplace<double>(Activation, double*, Index);
template void scale_by_activation_grad<float>(Activation, const float*, float*, Index);
template void scale_by_activation_grad<double>(Activation, const double*, double*, Index);

}  // namespace recur
