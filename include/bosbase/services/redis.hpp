// bosbase-cpp: redis_service: BosBase's superuser access to Redis keys (pb.redis()).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_REDIS_HPP
#define BOSBASE_SERVICES_REDIS_HPP

#include "shapes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief One key of a redis_key_page.
struct redis_key {
    std::string key;
    json raw;  ///< the item as the server sent it
};

/// @brief One SCAN step over the whole Redis database (redis_service::list_keys).
struct redis_key_page {
    /// Where the next step starts; "0" when the scan is complete. Redis may return
    /// fewer keys than `count` (even none) before the scan is complete.
    std::string cursor;
    std::vector<redis_key> items;
    json raw;  ///< the answer as the server sent it, without `items` (each has its own raw)

    /// @brief True when this was the last step of the scan (cursor "0").
    [[nodiscard]] bool done() const noexcept { return cursor == "0"; }
};

/// @brief A key, its value and its time to live.
struct redis_entry {
    std::string key;
    json value;                               ///< any JSON, as stored
    std::optional<std::int64_t> ttl_seconds;  ///< absent when the key does not expire
    json raw;                                 ///< the answer as the server sent it
};

/// @brief The query of redis_service::list_keys; unset fields are left out.
struct redis_list_options {
    std::optional<std::string> cursor;    ///< where to go on ("0" or unset: from the start)
    std::optional<std::string> pattern;   ///< a SCAN MATCH glob, e.g. "session:*"
    std::optional<std::int64_t> count;    ///< a SCAN COUNT hint; the server caps it at 1000, refuses < 1
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, redis_key& out) {
    const detail::object_reader<J> r(j, "a Redis key item");
    out.key = r.string("key");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, redis_key_page& out) {
    const detail::object_reader<J> r(j, "a Redis key page");
    out.cursor = r.string("cursor");
    const J& items = r.array("items", true);
    out.items.clear();
    out.items.reserve(items.size());
    for (const auto& item : items) out.items.push_back(item.template get<redis_key>());
    out.raw = detail::raw_without(j, {"items"});
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, redis_entry& out) {
    const detail::object_reader<J> r(j, "a Redis entry");
    out.key = r.string("key");
    // Any JSON, null included, so only a missing member is wrong.
    const auto value = j.find("value");
    if (value == j.end()) r.fail("value", "present");
    out.value = *value;
    out.ttl_seconds = r.optional_integer("ttlSeconds");
    out.raw = j;
}

/// @brief Redis keys through BosBase (pb.redis(); superuser only). The server has these
/// routes only when it was started with REDIS_URL; without it every call is a 404.
/// Values are any JSON, stored as JSON text under the plain key.
class redis_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief One SCAN step: GET /api/redis/keys?cursor=&pattern=&count=. Start with no
    /// cursor and go on with page.cursor until page.done().
    [[nodiscard]] redis_key_page list_keys(const redis_list_options& query = {},
                                                                  const request_options& options = {}) const;

    /// @brief Creates a key that does not exist yet (201); 409 "Key already exists." otherwise.
    /// Without a TTL the key does not expire.
    redis_entry create_key(std::string_view key, const json& value,
                                                  std::optional<std::int64_t> ttl_seconds = std::nullopt,
                                                  const request_options& options = {}) const;

    /// @brief The key's value and TTL; 404 "Key not found.".
    [[nodiscard]] redis_entry get_key(std::string_view key,
                                                             const request_options& options = {}) const;

    /// @brief Replaces the value of an existing key (no upsert: 404 "Key not found.").
    /// Without a TTL the key keeps the one it has; 0 makes it persistent.
    redis_entry update_key(std::string_view key, const json& value,
                                                  std::optional<std::int64_t> ttl_seconds = std::nullopt,
                                                  const request_options& options = {}) const;

    /// @brief Deletes the key (204); 404 "Key not found.".
    void delete_key(std::string_view key, const request_options& options = {}) const;

private:
    static std::string keys_path() { return "/api/redis/keys"; }

    static std::string key_path(std::string_view key);
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "redis.ipp"
#endif

#endif  // BOSBASE_SERVICES_REDIS_HPP
