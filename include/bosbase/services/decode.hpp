// bosbase-cpp: Typed answers of BosBase's own services: the page type and the shape checks.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_DECODE_HPP
#define BOSBASE_SERVICES_DECODE_HPP

#include "common.hpp"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bosbase {

/// @brief One page of documents of a vector or LLM document collection.
///
/// Like every typed result of these services it keeps a `raw` escape hatch: the JSON
/// object as the server sent it, without the members decoded into typed parts that
/// carry a `raw` of their own (here `items`), so nothing is held twice.
template <class Document>
struct document_page {
    std::vector<Document> items;
    int page = 0;
    int per_page = 0;
    std::int64_t total_items = 0;
    std::optional<std::int64_t> total_pages;  ///< absent for LLM documents (the server sends none)
    json raw;
};

namespace detail {

/// What the from_json of one of the SDK's result types throws for an answer of the
/// wrong shape; the service calls turn it into a ClientResponseError
/// (error_kind::invalid_response, the real status) like every other unusable answer.
class response_shape_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads the members of one JSON object of a fixed answer. Everything is a member of a
// class template, so a translation unit that never decodes these answers only parses it.
//
// Go writes a nil slice or map as null and leaves out `omitempty` fields, so for the
// optional members "absent" and "null" mean the same; a member of another type than
// the documented one is an error that names it.
template <class J>
class object_reader {
public:
    object_reader(const J& object, const char* what) : object_(object), what_(what) {
        if (!object.is_object()) {
            throw response_shape_error(std::string(what) + " is not a JSON object but " + object.type_name());
        }
    }

    const J& object() const noexcept { return object_; }

