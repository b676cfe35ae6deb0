// bosbase-cpp: a header-only C++17 client SDK for BosBase (a PocketBase fork).
// SPDX-License-Identifier: MIT
//
// This file is the single source of the SDK. single_include/bosbase/bosbase.hpp
// is generated from it by cmake/sync_single_include.cmake; edit this file only.
//
// Dependencies: nlohmann/json always; cpp-httplib unless BOSBASE_NO_HTTPLIB is
// defined (then only custom transports are available, see README).

#ifndef BOSBASE_HPP
#define BOSBASE_HPP

#define BOSBASE_VERSION_MAJOR 0
#define BOSBASE_VERSION_MINOR 1
#define BOSBASE_VERSION_PATCH 0
#define BOSBASE_VERSION "0.1.0"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#ifndef BOSBASE_NO_HTTPLIB
#include <httplib.h>
// cpp-httplib 0.11 knows only OpenSSL; later releases also offer mbedTLS and
// wolfSSL and define CPPHTTPLIB_SSL_ENABLED for any of them.
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT) || defined(CPPHTTPLIB_SSL_ENABLED)
#define BOSBASE_HTTPLIB_TLS 1
#endif
#endif

namespace bosbase {

using json = nlohmann::json;

/// @brief Ordered HTTP header list; names compare case-insensitively where it matters.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// @brief Ordered query parameters. Values follow the JS SDK's rules: strings and
/// numbers as text, booleans as true/false, arrays repeat the key, objects are
/// sent as JSON, null values are skipped.
using query_params = std::vector<std::pair<std::string, json>>;

// ---------------------------------------------------------------------------
// Transport policy
// ---------------------------------------------------------------------------

/// @brief Why a call ended without a usable HTTP response (ClientResponseError::error_kind()).
enum class error_kind {
    none,              ///< an HTTP response arrived (status() says which)
    connect,           ///< the TCP connection was refused or the host is unreachable
    resolve,           ///< the host name could not be resolved
    timeout,           ///< one socket read or write waited longer than the per-read timeout
    deadline,          ///< the whole call took longer than its deadline
    tls,               ///< TLS handshake or certificate verification failed
    send,              ///< the request could not be written
    receive,           ///< the connection broke before a complete response arrived
    canceled,          ///< the transport reported a cancellation
    too_large,         ///< the response exceeded max_response_bytes (or its headers a library limit)
    invalid_response,  ///< the bytes were not a usable HTTP response (bad status line, chunking, 1xx, ...)
    other              ///< anything else a transport reported
};

/// @brief Stable lower-case name of an error_kind ("deadline", "too_large", ...).
inline const char* to_string(error_kind k) noexcept {
    switch (k) {
    case error_kind::none: return "none";
    case error_kind::connect: return "connect";
    case error_kind::resolve: return "resolve";
    case error_kind::timeout: return "timeout";
    case error_kind::deadline: return "deadline";
    case error_kind::tls: return "tls";
    case error_kind::send: return "send";
    case error_kind::receive: return "receive";
    case error_kind::canceled: return "canceled";
    case error_kind::too_large: return "too_large";
    case error_kind::invalid_response: return "invalid_response";
    case error_kind::other: return "other";
    }
    return "other";
}

/// @brief One HTTP request as the client hands it to a transport.
struct http_request {
    using clock = std::chrono::steady_clock;

    std::string method;    ///< "GET", "POST", "PATCH", "DELETE", ...
    std::string origin;    ///< "scheme://host[:port]", no path
    std::string target;    ///< path and encoded query, e.g. "/api/health?x=1"
    header_list headers;   ///< request headers, without Content-Type
    std::string body;      ///< raw body (empty when there is none)
    std::string content_type;  ///< empty when body is empty
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds read_timeout{30000};   ///< per socket read
    std::chrono::milliseconds write_timeout{30000};  ///< per socket write
    /// The whole call (connect, send, headers, body) must end by then; a transport
    /// that cannot stop in time should throw transport_error(error_kind::deadline).
    clock::time_point deadline = clock::time_point::max();
    /// Largest body to accept, counted after any decompression (error_kind::too_large).
    std::size_t max_response_bytes = std::size_t(64) << 20;
    /// Whether the transport may ask for and undo Content-Encoding (gzip, ...).
    bool decompress = false;
};

/// @brief One HTTP response as a transport returns it.
struct http_response {
    int status = 0;
    header_list headers;
    std::string body;
};

/// @brief What a transport throws when no HTTP response could be had.
class transport_error : public std::runtime_error {
public:
    using kind = bosbase::error_kind;

    transport_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}

    bosbase::error_kind error_kind() const noexcept { return kind_; }

private:
    kind kind_;
};

namespace detail {

template <class T, class = void>
struct has_send : std::false_type {};

template <class T>
struct has_send<T, std::void_t<decltype(std::declval<T&>().send(std::declval<const http_request&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().send(std::declval<const http_request&>())), http_response> {};

template <class T, class = void>
struct has_supports_origin : std::false_type {};

template <class T>
struct has_supports_origin<
    T, std::void_t<decltype(std::declval<const T&>().supports_origin(std::declval<const std::string&>()))>>
    : std::true_type {};

}  // namespace detail

/// @brief True when T can be used as a transport: `http_response send(const http_request&)`.
template <class T>
inline constexpr bool is_transport_v = detail::has_send<T>::value;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// @brief Thrown by every failed request. status() is 0 when no HTTP response
/// was received (network failure, timeout, TLS error, cancellation).
///
/// @code
/// try { pb.collection("users").auth_with_token(token); }
/// catch (const bosbase::ClientResponseError& e) {
///     if (!e.mfa_id().empty()) { /* second factor */ }
///     std::cerr << e.what() << '\n';   // never contains secrets
/// }
/// @endcode
class ClientResponseError : public std::exception {
public:
    /// @param secrets strings of this call (password, token, ...) to scrub from every text
    ClientResponseError(std::string url, int status, json response, error_kind kind = error_kind::none,
                        std::string original_error = {}, const std::vector<std::string_view>& secrets = {}) {
        auto built = std::make_shared<state>();
        state& st = *built;
        st.url = std::move(url);
        st.status = status;
        st.kind = kind;
        st.original_error = std::move(original_error);
        st.response = response.is_object() ? std::move(response) : json::object();
        if (!secrets.empty()) {
            scrub(st.url, secrets);
            scrub(st.original_error, secrets);
            scrub_json(st.response, secrets, 0);
        }
        st.what = build_what(st);
        state_ = std::move(built);
    }

    // Copies share one immutable state, so copying never throws (like std::runtime_error).
    ClientResponseError(const ClientResponseError&) noexcept = default;
    ClientResponseError& operator=(const ClientResponseError&) noexcept = default;
    ~ClientResponseError() override = default;

    const char* what() const noexcept override { return state_->what.c_str(); }

