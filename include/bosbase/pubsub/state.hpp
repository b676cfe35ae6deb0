// bosbase-cpp: One client's pub/sub WebSocket: a state machine on a reader, a dispatcher and a keeper thread.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_STATE_HPP
#define BOSBASE_PUBSUB_STATE_HPP

#include "events.hpp"
#include "protocol.hpp"
#include "../cancel.hpp"
#include "../client_core.hpp"
#include "../errors.hpp"
#include "../realtime/events.hpp"
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

using pubsub_callback = std::function<void(const pubsub_message&)>;

namespace detail {

/// Between reconnect_delay and max_reconnect_delay: the n-th delay is drawn from
/// [b/2, b] with b = reconnect_delay * 2^n capped, and never below reconnect_delay,
/// so a server that drops every connection at once cannot make the SDK spin.
inline std::chrono::milliseconds pubsub_backoff(std::size_t attempt, const pubsub_options& o, std::minstd_rand& rng) {
    const std::int64_t floor = o.reconnect_delay.count();
    const std::int64_t cap = std::max(floor, static_cast<std::int64_t>(o.max_reconnect_delay.count()));
    std::int64_t base = floor;
    for (std::size_t i = 0; i < attempt && base < cap; ++i) base = std::min(cap, base * 2);
    std::uniform_int_distribution<std::int64_t> pick(base / 2, base);
    return std::chrono::milliseconds(std::max(floor, pick(rng)));
}

/// One client's pub/sub connection, kept in the client core as an extension.
///
///   idle ──────── a subscribe or publish wants the socket ──────────> connecting
///   connecting ── the upgrade succeeded and `ready` came ───────────> ready (every topic resubscribed)
///   connecting, ready:
///       the socket failed or closed, no `ready` in connect_timeout ─> backing_off
///       the auth token changed (caller) ──────────────────────────> connecting (at once, new identity)
///       the callback queue overflowed ─────────────────────────────> backing_off
///       disconnect(), or the last topic ended and no publish used it (caller) ──> idle
///   backing_off ── the delay passed ──> connecting, or idle when nothing wants the socket
///   any ───────── the client core is destroyed ─────────────────────> stopping (final)
///
/// The reader thread owns the socket: it connects, reads, and answers frames; it never
/// runs user code. Callbacks run on the dispatcher thread from a bounded queue, so a
/// slow one never stalls reading (and so acknowledgements). The keeper thread pings
/// and ends a connection that sends no `ready` in time. One mutex guards the state;
/// sends are serialised by a second one, taken while the first is still held so frames
/// leave in the order the state decided them, and no callback runs under either.
template <class Transport>
class pubsub_state : public core_extension, public std::enable_shared_from_this<pubsub_state<Transport>> {
    using clock = std::chrono::steady_clock;
    using core_type = client_core<Transport>;

public:
    enum class phase { idle, connecting, ready, backing_off, stopping };

    struct listener {
        listener(std::string t, pubsub_callback f) : topic(std::move(t)), fn(std::move(f)) {}
        const std::string topic;
        const pubsub_callback fn;
        bool removed = false;  // guarded by mutex_
    };
    using listener_ptr = std::shared_ptr<listener>;

    BOSBASE_SPLIT_NOINLINE explicit pubsub_state(core_type& core)
        : core_(core.weak_from_this()),
          transport_(core.transport()),
          headers_(core.settings().headers),
          base_(core.url()),
          url_(core.url().origin + core.url().prefix + "/api/pubsub"),
          max_json_depth_(core.settings().max_json_depth),
          rng_(static_cast<std::uint32_t>(clock::now().time_since_epoch().count() ^
                                          reinterpret_cast<std::uintptr_t>(this))) {}

    pubsub_state(const pubsub_state&) = delete;
    pubsub_state& operator=(const pubsub_state&) = delete;
    ~pubsub_state() override {
        for (auto* t : {&reader_, &dispatcher_, &keeper_}) {
            if (t->joinable()) t->detach();  // shutdown() has run; this only keeps ~thread quiet
        }
    }

