// Keras-style progress line on stderr (internal):
//   Epoch 3/50
//   98/98 [==============================] - 1s 10ms/step - loss: 0.0012 - val_loss: 0.0011
// On a terminal the line is redrawn in place during the epoch (with an ETA); otherwise an
// intermediate line is printed at most every 10 seconds, so long epochs in logs still show life.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "recur/training/callbacks.hpp"

namespace recur {

class ProgressBar {
  public:
    ProgressBar(int epoch, int epochs, std::int64_t steps, bool enabled);
    void update(std::int64_t step, double mean_loss);
    void finish(const Logs& logs);

  private:
    std::string bar(std::int64_t step) const;
    double elapsed() const;
    std::int64_t steps_;
    bool enabled_, tty_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace recur
