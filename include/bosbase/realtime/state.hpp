// bosbase-cpp: One client's realtime connection: subscriptions, the background thread, reconnects.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_STATE_HPP
#define BOSBASE_REALTIME_STATE_HPP

#include "events.hpp"
#include "sse_parser.hpp"
#include "../stream.hpp"
#include "../client_core.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// The subscription string for a topic and options, byte for byte as the JS SDK
/// builds it: `topic?options=<encodeURIComponent(JSON.stringify({query, headers}))>`.
inline std::string realtime_topic_key(const std::string& topic, const std::optional<subscribe_options>& options) {
    if (!options) {
        return topic;
    }
    // Insertion order matters (JSON.stringify keeps it) and a repeated key keeps its
    // first place with the last value, as in a JS object. Written by hand rather
    // than through nlohmann::ordered_json, a second JSON type every TU would compile.
    using members = std::vector<std::pair<std::string, json>>;
    auto set = [](members& m, const std::string& key, json value) {
        for (auto& entry : m) {
            if (entry.first == key) {
                entry.second = std::move(value);
                return;
            }
        }
        m.emplace_back(key, std::move(value));
    };
    auto write = [](std::string& out, const members& m) {
        out += '{';
        for (std::size_t i = 0; i < m.size(); ++i) {
            out += (i == 0 ? "" : ",") + json(m[i].first).dump() + ":" + m[i].second.dump();
        }
        out += '}';
    };
    members query;
    if (options->filter) set(query, "filter", *options->filter);
    if (options->expand) set(query, "expand", *options->expand);
    if (options->fields) set(query, "fields", *options->fields);
    for (const auto& q : options->query) set(query, q.first, q.second);
    members headers;
    for (const auto& h : options->headers) set(headers, h.first, h.second);
    std::string text = "{\"query\":";
    try {
        write(text, query);
        if (!headers.empty()) {
            text += ",\"headers\":";
            write(text, headers);
        }
    } catch (const json::type_error&) {
        throw std::invalid_argument("bosbase: a subscription option is not valid UTF-8");
    }
    text += '}';
    return topic + (topic.find('?') == std::string::npos ? "?" : "&") + "options=" + encode_uri_component(text);
}

/// One client's realtime connection: the subscriptions, the background thread
/// that owns the SSE stream, and the submission of the subscription set.
///
/// Locks: mutex_ guards the fields below it; submit_mutex_ orders the POSTs so the
/// server always ends with the newest set. No user callback runs under either.
/// The thread holds a shared_ptr to this object, never to the client; the client
/// (as a core_extension) stops and joins the thread before it goes away.
template <class Transport>
class realtime_state : public core_extension, public std::enable_shared_from_this<realtime_state<Transport>> {
    using clock = std::chrono::steady_clock;
    using connect_callback = std::function<void(const std::string& client_id)>;
    using disconnect_callback = std::function<void(const realtime_disconnect&)>;

    struct listener {
        std::uint64_t id;
        realtime_callback fn;
    };
    struct topic_entry {
        std::uint64_t order = 0;  // first-subscribe order: the POST lists topics like the JS SDK
        std::vector<std::shared_ptr<const listener>> listeners;
    };

public:
    BOSBASE_SPLIT_NOINLINE explicit realtime_state(client_core<Transport>* core)
        : core_(core),
          stream_transport_(core->transport()),
          max_json_depth_(core->settings().max_json_depth),
          rng_(static_cast<std::uint32_t>(clock::now().time_since_epoch().count() ^
                                          reinterpret_cast<std::uintptr_t>(this))) {}

    realtime_state(const realtime_state&) = delete;
    realtime_state& operator=(const realtime_state&) = delete;

    // Resubmits after every auth change: the server binds a realtime client to the
    // identity of its first subscription and refuses a different one (403), so a
    // new token means a new connection.
    BOSBASE_SPLIT_NOINLINE void attach() {
        token_seen_ = core_->store().token();
        std::weak_ptr<realtime_state> weak = this->shared_from_this();
        listener_id_ = core_->store().on_change([weak](const std::string& token, const json&) {
            if (auto self = weak.lock()) self->on_auth_change(token);
        });
    }

    // --- caller side -------------------------------------------------------

