// bosbase-cpp: What pub/sub hands the app: messages, acknowledgements, connection reports, options.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_EVENTS_HPP
#define BOSBASE_PUBSUB_EVENTS_HPP

#include "../connection_events.hpp"
#include "../transport.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bosbase {

/// @brief The most JSON text of `data` one publish may carry: the server refuses more
/// ("payload too large"; apis/pubsub.go, pubSubMaxPayloadBytes), counted as the bytes it
/// receives. publish() refuses larger `data` before sending (error_kind::too_large).
inline constexpr std::size_t pubsub_max_data_bytes = std::size_t(256) << 10;

/// @brief pubsub_options::max_message_bytes by default: every message the server can fan out
/// for a publish it accepted, on a topic of up to 87,000 bytes (docs/limits.md, Pub/sub).
///
/// The server (apis/pubsub.go, broadcast) sends each subscriber
///   {"type":"message","id":ID,"topic":TOPIC,"data":DATA,"created":CREATED}
/// through Go's json.Marshal: 58 bytes of names and punctuation, an id of 16 characters (15
/// without REDIS_URL), `created` of 24 ("2026-12-04 18:12:38.148Z"). DATA is what the
/// publisher sent, at most pubsub_max_data_bytes of JSON text (the limit counts the encoded
/// form as received), re-encoded: compacted, with <, > and & escaped to \u003c, \u003e,
/// \u0026 (6 bytes for 1) and U+2028/U+2029 to \u2028 (6 for 3); control characters arrive
/// escaped already and stay as long. So DATA <= 6 * 262,144 = 1,572,864 bytes, seen on the
/// wire for a string of 262,142 '<'. TOPIC is escaped the same way: <= 6 bytes per byte.
/// Frame <= 58 + 16 + 24 + 1,572,864 + 6 * topic = 1,572,962 + 6 * topic bytes; 2 MiB leaves
/// 524,190 bytes, a topic of 87,365 bytes even when every byte is escaped.
///
/// Not covered: numbers. Without REDIS_URL the server stores DATA as PostgreSQL jsonb and
/// sends jsonb's text, which writes numbers out in full (1e1000 becomes 1,001 digits, up to
/// 131,072 digits before the point), so a publisher can make a frame of hundreds of MB. Such
/// a message is dropped and reported to on_error; the connection goes on.
inline constexpr std::size_t pubsub_default_max_message_bytes = std::size_t(2) << 20;

/// @brief One message of a subscribed topic, as the server fanned it out.
struct pubsub_message {
    std::string id;       ///< the server's id of the stored message
    std::string topic;
    std::string created;  ///< the server's time, e.g. "2026-12-04 18:12:38.148Z"
    json data;            ///< what the publisher sent (null when it sent none)
};

/// @brief Receives each message of a pub/sub subscription.
using pubsub_callback = std::function<void(const pubsub_message&)>;

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

/// @brief The earlier names of the payloads realtime and pub/sub share: a reconnect is a
/// connection_event (reconnect true; missed_since and disconnected_at set), a lost
/// connection a disconnect_event.
using pubsub_reconnect = connection_event;
using pubsub_disconnect = disconnect_event;

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
    /// The largest incoming message. One over it is dropped whole and reported to on_error
    /// (error_kind::too_large, naming this limit); the connection and the messages behind it
    /// go on. The default takes every message the server can send for a publish it accepts
    /// (pubsub_default_max_message_bytes says how it is computed and what it leaves out).
    /// Outgoing `data` is checked against the server's own limit, pubsub_max_data_bytes.
    std::size_t max_message_bytes = pubsub_default_max_message_bytes;
    /// Messages waiting for the callbacks. When a slow callback lets it fill up, the
    /// message that does not fit is dropped, the connection is closed and opened again,
    /// and on_reconnect tells from which `created` on messages may be missing. Reading
    /// (and so acknowledgements) never waits for a callback.
    std::size_t max_queued_messages = 1024;
};

}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_EVENTS_HPP
