// bosbase-cpp: definitions of detail/ws_handshake.hpp (the WebSocket opening handshake as text: the upgrade request, its answer's head, Sec-WebSocket-Accept (SHA-1, base64).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_WS_HANDSHAKE_IPP
#define BOSBASE_DETAIL_WS_HANDSHAKE_IPP

#include "ws_handshake.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::array<unsigned char, 20> sha1(std::string_view data) {
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    auto rotl = [](std::uint32_t x, int n) { return static_cast<std::uint32_t>((x << n) | (x >> (32 - n))); };
    std::string msg(data);
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    msg += static_cast<char>(0x80);
    while (msg.size() % 64 != 56) msg += '\0';
    for (int shift = 56; shift >= 0; shift -= 8) msg += static_cast<char>((bits >> shift) & 0xFF);
    for (std::size_t block = 0; block < msg.size(); block += 64) {
        std::uint32_t w[80];
        for (int i = 0; i < 16; ++i) {
            const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + block + 4 * static_cast<std::size_t>(i));
            w[i] = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
        }
        for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; ++i) {
            std::uint32_t f = 0, k = 0;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999u;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1u;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDCu;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6u;
            }
            const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::array<unsigned char, 20> out{};
    for (std::size_t i = 0; i < 20; ++i) out[i] = static_cast<unsigned char>((h[i / 4] >> (24 - 8 * (i % 4))) & 0xFF);
    return out;
}

BOSBASE_DECL std::string base64_encode(const unsigned char* data, std::size_t size) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t(data[i]) << 16) | (i + 1 < size ? std::uint32_t(data[i + 1]) << 8 : 0) |
                                (i + 2 < size ? std::uint32_t(data[i + 2]) : 0);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < size ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < size ? alphabet[n & 63] : '=';
    }
    return out;
}

BOSBASE_DECL std::string websocket_accept_for(std::string_view key) {
    const auto digest = sha1(std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return base64_encode(digest.data(), digest.size());
}

BOSBASE_DECL std::optional<ws_url> parse_ws_url(std::string_view url) {
    ws_url out;
    std::string_view scheme = "ws://";
    if (url.size() >= 6 && ascii_iequal(url.substr(0, 6), "wss://")) {
        scheme = "wss://";
        out.secure = true;
        out.port = "443";
    }
    if (url.size() < scheme.size() || !ascii_iequal(url.substr(0, scheme.size()), scheme)) return std::nullopt;
    const std::string_view rest = url.substr(scheme.size());
    const auto end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, end);
    if (end != std::string_view::npos) {
        std::string_view target = rest.substr(end);
        target = target.substr(0, target.find('#'));
        out.target = std::string(target);
        if (out.target.front() == '?') out.target.insert(0, "/");
    }
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    out.host_header = std::string(authority);
    std::string_view host = authority;
    std::string_view port;
    if (host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        if (close + 1 < host.size()) {
            if (host[close + 1] != ':') return std::nullopt;
            port = host.substr(close + 2);
        }
        host = host.substr(1, close - 1);
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (host.empty() || !is_target_safe(out.target) || !is_header_value_safe(out.host_header)) return std::nullopt;
    if (!port.empty() || authority.back() == ':') {
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
            return std::nullopt;
        }
        const long n = std::stol(std::string(port));
        if (n < 1 || n > 65535) return std::nullopt;
        out.port = std::string(port);
    }
    out.host = std::string(host);
    return out;
}

BOSBASE_DECL std::string websocket_upgrade_request(const ws_url& url, const header_list& headers,
                                                   std::string_view key) {
    std::string out = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.host_header +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(key) +
                      "\r\nSec-WebSocket-Version: 13\r\n";
    auto own = [](std::string_view name) {
        for (std::string_view set : {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
                                     "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"}) {
            if (ascii_iequal(name, set)) return true;
        }
        return false;
    };
    for (const auto& h : headers) {
        if (!is_header_name_safe(h.first) || !is_header_value_safe(h.second)) return {};
        if (!own(h.first)) out += h.first + ": " + h.second + "\r\n";
    }
    return out + "\r\n";
}

BOSBASE_DECL const std::string* http_head::find(std::string_view name) const {
    for (const auto& h : headers) {
        if (ascii_iequal(h.first, name)) return &h.second;
    }
    return nullptr;
}

BOSBASE_DECL std::optional<http_head> parse_http_head(std::string_view head) {
    auto next_line = [&head]() {
        const auto eol = head.find("\r\n");
        std::string_view line = head.substr(0, eol);
        head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
        return line;
    };
    // A bare CR or LF is no line end here (only CRLF is) and would stay in a name or value: the
    // head is refused (RFC 9112 lets a client refuse a bare CR).
    for (std::size_t at = 0; (at = head.find_first_of("\r\n", at)) != std::string_view::npos; at += 2) {
        if (head[at] != '\r' || at + 1 >= head.size() || head[at + 1] != '\n') return std::nullopt;
    }
    const std::string_view status_line = next_line();
    // Status 0 is the SDK's word for "no answer": a three-digit code starts with 1 to 9.
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
        status_line[9] == '0' || (status_line.size() > 12 && status_line[12] != ' ')) {
        return std::nullopt;
    }
    http_head out;
    for (std::size_t i = 9; i < 12; ++i) {
        if (status_line[i] < '0' || status_line[i] > '9') return std::nullopt;
        out.status = out.status * 10 + (status_line[i] - '0');
    }
    while (!head.empty()) {
        const std::string_view line = next_line();
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return out;
}

BOSBASE_DECL bool header_lists(const std::string* value, std::string_view token) {
    if (!value) return false;
    std::string_view rest = *value;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (ascii_iequal(item, token)) return true;
    }
    return false;
}

BOSBASE_DECL std::string check_websocket_accept(const http_head& head, std::string_view key) {
    if (!header_lists(head.find("Upgrade"), "websocket")) return "the upgrade's answer lacks Upgrade: websocket";
    if (!header_lists(head.find("Connection"), "Upgrade")) return "the upgrade's answer lacks Connection: Upgrade";
    const std::string* accept = head.find("Sec-WebSocket-Accept");
    if (!accept || *accept != websocket_accept_for(key)) {
        return "the upgrade's answer has a wrong Sec-WebSocket-Accept (not an answer to this request)";
    }
    if (head.find("Sec-WebSocket-Extensions")) return "the server chose a WebSocket extension that was not offered";
    return {};
}

BOSBASE_DECL bool http_dechunk(std::string_view raw, std::string& out, std::size_t cap) {
    out.clear();
    for (;;) {
        const auto eol = raw.find("\r\n");
        if (eol == std::string_view::npos) return false;
        std::uint64_t size = 0;
        std::size_t digits = 0;
        for (; digits < eol && digits < 16; ++digits) {
            const char c = raw[digits];
            const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0) break;
            size = size * 16 + static_cast<std::uint64_t>(v);
        }
        if (digits == 0 || digits == 16) return true;
        if (size == 0) return true;
        raw.remove_prefix(eol + 2);
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>({size, raw.size(), cap - out.size()}));
        out.append(raw.data(), take);
        if (out.size() >= cap) return true;
        if (raw.size() < size + 2) return false;
        raw.remove_prefix(static_cast<std::size_t>(size) + 2);
    }
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_DETAIL_WS_HANDSHAKE_IPP
