// bosbase-cpp: definitions of realtime/state.hpp (one client's realtime connection: a small state machine on a background thread.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_STATE_IPP
#define BOSBASE_REALTIME_STATE_IPP

#include "state.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL realtime_state::~realtime_state() {
    if (worker_.joinable()) worker_.detach();  // shutdown() has run; this only keeps ~thread quiet
}

BOSBASE_DECL std::shared_ptr<realtime_state> realtime_state::make(core_type& core) {
    auto made = std::make_shared<realtime_state>(core);
    std::weak_ptr<realtime_state> weak = made;
    core.store().on_change(
        [weak](const std::string& token, const json&) {
            if (auto self = weak.lock()) self->on_auth_change(token);
        },
        true);
    return made;
}

BOSBASE_DECL subscription realtime_state::subscribe(core_type& core, const std::string& key,
                                                    realtime_callback fn, const request_options& options) {
    realtime_registry::check_key(key);
    if (!fn) throw std::invalid_argument("bosbase: a realtime callback must not be empty");
    check_subscribe_options(options);
    const cancel_token* tokens[2] = {options.cancel ? &*options.cancel : nullptr, current_job_cancel()};
    auto canceled = [&] {
        return (tokens[0] && tokens[0]->is_canceled()) || (tokens[1] && tokens[1]->is_canceled());
    };
    if (canceled()) throw aborted("before it started");

    // Declared before the lock, so destroyed after it is released: a registration's
    // callback takes the lock, and a listener's captures may own the client.
    cancel_token::registration wake[2];
    for (int i = 0; i < 2; ++i) {
        if (tokens[i]) wake[i] = tokens[i]->on_cancel([this] { notify(); });
    }
    std::vector<listener_ptr> dropped;
    listener_ptr l;
    std::optional<cancel_token> close;
    waiter w;
    std::unique_lock<std::mutex> lock(mutex_);
    if (phase_ == phase::stopping) throw destroyed();
    const auto limit = options.deadline.value_or(options_.subscribe_timeout);
    const auto deadline = clock::now() + limit;
    const bool on_thread = std::this_thread::get_id() == worker_id_;
    waiters_.push_back(&w);
    try {
        l = registry_.add(key, std::move(fn));
        start_thread_locked();
        cv_.notify_all();
        while (!l->removed) {  // unsubscribe_all() meanwhile: an inert handle
            if (phase_ == phase::subscribed && registry_.on_server(key)) break;
            if (phase_ == phase::stopping) throw destroyed();
            if (w.error) throw *w.error;
            if (canceled()) throw aborted("while it waited for the server");
            if (phase_ == phase::subscribed && !posting_) {
                post_set(lock, core, caller_post_options(options, deadline));
                continue;
            }
            // The realtime thread cannot wait for its own connection (in on_disconnect,
            // say): the topic goes to the server with the next one.
            if (on_thread && phase_ != phase::subscribed) break;
            if (clock::now() >= deadline) throw timed_out(options, limit);
            cv_.wait_until(lock, deadline);
        }
    } catch (...) {
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &w));
        // Nothing is left behind; a topic the server may hold goes with the next POST.
        if (l) registry_.remove(l.get(), dropped);
        close = topics_removed_locked();
        lock.unlock();
        if (close) close->cancel();
        throw;
    }
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &w));
    lock.unlock();
    std::weak_ptr<realtime_state> self = this->shared_from_this();
    return subscription(key, [self, core = core_, weak_l = std::weak_ptr<realtime_listener>(l)] {
        const auto state = self.lock();
        const auto listener = weak_l.lock();
        if (!state || !listener) return;  // gone with the client, or already removed
        const auto owner = core.lock();   // null once the client is gone: then no POST
        state->remove(owner.get(), listener.get());
    });
}

BOSBASE_DECL void realtime_state::remove(core_type* core, const realtime_listener* l) noexcept {
    std::vector<listener_ptr> dropped;
    std::optional<cancel_token> close;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        const bool shrunk = registry_.remove(l, dropped);
        if (std::this_thread::get_id() != worker_id_) cv_.wait(lock, [&] { return running_ != l; });
        close = topics_removed_locked();
        if (shrunk && core && !close) post_shrunk_set(lock, *core);
    }
    if (close) close->cancel();
}

BOSBASE_DECL void realtime_state::remove_by_prefix(core_type& core, std::string_view prefix,
                                                   const char* reason) noexcept {
    std::vector<listener_ptr> dropped;
    std::optional<cancel_token> close;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        const bool shrunk = registry_.remove_by_prefix(prefix, dropped);
        if (std::this_thread::get_id() != worker_id_) {
            cv_.wait(lock, [&] {
                return std::none_of(dropped.begin(), dropped.end(),
                                    [&](const listener_ptr& p) { return p.get() == running_; });
            });
        }
        close = topics_removed_locked(reason);
        if (shrunk && !close) post_shrunk_set(lock, core);
    }
    if (close) close->cancel();
}

