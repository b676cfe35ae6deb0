// bosbase-cpp: definitions of detail/json_parse.hpp (parsing response bodies with a nesting cap, through nlohmann's own parser.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_JSON_PARSE_IPP
#define BOSBASE_DETAIL_JSON_PARSE_IPP

#include "json_parse.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL depth_limited_builder::depth_limited_builder(json& root, std::size_t max_depth)
    : root_(root), max_depth_(max_depth) {
    stack_.reserve(8);  // one allocation covers the nesting of real responses
}

BOSBASE_DECL bool depth_limited_builder::key(json::string_t& k) {
#if JSON_DIAGNOSTICS
    slot_ = &(*stack_.back())[k];
#else
    slot_ = &(*stack_.back()->get_ptr<json::object_t*>())[k];
#endif
    return true;
}

BOSBASE_DECL bool depth_limited_builder::open(json::value_t type) {
    if (stack_.size() >= max_depth_) {
        return false;
    }
    stack_.push_back(place(type));
    return true;
}

BOSBASE_DECL bool depth_limited_builder::close() {
    stack_.pop_back();
    return true;
}

BOSBASE_DECL std::optional<json> parse_json(const std::string& text, std::size_t max_depth) {
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

#endif  // BOSBASE_DETAIL_JSON_PARSE_IPP
