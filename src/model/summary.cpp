// Keras 2.2's Sequential summary table: 65 columns, fields ending at 29 / 55 / 65
// (keras.utils.print_summary with positions [.45, .85, 1.]).
#include <sstream>

#include "recur/model/sequential.hpp"

namespace recur {
namespace {

std::string with_commas(Index n) {
    std::string digits = std::to_string(n), out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (count && count % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++count;
    }
    return out;
}

std::string row(const std::string& a, const std::string& b, const std::string& c) {
    const size_t pos[3] = {29, 55, 65};
    const std::string* fields[3] = {&a, &b, &c};
    std::string line;
    for (int i = 0; i < 3; ++i) {
        if (i > 0) line.back() = ' ';
        line += *fields[i];
        line = line.substr(0, pos[i]);
        line.append(pos[i] - line.size(), ' ');
    }
    return line;
}

}  // namespace

template <typename T>
std::string Sequential<T>::summary() const {
    std::ostringstream os;
    const std::string under(65, '_'), equals(65, '=');
    os << under << '\n' << row("Layer (type)", "Output Shape", "Param #") << '\n' << equals << '\n';
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Layer<T>& l = *layers_[i];
        os << row(l.name() + " (" + l.kind() + ")", l.output_spec().keras_string(),
                  std::to_string(l.param_count()))
           << '\n'
           << (i + 1 == layers_.size() ? equals : under) << '\n';
    }
    Index total = param_count(), trainable = trainable_param_count();
    os << "Total params: " << with_commas(total) << '\n'
       << "Trainable params: " << with_commas(trainable) << '\n'
       << "Non-trainable params: " << with_commas(total - trainable) << '\n'
       << under << '\n';
    return os.str();
}

template std::string Sequential<float>::summary() const;
template std::string Sequential<double>::summary() const;

}  // namespace recur
