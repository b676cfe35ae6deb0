// bosbase-cpp: building a request and reading an error answer, for every call alike.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_REQUEST_HPP
#define BOSBASE_DETAIL_REQUEST_HPP

#include "../errors.hpp"
#include "../options.hpp"
#include "../transport.hpp"
#include "json_parse.hpp"
#include "text.hpp"

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

namespace detail {

/// The secrets one call carries (password, custom token, OTP, auth token): they
/// are scrubbed from every text an error of that call composes.
struct call_secrets {
    std::array<std::string_view, 4> items{};
    std::size_t count = 0;

    call_secrets() = default;
    call_secrets(std::initializer_list<std::string_view> list);
    void add(std::string_view s);
    std::vector<std::string_view> to_vector() const { return {items.begin(), items.begin() + count}; }
};

/// The one precedence rule for a call's query: `first` (a call's own parameters, such
/// as page and perPage, or the positional query of the custom-token calls), then
/// options.query, then the named options (filter, sort, skipTotal, expand, fields).
/// A key set by a later source replaces the earlier value in place, so each key goes
/// out once.
BOSBASE_DECL query_params collect_query(const request_options& options, const query_params& first = {});

// For calls that start other calls (async): only the cancel token is theirs to read, and
// a deadline or a header set there would otherwise be dropped without a word.
BOSBASE_DECL void require_only_cancel(const request_options& o, const char* call);

// request_options::body joined to the body a call built: the call's own keys win, so an
// extra field can never replace an identity, a password or a token the call was given.
BOSBASE_DECL json with_body_fields(const json& call_body, const json& extra);

// nlohmann's own message would quote the offending byte, which may belong to a secret.
BOSBASE_DECL std::string dump_json(const json& value);

// What a before_send hook hands back is checked like caller input.
BOSBASE_DECL void check_request(const http_request& req);

// The server's envelope is kept as is; anything else is wrapped so response() is
// always an object that dump() can write (raw bytes are made valid UTF-8 first).
// `secrets` are scrubbed from a raw body before it is cut, so no part of one survives.
BOSBASE_DECL json error_body(const http_response& res, std::size_t max_depth, const std::vector<std::string_view>& secrets);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "request.ipp"
#endif

#endif  // BOSBASE_DETAIL_REQUEST_HPP
