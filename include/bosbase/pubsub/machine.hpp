// bosbase-cpp: The pub/sub connection's machinery: the reader, dispatcher and keeper threads and their state.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_MACHINE_HPP
#define BOSBASE_PUBSUB_MACHINE_HPP

#include "events.hpp"
#include "protocol.hpp"
#include "../cancel.hpp"
#include "../detail/request.hpp"
#include "../errors.hpp"
#include "../websocket.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// Between reconnect_delay and max_reconnect_delay: the n-th delay is drawn from
/// [b/2, b] with b = reconnect_delay * 2^n capped, and never below reconnect_delay,
/// so a server that drops every connection at once cannot make the SDK spin.
BOSBASE_DECL std::chrono::milliseconds pubsub_backoff(std::size_t attempt, const pubsub_options& o, std::minstd_rand& rng);

/// One client's pub/sub connection (pubsub_state adds the calls and ties it to the client).
/// Not a template: it reaches the transport and the auth token through two functions.
///
///   idle ──────── a subscribe or publish wants the socket ──────────> connecting
///   connecting ── the upgrade succeeded and `ready` came ───────────> ready (every topic resubscribed)
///   connecting, ready:
///       the SDK ends the socket (any reason below) ────────────────> closing
///       the socket failed or closed, no `ready` in connect_timeout ─> backing_off
///       the upgrade refused with 401, 403 or 404 ──────────────────> backing_off (waiting calls fail)
///   closing ────── the reader saw the socket end ───────────────────> then as follows:
///       the auth token changed, or a call came for a socket closed for want of use ─> connecting (at once)
///       the callback queue overflowed, no `ready` in connect_timeout ─> backing_off
///       disconnect(), or the last topic ended and no publish used it ──> idle
///   backing_off ── the delay passed ──> connecting, or idle when nothing wants the socket
///   any ───────── the client core is destroyed ─────────────────────> stopping (final)
///
/// `closing` is what makes a call right after the last unsubscribe safe: the socket being
/// shut down is never `ready` again, so nothing is sent on it; the call waits for the next.
///
/// The reader thread owns the socket: it connects, reads, and answers frames; it never
/// runs user code. Callbacks run on the dispatcher thread from a bounded queue, so a
/// slow one never stalls reading (and so acknowledgements). The keeper thread pings
/// and ends a connection that sends no `ready` in time. One mutex guards the state; a
/// frame takes a ticket under it and goes out in ticket order without it, so frames leave
/// in the order the state decided them and a stalled socket blocks no one else; no
/// callback runs under a lock of the SDK.
class pubsub_machine {
protected:
    using clock = std::chrono::steady_clock;

public:
    enum class phase { idle, connecting, ready, closing, backing_off, stopping };
    using connector = std::function<std::unique_ptr<websocket_connection>(const websocket_request&)>;
    /// The current token; nullopt once the client is gone.
    using token_source = std::function<std::optional<std::string>()>;

    struct listener {
        listener(std::string t, pubsub_callback f) : topic(std::move(t)), fn(std::move(f)) {}
        const std::string topic;
        const pubsub_callback fn;
        bool removed = false;  // guarded by mutex_
    };
    using listener_ptr = std::shared_ptr<listener>;

    pubsub_machine(const parsed_base_url& base, header_list headers, std::size_t max_json_depth, connector connect,
                   token_source token)
        : connect_(std::move(connect)),
          token_(std::move(token)),
          headers_(std::move(headers)),
          base_(base),
          url_(base.origin + base.prefix + "/api/pubsub"),
          max_json_depth_(max_json_depth),
          rng_(static_cast<std::uint32_t>(clock::now().time_since_epoch().count() ^
                                          reinterpret_cast<std::uintptr_t>(this))) {}

    pubsub_machine(const pubsub_machine&) = delete;
    pubsub_machine& operator=(const pubsub_machine&) = delete;
    virtual ~pubsub_machine();

    template <class Fn>
    void set_callback(std::shared_ptr<const Fn>& slot, Fn fn) {
        auto ptr = fn ? std::make_shared<const Fn>(std::move(fn)) : nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        slot = std::move(ptr);
    }

    void set_options(const pubsub_options& o);

    bool is_connected() const;

    std::string client_id() const;

    std::vector<std::string> topics() const;

    /// Stops the threads for good (the client core is going away).
    void stop() noexcept;

    /// subscribe<T> could not decode a message: on_error hears of it.
    void report_decode_failure(const pubsub_message& m, const std::string& what);

    std::shared_ptr<const connection_callback> on_connect_;
    std::shared_ptr<const connection_callback> on_reconnect_;
    std::shared_ptr<const disconnect_callback> on_disconnect_;
    std::shared_ptr<const error_callback> on_error_;

protected:
    struct pending {
        std::optional<pubsub_frame> reply;
        std::optional<ClientResponseError> error;
    };

    struct topic_entry {
        std::string name;
        std::vector<listener_ptr> listeners;
        std::string request;  // the subscribe in flight on this connection
        bool confirmed;       // acknowledged on this connection
        std::optional<ClientResponseError> failed;
    };

    struct job {
        std::optional<pubsub_message> message;
        std::function<void()> event;
    };

    ClientResponseError error(error_kind kind, const std::string& text) const;
    ClientResponseError aborted(const char* when) const;
    ClientResponseError destroyed() const;
    // The socket has no status; a refusal is reported with the one the HTTP API uses for refused input.
    ClientResponseError refused(const std::string& message) const;

