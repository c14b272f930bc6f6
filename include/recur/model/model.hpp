// recur/model/model.hpp — a graph of layers with named inputs and several outputs, trained with
// BPTT (Keras's functional Model). Sequential (sequential.hpp) is the linear special case.
//
//   recur::Model<float> m;
//   auto returns = m.input("returns", recur::ShapeSpec::sequence(52, 1));
//   auto ticker  = m.input("ticker", recur::ShapeSpec::ids(1));
//   auto month   = m.input("month", recur::ShapeSpec::vector(12));
//   auto h = m.add<recur::LSTM<float>>(returns, recur::LSTMOptions(10));
//   auto e = m.add<recur::Flatten<float>>(m.add<recur::Embedding<float>>(
//                ticker, recur::EmbeddingOptions(2489, 10)));
//   auto x = m.add<recur::Concatenate<float>>({h, e, month});
//   m.set_outputs({m.add<recur::Dense<float>>(x, recur::DenseOptions(1).activation(sigmoid))});
//   m.compile(recur::Loss::bce, {.name = "rmsprop"});
//   m.fit(train_data, {.epochs = 50}, &val_data);   // any Dataset (model/dataset.hpp)
//
// Nodes are created in order and a layer may only consume earlier nodes, so creation order is a
// topological order: forward walks it once, backward walks it in reverse. A node read by several
// layers receives the sum of their gradients.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recur/layers/layer.hpp"
#include "recur/model/dataset.hpp"
#include "recur/training/callbacks.hpp"
#include "recur/training/loss.hpp"
#include "recur/training/optimizer.hpp"

namespace recur {

// The output of one node of a Model graph (Keras: a symbolic tensor).
class NodeRef {
  public:
    NodeRef() = default;
    explicit NodeRef(int id) : id_(id) {}
    int id() const { return id_; }
    bool valid() const { return id_ >= 0; }
    bool operator==(const NodeRef&) const = default;

  private:
    int id_ = -1;
};

// How training uses several threads (set_num_threads(n > 1)); see training/data_parallel.cpp.
//   batch   (default) each batch is split into one chunk of samples per thread; every chunk runs
//           the whole forward and backward pass on its own replica of the model, single-threaded,
//           and the gradients are summed once per batch. Models with more than 2^20 parameters
//           (the replicas copy every weight per batch) and gradient checks use `layers`.
//   layers  every layer splits its batch rows over the threads, call by call.
// One thread trains the same either way. The same seed and thread count give the same weights.
enum class TrainParallelism { batch, layers };
void set_train_parallelism(TrainParallelism p);
TrainParallelism train_parallelism();

template <typename T>
using MetricFn = std::function<double(const Tensor<T>& pred, const Tensor<T>& target)>;

template <typename T>
struct FitOptions {
    int epochs = 1;
    Index batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 42;  // shuffling and dropout masks
    int verbose = 1;          // 0 silent; 1 a Keras-style progress line per epoch on stderr
    std::vector<Callback<T>*> callbacks{};
    // Extra per-epoch metrics of the first output on the validation data, logged as
    // "val_<name>" (e.g. val_auc), usable as an early-stopping monitor.
    std::vector<std::pair<std::string, MetricFn<T>>> metrics{};
};

struct History {
    std::vector<std::string> keys;            // column order: loss, val_loss, ...
    std::vector<std::vector<double>> values;  // values[k][epoch]
    std::vector<double> seconds;              // wall time per epoch
    int epochs_run() const { return static_cast<int>(seconds.size()); }
    const std::vector<double>& operator[](const std::string& key) const;
    void add(const Logs& logs, double secs);
    void write_csv(const std::string& path) const;  // epoch,loss,val_loss,...,seconds
};

template <typename T>
class Model {
  public:
    explicit Model(std::uint64_t seed = 42);
    Model(Model&&) noexcept;
    Model& operator=(Model&&) noexcept;
    virtual ~Model();

