#include "recur/layers/bidirectional.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"

namespace recur {

template <typename T>
std::unique_ptr<RecurrentLayer<T>> make_recurrent(const std::string& kind,
                                                  RecurrentOptions options) {
    if (kind == "LSTM") return std::make_unique<LSTM<T>>(options);
    if (kind == "GRU") return std::make_unique<GRU<T>>(options);
    if (kind == "SimpleRNN") return std::make_unique<SimpleRNN<T>>(options);
    throw std::invalid_argument("not a recurrent layer kind: '" + kind +
                                "' (LSTM, GRU, SimpleRNN)");
}

template <typename T>
Bidirectional<T>::Bidirectional(std::unique_ptr<RecurrentLayer<T>> forward, std::string merge_mode)
    : forward_(std::move(forward)), merge_(std::move(merge_mode)) {
    if (!forward_) throw std::invalid_argument("Bidirectional: no layer to wrap");
    if (merge_ != "concat" && merge_ != "sum" && merge_ != "ave" && merge_ != "mul" &&
        merge_ != "none")
        throw std::invalid_argument(
            "Bidirectional: merge_mode must be concat, sum, ave, mul or none, got '" + merge_ +
            "'");
    if (forward_->options().return_state())
        throw std::invalid_argument("Bidirectional: return_state is not supported");
    RecurrentOptions back = forward_->options();
    back.go_backwards(!back.go_backwards());
    backward_ = make_recurrent<T>(forward_->kind(), back);
}

template <typename T>
ShapeSpec Bidirectional<T>::build(const ShapeSpec& input, Rng& rng) {
    forward_->set_name("forward_" + this->name());
    backward_->set_name("backward_" + this->name());
    ShapeSpec out = forward_->build(input, rng);
    backward_->build(input, rng);
    for (Param<T>* p : forward_->params()) p->name = "forward_" + p->name;
    for (Param<T>* p : backward_->params()) p->name = "backward_" + p->name;
    forward_->seed_rng(rng.split());
    backward_->seed_rng(rng.split());
    if (merge_ == "concat") out.features *= 2;
    this->input_spec_ = input;
    this->output_spec_ = out;
    this->built_ = true;
    return out;
}

template <typename T>
void Bidirectional<T>::set_seed(std::uint64_t seed) {
    Rng r(seed);
    forward_->seed_rng(r.split());
    backward_->seed_rng(r.split());
}

template <typename T>
void Bidirectional<T>::reverse_time(const Tensor<T>& in, Tensor<T>& out) {
    out.resize(in.shape());
    const Index steps = in.dim(0), block = in.size() / std::max<Index>(steps, 1);
    for (Index t = 0; t < steps; ++t)
        std::copy(in.data() + (steps - 1 - t) * block, in.data() + (steps - t) * block,
                  out.data() + t * block);
}

template <typename T>
std::vector<ShapeSpec> Bidirectional<T>::build_outputs(const std::vector<ShapeSpec>& inputs,
                                                       Rng& rng) {
    const ShapeSpec out = this->build_multi(inputs, rng);
    return std::vector<ShapeSpec>(static_cast<size_t>(num_outputs()), out);
}

template <typename T>
void Bidirectional<T>::require_merged(const char* what) const {
    if (merge_ == "none")
        throw std::logic_error(std::string("Bidirectional '") + this->name() + "': " + what +
                               " with merge_mode none (two outputs: use forward_outputs / "
                               "backward_outputs, or Model::add_outputs)");
}

template <typename T>
void Bidirectional<T>::run_halves(const Tensor<T>& x, Mode mode, Tensor<T>& yf, Tensor<T>& yb) {
    // Dropout masks: each half draws from its own stream, re-seeded from this layer's.
    if (mode == Mode::training) set_seed(this->rng_.next());
    forward_->forward(x, yf, mode);
    if (forward_->options().return_sequences()) {
        backward_->forward(x, yb_raw_, mode);
        reverse_time(yb_raw_, yb);
    } else {
        backward_->forward(x, yb, mode);
    }
}

template <typename T>
void Bidirectional<T>::forward_outputs(const std::vector<const Tensor<T>*>& xs,
                                       const std::vector<Tensor<T>*>& ys, Mode mode) {
    if (merge_ != "none") return Layer<T>::forward_outputs(xs, ys, mode);
    run_halves(*xs[0], mode, *ys[0], *ys[1]);  // the halves are the outputs: no merge buffers
}

template <typename T>
void Bidirectional<T>::backward_outputs(const std::vector<const Tensor<T>*>& dys,
                                        const std::vector<Tensor<T>*>& dxs) {
    if (merge_ != "none") return Layer<T>::backward_outputs(dys, dxs);
    backward_halves(*dys[0], *dys[1], dxs[0]);
}

template <typename T>
void Bidirectional<T>::forward(const Tensor<T>& x, Tensor<T>& y, Mode mode) {
    require_merged("forward");
    run_halves(x, mode, yf_, yb_);
    const Index w = yf_.cols(), rows = yf_.rows();
    std::vector<Index> shape = yf_.shape();
    if (merge_ == "concat") {
        shape.back() = 2 * w;
        y.resize(shape);
        MatrixMap<T> out(y.data(), rows, 2 * w);
        out.leftCols(w) = yf_.matrix();
        out.rightCols(w) = yb_.matrix();
        return;
    }
    y.resize(shape);
    if (merge_ == "sum")
        y.matrix() = yf_.matrix() + yb_.matrix();
    else if (merge_ == "ave")
        y.matrix() = (yf_.matrix() + yb_.matrix()) * T(0.5);
    else
        y.matrix() = yf_.matrix().cwiseProduct(yb_.matrix());
}

template <typename T>
void Bidirectional<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    require_merged("backward");
    const Index w = yf_.cols(), rows = yf_.rows();
    dyf_.resize(yf_.shape());
    dyb_.resize(yf_.shape());
    if (merge_ == "concat") {
        ConstMatrixMap<T> d(dy.data(), rows, 2 * w);
        dyf_.matrix() = d.leftCols(w);
        dyb_.matrix() = d.rightCols(w);
    } else if (merge_ == "sum") {
        dyf_.matrix() = dy.matrix();
        dyb_.matrix() = dy.matrix();
    } else if (merge_ == "ave") {
        dyf_.matrix() = dy.matrix() * T(0.5);
        dyb_.matrix() = dyf_.matrix();
    } else {
        dyf_.matrix() = dy.matrix().cwiseProduct(yb_.matrix());
        dyb_.matrix() = dy.matrix().cwiseProduct(yf_.matrix());
    }
    backward_halves(dyf_, dyb_, dx);
}

