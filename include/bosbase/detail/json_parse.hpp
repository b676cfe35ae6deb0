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
    depth_limited_builder(json& root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {
        stack_.reserve(8);  // one allocation covers the nesting of real responses
    }

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
    bool key(json::string_t& k) {
#if JSON_DIAGNOSTICS
        slot_ = &(*stack_.back())[k];
#else
        slot_ = &(*stack_.back()->get_ptr<json::object_t*>())[k];
#endif
        return true;
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    template <class Exception>
    bool parse_error(std::size_t, const std::string&, const Exception&) {
        return false;
    }

private:
    bool open(json::value_t type) {
        if (stack_.size() >= max_depth_) {
            return false;
        }
        stack_.push_back(place(type));
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

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
inline std::optional<json> parse_json(const std::string& text, std::size_t max_depth) {
    json parsed;
    depth_limited_builder builder(parsed, max_depth);
#if NLOHMANN_JSON_VERSION_MAJOR == 3 && NLOHMANN_JSON_VERSION_MINOR >= 9 && NLOHMANN_JSON_VERSION_MINOR <= 12 && \
    !defined(BOSBASE_JSON_PUBLIC_SAX)
    // json::sax_parse takes the input format at run time, so it also instantiates
    // the CBOR, MessagePack, UBJSON and BSON readers: about 0.3 s at -O0 and 1 s at
    // -O2 in every TU that includes this header. Its JSON branch is this parser,
    // whose interface is the same from 3.9 through 3.12; the input adapter is the one
    // json::parse(std::string) uses, so a user's own parse shares the lexer.
    auto input = nlohmann::detail::input_adapter(text);
    const bool ok = nlohmann::detail::parser<json, decltype(input)>(std::move(input)).sax_parse(&builder, true);
#else
    const bool ok = json::sax_parse(text, &builder);
#endif
    if (!ok) {
        return std::nullopt;
    }
    return parsed;
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_DETAIL_JSON_PARSE_HPP
