// recur/tensor/tensor.hpp — a dense, row-major, contiguous n-d array.
//
// Layout conventions used throughout recur (see README "Data layout"):
//   vector batch     (B, F)
//   sequence batch   (T, B, F)   time-major: step t of every sample is one contiguous (B, F) block,
//                                so a whole sequence reshapes to a (T*B, F) matrix for one GEMM.
//   id batch         (T, B)      integer token ids stored as values of T (exact below 2^24 for
//   float)
// resize() keeps capacity, so a buffer reused with the same or a smaller shape never allocates.
// Storage is 64-byte aligned: Eigen's vectorised kernels peel unaligned heads differently, so
// the rounding of a GEMM would otherwise depend on where malloc put the buffer, and two runs
// with the same seed would differ in the last bits.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <string>
#include <vector>

namespace recur {

using Index = std::int64_t;

template <typename T>
struct AlignedAllocator {
    using value_type = T;
    static constexpr std::align_val_t alignment{64};
    AlignedAllocator() = default;
    template <typename U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, alignment); }
    template <typename U>
    bool operator==(const AlignedAllocator<U>&) const {
        return true;
    }
};

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using MatrixMap = Eigen::Map<RowMatrix<T>>;
template <typename T>
using ConstMatrixMap = Eigen::Map<const RowMatrix<T>>;
// A (rows x cols) window into a wider row-major matrix (row stride = `stride` elements).
template <typename T>
using StridedMap = Eigen::Map<RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using ConstStridedMap = Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>>;

std::string shape_to_string(const std::vector<Index>& shape);

template <typename T>
class Tensor {
  public:
    Tensor() = default;
    explicit Tensor(std::vector<Index> shape, T fill = T(0)) { resize(std::move(shape), fill); }
    Tensor(std::initializer_list<Index> shape) { resize(std::vector<Index>(shape)); }

    // Reshape and (re)size; contents are unspecified unless `fill` is used via assign().
    void resize(std::vector<Index> shape, T fill = T(0)) {
        shape_ = std::move(shape);
        data_.resize(static_cast<size_t>(count(shape_)), fill);
    }
    void assign(std::vector<Index> shape, T value) {
        resize(std::move(shape));
        fill(value);
    }
    void fill(T value) { std::fill(data_.begin(), data_.end(), value); }
    void zero() { fill(T(0)); }

    const std::vector<Index>& shape() const { return shape_; }
    int rank() const { return static_cast<int>(shape_.size()); }
    Index dim(int i) const { return shape_[static_cast<size_t>(i)]; }
    Index size() const { return static_cast<Index>(data_.size()); }
    bool empty() const { return data_.empty(); }

    T* data() { return data_.data(); }
    const T* data() const { return data_.data(); }
    T& operator[](Index i) { return data_[static_cast<size_t>(i)]; }
    const T& operator[](Index i) const { return data_[static_cast<size_t>(i)]; }
    T& at(Index i, Index j) { return data_[static_cast<size_t>(i * shape_[1] + j)]; }
    const T& at(Index i, Index j) const { return data_[static_cast<size_t>(i * shape_[1] + j)]; }
    T& at(Index i, Index j, Index k) {
        return data_[static_cast<size_t>((i * shape_[1] + j) * shape_[2] + k)];
    }
    const T& at(Index i, Index j, Index k) const {
        return data_[static_cast<size_t>((i * shape_[1] + j) * shape_[2] + k)];
    }

    // All leading dimensions folded into rows, the last one is columns.
    Index rows() const { return shape_.empty() ? 0 : size() / shape_.back(); }
    Index cols() const { return shape_.empty() ? 0 : shape_.back(); }
    MatrixMap<T> matrix() { return MatrixMap<T>(data(), rows(), cols()); }
    ConstMatrixMap<T> matrix() const { return ConstMatrixMap<T>(data(), rows(), cols()); }

    using Storage = std::vector<T, AlignedAllocator<T>>;
    Storage& storage() { return data_; }
    const Storage& storage() const { return data_; }

    static Index count(const std::vector<Index>& shape) {
        Index n = 1;
        for (Index d : shape) n *= d;
        return n;
    }

  private:
    std::vector<Index> shape_;
    std::vector<T, AlignedAllocator<T>> data_;
};

// Copy with element-type conversion (float <-> double).
template <typename To, typename From>
Tensor<To> tensor_cast(const Tensor<From>& src) {
    Tensor<To> out(src.shape());
    for (Index i = 0; i < src.size(); ++i) out[i] = static_cast<To>(src[i]);
    return out;
}

// Rows [begin, end) of the first dimension, copied (samples-first data: a train/test split).
template <typename T>
Tensor<T> slice_rows(const Tensor<T>& src, Index begin, Index end) {
    std::vector<Index> shape = src.shape();
    const Index per = src.size() / shape[0];
    shape[0] = end - begin;
    Tensor<T> out(shape);
    std::copy(src.data() + begin * per, src.data() + end * per, out.data());
    return out;
}

}  // namespace recur
