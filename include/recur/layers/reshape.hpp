// recur/layers/reshape.hpp — Reshape and Flatten (Keras semantics: the per-sample values keep
// their samples-first order (t, f); only the shape changes).
//
//   Reshape({10})      (None, 1, 10) -> (None, 10)     e.g. an Embedding of one id
//   Reshape({4, 3})    (None, 12)    -> (None, 4, 3)
//   Flatten()          (None, T, F)  -> (None, T*F)
// In recur's time-major layout a sequence batch is (T, B, F), so a reshape between a sequence and
// a vector moves values between the time-major and the samples-first order; a vector -> vector or
// a T = 1 sequence -> vector reshape is a plain copy.
#pragma once

#include "recur/layers/layer.hpp"

namespace recur {

template <typename T>
class Reshape : public Layer<T> {
  public:
    // One dimension: a vector of that width; two: a sequence (steps, features).
    explicit Reshape(std::vector<Index> target_shape) : target_(std::move(target_shape)) {}
    std::string kind() const override { return "Reshape"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    void forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) override;
    void backward(const Tensor<T>& dy, Tensor<T>* dx) override;
    std::string config_json() const override;
    const std::vector<Index>& target_shape() const { return target_; }

  protected:
    std::vector<Index> target_;
};

template <typename T>
class Flatten : public Reshape<T> {
  public:
    Flatten() : Reshape<T>({}) {}
    std::string kind() const override { return "Flatten"; }
    ShapeSpec build(const ShapeSpec& input, Rng& rng) override;
    std::string config_json() const override { return "{}"; }
};

}  // namespace recur
