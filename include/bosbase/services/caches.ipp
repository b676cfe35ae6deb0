// bosbase-cpp: definitions of services/caches.hpp (pb.caches(): BosBase's managed caches (/api/cache, superusers).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_CACHES_IPP
#define BOSBASE_SERVICES_CACHES_IPP

#include "caches.hpp"

namespace bosbase {

BOSBASE_DECL std::vector<cache_summary> cache_service::list(const request_options& options) const {
    const std::string path = "/api/cache";
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
    auto items = reply.body.is_object() ? reply.body.find("items") : reply.body.end();
    if (items == reply.body.end() || !items->is_array()) {
        throw detail::invalid_response(core(), path, options, reply.status,
                                       "The server's list response has no 'items' array.");
    }
    std::vector<cache_summary> out;
    out.reserve(items->size());
    for (const auto& item : *items) {
        out.push_back(detail::decode_as<cache_summary>(core(), item, reply.status, path, options));
    }
    return out;
}

BOSBASE_DECL cache_summary cache_service::create(std::string_view name, const cache_settings& settings,
                                                 const request_options& options) const {
    json body = settings_body(settings);
    body["name"] = std::string(name);
    const std::string path = "/api/cache";
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options);
    return detail::decode_as<cache_summary>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL cache_summary cache_service::update(std::string_view name, const cache_settings& settings,
                                                 const request_options& options) const {
    const std::string path = cache_path(name);
    const detail::json_reply reply = detail::fetch_json(core(), "PATCH", path, settings_body(settings), options);
    return detail::decode_as<cache_summary>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL void cache_service::remove(std::string_view name, const request_options& options) const {
    core().perform("DELETE", cache_path(name), nullptr, options, {});
}

BOSBASE_DECL cache_entry cache_service::get_entry(std::string_view cache, std::string_view key,
                                                  const request_options& options) const {
    return entry_call("GET", cache, key, nullptr, options);
}

BOSBASE_DECL cache_entry cache_service::renew_entry(std::string_view cache, std::string_view key,
                                                    std::optional<std::int64_t> ttl_seconds,
                                                    const request_options& options) const {
    json body = json::object();
    if (ttl_seconds) body["ttlSeconds"] = non_negative(*ttl_seconds, "cache entry ttl_seconds");
    return entry_call("PATCH", cache, key, body, options);
}

BOSBASE_DECL void cache_service::delete_entry(std::string_view cache, std::string_view key,
                                              const request_options& options) const {
    core().perform("DELETE", entry_path(cache, key), nullptr, options, {});
}

BOSBASE_DECL std::string cache_service::cache_path(std::string_view name) {
    detail::require_path_segment(name, "cache name");
    return "/api/cache/" + detail::encode_uri_component(name);
}

BOSBASE_DECL std::string cache_service::entry_path(std::string_view cache, std::string_view key) {
    detail::require_path_segment(key, "cache key");
    return cache_path(cache) + "/entries/" + detail::encode_uri_component(key);
}

BOSBASE_DECL std::int64_t cache_service::non_negative(std::int64_t value, const char* what) {
    if (value < 0) {
        throw std::invalid_argument(std::string("bosbase: ") + what +
                                    " must not be negative (leave it unset for the server's default)");
    }
    return value;
}

BOSBASE_DECL json cache_service::settings_body(const cache_settings& s) {
    json body = json::object();
    if (s.size_bytes) body["sizeBytes"] = non_negative(*s.size_bytes, "cache size_bytes");
    if (s.default_ttl_seconds) body["defaultTTLSeconds"] = non_negative(*s.default_ttl_seconds, "cache default_ttl_seconds");
    if (s.read_timeout_ms) body["readTimeoutMs"] = non_negative(*s.read_timeout_ms, "cache read_timeout_ms");
    return body;
}

BOSBASE_DECL cache_entry cache_service::entry_call(const char* method, std::string_view cache,
                                                   std::string_view key, const json& body,
                                                   const request_options& options) const {
    const std::string path = entry_path(cache, key);
    const detail::json_reply reply = detail::fetch_json(core(), method, path, body, options);
    return detail::decode_as<cache_entry>(core(), reply.body, reply.status, path, options);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_CACHES_IPP
