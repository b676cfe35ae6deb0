// bosbase-cpp: Parsing response bodies with a nesting cap, through nlohmann's own parser.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_JSON_PARSE_HPP
#define BOSBASE_DETAIL_JSON_PARSE_HPP

#include "../config.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace bosbase {

namespace detail {

/// Builds the document like nlohmann's own DOM parser (through the public SAX
/// interface), but stops at nesting deeper than max_depth: a deep document would
/// exhaust the stack of every recursive copy, comparison or dump later on. Strings
/// and keys are copied, not moved: the lexer reuses its buffer, and a moved-from
/// buffer would have to grow again for every token.
class depth_limited_builder {
public:
    depth_limited_builder(json& root, std::size_t max_depth);

    bool null() { return place(nullptr) != nullptr; }
    bool boolean(bool v) { return place(v) != nullptr; }
    bool number_integer(json::number_integer_t v) { return place(v) != nullptr; }
    bool number_unsigned(json::number_unsigned_t v) { return place(v) != nullptr; }
    bool number_float(json::number_float_t v, const json::string_t&) { return place(v) != nullptr; }
    bool string(json::string_t& v) { return place(v) != nullptr; }
    bool binary(json::binary_t& v) { return place(v) != nullptr; }
    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    // Values go straight into the object_t / array_t, as nlohmann's own DOM parser
    // does: json::operator[] takes the key by value and costs a copy per member.
    // With JSON_DIAGNOSTICS the json members keep the parent pointers it checks.
    bool key(json::string_t& k);
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    template <class Exception>
    bool parse_error(std::size_t, const std::string&, const Exception&) {
        return false;
    }

private:
    bool open(json::value_t type);

    bool close();

    template <class Value>
    json* place(Value&& v) {
        if (stack_.empty()) {
            root_ = json(std::forward<Value>(v));
            return &root_;
        }
        json& parent = *stack_.back();
#if JSON_DIAGNOSTICS
        if (parent.is_array()) {
            parent.emplace_back(std::forward<Value>(v));
            return &parent.back();
        }
#else
        if (auto* array = parent.get_ptr<json::array_t*>()) {
            array->emplace_back(std::forward<Value>(v));
            return &array->back();
        }
#endif
        *slot_ = json(std::forward<Value>(v));
        return slot_;
    }

    json& root_;
    std::size_t max_depth_;
    std::vector<json*> stack_;
    json* slot_ = nullptr;
};

/// Parses JSON without exceptions; nullopt when the text is not JSON or nests
/// deeper than max_depth.
BOSBASE_DECL std::optional<json> parse_json(const std::string& text, std::size_t max_depth);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "json_parse.ipp"
#endif

#endif  // BOSBASE_DETAIL_JSON_PARSE_HPP