    BOSBASE_SPLIT_NOINLINE static std::shared_ptr<pubsub_state> make(core_type& core) {
        auto made = std::make_shared<pubsub_state>(core);
        std::weak_ptr<pubsub_state> weak = made;
        core.store().on_change(
            [weak](const std::string& token, const json&) {
                if (auto self = weak.lock()) self->on_auth_change(token);
            },
            true);
        return made;
    }

    // --- callers ---------------------------------------------------------------

    BOSBASE_SPLIT_NOINLINE publish_ack publish(const std::string& topic, const json& data,
                                               const request_options& options) {
        check_pubsub_topic(topic);
        std::string body;
        try {
            body = data.dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: pub/sub data must be valid UTF-8");
        }
        call c(*this, options);
        if (body.size() > c.opts.max_message_bytes) {
            throw error(error_kind::too_large, "the message data is " + std::to_string(body.size()) +
                                                   " bytes of JSON; max_message_bytes is " +
                                                   std::to_string(c.opts.max_message_bytes));
        }
        std::unique_lock<std::mutex> lock(mutex_);
        keep_open_ = true;
        wait_ready(lock, c);
        pending p;
        const std::string id = next_id();
        pending_[id] = &p;
        const std::string frame = pubsub_request_frame("publish", &topic, id, &body);
        send_locked(lock, frame);
        const auto ack_deadline = std::min(c.deadline, clock::now() + c.opts.ack_timeout);
        while (!p.reply && !p.error) {
            if (phase_ == phase::stopping) fail_pending(lock, id, destroyed());
            if (c.canceled()) fail_pending(lock, id, aborted("while it waited for the acknowledgement"));
            if (clock::now() >= ack_deadline) {
                fail_pending(lock, id, c.late(ack_deadline, "no acknowledgement of the publish", c.opts.ack_timeout));
            }
            cv_.wait_until(lock, ack_deadline);
        }
        pending_.erase(id);
        if (p.error) throw *p.error;
        return publish_ack{p.reply->id, p.reply->topic.empty() ? topic : p.reply->topic, p.reply->created};
    }

    /// Returns once the server acknowledged the topic on the current connection.
    BOSBASE_SPLIT_NOINLINE subscription subscribe(const std::string& topic, pubsub_callback fn,
                                                  const request_options& options) {
        check_pubsub_topic(topic);
        if (!fn) throw std::invalid_argument("bosbase: a pub/sub callback must not be empty");
        call c(*this, options);
        // Before the lock, so destroyed after it: a callback's captures may own the client.
        std::vector<listener_ptr> dropped;
        auto l = std::make_shared<listener>(topic, std::move(fn));
        std::unique_lock<std::mutex> lock(mutex_);
        if (phase_ == phase::stopping) throw destroyed();
        topic_entry* t = find(topic);
        if (!t) {
            topics_.push_back(topic_entry{topic, {}, {}, false, std::nullopt});
            t = &topics_.back();
        }
        t->listeners.push_back(l);
        try {
            wait_ready(lock, c);
            std::optional<clock::time_point> ack_deadline;
            while (!l->removed) {
                t = find(topic);
                if (!t || t->confirmed) break;
                if (t->failed) throw *t->failed;
                if (phase_ == phase::ready && t->request.empty()) {
                    t->request = next_id();
                    send_locked(lock, pubsub_request_frame("subscribe", &topic, t->request));
                    continue;
                }
                if (phase_ == phase::ready && !ack_deadline) {
                    ack_deadline = std::min(c.deadline, clock::now() + c.opts.ack_timeout);
                }
                if (phase_ != phase::ready) wait_ready(lock, c);  // lost meanwhile: the reader resubscribes
                if (phase_ == phase::stopping) throw destroyed();
                if (c.canceled()) throw aborted("while it waited for the acknowledgement");
                if (ack_deadline && clock::now() >= *ack_deadline) {
                    throw c.late(*ack_deadline, "no acknowledgement of the subscribe", c.opts.ack_timeout);
                }
                cv_.wait_until(lock, ack_deadline.value_or(c.deadline));
            }
        } catch (...) {
            drop_locked(lock, l.get(), dropped);
            throw;
        }
        lock.unlock();
        std::weak_ptr<pubsub_state> self = this->shared_from_this();
        return subscription(topic, [self, weak_l = std::weak_ptr<listener>(l)] {
            const auto state = self.lock();
            const auto target = weak_l.lock();
            if (state && target) state->remove(target.get());
        });
    }