    /// @brief The request URL (query values of secret-looking keys are redacted).
    const std::string& url() const noexcept { return state_->url; }
    /// @brief HTTP status, or 0 when no response was received.
    int status() const noexcept { return state_->status; }
    /// @brief Why no usable response came (error_kind::none when status() is an HTTP status).
    bosbase::error_kind error_kind() const noexcept { return state_->kind; }
    /// @brief The server's JSON ({status, message, data}); always an object.
    const json& response() const noexcept { return state_->response; }
    /// @brief Alias of response(), as in the JS SDK.
    const json& data() const noexcept { return state_->response; }
    /// @brief True when the transport reported a cancellation.
    bool is_abort() const noexcept { return state_->kind == bosbase::error_kind::canceled; }
    /// @brief Description of the underlying failure (status 0 only).
    const std::string& original_error() const noexcept { return state_->original_error; }

    /// @brief The server's message, or "" when it sent none.
    std::string message() const { return string_field(state_->response, "message"); }

    /// @brief The MFA session id when the server asked for a second factor, else "".
    std::string mfa_id() const {
        return state_->status == 401 ? string_field(state_->response, "mfaId") : std::string();
    }

private:
    struct state {
        std::string url;
        int status = 0;
        bosbase::error_kind kind = bosbase::error_kind::none;
        json response;
        std::string original_error;
        std::string what;
    };

    static std::string string_field(const json& object, const char* key) {
        auto it = object.find(key);
        return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
    }

    // Real secrets are long (PocketBase passwords and OTPs have 8+ characters,
    // tokens far more); scrubbing shorter ones would mangle ordinary words.
    static constexpr std::size_t min_scrubbed_length = 6;

    static void scrub(std::string& text, const std::vector<std::string_view>& secrets) {
        for (std::string_view secret : secrets) {
            if (secret.size() < min_scrubbed_length) {
                continue;
            }
            for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
                text.replace(pos, secret.size(), "***");
            }
        }
    }

    // The server may echo a secret anywhere (a message, a field error, a key).
    static void scrub_json(json& value, const std::vector<std::string_view>& secrets, std::size_t depth) {
        if (value.is_string()) {
            scrub(value.get_ref<std::string&>(), secrets);
        } else if (value.is_array()) {
            for (auto& item : value) scrub_json(item, secrets, depth + 1);
        } else if (value.is_object()) {
            json out = json::object();
            for (auto it = value.begin(); it != value.end(); ++it) {
                std::string key = it.key();
                scrub(key, secrets);
                scrub_json(it.value(), secrets, depth + 1);
                out[key] = std::move(it.value());
            }
            value = std::move(out);
        }
    }

    static std::string build_what(const state& st) {
        std::string out = "bosbase: ";
        if (st.status == 0) {
            out += st.kind == bosbase::error_kind::canceled ? "request was cancelled"
                                                            : "request failed before any response";
            if (st.kind != bosbase::error_kind::none && st.kind != bosbase::error_kind::canceled) {
                out += std::string(" [") + to_string(st.kind) + "]";
            }
            if (!st.original_error.empty()) {
                out += ": " + st.original_error;
            }
        } else {
            out += "HTTP " + std::to_string(st.status);
            std::string msg = string_field(st.response, "message");
            if (st.status == 401 && !string_field(st.response, "mfaId").empty()) {
                msg = "multi-factor authentication required; pass mfa_id() to a second auth call";
            }
            if (!msg.empty()) {
                out += ": " + msg;
            }
            append_field_errors(st.response, out);
        }
        if (!st.url.empty()) {
            out += " (" + st.url + ")";
        }
        return out;
    }

    // Validation failures carry per-field reasons; they name fields, never values.
    static void append_field_errors(const json& response, std::string& out) {
        auto data = response.find("data");
        if (data == response.end() || !data->is_object() || data->empty()) {
            return;
        }
        std::string fields;
        for (auto it = data->begin(); it != data->end(); ++it) {
            if (!it->is_object()) {
                continue;
            }
            auto m = it->find("message");
            if (m == it->end() || !m->is_string()) {
                continue;
            }
            fields += (fields.empty() ? "" : "; ") + it.key() + ": " + m->get<std::string>();
        }
        if (!fields.empty()) {
            out += " [" + fields + "]";
        }
    }

    std::shared_ptr<const state> state_;
};

// ---------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------

namespace detail {

inline bool ascii_iequal(std::string_view a, std::string_view b) {
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

inline bool has_header(const header_list& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return ascii_iequal(h.first, name); });
}

// Same unreserved set as JS encodeURIComponent, so URLs match the JS SDK byte for byte.
inline std::string encode_uri_component(std::string_view in) {
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

inline std::string query_value_text(const json& v) {
    if (v.is_string()) {
        return v.get<std::string>();
    }
    return v.dump();  // numbers, booleans and objects: JSON text, like String()/JSON.stringify
}

inline void append_query(std::string& out, const query_params& query) {
    for (const auto& param : query) {
        const std::string& key = param.first;
        const json& value = param.second;
        auto emit = [&](const json& v) {
            if (v.is_null()) {
                return;
            }
            out += out.empty() ? "" : "&";
            out += encode_uri_component(key) + "=" + encode_uri_component(query_value_text(v));
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

inline bool is_secret_key(std::string_view key) {
    static const char* const secrets[] = {"token", "password", "passwordConfirm", "oldPassword", "otp"};
    return std::any_of(std::begin(secrets), std::end(secrets),
                       [&](const char* s) { return ascii_iequal(key, s); });
}

// URLs travel into exceptions; a `?token=` (file tokens, or a caller's own) must not.
inline std::string redact_url(const std::string& url) {
    const auto q = url.find('?');
    if (q == std::string::npos) {
        return url;
    }
    std::string out = url.substr(0, q + 1);
    std::size_t pos = q + 1;
    while (pos <= url.size()) {
        auto amp = url.find('&', pos);
        if (amp == std::string::npos) {
            amp = url.size();
        }
        const std::string part = url.substr(pos, amp - pos);
        const auto eq = part.find('=');
        const std::string key = part.substr(0, eq);
        out += (eq != std::string::npos && is_secret_key(key)) ? key + "=REDACTED" : part;
        if (amp < url.size()) {
            out += '&';
        }
        pos = amp + 1;
    }
    return out;
}

inline std::optional<std::string> base64url_decode(std::string_view in) {
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

// --- validation of what goes on the wire ----------------------------------

// RFC 9110 token characters: anything else in a header name could end the header
// line or smuggle a second one.
inline bool is_token_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// CR, LF and NUL end or cut a header line; other controls are refused by servers.
inline bool is_header_value_safe(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t') || c == 0x7F;
    });
}

inline bool is_header_name_safe(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return is_token_char(static_cast<unsigned char>(c)); });
}

// A request target is sent verbatim: controls, spaces and raw non-ASCII bytes
// would change the request line, so callers must percent-encode them.
inline bool is_target_safe(std::string_view target) {
    return std::none_of(target.begin(), target.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c >= 0x7F || c == '#';
    });
}

