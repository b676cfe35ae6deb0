// bosbase-cpp: Reading the fixed answer shapes of BosBase's own services into typed results.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SHAPES_HPP
#define BOSBASE_SERVICES_SHAPES_HPP

#include "common.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

namespace detail {

/// What a typed result's from_json throws for an answer of the wrong shape. A call
/// turns it into ClientResponseError (error_kind::invalid_response, the real status);
/// outside a call (json::get on your own data) it arrives as it is.
class shape_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Everything here is a template on the json type: a translation unit that never
// decodes these shapes only parses them, which keeps the header cheap to include.

template <class J>
const J& shape_object(const J& j, const char* what) {
    if (!j.is_object()) {
        throw shape_error(std::string(what) + " is not a JSON object");
    }
    return j;
}

// The member, or nullptr when it is absent or null (the server leaves empty fields out).
template <class J>
const J* shape_member(const J& j, const char* key) {
    const auto it = j.find(key);
    return (it == j.end() || it->is_null()) ? nullptr : &*it;
}

template <class J>
std::string shape_string(const J& j, const char* key) {
    const J* v = shape_member(j, key);
    if (v == nullptr || !v->is_string()) {
        throw shape_error(std::string("'") + key + "' is missing or not a string");
    }
    return v->template get<std::string>();
}

template <class J>
std::string shape_optional_string(const J& j, const char* key) {
    const J* v = shape_member(j, key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
        throw shape_error(std::string("'") + key + "' is not a string");
    }
    return v->template get<std::string>();
}

template <class J>
std::optional<std::int64_t> shape_optional_integer(const J& j, const char* key) {
    const J* v = shape_member(j, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() && v->template get<std::uint64_t>() > std::uint64_t(INT64_MAX))) {
        throw shape_error(std::string("'") + key + "' is not an integer");
    }
    return v->template get<std::int64_t>();
}

template <class J>
std::int64_t shape_integer(const J& j, const char* key) {
    const auto v = shape_optional_integer(j, key);
    if (!v) {
        throw shape_error(std::string("'") + key + "' is missing");
    }
    return *v;
}

template <class J>
bool shape_optional_bool(const J& j, const char* key) {
    const J* v = shape_member(j, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
        throw shape_error(std::string("'") + key + "' is not a boolean");
    }
    return v->template get<bool>();
}

template <class J>
std::vector<std::string> shape_strings(const J& array, const char* what) {
    if (!array.is_array()) {
        throw shape_error(std::string(what) + " is not an array");
    }
    std::vector<std::string> out;
    out.reserve(array.size());
    for (const auto& item : array) {
        if (!item.is_string()) {
            throw shape_error(std::string(what) + " holds a value that is not a string");
        }
        out.push_back(item.template get<std::string>());
    }
    return out;
}

template <class J>
std::vector<std::string> shape_optional_strings(const J& j, const char* key) {
    const J* v = shape_member(j, key);
    return v == nullptr ? std::vector<std::string>{} : shape_strings(*v, key);
}

/// A 2xx answer decoded into T; the wrong shape is ClientResponseError
/// (error_kind::invalid_response, the real status), never a json exception.
template <class T, class Transport>
T decode_shape(const client_core<Transport>& core, const json& value, int status, std::string_view path,
               const request_options& options) {
    try {
        return value.template get<T>();
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const shape_error& e) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response does not have the expected shape: ") + e.what() + ".");
    } catch (const json::exception& e) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response does not have the expected shape: ") + e.what());
    }
}

/// One call whose 2xx answer is a T.
template <class T, class Transport>
T fetch_shape(client_core<Transport>& core, std::string_view method, const std::string& path, const json& body,
              const request_options& options, call_secrets secrets = {}) {
    json_reply reply = fetch_json(core, method, path, body, options, secrets);
    return decode_shape<T>(core, reply.body, reply.status, path, options);
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SHAPES_HPP
