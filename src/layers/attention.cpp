// Attention scores, softmax over the unmasked value steps, contexts, and their gradients
// (equations in attention.hpp). Loops run per batch row; the projections of the general and
// additive scores are whole-sequence GEMMs.
#include "recur/layers/attention.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "layers/initializers.hpp"

namespace recur {

std::string attention_score_name(AttentionScore s) {
    switch (s) {
        case AttentionScore::dot:
            return "dot";
        case AttentionScore::general:
            return "general";
        case AttentionScore::additive:
            return "additive";
    }
    return "dot";
}

AttentionScore attention_score_from_name(const std::string& name) {
    if (name == "dot") return AttentionScore::dot;
    if (name == "general") return AttentionScore::general;
    if (name == "additive" || name == "bahdanau") return AttentionScore::additive;
    throw std::invalid_argument("unknown attention score '" + name +
                                "' (expected dot, general or additive)");
}

template <typename T>
ShapeSpec Attention<T>::build_multi(const std::vector<ShapeSpec>& inputs, Rng& rng) {
    if (inputs.size() < 2 || inputs.size() > 3)
        throw std::invalid_argument("Attention takes [query, value] or [query, value, mask], got " +
                                    std::to_string(inputs.size()) + " inputs");
    const ShapeSpec &q = inputs[0], &v = inputs[1];
    if (q.kind != ShapeSpec::Kind::sequence || v.kind != ShapeSpec::Kind::sequence)
        throw std::invalid_argument("Attention: query and value must be sequences, got " +
                                    q.keras_string() + " and " + v.keras_string());
    if (inputs.size() == 3 &&
        !(inputs[2].kind == ShapeSpec::Kind::vector && inputs[2].features == v.steps))
        throw std::invalid_argument("Attention: the mask must be a vector of " +
                                    std::to_string(v.steps) + " (one per value step), got " +
                                    inputs[2].keras_string());
    dq_ = q.features;
    dv_ = v.features;
    switch (options_.score()) {
        case AttentionScore::dot:
            if (dq_ != dv_)
                throw std::invalid_argument("Attention(dot): query and value widths differ (" +
                                            std::to_string(dq_) + " vs " + std::to_string(dv_) +
                                            "); use score general or additive");
            break;
        case AttentionScore::general:
            kernel_.value.resize({dq_, dv_});
            kernel_.grad.assign({dq_, dv_}, T(0));
            init::glorot_uniform(kernel_.value, rng);
            break;
        case AttentionScore::additive: {
            units_ = options_.units() > 0 ? options_.units() : dq_;
            query_kernel_.value.resize({dq_, units_});
            key_kernel_.value.resize({dv_, units_});
            query_kernel_.grad.assign({dq_, units_}, T(0));
            key_kernel_.grad.assign({dv_, units_}, T(0));
            score_vector_.grad.assign({units_}, T(0));
            init::glorot_uniform(query_kernel_.value, rng);
            init::glorot_uniform(key_kernel_.value, rng);
            score_vector_.value.resize({units_});
            const double limit = std::sqrt(6.0 / double(units_ + 1));
            init::uniform(score_vector_.value, rng, -limit, limit);
            break;
        }
    }
    this->input_spec_ = q;
    this->output_spec_ = ShapeSpec::sequence(q.steps, dv_);
    this->built_ = true;
    return this->output_spec_;
}

template <typename T>
std::vector<Param<T>*> Attention<T>::params() {
    switch (options_.score()) {
        case AttentionScore::general:
            return {&kernel_};
        case AttentionScore::additive:
            return {&query_kernel_, &key_kernel_, &score_vector_};
        default:
            return {};
    }
}

template <typename T>
void Attention<T>::forward_multi(const std::vector<const Tensor<T>*>& xs, Tensor<T>& y, Mode) {
    const Tensor<T>& q = *xs[0];
    const Tensor<T>& v = *xs[1];
    if (q.rank() != 3 || v.rank() != 3 || q.dim(2) != dq_ || v.dim(2) != dv_ ||
        q.dim(1) != v.dim(1))
        throw std::invalid_argument("Attention: query " + shape_to_string(q.shape()) +
                                    " and value " + shape_to_string(v.shape()) +
                                    " do not match the built widths / batch");
    const Index Tq = q.dim(0), Tv = v.dim(0), B = q.dim(1);
    mask_ = xs.size() > 2 ? xs[2] : nullptr;
    if (mask_ && (mask_->rank() != 2 || mask_->dim(0) != B || mask_->dim(1) != Tv))
        throw std::invalid_argument("Attention: mask has shape " + shape_to_string(mask_->shape()) +
                                    ", expected " + shape_to_string({B, Tv}));
    q_ = &q;
    v_ = &v;
    const AttentionScore score = options_.score();
    if (score == AttentionScore::general) {
        vw_.resize({Tv, B, dq_});  // vw_j = v_j Wᵀ, so s_ij = q_i · vw_j
        vw_.matrix().noalias() = v.matrix() * kernel_.value.matrix().transpose();
    } else if (score == AttentionScore::additive) {
        qa_.resize({Tq, B, units_});
        ka_.resize({Tv, B, units_});
        qa_.matrix().noalias() = q.matrix() * query_kernel_.value.matrix();
        ka_.matrix().noalias() = v.matrix() * key_kernel_.value.matrix();
        e_.resize({Tq, Tv, B, units_});
    }
    weights_.resize({Tq, B, Tv});
    y.resize({Tq, B, dv_});
    y.zero();
    for (Index b = 0; b < B; ++b)
        for (Index i = 0; i < Tq; ++i) {
            const T* qi = q.data() + (i * B + b) * dq_;
            T* a = weights_.data() + (i * B + b) * Tv;
            T top = -std::numeric_limits<T>::infinity();
            for (Index j = 0; j < Tv; ++j) {
                if (mask_ && (*mask_)[b * Tv + j] == T(0)) continue;
                T s = 0;
                if (score == AttentionScore::dot) {
                    const T* vj = v.data() + (j * B + b) * dv_;
                    for (Index d = 0; d < dq_; ++d) s += qi[d] * vj[d];
                } else if (score == AttentionScore::general) {
                    const T* wj = vw_.data() + (j * B + b) * dq_;
                    for (Index d = 0; d < dq_; ++d) s += qi[d] * wj[d];
                } else {
                    const T* qa = qa_.data() + (i * B + b) * units_;
                    const T* ka = ka_.data() + (j * B + b) * units_;
                    T* e = e_.data() + ((i * Tv + j) * B + b) * units_;
                    for (Index k = 0; k < units_; ++k) {
                        e[k] = std::tanh(qa[k] + ka[k]);
                        s += score_vector_.value[k] * e[k];
                    }
                }
                a[j] = s;
                top = std::max(top, s);
            }
            T total = 0;
            for (Index j = 0; j < Tv; ++j) {
                if (mask_ && (*mask_)[b * Tv + j] == T(0)) {
                    a[j] = 0;
                    continue;
                }
                a[j] = std::exp(a[j] - top);
                total += a[j];
            }
            T* ctx = y.data() + (i * B + b) * dv_;
            if (total == T(0)) continue;  // every step masked: zero weights, zero context
            for (Index j = 0; j < Tv; ++j) {
                a[j] /= total;
                const T* vj = v.data() + (j * B + b) * dv_;
                for (Index d = 0; d < dv_; ++d) ctx[d] += a[j] * vj[d];
            }
        }
}

template <typename T>
void Attention<T>::backward_multi(const Tensor<T>& dy, const std::vector<Tensor<T>*>& dxs) {
    if (!q_ || !v_) throw std::logic_error("Attention: backward before forward");
    const Tensor<T>& q = *q_;
    const Tensor<T>& v = *v_;
    const Index Tq = q.dim(0), Tv = v.dim(0), B = q.dim(1);
    if (dy.shape() != std::vector<Index>{Tq, B, dv_})
        throw std::invalid_argument("Attention: output gradient has shape " +
                                    shape_to_string(dy.shape()));
    const AttentionScore score = options_.score();
    Tensor<T> dq({Tq, B, dq_}, T(0)), dv({Tv, B, dv_}, T(0));
    Tensor<T> dvw, dqa, dka;  // gradients of the projections (general, additive)
    if (score == AttentionScore::general) dvw.assign({Tv, B, dq_}, T(0));
    if (score == AttentionScore::additive) {
        dqa.assign({Tq, B, units_}, T(0));
        dka.assign({Tv, B, units_}, T(0));
    }
    std::vector<T> da(static_cast<size_t>(Tv));
    for (Index b = 0; b < B; ++b)
        for (Index i = 0; i < Tq; ++i) {
            const T* a = weights_.data() + (i * B + b) * Tv;
            const T* dctx = dy.data() + (i * B + b) * dv_;
            T weighted = 0;  // Σ_k a_ik da_ik
            for (Index j = 0; j < Tv; ++j) {
                const T* vj = v.data() + (j * B + b) * dv_;
                T* dvj = dv.data() + (j * B + b) * dv_;
                T s = 0;
                for (Index d = 0; d < dv_; ++d) {
                    s += dctx[d] * vj[d];
                    dvj[d] += a[j] * dctx[d];
                }
                da[static_cast<size_t>(j)] = s;
                weighted += a[j] * s;
            }
            const T* qi = q.data() + (i * B + b) * dq_;
            T* dqi = dq.data() + (i * B + b) * dq_;
            for (Index j = 0; j < Tv; ++j) {
                const T ds = a[j] * (da[static_cast<size_t>(j)] - weighted);
                if (ds == T(0)) continue;  // masked steps (a = 0) included
                if (score == AttentionScore::dot) {
                    const T* vj = v.data() + (j * B + b) * dv_;
                    T* dvj = dv.data() + (j * B + b) * dv_;
                    for (Index d = 0; d < dq_; ++d) {
                        dqi[d] += ds * vj[d];
                        dvj[d] += ds * qi[d];
                    }
                } else if (score == AttentionScore::general) {
                    const T* wj = vw_.data() + (j * B + b) * dq_;
                    T* dwj = dvw.data() + (j * B + b) * dq_;
                    for (Index d = 0; d < dq_; ++d) {
                        dqi[d] += ds * wj[d];
                        dwj[d] += ds * qi[d];
                    }
                } else {
                    const T* e = e_.data() + ((i * Tv + j) * B + b) * units_;
                    T* dqa_i = dqa.data() + (i * B + b) * units_;
                    T* dka_j = dka.data() + (j * B + b) * units_;
                    for (Index k = 0; k < units_; ++k) {
                        score_vector_.grad[k] += ds * e[k];
                        const T g = ds * score_vector_.value[k] * (T(1) - e[k] * e[k]);
                        dqa_i[k] += g;
                        dka_j[k] += g;
                    }
                }
            }
        }
    if (score == AttentionScore::general) {
        // vw = v Wᵀ:  dW += dvwᵀ v,  dv += dvw W.
        kernel_.grad.matrix().noalias() += dvw.matrix().transpose() * v.matrix();
        dv.matrix().noalias() += dvw.matrix() * kernel_.value.matrix();
    } else if (score == AttentionScore::additive) {
        query_kernel_.grad.matrix().noalias() += q.matrix().transpose() * dqa.matrix();
        key_kernel_.grad.matrix().noalias() += v.matrix().transpose() * dka.matrix();
        dq.matrix().noalias() += dqa.matrix() * query_kernel_.value.matrix().transpose();
        dv.matrix().noalias() += dka.matrix() * key_kernel_.value.matrix().transpose();
    }
    if (dxs.size() > 0 && dxs[0]) *dxs[0] = std::move(dq);
    if (dxs.size() > 1 && dxs[1]) *dxs[1] = std::move(dv);
    if (dxs.size() > 2 && dxs[2]) dxs[2]->assign({B, Tv}, T(0));  // the mask is not learned
}

template <typename T>
ShapeSpec Attention<T>::build(const ShapeSpec& input, Rng& rng) {
    return build_multi({input, input}, rng);
}

template <typename T>
void Attention<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) {
    forward_multi({&x, &x}, y, mode);
}

template <typename T>
void Attention<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    Tensor<T> dq, dv;
    backward_multi(dy, {&dq, &dv});
    if (!dx) return;
    *dx = std::move(dq);
    for (Index i = 0; i < dx->size(); ++i) (*dx)[i] += dv[i];
}

template <typename T>
std::string Attention<T>::config_json() const {
    nlohmann::json j = {{"score", attention_score_name(options_.score())},
                        {"units", options_.units()}};
    return j.dump();
}

template class Attention<float>;
template class Attention<double>;

}  // namespace recur
