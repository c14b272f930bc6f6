#include <fstream>
#include <stdexcept>

#include "recur/model/sequential.hpp"

namespace recur {

const std::vector<double>& History::operator[](const std::string& key) const {
    for (size_t k = 0; k < keys.size(); ++k)
        if (keys[k] == key) return values[k];
    throw std::out_of_range("History has no key '" + key + "'");
}

void History::add(const Logs& logs, double secs) {
    const size_t epoch = seconds.size();
    for (const auto& [key, value] : logs) {
        size_t k = 0;
        while (k < keys.size() && keys[k] != key) ++k;
        if (k == keys.size()) {
            keys.push_back(key);
            values.emplace_back(epoch, std::nan(""));  // missing in earlier epochs
        }
        values[k].push_back(value);
    }
    for (auto& column : values)
        if (column.size() < epoch + 1) column.push_back(std::nan(""));
    seconds.push_back(secs);
}

void History::write_csv(const std::string& path) const {
    std::ofstream out(path);
    if (!out) throw std::runtime_error("cannot write history to " + path);
    out << "epoch";
    for (const auto& k : keys) out << ',' << k;
    out << ",seconds\n";
    out.precision(10);
    for (size_t e = 0; e < seconds.size(); ++e) {
        out << e + 1;
        for (const auto& column : values) out << ',' << column[e];
        out << ',' << seconds[e] << '\n';
    }
}

}  // namespace recur
