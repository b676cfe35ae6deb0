// bosbase-cpp: realtime_service: pb.realtime(), subscriptions over server-sent events.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_SERVICE_HPP
#define BOSBASE_REALTIME_SERVICE_HPP

#include "events.hpp"
#include "registry.hpp"
#include "../services/records.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <string_view>

namespace bosbase {

namespace detail {
class realtime_state;  // the connection's state and thread, defined with the definitions
}  // namespace detail

/// @brief Realtime subscriptions over one SSE connection per client (pb.realtime()).
///
/// The connection lives on a background thread that the client owns: it opens on
/// the first subscribe(), reconnects by itself after any loss (server restart,
/// the server's 5-minute idle close, network failure) with exponential backoff
/// and jitter, resubmits every subscription after each reconnect and after every
/// change of the auth token, and closes when the last subscription ends.
/// Callbacks run on that thread, never under the client's locks; one that throws
/// is skipped (the exception is dropped) and the stream goes on. Inside a callback
/// you may subscribe, unsubscribe and make calls; do not block it for long (events
/// wait meanwhile). A callback that captures the client or a service keeps the
/// client alive until it is unsubscribed.
class realtime_service : public detail::service_base {
    using detail::service_base::core;

public:
    explicit realtime_service(std::shared_ptr<detail::client_core> core)
        : detail::service_base(std::move(core)) {}

    /// @brief Subscribes to a topic ("posts/*", "posts/RECORD_ID" or a custom topic).
    /// Returns once the server holds the subscription; the handle ends it when it goes
    /// (so a discarded one unsubscribes at once). Throws ClientResponseError when
    /// it cannot: no confirmed subscription within realtime_options::subscribe_timeout
    /// (or `options.deadline`), the server refused the set, or `options.cancel` was
    /// cancelled (is_abort()); then nothing of the subscription is left behind.
    /// The options' filter, expand, fields, query and headers are the subscription's, sent
    /// as `?options=` (like the JS SDK; the subscription string, and so the event's topic,
    /// includes them); cancel, timeout and deadline bound the call. std::invalid_argument for
    /// a bad topic or callback, and for sort or skip_total (nothing to a subscription).
    [[nodiscard]] subscription subscribe(const std::string& topic, realtime_callback callback,
                                                  const request_options& options = {}) const;

    /// @brief The earlier spelling, still taken: the subscription's options apart, and
    /// `options` then only bounds the call. A template only so that `subscribe(topic, cb, {})`
    /// means the overload above.
    template <class Options, std::enable_if_t<std::is_same_v<Options, subscribe_options>, int> = 0>
    [[nodiscard]] subscription subscribe(const std::string& topic, realtime_callback callback,
                                         const Options& subscription_options, const request_options& options = {}) const {
        return subscribe_key(detail::realtime_topic_key(topic, subscription_options), std::move(callback), options);
    }

    /// @brief The same, with each event's record decoded once as a `T` (from_json): the record
    /// for record topics, the whole data for custom topics (no record). An event that does not
    /// decode is skipped and reported to on_error (kind invalid_response), as pub/sub's subscribe<T>.
    template <class T>
    [[nodiscard]] subscription subscribe(const std::string& topic,
                                         std::function<void(const T& value, const realtime_event& event)> callback,
                                         const request_options& options = {}) const {
        if (!callback) throw std::invalid_argument("bosbase: a realtime callback must not be empty");
        return subscribe(
            topic,
            [callback = std::move(callback)](const realtime_event& e) {
                std::optional<T> value;
                try {
                    value.emplace((e.record.is_null() ? e.data : e.record).template get<T>());
                } catch (const std::exception& ex) {
                    throw detail::realtime_decode_error(ex.what());
                }
                callback(*value, e);
            },
            options);
    }

    /// @brief Ends every callback of `topic` (with any options), like the JS SDK's unsubscribe(topic);
    /// "" ends all (the connection then closes).
    void unsubscribe(std::string_view topic = {}) const;

    /// @brief Ends every subscription whose string (+ "?") starts with `prefix`.
    void unsubscribe_by_prefix(std::string_view prefix) const;

    /// @brief Ends every subscription and closes the connection (on_disconnect says "disconnect()
    /// was called"); a subscribe() waiting meanwhile returns an inactive handle. The next
    /// subscribe() connects again. As pub/sub's disconnect().
    void disconnect() const;

    /// @brief The earlier name of disconnect().
    void unsubscribe_all() const { disconnect(); }

    /// @brief Runs on every connection whose subscriptions are on the server (first and later ones).
    /// Takes `fn(const connection_event&)` or, as before, `fn(const std::string& client_id)`.
    void on_connect(std::function<void(const connection_event&)> fn) const;

    template <class Fn, detail::if_client_id_callback<Fn> = 0>
    void on_connect(Fn fn) const {
        on_connect(detail::from_client_id_callback(std::move(fn)));
    }

    /// @brief Runs, after on_connect, on connections that replace a lost one: events may have been
    /// missed, resync now. Takes the same two shapes as on_connect.
    void on_reconnect(std::function<void(const connection_event&)> fn) const;

    template <class Fn, detail::if_client_id_callback<Fn> = 0>
    void on_reconnect(Fn fn) const {
        on_reconnect(detail::from_client_id_callback(std::move(fn)));
    }

    /// @brief Runs when an established connection ends, with the reason (realtime_disconnect is
    /// disconnect_event's earlier name).
    void on_disconnect(std::function<void(const disconnect_event&)> fn) const;

    /// @brief Runs for errors no call waits for: an event subscribe<T> or pb.collection<T>()
    /// could not decode (skipped; kind invalid_response), and a connection attempt the server
    /// refused with a status (the stream's GET, or the subscription set POSTed on a new
    /// connection, e.g. 403 after a change of identity), once per new status until a connection
    /// succeeds; the SDK retries with backoff. A subscribe() waiting for that attempt throws the
    /// same error. Network failures are retried without a report; a lost connection goes to
    /// on_disconnect.
    void on_error(std::function<void(const ClientResponseError&)> fn) const;

    /// @brief Reconnect delays, idle timeout, subscribe timeout and event size cap.
    void set_options(const realtime_options& options) const;

    bool is_connected() const;

    /// @brief The server's id of the current connection, "" when not connected.
    std::string client_id() const;

    /// @brief The subscription strings, in the order they were first subscribed.
    std::vector<std::string> topics() const;

private:
    // The client's realtime state, made (and its thread prepared) on first use.
    std::shared_ptr<detail::realtime_state> state() const;

    subscription subscribe_key(const std::string& key, realtime_callback callback,
                               const request_options& options) const;

    std::shared_ptr<detail::realtime_state> existing_state() const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "service.ipp"
#endif

#endif  // BOSBASE_REALTIME_SERVICE_HPP
