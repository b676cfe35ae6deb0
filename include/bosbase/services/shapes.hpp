// bosbase-cpp: The few decode helpers of the admin-side BosBase services that decode.hpp has no
// counterpart for (one call decoded whole; an array of strings that is not a member).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SHAPES_HPP
#define BOSBASE_SERVICES_SHAPES_HPP

#include "common.hpp"
#include "decode.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

namespace detail {

/// One call whose 2xx answer is a T; the wrong shape is ClientResponseError
/// (error_kind::invalid_response, the real status).
template <class T>
T fetch_as(client_core& core, std::string_view method, const std::string& path, const json& body,
           const request_options& options, call_secrets secrets = {}) {
    json_reply reply = fetch_json(core, method, path, body, options, secrets);
    return decode_as<T>(core, reply.body, reply.status, path, options);
}

/// A JSON array of strings that is not a member of an object (an SQL row).
template <class J>
std::vector<std::string> string_array(const J& array, const char* what) {
    if (!array.is_array()) {
        throw response_shape_error(std::string(what) + " is not an array");
    }
    std::vector<std::string> out;
    out.reserve(array.size());
    for (const auto& item : array) {
        if (!item.is_string()) {
            throw response_shape_error(std::string(what) + " holds a value that is not a string");
        }
        out.push_back(item.template get<std::string>());
    }
    return out;
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SHAPES_HPP
