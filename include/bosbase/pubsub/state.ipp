// bosbase-cpp: definitions of pubsub/state.hpp (one client's pub/sub WebSocket: the calls, on the machinery of machine.hpp.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_STATE_IPP
#define BOSBASE_PUBSUB_STATE_IPP

#include "state.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::shared_ptr<pubsub_state> pubsub_state::make(core_type& core) {
    auto made = std::make_shared<pubsub_state>(core);
    std::weak_ptr<pubsub_state> weak = made;
    core.store().on_change(
        [weak](const std::string& token, const json&) {
            if (auto self = weak.lock()) self->on_auth_change(token);
        },
        true);
    return made;
}

BOSBASE_DECL publish_ack pubsub_state::publish(const std::string& topic, const json& data,
                                               const request_options& options) {
    check_pubsub_topic(topic);
    std::string body;
    try {
        body = data.dump();
    } catch (const json::type_error&) {
        throw std::invalid_argument("bosbase: pub/sub data must be valid UTF-8");
    }
    // The server's own limit, on the JSON text it receives: what it would refuse is not sent.
    // max_message_bytes caps what this client receives, not what others may.
    if (body.size() > pubsub_max_data_bytes) {
        throw error(error_kind::too_large, "the message data is " + std::to_string(body.size()) +
                                               " bytes of JSON; the server takes at most " +
                                               std::to_string(pubsub_max_data_bytes));
    }
    call c(*this, options);
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

BOSBASE_DECL subscription pubsub_state::subscribe(const std::string& topic, pubsub_callback fn,
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
    t->failed.reset();  // a refused topic gets a fresh try
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

BOSBASE_DECL void pubsub_state::remove(const listener* l) noexcept {
    std::vector<listener_ptr> dropped;  // destroyed unlocked: a callback's captures may own the client
    std::unique_lock<std::mutex> lock(mutex_);
    drop_locked(lock, l, dropped);
}

BOSBASE_DECL void pubsub_state::unsubscribe(const std::string& topic) noexcept {
    std::vector<listener_ptr> dropped;
    std::unique_lock<std::mutex> lock(mutex_);
    std::vector<listener_ptr> targets;
    for (auto& t : topics_) {
        if (topic.empty() || t.name == topic) targets.insert(targets.end(), t.listeners.begin(), t.listeners.end());
    }
    for (auto& l : targets) drop_locked(lock, l.get(), dropped);
}

BOSBASE_DECL void pubsub_state::disconnect() noexcept {
    std::vector<listener_ptr> dropped;
    std::unique_lock<std::mutex> lock(mutex_);
    keep_open_ = false;
    std::vector<listener_ptr> targets;
    for (auto& t : topics_) targets.insert(targets.end(), t.listeners.begin(), t.listeners.end());
    // The reason goes with the close the last topic makes: on_disconnect reports that one.
    for (auto& l : targets) drop_locked(lock, l.get(), dropped, "disconnect() was called");
    close_locked(lock, "disconnect() was called", false);
}

BOSBASE_DECL pubsub_state::call::call(pubsub_state& s, const request_options& o)
    : state(s), has_deadline(o.deadline.has_value()) {
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

BOSBASE_DECL bool pubsub_state::call::canceled() const {
    return (tokens[0] && tokens[0]->is_canceled()) || (tokens[1] && tokens[1]->is_canceled());
}

BOSBASE_DECL ClientResponseError pubsub_state::call::late(clock::time_point limit, const std::string& what,
                                                          std::chrono::milliseconds stage) const {
    const bool caller = has_deadline && limit == deadline;
    return state.error(caller ? error_kind::deadline : error_kind::timeout,
                       what + " within " + (caller ? "its deadline" : std::to_string(stage.count()) + " ms") +
                           (state.last_failure_.empty() ? "" : "; last attempt: " + state.last_failure_));
}

BOSBASE_DECL void pubsub_state::fail_pending(std::unique_lock<std::mutex>&, const std::string& id,
                                             ClientResponseError e) {
    pending_.erase(id);
    throw e;
}

BOSBASE_DECL void pubsub_state::start_threads_locked() {
    if (reader_.joinable() || phase_ == phase::stopping || threads_started_) return;
    threads_started_ = true;
    auto self = this->shared_from_this();
    reader_ = std::thread([self] { self->run(); });
    dispatcher_ = std::thread([self] { self->dispatch_loop(); });
    keeper_ = std::thread([self] { self->keep_loop(); });
}

BOSBASE_DECL void pubsub_state::wait_ready(std::unique_lock<std::mutex>& lock, const call& c) {
    start_threads_locked();
    cv_.notify_all();
    const auto limit = std::min(c.deadline, clock::now() + c.opts.connect_timeout);
    const std::uint64_t refusals = refusal_seq_;
    while (phase_ != phase::ready) {
        if (phase_ == phase::stopping) throw destroyed();
        if (refusal_seq_ != refusals && refusal_) throw *refusal_;
        if (phase_ == phase::closing && close_idle_ && !reconnect_now_) {
            // Closed for want of use, and now wanted: a new socket at once, no backoff.
            reconnect_now_ = true;
            cv_.notify_all();
        }
        if (c.canceled()) throw aborted("while it waited for the connection");
        if (clock::now() >= limit) throw c.late(limit, "no pub/sub connection", c.opts.connect_timeout);
        cv_.wait_until(lock, limit);
    }
}

BOSBASE_DECL void pubsub_state::drop_locked(std::unique_lock<std::mutex>& lock, const listener* l,
                                            std::vector<listener_ptr>& dropped, const char* reason) {
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
        close_locked(lock, reason, false);
    } else if (held && phase_ == phase::ready) {
        send_locked(lock, pubsub_request_frame("unsubscribe", &name, next_id()));  // its ack is not awaited
    }
}

BOSBASE_DECL void pubsub_state::on_auth_change(const std::string& token) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (token == token_seen_) return;
    token_seen_ = token;
    close_locked(lock, "the auth token changed; reconnecting under the new identity", true);
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_STATE_IPP
