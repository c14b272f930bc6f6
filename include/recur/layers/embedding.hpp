// recur/layers/embedding.hpp — lookup table from integer ids to dense vectors.
//
// Input: ids (T, B) stored as values (exact below 2^24 in float); output (T, B, dim).
// Weights: embeddings (input_dim, output_dim), Keras init uniform(-0.05, 0.05).
// `trainable(false)` freezes it (pretrained GloVe); set_embeddings() loads a matrix.
// `sparse(true)` (the default) makes its gradient row-sparse: backward, zeroing, clipping and the
// optimiser step touch only the rows of the ids in the batch, so a 2-million-weight table costs
// about 32 x 100 x (ids per sample) per step, not 2 million. For SGD (with or without momentum)
// and RMSprop the result equals the dense update (untouched rows catch up lazily, see
// training/optimizer.hpp); Adam updates the whole table unless OptimizerOptions::lazy_sparse_adam
// asks for PyTorch's SparseAdam / TF's LazyAdam rule.
// An id outside [0, input_dim) throws std::out_of_range naming the id.
#pragma once

#include "recur/layers/layer.hpp"

namespace recur {

struct EmbeddingOptions {
    EmbeddingOptions(Index input_dim, Index output_dim)
        : input_dim_(input_dim), output_dim_(output_dim) {}
    RECUR_ARG(Index, input_dim, 0);
    RECUR_ARG(Index, output_dim, 0);
    RECUR_ARG(bool, trainable, true);
    RECUR_ARG(bool, sparse, true);
};

template <typename T>
class Embedding : public Layer<T> {
  public:
    explicit Embedding(EmbeddingOptions options) : options_(options) {}
    std::string kind() const override { return "Embedding"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::vector<Param<T>*> params() override { return {&table_}; }
    std::string config_json() const override;
    void set_trainable(bool trainable) override;

    const EmbeddingOptions& options() const { return options_; }
    Param<T>& embeddings() { return table_; }
    // Copies a (input_dim, output_dim) matrix in (pretrained vectors). Shape mismatch throws.
    void set_embeddings(const Tensor<T>& matrix);

  private:
    EmbeddingOptions options_;
    Param<T> table_{"embeddings", {}, {}, true};
    std::vector<Index> ids_;  // ids of the last forward, (T*B)
};

}  // namespace recur
