// Losses as Keras defines them; see recur/training/loss.hpp.
#include "recur/training/loss.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace recur {

namespace {

// Keras's backend.epsilon(): binary_crossentropy clips probabilities to [eps, 1 - eps].
constexpr double kBceEpsilon = 1e-7;

std::string to_lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string loss_name(Loss loss) {
    switch (loss) {
        case Loss::mse:
            return "mse";
        case Loss::mae:
            return "mae";
        case Loss::bce:
            return "binary_crossentropy";
        case Loss::bce_logits:
            return "binary_crossentropy_logits";
    }
    throw std::invalid_argument("loss_name: unknown Loss value");
}

Loss loss_from_name(const std::string& name) {
    const std::string n = to_lower(name);
    if (n == "mse" || n == "mean_squared_error") return Loss::mse;
    if (n == "mae" || n == "mean_absolute_error") return Loss::mae;
    if (n == "binary_crossentropy" || n == "bce") return Loss::bce;
    if (n == "binary_crossentropy_logits" || n == "bce_logits") return Loss::bce_logits;
    throw std::invalid_argument(
        "unknown loss '" + name +
        "'; valid names: mse (mean_squared_error), mae (mean_absolute_error), "
        "binary_crossentropy (bce), binary_crossentropy_logits");
}

template <typename T>
double compute_loss(Loss loss, const Tensor<T>& pred, const Tensor<T>& target,
                    std::type_identity_t<Tensor<T>>* grad) {
    if (pred.shape() != target.shape()) {
        throw std::invalid_argument("compute_loss(" + loss_name(loss) + "): prediction shape " +
                                    shape_to_string(pred.shape()) + " != target shape " +
                                    shape_to_string(target.shape()));
    }
    const Index n = pred.size();
    if (n == 0) {
        throw std::invalid_argument("compute_loss(" + loss_name(loss) + "): empty tensors");
    }
    if (grad) grad->resize(pred.shape());

    const T* p = pred.data();
    const T* y = target.data();
    T* g = grad ? grad->data() : nullptr;
    const double inv_n = 1.0 / static_cast<double>(n);
    double sum = 0.0;

    switch (loss) {
        case Loss::mse:
            for (Index i = 0; i < n; ++i) {
                const double d = static_cast<double>(p[i]) - static_cast<double>(y[i]);
                sum += d * d;
                if (g) g[i] = static_cast<T>(2.0 * d * inv_n);
            }
            break;
        case Loss::mae:
            for (Index i = 0; i < n; ++i) {
                const double d = static_cast<double>(p[i]) - static_cast<double>(y[i]);
                sum += std::abs(d);
                if (g) g[i] = static_cast<T>(d > 0 ? inv_n : (d < 0 ? -inv_n : 0.0));
            }
            break;
        case Loss::bce:
            for (Index i = 0; i < n; ++i) {
                const double pi = static_cast<double>(p[i]);
                const double yi = static_cast<double>(y[i]);
                // Clip like Keras; where the clip is active the gradient is zero.
                const double pc = std::clamp(pi, kBceEpsilon, 1.0 - kBceEpsilon);
                sum -= yi * std::log(pc) + (1.0 - yi) * std::log1p(-pc);
                if (g) {
                    const bool clipped = pi < kBceEpsilon || pi > 1.0 - kBceEpsilon;
                    g[i] = clipped ? T(0)
                                   : static_cast<T>((-yi / pc + (1.0 - yi) / (1.0 - pc)) * inv_n);
                }
            }
            break;
        case Loss::bce_logits:
            for (Index i = 0; i < n; ++i) {
                const double z = static_cast<double>(p[i]);
                const double yi = static_cast<double>(y[i]);
                const double e = std::exp(-std::abs(z));  // in (0, 1], never overflows
                sum += std::max(z, 0.0) - z * yi + std::log1p(e);
                if (g) {
                    const double sig = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                    g[i] = static_cast<T>((sig - yi) * inv_n);
                }
            }
            break;
    }

    const double mean = sum * inv_n;
    if (!std::isfinite(mean)) {
        throw std::runtime_error("the " + loss_name(loss) + " loss became NaN" +
                                 (std::isnan(mean) ? "" : " (inf)") +
                                 ": training diverged or the data contains NaN/inf");
    }
    return mean;
}

template double compute_loss<float>(Loss, const Tensor<float>&, const Tensor<float>&,
                                    Tensor<float>*);
template double compute_loss<double>(Loss, const Tensor<double>&, const Tensor<double>&,
                                     Tensor<double>*);

}  // namespace recur
