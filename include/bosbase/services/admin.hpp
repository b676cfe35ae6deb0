// bosbase-cpp: Superuser services: health, collections, settings, logs, backups, crons.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_ADMIN_HPP
#define BOSBASE_SERVICES_ADMIN_HPP

#include "common.hpp"
#include "shapes.hpp"
#include "../multipart.hpp"
#include "transfers.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief One field of a collection_schema.
struct collection_field_schema {
    std::string name;
    std::string type;  ///< "text", "number", "relation", "vector", ...
    bool required = false;
    bool system = false;
    bool hidden = false;
    json raw;  ///< the field as the server sent it
};

/// @brief A collection's fields in short (BosBase: collection_service::get_schema).
struct collection_schema {
    std::string name;
    std::string type;  ///< "base", "auth" or "view"
    std::vector<collection_field_schema> fields;
    json raw;  ///< the schema as the server sent it, without `fields` (each has its own raw)
};

/// @brief A table for collection_service::import_sql_tables: `sql` (when not empty) is
/// run first, then the table `name` is registered as a collection.
struct sql_table_definition {
    std::string name;
    std::string sql;
};

/// @brief What collection_service::import_sql_tables answers.
struct sql_import_result {
    json created;                      ///< the new collections (a JSON array of collection models)
    std::vector<std::string> skipped;  ///< tables that already had a collection
    json raw;                          ///< the answer as the server sent it
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, collection_field_schema& out) {
    const detail::object_reader<J> r(j, "a schema field");
    out.name = r.string("name");
    out.type = r.string("type");
    // The server leaves these out when false.
    out.required = r.find("required") != nullptr && r.boolean("required");
    out.system = r.find("system") != nullptr && r.boolean("system");
    out.hidden = r.find("hidden") != nullptr && r.boolean("hidden");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, collection_schema& out) {
    const detail::object_reader<J> r(j, "a collection schema");
    out.name = r.string("name");
    out.type = r.string("type");
    const J& fields = r.array("fields", true);
    out.fields.clear();
    out.fields.reserve(fields.size());
    for (const auto& f : fields) out.fields.push_back(f.template get<collection_field_schema>());
    out.raw = detail::raw_without(j, {"fields"});
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, sql_import_result& out) {
    const detail::object_reader<J> r(j, "an SQL import result");
    out.created = r.array("created", true);
    out.skipped = r.strings("skipped");
    out.raw = j;
}

/// @brief GET /api/health (pb.health()).
class health_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief {"message","code","data"}; with superuser auth `data` has canBackup etc.
    json check(const request_options& options = {}) const;
};

/// @brief Superuser calls on collections themselves (pb.collections()).
class collection_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    json get_list(int page = 1, int per_page = 30, const request_options& options = {}) const;

    /// @brief Every collection, `batch` at a time, as a JSON array.
    json get_full_list(int batch = 500, const request_options& options = {}) const;

    json get_one(std::string_view name_or_id, const request_options& options = {}) const;

    /// @brief Creates a collection from its JSON description ({"name", "type", "fields", ...}).
    json create(const json& body, const request_options& options = {}) const;

    json update(std::string_view name_or_id, const json& body,
                const request_options& options = {}) const;

    /// @brief Deletes the collection and all its records (204).
    void remove(std::string_view name_or_id, const request_options& options = {}) const;

    /// @brief Deletes all records of the collection, keeping the collection (204).
    void truncate(std::string_view name_or_id, const request_options& options = {}) const;

    /// @brief Replaces the collections with `collections` (a JSON array); with
    /// delete_missing, collections not in the list are deleted (204).
    void import_collections(const json& collections, bool delete_missing = false,
                            const request_options& options = {}) const;

    /// @brief Templates for new collections: {"auth": {...}, "base": {...}, "view": {...}}.
    json get_scaffolds(const request_options& options = {}) const;

    // --- BosBase: schemas and SQL tables ----------------------------------

    /// @brief The collection's fields in short: GET /api/collections/{name}/schema (404 for
    /// an unknown collection). Base collections also list createdBy and updatedBy.
    [[nodiscard]] collection_schema get_schema(std::string_view name_or_id,
                                                                      const request_options& options = {}) const;

    /// @brief Every collection's schema: GET /api/collections/schemas ({collections: [...]}).
    [[nodiscard]] std::vector<collection_schema> get_all_schemas(
        const request_options& options = {}) const;

    /// @brief Registers existing database tables as collections: POST
    /// /api/collections/sql/tables {tables}. Returns the new collections (a JSON array;
    /// tables already registered are left out). The server adds the columns created,
    /// updated, createdBy and updatedBy to each table.
    json register_sql_tables(const std::vector<std::string>& tables,
                                                    const request_options& options = {}) const;

    /// @brief Runs each definition's `sql` (when not empty), then registers table `name`
    /// as a collection, all in one transaction: POST /api/collections/sql/import.
    sql_import_result import_sql_tables(const std::vector<sql_table_definition>& tables,
                                                               const request_options& options = {}) const;

