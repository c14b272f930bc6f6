#include "recur/layers/embedding.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "layers/initializers.hpp"
#include "recur/tensor/parallel.hpp"
#include "tensor/prefetch.hpp"

namespace recur {

namespace {
// Batches with fewer embedded values are gathered and scattered on one thread.
constexpr Index kParallelElements = 1 << 15;
// Table rows prefetched this many positions ahead in the gather and the scatter.
constexpr Index kAhead = 4;
}  // namespace

template <typename T>
ShapeSpec Embedding<T>::build(const ShapeSpec& input, Rng& rng) {
    if (input.kind != ShapeSpec::Kind::ids)
        throw std::invalid_argument("Embedding expects integer ids, shape (steps,), as input");
    Index v = options_.input_dim(), e = options_.output_dim();
    table_.value.resize({v, e});
    init::uniform(table_.value, rng, -0.05, 0.05);
    table_.trainable = options_.trainable();
    table_.sparse = options_.sparse();
    if (table_.trainable) table_.grad.assign({v, e}, T(0));
    this->input_spec_ = input;
    this->output_spec_ = ShapeSpec::sequence(input.steps, e);
    this->built_ = true;
    return this->output_spec_;
}

template <typename T>
void Embedding<T>::set_trainable(bool trainable) {
    options_.trainable(trainable);
    table_.trainable = trainable;
    if (trainable && table_.grad.size() != table_.value.size())
        table_.grad.assign(table_.value.shape(), T(0));
}

template <typename T>
void Embedding<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode) {
    Index n = x.size(), e = options_.output_dim(), v = options_.input_dim();
    std::vector<Index> shape = x.shape();
    shape.push_back(e);
    y.resize(shape);
    ids_.resize(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) {
        T raw = x[i];
        auto id = static_cast<Index>(std::llround(static_cast<double>(raw)));
        if (!(raw == raw) || id < 0 || id >= v)
            throw std::out_of_range("Embedding '" + this->name() + "': id " +
                                    std::to_string(static_cast<double>(raw)) + " is outside [0, " +
                                    std::to_string(v) + ")");
        ids_[static_cast<size_t>(i)] = id;
    }
    // The gather: rows scattered over a large table, so the threads overlap their cache misses.
    auto gather = [&](Index i0, Index i1) {
        for (Index i = i0; i < i1; ++i) {
            if (i + kAhead < i1)
                prefetch_span(table_.value.data() + ids_[static_cast<size_t>(i + kAhead)] * e, e);
            const T* row = table_.value.data() + ids_[static_cast<size_t>(i)] * e;
            std::copy(row, row + e, y.data() + i * e);
        }
    };
    if (n * e < kParallelElements)
        gather(0, n);
    else
        parallel_for(n, [&](int, Index i0, Index i1) { gather(i0, i1); });
}

template <typename T>
void Embedding<T>::backward(const Tensor<T>& dy, Tensor<T>*) {
    if (!table_.trainable) return;
    const Index e = options_.output_dim(), n = static_cast<Index>(ids_.size());
    if (table_.sparse)
        for (Index id : ids_) table_.mark_row(id);
    // dTable[id] += dy[i] for every position i holding id. Chunk c adds columns [j0, j1) of every
    // position's row (boundaries on multiples of a cache line's worth of columns) in position
    // order: the work is even whatever the ids (a frequent id, padding for one, is spread over all
    // threads), and each element's sum does not depend on the split.
    auto scatter = [&](Index j0, Index j1) {
        for (Index i = 0; i < n; ++i) {
            if (i + kAhead < n)
                prefetch_span<true>(
                    table_.grad.data() + ids_[static_cast<size_t>(i + kAhead)] * e + j0, j1 - j0);
            T* g = table_.grad.data() + ids_[static_cast<size_t>(i)] * e;
            const T* d = dy.data() + i * e;
            for (Index j = j0; j < j1; ++j) g[j] += d[j];
        }
    };
    constexpr Index kLine = 64 / static_cast<Index>(sizeof(T));
    if (n * e < kParallelElements)
        scatter(0, e);
    else
        parallel_for(
            e, [&](int, Index j0, Index j1) { scatter(j0, j1); }, kLine);
}

template <typename T>
std::string Embedding<T>::config_json() const {
    nlohmann::json j = {{"input_dim", options_.input_dim()},
                        {"output_dim", options_.output_dim()},
                        {"trainable", options_.trainable()},
                        {"sparse", options_.sparse()}};
    return j.dump();
}

template <typename T>
void Embedding<T>::set_embeddings(const Tensor<T>& matrix) {
    if (matrix.rank() != 2 || matrix.dim(0) != options_.input_dim() ||
        matrix.dim(1) != options_.output_dim())
        throw std::invalid_argument("Embedding: matrix has shape " +
                                    shape_to_string(matrix.shape()) + ", expected " +
                                    shape_to_string({options_.input_dim(), options_.output_dim()}));
    table_.value = matrix;
}

template class Embedding<float>;
template class Embedding<double>;

}  // namespace recur
