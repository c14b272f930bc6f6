// recur/model/dataset.hpp — where a Model's training and prediction samples come from.
//
// A Dataset hands out mini-batches by sample index: for each model input k and each target k
// it writes the samples index[0..n) into a batch in recur's time-major layout (tensor.hpp):
//   vector (n, F)    sequence (T, n, F)    ids (T, n)
// Nothing requires the samples to exist as an array: a dataset may build each batch from a view
// (the stock-window dataset reads 1.2 million windows out of one weekly-return matrix).
// TensorDataset is the in-memory case: samples-first arrays, as NumPy users pass to Keras.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "recur/layers/layer.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

template <typename T>
class Dataset {
  public:
    virtual ~Dataset() = default;
    virtual Index size() const = 0;  // number of samples
    virtual std::size_t num_inputs() const = 0;
    virtual std::size_t num_targets() const = 0;  // 0 for prediction-only data

    // Input k (target k) of samples index[0..n), time-major, shaped for `spec`. Called from
    // several threads at once in data-parallel training (each with its own `batch`), so an
    // implementation must not write shared state.
    virtual void gather_input(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                              Tensor<T>& batch) const = 0;
    virtual void gather_target(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                               Tensor<T>& batch) const = 0;

    // Throws std::invalid_argument, starting with `what`, if the data cannot feed a model with
    // these input and output shapes (wrong count or shape, NaN or inf values, ids out of range).
    // `outputs` is empty when only inputs are needed (predict).
    virtual void check(const std::vector<ShapeSpec>& inputs, const std::vector<ShapeSpec>& outputs,
                       const std::string& what) const = 0;
};

// Samples-first arrays held by pointer (the caller keeps them alive): inputs (N, T, F), (N, T)
// or (N, F); targets (N, F) or (N, T, F).
template <typename T>
class TensorDataset : public Dataset<T> {
  public:
    TensorDataset(std::vector<const Tensor<T>*> inputs, std::vector<const Tensor<T>*> targets = {});
    Index size() const override;
    std::size_t num_inputs() const override { return inputs_.size(); }
    std::size_t num_targets() const override { return targets_.size(); }
    void gather_input(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                      Tensor<T>& batch) const override;
    void gather_target(std::size_t k, const ShapeSpec& spec, const Index* index, Index n,
                       Tensor<T>& batch) const override;
    void check(const std::vector<ShapeSpec>& inputs, const std::vector<ShapeSpec>& outputs,
               const std::string& what) const override;

  private:
    std::vector<const Tensor<T>*> inputs_, targets_;
};

// Samples index[0..n) of a samples-first array into a time-major batch for `spec`.
template <typename T>
void gather_samples(const Tensor<T>& data, const ShapeSpec& spec, const Index* index, Index n,
                    Tensor<T>& batch);
// Inverse of gather_samples for model outputs: a time-major batch -> rows [offset, offset + n).
template <typename T>
void scatter_samples(const Tensor<T>& batch, const ShapeSpec& spec, Index offset, Tensor<T>& data);

}  // namespace recur
