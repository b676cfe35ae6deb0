// bosbase-cpp: definitions of services/admin.hpp (superuser services: health, collections, settings, logs, backups, crons.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_ADMIN_IPP
#define BOSBASE_SERVICES_ADMIN_IPP

#include "admin.hpp"

namespace bosbase {

BOSBASE_DECL json health_service::check(const request_options& options) const {
    return core().send_json("GET", "/api/health", nullptr, options, {});
}

BOSBASE_DECL json collection_service::get_list(int page, int per_page, const request_options& options) const {
    return core().send_json("GET", "/api/collections", nullptr,
                            detail::list_request(page, per_page, options), {});
}

BOSBASE_DECL json collection_service::get_full_list(int batch, const request_options& options) const {
    return detail::full_list<json>(core(), "/api/collections", batch, options);
}

BOSBASE_DECL json collection_service::get_one(std::string_view name_or_id, const request_options& options) const {
    return core().send_json("GET", path(name_or_id), nullptr, options, {});
}

BOSBASE_DECL json collection_service::create(const json& body, const request_options& options) const {
    return core().send_json("POST", "/api/collections", detail::object_body(body, "a collection body"),
                            options, {});
}

BOSBASE_DECL json collection_service::update(std::string_view name_or_id, const json& body,
                                             const request_options& options) const {
    return core().send_json("PATCH", path(name_or_id), detail::object_body(body, "a collection body"),
                            options, {});
}

BOSBASE_DECL void collection_service::remove(std::string_view name_or_id, const request_options& options) const {
    core().perform("DELETE", path(name_or_id), nullptr, options, {});
}

BOSBASE_DECL void collection_service::truncate(std::string_view name_or_id, const request_options& options) const {
    core().perform("DELETE", path(name_or_id) + "/truncate", nullptr, options, {});
}

BOSBASE_DECL void collection_service::import_collections(const json& collections, bool delete_missing,
                                                         const request_options& options) const {
    if (!collections.is_array()) {
        throw std::invalid_argument("bosbase: import_collections needs a JSON array of collections");
    }
    core().perform("PUT", "/api/collections/import",
                   json{{"collections", collections}, {"deleteMissing", delete_missing}},
                   options, {});
}

BOSBASE_DECL json collection_service::get_scaffolds(const request_options& options) const {
    return core().send_json("GET", "/api/collections/meta/scaffolds", nullptr,
                            options, {});
}

BOSBASE_DECL collection_schema collection_service::get_schema(std::string_view name_or_id,
                                                              const request_options& options) const {
    return detail::fetch_as<collection_schema>(core(), "GET", path(name_or_id) + "/schema", nullptr, options);
}

BOSBASE_DECL std::vector<collection_schema> collection_service::get_all_schemas(const request_options& options) const {
    auto& c = core();
    const std::string route = "/api/collections/schemas";
    detail::json_reply reply = detail::fetch_json(c, "GET", route, nullptr, options);
    const auto it = reply.body.is_object() ? reply.body.find("collections") : reply.body.end();
    if (it == reply.body.end() || !it->is_array()) {
        throw detail::invalid_response(c, route, options, reply.status,
                                       "The server's response has no 'collections' array.");
    }
    std::vector<collection_schema> out;
    out.reserve(it->size());
    for (const auto& item : *it) {
        out.push_back(detail::decode_as<collection_schema>(c, item, reply.status, route, options));
    }
    return out;
}

BOSBASE_DECL json collection_service::register_sql_tables(const std::vector<std::string>& tables,
                                                          const request_options& options) const {
    auto& c = core();
    const std::string route = "/api/collections/sql/tables";
    detail::json_reply reply = detail::fetch_json(c, "POST", route, json{{"tables", tables}}, options);
    if (!reply.body.is_array()) {
        throw detail::invalid_response(c, route, options, reply.status,
                                       "The server's response is not an array of collections.");
    }
    return std::move(reply.body);
}

BOSBASE_DECL sql_import_result collection_service::import_sql_tables(const std::vector<sql_table_definition>& tables,
                                                                     const request_options& options) const {
    json list = json::array();
    for (const auto& t : tables) {
        json entry{{"name", t.name}};
        if (!t.sql.empty()) entry["sql"] = t.sql;
        list.push_back(std::move(entry));
    }
    return detail::fetch_as<sql_import_result>(core(), "POST", "/api/collections/sql/import",
                                                  json{{"tables", std::move(list)}}, options);
}

BOSBASE_DECL std::string collection_service::path(std::string_view name_or_id) {
    detail::require_path_segment(name_or_id, "collection name or id");
    return "/api/collections/" + detail::encode_uri_component(name_or_id);
}

BOSBASE_DECL json settings_service::get_all(const request_options& options) const {
    return core().send_json("GET", "/api/settings", nullptr, options, {});
}

BOSBASE_DECL json settings_service::update(const json& body, const request_options& options) const {
    return core().send_json("PATCH", "/api/settings", detail::object_body(body, "a settings body"),
                            options, {});
}

BOSBASE_DECL void settings_service::test_s3(std::string_view filesystem, const request_options& options) const {
    core().perform("POST", "/api/settings/test/s3", json{{"filesystem", std::string(filesystem)}},
                   options, {});
}

BOSBASE_DECL std::string settings_service::generate_apple_client_secret(std::string_view client_id,
                                                                        std::string_view team_id,
                                                                        std::string_view key_id,
                                                                        std::string_view private_key,
                                                                        std::int64_t duration_seconds,
                                                                        const request_options& options) const {
    auto& c = core();
    const std::string route = "/api/settings/apple/generate-client-secret";
    const json body{{"clientId", std::string(client_id)},
                    {"teamId", std::string(team_id)},
                    {"keyId", std::string(key_id)},
                    {"privateKey", std::string(private_key)},
                    {"duration", duration_seconds}};
    detail::json_reply reply = detail::fetch_json(c, "POST", route, body, options, {private_key});
    const auto it = reply.body.is_object() ? reply.body.find("secret") : reply.body.end();
    if (it == reply.body.end() || !it->is_string()) {
        throw detail::invalid_response(c, route, options, reply.status, "The server's response has no 'secret'.");
    }
    return it->template get<std::string>();
}

BOSBASE_DECL void settings_service::test_email(std::string_view collection, std::string_view to_email,
                                               std::string_view email_template,
                                               const request_options& options) const {
    core().perform("POST", "/api/settings/test/email",
                   json{{"email", std::string(to_email)},
                        {"template", std::string(email_template)},
                        {"collection", std::string(collection)}},
                   options, {});
}

BOSBASE_DECL json log_service::get_list(int page, int per_page, const request_options& options) const {
    return core().send_json("GET", "/api/logs", nullptr,
                            detail::list_request(page, per_page, options), {});
}

BOSBASE_DECL json log_service::get_one(std::string_view id, const request_options& options) const {
    detail::require_path_segment(id, "log id");
    return core().send_json("GET", "/api/logs/" + detail::encode_uri_component(id), nullptr,
                            options, {});
}

BOSBASE_DECL json log_service::get_stats(const request_options& options) const {
    return core().send_json("GET", "/api/logs/stats", nullptr, options, {});
}

BOSBASE_DECL json backup_service::get_full_list(const request_options& options) const {
    return core().send_json("GET", "/api/backups", nullptr, options, {});
}

BOSBASE_DECL void backup_service::create(std::string_view name, const request_options& options) const {
    core().perform("POST", "/api/backups", json{{"name", std::string(name)}}, options,
                   {});
}

BOSBASE_DECL void backup_service::restore(std::string_view key, const request_options& options) const {
    core().perform("POST", path(key) + "/restore", nullptr, options, {});
}

BOSBASE_DECL void backup_service::remove(std::string_view key, const request_options& options) const {
    core().perform("DELETE", path(key), nullptr, options, {});
}

BOSBASE_DECL std::string backup_service::download_url(std::string_view file_token, std::string_view key) const {
    return core().url().origin + core().target_for(path(key), query_params{{"token", std::string(file_token)}});
}

BOSBASE_DECL std::string backup_service::get_download_url(std::string_view file_token, std::string_view key) const {
    return download_url(file_token, key);
}

BOSBASE_DECL void backup_service::upload(const file_part& file, const request_options& options) const {
    // A file from disk is read as it is sent, when the transport can (is_upload_transport_v).
    detail::fetch_multipart_json(core(), "POST", "/api/backups/upload", json::object(),
                                 file_list{{"file", file}}, options);
}

BOSBASE_DECL std::uint64_t backup_service::download(std::string_view key, const std::filesystem::path& to,
                                                    const download_options& options) const {
    const std::string token = token_for(options);
    return detail::download_to_path(core(), path(key), with_token(token, options), options.max_bytes, to, {token});
}

BOSBASE_DECL std::uint64_t backup_service::download(std::string_view key, std::ostream& to,
                                                    const download_options& options) const {
    const std::string token = token_for(options);
    return detail::download_to_stream(core(), path(key), with_token(token, options), options.max_bytes, to,
                                      {token});
}

BOSBASE_DECL std::string backup_service::token_for(const download_options& options) const {
    if (!options.token.empty()) return options.token;
    request_options plain;  // the token call needs none of the download's query or progress
    plain.headers = options.headers;
    plain.timeout = options.timeout;
    plain.deadline = options.deadline;
    plain.cancel = options.cancel;
    const json reply = core().send_json("POST", "/api/files/token", nullptr, plain, {});
    auto it = reply.find("token");
    if (it == reply.end() || !it->is_string() || it->template get_ref<const std::string&>().empty()) {
        throw detail::invalid_response(core(), "/api/files/token", plain, 200, "The server sent no file token.");
    }
    return it->template get<std::string>();
}

BOSBASE_DECL request_options backup_service::with_token(const std::string& token,
                                                        const request_options& options) {
    request_options opts = options;
    detail::assign_param(opts.query, "token", token);
    return opts;
}

BOSBASE_DECL std::string backup_service::path(std::string_view key) {
    detail::require_path_segment(key, "backup key");
    return "/api/backups/" + detail::encode_uri_component(key);
}

BOSBASE_DECL json cron_service::get_full_list(const request_options& options) const {
    return core().send_json("GET", "/api/crons", nullptr, options, {});
}

BOSBASE_DECL void cron_service::run(std::string_view job_id, const request_options& options) const {
    detail::require_path_segment(job_id, "cron job id");
    core().perform("POST", "/api/crons/" + detail::encode_uri_component(job_id), nullptr,
                   options, {});
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_ADMIN_IPP