    /// Once it returns (off the dispatcher thread) the callback is not running and never runs again.
    BOSBASE_SPLIT_NOINLINE void remove(const listener* l) noexcept {
        std::vector<listener_ptr> dropped;  // destroyed unlocked: a callback's captures may own the client
        std::unique_lock<std::mutex> lock(mutex_);
        drop_locked(lock, l, dropped);
    }

    /// Every callback of `topic` ("" for all topics).
    BOSBASE_SPLIT_NOINLINE void unsubscribe(const std::string& topic) noexcept {
        std::vector<listener_ptr> dropped;
        std::unique_lock<std::mutex> lock(mutex_);
        std::vector<listener_ptr> targets;
        for (auto& t : topics_) {
            if (topic.empty() || t.name == topic) targets.insert(targets.end(), t.listeners.begin(), t.listeners.end());
        }
        for (auto& l : targets) drop_locked(lock, l.get(), dropped);
    }

    /// Ends every subscription and closes the socket; pending calls fail. The next call opens a new one.
    BOSBASE_SPLIT_NOINLINE void disconnect() noexcept {
        std::vector<listener_ptr> dropped;
        std::unique_lock<std::mutex> lock(mutex_);
        keep_open_ = false;
        std::vector<listener_ptr> targets;
        for (auto& t : topics_) targets.insert(targets.end(), t.listeners.begin(), t.listeners.end());
        for (auto& l : targets) drop_locked(lock, l.get(), dropped);
        close_locked(lock, "disconnect() was called", false);
    }

    template <class Fn>
    void set_callback(std::shared_ptr<const Fn>& slot, Fn fn) {
        auto ptr = fn ? std::make_shared<const Fn>(std::move(fn)) : nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        slot = std::move(ptr);
    }

    BOSBASE_SPLIT_NOINLINE void set_options(const pubsub_options& o) {
        if (o.max_message_bytes == 0 || o.max_queued_messages == 0 || o.connect_timeout.count() <= 0 ||
            o.ack_timeout.count() <= 0 || o.reconnect_delay.count() <= 0 || o.max_reconnect_delay.count() < 0 ||
            o.ping_interval.count() <= 0) {
            throw std::invalid_argument(
                "bosbase: pubsub_options: timeouts, reconnect_delay, ping_interval and the limits must be positive");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        options_ = o;
    }

    BOSBASE_SPLIT_NOINLINE bool is_connected() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return phase_ == phase::ready;
    }

    BOSBASE_SPLIT_NOINLINE std::string client_id() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return phase_ == phase::ready ? client_id_ : std::string();
    }