// `what` names the value's role; the value itself is never quoted (it may be a secret).
inline void require_header(std::string_view name, std::string_view value, const char* what) {
    if (!is_header_name_safe(name)) {
        throw std::invalid_argument(std::string("bosbase: ") + what +
                                    ": a header name must be a non-empty HTTP token (no spaces, colons or control bytes)");
    }
    if (!is_header_value_safe(value)) {
        throw std::invalid_argument(std::string("bosbase: ") + what +
                                    ": a header value must not contain CR, LF, NUL or other control bytes");
    }
}

inline void require_headers(const header_list& headers, const char* what) {
    for (const auto& h : headers) require_header(h.first, h.second, what);
}

// "." and ".." would be resolved as path steps by servers and proxies.
inline void require_path_segment(std::string_view segment, const char* what) {
    if (segment.empty()) {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must not be empty");
    }
    if (segment == "." || segment == "..") {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must not be '.' or '..'");
    }
}

// Replaces bytes that are not UTF-8 with U+FFFD, so raw server bytes can live in a json string.
inline std::string to_valid_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len != 0 && i + len <= in.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
        }
        if (ok && len > 1) {
            // Reject overlong forms, surrogates and code points above U+10FFFF.
            std::uint32_t cp = c & (0xFF >> (len + 1));
            for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
            static const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= min_for_len[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

/// True when valid JSON text would nest deeper than max_depth. Invalid text may
/// give either answer; the parser rejects it anyway. A plain byte scan is cheaper
/// than a parser callback and keeps the parse itself identical to a hand-written one.
inline bool nests_deeper_than(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        switch (text[i]) {
        case '"':  // skip the string, honouring backslash escapes
            for (++i; i < n && text[i] != '"'; ++i) {
                i += text[i] == '\\' ? 1 : 0;
            }
            break;
        case '[':
        case '{':
            if (++depth > max_depth) return true;
            break;
        case ']':
        case '}':
            depth -= depth > 0 ? 1 : 0;
            break;
        default:
            break;
        }
    }
    return false;
}

/// Parses JSON without exceptions; nullopt when the text is not JSON or nests
/// deeper than max_depth (a deep document would exhaust the stack of every
/// recursive copy, comparison or dump later on).
inline std::optional<json> parse_json(const std::string& text, std::size_t max_depth) {
    if (nests_deeper_than(text, max_depth)) {
        return std::nullopt;
    }
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return std::nullopt;
    }
    return parsed;
}

/// Parses "scheme://host[:port][/prefix]" into origin and a path prefix without a trailing slash.
struct parsed_base_url {
    std::string scheme;
    std::string origin;
    std::string prefix;
};

// The URL is never quoted in these messages: it may carry user info or a token.
inline parsed_base_url parse_base_url(std::string_view url) {
    auto fail = [](const std::string& why) -> parsed_base_url {
        throw std::invalid_argument("bosbase: invalid base URL: " + why);
    };
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) {
        return fail("it must start with http:// or https://");
    }
    parsed_base_url out;
    for (char c : url.substr(0, sep)) {
        out.scheme += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    if (out.scheme != "http" && out.scheme != "https") {
        return fail("the scheme must be http or https");
    }
    const auto rest = url.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return fail("it must not contain a query or fragment");
    }
    const auto slash = rest.find('/');
    const auto authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) {
        return fail("user info (user:password@) is not supported; sign in through the API instead");
    }
    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {  // IPv6 literal
        const auto close = host.find(']');
        if (close == std::string_view::npos) {
            return fail("an IPv6 host must be written as [address]");
        }
        if (close + 1 < host.size()) {
            if (host[close + 1] != ':') {
                return fail("unexpected characters after the IPv6 host");
            }
            port = host.substr(close + 2);
        }
        host = host.substr(0, close + 1);
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    const bool host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '[' || c == ']' || c == ':' || c == '%';
    });
    if (!host_ok) {
        return fail("the host is empty or has characters a host name cannot have");
    }
    if (authority.find(':') != std::string_view::npos && (host.front() != '[' || !port.empty() ||
                                                          authority.back() == ':')) {
        const bool digits = !port.empty() && port.size() <= 5 &&
                            std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        const long value = digits ? std::stol(std::string(port)) : 0;
        if (!digits || value < 1 || value > 65535) {
            return fail("the port must be a number from 1 to 65535");
        }
    }
    out.origin = out.scheme + "://" + std::string(authority);
    if (slash != std::string_view::npos) {
        out.prefix = std::string(rest.substr(slash));
        while (!out.prefix.empty() && out.prefix.back() == '/') {
            out.prefix.pop_back();
        }
        if (!is_target_safe(out.prefix)) {
            return fail("the path must be percent-encoded (no spaces, control or non-ASCII bytes)");
        }
    }
    return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Auth store
// ---------------------------------------------------------------------------

/// @brief Decodes a JWT's payload without checking its signature; nullopt when it is not a JWT.
inline std::optional<json> jwt_payload(std::string_view token) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    auto decoded = detail::base64url_decode(token.substr(first + 1, second - first - 1));
    if (!decoded) {
        return std::nullopt;
    }
    // Real claims are flat; the cap only keeps a hostile token from nesting deep.
    auto payload = detail::parse_json(*decoded, 16);
    if (!payload || !payload->is_object()) {
        return std::nullopt;
    }
    return payload;
}

/// @brief True when the token is a JWT whose `exp` lies more than threshold_seconds
/// ahead. A JWT without `exp` counts as valid (it does not expire), as in the JS SDK.
inline bool is_token_valid(std::string_view token, std::int64_t threshold_seconds = 0) {
    const auto payload = jwt_payload(token);
    if (!payload) {
        return false;
    }
    const auto exp = payload->find("exp");
    if (exp == payload->end()) {
        return true;
    }
    if (!exp->is_number()) {
        return false;
    }
    const auto now = static_cast<double>(std::time(nullptr));
    return exp->get<double>() - static_cast<double>(threshold_seconds) > now;
}

/// @brief Holds the current auth token and record. All members are thread-safe.
///
/// Listeners run on the thread that changed the store, after the data lock is
/// released, one notification at a time. A listener that throws is skipped: the
/// exception is swallowed, the other listeners still run and the change stands.
/// Once remove_listener() returns, that listener never runs again (unless called
/// from inside the listener itself, which finishes its current run).
class auth_store {
public:
    using listener = std::function<void(const std::string& token, const json& record)>;
    using listener_id = std::uint64_t;

    /// @brief The _superusers collection id, fixed by the server.
    static constexpr const char* superusers_collection_id = "pbc_3142635823";

    auth_store() = default;
    auth_store(const auth_store&) = delete;
    auth_store& operator=(const auth_store&) = delete;

