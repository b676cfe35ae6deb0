// bosbase-cpp: the client's small executor for calls made without blocking the caller.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_ASYNC_HPP
#define BOSBASE_ASYNC_HPP

#include "cancel.hpp"
#include "client_core.hpp"
#include "errors.hpp"

#include <condition_variable>
#include <cstddef>
#include <algorithm>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// A fixed number of threads, started on the first job, that run the jobs of one
/// client in order of submission. Each job has a cancel token that every call it
/// makes obeys (cancel.hpp, job_cancel_slot). Shutting down (the client's core going
/// away) cancels the running jobs, abandons the queued ones and joins the threads.
class async_executor : public core_extension {
public:
    struct job {
        std::function<void()> run;      // never throws: it reports to the job's future
        std::function<void()> abandon;  // instead of run, when the job cannot run
        cancel_token token;
    };

    explicit async_executor(std::size_t threads) : state_(std::make_shared<state>()), size_(threads) {
        if (threads == 0) {
            throw std::invalid_argument("bosbase: client_options::async_threads must be at least 1");
        }
    }

    ~async_executor() override { shutdown(); }

    void submit(job j) {
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

    void shutdown() noexcept override {
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

private:
    struct state {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<job> queue;
        std::vector<cancel_token> running;
        bool stopping = false;
    };

    static void work(state& s) {
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

    std::shared_ptr<state> state_;
    std::vector<std::thread> threads_;  // guarded by state_->mutex
    const std::size_t size_;
};

// What a job that never ran reports through its future.
inline std::exception_ptr job_not_run(const cancel_token& token) {
    return std::make_exception_ptr(ClientResponseError(
        "", 0, json::object(), error_kind::canceled,
        token.is_canceled() ? "the async call was cancelled before it started"
                            : "the client was destroyed before the async call started"));
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_ASYNC_HPP
