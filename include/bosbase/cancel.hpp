// bosbase-cpp: cancel_token, the one way to stop a call from another thread.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CANCEL_HPP
#define BOSBASE_CANCEL_HPP

#include "config.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// What copies of one cancel_token share. Callbacks are how a blocked call is woken:
// the transport registers one that shuts its connection down while the call runs.
class cancel_state {
public:
    bool canceled() const noexcept { return canceled_.load(std::memory_order_acquire); }

    BOSBASE_NOINLINE void cancel() {
        callback_list run;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (canceled_.load(std::memory_order_relaxed)) return;
            canceled_.store(true, std::memory_order_release);
            run.swap(callbacks_);
            running_thread_ = std::this_thread::get_id();
        }
        for (auto& entry : run) {
            try {
                entry.second();
            } catch (...) {
                // A callback only wakes a call; its failure must not stop the others.
            }
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_thread_ = std::thread::id();
        }
        done_.notify_all();
    }

    // Runs `fn` at once (on this thread) when already cancelled; returns 0 then.
    BOSBASE_NOINLINE std::uint64_t add(std::function<void()> fn) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!canceled_.load(std::memory_order_relaxed)) {
                callbacks_.emplace_back(++next_id_, std::move(fn));
                return next_id_;
            }
        }
        fn();
        return 0;
    }

    // Once this returns, the callback is not running and never runs (unless it is
    // the caller itself, inside cancel(): then it has already been taken).
    BOSBASE_NOINLINE void remove(std::uint64_t id) {
        if (id == 0) return;
        std::unique_lock<std::mutex> lock(mutex_);
        const auto it = std::find_if(callbacks_.begin(), callbacks_.end(),
                                     [id](const callback_list::value_type& entry) { return entry.first == id; });
        if (it != callbacks_.end()) {
            callbacks_.erase(it);
            return;
        }
        done_.wait(lock, [&] {
            return running_thread_ == std::thread::id() || running_thread_ == std::this_thread::get_id();
        });
    }

private:
    // In the order added (ids only grow). A vector, not a map: a token holds a callback
    // per call it is watching, a handful, and every program that includes the header
    // compiles this class.
    using callback_list = std::vector<std::pair<std::uint64_t, std::function<void()>>>;

    std::atomic<bool> canceled_{false};
    std::mutex mutex_;
    std::condition_variable done_;
    callback_list callbacks_;
    std::uint64_t next_id_ = 0;
    std::thread::id running_thread_;
};

}  // namespace detail

/// @brief A cancellation signal. Copies share it; cancel() may be called from any
/// thread, any number of times. Put it in request_options::cancel (or pass it to an
/// async call) and every call given it ends promptly with a ClientResponseError whose
/// is_abort() is true, whatever the call is doing: connecting, sending, waiting for
/// the answer, reading it, paging, or waiting for a realtime subscription. One token
/// may stop many calls; once cancelled it stays cancelled (make a new one to go on).
class cancel_token {
public:
    cancel_token() : state_(std::make_shared<detail::cancel_state>()) {}

    /// @brief Cancels every call that has this token, now and later.
    void cancel() const { state_->cancel(); }

    [[nodiscard]] bool is_canceled() const noexcept { return state_->canceled(); }

    /// @brief Runs `fn` once when the token is cancelled (at once, on this thread, if it
    /// already is) for as long as the returned registration lives. Destroying the
    /// registration waits for a running `fn` to return, so `fn` may use what the
    /// registration's owner holds. For transports that block on something cancel()
    /// must interrupt.
    class registration {
    public:
        registration() = default;
        registration(registration&& other) noexcept
            : state_(std::move(other.state_)), id_(std::exchange(other.id_, 0)) {}
        registration& operator=(registration&& other) noexcept;
        registration(const registration&) = delete;
        registration& operator=(const registration&) = delete;
        ~registration() { reset(); }

        BOSBASE_NOINLINE void reset() {
            if (state_) state_->remove(id_);
            state_.reset();
            id_ = 0;
        }

    private:
        friend class cancel_token;
        registration(std::shared_ptr<detail::cancel_state> state, std::uint64_t id)
            : state_(std::move(state)), id_(id) {}
        std::shared_ptr<detail::cancel_state> state_;
        std::uint64_t id_ = 0;
    };

    [[nodiscard]] registration on_cancel(std::function<void()> fn) const;

    /// @brief True when both are copies of one token.
    friend bool operator==(const cancel_token& a, const cancel_token& b) noexcept { return a.state_ == b.state_; }
    friend bool operator!=(const cancel_token& a, const cancel_token& b) noexcept { return !(a == b); }

private:
    std::shared_ptr<detail::cancel_state> state_;
};

namespace detail {

/// The token of the async job running on this thread (async.hpp sets it around each
/// job); every call the job makes obeys it besides its own request_options::cancel.
BOSBASE_DECL const cancel_token*& job_cancel_slot() noexcept;

inline const cancel_token* current_job_cancel() noexcept { return job_cancel_slot(); }

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "cancel.ipp"
#endif

#endif  // BOSBASE_CANCEL_HPP
