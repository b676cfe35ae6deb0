// bosbase-cpp: definitions of detail/request.hpp (building a request and reading an error answer, for every call alike.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_REQUEST_IPP
#define BOSBASE_DETAIL_REQUEST_IPP

#include "request.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL call_secrets::call_secrets(std::initializer_list<std::string_view> list) {
    for (std::string_view s : list) add(s);
}

BOSBASE_DECL void call_secrets::add(std::string_view s) {
    if (!s.empty() && count < items.size()) items[count++] = s;
}

BOSBASE_DECL query_params collect_query(const request_options& options, const query_params& first) {
    query_params q = first;
    for (const auto& param : options.query) assign_param(q, param.first, param.second);
    if (options.filter) assign_param(q, "filter", *options.filter);
    if (options.sort) assign_param(q, "sort", *options.sort);
    if (options.skip_total) assign_param(q, "skipTotal", *options.skip_total);
    if (options.expand) assign_param(q, "expand", *options.expand);
    if (options.fields) assign_param(q, "fields", *options.fields);
    return q;
}

BOSBASE_DECL void require_only_cancel(const request_options& o, const char* call) {
    const bool other = o.expand || o.fields || o.filter || o.sort || o.skip_total || !o.query.empty() ||
                       !o.headers.empty() || o.timeout || o.deadline || o.auto_refresh_threshold || o.progress ||
                       !o.body.is_null();
    if (other) {
        throw std::invalid_argument(std::string("bosbase: ") + call +
                                    "() reads only request_options.cancel; give the other options to the calls "
                                    "the function makes");
    }
}

BOSBASE_DECL json with_body_fields(const json& call_body, const json& extra) {
    if (!extra.is_object()) {
        throw std::invalid_argument(std::string("bosbase: request_options.body must be a JSON object, got ") +
                                    extra.type_name());
    }
    if (call_body.is_null()) return extra;
    if (!call_body.is_object()) {
        throw std::invalid_argument(std::string("bosbase: request_options.body adds fields to a JSON object, and "
                                                "this call's body is ") + call_body.type_name());
    }
    json merged = call_body;
    for (auto it = extra.begin(); it != extra.end(); ++it) merged.emplace(it.key(), it.value());
    return merged;
}

BOSBASE_DECL std::string dump_json(const json& value) {
    try {
        return value.dump();
    } catch (const json::type_error&) {
        throw std::invalid_argument(
            "bosbase: a request value is not valid UTF-8; JSON bodies and JSON query values must be UTF-8");
    }
}

BOSBASE_DECL void check_request(const http_request& req) {
    if (!is_header_name_safe(req.method)) {
        throw std::invalid_argument("bosbase: the HTTP method must be a token such as GET or POST");
    }
    if (!is_target_safe(req.target) || req.target.empty() || req.target.front() != '/') {
        throw std::invalid_argument(
            "bosbase: the request target must start with '/' and be percent-encoded (no spaces, '#', control "
            "or non-ASCII bytes)");
    }
    require_headers(req.headers, "request headers");
    if (!is_header_value_safe(req.content_type)) {
        throw std::invalid_argument("bosbase: the content type must not contain control bytes");
    }
}

BOSBASE_DECL json error_body(const http_response& res, std::size_t max_depth,
                             const std::vector<std::string_view>& secrets) {
    json out;
    auto parsed = res.body.empty() ? std::nullopt : parse_json(res.body, max_depth);
    if (parsed && parsed->is_object()) {
        out = std::move(*parsed);
    } else {
        constexpr std::size_t max_body = 512;
        const char* message = res.body.empty() ? "The server sent an empty error response."
                                               : "The server sent a non-JSON error response.";
        if (res.status < 200) {
            message = "The server sent an interim (1xx) response as its final answer.";
        } else if (res.status >= 300 && res.status < 400) {
            message = "The server answered with a redirect, which the SDK does not follow.";
        }
        out = json{{"status", res.status}, {"message", message}, {"data", json::object()}};
        if (!res.body.empty()) {
            std::string raw = res.body;
            scrub_secrets(raw, secrets);
            out["body"] = to_valid_utf8(std::string_view(raw).substr(0, max_body));
        }
    }
    if (res.status >= 300 && res.status < 400) {
        for (const auto& h : res.headers) {
            if (ascii_iequal(h.first, "Location")) {
                out["location"] = redact_url(to_valid_utf8(h.second));
            }
        }
    }
    return out;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_DETAIL_REQUEST_IPP
