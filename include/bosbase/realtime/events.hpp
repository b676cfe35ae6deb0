// bosbase-cpp: What realtime hands the app: events, disconnect reasons, options, subscription handles.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_EVENTS_HPP
#define BOSBASE_REALTIME_EVENTS_HPP

#include "../connection_events.hpp"
#include "../transport.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief One change pushed by the server.
struct realtime_event {
    std::string topic;   ///< the subscription string, options included (the SSE event name)
    std::string action;  ///< "create", "update" or "delete" for record topics; "" otherwise
    json record;         ///< the record for record topics; null otherwise
    json data;           ///< the whole event data; {} when it was not JSON (as in the JS SDK)
};

using realtime_callback = std::function<void(const realtime_event&)>;

/// @brief Options of one subscription, sent as the topic's `?options=` like the JS SDK does.
struct subscribe_options {
    std::optional<std::string> filter;
    std::optional<std::string> expand;
    std::optional<std::string> fields;
    query_params query;   ///< more query values (after filter, expand and fields)
    header_list headers;  ///< seen by the server's rules as @request.headers.*
};

/// @brief Why a realtime connection ended (on_disconnect): the payload pub/sub's on_disconnect
/// gets too. The earlier name, kept.
using realtime_disconnect = disconnect_event;

/// @brief Realtime settings; pb.realtime().set_options() applies them from the next connection on.
struct realtime_options {
    /// First delay after a lost connection. A server's SSE `retry:` may raise it (up to
    /// max_reconnect_delay), never lower it.
    std::chrono::milliseconds reconnect_delay{200};
    std::chrono::milliseconds max_reconnect_delay{5000};  ///< the delay doubles up to this (with jitter)
    /// Longest silence on the stream before it counts as dead. The server closes an
    /// idle stream after 5 minutes itself, so this only catches a vanished peer.
    std::chrono::milliseconds idle_timeout{330000};
    /// How long subscribe() waits for the server to confirm the subscription.
    std::chrono::milliseconds subscribe_timeout{15000};
    std::size_t max_event_bytes = std::size_t(8) << 20;  ///< larger events end the connection
};

/// @brief Ends its subscription when destroyed (or on unsubscribe()). Movable.
/// It does not keep the client alive: once every client handle and service is
/// gone, the connection ends and unsubscribe() does nothing.
class subscription {
public:
    subscription() = default;
    subscription(std::string topic, std::function<void()> remove)
        : topic_(std::move(topic)), remove_(std::move(remove)) {}
    subscription(subscription&& other) noexcept
        : topic_(std::move(other.topic_)), remove_(std::exchange(other.remove_, nullptr)) {}
    subscription& operator=(subscription&& other) noexcept;
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;
    ~subscription() { unsubscribe(); }

    /// @brief Stops this callback; idempotent. Never throws: a failed request to
    /// shrink the server's set only means events for it arrive and are dropped.
    void unsubscribe() noexcept;

    /// @brief False after unsubscribe() or a move.
    bool active() const noexcept { return static_cast<bool>(remove_); }

    /// @brief The subscription string, options included.
    const std::string& topic() const noexcept { return topic_; }

private:
    std::string topic_;
    std::function<void()> remove_;
};

namespace detail {

// What a typed realtime callback (subscribe<T>, pb.collection<T>()) throws when the event does
// not fit T: the realtime thread skips the event and reports it to on_error.
class realtime_decode_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "events.ipp"
#endif

#endif  // BOSBASE_REALTIME_EVENTS_HPP
