// bosbase-cpp: definitions of pubsub/machine.hpp (the pub/sub connection's machinery: the reader, dispatcher and keeper threads and their state.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_MACHINE_IPP
#define BOSBASE_PUBSUB_MACHINE_IPP

#include "machine.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::chrono::milliseconds pubsub_backoff(std::size_t attempt, const pubsub_options& o,
                                                      std::minstd_rand& rng) {
    const std::int64_t floor = o.reconnect_delay.count();
    const std::int64_t cap = std::max(floor, static_cast<std::int64_t>(o.max_reconnect_delay.count()));
    std::int64_t base = floor;
    for (std::size_t i = 0; i < attempt && base < cap; ++i) base = std::min(cap, base * 2);
    std::uniform_int_distribution<std::int64_t> pick(base / 2, base);
    return std::chrono::milliseconds(std::max(floor, pick(rng)));
}

BOSBASE_DECL pubsub_machine::~pubsub_machine() {
    for (auto* t : {&reader_, &dispatcher_, &keeper_}) {
        if (t->joinable()) t->detach();  // stop() has run; this only keeps ~thread quiet
    }
}

BOSBASE_DECL void pubsub_machine::set_options(const pubsub_options& o) {
    if (o.max_message_bytes == 0 || o.max_queued_messages == 0 || o.connect_timeout.count() <= 0 ||
        o.ack_timeout.count() <= 0 || o.reconnect_delay.count() <= 0 || o.max_reconnect_delay.count() < 0 ||
        o.ping_interval.count() <= 0) {
        throw std::invalid_argument(
            "bosbase: pubsub_options: timeouts, reconnect_delay, ping_interval and the limits must be positive");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    options_ = o;
}

BOSBASE_DECL bool pubsub_machine::is_connected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return phase_ == phase::ready;
}

BOSBASE_DECL std::string pubsub_machine::client_id() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return phase_ == phase::ready ? client_id_ : std::string();
}

BOSBASE_DECL std::vector<std::string> pubsub_machine::topics() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& t : topics_) out.push_back(t.name);
    return out;
}

BOSBASE_DECL void pubsub_machine::stop() noexcept {
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
        // reader fetches the token: that thread cannot join itself; it sees `stopping`.
        if (t.get_id() == std::this_thread::get_id()) {
            t.detach();
        } else {
            t.join();
        }
    }
}

BOSBASE_DECL void pubsub_machine::report_decode_failure(const pubsub_message& m, const std::string& what) {
    report(error(error_kind::invalid_response,
                 "a pub/sub message on " + m.topic + " does not fit the requested type: " + what));
}

BOSBASE_DECL ClientResponseError pubsub_machine::error(error_kind kind, const std::string& text) const {
    return ClientResponseError(url_, 0, json::object(), kind, text);
}

BOSBASE_DECL ClientResponseError pubsub_machine::aborted(const char* when) const {
    return error(error_kind::canceled, std::string("the pub/sub call was cancelled ") + when);
}

BOSBASE_DECL ClientResponseError pubsub_machine::destroyed() const {
    return error(error_kind::canceled, "the client was destroyed while the pub/sub call waited");
}

BOSBASE_DECL ClientResponseError pubsub_machine::refused(const std::string& message) const {
    const std::string text = message.empty() ? "pubsub error" : message;
    return ClientResponseError(url_, 400, json{{"status", 400}, {"message", text}, {"data", json::object()}});
}

BOSBASE_DECL void pubsub_machine::notify() {
    { std::lock_guard<std::mutex> lock(mutex_); }  // a waiter is either before its check or in wait()
    cv_.notify_all();
}