    std::string token() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return token_;
    }

    json record() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return record_;
    }

    /// @brief True when the stored token is a JWT that has not expired.
    bool is_valid() const { return is_token_valid(token()); }

    /// @brief True when the token is an auth token of the _superusers collection.
    bool is_superuser() const {
        std::string tok;
        std::string collection_name;
        bool has_collection_name = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            tok = token_;
            if (record_.is_object()) {
                auto it = record_.find("collectionName");
                has_collection_name = it != record_.end();
                if (has_collection_name && it->is_string()) collection_name = it->get<std::string>();
            }
        }
        const auto payload = jwt_payload(tok);
        if (!payload || string_claim(*payload, "type") != "auth") {
            return false;
        }
        if (has_collection_name) {
            return collection_name == "_superusers";
        }
        return string_claim(*payload, "collectionId") == superusers_collection_id;
    }

    /// @brief Replaces token and record. Throws std::invalid_argument when the token
    /// could not be sent as a header (CR, LF, NUL or other control bytes).
    void save(std::string token, json record) {
        if (!detail::is_header_value_safe(token)) {
            throw std::invalid_argument(
                "bosbase: an auth token must not contain CR, LF, NUL or other control bytes");
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            token_ = std::move(token);
            record_ = std::move(record);
        }
        notify();
    }

    void clear() { save(std::string(), json(nullptr)); }

    /// @brief Registers a change listener; keep the id to remove it again.
    listener_id on_change(listener fn, bool fire_immediately = false) {
        auto fn_ptr = std::make_shared<listener>(std::move(fn));
        listener_id id = 0;
        std::string tok;
        json rec;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            id = ++last_id_;
            listeners_.emplace(id, fn_ptr);
            if (fire_immediately) {
                tok = token_;
                rec = record_;
            }
        }
        if (fire_immediately) {
            std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
            call(*fn_ptr, tok, rec);
        }
        return id;
    }

    /// @brief Removes a listener; returns false when the id is unknown. Waits for a
    /// notification in progress on another thread, so the listener is not called again.
    bool remove_listener(listener_id id) {
        std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
        std::lock_guard<std::mutex> lock(mutex_);
        return listeners_.erase(id) > 0;
    }

    /// @brief Merges `changes` into the stored record (as the JS SDK does, `expand`
    /// merged too) when the stored record has this id and belongs to `collection`
    /// (a name or id). Check and write are one step, so a concurrent sign-in is never undone.
    bool merge_record_if(std::string_view id, std::string_view collection, const json& changes) {
        if (!changes.is_object()) {
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!holds_record(id, collection)) {
                return false;
            }
            json expand = record_.contains("expand") && record_["expand"].is_object() ? record_["expand"]
                                                                                     : json::object();
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                record_[it.key()] = it.value();
            }
            auto changed_expand = changes.find("expand");
            if (changed_expand != changes.end() && changed_expand->is_object()) {
                expand.update(*changed_expand);
            }
            if (!expand.empty()) {
                record_["expand"] = std::move(expand);
            }
        }
        notify();
        return true;
    }

    /// @brief Signs out when the stored record has this id and belongs to `collection`; atomic like merge_record_if.
    bool clear_if(std::string_view id, std::string_view collection) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!holds_record(id, collection)) {
                return false;
            }
            token_.clear();
            record_ = nullptr;
        }
        notify();
        return true;
    }

private:
    static std::string string_claim(const json& object, const char* key) {
        auto it = object.find(key);
        return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
    }

    bool holds_record(std::string_view id, std::string_view collection) const {
        if (!record_.is_object()) {
            return false;
        }
        return string_claim(record_, "id") == id &&
               (string_claim(record_, "collectionId") == collection ||
                string_claim(record_, "collectionName") == collection);
    }

    static void call(const listener& fn, const std::string& tok, const json& rec) noexcept {
        try {
            fn(tok, rec);
        } catch (...) {  // a listener must not turn a completed sign-in into a failed call
        }
    }

    // Snapshot under the data lock, call outside it, so a listener may read the store.
    void notify() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (listeners_.empty()) {
                return;  // the common case: no copies at all
            }
        }
        std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
        std::vector<std::shared_ptr<listener>> fns;
        std::string tok;
        json rec;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (listeners_.empty()) {
                return;
            }
            fns.reserve(listeners_.size());
            for (const auto& entry : listeners_) fns.push_back(entry.second);
            tok = token_;
            rec = record_;
        }
        for (std::size_t i = 0; i < fns.size(); ++i) {
            // A listener removed by an earlier one in this round is skipped.
            if (i > 0 && !still_registered(fns[i])) {
                continue;
            }
            call(*fns[i], tok, rec);
        }
    }

    bool still_registered(const std::shared_ptr<listener>& fn) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& e) { return e.second == fn; });
    }

    mutable std::mutex mutex_;
    // Held for a whole notification round; recursive so a listener may save or remove listeners.
    std::recursive_mutex dispatch_mutex_;
    std::string token_;
    json record_;
    std::map<listener_id, std::shared_ptr<listener>> listeners_;
    listener_id last_id_ = 0;
};

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// @brief Client-wide settings.
struct client_options {
    std::string lang = "en-US";  ///< sent as Accept-Language
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds timeout{30000};   ///< per socket read or write of each call
    std::chrono::milliseconds deadline{60000};  ///< the whole call, connect to last body byte
    header_list headers;                        ///< added to every request
    /// Largest response body accepted, counted after any decompression.
    std::size_t max_response_bytes = std::size_t(64) << 20;
    /// Deepest JSON nesting accepted in a response; deeper documents are refused.
    std::size_t max_json_depth = 128;
    /// Ask for and undo gzip/deflate; off by default so a compression bomb costs nothing.
    bool decompress = false;
};

/// @brief Per-call settings; every field is optional.
struct request_options {
    std::optional<std::string> expand;  ///< `?expand=` relations to expand
    std::optional<std::string> fields;  ///< `?fields=` projection
    query_params query;                 ///< more query parameters
    header_list headers;                ///< more headers; they win over the client's own
    std::optional<std::chrono::milliseconds> timeout;   ///< per-read/write timeout of this call
    std::optional<std::chrono::milliseconds> deadline;  ///< whole-call deadline of this call
};

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

template <class Transport>
class basic_bosbase;

namespace detail {

/// The secrets one call carries (password, custom token, OTP, auth token): they
/// are scrubbed from every text an error of that call composes.
struct call_secrets {
    std::array<std::string_view, 4> items{};
    std::size_t count = 0;

    call_secrets() = default;
    call_secrets(std::initializer_list<std::string_view> list) {
        for (std::string_view s : list) add(s);
    }
    void add(std::string_view s) {
        if (!s.empty() && count < items.size()) items[count++] = s;
    }
    std::vector<std::string_view> to_vector() const { return {items.begin(), items.begin() + count}; }
};

}  // namespace detail

/// @brief Runs before every request reaches the transport; may change the method,
/// target, headers and body (they are checked again afterwards).
using before_send_hook = std::function<void(http_request&)>;
/// @brief Runs after every HTTP response, 2xx or not, before it is checked; may change it.
using after_send_hook = std::function<void(const http_request&, http_response&)>;