    void notify();

    std::string next_id() { return "cpp" + std::to_string(++request_seq_); }

    topic_entry* find(const std::string& name);

    bool wanted() const { return keep_open_ || !topics_.empty(); }

    // Sends one frame on the current connection, in the order the state decided it (lock
    // held on entry and exit, released while the frame waits for its turn and goes out).
    void send_locked(std::unique_lock<std::mutex>& lock, const std::string& frame);

    // Frames leave in the order their tickets were taken under mutex_, one sender at a
    // time, and nobody holds mutex_ meanwhile: a socket that does not drain holds up
    // only the frames behind it, never the reader, the callbacks or is_connected().
    void send_in_turn(std::uint64_t ticket, websocket_connection* conn, const std::vector<std::string>& frames);

    // Ends the current connection (lock held on entry and exit). `again`: connect anew at once.
    void close_locked(std::unique_lock<std::mutex>& lock, const std::string& reason, bool again,
                      error_kind kind = error_kind::none);

    void enqueue_locked(job j);

    template <class Fn, class Arg>
    void enqueue_event_locked(const std::shared_ptr<const Fn>& fn, Arg arg) {
        if (fn) enqueue_locked(job{std::nullopt, [fn, arg = std::move(arg)] { (*fn)(arg); }});
    }

    // --- the reader thread -------------------------------------------------------

    void run() noexcept;

    void read_loop(websocket_connection& conn, const pubsub_options& opts, std::string& reason, error_kind& kind,
                   bool& was_ready);

    void report(ClientResponseError e);

    // False when the connection must end (the queue overflowed).
    bool on_frame(websocket_connection& conn, pubsub_frame f, const pubsub_options& opts, bool& was_ready);

    // A final refusal of the upgrade (401, 403, 404): the calls waiting for a socket end with it
    // at once (wait_ready); a publish no longer holds the socket open, so nothing retries for it.
    // Subscriptions that live on keep retrying with backoff; on_error hears of each new status.
    void refused_locked(ClientResponseError e);

    topic_entry* by_request(const std::string& id);

    // on_connect (and on_reconnect) once every topic is back on the server: a resync
    // started then misses nothing that arrives later.
    void maybe_announce_locked();

    void after_connection_locked(const std::string& reason, error_kind kind, bool was_ready);

    // --- the dispatcher thread -----------------------------------------------------

    void dispatch_loop() noexcept;

    // A callback that throws is skipped, as with realtime; the queue goes on.
    template <class Fn>
    static void invoke(Fn&& fn) noexcept {
        try {
            fn();
        } catch (...) {
        }
    }

    // --- the keeper thread: pings and the `ready` deadline ---------------------------

    void keep_loop() noexcept;

    const connector connect_;   // the reader's only
    const token_source token_;
    const header_list headers_;
    const parsed_base_url base_;
    const std::string url_;  // for errors: never with the token
    const std::size_t max_json_depth_;
    std::minstd_rand rng_;  // the reader's only
    mutable std::mutex mutex_;  // guards everything below
    std::mutex send_mutex_;     // guards send_serving_
    std::condition_variable send_cv_;
    std::uint64_t send_serving_ = 0;  // the ticket whose frames go out now
    std::uint64_t send_tickets_ = 0;  // guarded by mutex_: the next ticket
    std::condition_variable cv_;
    phase phase_ = phase::idle;
    pubsub_options options_;
    std::vector<topic_entry> topics_;  // first-subscribe order: resubscribed in it
    std::map<std::string, pending*> pending_;  // publishes waiting, by requestId
    std::shared_ptr<websocket_connection> conn_;
    std::optional<cancel_token> conn_cancel_;  // stops a connect in progress
    std::string client_id_;
    std::string close_reason_;  // why the SDK ends the connection
    error_kind close_kind_ = error_kind::none;
    std::string last_failure_;  // of the last failed attempt, for a caller that times out
    std::string token_seen_;
    std::string last_created_;  // of the last message queued for the callbacks
    std::chrono::system_clock::time_point disconnected_at_;
    clock::time_point ready_deadline_;
    clock::time_point next_ping_;
    std::deque<job> queue_;
    std::size_t queued_messages_ = 0;
    const listener* running_ = nullptr;  // the callback the dispatcher is in
    std::uint64_t request_seq_ = 0;
    bool keep_open_ = false;  // a publish used the socket: it stays until disconnect()
    bool reconnect_now_ = false;
    bool close_idle_ = false;  // the socket is closing because nothing wanted it
    std::optional<ClientResponseError> refusal_;  // the last final refusal of the upgrade
    std::uint64_t refusal_seq_ = 0;               // counts them: a waiting call fails on a new one
    int last_refusal_status_ = 0;                 // reported to on_error; 0 once a socket is ready
    pubsub_recent_ids delivered_;                 // for the machine's lifetime, reconnects included
    bool had_ready_ = false;  // a connection was ready before: the next one is a reconnect
    bool announce_pending_ = false;
    bool threads_started_ = false;
    std::thread reader_;
    std::thread dispatcher_;
    std::thread keeper_;
    std::thread::id dispatcher_id_;
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "machine.ipp"
#endif

#endif  // BOSBASE_PUBSUB_MACHINE_HPP
