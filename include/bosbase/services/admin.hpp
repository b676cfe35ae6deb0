// bosbase-cpp: Superuser services: health, collections, settings, logs, backups, crons.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_ADMIN_HPP
#define BOSBASE_SERVICES_ADMIN_HPP

#include "common.hpp"
#include "../multipart.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace bosbase {

/// @brief GET /api/health (pb.health()).
template <class Transport>
class health_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    /// @brief {"message","code","data"}; with superuser auth `data` has canBackup etc.
    BOSBASE_SPLIT_NOINLINE json check(const request_options& options = {}) const {
        return core().send_json("GET", "/api/health", nullptr, options, {});
    }
};

/// @brief Superuser calls on collections themselves (pb.collections()).
template <class Transport>
class collection_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    BOSBASE_SPLIT_NOINLINE
    json get_list(int page = 1, int per_page = 30, const request_options& options = {}) const {
        return core().send_json("GET", "/api/collections", nullptr,
                                detail::list_request(page, per_page, options), {});
    }

    /// @brief Every collection, `batch` at a time, as a JSON array.
    BOSBASE_SPLIT_NOINLINE
    json get_full_list(int batch = 500, const request_options& options = {}) const {
        return detail::full_list<json>(core(), "/api/collections", batch, options);
    }

    BOSBASE_SPLIT_NOINLINE
    json get_one(std::string_view name_or_id, const request_options& options = {}) const {
        return core().send_json("GET", path(name_or_id), nullptr, options, {});
    }

    /// @brief Creates a collection from its JSON description ({"name", "type", "fields", ...}).
    BOSBASE_SPLIT_NOINLINE
    json create(const json& body, const request_options& options = {}) const {
        return core().send_json("POST", "/api/collections", detail::object_body(body, "a collection body"),
                                options, {});
    }

    BOSBASE_SPLIT_NOINLINE json update(std::string_view name_or_id, const json& body,
                const request_options& options = {}) const {
        return core().send_json("PATCH", path(name_or_id), detail::object_body(body, "a collection body"),
                                options, {});
    }

    /// @brief Deletes the collection and all its records (204).
    BOSBASE_SPLIT_NOINLINE
    void remove(std::string_view name_or_id, const request_options& options = {}) const {
        core().perform("DELETE", path(name_or_id), nullptr, options, {});
    }

    /// @brief Deletes all records of the collection, keeping the collection (204).
    BOSBASE_SPLIT_NOINLINE
    void truncate(std::string_view name_or_id, const request_options& options = {}) const {
        core().perform("DELETE", path(name_or_id) + "/truncate", nullptr, options, {});
    }

    /// @brief Replaces the collections with `collections` (a JSON array); with
    /// delete_missing, collections not in the list are deleted (204).
    BOSBASE_SPLIT_NOINLINE void import_collections(const json& collections, bool delete_missing = false,
                            const request_options& options = {}) const {
        if (!collections.is_array()) {
            throw std::invalid_argument("bosbase: import_collections needs a JSON array of collections");
        }
        core().perform("PUT", "/api/collections/import",
                       json{{"collections", collections}, {"deleteMissing", delete_missing}},
                       options, {});
    }

    /// @brief Templates for new collections: {"auth": {...}, "base": {...}, "view": {...}}.
    BOSBASE_SPLIT_NOINLINE json get_scaffolds(const request_options& options = {}) const {
        return core().send_json("GET", "/api/collections/meta/scaffolds", nullptr,
                                options, {});
    }

private:
    static std::string path(std::string_view name_or_id) {
        detail::require_path_segment(name_or_id, "collection name or id");
        return "/api/collections/" + detail::encode_uri_component(name_or_id);
    }
};

/// @brief Superuser calls on the application settings (pb.settings()).
template <class Transport>
class settings_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    /// @brief All settings (secrets come back masked).
    BOSBASE_SPLIT_NOINLINE json get_all(const request_options& options = {}) const {
        return core().send_json("GET", "/api/settings", nullptr, options, {});
    }

    /// @brief Changes the given settings, e.g. {{"batch", {{"enabled", true}}}}; returns all settings.
    BOSBASE_SPLIT_NOINLINE
    json update(const json& body, const request_options& options = {}) const {
        return core().send_json("PATCH", "/api/settings", detail::object_body(body, "a settings body"),
                                options, {});
    }

    /// @brief Checks the S3 connection of "storage" or "backups" (204).
    BOSBASE_SPLIT_NOINLINE void test_s3(std::string_view filesystem = "storage",
                 const request_options& options = {}) const {
        core().perform("POST", "/api/settings/test/s3", json{{"filesystem", std::string(filesystem)}},
                       options, {});
    }

    /// @brief Sends a test email of `email_template` ("verification", "password-reset",
    /// "email-change", "otp", "login-alert") for a collection's templates (204).
    BOSBASE_SPLIT_NOINLINE
    void test_email(std::string_view collection, std::string_view to_email, std::string_view email_template,
                    const request_options& options = {}) const {
        core().perform("POST", "/api/settings/test/email",
                       json{{"email", std::string(to_email)},
                            {"template", std::string(email_template)},
                            {"collection", std::string(collection)}},
                       options, {});
    }
};

