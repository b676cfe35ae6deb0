// bosbase-cpp: cancel_token, the one way to stop a call from another thread.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CANCEL_HPP
#define BOSBASE_CANCEL_HPP

#include "config.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// What copies of one cancel_token share (defined with the definitions: it holds the
// mutex and condition variable a cancel waits on).
class cancel_state;

}  // namespace detail

/// @brief A cancellation signal. Copies share it; cancel() may be called from any
/// thread, any number of times. Put it in request_options::cancel (or pass it to an
/// async call) and every call given it ends promptly with a ClientResponseError whose
/// is_abort() is true, whatever the call is doing: connecting, sending, waiting for
/// the answer, reading it, paging, or waiting for a realtime subscription. One token
/// may stop many calls; once cancelled it stays cancelled (make a new one to go on).
class cancel_token {
public:
    cancel_token();

    /// @brief Cancels every call that has this token, now and later.
    void cancel() const;

    [[nodiscard]] bool is_canceled() const noexcept;

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

        void reset();

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
