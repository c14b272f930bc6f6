#include "training/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

namespace recur {

ProgressBar::ProgressBar(int epoch, int epochs, std::int64_t steps, bool enabled)
    : steps_(steps), enabled_(enabled), tty_(isatty(fileno(stderr)) != 0) {
    start_ = last_draw_ = std::chrono::steady_clock::now();
    if (enabled_) fmt::print(stderr, "Epoch {}/{}\n", epoch, epochs);
}

double ProgressBar::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::bar(std::int64_t step) const {
    const int width = 30;
    int done = steps_ > 0 ? static_cast<int>(width * step / steps_) : width;
    std::string b = "[";
    for (int i = 0; i < width; ++i) b += i < done ? '=' : (i == done ? '>' : '.');
    if (step >= steps_) b.back() = '=';
    return b + "]";
}

void ProgressBar::update(std::int64_t step, double mean_loss) {
    if (!enabled_ || step >= steps_) return;
    auto now = std::chrono::steady_clock::now();
    double since = std::chrono::duration<double>(now - last_draw_).count();
    if (since < (tty_ ? 0.1 : 10.0)) return;
    last_draw_ = now;
    double eta = elapsed() / static_cast<double>(step) * static_cast<double>(steps_ - step);
    int w = static_cast<int>(std::to_string(steps_).size());
    fmt::print(stderr, "{}{:>{}}/{} {} - ETA: {:.0f}s - loss: {:.4g}{}", tty_ ? "\r" : "", step, w,
               steps_, bar(step), eta, mean_loss, tty_ ? "" : "\n");
    std::fflush(stderr);
}

void ProgressBar::finish(const Logs& logs) {
    if (!enabled_) return;
    double secs = elapsed();
    std::string line =
        fmt::format("{}/{} {} - {:.0f}s {:.0f}ms/step", steps_, steps_, bar(steps_), secs,
                    1000.0 * secs / static_cast<double>(std::max<std::int64_t>(1, steps_)));
    auto put = [&](const std::string& key) {
        if (auto it = logs.find(key); it != logs.end())
            line += fmt::format(" - {}: {:.4g}", key, it->second);
    };
    put("loss");
    for (const auto& [k, v] : logs)
        if (k != "loss" && k.rfind("val_", 0) != 0) put(k);
    for (const auto& [k, v] : logs)
        if (k.rfind("val_", 0) == 0) put(k);
    fmt::print(stderr, "{}{}\n", tty_ ? "\r" : "", line);
    std::fflush(stderr);
}

}  // namespace recur
