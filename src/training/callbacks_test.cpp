// EarlyStopping and ModelCheckpoint, driven directly through on_train_begin / on_epoch_end /
// on_train_end with scripted logs and a small real model (no training), then once end to end
// through Sequential::fit, with History::write_csv.
#include "recur/training/callbacks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "recur/io/model_io.hpp"
#include "recur/layers/dense.hpp"
#include "recur/model/sequential.hpp"

namespace recur {
namespace {

namespace fs = std::filesystem;

// A fresh temporary directory, removed with everything in it at scope exit.
class TempDir {
  public:
    explicit TempDir(const std::string& tag) {
        path_ = fs::temp_directory_path() / ("recur_cb_" + tag + "_" + std::to_string(::getpid()) +
                                             "_" + std::to_string(counter_++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    static inline int counter_ = 0;
    fs::path path_;
};

// vector(2) -> Dense(1): weights are kernel (2, 1) and bias (1).
Sequential<float> small_model() {
    Sequential<float> m(ShapeSpec::vector(2), 5);
    m.add<Dense<float>>(DenseOptions(1));
    m.compile(Loss::mse, {.name = "sgd"});
    return m;
}

// Weights whose every entry is `v` (kernel) and `-v` (bias): one distinct set per epoch.
std::vector<Tensor<float>> weights_tagged(float v) {
    Tensor<float> k({2, 1}, v), b({1}, -v);
    return {k, b};
}

void expect_weights_eq(const std::vector<Tensor<float>>& got,
                       const std::vector<Tensor<float>>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].shape(), want[i].shape()) << "tensor " << i;
        for (Index j = 0; j < got[i].size(); ++j)
            EXPECT_EQ(got[i][j], want[i][j]) << "tensor " << i << " element " << j;
    }
}

// Feeds `values` of `key` epoch by epoch (1-based); returns the epoch at which the callback
// asked to stop, or 0. Before epoch e the model's weights are set to weights_tagged(e).
int drive(Callback<float>& cb, Sequential<float>& m, const std::string& key,
          const std::vector<double>& values, bool call_end = true) {
    cb.on_train_begin(m);
    int stopped = 0;
    for (size_t e = 0; e < values.size(); ++e) {
        const int epoch = static_cast<int>(e) + 1;
        m.set_weights(weights_tagged(static_cast<float>(epoch)));
        Logs logs{{"loss", 10.0 + values[e]}, {key, values[e]}};
        if (cb.on_epoch_end(epoch, logs, m)) {
            stopped = epoch;
            break;
        }
    }
    if (call_end) cb.on_train_end(m);
    return stopped;
}

// ================================================================== EarlyStopping

TEST(EarlyStopping, PatienceCountsConsecutiveNonImprovingEpochsLikeKeras) {
    auto m = small_model();
    // patience 2: best at epoch 2 (0.5); epoch 3 is bad (wait 1), epoch 4 is bad (wait 2): stop.
    EarlyStopping<float> es({.monitor = "val_loss", .patience = 2});
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 0.5, 0.6, 0.7, 0.1}), 4);
    EXPECT_EQ(es.best_epoch(), 2);
    EXPECT_EQ(es.best_value(), 0.5);
    EXPECT_EQ(es.stopped_epoch(), 4);

    // An improvement resets the count: 1.0 | 1.1 (1) | 0.9 best | 1.0 (1) | 1.0 (2): stop at 5.
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 1.1, 0.9, 1.0, 1.0, 0.1}), 5);
    EXPECT_EQ(es.best_epoch(), 3);
    EXPECT_EQ(es.stopped_epoch(), 5);

    // Equal to the best is not an improvement (min_delta 0): 1.0 | 1.0 (1) | 1.0 (2): stop at 3.
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 1.0, 1.0, 1.0}), 3);
    EXPECT_EQ(es.best_epoch(), 1);

    // Always improving: never stops; stopped_epoch stays 0.
    EXPECT_EQ(drive(es, m, "val_loss", {5, 4, 3, 2, 1}), 0);
    EXPECT_EQ(es.best_epoch(), 5);
    EXPECT_EQ(es.stopped_epoch(), 0);

    // patience 0 (Keras's default): the first non-improving epoch stops training.
    EarlyStopping<float> es0({.monitor = "val_loss", .patience = 0});
    EXPECT_EQ(drive(es0, m, "val_loss", {1.0, 0.9, 0.95, 0.1}), 3);
    EXPECT_EQ(es0.best_epoch(), 2);
}