BOSBASE_DECL void realtime_state::set_options(const realtime_options& o) {
    if (o.max_event_bytes == 0 || o.reconnect_delay.count() < 0 || o.max_reconnect_delay.count() < 0 ||
        o.idle_timeout.count() <= 0 || o.subscribe_timeout.count() < 0) {
        throw std::invalid_argument(
            "bosbase: realtime_options: delays must not be negative, idle_timeout and max_event_bytes must be "
            "positive");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    options_ = o;
}

BOSBASE_DECL bool realtime_state::is_connected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return phase_ == phase::subscribed;
}

BOSBASE_DECL std::string realtime_state::client_id() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return phase_ == phase::subscribed ? client_id_ : std::string();
}

BOSBASE_DECL std::vector<std::string> realtime_state::topics() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return registry_.keys();
}

BOSBASE_DECL void realtime_state::shutdown() noexcept {
    std::thread worker;
    std::optional<cancel_token> cancel;
    bool on_thread = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        phase_ = phase::stopping;
        cancel = conn_cancel_;
        worker = std::move(worker_);
        on_thread = std::this_thread::get_id() == worker_id_;
    }
    cv_.notify_all();
    if (!worker.joinable()) return;
    if (on_thread) {
        // Inside a callback or the POST: the stack above returns to a loop that sees
        // `stopping`; it cannot join itself.
        worker.detach();
        return;
    }
    // A cancel that lands before the transport has a connection still stops it: the
    // transport registers with the token, which runs late registrations at once.
    if (cancel) cancel->cancel();
    worker.join();
}

BOSBASE_DECL void realtime_state::check_subscribe_options(const request_options& o) {
    if (o.expand || o.fields || o.filter || o.sort || o.skip_total || !o.query.empty() || !o.headers.empty()) {
        throw std::invalid_argument(
            "bosbase: a realtime subscription takes filter, expand, fields, query and headers once (in "
            "request_options, or in subscribe_options with request_options bounding the call only), and "
            "sort or skip_total not at all");
    }
}

BOSBASE_DECL ClientResponseError realtime_state::aborted(const char* when) const {
    return ClientResponseError(url_, 0, json::object(), error_kind::canceled,
                               std::string("the realtime subscribe was cancelled ") + when);
}

BOSBASE_DECL ClientResponseError realtime_state::destroyed() const {
    return ClientResponseError(url_, 0, json::object(), error_kind::canceled,
                               "the client was destroyed while the realtime subscribe waited");
}

BOSBASE_DECL ClientResponseError realtime_state::timed_out(const request_options& options,
                                                           std::chrono::milliseconds limit) const {
    const std::string what = options.deadline ? "its deadline" : "subscribe_timeout";
    return ClientResponseError(url_, 0, json::object(), options.deadline ? error_kind::deadline : error_kind::timeout,
                               "no confirmed realtime subscription within " + what + " (" +
                                   std::to_string(limit.count()) + " ms)" +
                                   (last_failure_.empty() ? std::string() : "; last attempt: " + last_failure_));
}

BOSBASE_DECL request_options realtime_state::caller_post_options(const request_options& options,
                                                                 clock::time_point deadline) const {
    request_options o;
    o.cancel = options.cancel;
    o.timeout = options.timeout;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    o.deadline = std::max(std::chrono::milliseconds(1), std::min(left, post_deadline_));
    return o;
}

BOSBASE_DECL void realtime_state::notify() {
    { std::lock_guard<std::mutex> lock(mutex_); }  // a waiter is either before its check or in wait()
    cv_.notify_all();
}

BOSBASE_DECL bool realtime_state::streaming() const {
    return phase_ == phase::connecting || phase_ == phase::submitting || phase_ == phase::subscribed;
}

BOSBASE_DECL void realtime_state::start_thread_locked() {
    if (worker_id_ != std::thread::id() || phase_ == phase::stopping) return;
    auto self = this->shared_from_this();
    worker_ = std::thread([self] { self->run(); });
    worker_id_ = worker_.get_id();
}

BOSBASE_DECL std::optional<cancel_token> realtime_state::topics_removed_locked(const char* reason) {
    if (!registry_.empty() || !streaming()) return std::nullopt;
    phase_ = phase::closing;
    close_reason_ = reason;
    emptied_ = true;
    cv_.notify_all();
    return conn_cancel_;
}