    BOSBASE_SPLIT_NOINLINE std::vector<std::string> topics() const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> out;
        for (const auto& t : topics_) out.push_back(t.name);
        return out;
    }

    BOSBASE_SPLIT_NOINLINE void shutdown() noexcept override {
        std::vector<std::thread> threads;
        std::shared_ptr<websocket_connection> conn;
        std::optional<cancel_token> cancel;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            phase_ = phase::stopping;
            conn = conn_;
            cancel = conn_cancel_;
            for (auto* t : {&reader_, &dispatcher_, &keeper_}) threads.push_back(std::move(*t));
        }
        cv_.notify_all();
        if (conn) conn->shutdown();
        if (cancel) cancel->cancel();
        for (auto& t : threads) {
            if (!t.joinable()) continue;
            // The last client handle may go inside a callback (dispatcher) or while the
            // reader reads the token: that thread cannot join itself; it sees `stopping`.
            if (t.get_id() == std::this_thread::get_id()) {
                t.detach();
            } else {
                t.join();
            }
        }
    }

    /// subscribe<T> could not decode a message: on_error hears of it.
    void report_decode_failure(const pubsub_message& m, const std::string& what) {
        report(error(error_kind::invalid_response,
                     "a pub/sub message on " + m.topic + " does not fit the requested type: " + what));
    }

    std::shared_ptr<const std::function<void(const std::string&)>> on_connect_;
    std::shared_ptr<const std::function<void(const pubsub_reconnect&)>> on_reconnect_;
    std::shared_ptr<const std::function<void(const pubsub_disconnect&)>> on_disconnect_;
    std::shared_ptr<const std::function<void(const ClientResponseError&)>> on_error_;

