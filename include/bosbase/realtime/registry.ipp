// bosbase-cpp: definitions of realtime/registry.hpp (the subscriptions of one realtime connection: topic strings, callbacks, what the server holds.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_REGISTRY_IPP
#define BOSBASE_REALTIME_REGISTRY_IPP

#include "registry.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::pair<std::optional<subscribe_options>, request_options> split_subscribe_options(const request_options& o) {
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

BOSBASE_DECL std::string realtime_topic_key(const std::string& topic,
                                            const std::optional<subscribe_options>& options) {
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

BOSBASE_DECL void realtime_registry::check_key(const std::string& key) {
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

BOSBASE_DECL auto realtime_registry::add(const std::string& key, realtime_callback fn) -> listener_ptr {
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

BOSBASE_DECL bool realtime_registry::remove(const realtime_listener* l, std::vector<listener_ptr>& dropped) {
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

BOSBASE_DECL bool realtime_registry::remove_by_prefix(std::string_view prefix,
                                                      std::vector<listener_ptr>& dropped) {
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

BOSBASE_DECL auto realtime_registry::listeners(const std::string& topic) const -> std::vector<listener_ptr> {
    auto it = find(topic);
    return it == topics_.end() ? std::vector<listener_ptr>() : it->listeners;
}

BOSBASE_DECL std::vector<std::string> realtime_registry::keys() const {
    std::vector<std::string> out;
    out.reserve(topics_.size());
    for (const auto& t : topics_) out.push_back(t.key);
    return out;
}

BOSBASE_DECL bool realtime_registry::on_server(const std::string& key) const {
    auto it = find(key);
    return it != topics_.end() && it->on_server;
}

BOSBASE_DECL bool realtime_registry::dirty() const {
    return stale_ || std::any_of(topics_.begin(), topics_.end(), [](const topic& t) { return !t.on_server; });
}

BOSBASE_DECL json realtime_registry::begin_post() {
    json list = json::array();
    for (auto& t : topics_) {
        t.in_flight = true;
        list.push_back(t.key);
    }
    stale_ = false;  // the server will hold exactly this list, unless it changes meanwhile
    return list;
}

BOSBASE_DECL void realtime_registry::end_post(bool accepted) {
    for (auto& t : topics_) {
        if (accepted && t.in_flight) t.on_server = true;
        t.in_flight = false;
    }
    if (!accepted) stale_ = true;
}

BOSBASE_DECL void realtime_registry::connection_lost() {
    for (auto& t : topics_) t.on_server = t.in_flight = false;
    stale_ = false;
}

BOSBASE_DECL auto realtime_registry::find(const std::string& key) -> typename std::vector<topic>::iterator {
    return std::find_if(topics_.begin(), topics_.end(), [&](const topic& t) { return t.key == key; });
}

BOSBASE_DECL auto realtime_registry::find(const std::string& key) const -> typename std::vector<topic>::const_iterator {
    return std::find_if(topics_.begin(), topics_.end(), [&](const topic& t) { return t.key == key; });
}

BOSBASE_DECL bool realtime_registry::erase_topic(typename std::vector<topic>::iterator& it) {
    const bool held = it->on_server || it->in_flight;
    stale_ = stale_ || held;
    it = topics_.erase(it);
    return held;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_REALTIME_REGISTRY_IPP