BOSBASE_DECL void realtime_state::on_auth_change(const std::string& token) {
    std::optional<cancel_token> cancel;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (token == token_seen_) return;  // a record merge or a refresh that kept the token
        token_seen_ = token;
        if (!streaming()) return;  // the next connection submits with the new token anyway
        phase_ = phase::closing;
        close_reason_ = "the auth token changed; reconnecting to subscribe with the new identity";
        cancel = conn_cancel_;
    }
    cv_.notify_all();
    if (cancel) cancel->cancel();
}

BOSBASE_DECL void realtime_state::post_set(std::unique_lock<std::mutex>& lock, core_type& core,
                                           const request_options& options) {
    posting_ = true;
    const std::string client = client_id_;
    const json body = {{"clientId", client}, {"subscriptions", registry_.begin_post()}};
    lock.unlock();
    bool accepted = false;
    try {
        core.perform("POST", "/api/realtime", body, options, {});
        accepted = true;
    } catch (...) {
        lock.lock();
        end_post(client, false);
        throw;
    }
    lock.lock();
    end_post(client, accepted);
}

BOSBASE_DECL void realtime_state::end_post(const std::string& client, bool accepted) {
    // A POST for a connection that has ended since touches nothing of the new one.
    if (client_id_ == client && posting_) {
        posting_ = false;
        registry_.end_post(accepted);
    }
    cv_.notify_all();
}

BOSBASE_DECL void realtime_state::post_shrunk_set(std::unique_lock<std::mutex>& lock, core_type& core) noexcept {
    cv_.wait(lock, [&] { return !posting_; });
    if (phase_ != phase::subscribed || !registry_.dirty()) return;  // a new connection submits it all
    request_options o;
    o.deadline = post_deadline_;
    try {
        post_set(lock, core, o);
    } catch (...) {
    }
}

BOSBASE_DECL void realtime_state::run() noexcept {
    std::size_t attempt = 0;
    bool had_connection = false;
    std::optional<std::chrono::milliseconds> server_retry;
    std::unique_lock<std::mutex> lock(mutex_);
    while (phase_ != phase::stopping) {
        if (registry_.empty()) {
            phase_ = phase::idle;
            had_connection = false;
            cv_.wait(lock, [&] { return phase_ == phase::stopping || !registry_.empty(); });
            continue;
        }
        phase_ = phase::connecting;
        close_reason_.clear();
        emptied_ = false;
        const cancel_token cancel;
        conn_cancel_ = cancel;
        const realtime_options opts = options_;
        lock.unlock();
        http_request req = stream_request_;
        req.read_timeout = opts.idle_timeout;
        req.cancel = cancel;
        realtime_connection_end end =
            run_realtime_stream(*stream_transport_, req, opts.max_event_bytes,
                                [&](const sse_event& ev, realtime_connection_end& e) {
                                    return on_event(ev, cancel, e, had_connection);
                                });
        lock.lock();

        const bool stopping = phase_ == phase::stopping;
        const bool closed_here = phase_ == phase::closing;
        std::optional<ClientResponseError> refused;
        if (closed_here) {
            end.info.reason = close_reason_;
            end.info.kind = error_kind::none;
        } else if (!end.subscribed && !stopping) {
            for (waiter* w : waiters_) {
                if (!w->error) w->error = end.error;
            }
            last_failure_ = end.error ? end.error->what() : end.info.reason;
            // The server answered and refused (the stream or the set): retrying may never
            // help, so the app hears of it, once per new status rather than every retry.
            // Network failures are only retried, as pub/sub does.
            if (end.error && end.error->status() != 0 && end.error->status() != last_refusal_status_) {
                last_refusal_status_ = end.error->status();
                refused.emplace(*end.error);
            }
        }
        if (end.subscribed) {
            last_failure_.clear();
            last_refusal_status_ = 0;
            lost_at_ = std::chrono::system_clock::now();
        }
        conn_cancel_.reset();
        client_id_.clear();
        posting_ = false;
        registry_.connection_lost();
        if (!stopping) phase_ = closed_here ? phase::connecting : phase::backing_off;
        end.info.reconnecting = !stopping && !registry_.empty();
        end.info.topics = registry_.keys();
        const auto on_disconnect = !stopping && end.subscribed ? on_disconnect_ : nullptr;
        const auto on_error = refused ? on_error_ : nullptr;
        cv_.notify_all();
        if (end.retry) server_retry = end.retry;
        if (end.subscribed) {
            had_connection = true;
            attempt = 0;
        }
        // Closed because every topic went: nothing was lost, so the next connection (a
        // subscribe may already wait for it) is a first one, not a reconnect.
        if (closed_here && emptied_) had_connection = false;
        if (on_disconnect || on_error) {
            lock.unlock();
            if (on_disconnect) invoke(*on_disconnect, end.info);
            if (on_error) invoke(*on_error, *refused);
            lock.lock();
        }
        if (phase_ != phase::backing_off) continue;  // idle, a new identity, or stopping
        // Neither a subscribe nor the last unsubscribe cuts the delay short: a caller
        // that retries subscribe() in a loop is paced like the reconnects.
        const auto delay = realtime_backoff(attempt++, opts, server_retry, rng_);
        cv_.wait_for(lock, delay, [&] { return phase_ == phase::stopping; });
    }
}

