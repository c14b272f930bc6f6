// The shared half of every recurrent layer: shapes, weights, dropout masks, the input projection
// GEMM before the step loop and the input-side weight GEMMs after it (see recurrent.hpp).
#include "recur/layers/recurrent.hpp"

#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

#include "layers/initializers.hpp"
#include "layers/step_kernels.hpp"
#include "recur/tensor/parallel.hpp"
#include "tensor/gemm.hpp"

namespace recur {

namespace {
StepKernels g_step_kernels = StepKernels::fused;
// With the fused kernels (at most kFusedMaxUnits units) dU and the bias gradient run in register
// tiles and column sums (small_gemm_tn_acc, column_sums_acc); layers with up to this many inputs
// also take P = x W + b and dW there (affine_rows, small_gemm_tn_acc). The rest is Eigen's GEMM.
constexpr Index kMaxTileInputs = 64;
}  // namespace

namespace {
// Runs fn(chunk, begin, end) over [0, n) split across the threads when the work (multiply-adds)
// pays for the hand-off, else inline as one chunk.
template <typename F>
void split_work(Index n, double macs, F&& fn) {
    constexpr double kMinParallelMacs = 2e5;
    if (macs < kMinParallelMacs)
        fn(0, Index(0), n);
    else
        parallel_for(n, fn);
}
}  // namespace

void set_step_kernels(StepKernels kernels) {
    g_step_kernels = kernels;
}
StepKernels step_kernels() {
    return g_step_kernels;
}

template <typename T>
std::vector<ShapeSpec> RecurrentLayer<T>::build_outputs(const std::vector<ShapeSpec>& inputs,
                                                        Rng& rng) {
    std::vector<ShapeSpec> out{this->build_multi(inputs, rng)};
    for (int k = 0; k + 1 < num_outputs(); ++k) out.push_back(ShapeSpec::vector(units()));
    return out;
}

template <typename T>
void RecurrentLayer<T>::forward_outputs(const std::vector<const Tensor<T>*>& xs,
                                        const std::vector<Tensor<T>*>& ys, Mode mode) {
    forward(*xs[0], *ys[0], mode);
    for (size_t k = 1; k < ys.size(); ++k) *ys[k] = final_state(static_cast<int>(k - 1));
}

template <typename T>
void RecurrentLayer<T>::backward_outputs(const std::vector<const Tensor<T>*>& dys,
                                         const std::vector<Tensor<T>*>& dxs) {
    if (dys.size() > 1) {  // return_state: the states' gradients join the output's
        std::vector<Tensor<T>> state_grads;
        for (size_t k = 1; k < dys.size(); ++k) state_grads.push_back(*dys[k]);
        set_final_state_grad(std::move(state_grads));
    }
    backward(*dys[0], dxs[0]);
}

template <typename T>
ShapeSpec RecurrentLayer<T>::build(const ShapeSpec& input, Rng& rng) {
    if (input.kind != ShapeSpec::Kind::sequence)
        throw std::invalid_argument(this->kind() +
                                    " expects a sequence input (steps, features), got " +
                                    input.keras_string());
    if (options_.dropout() < 0 || options_.dropout() >= 1 || options_.recurrent_dropout() < 0 ||
        options_.recurrent_dropout() >= 1)
        throw std::invalid_argument(this->kind() + ": dropout rates must be in [0, 1)");
    Index in = input.features, u = units(), gu = gates() * u;
    kernel_.value.resize({in, gu});
    recurrent_kernel_.value.resize({u, gu});
    kernel_.grad.assign({in, gu}, T(0));
    recurrent_kernel_.grad.assign({u, gu}, T(0));
    if (options_.use_bias()) {
        std::vector<Index> bshape =
            has_recurrent_bias() ? std::vector<Index>{2, gu} : std::vector<Index>{gu};
        bias_.value.assign(bshape, T(0));
        bias_.grad.assign(bshape, T(0));
    }
    init_weights(rng);
    this->input_spec_ = input;
    this->output_spec_ =
        options_.return_sequences() ? ShapeSpec::sequence(input.steps, u) : ShapeSpec::vector(u);
    this->built_ = true;
    return this->output_spec_;
}

template <typename T>
void RecurrentLayer<T>::init_weights(Rng& rng) {
    init::glorot_uniform(kernel_.value, rng);
    init::orthogonal(recurrent_kernel_.value, rng);
}

template <typename T>
std::vector<Param<T>*> RecurrentLayer<T>::params() {
    if (options_.use_bias()) return {&kernel_, &recurrent_kernel_, &bias_};
    return {&kernel_, &recurrent_kernel_};
}

template <typename T>
std::string RecurrentLayer<T>::config_json() const {
    const auto& o = options_;
    nlohmann::json j = {{"units", o.units()},
                        {"return_sequences", o.return_sequences()},
                        {"return_state", o.return_state()},
                        {"go_backwards", o.go_backwards()},
                        {"activation", activation_name(o.activation())},
                        {"recurrent_activation", activation_name(o.recurrent_activation())},
                        {"dropout", o.dropout()},
                        {"recurrent_dropout", o.recurrent_dropout()},
                        {"use_bias", o.use_bias()},
                        {"unit_forget_bias", o.unit_forget_bias()},
                        {"reset_after", o.reset_after()}};
    return j.dump();
}

namespace {
template <typename T>
void expect_shape(const std::string& who, const char* what, const Tensor<T>& t,
                  const std::vector<Index>& shape) {
    if (t.shape() != shape)
        throw std::invalid_argument(who + ": " + what + " has shape " + shape_to_string(t.shape()) +
                                    ", expected " + shape_to_string(shape));
}

template <typename T>
void fill_mask(Tensor<T>& mask, std::vector<Index> shape, double rate, Rng& rng) {
    mask.resize(std::move(shape));
    T scale = T(1.0 / (1.0 - rate));
    for (Index i = 0; i < mask.size(); ++i) mask[i] = rng.uniform() < rate ? T(0) : scale;
}
}  // namespace

template <typename T>
void RecurrentLayer<T>::set_weights_keras(const Tensor<T>& kernel,
                                          const Tensor<T>& recurrent_kernel,
                                          const Tensor<T>* bias) {
    expect_shape(this->kind(), "kernel", kernel, kernel_.value.shape());
    expect_shape(this->kind(), "recurrent_kernel", recurrent_kernel,
                 recurrent_kernel_.value.shape());
    kernel_.value = kernel;
    recurrent_kernel_.value = recurrent_kernel;
    if (bias) {
        if (!options_.use_bias()) throw std::invalid_argument(this->kind() + ": layer has no bias");
        expect_shape(this->kind(), "bias", *bias, bias_.value.shape());
        bias_.value = *bias;
    }
}

template <typename T>
void RecurrentLayer<T>::set_weights_pytorch_same_order(const Tensor<T>& weight_ih,
                                                       const Tensor<T>& weight_hh,
                                                       const Tensor<T>* bias_ih,
                                                       const Tensor<T>* bias_hh) {
    Tensor<T> kernel(kernel_.value.shape()), rec(recurrent_kernel_.value.shape());
    const std::vector<Index> want_ih{kernel.dim(1), kernel.dim(0)}, want_hh{rec.dim(1), rec.dim(0)};
    if (weight_ih.shape() != want_ih || weight_hh.shape() != want_hh)
        throw std::invalid_argument(this->kind() + ": PyTorch weights have shapes " +
                                    shape_to_string(weight_ih.shape()) + " and " +
                                    shape_to_string(weight_hh.shape()) + ", expected " +
                                    shape_to_string(want_ih) + " and " + shape_to_string(want_hh));
    kernel.matrix() = weight_ih.matrix().transpose();
    rec.matrix() = weight_hh.matrix().transpose();
    Tensor<T> bias({kernel.dim(1)}, T(0));
    for (const Tensor<T>* b : {bias_ih, bias_hh})
        if (b) {
            if (b->size() != bias.size())
                throw std::invalid_argument(this->kind() + ": PyTorch bias has shape " +
                                            shape_to_string(b->shape()) + ", expected " +
                                            shape_to_string(bias.shape()));
            for (Index k = 0; k < bias.size(); ++k) bias[k] += (*b)[k];
        }
    set_weights_keras(kernel, rec, options_.use_bias() ? &bias : nullptr);
}

template <typename T>
void RecurrentLayer<T>::set_initial_state(std::vector<Tensor<T>> states) {
    if (static_cast<int>(states.size()) != state_count())
        throw std::invalid_argument(this->kind() + " takes " + std::to_string(state_count()) +
                                    " initial state tensor(s), got " +
                                    std::to_string(states.size()));
    for (const auto& s : states)
        if (s.rank() != 2 || s.dim(1) != units())
            throw std::invalid_argument(this->kind() + ": initial state has shape " +
                                        shape_to_string(s.shape()) + ", expected (batch, " +
                                        std::to_string(units()) + ")");
    initial_state_ = std::move(states);
}

template <typename T>
Index RecurrentLayer<T>::row_align() const {
    const Index row_bytes = units() * static_cast<Index>(sizeof(T));
    return 64 / std::gcd(Index(64), row_bytes);
}

template <typename T>
const T* RecurrentLayer<T>::h_prev(Index t, Index b) const {
    Index u = units();
    if (t > 0) return h_.data() + ((t - 1) * B_ + b) * u;
    return (initial_state_.empty() ? zero_state_.data() : initial_state_[0].data()) + b * u;
}

template <typename T>
const T* RecurrentLayer<T>::c_prev(Index t, Index b) const {
    Index u = units();
    if (t > 0) return c_.data() + ((t - 1) * B_ + b) * u;
    return (initial_state_.empty() ? zero_state_.data() : initial_state_[1].data()) + b * u;
}

template <typename T>
const T* RecurrentLayer<T>::recurrent_operand(Index t, Index b0, Index b1) {
    const T* src = h_prev(t, b0);
    if (rec_mask_.empty()) return src;
    const Index u = units(), n = (b1 - b0) * u;
    T* dst = at(hm_, t, b0);
    const T* m = rec_mask_.data() + b0 * u;
    for (Index i = 0; i < n; ++i) dst[i] = src[i] * m[i];
    return dst;
}

template <typename T>
void RecurrentLayer<T>::accumulate_recurrent_grad(const Tensor<T>& dP, Index col0, Index ncols,
                                                  const Tensor<T>* operand) {
    const Index u = units(), w = dP.cols();
    // Columns split over the threads: each owns its slice of dU, no reduction needed.
    const bool tiles = use_fused();  // at most kFusedMaxUnits units
    split_work(ncols, double(T_ * B_) * u * ncols, [&](int, Index c0, Index c1) {
        // dU += Hᵀ dP[t0 .. t0 + rows): register tiles for small layers (no packing), else Eigen.
        auto add = [&](const T* H, Index t0, Index rows) {
            const T* d = dP.data() + t0 * B_ * w + col0 + c0;
            if (tiles) {
                T* g = recurrent_kernel_.grad.data() + col0 + c0;
                kernels::small_gemm_tn_acc(H, u, d, w, g, gates() * u, u, rows, c1 - c0);
                return;
            }
            gemm(MatView<const T>{H, rows, u, u}, Op::transpose,
                 MatView<const T>{d, rows, c1 - c0, w}, Op::none,
                 mat(recurrent_kernel_.grad.matrix().middleCols(col0 + c0, c1 - c0)), true);
        };
        if (operand || !rec_mask_.empty()) {
            add(operand ? operand->data() : hm_.data(), 0, T_ * B_);
            return;
        }
        if (!initial_state_.empty()) add(initial_state_[0].data(), 0, B_);
        if (T_ > 1) add(h_.data(), 1, (T_ - 1) * B_);
    });
}

template <typename T>
void RecurrentLayer<T>::mask_dh_run(Index b0, Index b1) {
    if (rec_mask_.empty()) return;
    Index u = units();
    T* d = dh_run_.data() + b0 * u;
    const T* m = rec_mask_.data() + b0 * u;
    for (Index i = 0; i < (b1 - b0) * u; ++i) d[i] *= m[i];
}

template <typename T>
void RecurrentLayer<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) {
    if (x.rank() != 3 || x.dim(2) != kernel_.value.dim(0))
        throw std::invalid_argument(this->kind() + " '" + this->name() + "': input has shape " +
                                    shape_to_string(x.shape()) + ", expected (steps, batch, " +
                                    std::to_string(kernel_.value.dim(0)) + ")");
    T_ = x.dim(0);
    B_ = x.dim(1);
    I_ = x.dim(2);
    Index u = units(), gu = gates() * u;
    if (!initial_state_.empty() && initial_state_[0].dim(0) != B_)
        throw std::invalid_argument(this->kind() + ": initial state batch " +
                                    std::to_string(initial_state_[0].dim(0)) + " != input batch " +
                                    std::to_string(B_));
    const bool training = mode == Mode::training;

    // Variational dropout: one mask per sequence, drawn before the threaded loop (determinism).
    if (training && options_.dropout() > 0)
        fill_mask(in_mask_, {B_, I_}, options_.dropout(), this->rng_);
    else
        in_mask_.resize({0});
    if (training && options_.recurrent_dropout() > 0)
        fill_mask(rec_mask_, {B_, u}, options_.recurrent_dropout(), this->rng_);
    else
        rec_mask_.resize({0});

    x_ = &x;
    if (options_.go_backwards() || !in_mask_.empty()) {
        xin_.resize({T_, B_, I_});
        remap_steps(x, xin_);
        x_ = &xin_;
    }

    // 1. Input projection for every step at once: P = x W + b (rows split over the threads).
    proj_.resize({T_, B_, gu});
    const double input_macs = double(T_ * B_) * I_ * gu;
    const bool tiles = use_fused() && I_ <= kMaxTileInputs;
    split_work(T_ * B_, input_macs, [&](int, Index r0, Index r1) {
        auto P = proj_.matrix().middleRows(r0, r1 - r0);
        if (tiles) {  // few inputs: no packing
            kernels::affine_rows(x_->data() + r0 * I_, I_, kernel_.value.data(), input_bias(),
                                 proj_.data() + r0 * gu, r1 - r0, gu);
            return;
        }
        gemm(mat(x_->matrix().middleRows(r0, r1 - r0)), Op::none, mat(kernel_.value.matrix()),
             Op::none, mat(P), false);
        if (const T* b = input_bias())
            P.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(b, gu);
    });

    h_.resize({T_, B_, u});
    if (!rec_mask_.empty()) hm_.resize({T_, B_, u});
    if (state_count() == 2) c_.resize({T_, B_, u});
    if (initial_state_.empty()) zero_state_.assign({B_, u}, T(0));
    resize_cell_buffers();

    // 2. The recurrence, batch rows split over threads.
    parallel_for(
        B_, [&](int, Index b0, Index b1) { forward_steps(b0, b1); }, row_align());

    const T* h_last = h_.data() + (T_ - 1) * B_ * u;
    final_state_.resize(static_cast<size_t>(state_count()));
    final_state_[0].resize({B_, u});
    std::copy(h_last, h_last + B_ * u, final_state_[0].data());
    if (state_count() == 2) {
        const T* c_last = c_.data() + (T_ - 1) * B_ * u;
        final_state_[1].resize({B_, u});
        std::copy(c_last, c_last + B_ * u, final_state_[1].data());
    }
    if (options_.return_sequences()) {
        y.resize({T_, B_, u});
        std::copy(h_.data(), h_.data() + h_.size(), y.data());
    } else {
        y.resize({B_, u});
        std::copy(h_last, h_last + B_ * u, y.data());
    }
}

