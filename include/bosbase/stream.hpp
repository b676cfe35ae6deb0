// bosbase-cpp: The optional streaming call of a transport, which realtime uses.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_STREAM_HPP
#define BOSBASE_STREAM_HPP

#include "transport.hpp"

#include <atomic>
#include <functional>
#include <mutex>
#include <string_view>
#include <type_traits>

namespace bosbase {

/// @brief Lets one thread stop a transport's stream() call that blocks on another.
///
/// The transport registers a stopper while its connection is open; cancel() sets
/// the flag and runs the stopper (from any thread, as often as needed: a cancel
/// that lands while the connection is still being opened is repeated by the SDK
/// until stream() returns).
class stream_cancel {
public:
    stream_cancel() = default;
    stream_cancel(const stream_cancel&) = delete;
    stream_cancel& operator=(const stream_cancel&) = delete;

    void cancel() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        canceled_ = true;
        if (stopper_) {
            try {
                stopper_();
            } catch (...) {  // a stopper that fails leaves the stream to its read timeout
            }
        }
    }

    bool canceled() const noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        return canceled_;
    }

    /// @brief Transport side: what cancel() must call while the stream is open.
    /// Returns false (and keeps nothing) when cancel() came first.
    bool set_stopper(std::function<void()> stop) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (canceled_) {
            return false;
        }
        stopper_ = std::move(stop);
        return true;
    }

    /// @brief Transport side: call before whatever the stopper refers to goes away.
    void clear_stopper() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        stopper_ = nullptr;
    }

private:
    mutable std::mutex mutex_;
    bool canceled_ = false;
    std::function<void()> stopper_;
};

/// @brief Receives the body of a streamed response chunk by chunk; false stops reading.
using stream_handler = std::function<bool(std::string_view chunk)>;

namespace detail {

template <class T, class = void>
struct has_stream : std::false_type {};

template <class T>
struct has_stream<T, std::void_t<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                                    std::declval<const stream_handler&>(),
                                                                    std::declval<stream_cancel&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                             std::declval<const stream_handler&>(),
                                                             std::declval<stream_cancel&>())),
                          http_response> {};

}  // namespace detail

/// @brief True when T also has the optional streaming call that realtime needs:
/// `http_response stream(const http_request&, const stream_handler&, stream_cancel&)`.
template <class T>
inline constexpr bool is_streaming_transport_v = detail::has_stream<T>::value;

}  // namespace bosbase

#endif  // BOSBASE_STREAM_HPP
