// Encoder-decoder with output recurrence (seq2seq.hpp): the teacher-forced graph wires existing
// layers by hand (encoder final states -> decoder initial states, attention over the encoder
// outputs), backward runs them in reverse and routes the decoder's initial-state gradients into
// the encoder's final-state gradients.
#include "recur/model/seq2seq.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace recur {

namespace {
RecurrentOptions cell(Index units) {
    return RecurrentOptions(units).return_sequences(true);
}
}  // namespace

template <typename T>
Seq2Seq<T>::Seq2Seq(Seq2SeqOptions o)
    : options_(o),
      encoder_(cell(o.units)),
      decoder_(cell(o.units)),
      attention_(AttentionOptions().score(o.score)),
      combine_(DenseOptions(o.units).activation(Activation::tanh)),
      output_(DenseOptions(o.output_features).activation(o.output_activation)) {
    if (o.residual && o.output_activation != Activation::linear)
        throw std::invalid_argument("Seq2Seq: residual forecasts need a linear output");
    if (o.input_steps < 1 || o.input_features < 1 || o.horizon < 1 || o.output_features < 1 ||
        o.units < 1)
        throw std::invalid_argument("Seq2Seq: steps, features, horizon and units must be >= 1");
    Rng rng(o.seed);
    const Index u = o.units;
    encoder_.build(ShapeSpec::sequence(o.input_steps, o.input_features), rng);
    decoder_.build(ShapeSpec::sequence(o.horizon, o.output_features), rng);
    encoder_.set_name("encoder");
    decoder_.set_name("decoder");
    if (o.attention) {
        attention_.build_multi(
            {ShapeSpec::sequence(o.horizon, u), ShapeSpec::sequence(o.input_steps, u)}, rng);
        concat_.build_multi({ShapeSpec::sequence(o.horizon, u), ShapeSpec::sequence(o.horizon, u)},
                            rng);
        combine_.build(ShapeSpec::sequence(o.horizon, 2 * u), rng);
    }
    output_.build(ShapeSpec::sequence(o.horizon, u), rng);
}

template <typename T>
std::vector<Param<T>*> Seq2Seq<T>::params() {
    std::vector<Param<T>*> out;
    auto add = [&](Layer<T>& l) {
        for (Param<T>* p : l.params()) out.push_back(p);
    };
    add(encoder_);
    add(decoder_);
    if (options_.attention) {
        add(attention_);
        add(combine_);
    }
    add(output_);
    return out;
}

template <typename T>
Index Seq2Seq<T>::param_count() {
    Index n = 0;
    for (Param<T>* p : params()) n += p->value.size();
    return n;
}

template <typename T>
void Seq2Seq<T>::zero_grad() {
    for (Param<T>* p : params()) p->zero_grad();
}

template <typename T>
void Seq2Seq<T>::compile(Loss loss, OptimizerOptions optimizer) {
    loss_ = loss;
    optimizer_ = make_optimizer<T>(optimizer);
}

template <typename T>
void Seq2Seq<T>::head_forward(const Tensor<T>& dec_out, const Tensor<T>& enc_out, Tensor<T>& y,
                              Mode mode) {
    if (!options_.attention) {
        output_.forward(dec_out, y, mode);
        return;
    }
    attention_.forward_multi({&dec_out, &enc_out}, ctx_, mode);
    concat_.forward_multi({&ctx_, &dec_out}, cat_, mode);
    combine_.forward(cat_, hidden_, mode);
    output_.forward(hidden_, y, mode);
}

template <typename T>
const Tensor<T>& Seq2Seq<T>::forward_teacher(const Tensor<T>& x, const Tensor<T>& dec_in,
                                             Mode mode) {
    if (dec_in.rank() != 3 || dec_in.dim(1) != x.dim(1) ||
        dec_in.dim(2) != options_.output_features)
        throw std::invalid_argument("Seq2Seq: decoder inputs have shape " +
                                    shape_to_string(dec_in.shape()) + ", expected (steps, " +
                                    std::to_string(x.dim(1)) + ", " +
                                    std::to_string(options_.output_features) + ")");
    encoder_.clear_initial_state();
    encoder_.forward(x, enc_out_, mode);
    decoder_.set_initial_state({encoder_.final_state(0), encoder_.final_state(1)});
    decoder_.forward(dec_in, dec_out_, mode);
    head_forward(dec_out_, enc_out_, y_, mode);
    // Residual: y_k += the decoder's input (a constant here: no gradient flows into it).
    if (options_.residual)
        for (Index i = 0; i < y_.size(); ++i) y_[i] += dec_in[i];
    return y_;
}

