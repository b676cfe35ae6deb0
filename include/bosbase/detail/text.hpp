// bosbase-cpp: Text helpers: header and path checks, percent-encoding, UTF-8, query strings, URL redaction, base64url.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_TEXT_HPP
#define BOSBASE_DETAIL_TEXT_HPP

#include "../config.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bosbase {

namespace detail {

BOSBASE_DECL bool ascii_iequal(std::string_view a, std::string_view b);

BOSBASE_DECL bool has_header(const header_list& headers, std::string_view name);

// Same unreserved set as JS encodeURIComponent, so URLs match the JS SDK byte for byte.
BOSBASE_DECL std::string encode_uri_component(std::string_view in);

// Length of the well-formed UTF-8 character at in[i], or 0 (overlong forms,
// surrogates and code points above U+10FFFF are not well-formed).
BOSBASE_DECL std::size_t utf8_char_length(std::string_view in, std::size_t i);

BOSBASE_DECL bool is_valid_utf8(std::string_view in);

BOSBASE_DECL std::string query_value_text(const json& v);

// A key set again replaces the earlier value in place, like assigning to a JS object key.
BOSBASE_DECL void assign_param(query_params& query, std::string_view key, json value);

BOSBASE_DECL void append_query(std::string& out, const query_params& query);

BOSBASE_DECL int hex_digit(char c);

// %XX escapes decoded (a '%' not followed by two hex digits stays as it is); with
// plus_is_space, '+' is a space as in an HTML form's query.
BOSBASE_DECL std::string percent_decode(std::string_view in, bool plus_is_space = false);

// Keys are compared percent-decoded and case-blind: a server decodes "%74oken" to "token".
// Besides the SDK's own secrets, URLs from elsewhere (a redirect's Location, a presigned
// file URL) carry credentials under many names: OAuth2's code and state, access and refresh
// tokens, S3's X-Amz-Signature and X-Amz-Credential, api keys. A name that merely contains
// one of the stems counts, so a new spelling of an old credential is still covered.
BOSBASE_DECL bool is_secret_key(std::string_view key);

// Three base64url segments whose first is a JSON object ("eyJ" is `{"` encoded): a JWT, a
// credential whatever name it travels under.
BOSBASE_DECL bool looks_like_jwt(std::string_view value);

/// The marker a redacted value becomes.
inline constexpr std::string_view redacted_text = "REDACTED";

// URLs travel into exceptions: the SDK's own (`?token=` of file URLs, a caller's own) and
// the server's (a redirect's Location). Redacted: the user-info before the host
// (user:password@), and in the query and the fragment (OAuth2's implicit flow puts tokens
// there) every value under a secret name or that is a JWT. Everything else is kept byte for
// byte, and redacting again changes nothing.
BOSBASE_DECL std::string redact_url(const std::string& url);

BOSBASE_DECL std::optional<std::string> base64url_decode(std::string_view in);

// --- validation of what goes on the wire ----------------------------------

// RFC 9110 token characters: anything else in a header name could end the header
// line or smuggle a second one.
BOSBASE_DECL bool is_token_char(unsigned char c);

// CR, LF and NUL end or cut a header line; other controls are refused by servers.
// Branch-free, so the compiler can check a long token many bytes at a time.
BOSBASE_DECL bool is_header_value_safe(std::string_view value);

BOSBASE_DECL bool is_header_name_safe(std::string_view name);

// A request target is sent verbatim: controls, spaces and raw non-ASCII bytes
// would change the request line, so callers must percent-encode them.
BOSBASE_DECL bool is_target_safe(std::string_view target);

// `what` names the value's role; the value itself is never quoted (it may be a secret).
BOSBASE_DECL void require_header(std::string_view name, std::string_view value, const char* what);

BOSBASE_DECL void require_headers(const header_list& headers, const char* what);

// "." and ".." would be resolved as path steps by servers and proxies.
BOSBASE_DECL void require_path_segment(std::string_view segment, const char* what);

// Replaces bytes that are not UTF-8 with U+FFFD, so raw server bytes can live in a json string.
BOSBASE_DECL std::string to_valid_utf8(std::string_view in);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "text.ipp"
#endif

#endif  // BOSBASE_DETAIL_TEXT_HPP
