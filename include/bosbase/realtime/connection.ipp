// bosbase-cpp: definitions of realtime/connection.hpp (one realtime connection: the stream request, reading it, how it ended, and the delay before the next.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_CONNECTION_IPP
#define BOSBASE_REALTIME_CONNECTION_IPP

#include "connection.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL http_request realtime_stream_request(const parsed_base_url& url, std::string target,
                                                  const client_options& settings) {
    http_request req;
    req.method = "GET";
    req.origin = url.origin;
    req.target = std::move(target);
    req.headers = settings.headers;
    auto add_default = [&](const char* name, const std::string& value) {
        if (!value.empty() && !has_header(req.headers, name)) req.headers.emplace_back(name, value);
    };
    add_default("Accept", "text/event-stream");
    add_default("Cache-Control", "no-store");
    add_default("Accept-Language", settings.lang);
    req.connect_timeout = settings.connect_timeout;
    req.write_timeout = settings.timeout;
    req.max_response_bytes = std::size_t(64) << 10;  // only error bodies are collected
    req.decompress = false;
    return req;
}

BOSBASE_DECL std::string realtime_client_id(const sse_event& ev) {
    if (auto data = parse_json(ev.data, 8); data && data->is_object()) {
        auto it = data->find("clientId");
        if (it != data->end() && it->is_string()) return it->get<std::string>();
    }
    return ev.id;
}

BOSBASE_DECL realtime_event to_realtime_event(const sse_event& ev, std::size_t max_json_depth) {
    realtime_event out;
    out.topic = ev.event;
    auto parsed = parse_json(ev.data, max_json_depth);
    out.data = parsed ? std::move(*parsed) : json::object();
    if (out.data.is_object()) {
        auto action = out.data.find("action");
        auto record = out.data.find("record");
        if (action != out.data.end() && action->is_string()) out.action = action->get<std::string>();
        if (record != out.data.end() && record->is_object()) out.record = *record;
    }
    return out;
}

BOSBASE_DECL std::chrono::milliseconds realtime_backoff(std::size_t attempt, const realtime_options& opts,
                                                        std::optional<std::chrono::milliseconds> server_retry,
                                                        std::minstd_rand& rng) {
    const std::int64_t cap = opts.max_reconnect_delay.count();
    std::int64_t base = opts.reconnect_delay.count();
    if (server_retry) base = std::max(base, static_cast<std::int64_t>(server_retry->count()));
    base = std::min(base, cap);
    for (std::size_t i = 0; i < attempt && base < cap; ++i) base = std::min(cap, base * 2);
    if (base <= 1) return std::chrono::milliseconds(base);
    std::uniform_int_distribution<std::int64_t> half(0, base / 2);
    return std::chrono::milliseconds(base - base / 2 + half(rng));
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_REALTIME_CONNECTION_IPP