    BOSBASE_SPLIT_NOINLINE subscription subscribe(const std::string& key, realtime_callback fn,
                           const std::function<std::function<void()>(std::uint64_t)>& make_remover) {
        if (key.empty()) {
            throw std::invalid_argument("bosbase: a realtime topic must not be empty");
        }
        if (key.size() > max_topic_bytes) {
            throw std::invalid_argument("bosbase: a realtime topic (options included) must not exceed " +
                                        std::to_string(max_topic_bytes) + " bytes");
        }
        if (!fn) {
            throw std::invalid_argument("bosbase: a realtime callback must not be empty");
        }
        to_utf8_or_throw(key);

        std::uint64_t id = 0;
        std::uint64_t my_gen = 0;
        std::uint64_t failures_at_start = 0;
        std::chrono::milliseconds wait_limit{};
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (stopping_) {
                throw std::invalid_argument("bosbase: the client is shutting down");
            }
            if (topics_.find(key) == topics_.end() && topics_.size() >= max_topics) {
                throw std::invalid_argument("bosbase: the server accepts at most " + std::to_string(max_topics) +
                                            " realtime topics per client");
            }
            id = ++last_listener_id_;
            auto& entry = topics_[key];
            if (entry.listeners.empty()) {
                entry.order = ++last_order_;
                ++generation_;  // a new topic: the server's set must change
            }
            entry.listeners.push_back(std::make_shared<const listener>(listener{id, std::move(fn)}));
            my_gen = generation_;
            failures_at_start = failures_;
            wait_limit = options_.subscribe_timeout;
            start_thread_locked();
        }
        cv_.notify_all();

        const bool on_worker = std::this_thread::get_id() == worker_id_.load();
        const auto deadline = clock::now() + wait_limit;
        try {
            wait_until_submitted(my_gen, failures_at_start, deadline, on_worker);
        } catch (...) {
            remove_listener(id, false);
            throw;
        }
        return subscription(key, make_remover(id));
    }

    // Removes one callback; its topic leaves the server's set when it was the last one.
    // Once it returns (on another thread than the realtime one) the callback is not
    // running and never runs again, so it may capture locals by reference.
    BOSBASE_SPLIT_NOINLINE void remove_listener(std::uint64_t id, bool submit = true) noexcept {
        bool topic_gone = false;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (std::this_thread::get_id() != worker_id_.load()) {
                cv_.wait(lock, [&] { return running_listener_ != id; });
            }
            for (auto it = topics_.begin(); it != topics_.end(); ++it) {
                auto& ls = it->second.listeners;
                auto found = std::find_if(ls.begin(), ls.end(), [&](const auto& l) { return l->id == id; });
                if (found != ls.end()) {
                    ls.erase(found);
                    if (ls.empty()) {
                        topics_.erase(it);
                        topic_gone = true;
                    }
                    break;
                }
            }
        }
        if (topic_gone) topics_changed(submit);
    }

    // Every key k where (k + "?") starts with `prefix` (JS unsubscribeByPrefix; also
    // JS unsubscribe(topic) with prefix = topic + "?" when topic has no '?').
    BOSBASE_SPLIT_NOINLINE void remove_by_prefix(std::string_view prefix) noexcept {
        bool changed = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto it = topics_.begin(); it != topics_.end();) {
                if ((it->first + "?").compare(0, prefix.size(), prefix) == 0) {
                    it = topics_.erase(it);
                    changed = true;
                } else {
                    ++it;
                }
            }
        }
        if (changed) topics_changed(true);
    }

    BOSBASE_SPLIT_NOINLINE void set_on_connect(connect_callback fn) { set_callback(on_connect_, std::move(fn)); }
    BOSBASE_SPLIT_NOINLINE void set_on_reconnect(connect_callback fn) { set_callback(on_reconnect_, std::move(fn)); }
    BOSBASE_SPLIT_NOINLINE
    void set_on_disconnect(disconnect_callback fn) { set_callback(on_disconnect_, std::move(fn)); }

    BOSBASE_SPLIT_NOINLINE void set_options(const realtime_options& o) {
        if (o.max_event_bytes == 0 || o.reconnect_delay.count() < 0 || o.max_reconnect_delay.count() < 0 ||
            o.idle_timeout.count() <= 0 || o.subscribe_timeout.count() < 0) {
            throw std::invalid_argument(
                "bosbase: realtime_options: delays must not be negative, idle_timeout and max_event_bytes must be "
                "positive");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        options_ = o;
    }

    BOSBASE_SPLIT_NOINLINE bool is_connected() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return connected_;
    }

    BOSBASE_SPLIT_NOINLINE std::string client_id() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return connected_ ? client_id_ : std::string();
    }

    BOSBASE_SPLIT_NOINLINE std::vector<std::string> topics() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return topic_list_locked();
    }

    // Called by the client core while it is still whole: stop the stream, join.
    BOSBASE_SPLIT_NOINLINE void shutdown() noexcept override {
        std::optional<cancel_token> cancel;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            cancel = cancel_;
        }
        cv_.notify_all();
        if (listener_id_ != 0) core_->store().remove_listener(listener_id_);
        if (!worker_.joinable()) {
            return;
        }
        if (worker_.get_id() == std::this_thread::get_id()) {
            // The last client handle died inside a callback on the realtime thread:
            // it cannot join itself. It sees stopping_ and ends on its own; it holds
            // this object alive and touches nothing of the client from here on.
            worker_.detach();
            return;
        }
        // A cancel can land before the transport has a socket to stop; repeat it.
        std::unique_lock<std::mutex> lock(mutex_);
        while (!worker_done_) {
            if (cancel_ && cancel_ != cancel) cancel = cancel_;
            lock.unlock();
            if (cancel) cancel->cancel();
            lock.lock();
            cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return worker_done_; });
        }
        lock.unlock();
        worker_.join();
    }

