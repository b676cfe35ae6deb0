// bosbase-cpp: What pub/sub hands the app: messages, acknowledgements, connection reports, options.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_EVENTS_HPP
#define BOSBASE_PUBSUB_EVENTS_HPP

#include "../transport.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bosbase {

/// @brief One message of a subscribed topic, as the server fanned it out.
struct pubsub_message {
    std::string id;       ///< the server's id of the stored message
    std::string topic;
    std::string created;  ///< the server's time, e.g. "2026-12-04 18:12:38.148Z"
    json data;            ///< what the publisher sent (null when it sent none)
};

/// @brief The server's acknowledgement of a publish.
struct publish_ack {
    std::string id;
    std::string topic;
    std::string created;
};

/// @brief The JS SDK's realtime envelope `{event, payload, ref}` as realtime_subscribe hands it on.
struct pubsub_realtime_message {
    std::string topic;
    std::string event;  ///< "" when the data had no string `event`
    json payload;       ///< data.payload, or the whole data when it has none
    std::optional<std::string> ref;
    std::string id;
    std::string created;
};

/// @brief A connection after a lost one: messages published meanwhile were not delivered.
struct pubsub_reconnect {
    std::string client_id;  ///< the server's id of the new connection
    /// The `created` of the last message received before the loss ("" when none came):
    /// messages after it may have been missed. The server keeps them for 24 h in
    /// `_pubsub_messages` (without REDIS_URL), so an app can resync from there.
    std::string missed_since;
    /// When the SDK saw the old connection end (this machine's clock).
    std::chrono::system_clock::time_point disconnected_at;
    std::vector<std::string> topics;  ///< resubscribed on the new connection
};

/// @brief Why a pub/sub connection ended (on_disconnect).
struct pubsub_disconnect {
    std::string reason;                  ///< readable, never carries the token
    error_kind kind = error_kind::none;  ///< none when the server or the SDK closed it
    bool reconnecting = false;           ///< the SDK connects again by itself
};

/// @brief Pub/sub settings; pb.pubsub().set_options() applies them from the next connection on.
struct pubsub_options {
    /// TCP connect, upgrade and the server's `ready` together (the JS SDK's 15 s).
    std::chrono::milliseconds connect_timeout{15000};
    /// How long publish() and subscribe() wait for the server's acknowledgement (the JS SDK's 10 s).
    std::chrono::milliseconds ack_timeout{10000};
    /// First delay after a lost connection; it doubles up to max_reconnect_delay, with jitter.
    /// Delays are never shorter than this, whatever happens on the wire.
    std::chrono::milliseconds reconnect_delay{200};
    std::chrono::milliseconds max_reconnect_delay{2000};
    /// The SDK pings this often; a connection silent for three times as long is dead.
    std::chrono::milliseconds ping_interval{20000};
    /// Larger incoming frames end the connection; larger `data` is refused before sending.
    /// The server's own limit is 262144 bytes of JSON `data`.
    std::size_t max_message_bytes = std::size_t(256) << 10;
    /// Messages waiting for the callbacks. When a slow callback lets it fill up, the
    /// message that does not fit is dropped, the connection is closed and opened again,
    /// and on_reconnect tells from which `created` on messages may be missing. Reading
    /// (and so acknowledgements) never waits for a callback.
    std::size_t max_queued_messages = 1024;
};

}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_EVENTS_HPP