    /// The member, or nullptr when it is absent or null.
    const J* find(const char* key) const {
        auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    std::string string(const char* key) const {
        const J* v = find(key);
        if (v == nullptr || !v->is_string()) fail(key, "a string");
        return v->template get<std::string>();
    }

    std::string string_or_empty(const char* key) const {
        const J* v = find(key);
        if (v == nullptr) return {};
        if (!v->is_string()) fail(key, "a string");
        return v->template get<std::string>();
    }

    std::optional<std::string> optional_string(const char* key) const {
        if (find(key) == nullptr) return std::nullopt;
        return string(key);
    }

    double number(const char* key) const {
        const J* v = find(key);
        if (v == nullptr || !v->is_number()) fail(key, "a number");
        return v->template get<double>();
    }

    std::optional<double> optional_number(const char* key) const {
        if (find(key) == nullptr) return std::nullopt;
        return number(key);
    }

    std::int64_t integer(const char* key) const {
        const J* v = find(key);
        if (v == nullptr || !v->is_number_integer() ||
            (v->is_number_unsigned() && v->template get<std::uint64_t>() > std::uint64_t(INT64_MAX))) {
            fail(key, "an integer");
        }
        return v->template get<std::int64_t>();
    }

    int small_integer(const char* key) const {
        const std::int64_t v = integer(key);
        if (v < INT32_MIN || v > INT32_MAX) fail(key, "an integer in the range of int");
        return static_cast<int>(v);
    }

    std::optional<std::int64_t> optional_integer(const char* key) const {
        if (find(key) == nullptr) return std::nullopt;
        return integer(key);
    }

    bool boolean(const char* key) const {
        const J* v = find(key);
        if (v == nullptr || !v->is_boolean()) fail(key, "a boolean");
        return v->template get<bool>();
    }

    /// An array member; absent or null is an empty array unless `required`.
    const J& array(const char* key, bool required) const {
        static const J empty = J::array();
        const J* v = find(key);
        if (v == nullptr) {
            if (required) fail(key, "an array");
            return empty;
        }
        if (!v->is_array()) fail(key, "an array");
        return *v;
    }

    /// An object member as it was sent; absent or null is an empty object.
    J object_or_empty(const char* key) const {
        const J* v = find(key);
        if (v == nullptr) return J::object();
        if (!v->is_object()) fail(key, "a JSON object");
        return *v;
    }

    std::vector<double> numbers(const char* key, bool required) const {
        const J& list = array(key, required);
        std::vector<double> out;
        out.reserve(list.size());
        for (const auto& v : list) {
            if (!v.is_number()) fail(key, "an array of numbers");
            out.push_back(v.template get<double>());
        }
        return out;
    }

    std::vector<std::string> strings(const char* key) const {
        const J& list = array(key, false);
        std::vector<std::string> out;
        out.reserve(list.size());
        for (const auto& v : list) {
            if (!v.is_string()) fail(key, "an array of strings");
            out.push_back(v.template get<std::string>());
        }
        return out;
    }

    /// A {string: string} member (LLM document metadata); absent or null is empty.
    std::map<std::string, std::string> string_map(const char* key) const {
        std::map<std::string, std::string> out;
        const J* v = find(key);
        if (v == nullptr) return out;
        if (!v->is_object()) fail(key, "an object of strings");
        for (auto it = v->begin(); it != v->end(); ++it) {
            if (!it.value().is_string()) fail(key, "an object of strings");
            out.emplace(it.key(), it.value().template get<std::string>());
        }
        return out;
    }

    [[noreturn]] void fail(const char* key, const char* expected) const {
        throw response_shape_error(std::string(what_) + ": '" + key + "' is missing or not " + expected);
    }

private:
    const J& object_;
    const char* what_;
};

/// The SDK's own types are only ever decoded from bosbase::json. Their from_json
/// functions are templates so that a translation unit that never decodes them only
/// parses them.
template <class J>
using if_json = std::enable_if_t<std::is_same<J, json>::value, int>;

/// `object` without the members named in `skip` (they were decoded into typed parts).
template <class J>
J raw_without(const J& object, std::initializer_list<const char*> skip) {
    J out = J::object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool skipped = false;
        for (const char* key : skip) skipped = skipped || it.key() == key;
        if (!skipped) out[it.key()] = it.value();
    }
    return out;
}

/// A JSON array answer of `T`s, each decoded like a single answer.
template <class T>
std::vector<T> decode_array(const client_core& core, const json_reply& reply, std::string_view path,
                            const request_options& options) {
    if (!reply.body.is_array()) {
        throw invalid_response(core, path, options, reply.status, "The server's response is not a JSON array.");
    }
    std::vector<T> out;
    out.reserve(reply.body.size());
    for (const auto& item : reply.body) out.push_back(decode_as<T>(core, item, reply.status, path, options));
    return out;
}

/// The `results` array of an answer {results: [...]}, each decoded as a `T`.
template <class T>
std::vector<T> decode_results(const client_core& core, const json_reply& reply, std::string_view path,
                              const request_options& options) {
    auto it = reply.body.is_object() ? reply.body.find("results") : reply.body.end();
    if (it == reply.body.end() || !it->is_array()) {
        throw invalid_response(core, path, options, reply.status, "The server's response has no 'results' array.");
    }
    std::vector<T> out;
    out.reserve(it->size());
    for (const auto& item : *it) out.push_back(decode_as<T>(core, item, reply.status, path, options));
    return out;
}

/// Vectors and embeddings go out as JSON numbers: NaN and infinities have none
/// (nlohmann would write them as null).
template <class Numbers>
void require_finite(const Numbers& values, const char* what) {
    for (double v : values) {
        if (!std::isfinite(v)) {
            throw std::invalid_argument(std::string("bosbase: ") + what + " values must be finite numbers");
        }
    }
}

template <class Number>
Number finite_number(Number value, const char* what) {
    if (!std::isfinite(value)) {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must be a finite number");
    }
    return value;
}

}  // namespace detail

template <class J, class Document, detail::if_json<J> = 0>
void from_json(const J& j, document_page<Document>& page) {
    const detail::object_reader<J> r(j, "a page of documents");
    const J& items = r.array("items", true);
    page.items.clear();
    page.items.reserve(items.size());
    for (const auto& item : items) page.items.push_back(item.template get<Document>());
    page.page = r.small_integer("page");
    page.per_page = r.small_integer("perPage");
    page.total_items = r.integer("totalItems");
    page.total_pages = r.optional_integer("totalPages");
    page.raw = detail::raw_without(j, {"items"});
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_DECODE_HPP
