// bench/bench_rnn.cpp — Google Benchmark timings of recur's recurrent layers (float).
//
// Cases (the same names are used by bench/pytorch_rnn.py and bench/compare.sh):
//   train/<cell>/<size>        one forward (Mode::training, dropout 0, return_sequences) plus
//                              one backward with dL/dy = 1 everywhere (PyTorch:
//                              out.sum().backward()) and the input gradient computed (PyTorch:
//                              x.requires_grad).
//   infer/<cell>/<size>/b<B>   forward only (Mode::inference) at batch B = 1024 and B = 1.
//   step/sp500_model           Sequential LSTM(20) -> Dense(1) on (63, 1) windows, batch 20,
//                              RMSprop + MSE, one Sequential::train_on_batch call.
//   kernel/<rows>x<k>x<n>      one step's product C += A B of the fused kernels
//                              (kernels::small_gemm_acc, one thread): the book models' shapes,
//                              rows = a thread's batch chunk, k x n = U x G*U (forward h U) or
//                              G*U x U (backward dP Uᵀ). GFLOPs = 2 rows k n per call; compare
//                              with the sgemm ceiling of bench/compare_models.sh.
//   cell: lstm, gru (reset_after = true, PyTorch's form), gru_before (reset_after = false,
//   Keras 2.2) size (T steps, B batch, I inputs, U units):
//     sp500 (63, 20, 1, 20)   the book's S&P 500 model      t24u12 (24, 20, 2, 12)
//     imdb (100, 32, 100, 32) the IMDB GRU                   large  (100, 128, 64, 256)
// Every benchmark takes the thread count (recur::set_num_threads) as its argument: .../threads:N.
//
// Counters: items_per_second = windows (sequences) per second, B per iteration.
//   GFLOPs = effective GFLOP/s from a nominal count of the GEMM work only (gate math ignored):
//     forward   F = 2 * (I + U) * (G * U) * T * B      (x_t W and h_{t-1} U: (I + U) x G*U
//                                                      multiply-adds per window and step, 2 flops
//                                                      each; G = 4 LSTM, 3 GRU)
//     backward  ≈ 2 F (dW, dU: x^T dP and h^T dP; dx, dh: dP W^T and dP U^T)
//     train = 3 F per iteration, infer = F. The sp500 step counts its LSTM as train (Dense and
//     the optimizer are negligible; its first layer skips dx, so the count is slightly high).
// Times are wall-clock (UseRealTime): the layer's threads do the work, not only the main one.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "layers/step_kernels.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/model/sequential.hpp"
#include "recur/tensor/parallel.hpp"
#include "recur/tensor/rng.hpp"