private:
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

    // One caller's limits: the options of the moment, its tokens and its deadline.
    struct call {
        call(pubsub_state& s, const request_options& o) : state(s), has_deadline(o.deadline.has_value()) {
            {
                std::lock_guard<std::mutex> lock(s.mutex_);
                opts = s.options_;
            }
            tokens[0] = o.cancel ? &*o.cancel : nullptr;
            tokens[1] = current_job_cancel();
            if (canceled()) throw s.aborted("before it started");
            deadline = o.deadline ? clock::now() + *o.deadline : clock::time_point::max();
            for (int i = 0; i < 2; ++i) {
                if (tokens[i]) wake[i] = tokens[i]->on_cancel([&s] { s.notify(); });
            }
        }
        bool canceled() const {
            return (tokens[0] && tokens[0]->is_canceled()) || (tokens[1] && tokens[1]->is_canceled());
        }
        ClientResponseError late(clock::time_point limit, const std::string& what,
                                 std::chrono::milliseconds stage) const {
            const bool caller = has_deadline && limit == deadline;
            return state.error(caller ? error_kind::deadline : error_kind::timeout,
                               what + " within " + (caller ? "its deadline" : std::to_string(stage.count()) + " ms") +
                                   (state.last_failure_.empty() ? "" : "; last attempt: " + state.last_failure_));
        }
        pubsub_state& state;
        pubsub_options opts;
        const cancel_token* tokens[2] = {nullptr, nullptr};
        cancel_token::registration wake[2];  // before the lock, so released after it
        clock::time_point deadline;
        bool has_deadline;
    };

    ClientResponseError error(error_kind kind, const std::string& text) const {
        return ClientResponseError(url_, 0, json::object(), kind, text);
    }
    ClientResponseError aborted(const char* when) const {
        return error(error_kind::canceled, std::string("the pub/sub call was cancelled ") + when);
    }
    ClientResponseError destroyed() const {
        return error(error_kind::canceled, "the client was destroyed while the pub/sub call waited");
    }
    // The socket has no status; a refusal is reported with the one the HTTP API uses for refused input.
    ClientResponseError refused(const std::string& message) const {
        const std::string text = message.empty() ? "pubsub error" : message;
        return ClientResponseError(url_, 400, json{{"status", 400}, {"message", text}, {"data", json::object()}});
    }

    [[noreturn]] void fail_pending(std::unique_lock<std::mutex>&, const std::string& id, ClientResponseError e) {
        pending_.erase(id);
        throw e;
    }

    void notify() {
        { std::lock_guard<std::mutex> lock(mutex_); }  // a waiter is either before its check or in wait()
        cv_.notify_all();
    }

    std::string next_id() { return "cpp" + std::to_string(++request_seq_); }

    topic_entry* find(const std::string& name) {
        for (auto& t : topics_) {
            if (t.name == name) return &t;
        }
        return nullptr;
    }

    bool wanted() const { return keep_open_ || !topics_.empty(); }

    void start_threads_locked() {
        if (reader_.joinable() || phase_ == phase::stopping || threads_started_) return;
        threads_started_ = true;
        auto self = this->shared_from_this();
        reader_ = std::thread([self] { self->run(); });
        dispatcher_ = std::thread([self] { self->dispatch_loop(); });
        keeper_ = std::thread([self] { self->keep_loop(); });
    }

    // Waits (lock held) for a ready connection within connect_timeout and the caller's deadline.
    void wait_ready(std::unique_lock<std::mutex>& lock, const call& c) {
        start_threads_locked();
        cv_.notify_all();
        const auto limit = std::min(c.deadline, clock::now() + c.opts.connect_timeout);
        while (phase_ != phase::ready) {
            if (phase_ == phase::stopping) throw destroyed();
            if (c.canceled()) throw aborted("while it waited for the connection");
            if (clock::now() >= limit) throw c.late(limit, "no pub/sub connection", c.opts.connect_timeout);
            cv_.wait_until(lock, limit);
        }
    }

    // Sends one frame on the current connection, in the order the state decided it.
    void send_locked(std::unique_lock<std::mutex>& lock, const std::string& frame) {
        auto conn = conn_;
        std::unique_lock<std::mutex> sending(send_mutex_);
        lock.unlock();
        bool sent = false;
        try {
            sent = conn && conn->send_text(frame);
        } catch (...) {
            // A transport that throws here has lost the socket as surely as one returning false.
        }
        sending.unlock();
        if (!sent && conn) conn->shutdown();  // the reader notices and fails what waits
        lock.lock();
    }

    void drop_locked(std::unique_lock<std::mutex>& lock, const listener* l, std::vector<listener_ptr>& dropped) {
        if (!l || l->removed) return;
        topic_entry* t = find(l->topic);
        if (!t) return;
        auto& ls = t->listeners;
        auto it = std::find_if(ls.begin(), ls.end(), [&](const listener_ptr& p) { return p.get() == l; });
        if (it == ls.end()) return;
        (*it)->removed = true;
        dropped.push_back(std::move(*it));
        ls.erase(it);
        if (std::this_thread::get_id() != dispatcher_id_) cv_.wait(lock, [&] { return running_ != l; });
        t = find(l->topic);
        if (!t || !t->listeners.empty()) return;
        const bool held = t->confirmed || !t->request.empty();
        const std::string name = t->name;
        topics_.erase(topics_.begin() + (t - topics_.data()));
        cv_.notify_all();
        if (!wanted()) {
            close_locked(lock, "no subscriptions left", false);
        } else if (held && phase_ == phase::ready) {
            send_locked(lock, pubsub_request_frame("unsubscribe", &name, next_id()));  // its ack is not awaited
        }
    }

    // Ends the current connection (lock held on entry and exit). `again`: connect anew at once.
    void close_locked(std::unique_lock<std::mutex>& lock, const std::string& reason, bool again) {
        if (phase_ != phase::connecting && phase_ != phase::ready) return;
        close_reason_ = reason;
        close_kind_ = error_kind::none;
        reconnect_now_ = again;
        auto conn = conn_;
        auto cancel = conn_cancel_;
        lock.unlock();
        if (conn) conn->shutdown();
        if (cancel) cancel->cancel();
        lock.lock();
    }

    void on_auth_change(const std::string& token) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (token == token_seen_) return;
        token_seen_ = token;
        close_locked(lock, "the auth token changed; reconnecting under the new identity", true);
    }

    void enqueue_locked(job j) {
        queue_.push_back(std::move(j));
        cv_.notify_all();
    }

    template <class Fn, class Arg>
    void enqueue_event_locked(const std::shared_ptr<const Fn>& fn, Arg arg) {
        if (fn) enqueue_locked(job{std::nullopt, [fn, arg = std::move(arg)] { (*fn)(arg); }});
    }

    // --- the reader thread -------------------------------------------------------

    void run() noexcept {
        std::size_t attempt = 0;
        std::unique_lock<std::mutex> lock(mutex_);
        while (phase_ != phase::stopping) {
            if (!wanted()) {
                phase_ = phase::idle;
                had_ready_ = false;
                last_created_.clear();
                cv_.notify_all();
                cv_.wait(lock, [&] { return phase_ == phase::stopping || wanted(); });
                continue;
            }
            phase_ = phase::connecting;
            close_reason_.clear();
            reconnect_now_ = false;
            const cancel_token cancel;
            conn_cancel_ = cancel;
            const pubsub_options opts = options_;
            ready_deadline_ = clock::now() + opts.connect_timeout;
            cv_.notify_all();
            lock.unlock();
            std::string end_reason;
            error_kind end_kind = error_kind::none;
            bool was_ready = false;
            std::string token;
            try {
                websocket_request req;
                {
                    const auto core = core_.lock();
                    if (!core) throw transport_error(error_kind::canceled, "the client is going away");
                    token = core->store().token();
                }  // The last reference to the core may go here: shutdown() then ran on this thread.
                req.url = pubsub_url(base_, token);
                req.headers = headers_;
                req.connect_timeout = opts.connect_timeout;
                req.read_timeout = opts.ping_interval * 3;
                req.write_timeout = opts.ack_timeout;
                req.max_message_bytes = opts.max_message_bytes;
                req.cancel = cancel;
                std::shared_ptr<websocket_connection> conn;
                // Only pb.pubsub()'s static_assert speaks when the transport has no WebSocket call.
                if constexpr (is_websocket_transport_v<Transport>) conn = transport_.connect_websocket(req);
                if (!conn) throw transport_error(error_kind::other, "the transport returned no connection");
                lock.lock();
                conn_ = conn;
                const bool go_on = phase_ == phase::connecting;
                lock.unlock();
                if (!go_on) conn->shutdown();
                read_loop(*conn, opts, end_reason, end_kind, was_ready);
                conn->shutdown();
                lock.lock();
                conn_.reset();  // the socket itself goes with `conn`, unlocked
                lock.unlock();
            } catch (const transport_error& e) {
                end_kind = e.error_kind();
                end_reason = std::string("could not open the pub/sub socket: ") + e.what();
            } catch (const std::exception& e) {
                end_kind = error_kind::other;
                end_reason = std::string("could not open the pub/sub socket: ") + e.what();
            }
            scrub_secrets(end_reason, {token});
            lock.lock();
            if (phase_ == phase::stopping) break;
            if (!close_reason_.empty()) {
                end_reason = close_reason_;
                end_kind = close_kind_;
            }
            after_connection_locked(end_reason, end_kind, was_ready);
            if (was_ready) attempt = 0;
            if (reconnect_now_ || !wanted()) continue;
            phase_ = phase::backing_off;
            cv_.notify_all();
            const auto delay = pubsub_backoff(attempt++, opts, rng_);
            cv_.wait_for(lock, delay, [&] { return phase_ == phase::stopping || reconnect_now_; });
        }
    }

    void read_loop(websocket_connection& conn, const pubsub_options& opts, std::string& reason, error_kind& kind,
                   bool& was_ready) {
        std::string text;
        for (;;) {
            const websocket_frame got = conn.read(text);
            if (got == websocket_frame::closed) {
                reason = "the pub/sub socket was closed";
                kind = error_kind::receive;
                return;
            }
            if (text.size() > opts.max_message_bytes) {
                reason = "a pub/sub frame of " + std::to_string(text.size()) + " bytes exceeds max_message_bytes (" +
                         std::to_string(opts.max_message_bytes) + ")";
                kind = error_kind::too_large;
                return;
            }
            std::optional<pubsub_frame> frame;
            if (got == websocket_frame::text) frame = parse_pubsub_frame(text, max_json_depth_);
            if (!frame) {
                report(error(error_kind::invalid_response, got == websocket_frame::binary
                                                               ? "the server sent a binary pub/sub frame; skipped"
                                                               : "the server sent a pub/sub frame that is not a JSON "
                                                                 "object with a type; skipped"));
                continue;
            }
            if (!on_frame(conn, std::move(*frame), opts, was_ready)) {
                reason = "the pub/sub callback queue is full (max_queued_messages); reconnecting";
                kind = error_kind::too_large;
                return;
            }
        }
    }

    void report(ClientResponseError e) {
        std::lock_guard<std::mutex> lock(mutex_);
        enqueue_event_locked(on_error_, std::move(e));
    }

    // False when the connection must end (the queue overflowed).
    bool on_frame(websocket_connection& conn, pubsub_frame f, const pubsub_options& opts, bool& was_ready) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (f.type == "ready") {
            if (phase_ != phase::connecting || was_ready) return true;
            phase_ = phase::ready;
            was_ready = true;
            client_id_ = f.client_id;
            next_ping_ = clock::now() + opts.ping_interval;
            std::vector<std::string> frames;
            for (auto& t : topics_) {
                t.request = next_id();
                frames.push_back(pubsub_request_frame("subscribe", &t.name, t.request));
            }
            announce_pending_ = true;
            maybe_announce_locked();
            cv_.notify_all();
            std::unique_lock<std::mutex> sending(send_mutex_);
            lock.unlock();
            for (const auto& frame : frames) {
                if (!conn.send_text(frame)) break;  // the next read says closed
            }
            return true;
        }
        if (f.type == "message") {
            topic_entry* t = find(f.topic);
            if (!t || t->listeners.empty()) return true;
            if (queued_messages_ >= opts.max_queued_messages) return false;
            ++queued_messages_;
            last_created_ = f.created;
            enqueue_locked(job{pubsub_message{std::move(f.id), std::move(f.topic), std::move(f.created),
                                              std::move(f.data)},
                               nullptr});
            return true;
        }
        if (f.type == "error") {
            auto p = f.request_id.empty() ? pending_.end() : pending_.find(f.request_id);
            if (p != pending_.end()) {
                p->second->error = refused(f.message);
            } else if (topic_entry* t = by_request(f.request_id)) {
                t->failed = refused(f.message);
                t->request.clear();
                enqueue_event_locked(on_error_, refused("subscribe " + t->name + ": " + f.message));
            } else {
                enqueue_event_locked(on_error_, refused(f.message));
            }
            cv_.notify_all();
            return true;
        }
        if (f.type == "subscribed") {
            if (topic_entry* t = by_request(f.request_id)) {
                t->confirmed = true;
                t->failed.reset();
                maybe_announce_locked();
            }
        }
        auto p = f.request_id.empty() ? pending_.end() : pending_.find(f.request_id);
        if (p != pending_.end() && f.type == "published") p->second->reply = std::move(f);
        cv_.notify_all();  // an acknowledgement of someone else's or an unknown requestId changes nothing
        return true;
    }

    topic_entry* by_request(const std::string& id) {
        if (id.empty()) return nullptr;
        for (auto& t : topics_) {
            if (t.request == id) return &t;
        }
        return nullptr;
    }

    // on_connect (and on_reconnect) once every topic is back on the server: a resync
    // started then misses nothing that arrives later.
    void maybe_announce_locked() {
        if (!announce_pending_ || phase_ != phase::ready) return;
        for (const auto& t : topics_) {
            if (!t.confirmed) return;
        }
        announce_pending_ = false;
        enqueue_event_locked(on_connect_, client_id_);
        if (had_ready_) {
            pubsub_reconnect info;
            info.client_id = client_id_;
            info.missed_since = last_created_;
            info.disconnected_at = disconnected_at_;
            for (const auto& t : topics_) info.topics.push_back(t.name);
            enqueue_event_locked(on_reconnect_, std::move(info));
        }
        had_ready_ = true;
    }

    void after_connection_locked(const std::string& reason, error_kind kind, bool was_ready) {
        conn_.reset();
        conn_cancel_.reset();
        client_id_.clear();
        announce_pending_ = false;
        for (auto& t : topics_) {
            t.request.clear();
            t.confirmed = false;
        }
        const std::string lost = was_ready ? "the pub/sub connection ended before the acknowledgement (" + reason +
                                                 "); the request may or may not have taken effect"
                                           : reason;
        for (auto& p : pending_) {
            if (!p.second->reply && !p.second->error) p.second->error = error(error_kind::receive, lost);
        }
        if (was_ready) {
            disconnected_at_ = std::chrono::system_clock::now();
            last_failure_.clear();
            enqueue_event_locked(on_disconnect_, pubsub_disconnect{reason, kind, wanted()});
        } else {
            last_failure_ = reason;
        }
        cv_.notify_all();
    }

    // --- the dispatcher thread -----------------------------------------------------

    void dispatch_loop() noexcept {
        std::unique_lock<std::mutex> lock(mutex_);
        dispatcher_id_ = std::this_thread::get_id();
        while (phase_ != phase::stopping) {
            if (queue_.empty()) {
                cv_.wait(lock, [&] { return phase_ == phase::stopping || !queue_.empty(); });
                continue;
            }
            job j = std::move(queue_.front());
            queue_.pop_front();
            if (!j.message) {
                lock.unlock();
                invoke([&] { j.event(); });
                j = job{};  // its captures go unlocked
                lock.lock();
                continue;
            }
            --queued_messages_;
            std::vector<listener_ptr> targets;
            if (topic_entry* t = find(j.message->topic)) targets = t->listeners;
            for (const auto& l : targets) {
                if (phase_ == phase::stopping || l->removed) continue;
                running_ = l.get();
                lock.unlock();
                invoke([&] { l->fn(*j.message); });
                lock.lock();
                running_ = nullptr;
                cv_.notify_all();
            }
            lock.unlock();
            targets.clear();
            lock.lock();
        }
    }

    // A callback that throws is skipped, as with realtime; the queue goes on.
    template <class Fn>
    static void invoke(Fn&& fn) noexcept {
        try {
            fn();
        } catch (...) {
        }
    }

    // --- the keeper thread: pings and the `ready` deadline ---------------------------

    void keep_loop() noexcept {
        std::unique_lock<std::mutex> lock(mutex_);
        while (phase_ != phase::stopping) {
            const auto now = clock::now();
            auto wake = clock::time_point::max();
            if (phase_ == phase::connecting && now >= ready_deadline_) {
                // Fired once per attempt: run() sets the deadline anew for the next.
                ready_deadline_ = clock::time_point::max();
                close_reason_ = "no ready from the server within connect_timeout";
                close_kind_ = error_kind::timeout;
                auto conn = conn_;
                auto cancel = conn_cancel_;
                lock.unlock();
                if (conn) conn->shutdown();
                if (cancel) cancel->cancel();
                lock.lock();
                continue;
            }
            if (phase_ == phase::connecting) wake = ready_deadline_;
            if (phase_ == phase::ready) {
                if (now >= next_ping_) {
                    next_ping_ = now + options_.ping_interval;
                    send_locked(lock, pubsub_request_frame("ping", nullptr, next_id()));
                    continue;
                }
                wake = next_ping_;
            }
            cv_.wait_until(lock, wake);
        }
    }

    const std::weak_ptr<core_type> core_;
    Transport transport_;  // the reader's own copy
    const header_list headers_;
    const parsed_base_url base_;
    const std::string url_;  // for errors: never with the token
    const std::size_t max_json_depth_;
    std::minstd_rand rng_;  // the reader's only

    mutable std::mutex mutex_;  // guards everything below
    std::mutex send_mutex_;     // one frame at a time on the socket
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

#endif  // BOSBASE_PUBSUB_STATE_HPP
