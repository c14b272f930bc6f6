// recur/model/sequential.hpp — a linear stack of layers (Keras's Sequential): a Model whose
// every layer reads the previous one.
//
//   recur::Sequential<float> model(recur::ShapeSpec::sequence(63, 1));
//   model.add<recur::LSTM<float>>(recur::LSTMOptions(20));
//   model.add<recur::Dense<float>>(recur::DenseOptions(1));
//   model.compile(recur::Loss::mse, {.name = "rmsprop"});
//   auto history = model.fit(x, y, {.epochs = 50, .batch_size = 20}, &x_val, &y_val);
//
// Data passed to fit / evaluate / predict is samples-first, like a NumPy array:
//   sequences (N, T, F), id sequences (N, T), vectors (N, F); targets (N, out) or (N, T, out).
// Each batch is gathered into recur's time-major layout (tensor.hpp) before the layers see it.
#pragma once

#include <memory>

#include "recur/model/model.hpp"

namespace recur {

template <typename T>
class Sequential : public Model<T> {
  public:
    explicit Sequential(ShapeSpec input, std::uint64_t seed = 42);

    // Adds a layer on top of the stack and builds it.
    template <typename L, typename... Args>
    L& add(Args&&... args) {
        auto layer = std::make_unique<L>(std::forward<Args>(args)...);
        L& ref = *layer;
        add(std::move(layer));
        return ref;
    }
    Layer<T>& add(std::unique_ptr<Layer<T>> layer);

    // Samples-first <-> time-major conversion (see model/dataset.hpp).
    static void gather_batch(const Tensor<T>& data, const ShapeSpec& spec, const Index* index,
                             Index n, Tensor<T>& batch) {
        gather_samples(data, spec, index, n, batch);
    }
    static void scatter_batch(const Tensor<T>& batch, const ShapeSpec& spec, Index offset,
                              Tensor<T>& data) {
        scatter_samples(batch, spec, offset, data);
    }

  private:
    NodeRef last_;
};

}  // namespace recur