namespace {

using recur::Index;
using recur::Mode;
using recur::Tensor;

struct Size {
    const char* name;
    Index T, B, I, U;
};
constexpr Size kSizes[] = {{"sp500", 63, 20, 1, 20},
                           {"t24u12", 24, 20, 2, 12},
                           {"imdb", 100, 32, 100, 32},
                           {"large", 100, 128, 64, 256}};
constexpr int kSmallSizes = 2;  // the first two get the inference benchmarks
constexpr Index kInferBatches[] = {1024, 1};

enum class Cell { lstm, gru, gru_before };
struct CellSpec {
    Cell cell;
    const char* name;
    Index gates;
};
constexpr CellSpec kCells[] = {
    {Cell::lstm, "lstm", 4}, {Cell::gru, "gru", 3}, {Cell::gru_before, "gru_before", 3}};

// Nominal forward flops of one pass (see the header comment).
double forward_flops(const CellSpec& c, const Size& s, Index batch) {
    return 2.0 * static_cast<double>((s.I + s.U) * c.gates * s.U * s.T * batch);
}

std::unique_ptr<recur::RecurrentLayer<float>> make_layer(Cell cell, Index units) {
    auto options = recur::RecurrentOptions(units).return_sequences(true);
    switch (cell) {
        case Cell::lstm:
            return std::make_unique<recur::LSTM<float>>(options);
        case Cell::gru:
            return std::make_unique<recur::GRU<float>>(options.reset_after(true));
        case Cell::gru_before:
            return std::make_unique<recur::GRU<float>>(options.reset_after(false));
    }
    return nullptr;
}

void fill_uniform(Tensor<float>& t, recur::Rng& rng) {
    for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
}

void set_counters(benchmark::State& st, Index windows, double flops) {
    st.SetItemsProcessed(st.iterations() * windows);
    st.counters["GFLOPs"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bm_train(benchmark::State& st, CellSpec c, Size s) {
    recur::set_num_threads(static_cast<int>(st.range(0)));
    recur::Rng rng(1234);
    auto layer = make_layer(c.cell, s.U);
    layer->build(recur::ShapeSpec::sequence(s.T, s.I), rng);
    Tensor<float> x({s.T, s.B, s.I}), y, dx;
    fill_uniform(x, rng);
    const Tensor<float> dy({s.T, s.B, s.U}, 1.0f);
    // One untimed pass sizes every buffer of the layer and of y / dx.
    layer->forward(x, y, Mode::training);
    layer->backward(dy, &dx);
    for (auto _ : st) {
        layer->forward(x, y, Mode::training);
        layer->backward(dy, &dx);
        benchmark::DoNotOptimize(dx.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, s.B, 3.0 * forward_flops(c, s, s.B));
}

void bm_infer(benchmark::State& st, CellSpec c, Size s, Index batch) {
    recur::set_num_threads(static_cast<int>(st.range(0)));
    recur::Rng rng(1234);
    auto layer = make_layer(c.cell, s.U);
    layer->build(recur::ShapeSpec::sequence(s.T, s.I), rng);
    Tensor<float> x({s.T, batch, s.I}), y;
    fill_uniform(x, rng);
    layer->forward(x, y, Mode::inference);
    for (auto _ : st) {
        layer->forward(x, y, Mode::inference);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, batch, forward_flops(c, s, batch));
}

// The book's S&P 500 model, one optimizer step per iteration (samples-first data, as fit() sees).
void bm_sp500_step(benchmark::State& st) {
    recur::set_num_threads(static_cast<int>(st.range(0)));
    const Size& s = kSizes[0];
    recur::Sequential<float> model(recur::ShapeSpec::sequence(s.T, s.I), 42);
    model.add<recur::LSTM<float>>(recur::LSTMOptions(s.U));
    model.add<recur::Dense<float>>(recur::DenseOptions(1));
    recur::OptimizerOptions opt;
    opt.name = "rmsprop";
    opt.learning_rate = 1e-3;
    opt.rho = 0.9;
    opt.epsilon = 1e-7;
    model.compile(recur::Loss::mse, opt);
    recur::Rng rng(1234);
    Tensor<float> x({s.B, s.T, s.I}), y({s.B, 1});
    fill_uniform(x, rng);
    fill_uniform(y, rng);
    benchmark::DoNotOptimize(model.train_on_batch(x, y));
    for (auto _ : st) benchmark::DoNotOptimize(model.train_on_batch(x, y));
    set_counters(st, s.B, 3.0 * forward_flops(kCells[0], s, s.B));
}

void bm_step_product(benchmark::State& st, Index rows, Index k, Index n) {
    recur::Rng rng(1234);
    Tensor<float> a({rows, k}), b({k, n}), c({rows, n});
    fill_uniform(a, rng);
    fill_uniform(b, rng);
    for (auto _ : st) {
        recur::kernels::small_gemm_acc(a.data(), k, b.data(), n, c.data(), n, rows, k, n);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, rows, 2.0 * static_cast<double>(rows * k * n));
}

// dU += Hᵀ dP over a sequence: H (k x rows) and dP (k x n) row-major, k = steps x batch rows.
void bm_weight_grad(benchmark::State& st, Index rows, Index k, Index n, bool eigen) {
    recur::Rng rng(1234);
    Tensor<float> h({k, rows}), d({k, n}), c({rows, n});
    fill_uniform(h, rng);
    fill_uniform(d, rng);
    for (auto _ : st) {
        if (eigen)
            c.matrix().noalias() += h.matrix().transpose() * d.matrix();
        else
            recur::kernels::small_gemm_tn_acc(h.data(), rows, d.data(), n, c.data(), n, rows, k, n);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, rows, 2.0 * static_cast<double>(rows * k * n));
}

benchmark::internal::Benchmark* with_threads(benchmark::internal::Benchmark* b) {
    return b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void register_all() {
    for (const CellSpec& c : kCells)
        for (const Size& s : kSizes) {
            std::string name = std::string("train/") + c.name + "/" + s.name;
            with_threads(benchmark::RegisterBenchmark(name.c_str(), bm_train, c, s));
        }
    for (const CellSpec& c : kCells)
        for (int k = 0; k < kSmallSizes; ++k)
            for (Index batch : kInferBatches) {
                const Size& s = kSizes[k];
                std::string name =
                    std::string("infer/") + c.name + "/" + s.name + "/b" + std::to_string(batch);
                with_threads(benchmark::RegisterBenchmark(name.c_str(), bm_infer, c, s, batch));
            }
    with_threads(benchmark::RegisterBenchmark("step/sp500_model", bm_sp500_step));
    // rows: sp500 / macro chunk (20 on 2 threads), stocks / imdb chunk (32 on 2 threads), 20.
    struct Shape {
        Index rows, k, n;
    };
    constexpr Shape kShapes[] = {{10, 20, 80}, {10, 80, 20}, {20, 20, 80},  {20, 80, 20},
                                 {10, 12, 48}, {10, 48, 12}, {16, 25, 100}, {16, 100, 25},
                                 {16, 10, 40}, {16, 40, 10}, {16, 32, 96},  {16, 96, 32},
                                 {1, 20, 80},  {1, 80, 20}};
    for (const Shape& x : kShapes) {
        std::string name = "kernel/" + std::to_string(x.rows) + "x" + std::to_string(x.k) + "x" +
                           std::to_string(x.n);
        benchmark::RegisterBenchmark(name.c_str(), bm_step_product, x.rows, x.k, x.n)
            ->Unit(benchmark::kNanosecond);
    }
    // Recurrent-weight gradients U x G*U over T x chunk rows at 2 threads: sp500 (and a whole
    // batch), stocks' two layers, macro's two layers, imdb's GRU (z and r columns, one thread's).
    constexpr Shape kGradShapes[] = {{20, 620, 80}, {20, 1240, 80}, {25, 1344, 100}, {10, 1344, 40},
                                     {12, 240, 48}, {6, 240, 24},   {32, 3200, 32}};
    for (const Shape& x : kGradShapes)
        for (bool eigen : {true, false}) {
            std::string name = std::string("weight_grad/") + (eigen ? "eigen/" : "tiles/") +
                               std::to_string(x.rows) + "x" + std::to_string(x.k) + "x" +
                               std::to_string(x.n);
            benchmark::RegisterBenchmark(name.c_str(), bm_weight_grad, x.rows, x.k, x.n, eigen)
                ->Unit(benchmark::kMicrosecond);
        }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