namespace detail {

/// Everything one client is: base URL, options, transport, auth store and hooks.
/// Clients and the services they hand out share it, so none can dangle.
template <class Transport>
class client_core {
public:
    client_core(parsed_base_url u, client_options o, Transport t)
        : url(std::move(u)), settings(std::move(o)), transport(std::move(t)) {
        require_headers(settings.headers, "client_options.headers");
        require_header("Accept-Language", settings.lang, "client_options.lang");
        if (settings.max_json_depth == 0) {
            throw std::invalid_argument("bosbase: client_options.max_json_depth must be at least 1");
        }
        if constexpr (has_supports_origin<Transport>::value) {
            if (!transport.supports_origin(url.origin)) {
                throw std::invalid_argument("bosbase: the transport cannot reach '" + url.origin +
                                            "' (its supports_origin() said no; for https:// the default "
                                            "transport needs cpp-httplib built with TLS)");
            }
        }
    }

    // A new identity on the same server: same URL, options, hooks and (shared) transport, empty store.
    explicit client_core(const client_core& other)
        : url(other.url), settings(other.settings), transport(other.transport) {
        std::lock_guard<std::mutex> lock(other.hooks_mutex_);
        before_ = other.before_;
        after_ = other.after_;
        has_hooks_ = other.has_hooks_.load();
    }

    client_core& operator=(const client_core&) = delete;

    const parsed_base_url url;
    const client_options settings;
    Transport transport;
    auth_store store;

    void set_hooks(std::shared_ptr<const before_send_hook> before, std::shared_ptr<const after_send_hook> after,
                   bool set_before, bool set_after) {
        std::lock_guard<std::mutex> lock(hooks_mutex_);
        if (set_before) before_ = std::move(before);
        if (set_after) after_ = std::move(after);
        has_hooks_ = before_ || after_;
    }

    json send_json(std::string_view method, std::string_view path, const json& body, const request_options& options,
                   call_secrets secrets) {
        http_response res = perform(method, path, body, options, secrets);
        return parse_body(res, path, options, secrets);
    }

    // Every request goes through here: input checks, hooks, the transport, and the
    // mapping of everything that can go wrong onto ClientResponseError.
    http_response perform(std::string_view method, std::string_view path, const json& body,
                          const request_options& options, call_secrets secrets) {
        require_headers(options.headers, "request_options.headers");

        http_request req;
        req.method = std::string(method);
        req.origin = url.origin;
        req.connect_timeout = settings.connect_timeout;
        req.read_timeout = options.timeout.value_or(settings.timeout);
        req.write_timeout = req.read_timeout;
        req.deadline = http_request::clock::now() + options.deadline.value_or(settings.deadline);
        req.max_response_bytes = settings.max_response_bytes;
        req.decompress = settings.decompress;
        req.target = target_for(path, collect_query(options));
        if (!body.is_null()) {
            req.body = dump_json(body);
            req.content_type = "application/json";
        }
        req.headers = build_headers(options);

        std::shared_ptr<const before_send_hook> before;
        std::shared_ptr<const after_send_hook> after;
        if (has_hooks_.load(std::memory_order_acquire)) {
            std::lock_guard<std::mutex> lock(hooks_mutex_);
            before = before_;
            after = after_;
        }
        if (before) {
            (*before)(req);
        }
        check_request(req);
        for (const auto& h : req.headers) {
            if (ascii_iequal(h.first, "Authorization")) secrets.add(h.second);
        }

        http_response res;
        try {
            res = transport.send(req);
        } catch (const transport_error& e) {
            throw transport_failure(req, e.error_kind(), e.what(), secrets);
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            throw transport_failure(req, error_kind::other, e.what(), secrets);
        } catch (...) {
            throw transport_failure(req, error_kind::other, "the transport threw a non-standard exception", secrets);
        }
        if (after) {
            (*after)(req, res);
        }
        // The default transport stops at the limit; a custom one may not.
        if (res.body.size() > req.max_response_bytes) {
            throw transport_failure(req, error_kind::too_large,
                                    "the response body is larger than max_response_bytes (" +
                                        std::to_string(req.max_response_bytes) + " bytes)",
                                    secrets);
        }
        if (res.status < 200 || res.status > 299) {
            throw ClientResponseError(redact_url(url.origin + req.target), res.status,
                                      error_body(res, settings.max_json_depth), error_kind::none, {},
                                      secrets.to_vector());
        }
        return res;
    }

    json parse_body(const http_response& res, std::string_view path, const request_options& options,
                    const call_secrets& secrets) const {
        if (res.body.empty()) {
            return json::object();
        }
        auto parsed = parse_json(res.body, settings.max_json_depth);
        if (!parsed) {
            throw ClientResponseError(
                error_url(path, options), res.status,
                json{{"status", res.status},
                     {"message", "The server's response is not JSON, or nests deeper than max_json_depth (" +
                                     std::to_string(settings.max_json_depth) + ")."},
                     {"data", json::object()}},
                error_kind::invalid_response, {}, secrets.to_vector());
        }
        return std::move(*parsed);
    }

    // Only failed calls pay for building and redacting the URL.
    std::string error_url(std::string_view path, const request_options& options) const {
        try {
            return redact_url(url.origin + target_for(path, collect_query(options)));
        } catch (const std::invalid_argument&) {
            return url.origin;
        }
    }

    static query_params collect_query(const request_options& options) {
        query_params q = options.query;
        if (options.expand) q.emplace_back("expand", *options.expand);
        if (options.fields) q.emplace_back("fields", *options.fields);
        return q;
    }

    std::string target_for(std::string_view path, const query_params& query) const {
        if (!is_target_safe(path)) {
            throw std::invalid_argument(
                "bosbase: the request path must be percent-encoded (no spaces, '#', control or non-ASCII bytes)");
        }
        std::string target = url.prefix;
        if (path.empty() || path.front() != '/') {
            target += '/';
        }
        target += path;
        std::string qs;
        try {
            append_query(qs, query);
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a query value is not valid UTF-8");
        }
        if (!qs.empty()) {
            target += (target.find('?') == std::string::npos ? "?" : "&") + qs;
        }
        return target;
    }

private:
    // What a before_send hook hands back is checked like caller input.
    static void check_request(const http_request& req) {
        if (!is_header_name_safe(req.method)) {
            throw std::invalid_argument("bosbase: the HTTP method must be a token such as GET or POST");
        }
        if (!is_target_safe(req.target) || req.target.empty() || req.target.front() != '/') {
            throw std::invalid_argument(
                "bosbase: the request target must start with '/' and be percent-encoded (no spaces, '#', control "
                "or non-ASCII bytes)");
        }
        require_headers(req.headers, "request headers");
        if (!is_header_value_safe(req.content_type)) {
            throw std::invalid_argument("bosbase: the content type must not contain control bytes");
        }
    }

    ClientResponseError transport_failure(const http_request& req, error_kind kind, const std::string& what,
                                          const call_secrets& secrets) const {
        return ClientResponseError(redact_url(url.origin + req.target), 0, json::object(), kind, what,
                                   secrets.to_vector());
    }

    // nlohmann's own message would quote the offending byte, which may belong to a secret.
    static std::string dump_json(const json& value) {
        try {
            return value.dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument(
                "bosbase: a request value is not valid UTF-8; JSON bodies and JSON query values must be UTF-8");
        }
    }

