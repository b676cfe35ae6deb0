// bosbase-cpp: definitions of services/redis.hpp (redis_service: BosBase's superuser access to Redis keys (pb.redis()).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_REDIS_IPP
#define BOSBASE_SERVICES_REDIS_IPP

#include "redis.hpp"

namespace bosbase {

BOSBASE_DECL redis_key_page redis_service::list_keys(const redis_list_options& query,
                                                     const request_options& options) const {
    query_params first;
    if (query.cursor) first.emplace_back("cursor", *query.cursor);
    if (query.pattern) first.emplace_back("pattern", *query.pattern);
    if (query.count) first.emplace_back("count", *query.count);
    return detail::fetch_as<redis_key_page>(core(), "GET", keys_path(), nullptr,
                                               detail::with_defaults(std::move(first), options));
}

BOSBASE_DECL redis_entry redis_service::create_key(std::string_view key, const json& value,
                                                   std::optional<std::int64_t> ttl_seconds,
                                                   const request_options& options) const {
    json body{{"key", std::string(key)}, {"value", value}};
    if (ttl_seconds) body["ttlSeconds"] = *ttl_seconds;
    return detail::fetch_as<redis_entry>(core(), "POST", keys_path(), body, options);
}

BOSBASE_DECL redis_entry redis_service::get_key(std::string_view key, const request_options& options) const {
    return detail::fetch_as<redis_entry>(core(), "GET", key_path(key), nullptr, options);
}

BOSBASE_DECL redis_entry redis_service::update_key(std::string_view key, const json& value,
                                                   std::optional<std::int64_t> ttl_seconds,
                                                   const request_options& options) const {
    json body{{"value", value}};
    if (ttl_seconds) body["ttlSeconds"] = *ttl_seconds;
    return detail::fetch_as<redis_entry>(core(), "PUT", key_path(key), body, options);
}

BOSBASE_DECL void redis_service::delete_key(std::string_view key, const request_options& options) const {
    core().perform("DELETE", key_path(key), nullptr, options, {});
}

BOSBASE_DECL std::string redis_service::key_path(std::string_view key) {
    detail::require_path_segment(key, "Redis key");
    return "/api/redis/keys/" + detail::encode_uri_component(key);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_REDIS_IPP