    // ---- building the graph
    NodeRef input(std::string name, ShapeSpec spec);
    // Builds `layer` on the outputs of `inputs` (weights drawn from the model's seed) and returns
    // its output. Keras 2.2 names ("lstm_1", "dense_2") are assigned to unnamed layers.
    NodeRef add(std::unique_ptr<Layer<T>> layer, const std::vector<NodeRef>& inputs);
    template <typename L, typename... Args>
    NodeRef add(NodeRef in, Args&&... args) {
        return add(std::make_unique<L>(std::forward<Args>(args)...), std::vector<NodeRef>{in});
    }
    template <typename L, typename... Args>
    NodeRef add(const std::vector<NodeRef>& in, Args&&... args) {
        return add(std::make_unique<L>(std::forward<Args>(args)...), in);
    }
    // The same for a layer with several outputs (Bidirectional with merge_mode "none"): one
    // NodeRef per output, in the layer's order.
    std::vector<NodeRef> add_outputs(std::unique_ptr<Layer<T>> layer,
                                     const std::vector<NodeRef>& inputs);
    void set_outputs(std::vector<NodeRef> outputs);

    // ---- training
    void compile(Loss loss, OptimizerOptions optimizer = {});  // the same loss on every output
    // One loss per output; the training loss is sum_k weight_k * loss_k (weights default to 1).
    void compile(std::vector<Loss> losses, OptimizerOptions optimizer,
                 std::vector<double> loss_weights = {});
    History fit(const Dataset<T>& train, const FitOptions<T>& options,
                const Dataset<T>* validation = nullptr);
    double evaluate(const Dataset<T>& data, Index batch_size = 256);
    std::vector<Tensor<T>> predict(const Dataset<T>& data, Index batch_size = 256);
    // One optimiser step on samples index[0..n) of `data`; returns the loss.
    double train_on_batch(const Dataset<T>& data, const Index* index, Index n);

    // Single input and output, samples-first arrays (N, T, F) / (N, T) / (N, F).
    History fit(const Tensor<T>& x, const Tensor<T>& y, const FitOptions<T>& options,
                const Tensor<T>* x_val = nullptr, const Tensor<T>* y_val = nullptr);
    double evaluate(const Tensor<T>& x, const Tensor<T>& y, Index batch_size = 256);
    Tensor<T> predict(const Tensor<T>& x, Index batch_size = 256);
    double train_on_batch(const Tensor<T>& x, const Tensor<T>& y);

    // Whether train_on_batch with n samples runs data-parallel on model replicas (TrainParallelism
    // above): batch mode, several threads and n >= 2, at most 2^20 parameters, no gradient
    // check, no recurrent layer with an initial state, every layer rebuildable from its config.
    bool use_replicas(Index n) const;

    // ---- low level, on time-major batches (one per input, in input order)
    void forward(const std::vector<const Tensor<T>*>& inputs, Mode mode);
    const Tensor<T>& output(std::size_t k = 0) const;
    // Accumulates into Param::grad; doutputs[k] is dL/d(output k).
    void backward(const std::vector<const Tensor<T>*>& doutputs);
    const Tensor<T>& forward(const Tensor<T>& x, Mode mode);  // single input and output
    void backward(const Tensor<T>& doutput);
    void zero_grad();
    // When on, backward also computes dL/d(input k) for float inputs (gradient checks).
    void set_compute_input_grads(bool on) { input_grads_ = on; }
    const Tensor<T>& input_grad(std::size_t k) const;

    // ---- inspection
    std::string summary() const;  // Keras's table; "Connected to" unless the model is a chain
    std::vector<Param<T>*> params();
    Index param_count() const;
    Index trainable_param_count() const;
    std::vector<Tensor<T>> get_weights() const;
    void set_weights(const std::vector<Tensor<T>>& weights);

