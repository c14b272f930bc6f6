#include "recur/training/callbacks.hpp"

#include <cmath>
#include <stdexcept>

#include "recur/io/model_io.hpp"
#include "recur/model/model.hpp"

namespace recur {

bool monitor_maximizes(const std::string& monitor, const std::string& mode) {
    if (mode == "max") return true;
    if (mode == "min") return false;
    if (mode != "auto") throw std::invalid_argument("mode must be min, max or auto, got " + mode);
    return monitor.find("auc") != std::string::npos || monitor.find("acc") != std::string::npos;
}

namespace {
double monitored(const Logs& logs, const std::string& monitor) {
    auto it = logs.find(monitor);
    if (it == logs.end()) {
        std::string have;
        for (const auto& [k, v] : logs) have += (have.empty() ? "" : ", ") + k;
        throw std::invalid_argument("callback monitors '" + monitor + "', but the logs have: " +
                                    have + " (validation data missing?)");
    }
    return it->second;
}
}  // namespace

template <typename T>
void EarlyStopping<T>::on_train_begin(Model<T>&) {
    maximize_ = monitor_maximizes(options_.monitor, options_.mode);
    best_ = maximize_ ? -INFINITY : INFINITY;
    best_epoch_ = wait_ = stopped_epoch_ = 0;
    best_weights_.clear();
}

template <typename T>
bool EarlyStopping<T>::improved(double value) const {
    // Keras: improvement means beating the best by more than min_delta.
    return maximize_ ? value - options_.min_delta > best_ : value + options_.min_delta < best_;
}

template <typename T>
bool EarlyStopping<T>::on_epoch_end(int epoch, const Logs& logs, Model<T>& model) {
    double value = monitored(logs, options_.monitor);
    if (improved(value)) {
        best_ = value;
        best_epoch_ = epoch;
        wait_ = 0;
        if (options_.restore_best_weights) best_weights_ = model.get_weights();
        return false;
    }
    if (++wait_ >= options_.patience) {  // Keras: stop after `patience` bad epochs
        stopped_epoch_ = epoch;
        return true;
    }
    return false;
}

template <typename T>
void EarlyStopping<T>::on_train_end(Model<T>& model) {
    if (options_.restore_best_weights && !best_weights_.empty()) model.set_weights(best_weights_);
}

template <typename T>
bool ModelCheckpoint<T>::on_epoch_end(int epoch, const Logs& logs, Model<T>& model) {
    if (options_.period < 1 || epoch % options_.period != 0) return false;
    if (options_.save_best_only) {
        double value = monitored(logs, options_.monitor);
        bool maximize = monitor_maximizes(options_.monitor, options_.mode);
        if (have_best_ && (maximize ? value <= best_ : value >= best_)) return false;
        have_best_ = true;
        best_ = value;
    }
    std::string path = options_.path;
    if (auto pos = path.find("{epoch}"); pos != std::string::npos)
        path.replace(pos, 7, std::to_string(epoch));
    save_model(model, path);
    last_saved_ = path;
    return false;
}

template class EarlyStopping<float>;
template class EarlyStopping<double>;
template class ModelCheckpoint<float>;
template class ModelCheckpoint<double>;

}  // namespace recur
