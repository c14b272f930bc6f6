// recur/layers/activation.hpp — element-wise activations and their derivatives.
//
// Every derivative is written in terms of the activation's *output* y = f(x), so the forward
// pass stores only post-activation values (llm.c style: forward writes what backward needs).
//   sigmoid       y = 1 / (1 + e^-x)          dy/dx = y (1 - y)
//   tanh          y = tanh x                  dy/dx = 1 - y^2
//   relu          y = max(0, x)               dy/dx = [y > 0]
//   hard_sigmoid  y = clip(0.2 x + 0.5, 0, 1) dy/dx = 0.2 [0 < y < 1]   (Keras 2.x definition)
//   linear        y = x                       dy/dx = 1
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "recur/tensor/tensor.hpp"

namespace recur {

enum class Activation { linear, relu, tanh, sigmoid, hard_sigmoid };

std::string activation_name(Activation a);
Activation activation_from_name(const std::string& name);  // throws std::invalid_argument

template <typename T>
inline T activate(Activation a, T x) {
    switch (a) {
        case Activation::linear:
            return x;
        case Activation::relu:
            return x > T(0) ? x : T(0);
        case Activation::tanh:
            return std::tanh(x);
        case Activation::sigmoid:
            // Split on the sign so exp never overflows.
            if (x >= T(0))
                return T(1) / (T(1) + std::exp(-x));
            else {
                T e = std::exp(x);
                return e / (T(1) + e);
            }
        case Activation::hard_sigmoid:
            return std::clamp(T(0.2) * x + T(0.5), T(0), T(1));
    }
    return x;
}

template <typename T>
inline T activation_grad_from_output(Activation a, T y) {
    switch (a) {
        case Activation::linear:
            return T(1);
        case Activation::relu:
            return y > T(0) ? T(1) : T(0);
        case Activation::tanh:
            return T(1) - y * y;
        case Activation::sigmoid:
            return y * (T(1) - y);
        case Activation::hard_sigmoid:
            return (y > T(0) && y < T(1)) ? T(0.2) : T(0);
    }
    return T(1);
}

// In place over a contiguous run; the switch sits outside the loop so each loop vectorises.
template <typename T>
void activate_inplace(Activation a, T* p, Index n);

// g[i] *= f'(x_i) given y[i] = f(x_i).
template <typename T>
void scale_by_activation_grad(Activation a, const T* y, T* g, Index n);

}  // namespace recur
