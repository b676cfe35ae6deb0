// bosbase-cpp: pubsub_service: pb.pubsub(), publish and subscribe over BosBase's WebSocket.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_SERVICE_HPP
#define BOSBASE_PUBSUB_SERVICE_HPP

#include "events.hpp"
#include "../connection_events.hpp"
#include "../realtime/events.hpp"
#include "../services/common.hpp"

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace bosbase {

namespace detail {
class pubsub_state;  // the connection's state and thread, defined with the definitions
}  // namespace detail

/// @brief Client-to-client messages over one WebSocket per client (pb.pubsub()).
///
/// The socket opens on first use with the current auth token, reconnects by itself
/// after any loss (jittered backoff between pubsub_options::reconnect_delay and
/// max_reconnect_delay), resubscribes every topic, and reconnects at once when the
/// token changes. It closes on disconnect(), or when the last subscription ends and
/// no publish used it. Callbacks run on one thread of the client, one at a time and
/// never under the client's locks; one that throws is skipped. They are queued
/// (pubsub_options::max_queued_messages) so a slow callback never stalls reading:
/// see that option for what happens when the queue is full. Anyone may subscribe;
/// only a signed-in record may publish (the server refuses anonymous publishes with
/// an error the call throws). Needs a transport with the WebSocket call
/// (is_websocket_transport_v): the default one has it (BOSBASE_HTTPLIB_WEBSOCKET, on by default).
class pubsub_service : public detail::service_base {
public:
    explicit pubsub_service(std::shared_ptr<detail::client_core> core)
        : detail::service_base(std::move(core)) {}

    /// @brief Publishes `data` (any JSON) to `topic` and returns the server's acknowledgement.
    /// Works in any state: with no socket, or one closing because the last subscription just
    /// ended, it goes out on a new one. Throws ClientResponseError: no connection within
    /// connect_timeout, no acknowledgement within ack_timeout (kind timeout; `options.deadline`
    /// caps both, kind deadline), the upgrade refused with 401, 403 or 404 (at once, that status
    /// and the server's JSON), the connection lost before the acknowledgement (kind receive: it
    /// may or may not have been published), the server refused it (status 400 and its message,
    /// e.g. "authentication required to publish"), `data` over pubsub_max_data_bytes of JSON
    /// (kind too_large, nothing sent), or `options.cancel` (is_abort()).
    publish_ack publish(const std::string& topic, const json& data,
                                               const request_options& options = {}) const;

    /// @brief Subscribes to `topic`; returns once the server acknowledged it. The handle ends
    /// the subscription when it goes (a discarded one at once). Throws as publish() does.
    [[nodiscard]] subscription subscribe(const std::string& topic, pubsub_callback callback,
                                                                const request_options& options = {}) const;

    /// @brief The same, with each message's data decoded once as a `T` (from_json). A message
    /// that does not decode is skipped and reported to on_error (kind invalid_response).
    template <class T>
    [[nodiscard]] subscription subscribe(const std::string& topic,
                                         std::function<void(const T& data, const pubsub_message& message)> callback,
                                         const request_options& options = {}) const {
        if (!callback) throw std::invalid_argument("bosbase: a pub/sub callback must not be empty");
        return subscribe(
            topic,
            [report = decode_failure_reporter(), callback = std::move(callback)](const pubsub_message& m) {
                std::optional<T> value;
                try {
                    value.emplace(m.data.template get<T>());
                } catch (const std::exception& e) {
                    report(m, e.what());
                    return;
                }
                callback(*value, m);
            },
            options);
    }

    /// @brief The JS SDK's realtimePublish: publishes `{event, payload, ref}`; an empty `ref`
    /// becomes a random one, as there.
    publish_ack realtime_publish(const std::string& topic, const std::string& event,
                                                        const json& payload, std::string ref = {},
                                                        const request_options& options = {}) const;

    /// @brief The JS SDK's realtimeSubscribe: each message as {topic, event, payload, ref, id, created}.
    [[nodiscard]] subscription
    realtime_subscribe(const std::string& topic, std::function<void(const pubsub_realtime_message&)> callback,
                       const request_options& options = {}) const;

    /// @brief Ends every callback of `topic`; "" ends all (the socket then closes unless a publish used it).
    void unsubscribe(const std::string& topic = {}) const;

    /// @brief Ends every subscription and closes the socket; calls waiting fail. Later calls reconnect.
    void disconnect() const;

    /// @brief Runs when a connection has every topic on the server (first and later ones).
    /// Takes `fn(const connection_event&)` or, as before, `fn(const std::string& client_id)`.
    void on_connect(std::function<void(const connection_event&)> fn) const;

    template <class Fn, detail::if_client_id_callback<Fn> = 0>
    void on_connect(Fn fn) const {
        on_connect(detail::from_client_id_callback(std::move(fn)));
    }

    /// @brief Runs, after on_connect, on connections that replace a lost one: resync from
    /// connection_event::missed_since. Takes `fn(const connection_event&)` (pubsub_reconnect is
    /// its earlier name) or `fn(const std::string& client_id)`, as realtime's does.
    void on_reconnect(std::function<void(const connection_event&)> fn) const;

    template <class Fn, detail::if_client_id_callback<Fn> = 0>
    void on_reconnect(Fn fn) const {
        on_reconnect(detail::from_client_id_callback(std::move(fn)));
    }

    /// @brief Runs when a connection that was ready ends, with the reason (pubsub_disconnect is
    /// disconnect_event's earlier name).
    void on_disconnect(std::function<void(const disconnect_event&)> fn) const;

    /// @brief Runs for errors no call waits for: the server's error frames without a
    /// requestId (e.g. "invalid message format"), a resubscribe it refused, frames that are
    /// not JSON or binary (skipped), messages subscribe<T> could not decode, a message over
    /// max_message_bytes (dropped, kind too_large; the connection goes on), a reconnect whose
    /// upgrade was refused with 401, 403 or 404 (that status; retried with backoff).
    void on_error(std::function<void(const ClientResponseError&)> fn) const;

    void set_options(const pubsub_options& options) const;

    bool is_connected() const;

    /// @brief The server's id of the current connection, "" when not connected.
    std::string client_id() const;

    /// @brief The subscribed topics, in the order they were first subscribed.
    std::vector<std::string> topics() const;

private:
    std::shared_ptr<detail::pubsub_state> state() const;

    // Tells on_error of a message subscribe<T> could not decode (the state held weakly).
    std::function<void(const pubsub_message&, const char*)> decode_failure_reporter() const;

    std::shared_ptr<detail::pubsub_state> existing_state() const;

    static std::string random_ref();
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "service.ipp"
#endif

#endif  // BOSBASE_PUBSUB_SERVICE_HPP