TEST(EarlyStopping, ImprovementSmallerThanMinDeltaDoesNotCount) {
    auto m = small_model();
    // min_delta 0.1, patience 3. The best stays 1.0 until a value beats it by more than 0.1:
    //   1.0 best | 0.95 (wait 1; 0.05 better) | 0.92 (wait 2; 0.08 better than 1.0, the best is
    //   not moved by sub-delta gains) | 0.85 best (0.15 better) | 0.80 (1) | 0.78 (2) | 0.76 (3)
    EarlyStopping<float> es({.monitor = "val_loss", .patience = 3, .min_delta = 0.1});
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 0.95, 0.92, 0.85, 0.80, 0.78, 0.76, 0.1}), 7);
    EXPECT_EQ(es.best_epoch(), 4);
    EXPECT_EQ(es.best_value(), 0.85);

    // Without min_delta every one of those epochs is an improvement.
    EarlyStopping<float> plain({.monitor = "val_loss", .patience = 3});
    EXPECT_EQ(drive(plain, m, "val_loss", {1.0, 0.95, 0.92, 0.85, 0.80, 0.78, 0.76}), 0);
    EXPECT_EQ(plain.best_epoch(), 7);

    // In max mode min_delta works upwards.
    EarlyStopping<float> up({.monitor = "score", .mode = "max", .patience = 1, .min_delta = 0.1});
    EXPECT_EQ(drive(up, m, "score", {0.5, 0.55, 0.3}), 2);
    EXPECT_EQ(up.best_epoch(), 1);
}

TEST(EarlyStopping, MaxModeAndAutoModeForAuc) {
    auto m = small_model();
    const std::vector<double> auc = {0.70, 0.80, 0.75, 0.74, 0.9};
    // mode max: best 0.80 at epoch 2, epoch 3 is worse: patience 1 stops at 3.
    EarlyStopping<float> mx({.monitor = "val_auc", .mode = "max", .patience = 1});
    EXPECT_EQ(drive(mx, m, "val_auc", auc), 3);
    EXPECT_EQ(mx.best_epoch(), 2);
    EXPECT_EQ(mx.best_value(), 0.80);

    // auto on a name containing "auc" maximises too.
    EarlyStopping<float> au({.monitor = "val_auc", .mode = "auto", .patience = 1});
    EXPECT_EQ(drive(au, m, "val_auc", auc), 3);
    EXPECT_EQ(au.best_epoch(), 2);

    // min on the same values would have stopped at epoch 2 (0.80 > 0.70).
    EarlyStopping<float> mn({.monitor = "val_auc", .mode = "min", .patience = 1});
    EXPECT_EQ(drive(mn, m, "val_auc", auc), 2);
    EXPECT_EQ(mn.best_epoch(), 1);

    EXPECT_TRUE(monitor_maximizes("val_auc", "auto"));
    EXPECT_TRUE(monitor_maximizes("val_acc", "auto"));
    EXPECT_FALSE(monitor_maximizes("val_loss", "auto"));
    EXPECT_TRUE(monitor_maximizes("val_loss", "max"));
    EXPECT_FALSE(monitor_maximizes("val_auc", "min"));
    EXPECT_THROW(monitor_maximizes("val_loss", "biggest"), std::invalid_argument);
}

TEST(EarlyStopping, RestoreBestWeightsPutsBackTheBestEpochsWeights) {
    auto m = small_model();
    // Before epoch e the weights are weights_tagged(e); the best val_loss is at epoch 3.
    EarlyStopping<float> es({.monitor = "val_loss", .patience = 2, .restore_best_weights = true});
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 0.8, 0.5, 0.6, 0.7, 0.1}), 5);
    EXPECT_EQ(es.best_epoch(), 3);
    expect_weights_eq(m.get_weights(), weights_tagged(3.0f));

    // Also when training runs out of epochs without stopping (Keras 2.2 forgot this case).
    EXPECT_EQ(drive(es, m, "val_loss", {1.0, 0.4, 0.6}), 0);
    expect_weights_eq(m.get_weights(), weights_tagged(2.0f));

    // on_train_end before any epoch leaves the weights alone.
    m.set_weights(weights_tagged(9.0f));
    es.on_train_begin(m);
    es.on_train_end(m);
    expect_weights_eq(m.get_weights(), weights_tagged(9.0f));

    // Without restore_best_weights the last epoch's weights stay.
    EarlyStopping<float> keep({.monitor = "val_loss", .patience = 2});
    EXPECT_EQ(drive(keep, m, "val_loss", {1.0, 0.8, 0.5, 0.6, 0.7, 0.1}), 5);
    expect_weights_eq(m.get_weights(), weights_tagged(5.0f));
}

