// bosbase-cpp: One client's realtime connection: a small state machine on a background thread.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_STATE_HPP
#define BOSBASE_REALTIME_STATE_HPP

#include "connection.hpp"
#include "events.hpp"
#include "registry.hpp"
#include "../cancel.hpp"
#include "../client_core.hpp"
#include "../stream.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// One client's realtime connection, kept in the client core as an extension.
///
/// The connection is a state machine. `phase_` says where it is; the realtime thread
/// makes every move out of idle, connecting, submitting and backing_off, other threads
/// only the moves marked (caller):
///
///   idle ───────── a topic is subscribed ──────────────────────────────> connecting
///   connecting ─── PB_CONNECT (the thread POSTs the whole set) ─────────> submitting
///   submitting ─── the server accepted the set; on_connect, on_reconnect > subscribed
///   subscribed ─── PB_CONNECT again (a new client id) ──────────────────> submitting
///   connecting, submitting, subscribed:
///       the last topic unsubscribed, disconnect() (caller) ────────────> closing
///       the auth token changed (caller, via the auth store) ───────────> closing
///       the stream ended or failed, or the set was refused ────────────> backing_off
///         (before subscribed, that is a failed attempt: the subscribes
///          waiting for it fail with its error, and on_error hears of a
///          refusal with a new status; after, on_disconnect)
///   closing ────── the stream returned; on_disconnect if it was subscribed ─> connecting
///                  (at once, with the new identity) or idle (no topics left)
///   backing_off ── the delay passed ───> connecting, or idle when no topics are left
///   any ────────── the client core is destroyed (shutdown) ────────────> stopping (final)
///
/// In subscribed, a change of the set is POSTed by the thread that made it, one POST at
/// a time (`posting_`); a subscribe() returns once its topic is in a set the server
/// accepted on the current connection (registry.hpp keeps that per topic). Events are
/// dispatched in connecting, submitting and subscribed.
///
/// One mutex and one condition variable guard all of it; no user callback (event,
/// on_connect, on_disconnect, on_error, hooks of the POST) runs under them. The core is reached
/// through a weak_ptr, locked only for the short subscription POST: the thread keeps
/// its own copies of what the stream needs, so it holds no reference to the core while
/// it blocks in stream(), and the last client handle going away ends the connection.
/// When the core dies on the realtime thread itself (a callback held the last handle,
/// or the POST did), shutdown() detaches the thread, which sees `stopping`, touches
/// nothing of the client, and keeps this object alive through its own shared_ptr.
class realtime_state : public core_extension, public std::enable_shared_from_this<realtime_state> {
    using clock = std::chrono::steady_clock;
    using core_type = client_core;
    using listener_ptr = realtime_registry::listener_ptr;

public:
    enum class phase { idle, connecting, submitting, subscribed, closing, backing_off, stopping };

    /// Made through make() only: the auth store listener needs a weak_ptr to it.
    explicit realtime_state(core_type& core)
        : core_(core.weak_from_this()),
          stream_transport_(copy_transport(core.transport(), "realtime")),
          stream_request_(realtime_stream_request(core.url(), core.target_for("/api/realtime", {}), core.settings())),
          url_(core.url().origin + core.url().prefix + "/api/realtime"),
          post_deadline_(std::min(core.settings().deadline, core.settings().timeout)),
          max_json_depth_(core.settings().max_json_depth),
          rng_(static_cast<std::uint32_t>(clock::now().time_since_epoch().count() ^
                                          reinterpret_cast<std::uintptr_t>(this))) {}

    realtime_state(const realtime_state&) = delete;
    realtime_state& operator=(const realtime_state&) = delete;

    ~realtime_state() override;

    // The server binds a realtime client to the identity of its first subscription and
    // refuses another (403), so every new token means a new connection.
    static std::shared_ptr<realtime_state> make(core_type& core);

    // --- callers -------------------------------------------------------------

    /// Adds `fn` under `key` and returns once the server holds the key on the current
    /// connection. `core` is the caller's (its service keeps it alive meanwhile).
    subscription subscribe(core_type& core, const std::string& key, realtime_callback fn,
                                                  const request_options& options);

    /// Removes one callback. Once it returns (on another thread than the realtime one)
    /// the callback is not running and never runs again, so it may capture locals by
    /// reference. A topic that goes away leaves the server's set with a POST (waiting
    /// for one under way), or with the connection when it was the last.
    void remove(core_type* core, const realtime_listener* l) noexcept;

    /// Every topic whose string + "?" starts with `prefix` (the JS SDK's
    /// unsubscribeByPrefix; its unsubscribe(topic) is prefix = topic + "?"). `reason` is
    /// on_disconnect's when that closes the connection.
    void remove_by_prefix(core_type& core, std::string_view prefix,
                                                 const char* reason = "no subscriptions left") noexcept;

