// bosbase-cpp: The subscriptions of one realtime connection: topic strings, callbacks, what the server holds.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_REGISTRY_HPP
#define BOSBASE_REALTIME_REGISTRY_HPP

#include "events.hpp"
#include "../detail/text.hpp"
#include "../options.hpp"
#include "../transport.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// The subscription string for a topic and options, byte for byte as the JS SDK
/// builds it: `topic?options=<encodeURIComponent(JSON.stringify({query, headers}))>`.
/// A subscribe call's request_options apart: filter, expand, fields, query and headers are the
/// subscription's own (none of them: no `?options=`), the rest bounds the call.
inline std::pair<std::optional<subscribe_options>, request_options> split_subscribe_options(const request_options& o) {
    std::pair<std::optional<subscribe_options>, request_options> out{std::nullopt, o};
    if (o.filter || o.expand || o.fields || !o.query.empty() || !o.headers.empty()) {
        subscribe_options s;
        s.filter = o.filter;
        s.expand = o.expand;
        s.fields = o.fields;
        s.query = o.query;
        s.headers = o.headers;
        out.first = std::move(s);
        out.second.filter.reset();
        out.second.expand.reset();
        out.second.fields.reset();
        out.second.query.clear();
        out.second.headers.clear();
    }
    return out;
}

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

/// One callback of one topic. The subscription handle reaches it through a weak_ptr,
/// so its address is its identity and no id counter is needed.
struct realtime_listener {
    realtime_listener(std::string k, realtime_callback f) : key(std::move(k)), fn(std::move(f)) {}
    const std::string key;
    const realtime_callback fn;
    bool removed = false;  // guarded by the lock of the registry's owner
};

/// The topics of one client in first-subscribe order (the order the POST lists them
/// in, like the JS SDK), their callbacks, and how the local set relates to the one
/// the server holds for the current connection. Not synchronised: realtime_state
/// calls it under its one lock. Removed listeners are handed back to the caller,
/// which destroys them after unlocking (a callback's captures may own the client).
class realtime_registry {
public:
    static constexpr std::size_t max_topic_bytes = 2500;  // the server's limit per subscription
    static constexpr std::size_t max_topics = 1000;       // and per client

    using listener_ptr = std::shared_ptr<realtime_listener>;

    static void check_key(const std::string& key) {
        if (key.empty()) {
            throw std::invalid_argument("bosbase: a realtime topic must not be empty");
        }
        if (key.size() > max_topic_bytes) {
            throw std::invalid_argument("bosbase: a realtime topic (options included) must not exceed " +
                                        std::to_string(max_topic_bytes) + " bytes");
        }
        try {
            (void)json(key).dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a realtime topic must be valid UTF-8");
        }
    }

    bool empty() const noexcept { return topics_.empty(); }

    /// Adds a callback; a new topic is neither on the server nor on its way there.
    listener_ptr add(const std::string& key, realtime_callback fn) {
        auto it = find(key);
        if (it == topics_.end() && topics_.size() >= max_topics) {
            throw std::invalid_argument("bosbase: the server accepts at most " + std::to_string(max_topics) +
                                        " realtime topics per client");
        }
        auto made = std::make_shared<realtime_listener>(key, std::move(fn));
        if (it == topics_.end()) {
            topics_.push_back(topic{key, false, false, {}});
            it = std::prev(topics_.end());
        }
        it->listeners.push_back(made);
        return made;
    }

    /// Removes one listener (moved into `dropped`). True when its topic went away
    /// while the server may still hold it: the server's set is then larger than ours.
    bool remove(const realtime_listener* l, std::vector<listener_ptr>& dropped) {
        if (l == nullptr || l->removed) return false;
        auto it = find(l->key);
        if (it == topics_.end()) return false;
        auto& ls = it->listeners;
        auto found = std::find_if(ls.begin(), ls.end(), [&](const listener_ptr& p) { return p.get() == l; });
        if (found == ls.end()) return false;
        (*found)->removed = true;
        dropped.push_back(std::move(*found));
        ls.erase(found);
        return ls.empty() && erase_topic(it);
    }

    /// Removes every topic whose string + "?" starts with `prefix` (the JS SDK's
    /// unsubscribeByPrefix). True as for remove().
    bool remove_by_prefix(std::string_view prefix, std::vector<listener_ptr>& dropped) {
        bool server_may_hold = false;
        for (auto it = topics_.begin(); it != topics_.end();) {
            if ((it->key + "?").compare(0, prefix.size(), prefix) == 0) {
                for (auto& l : it->listeners) {
                    l->removed = true;
                    dropped.push_back(std::move(l));
                }
                it->listeners.clear();
                server_may_hold = erase_topic(it) || server_may_hold;
            } else {
                ++it;
            }
        }
        return server_may_hold;
    }

    std::vector<listener_ptr> listeners(const std::string& topic) const {
        auto it = find(topic);
        return it == topics_.end() ? std::vector<listener_ptr>() : it->listeners;
    }

    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        out.reserve(topics_.size());
        for (const auto& t : topics_) out.push_back(t.key);
        return out;
    }

    /// The server confirmed a set that held this topic (on the current connection).
    bool on_server(const std::string& key) const {
        auto it = find(key);
        return it != topics_.end() && it->on_server;
    }

    /// The server's set is not (or may not be) ours: something to POST.
    bool dirty() const {
        return stale_ || std::any_of(topics_.begin(), topics_.end(), [](const topic& t) { return !t.on_server; });
    }

    /// The whole set for a POST; every topic in it is on its way to the server.
    json begin_post() {
        json list = json::array();
        for (auto& t : topics_) {
            t.in_flight = true;
            list.push_back(t.key);
        }
        stale_ = false;  // the server will hold exactly this list, unless it changes meanwhile
        return list;
    }

    /// The POST begun last ended. Accepted: what it carried is on the server. Failed:
    /// the server kept its old set or took the new one; topics confirmed before are in
    /// both, but it may hold topics we have dropped since.
    void end_post(bool accepted) {
        for (auto& t : topics_) {
            if (accepted && t.in_flight) t.on_server = true;
            t.in_flight = false;
        }
        if (!accepted) stale_ = true;
    }

    /// A new connection: the server holds nothing for it yet.
    void connection_lost() {
        for (auto& t : topics_) t.on_server = t.in_flight = false;
        stale_ = false;
    }

private:
    struct topic {
        std::string key;
        bool in_flight;  // in the POST under way
        bool on_server;  // in a set the server accepted on this connection
        std::vector<listener_ptr> listeners;
    };

    typename std::vector<topic>::iterator find(const std::string& key) {
        return std::find_if(topics_.begin(), topics_.end(), [&](const topic& t) { return t.key == key; });
    }
    typename std::vector<topic>::const_iterator find(const std::string& key) const {
        return std::find_if(topics_.begin(), topics_.end(), [&](const topic& t) { return t.key == key; });
    }

    bool erase_topic(typename std::vector<topic>::iterator& it) {
        const bool held = it->on_server || it->in_flight;
        stale_ = stale_ || held;
        it = topics_.erase(it);
        return held;
    }

    std::vector<topic> topics_;  // a linear search: at most max_topics, usually a handful
    bool stale_ = false;         // the server may hold topics that are no longer here
};


}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_REALTIME_REGISTRY_HPP