TEST(EarlyStopping, MissingMonitorKeyThrowsNamingTheKeysPresent) {
    auto m = small_model();
    EarlyStopping<float> es({.monitor = "val_loss"});
    es.on_train_begin(m);
    Logs logs{{"loss", 0.5}, {"mae", 0.3}};
    try {
        es.on_epoch_end(1, logs, m);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("val_loss"), std::string::npos) << what;
        EXPECT_NE(what.find("loss, mae"), std::string::npos) << what;
    }
    TempDir dir("missing");
    ModelCheckpoint<float> ck({.path = dir.file("unused.recur"), .save_best_only = true});
    EXPECT_THROW(ck.on_epoch_end(1, logs, m), std::invalid_argument);
    EXPECT_FALSE(fs::exists(dir.path() / "unused.recur"));
}

// ================================================================== ModelCheckpoint

TEST(ModelCheckpoint, PeriodTwoWritesOnlyEvenEpochs) {
    TempDir dir("period");
    auto m = small_model();
    ModelCheckpoint<float> ck({.path = dir.file("model_{epoch}.recur"), .period = 2});
    EXPECT_EQ(drive(ck, m, "val_loss", {1, 2, 3, 4, 5}), 0);
    for (int e = 1; e <= 5; ++e)
        EXPECT_EQ(fs::exists(dir.path() / ("model_" + std::to_string(e) + ".recur")), e % 2 == 0)
            << "epoch " << e;
    EXPECT_EQ(ck.last_saved(), dir.file("model_4.recur"));
    // No temporary files are left behind by the atomic writes.
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 2);

    // The epoch-4 file holds the epoch-4 weights (weights_tagged(4)).
    Model<float> loaded = load_model<float>(dir.file("model_4.recur"));
    expect_weights_eq(loaded.get_weights(), weights_tagged(4.0f));
}

