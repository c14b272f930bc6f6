// recur/training/callbacks.hpp — hooks called by Model::fit at the end of every epoch.
//
// `logs` holds this epoch's values by name: "loss", "val_loss", and any metric the FitOptions
// name ("auc", "val_auc", ...). A callback returns true from on_epoch_end to stop training.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "recur/tensor/tensor.hpp"

namespace recur {

template <typename T>
class Model;

using Logs = std::map<std::string, double>;

template <typename T>
class Callback {
  public:
    virtual ~Callback() = default;
    virtual void on_train_begin(Model<T>&) {}
    virtual bool on_epoch_end(int epoch, const Logs& logs, Model<T>& model) = 0;
    virtual void on_train_end(Model<T>&) {}
};

struct EarlyStoppingOptions {
    std::string monitor = "val_loss";
    std::string mode = "auto";  // "min", "max", or "auto" (max if the name contains auc/acc)
    int patience = 0;
    double min_delta = 0.0;
    bool restore_best_weights = false;
};

// Keras's EarlyStopping: stops when `monitor` has not improved by more than min_delta for
// `patience` epochs; with restore_best_weights, the best epoch's weights are put back at the end
// (also when training ends by running out of epochs, which Keras 2.2 forgot).
template <typename T>
class EarlyStopping : public Callback<T> {
  public:
    explicit EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {}
    void on_train_begin(Model<T>& model) override;
    bool on_epoch_end(int epoch, const Logs& logs, Model<T>& model) override;
    void on_train_end(Model<T>& model) override;
    int best_epoch() const { return best_epoch_; }  // 1-based, 0 before any epoch
    double best_value() const { return best_; }
    int stopped_epoch() const { return stopped_epoch_; }

  private:
    bool improved(double value) const;
    EarlyStoppingOptions options_;
    bool maximize_ = false;
    double best_ = 0;
    int best_epoch_ = 0, wait_ = 0, stopped_epoch_ = 0;
    std::vector<Tensor<T>> best_weights_;
};

struct ModelCheckpointOptions {
    std::string path;  // may contain {epoch}, replaced by the 1-based epoch number
    int period = 1;    // save every `period` epochs (Keras 2.2 `period`)
    std::string monitor = "val_loss";
    std::string mode = "auto";
    bool save_best_only = false;
};

// Saves the model (io/model_io.hpp format, atomically) every `period` epochs.
template <typename T>
class ModelCheckpoint : public Callback<T> {
  public:
    explicit ModelCheckpoint(ModelCheckpointOptions options) : options_(std::move(options)) {}
    bool on_epoch_end(int epoch, const Logs& logs, Model<T>& model) override;
    const std::string& last_saved() const { return last_saved_; }

  private:
    ModelCheckpointOptions options_;
    bool have_best_ = false;
    double best_ = 0;
    std::string last_saved_;
};

// True if a monitored quantity should be maximised ("auto" mode rule shared by callbacks).
bool monitor_maximizes(const std::string& monitor, const std::string& mode);

}  // namespace recur
