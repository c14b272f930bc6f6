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
#include "recur/layers/recurrent.hpp"
#include "recur/model/model.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur {

namespace {
TrainParallelism g_train_parallelism = TrainParallelism::batch;
constexpr Index kMaxReplicaParams = Index(1) << 20;

// Values and flags of the model's parameters into a replica's (same list: make_replica checks).
// A table unfrozen after the replica was built gets its gradient buffer here.
template <typename T>
void copy_weights(const std::vector<Param<T>*>& from, const std::vector<Param<T>*>& to) {
    for (size_t p = 0; p < from.size(); ++p) {
        const Param<T>& src = *from[p];
        Param<T>& dst = *to[p];
        std::copy(src.value.data(), src.value.data() + src.value.size(), dst.value.data());
        dst.trainable = src.trainable;
        if (dst.sparse != src.sparse || (dst.trainable && dst.grad.shape() != dst.value.shape())) {
            dst.sparse = src.sparse;
            dst.grad.assign(dst.value.shape(), T(0));
            dst.rows.clear();
            dst.row_listed.clear();
        }
    }
}

// to.grad += from.grad; a row-sparse gradient adds (and lists) only the rows `from` touched.
template <typename T>
void add_grads(const std::vector<Param<T>*>& from, const std::vector<Param<T>*>& to) {
    for (size_t p = 0; p < from.size(); ++p) {
        Param<T>& src = *from[p];
        Param<T>& dst = *to[p];
        if (!dst.trainable) continue;
        if (src.grad.shape() != dst.grad.shape())
            throw std::logic_error("data-parallel training: a replica's gradient of '" + dst.name +
                                   "' has another shape than the model's");
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
    if (g_train_parallelism != TrainParallelism::batch || !replicable_ || input_grads_ ||
        parallel_chunks(n) < 2 || param_count() > kMaxReplicaParams)
        return false;
    // An initial state holds the whole batch's rows: only the layer split can use it.
    for (const auto& l : layers_)
        if (const auto* r = dynamic_cast<const RecurrentLayer<T>*>(l.get()))
            if (r->has_initial_state()) return false;
    return true;
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
    // A layer whose parameters its config does not determine cannot be replicated.
    const auto mine = const_cast<Model*>(this)->params(), theirs = r->params();
    bool same = mine.size() == theirs.size();
    for (size_t p = 0; same && p < mine.size(); ++p)
        same = mine[p]->value.shape() == theirs[p]->value.shape();
    if (!same) throw std::logic_error("a replica's parameters differ from the model's");
    return r;
}

// Replica c's dropout streams: fixed by the fit seed and c, independent of the model's own.
template <typename T>
void Model<T>::seed_replica(std::size_t c) {
    Rng rng(replica_seed_ * 0x100000001B3ull + c + 1);
    for (auto& l : replicas_[c]->layers_) l->seed_rng(rng.split());
}

template <typename T>
void Model<T>::seed_replicas(std::uint64_t seed) {
    replica_seed_ = seed;
    for (size_t c = 0; c < replicas_.size(); ++c) seed_replica(c);
}

template <typename T>
double Model<T>::replicated_loss_and_grads(const Dataset<T>& data, const Index* index, Index n) {
    const int chunks = parallel_chunks(n);
    // A graph changed since the replicas were made (layers added, outputs reset) makes new ones.
    if (!replicas_.empty() && (replicas_[0]->nodes_.size() != nodes_.size() ||
                               replicas_[0]->output_nodes_ != output_nodes_))
        replicas_.clear();
    while (static_cast<int>(replicas_.size()) < chunks - 1) {
        try {
            replicas_.push_back(make_replica());
        } catch (const std::exception&) {  // a layer the factory cannot rebuild as it is
            replicas_.clear();
            replicable_ = false;
            return loss_and_grads(data, index, n);
        }
        seed_replica(replicas_.size() - 1);  // the others keep their streams
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
