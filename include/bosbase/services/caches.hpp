// bosbase-cpp: pb.caches(): BosBase's managed caches (/api/cache, superusers).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_CACHES_HPP
#define BOSBASE_SERVICES_CACHES_HPP

#include "common.hpp"
#include "decode.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief A cache's settings as the server reports them. list() adds the statistics.
struct cache_summary {
    std::string name;
    std::int64_t size_bytes = 0;
    std::int64_t default_ttl_seconds = 0;  ///< 0: entries do not expire
    std::int64_t read_timeout_ms = 0;
    std::string created;  ///< "2006-01-02 15:04:05.000Z"
    std::string updated;
    std::optional<std::int64_t> entry_count;  ///< entries in memory
    std::optional<double> hit_rate;           ///< 0 to 1
    std::optional<std::int64_t> hit_count;
    std::optional<std::int64_t> miss_count;
    std::optional<std::int64_t> database_entry_count;
    json raw;
};

/// @brief Settings of create() and update(); unset fields are not sent.
struct cache_settings {
    /// Memory for the cache: the server's default 8 MiB, clamped to 512 KiB ... 512 MiB.
    /// An entry's JSON may have at most size_bytes / 1024 bytes (8 KiB by default).
    std::optional<std::int64_t> size_bytes;
    std::optional<std::int64_t> default_ttl_seconds;  ///< default 300, at most 86400; 0: no expiry
    std::optional<std::int64_t> read_timeout_ms;      ///< default 25, at most 1000
};

/// @brief One entry, as set_entry(), get_entry() and renew_entry() return it.
struct cache_entry {
    std::string cache;
    std::string key;
    json value;
    std::string source;  ///< "cache" (memory) or "database"
    std::optional<std::string> expires_at;  ///< absent when the entry does not expire
    json raw;
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, cache_summary& c) {
    const detail::object_reader<J> r(j, "a cache");
    c.name = r.string("name");
    c.size_bytes = r.integer("sizeBytes");
    c.default_ttl_seconds = r.integer("defaultTTLSeconds");
    c.read_timeout_ms = r.integer("readTimeoutMs");
    c.created = r.string_or_empty("created");
    c.updated = r.string_or_empty("updated");
    c.entry_count = r.optional_integer("entryCount");
    c.hit_rate = r.optional_number("hitRate");
    c.hit_count = r.optional_integer("hitCount");
    c.miss_count = r.optional_integer("missCount");
    c.database_entry_count = r.optional_integer("databaseEntryCount");
    c.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, cache_entry& e) {
    const detail::object_reader<J> r(j, "a cache entry");
    e.cache = r.string("cache");
    e.key = r.string("key");
    auto value = j.find("value");
    if (value == j.end()) r.fail("value", "present");
    e.value = *value;
    e.source = r.string_or_empty("source");
    e.expires_at = r.optional_string("expiresAt");
    e.raw = j;
}

/// @brief BosBase's managed caches (pb.caches()): named caches of JSON values, in
/// memory and in the database. Superusers only.
///
/// The server's rules (BosBase d8bc341): a cache name matches
/// `^[a-zA-Z0-9_.-]{3,64}$` (others: 400 on create and update, 500 on the entry
/// routes); a key has at most 512 bytes; names and keys are trimmed of spaces.
/// **update() and every entry call create a cache that does not exist** (with the
/// default settings), so a misspelt name makes a new cache rather than a 404.
class cache_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief Every cache, sorted by name, with its statistics.
    [[nodiscard]] std::vector<cache_summary> list(const request_options& options = {}) const;

    /// @brief Creates a cache (201); 400 "Failed to create cache." when the name exists
    /// or does not match the server's pattern.
    cache_summary create(std::string_view name, const cache_settings& settings = {},
                                                const request_options& options = {}) const;

    /// @brief Changes the settings that are set (at least one, or the server answers 400).
    /// Creates the cache when it does not exist.
    cache_summary update(std::string_view name, const cache_settings& settings,
                                                const request_options& options = {}) const;

    /// @brief Deletes a cache and its entries (204); 404 "Cache not found.".
    void remove(std::string_view name, const request_options& options = {}) const;

    /// @brief Stores `value` (JSON, or any type with to_json) under `key`. ttl_seconds:
    /// unset for the cache's default, 0 for no expiry. A value whose JSON is larger than
    /// the cache's entry limit gets 400 "The provided value exceeds the cache entry size limit.".
    template <class Value = json>
    cache_entry set_entry(std::string_view cache, std::string_view key, const Value& value,
                                                 std::optional<std::int64_t> ttl_seconds = std::nullopt,
                                                 const request_options& options = {}) const {
        json body{{"value", detail::encode_body(value)}};
        if (ttl_seconds) body["ttlSeconds"] = non_negative(*ttl_seconds, "cache entry ttl_seconds");
        return entry_call("PUT", cache, key, body, options);
    }

    /// @brief The entry; 404 "Cache entry not found." (also once it expired).
    [[nodiscard]] cache_entry get_entry(std::string_view cache, std::string_view key,
                                                               const request_options& options = {}) const;

    /// @brief Gives the entry a new lifetime without changing its value: ttl_seconds from
    /// now (unset: the cache's default, 0: no expiry); 404 for an unknown entry.
    cache_entry renew_entry(std::string_view cache, std::string_view key,
                                                   std::optional<std::int64_t> ttl_seconds = std::nullopt,
                                                   const request_options& options = {}) const;

    /// @brief Deletes the entry (204); 404 "Cache entry not found.".
    void delete_entry(std::string_view cache, std::string_view key,
                                             const request_options& options = {}) const;

private:
    static std::string cache_path(std::string_view name);

    static std::string entry_path(std::string_view cache, std::string_view key);

    // The server reads a negative number as "the default": a TTL of -1 would not mean
    // "forever" as it does elsewhere (0 does), so negative numbers are refused.
    static std::int64_t non_negative(std::int64_t value, const char* what);

    static json settings_body(const cache_settings& s);

    cache_entry entry_call(const char* method, std::string_view cache, std::string_view key, const json& body,
                           const request_options& options) const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "caches.ipp"
#endif

#endif  // BOSBASE_SERVICES_CACHES_HPP
