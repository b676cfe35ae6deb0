// bosbase-cpp: definitions of services/common.hpp (what the services share: list paging, typed decoding, body checks.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_COMMON_IPP
#define BOSBASE_SERVICES_COMMON_IPP

#include "common.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL request_options list_request(int page, int per_page, const request_options& options) {
    request_options opts = options;
    query_params q{{"page", page}, {"perPage", per_page}};
    for (const auto& p : options.query) assign_param(q, p.first, p.second);
    opts.query = std::move(q);
    return opts;
}

BOSBASE_DECL request_options with_defaults(query_params first, const request_options& options) {
    request_options opts = options;
    for (const auto& p : options.query) assign_param(first, p.first, p.second);
    opts.query = std::move(first);
    return opts;
}

BOSBASE_DECL ClientResponseError invalid_response(const client_core& core, std::string_view path,
                                                  const request_options& options, int status,
                                                  const std::string& why) {
    return ClientResponseError(core.error_url(path, options), status,
                               json{{"status", status}, {"message", why}, {"data", json::object()}},
                               error_kind::invalid_response);
}

BOSBASE_DECL json_reply fetch_json(client_core& core, std::string_view method, std::string_view path,
                                   const json& body, const request_options& options, call_secrets secrets) {
    http_response res = core.perform(method, path, body, options, secrets);
    json parsed = core.parse_body(res, path, options, secrets);
    return {std::move(parsed), res.status, res.body.size()};
}

BOSBASE_DECL json_reply fetch_body_json(client_core& core, std::string_view method, std::string_view path,
                                        multipart_body body, const request_options& options) {
    http_response res = core.perform_body(method, path, std::move(body.bytes), body.content_type, options, {});
    json parsed = core.parse_body(res, path, options, {});
    return {std::move(parsed), res.status, res.body.size()};
}

BOSBASE_DECL std::int64_t integer_field(const client_core& core, const json& object, const char* key,
                                        std::string_view path, const request_options& options, int status) {
    auto it = object.is_object() ? object.find(key) : object.end();
    if (it == object.end() || !it->is_number_integer() ||
        (it->is_number_unsigned() && it->template get<std::uint64_t>() > std::uint64_t(INT64_MAX))) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response has no integer '") + key + "'.");
    }
    return it->template get<std::int64_t>();
}

BOSBASE_DECL const json& items_of(const client_core& core, const json& list, std::string_view path,
                                  const request_options& options, int status) {
    auto it = list.is_object() ? list.find("items") : list.end();
    if (it == list.end() || !it->is_array()) {
        throw invalid_response(core, path, options, status, "The server's list response has no 'items' array.");
    }
    return *it;
}

BOSBASE_DECL void require_object_body(const json& body, const char* what) {
    if (!body.is_null() && !body.is_object()) {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must be a JSON object, got " +
                                    body.type_name());
    }
}

BOSBASE_DECL json object_body(const json& body, const char* what) {
    require_object_body(body, what);
    return body.is_null() ? json::object() : body;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_SERVICES_COMMON_IPP
