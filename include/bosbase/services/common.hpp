// bosbase-cpp: What the services share: list paging, typed decoding, body checks.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_COMMON_HPP
#define BOSBASE_SERVICES_COMMON_HPP

#include "../client_core.hpp"
#include "../filter.hpp"
#include "../multipart.hpp"
#include "../results.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// The query of one list page: {page, perPage} first, then the caller's query
// (which may replace them), as the JS SDK builds it.
BOSBASE_DECL request_options list_request(int page, int per_page, const request_options& options);

// `first` go ahead of the caller's query; a caller's entry with the same key wins.
BOSBASE_DECL request_options with_defaults(query_params first, const request_options& options);

/// A 2xx answer whose content the SDK cannot use: the real status, error_kind::invalid_response.
BOSBASE_DECL ClientResponseError invalid_response(const client_core& core, std::string_view path,
                                     const request_options& options, int status, const std::string& why);

struct json_reply {
    json body;
    int status = 0;
    std::size_t bytes = 0;  // size of the raw body, for limits that span several calls
};

BOSBASE_DECL json_reply fetch_json(client_core& core, std::string_view method, std::string_view path,
                      const json& body, const request_options& options, call_secrets secrets = {});

BOSBASE_DECL json_reply fetch_body_json(client_core& core, std::string_view method, std::string_view path,
                           multipart_body body, const request_options& options);

// from_json failures become ClientResponseError: a server answer that does not
// fit the caller's type is the server's trouble, not a json exception to leak.
template <class T>
T decode_as(const client_core& core, const json& value, int status, std::string_view path,
            const request_options& options) {
    try {
        return value.template get<T>();
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const json::exception& e) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response does not fit the requested type: ") + e.what());
    } catch (const std::exception& e) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response does not fit the requested type: ") + e.what());
    } catch (...) {
        throw invalid_response(core, path, options, status,
                               "The server's response does not fit the requested type (from_json threw).");
    }
}

// A caller's to_json may throw anything; the call has not started, so it is bad input.
template <class Body>
json encode_body(const Body& body) {
    try {
        return json(body);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (...) {
        throw std::invalid_argument("bosbase: the request body could not be converted to JSON (to_json threw)");
    }
}

BOSBASE_DECL std::int64_t integer_field(const client_core& core, const json& object, const char* key,
                           std::string_view path, const request_options& options, int status);

BOSBASE_DECL const json& items_of(const client_core& core, const json& list, std::string_view path,
                     const request_options& options, int status);

template <class T>
list_result<T> decode_list(const client_core& core, const json_reply& reply, std::string_view path,
                           const request_options& options) {
    list_result<T> out;
    const json& items = items_of(core, reply.body, path, options, reply.status);
    auto narrow = [&](const char* key) {
        const auto v = integer_field(core, reply.body, key, path, options, reply.status);
        if (v < INT32_MIN || v > INT32_MAX) {
            throw invalid_response(core, path, options, reply.status,
                                   std::string("The server's '") + key + "' is out of range.");
        }
        return static_cast<int>(v);
    };
    out.page = narrow("page");
    out.per_page = narrow("perPage");
    out.total_items = integer_field(core, reply.body, "totalItems", path, options, reply.status);
    out.total_pages = integer_field(core, reply.body, "totalPages", path, options, reply.status);
    out.items.reserve(items.size());
    for (const auto& item : items) out.items.push_back(decode_as<T>(core, item, reply.status, path, options));
    return out;
}

// Pages 1, 2, ... of `batch` items with skipTotal=1 until a page is shorter than the
// perPage the server reports (or empty, so a server answering perPage 0 cannot loop us).
template <class Each>
void for_each_page(client_core& core, const std::string& path, int batch, const request_options& options,
                   Each&& each) {
    if (batch < 1) {
        throw std::invalid_argument("bosbase: the full-list batch size must be at least 1");
    }
    const request_options base = with_defaults({{"skipTotal", 1}}, options);
    // The whole list is one answer to the caller: max_response_bytes holds for all
    // pages together, so a server that never sends a short page cannot exhaust memory.
    std::size_t total_bytes = 0;
    for (int page = 1;; ++page) {
        const request_options opts = list_request(page, batch, base);
        json_reply reply = fetch_json(core, "GET", path, nullptr, opts);
        total_bytes += reply.bytes;
        if (total_bytes > core.settings().max_response_bytes) {
            throw ClientResponseError(core.error_url(path, opts), 0, json::object(), error_kind::too_large,
                                      "the full list is larger than max_response_bytes (" +
                                          std::to_string(core.settings().max_response_bytes) +
                                          " bytes) over all its pages");
        }
        const json& items = items_of(core, reply.body, path, opts, reply.status);
        const auto per_page = integer_field(core, reply.body, "perPage", path, opts, reply.status);
        const std::size_t count = items.size();
        each(reply, opts);
        if (count == 0 || static_cast<std::int64_t>(count) != per_page || page == INT32_MAX) {
            return;
        }
    }
}

/// What a record call returns for T: the JSON as the server sent it (T = json), or
/// T decoded with nlohmann's from_json (a page becomes list_result<T>, a full list a
/// std::vector<T>). Every record call is written once, for both.
template <class T>
struct typed {
    using page = list_result<T>;
    using list = std::vector<T>;
};
template <>
struct typed<json> {
    using page = json;
    using list = json;
};

template <class T>
T decode_reply(const client_core& core, json_reply& reply, std::string_view path,
               const request_options& options) {
    if constexpr (std::is_same_v<T, json>) {
        (void)core, (void)path, (void)options;
        return std::move(reply.body);
    } else {
        return decode_as<T>(core, reply.body, reply.status, path, options);
    }
}

template <class T>
typename typed<T>::page decode_page(const client_core& core, json_reply& reply, std::string_view path,
                                    const request_options& options) {
    if constexpr (std::is_same_v<T, json>) {
        (void)core, (void)path, (void)options;
        return std::move(reply.body);
    } else {
        return decode_list<T>(core, reply, path, options);
    }
}

template <class T>
typename typed<T>::list full_list(client_core& core, const std::string& path, int batch,
                                  const request_options& options) {
    typename typed<T>::list all;
    if constexpr (std::is_same_v<T, json>) all = json::array();
    for_each_page(core, path, batch, options, [&](json_reply& reply, const request_options& opts) {
        for (auto& item : reply.body["items"]) {
            if constexpr (std::is_same_v<T, json>) {
                (void)opts;
                all.push_back(std::move(item));
            } else {
                all.push_back(decode_as<T>(core, item, reply.status, path, opts));
            }
        }
    });
    return all;
}

// A JSON body or part of one from the caller: an object, or null for none (an empty
// object). Anything else is std::invalid_argument naming `what` ("a collection body").
BOSBASE_DECL void require_object_body(const json& body, const char* what);

// The body as an object to send or add fields to: null becomes {}.
BOSBASE_DECL json object_body(const json& body, const char* what);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "common.ipp"
#endif

#endif  // BOSBASE_SERVICES_COMMON_HPP
