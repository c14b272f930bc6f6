// `recur bench` (model_bench.hpp): builds a book model, random data of the right kinds, and times
// training steps, batch inference, one-window latency and a streaming step.
#include "bench/model_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/model/book_models.hpp"
#include "recur/model/dataset.hpp"
#include "recur/model/sequential.hpp"
#include "recur/model/streaming.hpp"
#include "recur/tensor/cpu_features.hpp"
#include "recur/tensor/parallel.hpp"
#include "recur/tensor/rng.hpp"

namespace recur::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    Model<float> model;
    Loss loss;
    OptimizerOptions optimizer;
    Index batch;
};

Case make_case(const std::string& name, std::uint64_t seed) {
    OptimizerOptions rmsprop;
    rmsprop.name = "rmsprop";
    if (name == "large") {
        Sequential<float> m(ShapeSpec::sequence(100, 64), seed);
        m.add<LSTM<float>>(RecurrentOptions(256));
        m.add<Dense<float>>(DenseOptions(1));
        OptimizerOptions adam;
        adam.name = "adam";
        return {std::move(m), Loss::mse, adam, 128};
    }
    BookModelOptions o;
    o.seed = seed;
    Model<float> m = book_model<float>(name == "imdb-zipf" ? "imdb" : name, o);
    if (name == "sp500") return {std::move(m), Loss::mse, rmsprop, 20};
    if (name == "macro") return {std::move(m), Loss::mae, rmsprop, 20};
    if (name == "stocks" || name == "imdb" || name == "imdb-zipf")
        return {std::move(m), Loss::bce, rmsprop, 32};
    throw std::logic_error("bench case " + name);
}

// The vocabulary size of the Embedding that reads input `name` (ids are drawn below it).
Index vocabulary_of(Model<float>& model, const std::string& name) {
    for (std::size_t i = 0; i < model.size(); ++i)
        if (auto* e = dynamic_cast<Embedding<float>*>(&model.layer(i)))
            if (model.layer_inbound(i) == std::vector<std::string>{name})
                return e->options().input_dim();
    throw std::logic_error("no Embedding reads input " + name);
}

// Samples-first random data for every input and target of the model.
struct Data {
    std::vector<Tensor<float>> inputs, targets;
};

Data random_data(Model<float>& model, Index n, bool binary_targets, double zipf, Rng& rng) {
    Data d;
    for (std::size_t k = 0; k < model.num_inputs(); ++k) {
        const ShapeSpec& s = model.input_spec(k);
        std::vector<Index> shape{n};
        if (s.kind == ShapeSpec::Kind::sequence) shape.insert(shape.end(), {s.steps, s.features});
        if (s.kind == ShapeSpec::Kind::ids) shape.push_back(s.steps);
        if (s.kind == ShapeSpec::Kind::vector) shape.push_back(s.features);
        Tensor<float> t(shape);
        if (s.kind == ShapeSpec::Kind::ids) {
            const Index vocab = vocabulary_of(model, model.input_name(k));
            if (zipf > 0) {
                const ZipfIds ids(vocab, zipf);
                for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<float>(ids(rng));
            } else {
                for (Index i = 0; i < t.size(); ++i)
                    t[i] = static_cast<float>(rng.below(static_cast<std::uint64_t>(vocab)));
            }
        } else {
            for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.uniform(-1, 1));
        }
        d.inputs.push_back(std::move(t));
    }
    for (std::size_t k = 0; k < model.num_outputs(); ++k) {
        Tensor<float> t({n, model.output_spec(k).features});
        for (Index i = 0; i < t.size(); ++i)
            t[i] = binary_targets ? static_cast<float>(rng.uniform() < 0.5)
                                  : static_cast<float>(rng.uniform(-1, 1));
        d.targets.push_back(std::move(t));
    }
    return d;
}

// Runs fn() for `warmup` seconds, then for at least `seconds`; returns seconds per call.
template <typename F>
double time_per_call(double warmup, double seconds, F&& fn) {
    auto start = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - start).count() < warmup) fn();
    long calls = 0;
    start = Clock::now();
    double elapsed = 0;
    do {
        fn();
        ++calls;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    return elapsed / static_cast<double>(calls);
}

// Nominal GEMM flops of one forward pass per window (bench/README.md).
double forward_flops_per_window(Model<float>& model) {
    double f = 0;
    for (std::size_t i = 0; i < model.size(); ++i) {
        Layer<float>& l = model.layer(i);
        const ShapeSpec& in = l.input_spec();
        if (auto* r = dynamic_cast<RecurrentLayer<float>*>(&l)) {
            const double u = double(r->units());
            f += 2.0 * (double(in.features) + u) * r->gates() * u * double(in.steps);
        } else if (auto* d = dynamic_cast<Dense<float>*>(&l)) {
            const double steps = in.kind == ShapeSpec::Kind::sequence ? double(in.steps) : 1.0;
            f += 2.0 * double(d->kernel().value.dim(0)) * double(d->kernel().value.dim(1)) * steps;
        }
    }
    return f;
}

