// bosbase-cpp: definitions of cancel.hpp (cancel_token, the one way to stop a call from another thread.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CANCEL_IPP
#define BOSBASE_CANCEL_IPP

#include "cancel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

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

BOSBASE_DECL cancel_token::cancel_token() : state_(std::make_shared<detail::cancel_state>()) {}

BOSBASE_DECL void cancel_token::cancel() const { state_->cancel(); }

BOSBASE_DECL bool cancel_token::is_canceled() const noexcept { return state_->canceled(); }

BOSBASE_DECL void cancel_token::registration::reset() {
    if (state_) state_->remove(id_);
    state_.reset();
    id_ = 0;
}

BOSBASE_DECL auto cancel_token::registration::operator=(registration&& other) noexcept -> registration& {
    if (this != &other) {
        reset();
        state_ = std::move(other.state_);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

BOSBASE_DECL auto cancel_token::on_cancel(std::function<void()> fn) const -> registration {
    const std::uint64_t id = state_->add(std::move(fn));
    return registration(id == 0 ? nullptr : state_, id);
}

}  // namespace bosbase

namespace bosbase {
namespace detail {

BOSBASE_DECL const cancel_token*& job_cancel_slot() noexcept {
    static thread_local const cancel_token* slot = nullptr;
    return slot;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_CANCEL_IPP