BOSBASE_DECL auto pubsub_machine::find(const std::string& name) -> topic_entry* {
    for (auto& t : topics_) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

BOSBASE_DECL void pubsub_machine::send_locked(std::unique_lock<std::mutex>& lock, const std::string& frame) {
    const std::uint64_t ticket = send_tickets_++;
    auto conn = conn_;
    lock.unlock();
    send_in_turn(ticket, conn.get(), {frame});
    lock.lock();
}

BOSBASE_DECL void pubsub_machine::send_in_turn(std::uint64_t ticket, websocket_connection* conn,
                                               const std::vector<std::string>& frames) {
    std::unique_lock<std::mutex> turn(send_mutex_);
    send_cv_.wait(turn, [&] { return send_serving_ == ticket; });
    turn.unlock();
    bool sent = conn != nullptr;
    try {
        for (const auto& frame : frames) {
            if (!sent || !conn->send_text(frame)) {
                sent = false;
                break;
            }
        }
    } catch (...) {
        sent = false;  // a transport that throws here has lost the socket as surely as one returning false
    }
    if (!sent && conn) conn->shutdown();  // the reader notices and fails what waits
    turn.lock();
    ++send_serving_;
    turn.unlock();
    send_cv_.notify_all();
}

BOSBASE_DECL void pubsub_machine::close_locked(std::unique_lock<std::mutex>& lock, const std::string& reason,
                                               bool again, error_kind kind) {
    if (phase_ == phase::closing) {  // already shut: the last reason is the one reported
        close_reason_ = reason;
        close_kind_ = kind;
        if (again) reconnect_now_ = true;
        return;
    }
    if (phase_ != phase::connecting && phase_ != phase::ready) return;
    // Out of `ready` under the lock, before the socket is shut: a call deciding after this
    // waits for the next connection instead of sending on the one going away.
    phase_ = phase::closing;
    close_idle_ = !wanted();
    close_reason_ = reason;
    close_kind_ = kind;
    reconnect_now_ = again;
    cv_.notify_all();
    auto conn = conn_;
    auto cancel = conn_cancel_;
    lock.unlock();
    if (conn) conn->shutdown();
    if (cancel) cancel->cancel();
    lock.lock();
}

BOSBASE_DECL void pubsub_machine::enqueue_locked(job j) {
    queue_.push_back(std::move(j));
    cv_.notify_all();
}

BOSBASE_DECL void pubsub_machine::run() noexcept {
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
        std::optional<ClientResponseError> refusal;
        try {
            websocket_request req;
            // The last reference to the client may go in here: then stop() ran on this thread.
            auto current = token_();
            if (!current) throw transport_error(error_kind::canceled, "the client is going away");
            token = std::move(*current);
            req.url = pubsub_url(base_);
            req.headers = headers_;
            if (!token.empty() && !has_header(req.headers, "Authorization")) {
                req.headers.emplace_back("Authorization", token);
            }
            req.connect_timeout = opts.connect_timeout;
            req.read_timeout = opts.ping_interval * 3;
            req.write_timeout = opts.ack_timeout;
            req.max_message_bytes = opts.max_message_bytes;
            req.cancel = cancel;
            std::shared_ptr<websocket_connection> conn(connect_(req));
            if (!conn) throw transport_error(error_kind::other, "the transport returned no connection");
            lock.lock();
            conn_ = conn;
            const bool go_on = phase_ == phase::connecting;
            lock.unlock();
            if (!go_on) conn->shutdown();
            read_loop(*conn, opts, end_reason, end_kind, was_ready);
            conn->shutdown();
            lock.lock();
            if (phase_ == phase::ready || phase_ == phase::connecting) {
                phase_ = phase::closing;  // no call sends on it from here on
                close_idle_ = false;
            }
            conn_.reset();  // the socket itself goes with `conn`, unlocked
            lock.unlock();
        } catch (const websocket_refused& e) {
            end_kind = e.error_kind();
            end_reason = std::string("could not open the pub/sub socket: ") + e.what();
            if (pubsub_refusal_is_final(e.status())) {
                http_response answer;
                answer.status = e.status();
                answer.body = e.body();
                refusal.emplace(url_, e.status(), error_body(answer, max_json_depth_, {token}), error_kind::none,
                                std::string(), std::vector<std::string_view>{token});
            }
        } catch (const transport_error& e) {
            end_kind = e.error_kind();
            end_reason = std::string("could not open the pub/sub socket: ") + e.what();
            // An untrusted certificate or a wrong host name does not mend itself: as final as a 401.
            if (end_kind == error_kind::tls) {
                refusal.emplace(url_, 0, json::object(), error_kind::tls, end_reason,
                                std::vector<std::string_view>{token});
            }
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
        if (refusal) refused_locked(std::move(*refusal));
        if (was_ready) attempt = 0;
        if (reconnect_now_ || !wanted()) continue;
        phase_ = phase::backing_off;
        cv_.notify_all();
        const auto delay = pubsub_backoff(attempt++, opts, rng_);
        cv_.wait_for(lock, delay, [&] { return phase_ == phase::stopping || reconnect_now_; });
    }
}

BOSBASE_DECL void pubsub_machine::read_loop(websocket_connection& conn, const pubsub_options& opts,
                                            std::string& reason, error_kind& kind, bool& was_ready) {
    std::string text;
    for (;;) {
        websocket_frame got = websocket_frame::closed;
        try {
            got = conn.read(text);
        } catch (const std::exception& e) {
            reason = std::string("reading the pub/sub socket failed: ") + e.what();
            kind = error_kind::receive;
            return;
        }
        if (got == websocket_frame::closed) {
            reason = "the pub/sub socket was closed";
            kind = error_kind::receive;
            return;
        }
        // One message too large costs that message, never the socket and those behind it:
        // the transport read past it (too_large), or one that does not cap handed it over.
        if (got == websocket_frame::too_large || text.size() > opts.max_message_bytes) {
            const std::string size =
                got == websocket_frame::too_large ? std::string() : " of " + std::to_string(text.size()) + " bytes";
            text.clear();
            text.shrink_to_fit();
            report(error(error_kind::too_large, "a pub/sub message" + size + " was over max_message_bytes (" +
                                                    std::to_string(opts.max_message_bytes) +
                                                    " bytes) and was dropped; the connection goes on"));
            continue;
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

BOSBASE_DECL void pubsub_machine::report(ClientResponseError e) {
    std::lock_guard<std::mutex> lock(mutex_);
    enqueue_event_locked(on_error_, std::move(e));
}

BOSBASE_DECL bool pubsub_machine::on_frame(websocket_connection& conn, pubsub_frame f,
                                           const pubsub_options& opts, bool& was_ready) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (f.type == "ready") {
        if (phase_ != phase::connecting || was_ready) return true;
        phase_ = phase::ready;
        was_ready = true;
        last_refusal_status_ = 0;
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
        const std::uint64_t ticket = send_tickets_++;
        lock.unlock();
        send_in_turn(ticket, &conn, frames);
        return true;
    }
    if (f.type == "message") {
        topic_entry* t = find(f.topic);
        if (!t || t->listeners.empty()) return true;
        if (delivered_.contains(f.id)) return true;  // a repeat (pubsub_recent_ids says why)
        if (queued_messages_ >= opts.max_queued_messages) return false;
        delivered_.add(f.id);
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

BOSBASE_DECL void pubsub_machine::refused_locked(ClientResponseError e) {
    keep_open_ = false;
    const int status = e.status();
    if (status != last_refusal_status_) {
        last_refusal_status_ = status;
        enqueue_event_locked(on_error_, e);
    }
    refusal_.emplace(std::move(e));
    ++refusal_seq_;
    cv_.notify_all();
}

BOSBASE_DECL auto pubsub_machine::by_request(const std::string& id) -> topic_entry* {
    if (id.empty()) return nullptr;
    for (auto& t : topics_) {
        if (t.request == id) return &t;
    }
    return nullptr;
}

BOSBASE_DECL void pubsub_machine::maybe_announce_locked() {
    if (!announce_pending_ || phase_ != phase::ready) return;
    for (const auto& t : topics_) {
        if (!t.confirmed) return;
    }
    announce_pending_ = false;
    connection_event info;
    info.client_id = client_id_;
    for (const auto& t : topics_) info.topics.push_back(t.name);
    info.reconnect = had_ready_;
    if (had_ready_) {
        info.missed_since = last_created_;
        info.disconnected_at = disconnected_at_;
    }
    enqueue_event_locked(on_connect_, info);
    if (had_ready_) enqueue_event_locked(on_reconnect_, std::move(info));
    had_ready_ = true;
}

BOSBASE_DECL void pubsub_machine::after_connection_locked(const std::string& reason, error_kind kind,
                                                          bool was_ready) {
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
        disconnect_event info{reason, kind, wanted(), {}};
        for (const auto& t : topics_) info.topics.push_back(t.name);
        enqueue_event_locked(on_disconnect_, std::move(info));
    } else {
        last_failure_ = reason;
    }
    cv_.notify_all();
}

BOSBASE_DECL void pubsub_machine::dispatch_loop() noexcept {
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

BOSBASE_DECL void pubsub_machine::keep_loop() noexcept {
    std::unique_lock<std::mutex> lock(mutex_);
    while (phase_ != phase::stopping) {
        const auto now = clock::now();
        auto wake = clock::time_point::max();
        if (phase_ == phase::connecting && now >= ready_deadline_) {
            // Fired once per attempt: run() sets the deadline anew for the next.
            ready_deadline_ = clock::time_point::max();
            close_locked(lock, "no ready from the server within connect_timeout", false, error_kind::timeout);
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

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_MACHINE_IPP