    header_list build_headers(const request_options& options) const {
        header_list headers = options.headers;
        auto add_default = [&](const std::string& name, const std::string& value) {
            if (!value.empty() && !has_header(headers, name)) {
                headers.emplace_back(name, value);
            }
        };
        for (const auto& h : settings.headers) add_default(h.first, h.second);
        add_default("Accept", "application/json");
        add_default("Accept-Language", settings.lang);
        add_default("Authorization", store.token());
        return headers;
    }

    // The server's envelope is kept as is; anything else is wrapped so response() is
    // always an object that dump() can write (raw bytes are made valid UTF-8 first).
    static json error_body(const http_response& res, std::size_t max_depth) {
        json out;
        auto parsed = res.body.empty() ? std::nullopt : parse_json(res.body, max_depth);
        if (parsed && parsed->is_object()) {
            out = std::move(*parsed);
        } else {
            constexpr std::size_t max_body = 512;
            const char* message = res.body.empty() ? "The server sent an empty error response."
                                                   : "The server sent a non-JSON error response.";
            if (res.status < 200) {
                message = "The server sent an interim (1xx) response as its final answer.";
            } else if (res.status >= 300 && res.status < 400) {
                message = "The server answered with a redirect, which the SDK does not follow.";
            }
            out = json{{"status", res.status}, {"message", message}, {"data", json::object()}};
            if (!res.body.empty()) {
                out["body"] = to_valid_utf8(std::string_view(res.body).substr(0, max_body));
            }
        }
        if (res.status >= 300 && res.status < 400) {
            for (const auto& h : res.headers) {
                if (ascii_iequal(h.first, "Location")) {
                    out["location"] = redact_url(to_valid_utf8(h.second));
                }
            }
        }
        return out;
    }

    mutable std::mutex hooks_mutex_;
    std::atomic<bool> has_hooks_{false};  // lets calls skip the mutex when no hook is set
    std::shared_ptr<const before_send_hook> before_;
    std::shared_ptr<const after_send_hook> after_;
};

/// Base of every service: a handle on the client's shared state.
template <class Transport>
class service_base {
public:
    explicit service_base(std::shared_ptr<client_core<Transport>> core) : core_(std::move(core)) {}

protected:
    client_core<Transport>& core() const {
        if (!core_) {
            throw std::invalid_argument("bosbase: this service came from a moved-from client");
        }
        return *core_;
    }

    const std::shared_ptr<client_core<Transport>>& core_ptr() const noexcept { return core_; }

private:
    std::shared_ptr<client_core<Transport>> core_;
};

}  // namespace detail