template <typename T>
void Seq2Seq<T>::backward(const Tensor<T>& dy, Tensor<T>* dx) {
    Tensor<T> ddec, denc;
    if (options_.attention) {
        Tensor<T> dhidden, dcat, dctx, ddec_direct;
        output_.backward(dy, &dhidden);
        combine_.backward(dhidden, &dcat);
        concat_.backward_multi(dcat, {&dctx, &ddec_direct});
        attention_.backward_multi(dctx, {&ddec, &denc});
        for (Index i = 0; i < ddec.size(); ++i) ddec[i] += ddec_direct[i];
    } else {
        output_.backward(dy, &ddec);
        denc.assign(enc_out_.shape(), T(0));
    }
    decoder_.backward(ddec, nullptr);
    // The decoder started from the encoder's final states: their gradients flow back.
    encoder_.set_final_state_grad({decoder_.initial_state_grad(0), decoder_.initial_state_grad(1)});
    encoder_.backward(denc, dx);
}

template <typename T>
void Seq2Seq<T>::decode_step(std::vector<Tensor<T>>& states) {
    decoder_.set_initial_state(states);
    decoder_.forward(step_in_, step_out_, Mode::inference);
    states = {decoder_.final_state(0), decoder_.final_state(1)};
    head_forward(step_out_, enc_out_, step_y_, Mode::inference);
    if (options_.residual)
        for (Index i = 0; i < step_y_.size(); ++i) step_y_[i] += step_in_[i];
}

template <typename T>
void Seq2Seq<T>::predict(const Tensor<T>& x, const Tensor<T>& start, Tensor<T>& y_hat) {
    const Index B = x.dim(1), H = options_.horizon, F = options_.output_features;
    if (start.rank() != 2 || start.dim(0) != B || start.dim(1) != F)
        throw std::invalid_argument("Seq2Seq: start has shape " + shape_to_string(start.shape()) +
                                    ", expected " + shape_to_string({B, F}));
    encoder_.clear_initial_state();
    encoder_.forward(x, enc_out_, Mode::inference);
    std::vector<Tensor<T>> states{encoder_.final_state(0), encoder_.final_state(1)};
    y_hat.resize({H, B, F});
    if (options_.attention) weights_.resize({H, B, x.dim(0)});
    step_in_.resize({1, B, F});
    std::copy(start.data(), start.data() + start.size(), step_in_.data());
    for (Index k = 0; k < H; ++k) {
        decode_step(states);
        std::copy(step_y_.data(), step_y_.data() + B * F, y_hat.data() + k * B * F);
        if (options_.attention) {
            const Tensor<T>& a = attention_.attention_weights();  // (1, B, T_in)
            std::copy(a.data(), a.data() + a.size(), weights_.data() + k * a.size());
        }
        std::copy(step_y_.data(), step_y_.data() + B * F, step_in_.data());
    }
    decoder_.clear_initial_state();
}

template <typename T>
double Seq2Seq<T>::evaluate(const Tensor<T>& x, const Tensor<T>& start, const Tensor<T>& y) {
    Tensor<T> y_hat;
    predict(x, start, y_hat);
    return compute_loss(loss_, y_hat, y, nullptr);
}

template <typename T>
double Seq2Seq<T>::train_on_batch(const Tensor<T>& x, const Tensor<T>& start, const Tensor<T>& y,
                                  double sampling, Rng& rng) {
    if (!optimizer_) throw std::logic_error("Seq2Seq: compile() before training");
    const Index B = x.dim(1), H = options_.horizon, F = options_.output_features;
    if (y.shape() != std::vector<Index>{H, B, F} || start.shape() != std::vector<Index>{B, F})
        throw std::invalid_argument("Seq2Seq: targets " + shape_to_string(y.shape()) + " / start " +
                                    shape_to_string(start.shape()) + ", expected " +
                                    shape_to_string({H, B, F}) + " / " + shape_to_string({B, F}));
    // Decoder inputs: start, then the true previous values (teacher forcing) ...
    dec_in_.resize({H, B, F});
    std::copy(start.data(), start.data() + B * F, dec_in_.data());
    std::copy(y.data(), y.data() + (H - 1) * B * F, dec_in_.data() + B * F);
    if (sampling > 0) {
        // ... except where the coin says "own prediction": decode step by step with the mixed
        // inputs so far, exactly as the teacher-forced pass below will see them.
        encoder_.clear_initial_state();
        encoder_.forward(x, enc_out_, Mode::inference);
        std::vector<Tensor<T>> states{encoder_.final_state(0), encoder_.final_state(1)};
        step_in_.resize({1, B, F});
        for (Index k = 0; k + 1 < H; ++k) {
            std::copy(dec_in_.data() + k * B * F, dec_in_.data() + (k + 1) * B * F,
                      step_in_.data());
            decode_step(states);
            T* next = dec_in_.data() + (k + 1) * B * F;
            for (Index b = 0; b < B; ++b)
                if (rng.uniform() < sampling)
                    std::copy(step_y_.data() + b * F, step_y_.data() + (b + 1) * F, next + b * F);
        }
    }
    zero_grad();
    const Tensor<T>& pred = forward_teacher(x, dec_in_, Mode::training);
    const double loss = compute_loss(loss_, pred, y, &dloss_);
    if (!std::isfinite(loss)) throw std::runtime_error("Seq2Seq: the loss is not finite");
    backward(dloss_, nullptr);
    optimizer_->step(params());
    return loss;
}

template class Seq2Seq<float>;
template class Seq2Seq<double>;

}  // namespace recur
