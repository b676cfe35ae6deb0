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

    explicit async_executor(std::size_t threads);

    ~async_executor() override { shutdown(); }

    void submit(job j);

    void shutdown() noexcept override;

private:
    struct state {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<job> queue;
        std::vector<cancel_token> running;
        bool stopping = false;
    };

    static void work(state& s);

    std::shared_ptr<state> state_;
    std::vector<std::thread> threads_;  // guarded by state_->mutex
    const std::size_t size_;
};

// What a job that never ran reports through its future.
BOSBASE_DECL std::exception_ptr job_not_run(const cancel_token& token);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "async.ipp"
#endif

#endif  // BOSBASE_ASYNC_HPP