/// @brief Superuser access to the request logs (pb.logs()).
template <class Transport>
class log_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    BOSBASE_SPLIT_NOINLINE
    json get_list(int page = 1, int per_page = 30, const request_options& options = {}) const {
        return core().send_json("GET", "/api/logs", nullptr,
                                detail::list_request(page, per_page, options), {});
    }

    BOSBASE_SPLIT_NOINLINE
    json get_one(std::string_view id, const request_options& options = {}) const {
        detail::require_path_segment(id, "log id");
        return core().send_json("GET", "/api/logs/" + detail::encode_uri_component(id), nullptr,
                                options, {});
    }

    /// @brief Hourly counts [{"total", "date"}, ...]; options.filter narrows them.
    BOSBASE_SPLIT_NOINLINE json get_stats(const request_options& options = {}) const {
        return core().send_json("GET", "/api/logs/stats", nullptr, options, {});
    }
};

/// @brief Superuser calls on backups (pb.backups()).
template <class Transport>
class backup_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    /// @brief [{"key", "size", "modified"}, ...].
    BOSBASE_SPLIT_NOINLINE json get_full_list(const request_options& options = {}) const {
        return core().send_json("GET", "/api/backups", nullptr, options, {});
    }

    /// @brief Starts a backup named `name` ("" lets the server pick one) and waits for it (204).
    BOSBASE_SPLIT_NOINLINE
    void create(std::string_view name = {}, const request_options& options = {}) const {
        core().perform("POST", "/api/backups", json{{"name", std::string(name)}}, options,
                       {});
    }

    /// @brief Restores a backup; the server restarts afterwards (204).
    BOSBASE_SPLIT_NOINLINE
    void restore(std::string_view key, const request_options& options = {}) const {
        core().perform("POST", path(key) + "/restore", nullptr, options, {});
    }

    BOSBASE_SPLIT_NOINLINE
    void remove(std::string_view key, const request_options& options = {}) const {
        core().perform("DELETE", path(key), nullptr, options, {});
    }

    /// @brief URL to download a backup with a superuser file token (from POST /api/files/token).
    /// The URL carries that token: do not log it.
    BOSBASE_SPLIT_NOINLINE std::string download_url(std::string_view file_token, std::string_view key) const {
        return core().url().origin + core().target_for(path(key), query_params{{"token", std::string(file_token)}});
    }

    /// @brief The JS SDK's name for download_url().
    BOSBASE_SPLIT_NOINLINE std::string get_download_url(std::string_view file_token, std::string_view key) const {
        return download_url(file_token, key);
    }

    /// @brief Uploads a backup archive (a .zip made by the server) as multipart field
    /// `file` to POST /api/backups/upload (204). The server refuses other types (400).
    BOSBASE_SPLIT_NOINLINE
    void upload(const file_part& file, const request_options& options = {}) const {
        auto upload = detail::build_multipart(json::object(), file_list{{"file", file}},
                                              core().settings().max_request_bytes);
        core().perform_body("POST", "/api/backups/upload", std::move(upload.bytes), upload.content_type,
                            options, {});
    }

private:
    static std::string path(std::string_view key) {
        detail::require_path_segment(key, "backup key");
        return "/api/backups/" + detail::encode_uri_component(key);
    }
};

/// @brief Superuser calls on the app's cron jobs (pb.crons()).
template <class Transport>
class cron_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using json = typename detail::deferred<bosbase::json, Transport>::type;  // checked per call used

public:
    using detail::service_base<Transport>::service_base;

    /// @brief [{"id", "expression"}, ...].
    BOSBASE_SPLIT_NOINLINE json get_full_list(const request_options& options = {}) const {
        return core().send_json("GET", "/api/crons", nullptr, options, {});
    }

    /// @brief Runs a job now (204).
    BOSBASE_SPLIT_NOINLINE
    void run(std::string_view job_id, const request_options& options = {}) const {
        detail::require_path_segment(job_id, "cron job id");
        core().perform("POST", "/api/crons/" + detail::encode_uri_component(job_id), nullptr,
                       options, {});
    }
};

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_ADMIN_HPP