template <typename T>
void RecurrentLayer<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    Index u = units(), gu = gates() * u;
    dh_seq_.resize({T_, B_, u});
    if (options_.return_sequences()) {
        std::copy(dy.data(), dy.data() + dy.size(), dh_seq_.data());
    } else {
        dh_seq_.zero();
        std::copy(dy.data(), dy.data() + dy.size(), dh_seq_.data() + (T_ - 1) * B_ * u);
    }
    for (const auto& g : final_state_grad_)
        if (!g.empty() && g.shape() != std::vector<Index>{B_, u})
            throw std::invalid_argument(this->kind() + ": final-state gradient has shape " +
                                        shape_to_string(g.shape()) + ", expected " +
                                        shape_to_string({B_, u}));
    if (!final_state_grad_.empty() && !final_state_grad_[0].empty()) {
        T* last = dh_seq_.data() + (T_ - 1) * B_ * u;
        for (Index i = 0; i < B_ * u; ++i) last[i] += final_state_grad_[0][i];
    }
    dproj_.resize({T_, B_, gu});
    dh_run_.assign({B_, u}, T(0));
    if (state_count() == 2) {
        if (final_state_grad_.size() > 1 && !final_state_grad_[1].empty())
            dc_run_ = final_state_grad_[1];
        else
            dc_run_.assign({B_, u}, T(0));
    }

    // 3. Backpropagation through time, per batch chunk.
    if (use_fused()) {
        rec_t_.resize({gu, u});
        kernels::transpose_into(recurrent_kernel_.value.data(), u, gu, rec_t_.data());
    }
    parallel_for(
        B_, [&](int, Index b0, Index b1) { backward_steps(b0, b1); }, row_align());

    final_state_grad_.clear();  // consumed: they belong to this forward/backward pair only
    initial_state_grad_.resize(static_cast<size_t>(state_count()));
    initial_state_grad_[0] = dh_run_;
    if (state_count() == 2) initial_state_grad_[1] = dc_run_;

    // 4. Whole-sequence GEMMs for the weight gradients (columns split over the threads) and the
    // input gradient (rows split).
    auto dP = dproj_.matrix();
    if (kernel_.trainable) {
        const bool tiles = use_fused() && I_ <= kMaxTileInputs;
        split_work(gu, double(T_ * B_) * I_ * gu, [&](int, Index c0, Index c1) {
            if (tiles)  // dW += xᵀ dP, as dU in accumulate_recurrent_grad
                kernels::small_gemm_tn_acc(x_->data(), I_, dP.data() + c0, gu,
                                           kernel_.grad.data() + c0, gu, I_, T_ * B_, c1 - c0);
            else
                gemm(mat(x_->matrix()), Op::transpose, mat(dP.middleCols(c0, c1 - c0)), Op::none,
                     mat(kernel_.grad.matrix().middleCols(c0, c1 - c0)), true);
            if (!options_.use_bias()) return;
            if (use_fused())  // any input count: the bias gradient does not depend on it
                kernels::column_sums_acc(dP.data() + c0, gu, T_ * B_, c1 - c0,
                                         bias_.grad.data() + c0);
            else
                Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias_.grad.data() + c0, c1 - c0)
                    .noalias() += dP.middleCols(c0, c1 - c0).colwise().sum();
        });
        backward_recurrent_weights();
    }
    if (!dx) return;
    dx->resize({T_, B_, I_});
    bool remap = options_.go_backwards() || !in_mask_.empty();
    Tensor<T>& target = remap ? dxin_ : *dx;
    target.resize({T_, B_, I_});
    split_work(T_ * B_, double(T_ * B_) * I_ * gu, [&](int, Index r0, Index r1) {
        gemm(mat(dP.middleRows(r0, r1 - r0)), Op::none, mat(kernel_.value.matrix()), Op::transpose,
             mat(target.matrix().middleRows(r0, r1 - r0)), false);
    });
    if (remap) remap_steps(dxin_, *dx);
}

// to[t'] = from[t] ⊙ input mask, t' = t or T - 1 - t: the step order and input dropout between
// the layer's (T, B, I) input and the buffers its loop runs on (its own inverse); steps split
// over the threads.
template <typename T>
void RecurrentLayer<T>::remap_steps(const Tensor<T>& from, Tensor<T>& to) const {
    const Index n = B_ * I_;
    split_work(T_, double(T_ * n), [&](int, Index t0, Index t1) {
        for (Index t = t0; t < t1; ++t) {
            const T* src = from.data() + t * n;
            T* dst = to.data() + (options_.go_backwards() ? T_ - 1 - t : t) * n;
            if (in_mask_.empty())
                std::copy(src, src + n, dst);
            else
                for (Index i = 0; i < n; ++i) dst[i] = src[i] * in_mask_[i];
        }
    });
}

template class RecurrentLayer<float>;
template class RecurrentLayer<double>;

}  // namespace recur