    void set_on_connect(connection_callback fn) { set_callback(on_connect_, std::move(fn)); }
    void set_on_reconnect(connection_callback fn) { set_callback(on_reconnect_, std::move(fn)); }
    void set_on_disconnect(disconnect_callback fn) { set_callback(on_disconnect_, std::move(fn)); }
    void set_on_error(error_callback fn) { set_callback(on_error_, std::move(fn)); }

    void set_options(const realtime_options& o);

    bool is_connected() const;

    std::string client_id() const;

    std::vector<std::string> topics() const;

    /// The client core is going away (its destructor, while it is still whole): stop.
    void shutdown() noexcept override;

private:
    // What a subscribe() waiting for a connection learns from the thread.
    struct waiter {
        std::optional<ClientResponseError> error;  // the attempt it waited for failed
    };

    // The subscription string already carries query and headers; the call takes only
    // what bounds it. Anything else would be silently dropped, so it is refused.
    static void check_subscribe_options(const request_options& o);

    ClientResponseError aborted(const char* when) const;

    ClientResponseError destroyed() const;

    ClientResponseError timed_out(const request_options& options, std::chrono::milliseconds limit) const;

    request_options caller_post_options(const request_options& options, clock::time_point deadline) const;

    void notify();

    template <class Fn>
    void set_callback(std::shared_ptr<const Fn>& slot, Fn fn) {
        auto ptr = fn ? std::make_shared<const Fn>(std::move(fn)) : nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        slot = std::move(ptr);
    }

    bool streaming() const;

    void start_thread_locked();

    // After topics went away. No topics, no connection (like the JS SDK): returns the
    // stream's token, for the caller to cancel once it has unlocked.
    std::optional<cancel_token> topics_removed_locked(const char* reason = "no subscriptions left");

    void on_auth_change(const std::string& token);

    // POSTs the whole set on behalf of every waiter; the lock is held on entry and on
    // every exit. Throws what the request threw.
    void post_set(std::unique_lock<std::mutex>& lock, core_type& core, const request_options& options);

    void end_post(const std::string& client, bool accepted);

    // Our set lost a topic the server may hold. A failure only means its events still
    // arrive and find no callback.
    void post_shrunk_set(std::unique_lock<std::mutex>& lock, core_type& core) noexcept;

    // --- the realtime thread ---------------------------------------------------

    void run() noexcept;

    // Runs on the realtime thread inside stream(), unlocked, without the core; false ends the stream.
    bool on_event(const sse_event& ev, const cancel_token& cancel, realtime_connection_end& end,
                  bool had_connection);

    // PB_CONNECT: take the client id, put the whole set on the server, then tell the app.
    bool on_connected(const sse_event& ev, const cancel_token& cancel, realtime_connection_end& end,
                      bool had_connection);

    bool still_streaming() const;

    void dispatch(const sse_event& ev);

    // Unlocked, on the realtime thread. Names the topic without its `?options=`: the
    // subscription's headers may carry what an error text must not.
    void report_decode_failure(const std::string& topic, const char* what) noexcept;

    // A callback that throws is skipped: the exception is dropped, the stream and the
    // other callbacks go on (as with auth_store listeners).
    template <class Fn, class Arg>
    static void invoke(const Fn& fn, const Arg& arg) noexcept {
        try {
            fn(arg);
        } catch (...) {
        }
    }

    // Fixed at construction: the thread never reaches into the client for them.
    const std::weak_ptr<core_type> core_;
    std::unique_ptr<transport_ops> stream_transport_;  // the thread's own copy (copies share configuration)
    const http_request stream_request_;
    const std::string url_;  // for errors
    const std::chrono::milliseconds post_deadline_;
    const std::size_t max_json_depth_;
    std::minstd_rand rng_;  // the realtime thread's only

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable cv_;
    phase phase_ = phase::idle;
    realtime_registry registry_;
    std::vector<waiter*> waiters_;                // subscribe() calls waiting for a connection
    bool posting_ = false;                        // a POST of the set is under way on this connection
    const realtime_listener* running_ = nullptr;  // the callback the realtime thread is in
    std::string client_id_;
    std::string close_reason_;  // why the SDK is closing the stream (phase closing)
    bool emptied_ = false;      // it is closing because no topics are left
    std::string last_failure_;  // of the last failed attempt, for a subscribe that times out
    std::string token_seen_;
    std::optional<cancel_token> conn_cancel_;  // stops the current stream and its POST
    realtime_options options_;
    std::chrono::system_clock::time_point lost_at_;  // when the last established connection ended
    int last_refusal_status_ = 0;  // reported to on_error; 0 once a connection has its set on the server
    std::shared_ptr<const connection_callback> on_connect_;
    std::shared_ptr<const connection_callback> on_reconnect_;
    std::shared_ptr<const disconnect_callback> on_disconnect_;
    std::shared_ptr<const error_callback> on_error_;
    std::thread worker_;
    std::thread::id worker_id_;  // stays set after shutdown: a detached thread is still this one
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "state.ipp"
#endif

#endif  // BOSBASE_REALTIME_STATE_HPP
