// bosbase-cpp: definitions of pubsub/protocol.hpp (the /api/pubsub wire format: frames out, frames in, and the socket URL.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_PROTOCOL_IPP
#define BOSBASE_PUBSUB_PROTOCOL_IPP

#include "protocol.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::optional<pubsub_frame> parse_pubsub_frame(const std::string& text, std::size_t max_depth) {
    auto parsed = parse_json(text, max_depth);
    if (!parsed || !parsed->is_object()) return std::nullopt;
    json& obj = *parsed;
    auto string_of = [&](const char* key) {
        auto it = obj.find(key);
        return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto type = obj.find("type");
    if (type == obj.end() || !type->is_string()) return std::nullopt;
    pubsub_frame f;
    f.type = type->get<std::string>();
    f.request_id = string_of("requestId");
    f.client_id = string_of("clientId");
    f.id = string_of("id");
    f.topic = string_of("topic");
    f.created = string_of("created");
    f.message = string_of("message");
    auto data = obj.find("data");
    if (data != obj.end()) f.data = std::move(*data);
    return f;
}

BOSBASE_DECL std::string pubsub_request_frame(std::string_view type, const std::string* topic,
                                              const std::string& request_id, const std::string* data_json) {
    std::string out = "{\"type\":" + json(std::string(type)).dump();
    if (topic) out += ",\"topic\":" + json(*topic).dump();
    if (data_json) out += ",\"data\":" + *data_json;
    out += ",\"requestId\":" + json(request_id).dump() + "}";
    return out;
}

BOSBASE_DECL std::string pubsub_url(const parsed_base_url& url) {
    return websocket_origin(url.origin) + url.prefix + "/api/pubsub";
}

BOSBASE_DECL void check_pubsub_topic(const std::string& topic) {
    if (topic.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw std::invalid_argument("bosbase: a pub/sub topic must not be empty");
    }
    try {
        (void)json(topic).dump();
    } catch (const json::type_error&) {
        throw std::invalid_argument("bosbase: a pub/sub topic must be valid UTF-8");
    }
}

BOSBASE_DECL void pubsub_recent_ids::add(const std::string& id) {
    if (id.empty() || !ids_.insert(id).second) return;
    order_.push_back(id);
    if (order_.size() > capacity) {
        ids_.erase(order_.front());
        order_.pop_front();
    }
}

BOSBASE_DECL pubsub_realtime_message to_realtime_message(const pubsub_message& m) {
    pubsub_realtime_message out;
    out.topic = m.topic;
    out.id = m.id;
    out.created = m.created;
    if (m.data.is_object()) {
        auto ev = m.data.find("event");
        if (ev != m.data.end() && ev->is_string()) out.event = ev->get<std::string>();
        auto ref = m.data.find("ref");
        if (ref != m.data.end() && ref->is_string()) out.ref = ref->get<std::string>();
        auto payload = m.data.find("payload");
        out.payload = payload != m.data.end() ? *payload : m.data;
    } else {
        out.payload = m.data;
    }
    return out;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_PROTOCOL_IPP
