// bosbase-cpp: The WebSocket opening handshake as text: the upgrade request, its answer's head, Sec-WebSocket-Accept (SHA-1, base64).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_WS_HANDSHAKE_HPP
#define BOSBASE_DETAIL_WS_HANDSHAKE_HPP

#include "text.hpp"
#include "../transport.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// SHA-1 is needed for nothing but Sec-WebSocket-Accept (RFC 6455 4.2.2), which proves the
// server read this upgrade; it guards no secret, so a small implementation of our own does.
BOSBASE_DECL std::array<unsigned char, 20> sha1(std::string_view data);

/// Standard base64 with padding (RFC 4648 section 4), as the handshake's headers use.
BOSBASE_DECL std::string base64_encode(const unsigned char* data, std::size_t size);

/// What the server must answer in Sec-WebSocket-Accept to the key `key`.
BOSBASE_DECL std::string websocket_accept_for(std::string_view key);

/// A ws:// URL taken apart for the socket and the request line.
struct ws_url {
    std::string host;         ///< without brackets, for getaddrinfo
    std::string port = "80";  ///< digits
    std::string host_header;  ///< as the URL spells it, for Host
    std::string target = "/"; ///< path and query
    bool secure = false;      ///< wss://: TLS, port 443 unless given
};

/// nullopt when it is not ws://host[:port][/target] or wss://host[:port][/target].
BOSBASE_DECL std::optional<ws_url> parse_ws_url(std::string_view url);

/// The upgrade request. The caller's headers go along, except those the handshake sets
/// itself; a header that could end its line is refused (empty result).
BOSBASE_DECL std::string websocket_upgrade_request(const ws_url& url, const header_list& headers, std::string_view key);

/// The status line and headers of the answer to the upgrade.
struct http_head {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;

    const std::string* find(std::string_view name) const;
};

/// Parses "HTTP/1.x NNN reason\r\n" and the header lines, `head` without its blank line;
/// nullopt when it is not HTTP/1, its status is not 100 to 999, or it has a bare CR or LF.
BOSBASE_DECL std::optional<http_head> parse_http_head(std::string_view head);

/// Whether a comma-separated header value lists `token` (any case): Connection may say "keep-alive, Upgrade".
BOSBASE_DECL bool header_lists(const std::string* value, std::string_view token);

/// What is wrong with a 101 answer, or "" when it accepts the upgrade that sent `key`.
BOSBASE_DECL std::string check_websocket_accept(const http_head& head, std::string_view key);

/// Decodes what of a chunked body has arrived, at most `cap` bytes of it; true once it is
/// whole, `cap` bytes are out, or the chunking is broken (then what came before stands).
BOSBASE_DECL bool http_dechunk(std::string_view raw, std::string& out, std::size_t cap);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "ws_handshake.ipp"
#endif

#endif  // BOSBASE_DETAIL_WS_HANDSHAKE_HPP