BOSBASE_DECL bool realtime_state::on_event(const sse_event& ev, const cancel_token& cancel,
                                           realtime_connection_end& end, bool had_connection) {
    if (ev.event == "PB_CONNECT") return on_connected(ev, cancel, end, had_connection);
    dispatch(ev);
    return still_streaming();
}

BOSBASE_DECL bool realtime_state::on_connected(const sse_event& ev, const cancel_token& cancel,
                                               realtime_connection_end& end, bool had_connection) {
    const std::string id = realtime_client_id(ev);
    if (id.empty()) {
        end.stop_reason = "PB_CONNECT carried no client id";
        return false;
    }
    json body;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (phase_ != phase::connecting && phase_ != phase::subscribed) return false;  // closing or stopping
        registry_.connection_lost();  // the server holds nothing for a new client id
        client_id_ = id;
        phase_ = phase::submitting;
        posting_ = true;
        body = json{{"clientId", id}, {"subscriptions", registry_.begin_post()}};
    }
    std::optional<ClientResponseError> failure;
    {
        request_options o;
        o.deadline = post_deadline_;
        o.cancel = cancel;  // closing the connection ends its POST too
        const auto core = core_.lock();
        if (!core) {
            end.stop_reason = "the client is going away";
            return false;
        }
        try {
            core->perform("POST", "/api/realtime", body, o, {});
        } catch (const ClientResponseError& e) {
            failure = e;
        } catch (const std::exception& e) {
            failure.emplace(url_, 0, json::object(), error_kind::other, e.what());
        }
    }  // The last reference to the core may go here: then shutdown() ran on this thread.
    std::shared_ptr<const connection_callback> on_connect;
    std::shared_ptr<const connection_callback> on_reconnect;
    connection_event info;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (phase_ != phase::submitting || client_id_ != id) return false;  // closing or stopping
        posting_ = false;
        registry_.end_post(!failure);
        if (failure) {
            end.error = failure;
            end.stop_reason = std::string("the subscription request failed: ") + failure->what();
            cv_.notify_all();
            return false;
        }
        phase_ = phase::subscribed;
        end.subscribed = true;
        on_connect = on_connect_;
        on_reconnect = had_connection ? on_reconnect_ : nullptr;
        info.client_id = id;
        info.topics = registry_.keys();
        info.reconnect = had_connection;
        if (had_connection) info.disconnected_at = lost_at_;
    }
    cv_.notify_all();
    if (on_connect) invoke(*on_connect, info);
    if (on_reconnect && still_streaming()) invoke(*on_reconnect, info);
    return still_streaming();
}

BOSBASE_DECL bool realtime_state::still_streaming() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return streaming();
}

BOSBASE_DECL void realtime_state::dispatch(const sse_event& ev) {
    std::vector<listener_ptr> targets;  // destroyed unlocked, at the end
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!streaming()) return;
        targets = registry_.listeners(ev.event);
    }
    if (targets.empty()) return;  // unsubscribed meanwhile
    const realtime_event out = to_realtime_event(ev, max_json_depth_);
    for (const auto& l : targets) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (phase_ == phase::stopping || l->removed) continue;  // removed meanwhile
            running_ = l.get();
        }
        try {
            l->fn(out);
        } catch (const realtime_decode_error& e) {
            report_decode_failure(out.topic, e.what());
        } catch (...) {
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_ = nullptr;
        }
        cv_.notify_all();
    }
}

BOSBASE_DECL void realtime_state::report_decode_failure(const std::string& topic, const char* what) noexcept {
    std::shared_ptr<const error_callback> on_error;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        on_error = on_error_;
    }
    if (!on_error) return;
    try {
        (*on_error)(ClientResponseError(url_, 0, json::object(), error_kind::invalid_response,
                                        "a realtime event on " + topic.substr(0, topic.find('?')) +
                                            " does not fit the requested type: " + what));
    } catch (...) {  // on_error threw, or the error could not be made: the stream goes on
    }
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_REALTIME_STATE_IPP
