// Keras 2.2's model summary (keras.utils.print_summary). A chain of layers prints the 65-column
// table with fields ending at 29 / 55 / 65 (positions [.45, .85, 1.]); any other graph the
// 98-column table with a "Connected to" column, fields ending at 32 / 53 / 65 / 98 (positions
// [.33, .55, .67, 1.]), one row per inbound node and its inputs listed as "name[0][0]".
#include <algorithm>
#include <sstream>
#include <vector>

#include "recur/model/model.hpp"

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

// Keras print_row: each field is appended, cut at its end position and padded to it; the
// character before each later field is a space.
std::string row(const std::vector<std::string>& fields, const std::vector<size_t>& pos) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) line.back() = ' ';
        line += fields[i];
        line = line.substr(0, pos[i]);
        line.append(pos[i] - line.size(), ' ');
    }
    return line;
}

}  // namespace

template <typename T>
std::string Model<T>::summary() const {
    // Keras's test (print_summary): a chain has one layer call per depth (depth 0 = the calls
    // producing the outputs, +1 per step towards the inputs; calls no output depends on are not
    // counted) and no call with several inputs. A call is an input or a layer (all its outputs).
    auto call_of = [&](int id) { return id - nodes_[static_cast<size_t>(id)].slot; };
    std::vector<int> depth(nodes_.size(), -1);
    for (int id : output_nodes_) depth[static_cast<size_t>(call_of(id))] = 0;
    for (size_t id = nodes_.size(); id-- > 0;) {
        if (depth[id] < 0 || nodes_[id].slot > 0) continue;
        for (int in : nodes_[id].inputs) {
            int& d = depth[static_cast<size_t>(call_of(in))];
            d = std::max(d, depth[id] + 1);
        }
    }
    std::vector<int> calls_at(nodes_.size() + 1, 0);
    bool chain = true;
    for (size_t id = 0; id < nodes_.size(); ++id) {
        if (depth[id] < 0 || nodes_[id].slot > 0) continue;
        chain = chain && nodes_[id].inputs.size() <= 1 &&
                ++calls_at[static_cast<size_t>(depth[id])] == 1;
    }
    chain = chain || sequential_;
    const std::vector<size_t> pos =
        chain ? std::vector<size_t>{29, 55, 65} : std::vector<size_t>{32, 53, 65, 98};
    std::vector<std::string> head = {"Layer (type)", "Output Shape", "Param #"};
    if (!chain) head.push_back("Connected to");
    const std::string under(pos.back(), '_'), equals(pos.back(), '=');

    // Rows: every node in creation order; a Sequential leaves out its input (as Keras does).
    // A layer with several outputs is one row, its output shapes listed: "[(None, 3), (None, 3)]".
    std::vector<size_t> shown;
    for (size_t id = 0; id < nodes_.size(); ++id)
        if ((nodes_[id].layer >= 0 || !sequential_) && nodes_[id].slot == 0) shown.push_back(id);
    auto shape_of = [&](size_t id) {
        const int layer = nodes_[id].layer;
        const size_t outs =
            layer < 0 ? 1 : static_cast<size_t>(layers_[static_cast<size_t>(layer)]->num_outputs());
        if (outs == 1) return nodes_[id].spec.keras_string();
        std::string list = "[";
        for (size_t s = 0; s < outs; ++s)
            list += (s ? ", " : "") + nodes_[id + s].spec.keras_string();
        return list + "]";
    };
    // Keras's "name[node][tensor]": node is always 0 here (each layer is called once).
    auto connected = [&](int id) {
        const Node& src = nodes_[static_cast<size_t>(id)];
        return src.name + "[0][" + std::to_string(src.slot) + "]";
    };

    std::ostringstream os;
    os << under << '\n' << row(head, pos) << '\n' << equals << '\n';
    for (size_t r = 0; r < shown.size(); ++r) {
        const Node& n = nodes_[shown[r]];
        const std::string kind = n.layer >= 0 ? layers_[static_cast<size_t>(n.layer)]->kind()
                                              : std::string("InputLayer");
        const Index count =
            n.layer >= 0 ? layers_[static_cast<size_t>(n.layer)]->param_count() : Index(0);
        std::vector<std::string> fields = {n.name + " (" + kind + ")", shape_of(shown[r]),
                                           std::to_string(count)};
        if (!chain) fields.push_back(n.inputs.empty() ? "" : connected(n.inputs[0]));
        os << row(fields, pos) << '\n';
        for (size_t s = 1; !chain && s < n.inputs.size(); ++s)
            os << row({"", "", "", connected(n.inputs[s])}, pos) << '\n';
        os << (r + 1 == shown.size() ? equals : under) << '\n';
    }
    Index total = param_count(), trainable = trainable_param_count();
    os << "Total params: " << with_commas(total) << '\n'
       << "Trainable params: " << with_commas(trainable) << '\n'
       << "Non-trainable params: " << with_commas(total - trainable) << '\n'
       << under << '\n';
    return os.str();
}

template std::string Model<float>::summary() const;
template std::string Model<double>::summary() const;

}  // namespace recur
