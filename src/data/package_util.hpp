// data/package_util.hpp — small helpers shared by the npm-package readers (imdb.cpp, glove.cpp).
#pragma once

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

namespace recur::detail {

// "12.3 s" since t0, for progress lines.
inline std::string seconds_since(std::chrono::steady_clock::time_point t0) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

// nlohmann-json's message without its "[json.exception.parse_error.101] " prefix.
inline std::string json_message(const std::exception& e) {
    std::string msg = e.what();
    if (msg.compare(0, 1, "[") == 0) {
        const std::size_t close = msg.find("] ");
        if (close != std::string::npos) msg.erase(0, close + 2);
    }
    return msg;
}

}  // namespace recur::detail
