// recur/layers/layer.hpp — the contract every layer keeps.
//
//  build(in, rng)            creates and initialises the parameters for a per-sample input shape,
//                            returns the per-sample output shape. Called once.
//  forward(x, y, mode)       x is a batch in recur's layout (tensor.hpp); y is resized and written.
//                            The layer keeps whatever backward needs and may keep pointers to x
//                            and y: the caller keeps both alive and unchanged until backward.
//  backward(dy, dx)          reads dL/dy for the last forward, *accumulates* (+=) dL/dparam into
//                            each Param::grad (the caller zeroes them first), and writes dL/dx
//                            into *dx unless dx is null (first layer, or integer input).
//  build_multi / forward_multi / backward_multi   the same for a layer with several inputs.
//  num_outputs / build_outputs / forward_outputs / backward_outputs   a layer with several
//                            outputs (Keras: a layer whose call returns a list, e.g.
//                            Bidirectional(merge_mode=None)); the graph Model calls these, and
//                            for a one-output layer they forward to the *_multi functions.
//                            backward_outputs gets one gradient per output (zeros for an output
//                            nothing reads).
// Gradients w.r.t. the input flow to the previous layer; gradients w.r.t. parameters accumulate
// (mlpack's Backward/Gradient split, done in one call).
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "recur/tensor/rng.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

// The per-sample shape of what flows between layers (the batch dimension is implicit).
struct ShapeSpec {
    enum class Kind { vector, sequence, ids };
    Kind kind = Kind::vector;
    Index steps = 0;     // time steps (sequence, ids)
    Index features = 0;  // features per step (sequence) or per sample (vector); 1 for ids

    static ShapeSpec vector(Index f) { return {Kind::vector, 0, f}; }
    static ShapeSpec sequence(Index t, Index f) { return {Kind::sequence, t, f}; }
    static ShapeSpec ids(Index t) { return {Kind::ids, t, 1}; }
    bool is_sequence() const { return kind != Kind::vector; }
    // Batch tensor shape for batch size b: (b, F) or (T, b, F) or (T, b).
    std::vector<Index> batch_shape(Index b) const;
    // Keras's printed form: "(None, 20)", "(None, 63, 20)".
    std::string keras_string() const;
    bool operator==(const ShapeSpec&) const = default;
};

enum class Mode { inference, training };

template <typename T>
struct Param {
    std::string name;  // Keras weight name: "kernel", "recurrent_kernel", "bias", "embeddings"
    Tensor<T> value;
    Tensor<T> grad;
    bool trainable = true;
    // Row-sparse gradient (an Embedding's table): only the rows listed in `rows` may be non-zero
    // in `grad`, so zeroing, clipping and the optimiser step touch only those rows.
    bool sparse = false;
    std::vector<Index> rows{};       // rows with a gradient since the last zero_grad
    std::vector<char> row_listed{};  // row_listed[r] != 0 iff r is in `rows`

    // Zeroes the gradient (only the listed rows of a sparse one) and forgets the rows.
    void zero_grad() {
        if (!sparse) {
            grad.zero();
            return;
        }
        const Index width = grad.rows() > 0 ? grad.size() / grad.dim(0) : 0;
        for (Index r : rows) {
            std::fill(grad.data() + r * width, grad.data() + (r + 1) * width, T(0));
            row_listed[static_cast<size_t>(r)] = 0;
        }
        rows.clear();
    }
    // Records that row r of a sparse gradient is (about to be) written.
    void mark_row(Index r) {
        if (row_listed.size() != static_cast<size_t>(grad.dim(0)))
            row_listed.assign(static_cast<size_t>(grad.dim(0)), 0);
        if (!row_listed[static_cast<size_t>(r)]) {
            row_listed[static_cast<size_t>(r)] = 1;
            rows.push_back(r);
        }
    }
};

template <typename T>
class Layer {
  public:
    virtual ~Layer() = default;

    virtual std::string kind() const = 0;  // Keras class name: "LSTM", "Dense", ...
    const std::string& name() const { return name_; }
    void set_name(std::string n) { name_ = std::move(n); }

    virtual ShapeSpec build(const ShapeSpec& input, Rng& rng) = 0;
    virtual void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) = 0;
    virtual void backward(const Tensor<T>& dy, Tensor<T>* dx) = 0;

    // Layers that read several inputs (Concatenate) override these three and max_inputs();
    // for every other layer they forward to build / forward / backward with the one input.
    virtual int max_inputs() const { return 1; }
    virtual ShapeSpec build_multi(const std::vector<ShapeSpec>& inputs, Rng& rng);
    virtual void forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode mode);
    virtual void backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs);

    virtual int num_outputs() const { return 1; }
    virtual std::vector<ShapeSpec> build_outputs(const std::vector<ShapeSpec>& inputs, Rng& rng);
    virtual void forward_outputs(const std::vector<const Tensor<T>*>& xs,
                                 const std::vector<Tensor<T>*>& ys, Mode mode);
    virtual void backward_outputs(const std::vector<const Tensor<T>*>& dys,
                                  const std::vector<Tensor<T>*>& dxs);

    virtual std::vector<Param<T>*> params() { return {}; }
    std::vector<const Param<T>*> params() const;
    Index param_count() const;
    Index trainable_param_count() const;
    // Freezing a layer marks all its parameters non-trainable (Keras `trainable=False`).
    virtual void set_trainable(bool trainable);

    // Layer options as a JSON object (for save files and `summary`); see io/model_io.hpp.
    virtual std::string config_json() const = 0;

    // Seed for this layer's own randomness (dropout masks). Set by the model.
    void seed_rng(std::uint64_t seed) { rng_.seed(seed); }

    bool built() const { return built_; }
    const ShapeSpec& input_spec() const { return input_spec_; }
    const ShapeSpec& output_spec() const { return output_spec_; }

  protected:
    std::string name_;
    bool built_ = false;
    ShapeSpec input_spec_, output_spec_;
    Rng rng_{0};
};

// Chained option setters in the style of PyTorch's TORCH_ARG:
//   LSTMOptions(20).return_sequences(true).dropout(0.2)
#define RECUR_ARG(TYPE, NAME, DEFAULT) \
  public:                              \
    auto& NAME(const TYPE& v) {        \
        NAME##_ = v;                   \
        return *this;                  \
    }                                  \
    const TYPE& NAME() const {         \
        return NAME##_;                \
    }                                  \
                                       \
  private:                             \
    TYPE NAME##_ = DEFAULT

}  // namespace recur
