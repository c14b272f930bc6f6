// Finite-difference gradient checking in double precision (shared by the layer tests).
//
// The loss is L = Σ y ⊙ R for a fixed random R, so dL/dy = R exercises every output element.
// Each checked value v gets the central difference (L(v+ε) - L(v-ε)) / 2ε, compared with the
// analytic gradient a by |a - n| <= atol + rtol·max(|a|, |n|) (atol 1e-7, rtol 1e-5 at ε = 1e-6:
// the truncation error O(ε²) and the rounding error O(1e-16/ε) are both far below that).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "recur/layers/layer.hpp"
#include "recur/layers/recurrent.hpp"
#include "recur/model/model.hpp"

namespace recur::testing {

struct Probe {
    std::string name;
    double* value;
    const double* grad;  // analytic dL/dvalue
    Index n;
};

struct GradCheckReport {
    double worst = 0;  // largest |a - n| / (atol + rtol max(|a|,|n|)); <= 1 passes
    std::string where;
    Index checked = 0;
};

inline GradCheckReport check_gradients(const std::function<double()>& loss,
                                       const std::vector<Probe>& probes, double eps = 1e-6,
                                       double atol = 1e-7, double rtol = 1e-5) {
    GradCheckReport r;
    for (const Probe& p : probes)
        for (Index i = 0; i < p.n; ++i) {
            double saved = p.value[i];
            p.value[i] = saved + eps;
            double up = loss();
            p.value[i] = saved - eps;
            double down = loss();
            p.value[i] = saved;
            double numeric = (up - down) / (2 * eps), analytic = p.grad[i];
            double tol = atol + rtol * std::max(std::abs(analytic), std::abs(numeric));
            double score = std::abs(analytic - numeric) / tol;
            ++r.checked;
            if (score > r.worst) {
                r.worst = score;
                r.where = p.name + "[" + std::to_string(i) + "]: analytic " +
                          std::to_string(analytic) + " numeric " + std::to_string(numeric);
            }
        }
    return r;
}

inline void fill_uniform(Tensor<double>& t, Rng& rng, double lo = -1, double hi = 1) {
    for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
}

inline double dot(const Tensor<double>& a, const Tensor<double>& b) {
    double s = 0;
    for (Index i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Checks every parameter and the input (unless ids) of a built layer on input batch x.
// With `reseed`, the layer's RNG is reset before each forward so dropout masks stay fixed.
// Recurrent layers: initial states, if set, and final-state gradients are checked too.
inline GradCheckReport check_layer(Layer<double>& layer, Tensor<double> x, std::uint64_t seed,
                                   Mode mode = Mode::inference, bool check_input = true,
                                   std::vector<Tensor<double>> init_states = {}) {
    Rng rng(seed);
    Tensor<double> y, dx;
    auto* rec = dynamic_cast<RecurrentLayer<double>*>(&layer);
    auto run = [&]() {
        layer.seed_rng(seed);
        if (!init_states.empty()) rec->set_initial_state(init_states);
        layer.forward(x, y, mode);
    };
    run();
    Tensor<double> R(y.shape());
    fill_uniform(R, rng);
    std::vector<Tensor<double>> Rs;  // weights on the final states (return_state users)
    if (rec)
        for (int k = 0; k < rec->state_count(); ++k) {
            Rs.emplace_back(rec->final_state(k).shape());
            fill_uniform(Rs.back(), rng);
        }
    auto loss = [&]() {
        run();
        double l = dot(y, R);
        for (size_t k = 0; k < Rs.size(); ++k)
            l += dot(rec->final_state(static_cast<int>(k)), Rs[k]);
        return l;
    };
    loss();
    for (Param<double>* p : layer.params()) p->grad.zero();
    if (rec) rec->set_final_state_grad(Rs);
    layer.backward(R, check_input ? &dx : nullptr);
    if (rec) rec->set_final_state_grad({});
    std::vector<Probe> probes;
    for (Param<double>* p : layer.params())
        if (p->trainable)
            probes.push_back({p->name, p->value.data(), p->grad.data(), p->value.size()});
    if (check_input) probes.push_back({"input", x.data(), dx.data(), x.size()});
    std::vector<Tensor<double>> state_grads;
    for (size_t k = 0; k < init_states.size(); ++k)
        state_grads.push_back(rec->initial_state_grad(static_cast<int>(k)));
    for (size_t k = 0; k < init_states.size(); ++k)
        probes.push_back({"initial_state" + std::to_string(k), init_states[k].data(),
                          state_grads[k].data(), init_states[k].size()});
    auto report = check_gradients(loss, probes);
    if (rec) rec->clear_initial_state();
    return report;
}

// Checks every trainable parameter and every float input of a graph Model on `inputs`, with
// L = Σ_k Σ output_k ⊙ R_k over all outputs (time-major batches, one per model input).
inline GradCheckReport check_model(Model<double>& m, const std::vector<Tensor<double>*>& inputs,
                                   std::uint64_t seed) {
    Rng rng(seed);
    const std::vector<const Tensor<double>*> in(inputs.begin(), inputs.end());
    m.forward(in, Mode::inference);
    std::vector<Tensor<double>> R;
    for (size_t k = 0; k < m.num_outputs(); ++k) {
        R.emplace_back(m.output(k).shape());
        fill_uniform(R.back(), rng);
    }
    auto loss = [&]() {
        m.forward(in, Mode::inference);
        double l = 0;
        for (size_t k = 0; k < R.size(); ++k) l += dot(m.output(k), R[k]);
        return l;
    };
    loss();
    m.zero_grad();
    m.set_compute_input_grads(true);
    std::vector<const Tensor<double>*> dys;
    for (const auto& r : R) dys.push_back(&r);
    m.backward(dys);
    std::vector<Probe> probes;
    for (Param<double>* p : m.params())
        if (p->trainable)
            probes.push_back({p->name, p->value.data(), p->grad.data(), p->value.size()});
    std::vector<Tensor<double>> dx;
    for (size_t k = 0; k < inputs.size(); ++k)
        if (m.input_spec(k).kind != ShapeSpec::Kind::ids) dx.push_back(m.input_grad(k));
    for (size_t k = 0, j = 0; k < inputs.size(); ++k)
        if (m.input_spec(k).kind != ShapeSpec::Kind::ids)
            probes.push_back(
                {"input " + m.input_name(k), inputs[k]->data(), dx[j++].data(), inputs[k]->size()});
    return check_gradients(loss, probes);
}

}  // namespace recur::testing