TEST(ModelCheckpoint, SaveBestOnlyWritesOnImprovementAndTheFileReloads) {
    TempDir dir("best");
    auto m = small_model();
    Tensor<float> x({3, 2});
    for (Index i = 0; i < x.size(); ++i) x[i] = 0.25f * static_cast<float>(i) - 0.6f;

    // val_loss 1.0 (save) | 1.2 | 0.8 (save) | 0.8 (equal: no) | 0.9 | 0.3 (save)
    {
        ModelCheckpoint<float> ck(
            {.path = dir.file("e{epoch}.recur"), .monitor = "val_loss", .save_best_only = true});
        drive(ck, m, "val_loss", {1.0, 1.2, 0.8, 0.8, 0.9, 0.3});
        for (int e = 1; e <= 6; ++e)
            EXPECT_EQ(fs::exists(dir.path() / ("e" + std::to_string(e) + ".recur")),
                      e == 1 || e == 3 || e == 6)
                << "epoch " << e;
    }
    // A fixed path keeps the best: after the scripted epochs it holds epoch 3's weights.
    ModelCheckpoint<float> ck({.path = dir.file("best.recur"), .save_best_only = true});
    drive(ck, m, "val_loss", {1.0, 1.2, 0.8, 0.9, 0.85});
    EXPECT_EQ(ck.last_saved(), dir.file("best.recur"));
    Model<float> loaded = load_model<float>(dir.file("best.recur"));
    expect_weights_eq(loaded.get_weights(), weights_tagged(3.0f));
    m.set_weights(weights_tagged(3.0f));
    Tensor<float> want = m.predict(x), got = loaded.predict(x);
    ASSERT_EQ(got.shape(), want.shape());
    for (Index i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "prediction " << i;

    // Auto mode on "val_auc" keeps the maximum: 0.6 (save) | 0.7 (save) | 0.65 | 0.9 (save).
    ModelCheckpoint<float> auc(
        {.path = dir.file("auc{epoch}.recur"), .monitor = "val_auc", .save_best_only = true});
    drive(auc, m, "val_auc", {0.6, 0.7, 0.65, 0.9});
    for (int e = 1; e <= 4; ++e)
        EXPECT_EQ(fs::exists(dir.path() / ("auc" + std::to_string(e) + ".recur")), e != 3)
            << "epoch " << e;
}

// ================================================================== end to end

// Records the weights at the end of every epoch (placed before EarlyStopping in the list).
class WeightRecorder : public Callback<float> {
  public:
    bool on_epoch_end(int, const Logs&, Model<float>& m) override {
        snapshots.push_back(m.get_weights());
        return false;
    }
    std::vector<std::vector<Tensor<float>>> snapshots;
};

TEST(CallbackFit, EarlyStoppingRestoresBestWeightsAndHistoryCsv) {
    // Noiseless y = 2 x0 - 3 x1 + 0.5, fitted by a Dense(1) with full-batch Adam and a step
    // (0.3) large enough to overshoot: val_loss falls ~100x, then rises again for several epochs
    // while the weights keep moving (with this seed: best at epoch 13, stop at 16). So the stop
    // comes from patience, and the restore really changes the weights. Training is deterministic.
    auto make_data = [](Index n, float phase, Tensor<float>& x, Tensor<float>& y) {
        x.resize({n, 2});
        y.resize({n, 1});
        for (Index i = 0; i < n; ++i) {
            x.at(i, 0) = std::sin(0.7f * static_cast<float>(i) + phase);
            x.at(i, 1) = std::cos(1.3f * static_cast<float>(i) + 2 * phase);
            y.at(i, 0) = 2 * x.at(i, 0) - 3 * x.at(i, 1) + 0.5f;
        }
    };
    Tensor<float> x, y, xv, yv;
    make_data(64, 0.0f, x, y);
    make_data(32, 0.4f, xv, yv);

    Sequential<float> m(ShapeSpec::vector(2), 11);
    m.add<Dense<float>>(DenseOptions(1));
    m.compile(Loss::mse, {.name = "adam", .learning_rate = 0.3});
    WeightRecorder rec;
    EarlyStopping<float> es({.monitor = "val_loss", .patience = 3, .restore_best_weights = true});
    const int max_epochs = 200;
    History h = m.fit(
        x, y,
        {.epochs = max_epochs, .batch_size = 64, .seed = 3, .verbose = 0, .callbacks = {&rec, &es}},
        &xv, &yv);

    const std::vector<double>& val = h["val_loss"];
    ASSERT_EQ(static_cast<int>(val.size()), h.epochs_run());
    ASSERT_EQ(static_cast<int>(rec.snapshots.size()), h.epochs_run());
    const auto best_it = std::min_element(val.begin(), val.end());
    const int best_epoch = static_cast<int>(best_it - val.begin()) + 1;
    EXPECT_EQ(es.best_epoch(), best_epoch);
    EXPECT_EQ(es.best_value(), *best_it);
    EXPECT_LT(h.epochs_run(), max_epochs) << "EarlyStopping never triggered";
    EXPECT_EQ(es.stopped_epoch(), h.epochs_run());
    EXPECT_EQ(h.epochs_run(), best_epoch + 3);  // patience 3 after the best epoch
    EXPECT_LT(*best_it, 0.02 * val[0]) << "the model did not learn the linear map";

    // The final weights are the best epoch's (which differ from the last epoch's, so the restore
    // is what put them there), and evaluate() reproduces the best val_loss.
    const auto& best_w = rec.snapshots[static_cast<size_t>(best_epoch - 1)];
    const auto& last_w = rec.snapshots.back();
    bool moved = false;
    for (size_t i = 0; i < best_w.size(); ++i)
        for (Index j = 0; j < best_w[i].size(); ++j) moved = moved || best_w[i][j] != last_w[i][j];
    EXPECT_TRUE(moved) << "the weights did not change after the best epoch";
    expect_weights_eq(m.get_weights(), rec.snapshots[static_cast<size_t>(best_epoch - 1)]);
    const double final_val = m.evaluate(xv, yv, 256);
    EXPECT_NEAR(final_val, *best_it, 1e-6 * std::abs(*best_it));

    // History::write_csv: header and one row per epoch.
    TempDir dir("hist");
    const std::string csv = dir.file("history.csv");
    h.write_csv(csv);
    std::ifstream in(csv);
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "epoch,loss,val_loss,seconds");
    int rows = 0;
    while (std::getline(in, line)) {
        ++rows;
        EXPECT_EQ(line.rfind(std::to_string(rows) + ",", 0), 0u) << line;
        EXPECT_EQ(std::count(line.begin(), line.end(), ','), 3) << line;
        // The val_loss column round-trips (written with 10 significant digits).
        const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
        const double v = std::stod(line.substr(c2 + 1, c3 - c2 - 1));
        EXPECT_NEAR(v, val[static_cast<size_t>(rows - 1)],
                    1e-9 * std::abs(val[static_cast<size_t>(rows - 1)]) + 1e-300);
    }
    EXPECT_EQ(rows, h.epochs_run());
}

}  // namespace
}  // namespace recur
