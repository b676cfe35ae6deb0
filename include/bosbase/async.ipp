// bosbase-cpp: definitions of async.hpp (the client's small executor for calls made without blocking the caller.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_ASYNC_IPP
#define BOSBASE_ASYNC_IPP

#include "async.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL async_executor::async_executor(std::size_t threads)
    : state_(std::make_shared<state>()), size_(threads) {
    if (threads == 0) {
        throw std::invalid_argument("bosbase: client_options::async_threads must be at least 1");
    }
}

BOSBASE_DECL void async_executor::submit(job j) {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (state_->stopping) {
            throw std::logic_error("bosbase: the client is shutting down; no new async calls");
        }
        state_->queue.push_back(std::move(j));
        while (threads_.size() < size_ && threads_.size() < state_->queue.size() + state_->running.size()) {
            threads_.emplace_back([s = state_] { work(*s); });
        }
    }
    state_->wake.notify_one();
}

BOSBASE_DECL void async_executor::shutdown() noexcept {
    std::deque<job> abandoned;
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (state_->stopping && threads_.empty()) return;
        state_->stopping = true;
        abandoned.swap(state_->queue);
        for (const cancel_token& t : state_->running) t.cancel();
        threads.swap(threads_);
    }
    state_->wake.notify_all();
    for (job& j : abandoned) j.abandon();
    abandoned.clear();
    for (std::thread& t : threads) {
        // The last handle of a client may go inside one of its own jobs: that thread
        // cannot join itself; it finishes on its own (its state is shared).
        if (t.get_id() == std::this_thread::get_id()) {
            t.detach();
        } else {
            t.join();
        }
    }
}

BOSBASE_DECL void async_executor::work(state& s) {
    std::unique_lock<std::mutex> lock(s.mutex);
    while (true) {
        s.wake.wait(lock, [&] { return s.stopping || !s.queue.empty(); });
        if (s.queue.empty()) return;  // stopping
        job j = std::move(s.queue.front());
        s.queue.pop_front();
        s.running.push_back(j.token);
        lock.unlock();
        if (j.token.is_canceled()) {
            j.abandon();
        } else {
            job_cancel_slot() = &j.token;
            j.run();
            job_cancel_slot() = nullptr;
        }
        const cancel_token token = j.token;
        j = job{};  // what the job captured goes now, outside the lock
        lock.lock();
        s.running.erase(std::find(s.running.begin(), s.running.end(), token));
    }
}

BOSBASE_DECL std::exception_ptr job_not_run(const cancel_token& token) {
    return std::make_exception_ptr(ClientResponseError(
        "", 0, json::object(), error_kind::canceled,
        token.is_canceled() ? "the async call was cancelled before it started"
                            : "the client was destroyed before the async call started"));
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_ASYNC_IPP
