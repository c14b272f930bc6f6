// Model: graph bookkeeping, forward over the nodes in creation order, backward in reverse.
#include "recur/model/model.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "recur/layers/dense.hpp"

namespace recur {

template <typename T>
Model<T>::Model(std::uint64_t seed) : rng_(seed) {}
template <typename T>
Model<T>::Model(Model&&) noexcept = default;
template <typename T>
Model<T>& Model<T>::operator=(Model&&) noexcept = default;
template <typename T>
Model<T>::~Model() = default;

namespace {
// Keras 2.2 auto-names: class name in snake_case plus a per-model counter ("lstm_1").
std::string snake_case(const std::string& kind) {
    if (kind == "SimpleRNN") return "simple_rnn";
    if (kind == "LSTM") return "lstm";
    if (kind == "GRU") return "gru";
    std::string out;
    for (size_t i = 0; i < kind.size(); ++i) {
        char c = kind[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (i) out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}
}  // namespace

template <typename T>
const typename Model<T>::Node& Model<T>::node_of(NodeRef r, const char* what) const {
    if (!r.valid() || r.id() >= static_cast<int>(nodes_.size()))
        throw std::invalid_argument(std::string(what) + ": not a node of this model");
    return nodes_[static_cast<size_t>(r.id())];
}

template <typename T>
NodeRef Model<T>::input(std::string name, ShapeSpec spec) {
    if (name.empty()) name = "input_" + std::to_string(input_nodes_.size() + 1);
    if (name.find(':') != std::string::npos)  // "name:k" names a layer's output k in files
        throw std::invalid_argument("Model::input: a name may not contain ':' ('" + name + "')");
    for (const Node& n : nodes_)
        if (n.name == name)
            throw std::invalid_argument("Model::input: the name '" + name + "' is taken");
    nodes_.push_back({name, spec, -1, {}, 0});
    consumers_.emplace_back();
    input_nodes_.push_back(static_cast<int>(nodes_.size() - 1));
    return NodeRef(static_cast<int>(nodes_.size() - 1));
}

template <typename T>
int Model<T>::add_layer(std::unique_ptr<Layer<T>> layer, const std::vector<NodeRef>& inputs) {
    if (inputs.empty()) throw std::invalid_argument("Model::add: a layer needs an input");
    if (static_cast<int>(inputs.size()) > layer->max_inputs())
        throw std::invalid_argument(layer->kind() + " takes " +
                                    std::to_string(layer->max_inputs()) + " input(s), got " +
                                    std::to_string(inputs.size()));
    auto taken = [&](const std::string& n) {
        for (const Node& node : nodes_)
            if (node.name == n) return true;
        return false;
    };
    if (layer->name().empty()) {
        std::string base = snake_case(layer->kind()), name;
        for (int count = 1; name.empty() || taken(name); ++count)
            name = base + "_" + std::to_string(count);
        layer->set_name(name);
    } else if (taken(layer->name())) {
        throw std::invalid_argument("Model::add: the name '" + layer->name() + "' is taken");
    } else if (layer->name().find(':') != std::string::npos) {
        throw std::invalid_argument("Model::add: a layer name may not contain ':' ('" +
                                    layer->name() + "')");
    }
    std::vector<ShapeSpec> specs;
    std::vector<int> ids;
    for (NodeRef r : inputs) {
        specs.push_back(node_of(r, "Model::add").spec);
        ids.push_back(r.id());
    }
    const std::vector<ShapeSpec> outs = layer->build_outputs(specs, rng_);
    if (static_cast<int>(outs.size()) != layer->num_outputs())
        throw std::logic_error(layer->kind() + "::build_outputs returned " +
                               std::to_string(outs.size()) + " shapes for " +
                               std::to_string(layer->num_outputs()) + " outputs");
    layer->seed_rng(rng_.split());
    const int first = static_cast<int>(nodes_.size());
    for (size_t s = 0; s < outs.size(); ++s) {
        nodes_.push_back(
            {layer->name(), outs[s], static_cast<int>(layers_.size()), ids, static_cast<int>(s)});
        consumers_.emplace_back();
    }
    for (int i : ids) consumers_[static_cast<size_t>(i)].push_back(first);
    layers_.push_back(std::move(layer));
    layer_node_.push_back(first);
    return first;
}

template <typename T>
NodeRef Model<T>::add(std::unique_ptr<Layer<T>> layer, const std::vector<NodeRef>& inputs) {
    if (layer->num_outputs() != 1)
        throw std::invalid_argument("Model::add: " + layer->kind() + " has " +
                                    std::to_string(layer->num_outputs()) +
                                    " outputs; add it with Model::add_outputs");
    return NodeRef(add_layer(std::move(layer), inputs));
}

template <typename T>
std::vector<NodeRef> Model<T>::add_outputs(std::unique_ptr<Layer<T>> layer,
                                           const std::vector<NodeRef>& inputs) {
    const int k = layer->num_outputs();
    const int first = add_layer(std::move(layer), inputs);
    std::vector<NodeRef> out;
    for (int s = 0; s < k; ++s) out.emplace_back(first + s);
    return out;
}

template <typename T>
std::string Model<T>::node_label(int id) const {
    const Node& n = nodes_[static_cast<size_t>(id)];
    return n.slot == 0 ? n.name : n.name + ":" + std::to_string(n.slot);
}

template <typename T>
void Model<T>::set_outputs(std::vector<NodeRef> outputs) {
    if (outputs.empty()) throw std::invalid_argument("Model::set_outputs: no outputs");
    std::vector<int> ids;
    for (NodeRef r : outputs) {
        if (node_of(r, "Model::set_outputs").layer < 0)
            throw std::invalid_argument("Model::set_outputs: an output must be a layer's output");
        if (std::find(ids.begin(), ids.end(), r.id()) != ids.end())
            throw std::invalid_argument("Model::set_outputs: a node is listed twice");
        ids.push_back(r.id());
    }
    output_nodes_ = std::move(ids);
    // Losses belong to outputs: a model whose outputs changed must be compiled again.
    losses_.clear();
    loss_weights_.clear();
    optimizer_.reset();
}

template <typename T>
void Model<T>::check_ready(const char* what) const {
    if (input_nodes_.empty())
        throw std::logic_error(std::string(what) + ": the model has no inputs");
    if (output_nodes_.empty())
        throw std::logic_error(std::string(what) + ": the model has no outputs (set_outputs)");
}

template <typename T>
void Model<T>::compile(Loss loss, OptimizerOptions optimizer) {
    compile(std::vector<Loss>(std::max<std::size_t>(1, output_nodes_.size()), loss),
            std::move(optimizer));
}

template <typename T>
void Model<T>::compile(std::vector<Loss> losses, OptimizerOptions optimizer,
                       std::vector<double> loss_weights) {
    check_ready("compile");
    if (losses.size() != output_nodes_.size())
        throw std::invalid_argument("compile: " + std::to_string(losses.size()) + " losses for " +
                                    std::to_string(output_nodes_.size()) + " outputs");
    if (loss_weights.empty()) loss_weights.assign(losses.size(), 1.0);
    if (loss_weights.size() != losses.size())
        throw std::invalid_argument("compile: one loss weight per output");
    losses_ = std::move(losses);
    loss_weights_ = std::move(loss_weights);
    optimizer_ = make_optimizer<T>(std::move(optimizer));
}

template <typename T>
bool Model<T>::fused_sigmoid_bce(std::size_t k) const {
    if (losses_.empty() || losses_[k] != Loss::bce) return false;
    const Node& n = nodes_[static_cast<size_t>(output_nodes_[k])];
    auto* dense = dynamic_cast<const Dense<T>*>(layers_[static_cast<size_t>(n.layer)].get());
    return dense && dense->options().activation() == Activation::sigmoid;
}

template <typename T>
void Model<T>::forward(const std::vector<const Tensor<T>*>& inputs, Mode mode) {
    check_ready("forward");
    if (inputs.size() != input_nodes_.size())
        throw std::invalid_argument("forward: the model has " +
                                    std::to_string(input_nodes_.size()) + " inputs, got " +
                                    std::to_string(inputs.size()));
    value_.assign(nodes_.size(), nullptr);
    acts_.resize(nodes_.size());
    for (size_t k = 0; k < inputs.size(); ++k)
        value_[static_cast<size_t>(input_nodes_[k])] = inputs[k];
    std::vector<const Tensor<T>*> xs;
    std::vector<Tensor<T>*> ys;
    for (size_t id = 0; id < nodes_.size(); ++id) {
        const Node& n = nodes_[id];
        if (n.layer < 0 || n.slot > 0) continue;  // outputs k >= 1 are written with output 0
        Layer<T>& layer = *layers_[static_cast<size_t>(n.layer)];
        xs.clear();
        for (int i : n.inputs) xs.push_back(value_[static_cast<size_t>(i)]);
        ys.clear();
        for (size_t s = 0; s < static_cast<size_t>(layer.num_outputs()); ++s) {
            ys.push_back(&acts_[id + s]);
            value_[id + s] = &acts_[id + s];
        }
        layer.forward_outputs(xs, ys, mode);
    }
}

template <typename T>
const Tensor<T>& Model<T>::output(std::size_t k) const {
    return *value_.at(static_cast<size_t>(output_nodes_.at(k)));
}

template <typename T>
void Model<T>::backward(const std::vector<const Tensor<T>*>& doutputs) {
    if (doutputs.size() != output_nodes_.size())
        throw std::invalid_argument("backward: one gradient per output");
    for (size_t k = 0; k < doutputs.size(); ++k)
        if (!doutputs[k] || doutputs[k]->shape() != output(k).shape())
            throw std::invalid_argument(
                "backward: the gradient of output " + std::to_string(k) + " has shape " +
                (doutputs[k] ? shape_to_string(doutputs[k]->shape()) : std::string("(null)")) +
                ", the output has shape " + shape_to_string(output(k).shape()));
    grads_.resize(nodes_.size());
    grad_set_.assign(nodes_.size(), 0);
    // Seeds: dL/d(output k). A node that is also read by later layers adds their gradients.
    std::vector<const Tensor<T>*> seed(nodes_.size(), nullptr);
    for (size_t k = 0; k < output_nodes_.size(); ++k) {
        const size_t id = static_cast<size_t>(output_nodes_[k]);
        if (seed[id]) throw std::invalid_argument("backward: a node is listed twice as output");
        seed[id] = doutputs[k];
    }
    // dL/d(node id): its seed, what its readers sent back, or both; null if nothing reached it.
    auto incoming = [&](size_t id) -> const Tensor<T>* {
        if (seed[id] && grad_set_[id]) {
            grads_[id].matrix() += seed[id]->matrix();
            return &grads_[id];
        }
        if (seed[id]) return seed[id];
        if (grad_set_[id]) return &grads_[id];
        return nullptr;
    };
    std::vector<Tensor<T>*> dxs;
    std::vector<const Tensor<T>*> dys;
    std::vector<std::pair<size_t, size_t>> add_later;  // (node, scratch slot)
    for (size_t id = nodes_.size(); id-- > 0;) {
        const Node& n = nodes_[id];
        // A several-output layer runs backward at its output 0, the lowest of its node ids: by
        // then every reader of every output has sent its gradient.
        if (n.layer < 0 || n.slot > 0) continue;
        Layer<T>& layer = *layers_[static_cast<size_t>(n.layer)];
        const size_t outs = static_cast<size_t>(layer.num_outputs());
        dys.assign(outs, nullptr);
        bool any = false;
        for (size_t s = 0; s < outs; ++s) any |= (dys[s] = incoming(id + s)) != nullptr;
        if (!any) continue;  // nothing downstream of this layer reaches an output
        if (zeros_.size() < outs) zeros_.resize(outs);
        for (size_t s = 0; s < outs; ++s)
            if (!dys[s]) {
                zeros_[s].resize(acts_[id + s].shape());
                zeros_[s].zero();
                dys[s] = &zeros_[s];
            }
        // Each input's gradient goes straight into grads_ if it is the first contribution, else
        // into a scratch buffer that is added afterwards (a node read by several layers).
        dxs.assign(n.inputs.size(), nullptr);
        add_later.clear();
        if (scratch_.size() < n.inputs.size()) scratch_.resize(n.inputs.size());
        for (size_t s = 0; s < n.inputs.size(); ++s) {
            const size_t in = static_cast<size_t>(n.inputs[s]);
            const Node& src = nodes_[in];
            const bool wanted =
                src.layer >= 0 || (input_grads_ && src.spec.kind != ShapeSpec::Kind::ids);
            if (!wanted) continue;
            if (!grad_set_[in]) {
                dxs[s] = &grads_[in];
                grad_set_[in] = 1;
            } else {
                dxs[s] = &scratch_[s];
                add_later.emplace_back(in, s);
            }
        }
        const Tensor<T>* logit_grad = nullptr;
        for (size_t k = 0; k < fused_.size(); ++k)
            if (static_cast<size_t>(output_nodes_[k]) == id) logit_grad = fused_[k];
        if (logit_grad)  // train_on_batch handed dL/dlogit of a Dense(sigmoid) output
            static_cast<Dense<T>&>(layer).backward_preactivation(*logit_grad, dxs[0]);
        else
            layer.backward_outputs(dys, dxs);
        for (auto [in, s] : add_later) grads_[in].matrix() += scratch_[s].matrix();
    }
}

template <typename T>
const Tensor<T>& Model<T>::input_grad(std::size_t k) const {
    const size_t id = static_cast<size_t>(input_nodes_.at(k));
    if (!input_grads_ || id >= grad_set_.size() || !grad_set_[id])
        throw std::logic_error("input_grad: call set_compute_input_grads(true) before backward");
    return grads_[id];
}

template <typename T>
const Tensor<T>& Model<T>::forward(const Tensor<T>& x, Mode mode) {
    forward(std::vector<const Tensor<T>*>{&x}, mode);
    if (output_nodes_.size() != 1)
        throw std::invalid_argument("forward: the model has several outputs");
    return output(0);
}

template <typename T>
void Model<T>::backward(const Tensor<T>& doutput) {
    backward(std::vector<const Tensor<T>*>{&doutput});
}

template <typename T>
void Model<T>::zero_grad() {
    for (Param<T>* p : params())
        if (p->trainable) p->zero_grad();
}

template <typename T>
std::vector<Param<T>*> Model<T>::params() {
    std::vector<Param<T>*> out;
    for (auto& l : layers_)
        for (Param<T>* p : l->params()) out.push_back(p);
    return out;
}

template <typename T>
Index Model<T>::param_count() const {
    Index n = 0;
    for (const auto& l : layers_) n += l->param_count();
    return n;
}

template <typename T>
Index Model<T>::trainable_param_count() const {
    Index n = 0;
    for (const auto& l : layers_) n += l->trainable_param_count();
    return n;
}

template <typename T>
std::vector<Tensor<T>> Model<T>::get_weights() const {
    std::vector<Tensor<T>> out;
    for (const auto& l : layers_)
        for (const Param<T>* p : static_cast<const Layer<T>&>(*l).params()) out.push_back(p->value);
    return out;
}

template <typename T>
void Model<T>::set_weights(const std::vector<Tensor<T>>& weights) {
    auto ps = params();
    if (ps.size() != weights.size())
        throw std::invalid_argument("set_weights: model has " + std::to_string(ps.size()) +
                                    " weight tensors, got " + std::to_string(weights.size()));
    for (size_t i = 0; i < ps.size(); ++i) {
        if (ps[i]->value.shape() != weights[i].shape())
            throw std::invalid_argument("set_weights: tensor " + std::to_string(i) + " (" +
                                        ps[i]->name + ") has shape " +
                                        shape_to_string(ps[i]->value.shape()) + ", got " +
                                        shape_to_string(weights[i].shape()));
        ps[i]->value = weights[i];
    }
}

template <typename T>
Layer<T>& Model<T>::layer(const std::string& name) {
    for (auto& l : layers_)
        if (l->name() == name) return *l;
    throw std::invalid_argument("Model: no layer named '" + name + "'");
}

template <typename T>
std::vector<std::string> Model<T>::layer_inbound(std::size_t i) const {
    std::vector<std::string> out;
    for (int id : nodes_[static_cast<size_t>(layer_node_.at(i))].inputs)
        out.push_back(node_label(id));
    return out;
}

template <typename T>
const ShapeSpec& Model<T>::input_spec(std::size_t k) const {
    if (k >= input_nodes_.size()) throw std::out_of_range("Model: no input " + std::to_string(k));
    return nodes_[static_cast<size_t>(input_nodes_[k])].spec;
}

template <typename T>
const std::string& Model<T>::input_name(std::size_t k) const {
    if (k >= input_nodes_.size()) throw std::out_of_range("Model: no input " + std::to_string(k));
    return nodes_[static_cast<size_t>(input_nodes_[k])].name;
}

template <typename T>
std::vector<ShapeSpec> Model<T>::input_specs() const {
    std::vector<ShapeSpec> out;
    for (int id : input_nodes_) out.push_back(nodes_[static_cast<size_t>(id)].spec);
    return out;
}

template <typename T>
ShapeSpec Model<T>::output_spec(std::size_t k) const {
    if (k >= output_nodes_.size()) throw std::out_of_range("Model: no output " + std::to_string(k));
    return nodes_[static_cast<size_t>(output_nodes_[k])].spec;
}

template <typename T>
std::vector<ShapeSpec> Model<T>::output_specs() const {
    std::vector<ShapeSpec> out;
    for (int id : output_nodes_) out.push_back(nodes_[static_cast<size_t>(id)].spec);
    return out;
}

template <typename T>
std::string Model<T>::output_name(std::size_t k) const {
    if (k >= output_nodes_.size()) throw std::out_of_range("Model: no output " + std::to_string(k));
    return node_label(output_nodes_[k]);
}

template class Model<float>;
template class Model<double>;

}  // namespace recur