// A prepared time-major batch of every input, for the forward-only measures.
std::vector<Tensor<float>> time_major_batch(Model<float>& model, const Data& data, Index n) {
    std::vector<Index> index(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) index[static_cast<size_t>(i)] = i;
    std::vector<Tensor<float>> out(model.num_inputs());
    for (std::size_t k = 0; k < model.num_inputs(); ++k)
        gather_samples(data.inputs[k], model.input_spec(k), index.data(), n, out[k]);
    return out;
}

double forward_seconds(Model<float>& model, const std::vector<Tensor<float>>& batch,
                       const BenchOptions& o) {
    std::vector<const Tensor<float>*> ptrs;
    for (const auto& t : batch) ptrs.push_back(&t);
    return time_per_call(o.warmup, o.seconds, [&] { model.forward(ptrs, Mode::inference); });
}

}  // namespace

ZipfIds::ZipfIds(Index vocab, double s) : cdf_(static_cast<size_t>(vocab)) {
    double sum = 0;
    for (Index i = 0; i < vocab; ++i)
        cdf_[static_cast<size_t>(i)] = sum += std::pow(double(i + 1), -s);
    for (double& c : cdf_) c /= sum;
}

Index ZipfIds::operator()(Rng& rng) const {
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.uniform());
    return std::min<Index>(static_cast<Index>(it - cdf_.begin()), Index(cdf_.size()) - 1);
}

std::vector<std::string> bench_model_names() {
    return {"sp500", "macro", "stocks", "imdb", "imdb-zipf", "large"};
}

BenchResult run_bench(const std::string& name, const BenchOptions& o) {
    const auto names = bench_model_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown bench model '" + name + "' (known: " + known + ")");
    }
    // The caller's thread count comes back however this returns.
    struct RestoreThreads {
        int n = num_threads();
        TrainParallelism p = train_parallelism();
        ~RestoreThreads() {
            set_num_threads(n);
            set_train_parallelism(p);
        }
    } restore;
    set_num_threads(o.threads);
    set_train_parallelism(o.split_layers ? TrainParallelism::layers : TrainParallelism::batch);
    Case c = make_case(name, o.seed);
    if (o.batch > 0) c.batch = o.batch;
    Model<float>& model = c.model;
    model.compile(c.loss, c.optimizer);
    BenchResult r;
    r.model = name;
    r.threads = o.threads;
    r.batch = c.batch;
    // What training actually runs (a model over 2^20 parameters keeps the layer split).
    r.train_parallelism = o.threads == 1                ? "none"
                          : model.use_replicas(c.batch) ? "batch"
                                                        : "layers";
    r.params = model.param_count();
    r.gemm_kernels = avx512_gemm_enabled() ? "avx512" : "portable";
    r.train_flops_per_window = 3.0 * forward_flops_per_window(model);

    Rng rng(o.seed);
    constexpr Index kBatches = 8;
    const Index n = std::max(c.batch * kBatches, r.infer_batch);
    Data data = random_data(model, n, c.loss == Loss::bce, name == "imdb-zipf" ? 1.0 : 0.0, rng);
    std::vector<const Tensor<float>*> in, tg;
    for (const auto& t : data.inputs) in.push_back(&t);
    for (const auto& t : data.targets) tg.push_back(&t);
    TensorDataset<float> dataset(in, tg);
    std::vector<Index> index(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) index[static_cast<size_t>(i)] = i;

    Index next = 0;
    double train_s = time_per_call(o.warmup, o.seconds, [&] {
        model.train_on_batch(dataset, index.data() + next * c.batch, c.batch);
        next = (next + 1) % kBatches;
    });
    r.train_windows_per_s = double(c.batch) / train_s;
    r.train_gflops = r.train_flops_per_window * r.train_windows_per_s * 1e-9;
    if (o.train_only) return r;

    auto big = time_major_batch(model, data, r.infer_batch);
    r.infer_windows_per_s = double(r.infer_batch) / forward_seconds(model, big, o);
    auto one = time_major_batch(model, data, 1);
    r.latency_us = forward_seconds(model, one, o) * 1e6;

    if (name == "sp500") {
        StreamingPredictor<float> live(model, 1);
        const Tensor<float>& x = data.inputs[0];  // (n, 63, 1): a long stream of observations
        Index t = 0;
        r.stream_step_us = 1e6 * time_per_call(o.warmup, o.seconds, [&] {
                               live.step(0, x.data() + t);
                               t = (t + 1) % x.size();
                           });
    }
    return r;
}

std::string to_json(const BenchResult& r) {
    nlohmann::json j = {{"model", r.model},
                        {"threads", r.threads},
                        {"batch", r.batch},
                        {"train_parallelism", r.train_parallelism},
                        {"gemm_kernels", r.gemm_kernels},
                        {"infer_batch", r.infer_batch},
                        {"params", r.params},
                        {"train_windows_per_s", r.train_windows_per_s},
                        {"infer_windows_per_s", r.infer_windows_per_s},
                        {"latency_us", r.latency_us},
                        {"train_gflops", r.train_gflops},
                        {"train_flops_per_window", r.train_flops_per_window}};
    if (r.stream_step_us >= 0)
        j["stream_step_us"] = r.stream_step_us;
    else
        j["stream_step_us"] = nullptr;
    return j.dump();
}

}  // namespace recur::bench
