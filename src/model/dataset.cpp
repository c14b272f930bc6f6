// TensorDataset and the samples-first <-> time-major batch conversion.
#include "recur/model/dataset.hpp"

#include <cmath>
#include <stdexcept>

namespace recur {

namespace {
Index per_sample(const ShapeSpec& s) {
    return s.kind == ShapeSpec::Kind::vector ? s.features : s.steps * s.features;
}
std::string samples_first(const ShapeSpec& s) {  // "(N, 63, 1)"
    return "(N, " + s.keras_string().substr(7);
}
}  // namespace

template <typename T>
void gather_samples(const Tensor<T>& data, const ShapeSpec& spec, const Index* index, Index n,
                    Tensor<T>& batch) {
    const Index per = per_sample(spec);
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
void scatter_samples(const Tensor<T>& batch, const ShapeSpec& spec, Index offset, Tensor<T>& data) {
    const Index per = per_sample(spec);
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

template <typename T>
TensorDataset<T>::TensorDataset(std::vector<const Tensor<T>*> inputs,
                                std::vector<const Tensor<T>*> targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
    for (const auto* t : inputs_)
        if (!t) throw std::invalid_argument("TensorDataset: null input array");
    for (const auto* t : targets_)
        if (!t) throw std::invalid_argument("TensorDataset: null target array");
}

template <typename T>
Index TensorDataset<T>::size() const {
    return inputs_.empty() || inputs_[0]->rank() < 1 ? 0 : inputs_[0]->dim(0);
}

template <typename T>
void TensorDataset<T>::gather_input(std::size_t k, const ShapeSpec& spec, const Index* index,
                                    Index n, Tensor<T>& batch) const {
    gather_samples(*inputs_[k], spec, index, n, batch);
}

template <typename T>
void TensorDataset<T>::gather_target(std::size_t k, const ShapeSpec& spec, const Index* index,
                                     Index n, Tensor<T>& batch) const {
    gather_samples(*targets_[k], spec, index, n, batch);
}

template <typename T>
void TensorDataset<T>::check(const std::vector<ShapeSpec>& inputs,
                             const std::vector<ShapeSpec>& outputs, const std::string& what) const {
    if (inputs_.size() != inputs.size())
        throw std::invalid_argument(what + ": the model has " + std::to_string(inputs.size()) +
                                    " inputs, got " + std::to_string(inputs_.size()) + " arrays");
    if (!outputs.empty() && targets_.size() != outputs.size())
        throw std::invalid_argument(what + ": the model has " + std::to_string(outputs.size()) +
                                    " outputs, got " + std::to_string(targets_.size()) +
                                    " target arrays");
    const Index n = size();
    if (n == 0) throw std::invalid_argument(what + ": no samples");
    const bool multi = inputs.size() > 1;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const Tensor<T>& x = *inputs_[k];
        const std::string name = multi ? "input " + std::to_string(k) : std::string("inputs");
        const Index per = per_sample(inputs[k]);
        if (x.rank() < 1 || x.dim(0) != n || x.size() != n * per)
            throw std::invalid_argument(what + ": " + name + " have shape " +
                                        shape_to_string(x.shape()) + ", the model expects " +
                                        samples_first(inputs[k]) +
                                        (k > 0 ? " with " + std::to_string(n) + " samples" : ""));
        for (Index i = 0; i < x.size(); ++i)
            if (!std::isfinite(static_cast<double>(x[i])))
                throw std::invalid_argument(
                    what + ": " + (multi ? name + ", " : std::string("input ")) + "sample " +
                    std::to_string(i / per) + " contains " +
                    (std::isnan(static_cast<double>(x[i])) ? "NaN" : "inf"));
    }
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        const Tensor<T>& y = *targets_[k];
        const Index per = per_sample(outputs[k]);
        if (y.rank() < 1 || y.dim(0) != n || y.size() != n * per)
            throw std::invalid_argument(what + ": targets have shape " +
                                        shape_to_string(y.shape()) + ", the model outputs " +
                                        samples_first(outputs[k]) + " for " + std::to_string(n) +
                                        " samples");
        for (Index i = 0; i < y.size(); ++i)
            if (!std::isfinite(static_cast<double>(y[i])))
                throw std::invalid_argument(what + ": target of sample " + std::to_string(i / per) +
                                            " is not finite");
    }
}

template class TensorDataset<float>;
template class TensorDataset<double>;
template void gather_samples<float>(const Tensor<float>&, const ShapeSpec&, const Index*, Index,
                                    Tensor<float>&);
template void gather_samples<double>(const Tensor<double>&, const ShapeSpec&, const Index*, Index,
                                     Tensor<double>&);
template void scatter_samples<float>(const Tensor<float>&, const ShapeSpec&, Index, Tensor<float>&);
template void scatter_samples<double>(const Tensor<double>&, const ShapeSpec&, Index,
                                      Tensor<double>&);

}  // namespace recur