private:
    static constexpr std::size_t max_topic_bytes = 2500;  // the server's limit per subscription
    static constexpr std::size_t max_topics = 1000;       // and per client

    static void to_utf8_or_throw(const std::string& key) {
        try {
            (void)json(key).dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a realtime topic must be valid UTF-8");
        }
    }

    template <class Fn>
    void set_callback(std::shared_ptr<const Fn>& slot, Fn fn) {
        auto ptr = fn ? std::make_shared<const Fn>(std::move(fn)) : nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        slot = std::move(ptr);
    }

    std::vector<std::string> topic_list_locked() const {
        std::vector<std::pair<std::uint64_t, const std::string*>> ordered;
        ordered.reserve(topics_.size());
        for (const auto& t : topics_) ordered.emplace_back(t.second.order, &t.first);
        std::sort(ordered.begin(), ordered.end());
        std::vector<std::string> out;
        out.reserve(ordered.size());
        for (const auto& o : ordered) out.push_back(*o.second);
        return out;
    }

    void start_thread_locked() {
        if (worker_.joinable() || stopping_) {
            return;
        }
        auto self = this->shared_from_this();
        worker_ = std::thread([self] { self->run(); });
        worker_id_.store(worker_.get_id());
    }

    void on_auth_change(const std::string& token) {
        std::optional<cancel_token> cancel;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (token == token_seen_) {
                return;  // a record merge or a refresh that kept the token
            }
            token_seen_ = token;
            if (!in_stream_) {
                return;  // the next connection submits with the new token anyway
            }
            restart_reason_ = "the auth token changed; reconnecting to subscribe with the new identity";
            cancel = cancel_;
        }
        if (cancel) cancel->cancel();
    }

    void topics_changed(bool submit) noexcept {
        std::optional<cancel_token> cancel;
        bool connected = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++generation_;
            if (topics_.empty()) {
                if (in_stream_) {
                    restart_reason_ = "no subscriptions left";
                    cancel = cancel_;
                }
            } else {
                connected = connected_;
            }
        }
        if (cancel) cancel->cancel();  // like the JS SDK: no topics, no connection
        if (submit && connected) {
            try {
                submit_current();
            } catch (...) {  // the topic's events now find no callback and are dropped
            }
        }
    }

    // Blocks until the set of generation `gen` is on the server, or fails.
    void wait_until_submitted(std::uint64_t gen, std::uint64_t failures_at_start, clock::time_point deadline,
                              bool on_worker) {
        std::unique_lock<std::mutex> lock(mutex_);
        while (true) {
            if (connected_ && submitted_gen_ >= gen && submitted_client_ == client_id_) {
                return;
            }
            if (stopping_) {
                throw std::invalid_argument("bosbase: the client is shutting down");
            }
            if (failures_ != failures_at_start && last_error_) {
                throw *last_error_;
            }
            if (connected_) {
                lock.unlock();
                submit_current();
                lock.lock();
                continue;
            }
            if (on_worker) {
                return;  // the realtime thread itself cannot wait for its own connect; it submits on connect
            }
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && clock::now() >= deadline) {
                if (connected_ && submitted_gen_ >= gen && submitted_client_ == client_id_) return;
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.subscribe_timeout);
                throw ClientResponseError(core_->url().origin + core_->url().prefix + "/api/realtime", 0, json::object(),
                                          error_kind::timeout,
                                          "no realtime connection within subscribe_timeout (" +
                                              std::to_string(ms.count()) + " ms)" +
                                              (last_error_ ? std::string("; last attempt: ") + last_error_->what()
                                                           : std::string()));
            }
        }
    }

    // POSTs the current set unless a newer or equal one is already on the server.
    // Throws ClientResponseError (or invalid_argument from a hook's changes).
    void submit_current() {
        std::lock_guard<std::mutex> order(submit_mutex_);
        json body;
        std::uint64_t gen = 0;
        std::string client;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (client_id_.empty() || stopping_ || topics_.empty()) {
                return;  // no topics: the connection is being closed instead
            }
            if (submitted_gen_ >= generation_ && submitted_client_ == client_id_) {
                return;
            }
            gen = generation_;
            client = client_id_;
            body = json{{"clientId", client_id_}, {"subscriptions", topic_list_locked()}};
        }
        request_options opts;
        // Bounded by the read timeout so the client's destructor, which waits for
        // this thread, returns within it.
        opts.deadline = std::min(core_->settings().deadline, core_->settings().timeout);
        core_->perform("POST", "/api/realtime", body, opts, {});
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (client_id_ == client) {
                submitted_gen_ = std::max(submitted_gen_, gen);
                submitted_client_ = client;
            }
        }
        cv_.notify_all();
    }

    // --- the realtime thread ----------------------------------------------

    struct connection_end {
        bool connected = false;  // the subscription set was on the server
        realtime_disconnect info;
        std::optional<ClientResponseError> error;  // why a connect attempt failed
        std::optional<std::chrono::milliseconds> retry;
    };

    void run() noexcept {
        std::size_t attempt = 0;
        bool had_connection = false;
        std::optional<std::chrono::milliseconds> server_retry;
        while (true) {
            std::optional<cancel_token> cancel;
            realtime_options opts;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return stopping_ || !topics_.empty(); });
                if (stopping_) break;
                cancel.emplace();
                cancel_ = cancel;
                in_stream_ = true;
                restart_reason_.clear();
                opts = options_;
            }
            connection_end end = run_connection(*cancel, opts, had_connection);
            std::shared_ptr<const disconnect_callback> on_disconnect;
            bool restart_now = false;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                in_stream_ = false;
                cancel_.reset();
                connected_ = false;
                client_id_.clear();
                if (!restart_reason_.empty()) {
                    end.info.reason = restart_reason_;
                    end.info.kind = error_kind::none;
                    restart_now = true;
                }
                if (!end.connected && !restart_now && !stopping_) {
                    ++failures_;  // what a waiting subscribe() reports
                    last_error_ = end.error;
                }
                if (topics_.empty()) had_connection = false;
                end.info.reconnecting = !stopping_ && !topics_.empty();
                end.info.topics = topic_list_locked();
                // Nothing of the app runs once the client is being destroyed.
                if (!stopping_) on_disconnect = on_disconnect_;
            }
            cv_.notify_all();
            if (end.retry) server_retry = end.retry;
            if (end.connected) {
                had_connection = true;
                attempt = 0;
                if (on_disconnect) invoke(*on_disconnect, end.info);
            }
            if (restart_now) continue;
            auto delay = backoff(attempt++, opts, server_retry);
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait_for(lock, delay, [&] { return stopping_; });
            if (stopping_) break;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            worker_done_ = true;
        }
        cv_.notify_all();
    }

    // Exponential with "equal jitter": half fixed, half random, so many clients
    // that lost the same server do not come back in step. The server's `retry:` may
    // lengthen the first delay up to max_reconnect_delay but never shorten it below
    // reconnect_delay: `retry: 0` from a server that closes every stream at once
    // would otherwise reconnect as fast as the network allows.
    std::chrono::milliseconds backoff(std::size_t attempt, const realtime_options& opts,
                                      std::optional<std::chrono::milliseconds> server_retry) {
        const std::int64_t cap = opts.max_reconnect_delay.count();
        std::int64_t base = opts.reconnect_delay.count();
        if (server_retry) base = std::max(base, server_retry->count());
        base = std::min(base, cap);
        for (std::size_t i = 0; i < attempt && base < cap; ++i) base = std::min(cap, base * 2);
        if (base <= 1) return std::chrono::milliseconds(base);
        std::uniform_int_distribution<std::int64_t> half(0, base / 2);
        return std::chrono::milliseconds(base - base / 2 + half(rng_));
    }

    http_request stream_request(const realtime_options& opts) const {
        http_request req;
        req.method = "GET";
        req.origin = core_->url().origin;
        req.target = core_->target_for("/api/realtime", {});
        // Like EventSource: no Authorization (the POST carries it), no hooks.
        req.headers = core_->settings().headers;
        auto add_default = [&](const char* name, const std::string& value) {
            if (!value.empty() && !has_header(req.headers, name)) req.headers.emplace_back(name, value);
        };
        add_default("Accept", "text/event-stream");
        add_default("Cache-Control", "no-store");
        add_default("Accept-Language", core_->settings().lang);
        req.connect_timeout = core_->settings().connect_timeout;
        req.read_timeout = opts.idle_timeout;
        req.write_timeout = core_->settings().timeout;
        req.max_response_bytes = std::size_t(64) << 10;  // only error bodies are collected
        req.decompress = false;
        return req;
    }

    connection_end run_connection(const cancel_token& cancel, const realtime_options& opts, bool had_connection) {
        connection_end end;
        sse_parser parser(opts.max_event_bytes);
        std::string stop_reason;
        http_request req;
        try {
            req = stream_request(opts);
        } catch (const std::exception& e) {
            end.error.emplace(core_->url().origin, 0, json::object(), error_kind::other, e.what());
            return end;
        }
        const std::string url = redact_url(req.origin + req.target);
        auto on_event = [&](const sse_event& ev) -> bool {
            if (is_stopping()) return false;
            if (ev.event == "PB_CONNECT") {
                return on_connected(ev, end, stop_reason, had_connection, url);
            }
            dispatch(ev);
            return !is_stopping();
        };
        stream_handler on_data = [&](std::string_view chunk) -> bool {
            return !is_stopping() && parser.feed(chunk, on_event);
        };
        try {
            req.cancel = cancel;
            http_response res = stream_transport_.stream(req, on_data);
            if (res.status < 200 || res.status > 299) {
                end.error.emplace(url, res.status, json{{"status", res.status},
                                                        {"message", "The realtime stream was refused."},
                                                        {"data", json::object()}});
                end.info.reason = "GET /api/realtime answered HTTP " + std::to_string(res.status);
            } else if (!parser.error().empty()) {
                end.info.reason = parser.error();
                end.info.kind = error_kind::too_large;
            } else if (!stop_reason.empty()) {
                end.info.reason = stop_reason;
            } else {
                end.info.reason = "the server closed the stream";
            }
        } catch (const transport_error& e) {
            end.info.kind = e.error_kind();
            end.info.reason = e.what();
        } catch (const std::bad_alloc&) {
            end.info.kind = error_kind::other;
            end.info.reason = "out of memory";
        } catch (const std::exception& e) {
            end.info.kind = error_kind::other;
            end.info.reason = e.what();
        } catch (...) {
            end.info.kind = error_kind::other;
            end.info.reason = "the transport threw a non-standard exception";
        }
        if (!end.connected && !end.error) {
            end.error.emplace(url, 0, json::object(), end.info.kind == error_kind::none ? error_kind::receive
                                                                                        : end.info.kind,
                              "realtime connection failed: " + end.info.reason);
        }
        end.retry = parser.retry();
        return end;
    }

    bool is_stopping() {
        std::lock_guard<std::mutex> lock(mutex_);
        return stopping_;
    }

    // PB_CONNECT: take the client id, put the whole set on the server, then tell the app.
    bool on_connected(const sse_event& ev, connection_end& end, std::string& stop_reason, bool had_connection,
                      const std::string& url) {
        std::string id = ev.id;
        if (auto data = parse_json(ev.data, 8); data && data->is_object()) {
            auto it = data->find("clientId");
            if (it != data->end() && it->is_string()) id = it->get<std::string>();
        }
        if (id.empty()) {
            stop_reason = "PB_CONNECT carried no client id";
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            client_id_ = id;
            connected_ = true;  // lets subscribe() callers submit themselves meanwhile
        }
        try {
            // A subscribe() between snapshot and answer makes the set stale; go again.
            for (int i = 0; i < 4; ++i) {
                submit_current();
                std::lock_guard<std::mutex> lock(mutex_);
                if (submitted_gen_ >= generation_ || stopping_) break;
            }
        } catch (const ClientResponseError& e) {
            end.error = e;
            stop_reason = std::string("the subscription request failed: ") + e.what();
            std::lock_guard<std::mutex> lock(mutex_);
            connected_ = false;
            return false;
        } catch (const std::exception& e) {
            end.error.emplace(url, 0, json::object(), error_kind::other, e.what());
            stop_reason = std::string("the subscription request failed: ") + e.what();
            std::lock_guard<std::mutex> lock(mutex_);
            connected_ = false;
            return false;
        }
        end.connected = true;
        std::shared_ptr<const connect_callback> on_connect;
        std::shared_ptr<const connect_callback> on_reconnect;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            on_connect = on_connect_;
            on_reconnect = had_connection ? on_reconnect_ : nullptr;
        }
        cv_.notify_all();
        if (on_connect) invoke(*on_connect, id);
        if (on_reconnect && !is_stopping()) invoke(*on_reconnect, id);
        return !is_stopping();
    }

    void dispatch(const sse_event& ev) {
        std::vector<std::shared_ptr<const listener>> targets;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = topics_.find(ev.event);
            if (it == topics_.end()) return;  // unsubscribed meanwhile
            targets = it->second.listeners;
        }
        realtime_event out;
        out.topic = ev.event;
        auto parsed = parse_json(ev.data, max_json_depth_);
        out.data = parsed ? std::move(*parsed) : json::object();
        if (out.data.is_object()) {
            auto action = out.data.find("action");
            auto record = out.data.find("record");
            if (action != out.data.end() && action->is_string()) out.action = action->get<std::string>();
            if (record != out.data.end() && record->is_object()) out.record = *record;
        }
        for (const auto& l : targets) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (stopping_ || !still_listed(ev.event, l->id)) continue;  // removed meanwhile
                running_listener_ = l->id;
            }
            invoke(l->fn, out);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                running_listener_ = 0;
            }
            cv_.notify_all();
        }
    }

    bool still_listed(const std::string& topic, std::uint64_t id) const {
        auto it = topics_.find(topic);
        return it != topics_.end() && std::any_of(it->second.listeners.begin(), it->second.listeners.end(),
                                                  [&](const auto& l) { return l->id == id; });
    }

    // A callback that throws is skipped: the exception is dropped, the stream and
    // the other callbacks go on (as with auth_store listeners).
    template <class Fn, class Arg>
    static void invoke(const Fn& fn, const Arg& arg) noexcept {
        try {
            fn(arg);
        } catch (...) {
        }
    }

    client_core<Transport>* core_;  // valid while the thread runs: the client joins it first
    Transport stream_transport_;    // the thread's own copy, so it never reaches into the client
    std::size_t max_json_depth_;
    std::minstd_rand rng_;          // used by the realtime thread only
    auth_store::listener_id listener_id_ = 0;

    std::mutex submit_mutex_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, topic_entry> topics_;
    std::uint64_t last_listener_id_ = 0;
    std::uint64_t running_listener_ = 0;  // the callback the realtime thread is in
    std::uint64_t last_order_ = 0;
    std::uint64_t generation_ = 0;     // bumped on every change of the topic set
    std::uint64_t submitted_gen_ = 0;  // newest set the server accepted ...
    std::string submitted_client_;     // ... for this client id
    std::string client_id_;
    bool connected_ = false;
    bool in_stream_ = false;
    bool stopping_ = false;
    bool worker_done_ = false;
    std::string restart_reason_;
    std::string token_seen_;
    std::uint64_t failures_ = 0;
    std::optional<ClientResponseError> last_error_;
    std::optional<cancel_token> cancel_;
    realtime_options options_;
    std::shared_ptr<const connect_callback> on_connect_;
    std::shared_ptr<const connect_callback> on_reconnect_;
    std::shared_ptr<const disconnect_callback> on_disconnect_;
    std::thread worker_;
    std::atomic<std::thread::id> worker_id_{};
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_REALTIME_STATE_HPP
