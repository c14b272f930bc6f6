// recur/training/loss.hpp — losses as Keras defines them: the mean over every output element
// (Keras averages over the last axis, then over the batch; equal here since all rows have the
// same width).
//   mse   mean (p - y)^2
//   mae   mean |p - y|                         (subgradient 0 at p = y)
//   bce   mean -[y log p + (1-y) log(1-p)]     p clipped to [1e-7, 1-1e-7] as Keras does
//   bce_logits   the same on logits z, computed stably as max(z,0) - z y + log(1 + e^-|z|)
// A Sequential model whose last layer is Dense(sigmoid) trained with bce computes the loss from
// the logits (like tf.keras), so the gradient never vanishes through a saturated sigmoid.
#pragma once

#include <string>
#include <type_traits>

#include "recur/tensor/tensor.hpp"

namespace recur {

enum class Loss { mse, mae, bce, bce_logits };

std::string loss_name(Loss loss);
Loss loss_from_name(const std::string& name);  // "mse", "mae", "binary_crossentropy", ...

// Returns the mean loss; if grad is non-null, resizes it like pred and writes dLoss/dpred.
// Throws std::invalid_argument on a shape mismatch.
template <typename T>
double compute_loss(Loss loss, const Tensor<T>& pred, const Tensor<T>& target,
                    std::type_identity_t<Tensor<T>>* grad);

}  // namespace recur
