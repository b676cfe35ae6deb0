// bosbase-cpp: One client's pub/sub WebSocket: the calls, on the machinery of machine.hpp.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_STATE_HPP
#define BOSBASE_PUBSUB_STATE_HPP

#include "machine.hpp"
#include "../client_core.hpp"
#include "../realtime/events.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// One client's pub/sub connection, kept in the client core as an extension: what the
/// service calls, and the link to the client (its transport, its auth token).
class pubsub_state : public pubsub_machine,
                     public core_extension,
                     public std::enable_shared_from_this<pubsub_state> {
    using core_type = client_core;

public:
    explicit pubsub_state(core_type& core)
        : pubsub_machine(
              core.url(), core.settings().headers, core.settings().max_json_depth,
              [transport = std::shared_ptr<transport_ops>(copy_transport(core.transport(), "pub/sub"))](
                  const websocket_request& req) -> std::unique_ptr<websocket_connection> {
                  return transport->connect_websocket(req);
              },
              [weak = core.weak_from_this()]() -> std::optional<std::string> {
                  const auto core = weak.lock();
                  if (!core) return std::nullopt;
                  return core->store().token();
              }) {}

    static std::shared_ptr<pubsub_state> make(core_type& core);

    // --- callers ---------------------------------------------------------------

    publish_ack publish(const std::string& topic, const json& data,
                                               const request_options& options);

    /// Returns once the server acknowledged the topic on the current connection.
    subscription subscribe(const std::string& topic, pubsub_callback fn,
                                                  const request_options& options);

    /// Once it returns (off the dispatcher thread) the callback is not running and never runs again.
    void remove(const listener* l) noexcept;

    /// Every callback of `topic` ("" for all topics).
    void unsubscribe(const std::string& topic) noexcept;

    /// Ends every subscription and closes the socket; pending calls fail. The next call opens a new one.
    void disconnect() noexcept;

    void shutdown() noexcept override { stop(); }

private:
    // One caller's limits: the options of the moment, its tokens and its deadline.
    struct call {
        call(pubsub_state& s, const request_options& o);
        bool canceled() const;
        ClientResponseError late(clock::time_point limit, const std::string& what,
                                 std::chrono::milliseconds stage) const;
        pubsub_state& state;
        pubsub_options opts;
        const cancel_token* tokens[2] = {nullptr, nullptr};
        cancel_token::registration wake[2];  // before the lock, so released after it
        clock::time_point deadline;
        bool has_deadline;
    };

    [[noreturn]] void fail_pending(std::unique_lock<std::mutex>&, const std::string& id, ClientResponseError e);

    void start_threads_locked();

    // Waits (lock held) for a ready connection within connect_timeout and the caller's deadline.
    // A final refusal of the upgrade (401, 403, 404) ends the wait at once with its status.
    void wait_ready(std::unique_lock<std::mutex>& lock, const call& c);

    void drop_locked(std::unique_lock<std::mutex>& lock, const listener* l, std::vector<listener_ptr>& dropped,
                     const char* reason = "no subscriptions left");

    void on_auth_change(const std::string& token);
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "state.ipp"
#endif

#endif  // BOSBASE_PUBSUB_STATE_HPP
