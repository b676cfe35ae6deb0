// bosbase-cpp: definitions of detail/text.hpp (text helpers: header and path checks, percent-encoding, UTF-8, query strings, URL redaction, base64url.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_TEXT_IPP
#define BOSBASE_DETAIL_TEXT_IPP

#include "text.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL bool ascii_iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) {
            return false;
        }
    }
    return true;
}

BOSBASE_DECL bool has_header(const header_list& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return ascii_iequal(h.first, name); });
}

BOSBASE_DECL std::string encode_uri_component(std::string_view in) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size() + in.size() / 2);
    for (char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
                                c == '\'' || c == '(' || c == ')';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

BOSBASE_DECL std::size_t utf8_char_length(std::string_view in, std::size_t i) {
    const auto c = static_cast<unsigned char>(in[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > in.size()) {
        return 0;
    }
    if (len == 1) {
        return 1;
    }
    std::uint32_t cp = c & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
        const auto cont = static_cast<unsigned char>(in[i + k]);
        if ((cont & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cont & 0x3F);
    }
    static const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    return (cp >= min_for_len[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) ? len : 0;
}

BOSBASE_DECL bool is_valid_utf8(std::string_view in) {
    for (std::size_t i = 0; i < in.size();) {
        const std::size_t len = utf8_char_length(in, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

BOSBASE_DECL std::string query_value_text(const json& v) {
    if (v.is_string()) {
        return v.get<std::string>();
    }
    return v.dump();  // numbers, booleans and objects: JSON text, like String()/JSON.stringify
}

BOSBASE_DECL void assign_param(query_params& query, std::string_view key, json value) {
    for (auto& param : query) {
        if (param.first == key) {
            param.second = std::move(value);
            return;
        }
    }
    query.emplace_back(std::string(key), std::move(value));
}

BOSBASE_DECL void append_query(std::string& out, const query_params& query) {
    for (const auto& param : query) {
        const std::string& key = param.first;
        const json& value = param.second;
        auto emit = [&](const json& v) {
            if (v.is_null()) {
                return;
            }
            std::string text = query_value_text(v);
            // The server reads query strings as UTF-8, as JSON would; other bytes are refused like there.
            if (!is_valid_utf8(key) || !is_valid_utf8(text)) {
                throw std::invalid_argument("bosbase: a query key or value is not valid UTF-8");
            }
            out += out.empty() ? "" : "&";
            out += encode_uri_component(key) + "=" + encode_uri_component(text);
        };
        if (value.is_array()) {
            for (const auto& item : value) {
                emit(item);
            }
        } else {
            emit(value);
        }
    }
}

BOSBASE_DECL int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

BOSBASE_DECL std::string percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (plus_is_space && in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && i + 2 < in.size() && hex_digit(in[i + 1]) >= 0 && hex_digit(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

BOSBASE_DECL bool is_secret_key(std::string_view key) {
    std::string decoded = percent_decode(key);
    for (char& c : decoded) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    static const char* const whole[] = {"otp", "code", "state", "key", "apikey", "sig", "auth", "jwt", "session", "pass"};
    for (const char* secret : whole) {
        if (decoded == secret) return true;
    }
    static const char* const stems[] = {"token", "password", "secret", "signature", "credential", "api_key", "authorization"};
    for (const char* stem : stems) {
        if (decoded.find(stem) != std::string::npos) return true;
    }
    return false;
}

BOSBASE_DECL bool looks_like_jwt(std::string_view value) {
    if (value.size() < 10 || value.compare(0, 3, "eyJ") != 0) return false;
    int dots = 0;
    for (const char c : value) {
        if (c == '.') {
            ++dots;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '_' || c == '%' || c == '=')) {
            return false;
        }
    }
    return dots == 2;
}

BOSBASE_DECL std::string redact_url(const std::string& url) {
    std::string out;
    out.reserve(url.size());
    std::size_t pos = 0;
    const auto scheme = url.find("://");
    const auto first_mark = url.find_first_of("?#");
    if (scheme != std::string::npos && scheme < first_mark) {
        const std::size_t host_begin = scheme + 3;
        const std::size_t authority_end = std::min(url.find_first_of("/?#", host_begin), url.size());
        const auto at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
        out += url.substr(0, host_begin);
        if (at != std::string::npos && at >= host_begin && at < authority_end) {
            out += redacted_text;
            pos = at;  // from the '@' on
        } else {
            pos = host_begin;
        }
    }
    if (first_mark == std::string::npos) return out + url.substr(pos);
    out += url.substr(pos, first_mark - pos);
    pos = first_mark;
    // Each part of the query and of the fragment, after its '?', '#' or '&'.
    bool fragment = false;
    while (pos < url.size()) {
        if (url[pos] == '#') fragment = true;
        out += url[pos];
        const std::size_t begin = pos + 1;
        std::size_t end = url.find_first_of(fragment ? "&" : "&#", begin);
        if (end == std::string::npos) end = url.size();
        const std::string_view part(url.data() + begin, end - begin);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos &&
            (is_secret_key(part.substr(0, eq)) || looks_like_jwt(part.substr(eq + 1)))) {
            out.append(part.data(), eq + 1);
            out += redacted_text;
        } else {
            out.append(part.data(), part.size());
        }
        pos = end;
    }
    return out;
}

BOSBASE_DECL std::optional<std::string> base64url_decode(std::string_view in) {
    auto value_of = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-' || c == '+') return 62;
        if (c == '_' || c == '/') return 63;
        return -1;
    };
    while (!in.empty() && in.back() == '=') {
        in.remove_suffix(1);
    }
    if (in.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : in) {
        const int v = value_of(c);
        if (v < 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFFu);
        }
    }
    return out;
}

BOSBASE_DECL bool is_token_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

BOSBASE_DECL bool is_header_value_safe(std::string_view value) {
    unsigned bad = 0;
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        bad |= static_cast<unsigned>((c < 0x20) & (c != '\t')) | static_cast<unsigned>(c == 0x7F);
    }
    return bad == 0;
}

BOSBASE_DECL bool is_header_name_safe(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return is_token_char(static_cast<unsigned char>(c)); });
}

BOSBASE_DECL bool is_target_safe(std::string_view target) {
    return std::none_of(target.begin(), target.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c >= 0x7F || c == '#';
    });
}

BOSBASE_DECL void require_header(std::string_view name, std::string_view value, const char* what) {
    if (!is_header_name_safe(name)) {
        throw std::invalid_argument(std::string("bosbase: ") + what +
                                    ": a header name must be a non-empty HTTP token (no spaces, colons or control bytes)");
    }
    if (!is_header_value_safe(value)) {
        throw std::invalid_argument(std::string("bosbase: ") + what +
                                    ": a header value must not contain CR, LF, NUL or other control bytes");
    }
}

BOSBASE_DECL void require_headers(const header_list& headers, const char* what) {
    for (const auto& h : headers) require_header(h.first, h.second, what);
}

BOSBASE_DECL void require_path_segment(std::string_view segment, const char* what) {
    if (segment.empty()) {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must not be empty");
    }
    if (segment == "." || segment == "..") {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must not be '.' or '..'");
    }
}

BOSBASE_DECL std::string to_valid_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        const std::size_t len = utf8_char_length(in, i);
        if (len != 0) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_DETAIL_TEXT_IPP
