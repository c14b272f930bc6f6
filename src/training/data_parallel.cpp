// Data-parallel training (model.hpp, TrainParallelism::batch). With C > 1 threads a batch of n
// samples is cut into C contiguous chunks; chunk 0 runs on the model itself and chunk c >= 1 on
// replicas_[c - 1], a copy of the graph with its own activations, dropout masks and gradient
// buffers. Each chunk runs the whole forward and backward pass on one thread (its layers'
// parallel_for calls run inline), so the threads meet once per batch instead of once per layer
// call, and no cache line written by one core is read by the other within the batch.
//
// The loss is a mean over samples, L = sum_c (n_c / n) L_c, so chunk c's gradients are computed
// with the loss scaled by n_c / n and summed into the model's own gradients in chunk order (the
// same bits for the same thread count); the optimiser then steps once, as with one thread.
// Replicas receive a copy of every weight before each batch, which is why models over
// kMaxReplicaParams keep the layer-level split.
#include <algorithm>
#include <stdexcept>

#include "recur/io/model_io.hpp"
#include "recur/model/model.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {

namespace {
TrainParallelism g_train_parallelism = TrainParallelism::batch;
constexpr Index kMaxReplicaParams = Index(1) << 20;

template <typename T>
void copy_weights(const std::vector<Param<T>*>& from, const std::vector<Param<T>*>& to) {
    for (size_t p = 0; p < from.size(); ++p) {
        const Tensor<T>& src = from[p]->value;
        to[p]->value.resize(src.shape());
        std::copy(src.data(), src.data() + src.size(), to[p]->value.data());
        to[p]->trainable = from[p]->trainable;
    }
}

// to.grad += from.grad; a row-sparse gradient adds (and lists) only the rows `from` touched.
template <typename T>
void add_grads(const std::vector<Param<T>*>& from, const std::vector<Param<T>*>& to) {
    for (size_t p = 0; p < from.size(); ++p) {
        Param<T>& src = *from[p];
        Param<T>& dst = *to[p];
        if (!dst.trainable || src.grad.size() != dst.grad.size()) continue;
        if (!src.sparse) {
            T* d = dst.grad.data();
            const T* s = src.grad.data();
            for (Index i = 0; i < src.grad.size(); ++i) d[i] += s[i];
            continue;
        }
        const Index width = src.grad.dim(0) > 0 ? src.grad.size() / src.grad.dim(0) : 0;
        for (Index r : src.rows) {
            dst.mark_row(r);
            T* d = dst.grad.data() + r * width;
            const T* s = src.grad.data() + r * width;
            for (Index i = 0; i < width; ++i) d[i] += s[i];
        }
    }
}
}  // namespace

void set_train_parallelism(TrainParallelism p) {
    g_train_parallelism = p;
}
TrainParallelism train_parallelism() {
    return g_train_parallelism;
}

template <typename T>
bool Model<T>::use_replicas(Index n) const {
    return g_train_parallelism == TrainParallelism::batch && replicable_ && !input_grads_ &&
           parallel_chunks(n) > 1 && param_count() <= kMaxReplicaParams;
}

// The same graph, layer by layer from each layer's kind and config (as load_model rebuilds it),
// so node ids match; weights are copied in before every batch.
template <typename T>
std::unique_ptr<Model<T>> Model<T>::make_replica() const {
    auto r = std::make_unique<Model<T>>();
    for (const Node& node : nodes_) {
        if (node.layer < 0) {
            r->input(node.name, node.spec);
            continue;
        }
        if (node.slot != 0) continue;  // made with its layer's output 0
        const Layer<T>& l = *layers_[static_cast<size_t>(node.layer)];
        auto copy = layer_from_config<T>(l.kind(), l.config_json());
        copy->set_name(l.name());
        std::vector<NodeRef> in;
        for (int i : node.inputs) in.emplace_back(i);
        r->add_outputs(std::move(copy), in);
    }
    std::vector<NodeRef> outputs;
    for (int o : output_nodes_) outputs.emplace_back(o);
    r->set_outputs(outputs);
    r->losses_ = losses_;
    r->loss_weights_ = loss_weights_;
    return r;
}

// Replica c's dropout streams: fixed by the fit seed and c, independent of the model's own.
template <typename T>
void Model<T>::seed_replicas(std::uint64_t seed) {
    replica_seed_ = seed;
    for (size_t c = 0; c < replicas_.size(); ++c) {
        Rng rng(seed * 0x100000001B3ull + c + 1);
        for (auto& l : replicas_[c]->layers_) l->seed_rng(rng.split());
    }
}

template <typename T>
double Model<T>::replicated_loss_and_grads(const Dataset<T>& data, const Index* index, Index n) {
    const int chunks = parallel_chunks(n);
    // A graph changed since the replicas were made (layers added, outputs reset) makes new ones.
    if (!replicas_.empty() && (replicas_[0]->layers_.size() != layers_.size() ||
                               replicas_[0]->output_nodes_ != output_nodes_))
        replicas_.clear();
    if (static_cast<int>(replicas_.size()) < chunks - 1) {
        try {
            while (static_cast<int>(replicas_.size()) < chunks - 1)
                replicas_.push_back(make_replica());
        } catch (const std::exception&) {  // a layer kind the factory does not know
            replicas_.clear();
            replicable_ = false;
            return loss_and_grads(data, index, n);
        }
        seed_replicas(replica_seed_);
    }
    for (auto& r : replicas_) {  // compile() may have changed them since
        r->losses_ = losses_;
        r->loss_weights_ = loss_weights_;
    }
    auto begin = [&](Index c) { return n * c / chunks; };
    std::vector<double> losses(static_cast<size_t>(chunks));
    const std::vector<Param<T>*> own = params();
    parallel_for(chunks, [&](int, std::int64_t c0, std::int64_t c1) {
        for (Index c = c0; c < c1; ++c) {
            Model& m = c == 0 ? *this : *replicas_[static_cast<size_t>(c - 1)];
            if (c > 0) copy_weights(own, m.params());
            const Index b0 = begin(c), rows = begin(c + 1) - b0;
            losses[static_cast<size_t>(c)] =
                m.loss_and_grads(data, index + b0, rows, double(rows) / double(n));
        }
    });
    double loss = 0;
    for (Index c = 0; c < chunks; ++c)
        loss += losses[static_cast<size_t>(c)] * double(begin(c + 1) - begin(c)) / double(n);
    for (Index c = 1; c < chunks; ++c)
        add_grads(replicas_[static_cast<size_t>(c - 1)]->params(), own);
    return loss;
}

template class Model<float>;
template class Model<double>;

}  // namespace recur
