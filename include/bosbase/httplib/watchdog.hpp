// bosbase-cpp: The watchdog thread that stops cpp-httplib calls at their deadline.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_WATCHDOG_HPP
#define BOSBASE_HTTPLIB_WATCHDOG_HPP

#include "../platform.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

namespace bosbase {

namespace detail {

/// @brief Cuts off cpp-httplib calls that outlive their deadline.
///
/// cpp-httplib 0.11 has no whole-call timeout and reads the status line and headers
/// without any callback, so a server that drips its headers, or never reads a large
/// request, can only be stopped from another thread: Client::stop() shuts the socket
/// down, which fails the blocked read or write at once. One thread per transport
/// state serves every call; it starts with the first call that has a deadline.
class httplib_watchdog {
public:
    using clock = std::chrono::steady_clock;

    /// One watched call. Lives on the calling thread's stack between add() and remove().
    struct watch {
        httplib::Client* client = nullptr;
        socket_watch* socket = nullptr;  // the connection's own view of its socket, if any
        clock::time_point deadline;  // when the watchdog stops the call (next)
        bool stopping = false;  // the watchdog is inside client->stop() without the mutex
        bool expired = false;
    };

    httplib_watchdog() = default;
    httplib_watchdog(const httplib_watchdog&) = delete;
    httplib_watchdog& operator=(const httplib_watchdog&) = delete;

    ~httplib_watchdog() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    void add(watch& w, httplib::Client& client, socket_watch* socket, clock::time_point deadline) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!thread_.joinable()) {
            thread_ = std::thread([this] { run(); });
        }
        w.client = &client;
        w.socket = socket;
        w.deadline = deadline;
        queue_.push_back(&w);
        // The hot path: most calls end long before their deadline, so the thread is
        // only woken when this deadline comes before the one it already sleeps until.
        if (deadline < next_wake_) {
            next_wake_ = deadline;
            ++wake_requests_;
            lock.unlock();
            wake_.notify_one();
        }
    }

    /// How often add() had to wake the thread (tests: sequential calls need it once).
    std::size_t wake_requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return wake_requests_;
    }

    /// @brief Stops the watched call now, and again every retry_interval until
    /// remove() (a cancel): the same path as a deadline that has passed.
    void expire_now(watch& w) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (w.expired) return;  // already being stopped
            const auto now = clock::now();
            w.deadline = now;
            next_wake_ = now;
        }
        wake_.notify_one();
    }

    /// @brief Ends the watch; afterwards the watchdog never touches the client again.
    /// @return whether the watchdog stopped the call's connection.
    bool remove(watch& w) {
        std::unique_lock<std::mutex> lock(mutex_);
        stopped_.wait(lock, [&] { return !w.stopping; });
        const auto it = std::find(queue_.begin(), queue_.end(), &w);
        *it = queue_.back();
        queue_.pop_back();
        return w.expired;
    }

private:
    // Once a call has expired it is stopped again every retry_interval until it
    // returns: a stop() that lands before send() has taken its socket only closes
    // the idle one, and send() would then connect afresh.
    static constexpr std::chrono::milliseconds retry_interval{20};

    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!quit_) {
            const auto now = clock::now();
            const auto first = std::min_element(queue_.begin(), queue_.end(),
                                                [](const watch* a, const watch* b) { return a->deadline < b->deadline; });
            if (first == queue_.end() || (*first)->deadline > now) {
                // next_wake_ is when this thread wakes at the latest; add() wakes it only
                // for an earlier deadline. With the queue empty the planned wake-up
                // stands: the next call's deadline lies after it (one wake-up per
                // deadline span, not two context switches per call).
                if (first != queue_.end()) {
                    next_wake_ = (*first)->deadline;
                } else if (next_wake_ <= now) {
                    next_wake_ = clock::time_point::max();
                }
                if (next_wake_ == clock::time_point::max()) {
                    wake_.wait(lock);
                } else {
                    wake_.wait_until(lock, next_wake_);
                }
                continue;
            }
            watch* w = *first;
            w->deadline = now + retry_interval;
            w->expired = true;
            w->stopping = true;
            // stop() waits for cpp-httplib's socket mutex, which send() holds while it
            // resolves and connects; other calls must still register meanwhile. The
            // socket's own shutdown comes first: it ends a connect in progress.
            lock.unlock();
            if (w->socket != nullptr) w->socket->interrupt();
            w->client->stop();
            lock.lock();
            w->stopping = false;
            stopped_.notify_all();
        }
    }

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable stopped_;
    // The watched calls, unordered: they are as many as the calls in flight, each
    // added and removed once while the thread scans them only when it wakes, so a
    // vector (no allocation per call once it has grown) beats a sorted tree.
    std::vector<watch*> queue_;
    clock::time_point next_wake_ = clock::time_point::max();
    std::size_t wake_requests_ = 0;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB

#endif  // BOSBASE_HTTPLIB_WATCHDOG_HPP