    std::size_t size() const { return layers_.size(); }  // number of layers (inputs excluded)
    Layer<T>& layer(std::size_t i) { return *layers_[i]; }
    const Layer<T>& layer(std::size_t i) const { return *layers_[i]; }
    Layer<T>& layer(const std::string& name);
    // Names of the nodes (inputs or layers) that layer i reads: a layer's name for its first
    // output, "name:k" for its output k >= 1 (TensorFlow's tensor names).
    std::vector<std::string> layer_inbound(std::size_t i) const;
    std::size_t num_inputs() const { return input_nodes_.size(); }
    const ShapeSpec& input_spec(std::size_t k = 0) const;
    const std::string& input_name(std::size_t k) const;
    std::vector<ShapeSpec> input_specs() const;
    std::size_t num_outputs() const { return output_nodes_.size(); }
    ShapeSpec output_spec(std::size_t k = 0) const;
    std::vector<ShapeSpec> output_specs() const;
    std::string output_name(std::size_t k) const;
    // True for a Sequential (summary without input rows, saved in the Sequential layout).
    bool is_sequential() const { return sequential_; }
    Loss loss(std::size_t k = 0) const { return losses_.empty() ? Loss::mse : losses_[k]; }
    Optimizer<T>* optimizer() { return optimizer_.get(); }

  protected:
    bool sequential_ = false;
    Rng rng_;

  private:
    struct Node {
        std::string name;
        ShapeSpec spec;
        int layer = -1;           // index into layers_, -1 for a model input
        std::vector<int> inputs;  // node ids read by the layer
        int slot = 0;             // which output of the layer (several-output layers)
    };
    // A layer's outputs are consecutive nodes: first = its slot-0 node.
    int add_layer(std::unique_ptr<Layer<T>> layer, const std::vector<NodeRef>& inputs);
    std::string node_label(int id) const;  // name, or "name:k" for output k >= 1
    const Node& node_of(NodeRef r, const char* what) const;
    bool fused_sigmoid_bce(std::size_t k) const;
    // Forward and backward on samples index[0..n): gradients of `scale` times the mean loss are
    // accumulated into fresh Param::grad; returns the (unscaled) mean loss.
    double loss_and_grads(const Dataset<T>& data, const Index* index, Index n, double scale = 1);
    // Data-parallel training (training/data_parallel.cpp).
    double replicated_loss_and_grads(const Dataset<T>& data, const Index* index, Index n);
    std::unique_ptr<Model> make_replica() const;
    void seed_replicas(std::uint64_t seed);
    void seed_replica(std::size_t c);
    Tensor<T> collect_targets(const Dataset<T>& data, std::size_t k) const;
    void check_ready(const char* what) const;

    std::vector<Node> nodes_;
    std::vector<std::unique_ptr<Layer<T>>> layers_;
    std::vector<int> layer_node_;  // node id of each layer
    std::vector<int> input_nodes_, output_nodes_;
    std::vector<std::vector<int>> consumers_;  // node id -> layer nodes that read it

    std::vector<const Tensor<T>*> value_;  // node outputs of the last forward
    std::vector<Tensor<T>> acts_;          // storage of layer outputs, by node id
    std::vector<Tensor<T>> grads_;         // dL/d(node output), by node id
    std::vector<char> grad_set_;           // grads_[i] holds a value in the current backward
    std::vector<Tensor<T>> scratch_;       // gradients of a second reader, per input slot
    std::vector<Tensor<T>> zeros_;         // dL/d(output) of a layer output nothing reads
    bool input_grads_ = false;
    // Per output during one train step: dL/dlogit for a Dense(sigmoid) output trained with bce
    // (fused, so the gradient never vanishes in a saturated sigmoid), else null.
    std::vector<const Tensor<T>*> fused_;

    std::vector<Tensor<T>> batch_x_, batch_y_, dloss_;
    std::vector<const Tensor<T>*> batch_x_ptr_, dloss_ptr_;
    std::vector<Index> order_;

    std::vector<Loss> losses_;
    std::vector<double> loss_weights_;
    std::unique_ptr<Optimizer<T>> optimizer_;

    // replicas_[c - 1] runs chunk c >= 1 of a batch in data-parallel training (chunk 0 runs here).
    std::vector<std::unique_ptr<Model>> replicas_;
    std::uint64_t replica_seed_ = 0;
    bool replicable_ = true;  // false once a layer could not be rebuilt from its config
};

}  // namespace recur
