// bosbase-cpp: What realtime and pub/sub tell about their connections: one payload per callback, shared.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CONNECTION_EVENTS_HPP
#define BOSBASE_CONNECTION_EVENTS_HPP

#include "errors.hpp"
#include "transport.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief A connection with every subscription on the server: what on_connect and on_reconnect
/// get, from realtime (pb.realtime()) and pub/sub (pb.pubsub()) alike. Both callbacks get the
/// same event for one connection; on_reconnect runs only when `reconnect` is true.
struct connection_event {
    std::string client_id;  ///< the server's id of the connection
    /// Pub/sub, on a reconnect: the `created` of the last message received before the loss
    /// ("" when none came), as the server sent it: messages after it may have been missed. The
    /// server keeps them for 24 h in `_pubsub_messages` (without REDIS_URL), so an app can
    /// resync from there. Always "" for realtime, whose events carry no server time.
    std::string missed_since;
    /// On a reconnect: when the SDK saw the old connection end (this machine's clock). The
    /// clock's epoch on a first connection.
    std::chrono::system_clock::time_point disconnected_at;
    std::vector<std::string> topics;  ///< the subscriptions on the server now
    bool reconnect = false;           ///< it replaces a lost connection: events may have been missed
};

/// @brief Why a realtime or pub/sub connection that was established ended (on_disconnect).
struct disconnect_event {
    std::string reason;                  ///< readable, never carries a secret
    error_kind kind = error_kind::none;  ///< none when the server ended the connection or the SDK closed it
    bool reconnecting = false;           ///< true when the SDK connects again by itself
    std::vector<std::string> topics;     ///< the subscriptions at that moment
};

namespace detail {

using connection_callback = std::function<void(const connection_event&)>;
using disconnect_callback = std::function<void(const disconnect_event&)>;
using error_callback = std::function<void(const ClientResponseError&)>;

// The first on_connect and on_reconnect took the client id only; a callable of that shape
// (and not of the event's) is still taken. A template picked by what Fn can be called with,
// so that `on_connect({})` and `on_connect(nullptr)` still mean the std::function overload.
// The event's shape is asked first and the client id's only when it fails: a generic lambda
// written for the event is then never instantiated with a string (a hard error).
template <class Fn>
using if_client_id_callback =
    std::enable_if_t<std::conjunction_v<std::negation<std::is_invocable<Fn&, const connection_event&>>,
                                        std::is_invocable<Fn&, const std::string&>>,
                     int>;

template <class T>
struct is_std_function : std::false_type {};
template <class Signature>
struct is_std_function<std::function<Signature>> : std::true_type {};

template <class Fn>
connection_callback from_client_id_callback(Fn fn) {
    // An empty std::function or a null pointer clears the callback. Not every Fn that converts
    // to bool: a captureless lambda does, through a pointer that is never null (-Waddress).
    if constexpr (std::is_pointer_v<Fn> || is_std_function<Fn>::value) {
        if (!fn) return nullptr;
    }
    return [fn = std::move(fn)](const connection_event& e) mutable { fn(e.client_id); };
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_CONNECTION_EVENTS_HPP