template <typename T>
void Bidirectional<T>::backward_halves(const Tensor<T>& dyf, const Tensor<T>& dyb, Tensor<T>* dx) {
    forward_->backward(dyf, dx);
    const Tensor<T>* db = &dyb;
    if (forward_->options().return_sequences()) {
        reverse_time(dyb, dyb_raw_);
        db = &dyb_raw_;
    }
    backward_->backward(*db, dx ? &dxb_ : nullptr);
    if (dx) dx->matrix() += dxb_.matrix();
}

template <typename T>
std::vector<Param<T>*> Bidirectional<T>::params() {
    std::vector<Param<T>*> out = forward_->params();
    for (Param<T>* p : backward_->params()) out.push_back(p);
    return out;
}

template <typename T>
std::string Bidirectional<T>::config_json() const {
    nlohmann::json j = {
        {"merge_mode", merge_},
        {"layer",
         {{"kind", forward_->kind()}, {"config", nlohmann::json::parse(forward_->config_json())}}}};
    return j.dump();
}

template class Bidirectional<float>;
template class Bidirectional<double>;
template std::unique_ptr<RecurrentLayer<float>> make_recurrent<float>(const std::string&,
                                                                      RecurrentOptions);
template std::unique_ptr<RecurrentLayer<double>> make_recurrent<double>(const std::string&,
                                                                        RecurrentOptions);

}  // namespace recur
