// A small persistent pool: between parallel_for calls workers spin briefly (a training step
// issues several calls microseconds apart, and a futex wake-up costs about as much as a small
// layer's whole step), then sleep on a condition variable, so an idle pool costs no CPU. Chunk c
// always covers the same rows for a given (n, thread count), which keeps results bit-identical
// run to run.
#include "recur/tensor/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace recur {
namespace {

int default_threads() {
    if (const char* env = std::getenv("RECUR_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    return 1;
}

int g_threads = default_threads();

// Depth of parallel_for calls on this thread: a call made from inside a chunk (a layer of a
// per-thread model replica, training/data_parallel.cpp) runs inline instead of queueing on the
// pool that is running it.
thread_local int t_depth = 0;
struct DepthGuard {
    DepthGuard() { ++t_depth; }
    ~DepthGuard() { --t_depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
};

class Pool {
  public:
    static Pool& instance() {
        static Pool pool;
        return pool;
    }
    ~Pool() {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }

    void run(int chunks, std::int64_t n, std::int64_t align,
             const std::function<void(int, std::int64_t, std::int64_t)>& fn) {
        std::lock_guard call_lock(call_mutex_);  // one parallel_for at a time
        ensure_workers(chunks - 1);
        {
            std::lock_guard lock(mutex_);
            fn_ = &fn;
            n_ = n;
            align_ = align;
            chunks_ = chunks;
            pending_.store(chunks - 1);
            error_ = nullptr;
            generation_.fetch_add(1);
        }
        wake_.notify_all();
        std::exception_ptr mine;
        try {
            DepthGuard nested;
            run_chunk(0);
        } catch (...) {
            mine = std::current_exception();
        }
        spin_until([&] { return pending_.load() == 0; });
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return pending_.load() == 0; });
        fn_ = nullptr;
        if (mine) std::rethrow_exception(mine);
        if (error_) std::rethrow_exception(error_);
    }

  private:
    std::int64_t boundary(int c) const {
        if (c == chunks_) return n_;
        std::int64_t at = n_ * c / chunks_;
        return std::min(n_, (at + align_ / 2) / align_ * align_);
    }
    void run_chunk(int c) const {
        std::int64_t begin = boundary(c), end = boundary(c + 1);
        if (end > begin) (*fn_)(c, begin, end);
    }
    void ensure_workers(int count) {
        while (static_cast<int>(workers_.size()) < count) {
            int id = static_cast<int>(workers_.size()) + 1;
            workers_.emplace_back([this, id] { loop(id); });
        }
    }
    // Busy-waits up to kSpin for done(); returns early when it holds.
    template <typename Done>
    static void spin_until(Done done) {
        constexpr auto kSpin = std::chrono::microseconds(200);
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; !done(); ++i)
            if ((i & 255) == 255 && std::chrono::steady_clock::now() - start > kSpin) return;
    }

    void loop(int id) {
        std::uint64_t seen = 0;
        for (;;) {
            spin_until([&] { return generation_.load() != seen; });
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return quit_ || generation_.load() != seen; });
                if (quit_) return;
                seen = generation_.load();
                if (id >= chunks_) continue;
            }
            std::exception_ptr err;
            try {
                DepthGuard nested;
                run_chunk(id);
            } catch (...) {
                err = std::current_exception();
            }
            {
                std::lock_guard lock(mutex_);
                if (err && !error_) error_ = err;
                if (pending_.fetch_sub(1) == 1) done_.notify_one();
            }
        }
    }

    std::mutex call_mutex_, mutex_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    const std::function<void(int, std::int64_t, std::int64_t)>* fn_ = nullptr;
    std::int64_t n_ = 0, align_ = 1;
    int chunks_ = 1;
    std::atomic<int> pending_{0};
    std::atomic<std::uint64_t> generation_{0};
    bool quit_ = false;
    std::exception_ptr error_;
};

}  // namespace

int num_threads() {
    return g_threads;
}
void set_num_threads(int n) {
    g_threads = std::max(1, n);
}

int parallel_chunks(std::int64_t n) {
    if (t_depth > 0) return 1;  // already inside a chunk: run inline
    return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(g_threads, n)));
}

void parallel_for(std::int64_t n, const std::function<void(int, std::int64_t, std::int64_t)>& fn,
                  std::int64_t align) {
    int chunks = parallel_chunks(n);
    if (chunks == 1) {
        fn(0, 0, n);
        return;
    }
    Pool::instance().run(chunks, n, std::max<std::int64_t>(1, align), fn);
}

}  // namespace recur