private:
    static std::string path(std::string_view name_or_id);
};

/// @brief Superuser calls on the application settings (pb.settings()).
class settings_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief All settings (secrets come back masked).
    json get_all(const request_options& options = {}) const;

    /// @brief Changes the given settings, e.g. {{"batch", {{"enabled", true}}}}; returns all settings.
    json update(const json& body, const request_options& options = {}) const;

    /// @brief Checks the S3 connection of "storage" or "backups" (204).
    void test_s3(std::string_view filesystem = "storage",
                 const request_options& options = {}) const;

    /// @brief Signs an Apple "Sign in with Apple" client secret (a JWT, ES256) and returns
    /// it: POST /api/settings/apple/generate-client-secret. `private_key` is the PKCS #8
    /// PEM of the key `key_id` (10 characters) of team `team_id` (10 characters); it is
    /// scrubbed from every error text. `duration_seconds` is 1 to 15777000 (about 6 months).
    std::string generate_apple_client_secret(std::string_view client_id,
                                                                    std::string_view team_id,
                                                                    std::string_view key_id,
                                                                    std::string_view private_key,
                                                                    std::int64_t duration_seconds,
                                                                    const request_options& options = {}) const;

    /// @brief Sends a test email of `email_template` ("verification", "password-reset",
    /// "email-change", "otp", "login-alert") for a collection's templates (204).
    void test_email(std::string_view collection, std::string_view to_email, std::string_view email_template,
                    const request_options& options = {}) const;
};

/// @brief Superuser access to the request logs (pb.logs()).
class log_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    json get_list(int page = 1, int per_page = 30, const request_options& options = {}) const;

    json get_one(std::string_view id, const request_options& options = {}) const;

    /// @brief Hourly counts [{"total", "date"}, ...]; options.filter narrows them.
    json get_stats(const request_options& options = {}) const;
};

/// @brief Superuser calls on backups (pb.backups()).
class backup_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief [{"key", "size", "modified"}, ...].
    json get_full_list(const request_options& options = {}) const;

    /// @brief Starts a backup named `name` ("" lets the server pick one) and waits for it (204).
    void create(std::string_view name = {}, const request_options& options = {}) const;

    /// @brief Restores a backup; the server restarts afterwards (204).
    void restore(std::string_view key, const request_options& options = {}) const;

    void remove(std::string_view key, const request_options& options = {}) const;

    /// @brief URL to download a backup with a superuser file token (from POST /api/files/token).
    /// The URL carries that token: do not log it.
    std::string download_url(std::string_view file_token, std::string_view key) const;

    /// @brief The JS SDK's name for download_url().
    std::string get_download_url(std::string_view file_token, std::string_view key) const;

    /// @brief Uploads a backup archive (a .zip made by the server) as multipart field
    /// `file` to POST /api/backups/upload (204). The server refuses other types (400).
    void upload(const file_part& file, const request_options& options = {}) const;

    /// @brief Downloads a backup archive into `to` as files().download() does (a new file
    /// renamed into place once complete). Fetches a superuser file token first when
    /// download_options::token is empty. Returns the bytes written.
    std::uint64_t download(std::string_view key, const std::filesystem::path& to,
                           const download_options& options = {}) const;

    /// @brief download() into a caller's stream.
    std::uint64_t download(std::string_view key, std::ostream& to, const download_options& options = {}) const;

    /// @brief The earlier spelling, the download's fields apart from the request's.
    template <class To>
    std::uint64_t download(std::string_view key, To&& to, const download_options& own,
                           const request_options& options) const {
        return download(key, std::forward<To>(to), detail::joined(own, options));
    }

    /// @brief With plain request_options, as every other call takes them.
    template <class To, class Options, std::enable_if_t<std::is_same_v<Options, request_options>, int> = 0>
    std::uint64_t download(std::string_view key, To&& to, const Options& options) const {
        return download(key, std::forward<To>(to), detail::joined(download_options(), options));
    }

private:
    std::string token_for(const download_options& options) const;

    static request_options with_token(const std::string& token, const request_options& options);

    static std::string path(std::string_view key);
};

/// @brief Superuser calls on the app's cron jobs (pb.crons()).
class cron_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief [{"id", "expression"}, ...].
    json get_full_list(const request_options& options = {}) const;

    /// @brief Runs a job now (204).
    void run(std::string_view job_id, const request_options& options = {}) const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "admin.ipp"
#endif

#endif  // BOSBASE_SERVICES_ADMIN_HPP
