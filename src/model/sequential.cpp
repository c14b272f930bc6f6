// Sequential: a Model whose layers form a chain from one input to one output.
#include "recur/model/sequential.hpp"

#include <stdexcept>

namespace recur {

template <typename T>
Sequential<T>::Sequential(ShapeSpec input, std::uint64_t seed) : Model<T>(seed) {
    this->sequential_ = true;
    last_ = Model<T>::input("input", input);
}

template <typename T>
Layer<T>& Sequential<T>::add(std::unique_ptr<Layer<T>> layer) {
    Layer<T>& ref = *layer;
    last_ = Model<T>::add(std::move(layer), {last_});
    this->set_outputs({last_});
    return ref;
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace recur
