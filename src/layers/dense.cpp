#include "recur/layers/dense.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "layers/initializers.hpp"
#include "tensor/gemm.hpp"

namespace recur {

template <typename T>
ShapeSpec Dense<T>::build(const ShapeSpec& input, Rng& rng) {
    if (input.kind == ShapeSpec::Kind::ids)
        throw std::invalid_argument("Dense cannot take integer ids; put an Embedding first");
    Index in = input.features, units = options_.units();
    kernel_.value.resize({in, units});
    init::glorot_uniform(kernel_.value, rng);
    kernel_.grad.assign({in, units}, T(0));
    if (options_.use_bias()) {
        bias_.value.assign({units}, T(0));
        bias_.grad.assign({units}, T(0));
    }
    this->input_spec_ = input;
    this->output_spec_ = input;
    this->output_spec_.features = units;
    this->built_ = true;
    return this->output_spec_;
}

template <typename T>
void Dense<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode) {
    Index units = options_.units();
    std::vector<Index> shape = x.shape();
    shape.back() = units;
    y.resize(shape);
    auto ym = y.matrix();
    gemm(mat(x.matrix()), Op::none, mat(kernel_.value.matrix()), Op::none, mat(ym), false);
    if (options_.use_bias())
        ym.rowwise() +=
            Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias_.value.data(), units);
    activate_inplace(options_.activation(), y.data(), y.size());
    x_ = &x;
    y_ = &y;
}

template <typename T>
void Dense<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    dpre_.resize(dy.shape());
    std::copy(dy.data(), dy.data() + dy.size(), dpre_.data());
    scale_by_activation_grad(options_.activation(), y_->data(), dpre_.data(), dpre_.size());
    backward_preactivation(dpre_, dx);
}

template <typename T>
void Dense<T>::backward_preactivation(const Tensor<T>& dpre, Tensor<T>* dx) {
    auto d = dpre.matrix();
    if (kernel_.trainable) {
        gemm(mat(x_->matrix()), Op::transpose, mat(d), Op::none, mat(kernel_.grad.matrix()), true);
        if (options_.use_bias())
            Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias_.grad.data(), options_.units())
                .noalias() += d.colwise().sum();
    }
    if (dx) {
        dx->resize(x_->shape());
        gemm(mat(d), Op::none, mat(kernel_.value.matrix()), Op::transpose, mat(dx->matrix()),
             false);
    }
}

template <typename T>
std::vector<Param<T>*> Dense<T>::params() {
    if (options_.use_bias()) return {&kernel_, &bias_};
    return {&kernel_};
}

template <typename T>
std::string Dense<T>::config_json() const {
    nlohmann::json j = {{"units", options_.units()},
                        {"activation", activation_name(options_.activation())},
                        {"use_bias", options_.use_bias()}};
    return j.dump();
}

template <typename T>
void Dense<T>::set_weights_pytorch(const Tensor<T>& weight, const Tensor<T>* bias) {
    Index units = options_.units(), in = kernel_.value.dim(0);
    if (weight.rank() != 2 || weight.dim(0) != units || weight.dim(1) != in)
        throw std::invalid_argument("Dense: weight has shape " + shape_to_string(weight.shape()) +
                                    ", expected " + shape_to_string({units, in}));
    for (Index i = 0; i < in; ++i)
        for (Index u = 0; u < units; ++u) kernel_.value.at(i, u) = weight.at(u, i);
    if (bias) {
        if (bias->size() != units || !options_.use_bias())
            throw std::invalid_argument("Dense: bias does not match the layer");
        std::copy(bias->data(), bias->data() + units, bias_.value.data());
    }
}

template class Dense<float>;
template class Dense<double>;

}  // namespace recur
