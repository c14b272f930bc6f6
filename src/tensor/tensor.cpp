#include "recur/tensor/tensor.hpp"

namespace recur {

std::string shape_to_string(const std::vector<Index>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + ")";
}

}  // namespace recur