/// @brief Calls on one collection. A light value that shares the client's state:
/// it stays valid after the client is moved or destroyed.
///
/// Exceptions, for every call: ClientResponseError when the server answers
/// anything but 2xx, sends an unusable response, or cannot be reached in time;
/// std::invalid_argument for input that cannot be sent (checked before any
/// request); std::bad_alloc. Nothing else.
template <class Transport>
class record_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    record_service(std::shared_ptr<detail::client_core<Transport>> core, std::string collection)
        : detail::service_base<Transport>(std::move(core)), collection_(std::move(collection)) {
        detail::require_path_segment(collection_, "collection name or id");
        base_path_ = "/api/collections/" + detail::encode_uri_component(collection_);
    }

    const std::string& name() const noexcept { return collection_; }

    /// @brief "/api/collections/<encoded name>" for this collection.
    const std::string& base_path() const noexcept { return base_path_; }

    // --- custom tokens (BosBase) -------------------------------------------

    /// @brief Binds `token` to the auth record with this email and password (2xx, usually 204).
    void bind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                           const json& body = json::object(), const query_params& query = {},
                           const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/bind-token", credentials_body(body, email, password, token),
                         with_query(options, query), {password, token});
    }

    /// @brief Removes the binding of `token` from the record with this email and password.
    /// The server answers 204 even when nothing was bound.
    void unbind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                             const json& body = json::object(), const query_params& query = {},
                             const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/unbind-token", credentials_body(body, email, password, token),
                         with_query(options, query), {password, token});
    }

    /// @brief Signs in with a bound custom token; saves {token, record} in the auth store.
    /// For MFA pass `{{"mfaId", id}}` as body.
    json auth_with_token(std::string_view token, const json& body = json::object(), const query_params& query = {},
                         const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["token"] = std::string(token);
        return auth_call("auth-with-token", payload, with_query(options, query), {token});
    }

    // --- standard auth -----------------------------------------------------

    /// @brief Password sign-in (identity is usually the email).
    json auth_with_password(std::string_view identity, std::string_view password,
                            const json& body = json::object(), const query_params& query = {},
                            const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["identity"] = std::string(identity);
        payload["password"] = std::string(password);
        return auth_call("auth-with-password", payload, with_query(options, query), {password});
    }

    /// @brief Renews the stored auth. BosBase may hand back the very same token.
    json auth_refresh(const json& body = json::object(), const query_params& query = {},
                      const std::optional<request_options>& options = std::nullopt) {
        return auth_call("auth-refresh", merged_body(body), with_query(options, query), {});
    }

    /// @brief Asks the server to email a one-time password; returns {"otpId": ...}.
    json request_otp(std::string_view email, const json& body = json::object(), const query_params& query = {},
                     const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["email"] = std::string(email);
        return core().send_json("POST", base_path_ + "/request-otp", payload, with_query(options, query), {});
    }

    /// @brief Signs in with an OTP id and the emailed password.
    json auth_with_otp(std::string_view otp_id, std::string_view password, const json& body = json::object(),
                       const query_params& query = {}, const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["otpId"] = std::string(otp_id);
        payload["password"] = std::string(password);
        return auth_call("auth-with-otp", payload, with_query(options, query), {password});
    }

    /// @brief Lists the auth methods this collection allows.
    json list_auth_methods(const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("GET", base_path_ + "/auth-methods", nullptr, options.value_or(request_options{}),
                                  {});
    }

    /// @brief Superusers only: a new, independent client signed in as the record `id`
    /// (POST .../impersonate/{id}). It shares this client's transport and options;
    /// duration_seconds 0 means the collection's token duration.
    basic_bosbase<Transport> impersonate(std::string_view id, std::int64_t duration_seconds = 0,
                                         const std::optional<request_options>& options = std::nullopt) {
        if (duration_seconds < 0) {
            throw std::invalid_argument("bosbase: impersonate duration must not be negative");
        }
        detail::require_path_segment(id, "record id");
        auto other = std::make_shared<detail::client_core<Transport>>(core());
        record_service<Transport> service(other, collection_);
        service.auth_call(("impersonate/" + detail::encode_uri_component(id)).c_str(),
                          json{{"duration", duration_seconds}}, options.value_or(request_options{}), {},
                          &core());
        return basic_bosbase<Transport>(std::move(other));
    }

    // --- records -----------------------------------------------------------

    /// @brief One page of records: {items, page, perPage, totalItems, totalPages}.
    json get_list(int page = 1, int per_page = 30, const std::optional<request_options>& options = std::nullopt) {
        request_options opts = options.value_or(request_options{});
        query_params q{{"page", page}, {"perPage", per_page}};
        q.insert(q.end(), opts.query.begin(), opts.query.end());
        opts.query = std::move(q);
        return core().send_json("GET", base_path_ + "/records", nullptr, opts, {});
    }

    /// @brief One record by id.
    json get_one(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("GET", record_path(id), nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Creates a record from a JSON object.
    json create(const json& body, const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("POST", base_path_ + "/records", merged_body(body),
                                  options.value_or(request_options{}), {});
    }

    /// @brief Updates a record. When it is the signed-in record, the returned fields
    /// are merged into the stored record (fields the response leaves out are kept).
    json update(std::string_view id, const json& body, const std::optional<request_options>& options = std::nullopt) {
        json updated = core().send_json("PATCH", record_path(id), merged_body(body),
                                          options.value_or(request_options{}), {});
        core().store.merge_record_if(id, collection_, updated);
        return updated;
    }

    /// @brief Deletes a record (204); signs out when it was the signed-in record.
    void remove(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
        core().perform("DELETE", record_path(id), nullptr, options.value_or(request_options{}), {});
        core().store.clear_if(id, collection_);
    }

private:
    std::string record_path(std::string_view id) const {
        detail::require_path_segment(id, "record id");
        return base_path_ + "/records/" + detail::encode_uri_component(id);
    }

    static json merged_body(const json& body) {
        if (body.is_null()) {
            return json::object();
        }
        if (!body.is_object()) {
            throw std::invalid_argument("bosbase: an extra request body must be a JSON object, got " +
                                        std::string(body.type_name()));
        }
        return body;
    }

    static json credentials_body(const json& body, std::string_view email, std::string_view password,
                                 std::string_view token) {
        json payload = merged_body(body);
        payload["email"] = std::string(email);
        payload["password"] = std::string(password);
        payload["token"] = std::string(token);
        return payload;
    }

    static request_options with_query(const std::optional<request_options>& options, const query_params& query) {
        request_options opts = options.value_or(request_options{});
        opts.query.insert(opts.query.begin(), query.begin(), query.end());
        return opts;
    }

    // Sends an auth request and stores {token, record}. Anything but a 2xx JSON
    // object with a sendable token and a record is an error, and the store is
    // left as it was.
    // `sender` is the client whose identity makes the request (impersonate sends
    // as the superuser and stores into the new client).
    json auth_call(const std::string& action, const json& payload, const request_options& options,
                   detail::call_secrets secrets, detail::client_core<Transport>* sender = nullptr) {
        const std::string path = base_path_ + "/" + action;
        http_response res = (sender ? *sender : core()).perform("POST", path, payload, options, secrets);
        json response = core().parse_body(res, path, options, secrets);
        auto fail = [&](const char* why) {
            return ClientResponseError(core().error_url(path, options), res.status,
                                       json{{"status", res.status}, {"message", why}, {"data", json::object()}},
                                       error_kind::invalid_response, {}, secrets.to_vector());
        };
        if (!response.is_object()) {
            throw fail("The server answered without a token and record.");
        }
        auto token = response.find("token");
        auto record = response.find("record");
        if (token == response.end() || !token->is_string() || token->get_ref<const std::string&>().empty() ||
            record == response.end() || !record->is_object()) {
            throw fail("The server answered without a token and record.");
        }
        if (!detail::is_header_value_safe(token->get_ref<const std::string&>())) {
            throw fail("The server returned an auth token with control bytes (CR, LF, NUL); it was not stored.");
        }
        core().store.save(token->get<std::string>(), *record);
        return response;
    }

    std::string collection_;
    std::string base_path_;
};

/// @brief The BosBase client, templated on a transport policy (see README
/// "Custom transports"). Safe to share between threads, which then share one
/// signed-in identity; for several identities make one client each (copies of
/// one transport share its connection pool). Movable, not copyable.
template <class Transport>
class basic_bosbase {
    static_assert(is_transport_v<Transport>,
                  "bosbase: a Transport must have a member `bosbase::http_response send(const "
                  "bosbase::http_request&)` (see README, section 'Custom transports')");

public:
    using transport_type = Transport;

    /// @brief Connects to base_url ("http://127.0.0.1:8090", may carry a path prefix).
    template <class T = Transport, std::enable_if_t<std::is_default_constructible_v<T>, int> = 0>
    explicit basic_bosbase(std::string_view base_url, client_options options = {})
        : basic_bosbase(base_url, Transport{}, std::move(options)) {}

    basic_bosbase(std::string_view base_url, Transport transport, client_options options = {})
        : core_(std::make_shared<detail::client_core<Transport>>(detail::parse_base_url(base_url),
                                                                  std::move(options), std::move(transport))) {}

    basic_bosbase(basic_bosbase&&) noexcept = default;
    basic_bosbase& operator=(basic_bosbase&&) noexcept = default;
    basic_bosbase(const basic_bosbase&) = delete;
    basic_bosbase& operator=(const basic_bosbase&) = delete;

    /// @brief The service for one collection (name or id). It shares this client's
    /// state and stays usable after the client is gone.
    record_service<Transport> collection(std::string name) const {
        return record_service<Transport>(core_, std::move(name));
    }

    class auth_store& auth_store() const { return core().store; }

    Transport& transport() const { return core().transport; }

    /// @brief The options the client was made with.
    const client_options& options() const { return core().settings; }

    /// @brief The base URL without a trailing slash.
    std::string base_url() const { return core().url.origin + core().url.prefix; }

    /// @brief Absolute URL of an API path with an encoded query.
    std::string build_url(std::string_view path, const query_params& query = {}) const {
        return core().url.origin + core().target_for(path, query);
    }

    /// @brief Absolute URL of an API path with the query a call with these options sends.
    std::string build_url(std::string_view path, const request_options& options) const {
        return build_url(path, detail::client_core<Transport>::collect_query(options));
    }

    /// @brief Sends any API request and returns the parsed JSON (an empty object for an empty 2xx body).
    /// Throws ClientResponseError for anything but 2xx and for network failures.
    json send(std::string_view method, std::string_view path, const json& body = nullptr,
              const request_options& options = {}) const {
        return core().send_json(method, path, body, options, {});
    }

    /// @brief Like send() but returns the raw 2xx response (for files and other non-JSON bodies).
    http_response send_raw(std::string_view method, std::string_view path, const json& body = nullptr,
                           const request_options& options = {}) const {
        return core().perform(method, path, body, options, {});
    }

    /// @brief Sets (or, with nullptr, clears) the hook run before every request.
    /// Exceptions thrown by a hook propagate unchanged.
    void before_send(before_send_hook hook) const {
        core().set_hooks(hook ? std::make_shared<const before_send_hook>(std::move(hook)) : nullptr, nullptr, true,
                         false);
    }

    /// @brief Sets (or clears) the hook run after every HTTP response, error statuses included.
    void after_send(after_send_hook hook) const {
        core().set_hooks(nullptr, hook ? std::make_shared<const after_send_hook>(std::move(hook)) : nullptr, false,
                         true);
    }

private:
    friend class record_service<Transport>;

    explicit basic_bosbase(std::shared_ptr<detail::client_core<Transport>> core) : core_(std::move(core)) {}

    detail::client_core<Transport>& core() const {
        if (!core_) {
            throw std::invalid_argument("bosbase: this client was moved from");
        }
        return *core_;
    }

    std::shared_ptr<detail::client_core<Transport>> core_;
};

// ---------------------------------------------------------------------------
// Default transport: cpp-httplib
// ---------------------------------------------------------------------------

#ifndef BOSBASE_NO_HTTPLIB

/// @brief TLS and pooling settings of httplib_transport.
struct httplib_transport_options {
    bool verify_certificate = true;  ///< check the server's certificate (https only)
    std::string ca_cert_file;        ///< PEM bundle to trust instead of the system's
    std::string ca_cert_dir;         ///< directory of CA certificates
    std::size_t max_idle_connections = 4;  ///< kept-alive connections per origin
};

/// @brief Transport over cpp-httplib with keep-alive. Connections are pooled per origin,
/// so concurrent calls from several threads each get their own connection.
class httplib_transport {
public:
    httplib_transport() : httplib_transport(httplib_transport_options{}) {}

    explicit httplib_transport(httplib_transport_options options)
        : state_(std::make_shared<state>(std::move(options))) {}

    /// @brief False for https:// origins when cpp-httplib was built without TLS.
    bool supports_origin(const std::string& origin) const {
#ifdef BOSBASE_HTTPLIB_TLS
        (void)origin;
        return true;
#else
        return origin.rfind("https://", 0) != 0;
#endif
    }

    http_response send(const http_request& req) {
        if (!supports_origin(req.origin)) {
            throw transport_error(transport_error::kind::tls,
                                  "https:// needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
        }
        auto client = acquire(req.origin);
        configure(*client, req);

        httplib::Request hreq;
        hreq.method = req.method;
        hreq.path = req.target;
        for (const auto& h : req.headers) {
            hreq.headers.emplace(h.first, h.second);
        }
        if (!req.content_type.empty()) {
            hreq.headers.emplace("Content-Type", req.content_type);
        }
        hreq.body = req.body;

        const auto started = std::chrono::steady_clock::now();
        auto result = client->send(hreq);
        if (!result) {
            // A failed connection is not reused: its socket state is unknown.
            throw describe(result.error(), req, std::chrono::steady_clock::now() - started);
        }
        http_response res;
        res.status = result->status;
        for (const auto& h : result->headers) {
            res.headers.emplace_back(h.first, h.second);
        }
        res.body = std::move(result->body);
        release(req.origin, std::move(client));
        return res;
    }

private:
    struct state {
        explicit state(httplib_transport_options o) : options(std::move(o)) {}
        httplib_transport_options options;
        std::mutex mutex;
        std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle;
    };

    std::unique_ptr<httplib::Client> acquire(const std::string& origin) {
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            auto& pool = state_->idle[origin];
            if (!pool.empty()) {
                auto client = std::move(pool.back());
                pool.pop_back();
                return client;
            }
        }
        auto client = std::make_unique<httplib::Client>(origin);
        client->set_keep_alive(true);
        // Headers and body go out in separate writes; with Nagle on, the body waits
        // for the server's delayed ACK (~40 ms) on every call of a kept-alive connection.
        client->set_tcp_nodelay(true);
        disable_path_encoding(*client, 0);  // the SDK already encodes paths and queries
#ifdef BOSBASE_HTTPLIB_TLS
        const auto& o = state_->options;
        client->enable_server_certificate_verification(o.verify_certificate);
        if (!o.ca_cert_file.empty() || !o.ca_cert_dir.empty()) {
            client->set_ca_cert_path(o.ca_cert_file, o.ca_cert_dir);
        }
#endif
        return client;
    }

    void release(const std::string& origin, std::unique_ptr<httplib::Client> client) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        auto& pool = state_->idle[origin];
        if (pool.size() < state_->options.max_idle_connections) {
            pool.push_back(std::move(client));
        }
    }

    // cpp-httplib renamed set_url_encode to set_path_encode (and later dropped the old name).
    template <class Client>
    static auto disable_path_encoding(Client& client, int) -> decltype(client.set_path_encode(false), void()) {
        client.set_path_encode(false);
    }
    template <class Client>
    static void disable_path_encoding(Client& client, long) {
        client.set_url_encode(false);
    }

    static void configure(httplib::Client& client, const http_request& req) {
        auto split = [](std::chrono::milliseconds ms, auto&& setter) {
            const auto total = std::max<std::int64_t>(ms.count(), 1);
            setter(static_cast<time_t>(total / 1000), static_cast<time_t>((total % 1000) * 1000));
        };
        split(req.connect_timeout, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
        split(req.read_timeout, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
        split(req.write_timeout, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
    }

    template <class Duration>
    static transport_error describe(httplib::Error error, const http_request& req, Duration elapsed) {
        using kind = transport_error::kind;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
        const std::string where = req.method + " " + req.origin;
        switch (error) {
        case httplib::Error::Connection:
            return {kind::connect, "could not connect to " + req.origin + " (connection refused or unreachable)"};
        case httplib::Error::ConnectionTimeout:
            return {kind::timeout,
                    "connecting to " + req.origin + " timed out after " + std::to_string(ms.count()) + " ms"};
        case httplib::Error::Read:
            if (ms >= req.read_timeout) {
                return {kind::timeout, "no response from " + req.origin + " within " +
                                           std::to_string(req.read_timeout.count()) + " ms (read timeout)"};
            }
            return {kind::receive, "connection to " + req.origin + " closed before a full response arrived"};
        case httplib::Error::Write:
            return {kind::send, "could not send the request to " + req.origin};
        case httplib::Error::Canceled:
            return {kind::canceled, where + " was cancelled"};
        case httplib::Error::SSLConnection:
            return {kind::tls, "TLS handshake with " + req.origin + " failed"};
        case httplib::Error::SSLLoadingCerts:
            return {kind::tls, "could not load CA certificates for " + req.origin};
        case httplib::Error::SSLServerVerification:
            return {kind::tls, "certificate of " + req.origin + " could not be verified"};
        default: {
            // Errors that newer cpp-httplib releases added are matched by name,
            // since 0.11 does not declare them.
            const std::string name = httplib::to_string(error);
            if (name == "Timeout") {
                return {kind::timeout, where + " timed out after " + std::to_string(ms.count()) + " ms"};
            }
            if (name == "ConnectionClosed") {
                return {kind::receive, "connection to " + req.origin + " closed before a full response arrived"};
            }
            if (name == "SSLServerHostnameVerification") {
                return {kind::tls, "certificate of " + req.origin + " does not match its host name"};
            }
            return {kind::other, where + " failed: " + name};
        }
        }
    }

    // Shared so the client stays movable while the pool and its mutex stay in place.
    std::shared_ptr<state> state_;
};

/// @brief The client most programs want: cpp-httplib transport with keep-alive.
using BosBase = basic_bosbase<httplib_transport>;

#endif  // BOSBASE_NO_HTTPLIB

}  // namespace bosbase

#endif  // BOSBASE_HPP
