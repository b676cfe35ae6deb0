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
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#ifndef BOSBASE_NO_HTTPLIB
#include <httplib.h>

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif
// cpp-httplib 0.11 knows only OpenSSL; later releases also offer mbedTLS and
// wolfSSL and define CPPHTTPLIB_SSL_ENABLED for any of them.
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT) || defined(CPPHTTPLIB_SSL_ENABLED)
#define BOSBASE_HTTPLIB_TLS 1
#endif
#endif

// Opt-in split compilation (see the end of this file): there, the public calls of
// the client templates stay out of line, so a TU that only calls them neither
// instantiates nor optimizes the code behind them. `extern template` alone does not
// stop an optimizing compiler from instantiating inline members it might inline.
#if (defined(BOSBASE_EXTERN_TEMPLATES) || defined(BOSBASE_IMPLEMENTATION)) && (defined(__GNUC__) || defined(__clang__))
#define BOSBASE_SPLIT_NOINLINE __attribute__((noinline))
#else
#define BOSBASE_SPLIT_NOINLINE
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
    /// Raw body (empty when there is none). A transport whose send() takes a
    /// non-const http_request& may move it out or leave it; the client does not read it again.
    std::string body;
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

// Exactly `http_response send(http_request&)`: a transport that may take the body
// instead of copying it. Overload resolution alone cannot tell it apart, since a
// non-const request binds to send(const http_request&) just as well.
template <class T, class = void>
struct has_mutable_send : std::false_type {};

template <class T>
struct has_mutable_send<T, std::void_t<decltype(static_cast<http_response (T::*)(http_request&)>(&T::send))>>
    : std::true_type {};

template <class T, class = void>
struct has_supports_origin : std::false_type {};

template <class T>
struct has_supports_origin<
    T, std::void_t<decltype(std::declval<const T&>().supports_origin(std::declval<const std::string&>()))>>
    : std::true_type {};

}  // namespace detail

/// @brief True when T can be used as a transport: `http_response send(const http_request&)`,
/// or `http_response send(http_request&)` (which may move the body out), or both.
template <class T>
inline constexpr bool is_transport_v = detail::has_send<T>::value || detail::has_mutable_send<T>::value;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

namespace detail {

// Real secrets are long (PocketBase passwords and OTPs have 8+ characters,
// tokens far more); scrubbing shorter ones would mangle ordinary words.
constexpr std::size_t min_scrubbed_length = 6;

/// Replaces every occurrence of each secret (of at least min_scrubbed_length bytes) with "***".
inline void scrub_secrets(std::string& text, const std::vector<std::string_view>& secrets) {
    for (std::string_view secret : secrets) {
        if (secret.size() < min_scrubbed_length) {
            continue;
        }
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
            text.replace(pos, secret.size(), "***");
        }
    }
}

}  // namespace detail

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

    static void scrub(std::string& text, const std::vector<std::string_view>& secrets) {
        detail::scrub_secrets(text, secrets);
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

// Length of the well-formed UTF-8 character at in[i], or 0 (overlong forms,
// surrogates and code points above U+10FFFF are not well-formed).
inline std::size_t utf8_char_length(std::string_view in, std::size_t i) {
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

inline bool is_valid_utf8(std::string_view in) {
    for (std::size_t i = 0; i < in.size();) {
        const std::size_t len = utf8_char_length(in, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
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

// Keys are compared percent-decoded: a server decodes "%74oken" to "token".
inline bool is_secret_key(std::string_view key) {
    std::string decoded;
    decoded.reserve(key.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (key[i] == '%' && i + 2 < key.size() && hex(key[i + 1]) >= 0 && hex(key[i + 2]) >= 0) {
            decoded += static_cast<char>(hex(key[i + 1]) * 16 + hex(key[i + 2]));
            i += 2;
        } else {
            decoded += key[i];
        }
    }
    static const char* const secrets[] = {"token", "password", "passwordConfirm", "oldPassword", "otp"};
    for (const char* secret : secrets) {
        if (ascii_iequal(decoded, secret)) return true;
    }
    return false;
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
// Branch-free, so the compiler can check a long token many bytes at a time.
inline bool is_header_value_safe(std::string_view value) {
    unsigned bad = 0;
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        bad |= static_cast<unsigned>((c < 0x20) & (c != '\t')) | static_cast<unsigned>(c == 0x7F);
    }
    return bad == 0;
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
        return stored_record();
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
            const json& rec = stored_record();
            if (rec.is_object()) {
                auto it = rec.find("collectionName");
                has_collection_name = it != rec.end();
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
        require_sendable(token);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            token_ = std::move(token);
            record_ = std::move(record);
            response_.clear();
        }
        notify();
    }

    /// @brief Saves a sign-in: `token`, and `record` as parsed from `response`, the
    /// auth response's JSON text (parsed with max_json_depth). With no listener the
    /// store keeps the text instead of copying the record, and parses the record out
    /// of it only when something reads it: a sign-in then costs no copy at all.
    void save_auth_response(std::string token, const json& record, std::string response,
                            std::size_t max_json_depth) {
        require_sendable(token);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            token_ = std::move(token);
            if (listeners_.empty()) {
                record_ = nullptr;
                response_ = std::move(response);
                response_depth_ = max_json_depth;
            } else {
                record_ = record;  // read at once by the listeners anyway
                response_.clear();
            }
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
                rec = stored_record();
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
            // holds_record() parsed any pending sign-in response into record_.
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
            response_.clear();
        }
        notify();
        return true;
    }

private:
    // A stored token goes out as a header on every call.
    static void require_sendable(const std::string& token) {
        if (!detail::is_header_value_safe(token)) {
            throw std::invalid_argument(
                "bosbase: an auth token must not contain CR, LF, NUL or other control bytes");
        }
    }

    static std::string string_claim(const json& object, const char* key) {
        auto it = object.find(key);
        return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
    }

    bool holds_record(std::string_view id, std::string_view collection) const {
        const json& rec = stored_record();
        if (!rec.is_object()) {
            return false;
        }
        return string_claim(rec, "id") == id &&
               (string_claim(rec, "collectionId") == collection || string_claim(rec, "collectionName") == collection);
    }

    // The record, parsed out of a pending sign-in response first. Call with mutex_ held.
    // The text parsed once already with the same depth cap, so it parses again.
    const json& stored_record() const {
        if (!response_.empty()) {
            auto parsed = detail::parse_json(response_, response_depth_);
            if (parsed && parsed->is_object()) {
                auto it = parsed->find("record");
                if (it != parsed->end()) record_ = std::move(*it);
            }
            response_ = std::string();  // releases the text, not just empties it
        }
        return record_;
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
            rec = stored_record();
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
    // Either record_ holds the record, or response_ holds a sign-in response it is
    // still to be parsed from (stored_record()); both change only under mutex_.
    mutable json record_;
    mutable std::string response_;
    std::size_t response_depth_ = 0;
    std::map<listener_id, std::shared_ptr<listener>> listeners_;
    listener_id last_id_ = 0;
};

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// @brief Client-wide settings.
struct client_options {
    /// Sent as Accept-Language when not empty. The server ignores it, so by default
    /// nothing is sent (the JS SDK sends "en-US").
    std::string lang;
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
    /// Largest request body the client builds or sends (uploads included): bigger ones are
    /// std::invalid_argument before any file is read. The server has its own limits
    /// (PocketBase: 32 MiB for JSON, the file fields' maxSize for uploads).
    std::size_t max_request_bytes = std::size_t(256) << 20;
};

/// @brief Per-call settings; every field is optional. The named query fields are
/// sent after `query` and replace an entry of `query` with the same key, as the
/// JS SDK's options do.
struct request_options {
    std::optional<std::string> expand;  ///< `?expand=` relations to expand
    std::optional<std::string> fields;  ///< `?fields=` projection
    std::optional<std::string> filter;  ///< `?filter=` (see bosbase::filter for safe parameters)
    std::optional<std::string> sort;    ///< `?sort=`, e.g. "-created,title"
    std::optional<bool> skip_total;     ///< `?skipTotal=true|false`: skip counting (totals are then -1)
    query_params query;                 ///< more query parameters
    header_list headers;                ///< more headers; they win over the client's own
    std::optional<std::chrono::milliseconds> timeout;   ///< per-read/write timeout of this call
    std::optional<std::chrono::milliseconds> deadline;  ///< whole-call deadline of this call
};

// ---------------------------------------------------------------------------
// Query building, filter expressions, list results
// ---------------------------------------------------------------------------

namespace detail {

// A key set again replaces the earlier value in place, like assigning to a JS object key.
inline void assign_param(query_params& query, std::string_view key, json value) {
    for (auto& param : query) {
        if (param.first == key) {
            param.second = std::move(value);
            return;
        }
    }
    query.emplace_back(std::string(key), std::move(value));
}

// JS String(number): shortest round-trip digits, plain notation for exponents
// from -7 to 20, "1e+21" style beyond (ECMA-262 Number::toString).
inline std::string js_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
    if (v == 0) return "0";  // also -0, as in JS
    const std::string sign = v < 0 ? "-" : "";
    const double a = std::fabs(v);
    std::string digits;
    int exponent = 0;
    for (int precision = 1; precision <= 17; ++precision) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*e", precision - 1, a);
        if (precision < 17 && std::strtod(buf, nullptr) != a) {
            continue;
        }
        // Digits and exponent only: the decimal separator depends on the locale.
        const char* e = std::strchr(buf, 'e');
        for (const char* c = buf; c != e; ++c) {
            if (*c >= '0' && *c <= '9') digits += *c;
        }
        exponent = std::atoi(e + 1);
        break;
    }
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // value = 0.digits * 10^n
    if (k <= n && n <= 21) return sign + digits + std::string(static_cast<std::size_t>(n - k), '0');
    if (0 < n && n <= 21) return sign + digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
    if (-6 < n && n <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    std::string out = sign + digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    const int e = n - 1;
    return out + "e" + (e < 0 ? "-" : "+") + std::to_string(e < 0 ? -e : e);
}

// 'YYYY-MM-DD HH:MM:SS.sssZ' in UTC, the server's datetime format (and JS toISOString with a space).
inline std::string format_datetime_ms(std::int64_t ms_since_epoch) {
    auto floor_div = [](std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); };
    const std::int64_t days = floor_div(ms_since_epoch, 86400000);
    const std::int64_t ms_of_day = ms_since_epoch - days * 86400000;
    // Civil date from days since 1970-01-01 (proleptic Gregorian), valid for any int64 day count we can get.
    const std::int64_t z = days + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buf[64];
    const char* year_format = (year >= 0 && year <= 9999) ? "%04lld" : (year < 0 ? "-%06lld" : "+%06lld");
    int len = std::snprintf(buf, sizeof buf, year_format, static_cast<long long>(year < 0 ? -year : year));
    std::snprintf(buf + len, sizeof buf - static_cast<std::size_t>(len), "-%02lld-%02lld %02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(month), static_cast<long long>(day),
                  static_cast<long long>(ms_of_day / 3600000), static_cast<long long>(ms_of_day / 60000 % 60),
                  static_cast<long long>(ms_of_day / 1000 % 60), static_cast<long long>(ms_of_day % 1000));
    return buf;
}

}  // namespace detail

/// @brief One parameter value of bosbase::filter(): a string, number, bool,
/// null, date (system_clock time point) or any JSON value.
class filter_value {
public:
    filter_value(std::nullptr_t) : value_(nullptr) {}
    filter_value(bool b) : value_(b) {}
    template <class N, std::enable_if_t<std::is_arithmetic_v<N> && !std::is_same_v<N, bool> &&
                                            !std::is_same_v<N, char>, int> = 0>
    filter_value(N number) : value_(number) {}
    filter_value(const char* text) : value_(text == nullptr ? json(nullptr) : json(std::string(text))) {}
    filter_value(std::string text) : value_(std::move(text)) {}
    filter_value(std::string_view text) : value_(std::string(text)) {}
    filter_value(json value) : value_(std::move(value)) {}
    template <class Duration>
    filter_value(std::chrono::time_point<std::chrono::system_clock, Duration> time)
        : value_(nullptr),
          is_date_(true),
          ms_(std::chrono::floor<std::chrono::milliseconds>(time).time_since_epoch().count()) {}

    /// @brief The text that replaces the placeholder; `key` only names the parameter in errors.
    std::string render(std::string_view key) const {
        if (is_date_) {
            return "'" + detail::format_datetime_ms(ms_) + "'";
        }
        switch (value_.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return value_.get<bool>() ? "true" : "false";
        case json::value_t::number_integer: return std::to_string(value_.get<std::int64_t>());
        case json::value_t::number_unsigned: return std::to_string(value_.get<std::uint64_t>());
        case json::value_t::number_float: return detail::js_number(value_.get<double>());
        case json::value_t::string: {
            const auto& text = value_.get_ref<const std::string&>();
            // The server ends a quoted literal at the first quote not directly after a
            // backslash and unescapes only \' -- a trailing backslash would swallow our
            // closing quote and let the rest of the expression change meaning.
            if (!text.empty() && text.back() == '\\') {
                throw std::invalid_argument("bosbase: filter parameter '" + std::string(key) +
                                            "': a string ending in a backslash cannot be written as a filter "
                                            "literal (the server would not see where it ends)");
            }
            return quote(text);
        }
        default: {
            std::string text;
            try {
                text = value_.dump();
            } catch (const json::type_error&) {
                throw std::invalid_argument("bosbase: filter parameter '" + std::string(key) +
                                            "': a JSON value is not valid UTF-8");
            }
            return quote(text);
        }
        }
    }

private:
    static std::string quote(const std::string& text) {
        std::string out = "'";
        for (char c : text) {
            if (c == '\'') out += '\\';
            out += c;
        }
        return out + "'";
    }

    json value_;
    bool is_date_ = false;
    std::int64_t ms_ = 0;
};

/// @brief Named filter parameters, in order: `{{"name", "x"}, {"n", 3}}`.
using filter_params = std::vector<std::pair<std::string, filter_value>>;

/// @brief Builds a filter expression, replacing each `{:key}` with the value of
/// that parameter, escaped so that no value can change the expression's structure:
/// strings become '…' with ' escaped as \', numbers JS-style (`1.5`, `1e+21`,
/// `NaN`), booleans and null as words, dates as '2024-01-02 03:04:05.678Z' (UTC),
/// other JSON as its quoted JSON text. One left-to-right pass: substituted text
/// is never scanned again; a placeholder without a parameter stays as written;
/// with duplicate keys the first wins.
///
/// Throws std::invalid_argument for a string that ends in a backslash (the
/// server's filter syntax cannot express it) and for non-UTF-8 JSON values.
inline std::string filter(std::string_view raw, const filter_params& params) {
    if (params.empty()) {
        return std::string(raw);
    }
    std::vector<std::string> rendered;
    rendered.reserve(params.size());
    for (const auto& p : params) rendered.push_back(p.second.render(p.first));

    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const auto open = raw.find("{:", pos);
        if (open == std::string_view::npos) {
            break;
        }
        out.append(raw.substr(pos, open - pos));
        std::size_t matched = params.size();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const std::string& key = params[i].first;
            if (raw.compare(open + 2, key.size(), key) == 0 && open + 2 + key.size() < raw.size() &&
                raw[open + 2 + key.size()] == '}') {
                matched = i;
                break;
            }
        }
        if (matched == params.size()) {
            out += raw[open];
            pos = open + 1;
        } else {
            out += rendered[matched];
            pos = open + 3 + params[matched].first.size();
        }
    }
    if (pos < raw.size()) out.append(raw.substr(pos));
    return out;
}

/// @brief A typed page of records (see record_service::get_list<T>).
template <class T>
struct list_result {
    std::vector<T> items;
    int page = 0;
    int per_page = 0;
    std::int64_t total_items = 0;  ///< -1 when the list was fetched with skip_total
    std::int64_t total_pages = 0;  ///< -1 when the list was fetched with skip_total
};

/// @brief BosBase vector similarity search on a collection's vector field
/// (record_service::vector_search). Unset fields are left to the server's defaults.
struct vector_search_options {
    std::string field;                ///< the vector field to search
    std::vector<double> query_vector;  ///< as long as the field's dimension
    std::optional<int> limit;         ///< server default 20, capped at 200
    std::optional<std::string> distance;  ///< "cosine", "l2", "inner_product" or "l1"
    std::optional<std::string> filter;    ///< a record filter applied before the ordering
    std::optional<bool> include_distance;  ///< add `_distance` and `_score` (server default true)
};

/// @brief One answer of a batch request, in request order.
struct batch_result {
    int status = 0;
    json body;  ///< null for a 204
};

// ---------------------------------------------------------------------------
// Files: parts of a multipart upload
// ---------------------------------------------------------------------------

/// @brief One file to upload (record_service::create/update with files, backup_service::upload).
///
/// from_bytes() holds the bytes; from_path() holds only the path and checks it now:
/// the file is read when the request is built, straight into the request body (one
/// read, no further copy), so its size counts against client_options::max_request_bytes.
/// Both throw std::invalid_argument for a name, type or path that cannot be sent.
class file_part {
public:
    /// @param filename the name the server sees (it stores a sanitised name with a random suffix)
    static file_part from_bytes(std::string filename, std::string bytes,
                                std::string content_type = "application/octet-stream") {
        file_part part;
        part.filename_ = std::move(filename);
        part.content_type_ = std::move(content_type);
        part.bytes_ = std::move(bytes);
        part.check();
        return part;
    }

    /// @param filename defaults to the path's last component
    /// @param content_type defaults to a guess from the path's extension, else application/octet-stream
    static file_part from_path(const std::string& path, std::string filename = {}, std::string content_type = {}) {
        if (path.empty() || path.find('\0') != std::string::npos) {
            throw std::invalid_argument("bosbase: file_part::from_path: the path is empty or contains a NUL byte");
        }
        std::error_code ec;
        const auto status = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::exists(status)) {
            throw std::invalid_argument("bosbase: file_part::from_path: '" + path + "' does not exist" +
                                        (ec ? " or cannot be examined (" + ec.message() + ")" : std::string()));
        }
        if (!std::filesystem::is_regular_file(status)) {
            throw std::invalid_argument("bosbase: file_part::from_path: '" + path + "' is not a regular file");
        }
        file_part part;
        part.path_ = path;
        part.filename_ = filename.empty() ? std::filesystem::path(path).filename().string() : std::move(filename);
        part.content_type_ = content_type.empty() ? guess_content_type(std::filesystem::path(path).filename().string())
                                                  : std::move(content_type);
        part.check();
        return part;
    }

    const std::string& filename() const noexcept { return filename_; }
    const std::string& content_type() const noexcept { return content_type_; }
    /// @brief The file's path for from_path(), else "".
    const std::string& path() const noexcept { return path_; }
    /// @brief The bytes for from_bytes(), else "" (a path is read when the request is built).
    const std::string& bytes() const noexcept { return bytes_; }

    /// @brief A content type from the file name's extension (the common web types), else application/octet-stream.
    static std::string guess_content_type(std::string_view filename) {
        static const std::pair<const char*, const char*> types[] = {
            {"png", "image/png"},        {"jpg", "image/jpeg"},        {"jpeg", "image/jpeg"},
            {"gif", "image/gif"},        {"webp", "image/webp"},       {"svg", "image/svg+xml"},
            {"avif", "image/avif"},      {"ico", "image/x-icon"},      {"bmp", "image/bmp"},
            {"txt", "text/plain"},       {"csv", "text/csv"},          {"html", "text/html"},
            {"htm", "text/html"},        {"css", "text/css"},          {"md", "text/markdown"},
            {"js", "text/javascript"},   {"json", "application/json"}, {"xml", "application/xml"},
            {"pdf", "application/pdf"},  {"zip", "application/zip"},   {"gz", "application/gzip"},
            {"mp3", "audio/mpeg"},       {"wav", "audio/wav"},         {"mp4", "video/mp4"},
            {"webm", "video/webm"},
        };
        const auto dot = filename.rfind('.');
        if (dot == std::string_view::npos) {
            return "application/octet-stream";
        }
        const std::string_view ext = filename.substr(dot + 1);
        for (const auto& t : types) {
            if (detail::ascii_iequal(ext, t.first)) return t.second;
        }
        return "application/octet-stream";
    }

private:
    file_part() = default;

    void check() const {
        if (filename_.empty() || filename_.find('\0') != std::string::npos) {
            throw std::invalid_argument("bosbase: file_part: the file name is empty or contains a NUL byte");
        }
        if (content_type_.empty() || !detail::is_header_value_safe(content_type_)) {
            throw std::invalid_argument(
                "bosbase: file_part: the content type is empty or contains CR, LF, NUL or other control bytes");
        }
    }

    std::string filename_;
    std::string content_type_;
    std::string bytes_;
    std::string path_;
};

/// @brief Files of one request, in order: {field, part}. A field may repeat (several
/// files); `field+` appends to the record's files, `+field` prepends, a plain `field`
/// replaces them. To remove files by name put `{"field-": ["name.png"]}` in the JSON body.
using file_list = std::vector<std::pair<std::string, file_part>>;

namespace detail {

struct multipart_body {
    std::string bytes;
    std::string content_type;  ///< multipart/form-data; boundary=...
};

/// Makes a multipart boundary; each call must give one of the same length.
using boundary_source = std::function<std::string()>;

// 128 random bits. Predictability would not matter for safety (every boundary is
// checked against the parts), so a missing random device only weakens the seed.
inline std::string random_boundary() {
    thread_local std::mt19937_64 engine = [] {
        std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        try {
            std::random_device device;
            seed ^= (std::uint64_t(device()) << 32) ^ device();
        } catch (...) {  // std::random_device may throw where no entropy source exists
        }
        std::seed_seq seq{seed, static_cast<std::uint64_t>(std::hash<std::thread::id>()(std::this_thread::get_id()))};
        return std::mt19937_64(seq);
    }();
    static const char hex[] = "0123456789abcdef";
    std::string out = "bosbase-";
    for (int word = 0; word < 2; ++word) {
        std::uint64_t bits = engine();
        for (int i = 0; i < 16; ++i, bits >>= 4) out += hex[bits & 0xF];
    }
    return out;
}

// RFC 2046 allows 1-70 characters; this keeps to the ones that need no quoting.
inline void require_boundary(std::string_view boundary) {
    const bool ok = !boundary.empty() && boundary.size() <= 70 &&
                    std::all_of(boundary.begin(), boundary.end(), [](char ch) {
                        const auto c = static_cast<unsigned char>(ch);
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '-' || c == '_' || c == '.';
                    });
    if (!ok) {
        throw std::invalid_argument("bosbase: a multipart boundary must be 1-70 letters, digits, '-', '_' or '.'");
    }
}

// A quoted Content-Disposition parameter, escaped as browsers do (" CR LF as %22 %0D
// %0A, WHATWG HTML form encoding) and a backslash as \\, which is how Go's
// mime.ParseMediaType (the server's parser) reads a quoted-string. NUL is refused.
inline std::string disposition_param(std::string_view value, const char* what) {
    if (value.find('\0') != std::string_view::npos) {
        throw std::invalid_argument(std::string("bosbase: a multipart ") + what + " must not contain a NUL byte");
    }
    std::string out = "\"";
    out.reserve(value.size() + 2);
    for (char c : value) {
        switch (c) {
        case '"': out += "%22"; break;
        case '\r': out += "%0D"; break;
        case '\n': out += "%0A"; break;
        case '\\': out += "\\\\"; break;
        default: out += c;
        }
    }
    return out + "\"";
}

inline void require_file_field(std::string_view field) {
    if (field.empty() || field == "+") {
        throw std::invalid_argument("bosbase: a file needs a field name (e.g. \"avatar\", \"avatar+\" or \"+avatar\")");
    }
    if (field.back() == '-') {
        throw std::invalid_argument(
            "bosbase: '" + std::string(field) +
            "' cannot carry a file: remove files by name in the JSON body, e.g. {\"avatar-\": [\"old.png\"]}");
    }
}

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Appends exactly `size` bytes (the size the body was planned with) of the file, read
// straight into the body's reserved space.
inline void read_file_into(std::string& body, const std::string& path, std::size_t size) {
    std::unique_ptr<std::FILE, file_closer> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        throw std::invalid_argument("bosbase: cannot open '" + path + "': " +
                                    std::generic_category().message(errno));
    }
    const std::size_t start = body.size();
    body.resize(start + size);  // within the capacity reserved for the whole body
    const std::size_t got = size == 0 ? 0 : std::fread(&body[start], 1, size, file.get());
    if (std::ferror(file.get())) {
        throw std::invalid_argument("bosbase: '" + path + "' could not be read");
    }
    if (got != size || std::fgetc(file.get()) != EOF) {
        throw std::invalid_argument("bosbase: '" + path + "' changed size while it was being read");
    }
}

inline std::size_t count_occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

/// Builds a multipart/form-data body: the JSON object `fields` as one `@jsonPayload`
/// part (left out when empty; the server unmarshals it without type inference), then
/// each file. Path parts are read straight into the body, which is allocated once at
/// its exact size; a total above max_bytes is refused before any file is read.
inline multipart_body build_multipart(const json& fields, const file_list& files, std::size_t max_bytes,
                                      const boundary_source& next_boundary = random_boundary) {
    if (!fields.is_null() && !fields.is_object()) {
        throw std::invalid_argument("bosbase: the fields of a multipart body must be a JSON object");
    }
    std::string payload;
    if (fields.is_object() && !fields.empty()) {
        try {
            payload = fields.dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a request value is not valid UTF-8; JSON bodies must be UTF-8");
        }
    }

    struct part {
        std::string head;           // the part's header lines and the blank line
        const std::string* bytes;   // the content when it is in memory
        const std::string* path;    // else the file to read
        std::size_t size;
    };
    std::vector<part> parts;
    parts.reserve(files.size() + 1);
    if (!payload.empty()) {
        parts.push_back({"Content-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n", &payload, nullptr,
                         payload.size()});
    }
    for (const auto& entry : files) {
        require_file_field(entry.first);
        const file_part& file = entry.second;
        part p{"Content-Disposition: form-data; name=" + disposition_param(entry.first, "field name") +
                   "; filename=" + disposition_param(file.filename(), "file name") +
                   "\r\nContent-Type: " + file.content_type() + "\r\n\r\n",
               &file.bytes(), nullptr, file.bytes().size()};
        if (!file.path().empty()) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(file.path(), ec);
            if (ec) {
                throw std::invalid_argument("bosbase: cannot read the size of '" + file.path() + "': " + ec.message());
            }
            if (size > max_bytes) {
                throw std::invalid_argument("bosbase: '" + file.path() + "' has " + std::to_string(size) +
                                            " bytes, more than client_options::max_request_bytes (" +
                                            std::to_string(max_bytes) + ")");
            }
            p.bytes = nullptr;
            p.path = &file.path();
            p.size = static_cast<std::size_t>(size);
        }
        parts.push_back(std::move(p));
    }

    std::string boundary = next_boundary();
    require_boundary(boundary);
    const std::size_t delimiter = 2 + boundary.size() + 2;  // "--" boundary CRLF
    std::size_t total = delimiter + 2;                      // the closing "--" boundary "--" CRLF
    for (const auto& p : parts) {
        const std::size_t add = delimiter + p.head.size() + 2;  // the content's trailing CRLF
        if (p.size > max_bytes || add > max_bytes || total > max_bytes - p.size - add) {
            throw std::invalid_argument("bosbase: the upload is larger than client_options::max_request_bytes (" +
                                        std::to_string(max_bytes) + " bytes)");
        }
        total += add + p.size;
    }

    multipart_body out;
    std::string& body = out.bytes;
    body.reserve(total);
    std::vector<std::size_t> marks;  // where each copy of the boundary starts
    marks.reserve(parts.size() + 1);
    auto open_part = [&] {
        body += "--";
        marks.push_back(body.size());
        body += boundary;
        body += "\r\n";
    };
    for (const auto& p : parts) {
        open_part();
        body += p.head;
        if (p.bytes != nullptr) {
            body += *p.bytes;
        } else {
            read_file_into(body, *p.path, p.size);
        }
        body += "\r\n";
    }
    body += "--";
    marks.push_back(body.size());
    body += boundary;
    body += "--\r\n";

    // A part that happens to contain the boundary would end early; pick another of the
    // same length and write it over the old one, so no file is read twice.
    for (int attempt = 0; count_occurrences(body, boundary) != marks.size(); ++attempt) {
        if (attempt == 16) {
            throw std::invalid_argument("bosbase: no multipart boundary could be found that occurs in none of the parts");
        }
        std::string next = next_boundary();
        require_boundary(next);
        if (next.size() != boundary.size()) {
            throw std::invalid_argument("bosbase: the multipart boundary source changed the boundary's length");
        }
        boundary = std::move(next);
        for (std::size_t at : marks) body.replace(at, boundary.size(), boundary);
    }
    out.content_type = "multipart/form-data; boundary=" + boundary;
    return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

template <class Transport>
class basic_bosbase;

// Realtime (see the Realtime section further down).
class subscription;
struct subscribe_options;
struct realtime_event;
template <class Transport>
class realtime_service;

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

template <class Transport>
class realtime_slot;

/// Everything one client is: base URL, options, transport, auth store and hooks.
/// Clients and the services they hand out share it, so none can dangle.
template <class Transport>
class client_core {
public:
    BOSBASE_SPLIT_NOINLINE client_core(parsed_base_url u, client_options o, Transport t)
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
    BOSBASE_SPLIT_NOINLINE explicit client_core(const client_core& other)
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

    BOSBASE_SPLIT_NOINLINE
    void set_hooks(std::shared_ptr<const before_send_hook> before, std::shared_ptr<const after_send_hook> after,
                   bool set_before, bool set_after) {
        std::lock_guard<std::mutex> lock(hooks_mutex_);
        if (set_before) before_ = std::move(before);
        if (set_after) after_ = std::move(after);
        has_hooks_ = before_ || after_;
    }

    BOSBASE_SPLIT_NOINLINE
    json send_json(std::string_view method, std::string_view path, const json& body, const request_options& options,
                   call_secrets secrets) {
        http_response res = perform(method, path, body, options, secrets);
        return parse_body(res, path, options, secrets);
    }

    BOSBASE_SPLIT_NOINLINE http_response perform(std::string_view method, std::string_view path, const json& body,
                          const request_options& options, call_secrets secrets) {
        return perform_impl(method, path, &body, nullptr, {}, options, secrets);
    }

    /// A request whose body is already built (multipart uploads); it is moved, never copied.
    BOSBASE_SPLIT_NOINLINE http_response perform_body(std::string_view method, std::string_view path, std::string body,
                               std::string_view content_type, const request_options& options, call_secrets secrets) {
        return perform_impl(method, path, nullptr, &body, content_type, options, secrets);
    }

    BOSBASE_SPLIT_NOINLINE json send_body_json(std::string_view method, std::string_view path, std::string body,
                        std::string_view content_type, const request_options& options, call_secrets secrets) {
        http_response res = perform_body(method, path, std::move(body), content_type, options, secrets);
        return parse_body(res, path, options, secrets);
    }

    // Every request goes through here: input checks, hooks, the transport, and the
    // mapping of everything that can go wrong onto ClientResponseError. The body is
    // either JSON (json_body) or prebuilt bytes (raw_body, taken by move).
    BOSBASE_SPLIT_NOINLINE
    http_response perform_impl(std::string_view method, std::string_view path, const json* json_body,
                               std::string* raw_body, std::string_view raw_content_type,
                               const request_options& options, call_secrets secrets) {
        require_headers(options.headers, "request_options.headers");

        http_request req;
        req.method = std::string(method);
        req.origin = url.origin;
        req.connect_timeout = settings.connect_timeout;
        req.read_timeout = options.timeout.value_or(settings.timeout);
        req.write_timeout = req.read_timeout;
        const auto started = http_request::clock::now();
        req.deadline = started + options.deadline.value_or(settings.deadline);
        req.max_response_bytes = settings.max_response_bytes;
        req.decompress = settings.decompress;
        req.target = target_for(path, collect_query(options));
        if (json_body != nullptr && !json_body->is_null()) {
            req.body = dump_json(*json_body);
            req.content_type = "application/json";
        } else if (raw_body != nullptr && !raw_body->empty()) {
            req.body = std::move(*raw_body);
            req.content_type = std::string(raw_content_type);
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
            check_request(req);  // what a hook hands back is checked like caller input
        } else if (!is_header_name_safe(req.method)) {
            // Everything else was checked as it was built: call headers above, client
            // headers and lang at construction, the stored token when it was saved.
            throw std::invalid_argument("bosbase: the HTTP method must be a token such as GET or POST");
        }
        if (req.body.size() > settings.max_request_bytes) {
            throw std::invalid_argument("bosbase: the request body has " + std::to_string(req.body.size()) +
                                        " bytes, more than client_options::max_request_bytes (" +
                                        std::to_string(settings.max_request_bytes) + ")");
        }
        for (const auto& h : req.headers) {
            if (ascii_iequal(h.first, "Authorization")) secrets.add(h.second);
        }

        http_response res;
        try {
            res = send_to_transport(req, after != nullptr);
        } catch (const transport_error& e) {
            if (e.error_kind() == error_kind::deadline) {
                // The transport only sees a point in time; the caller set a duration.
                throw transport_failure(req, error_kind::deadline, deadline_text(req, options, started), secrets);
            }
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
            const auto secret_list = secrets.to_vector();
            throw ClientResponseError(redact_url(url.origin + req.target), res.status,
                                      error_body(res, settings.max_json_depth, secret_list), error_kind::none, {},
                                      secret_list);
        }
        return res;
    }

    BOSBASE_SPLIT_NOINLINE
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
    BOSBASE_SPLIT_NOINLINE std::string error_url(std::string_view path, const request_options& options) const {
        try {
            return redact_url(url.origin + target_for(path, collect_query(options)));
        } catch (const std::invalid_argument&) {
            return url.origin;
        }
    }

    BOSBASE_SPLIT_NOINLINE static query_params collect_query(const request_options& options) {
        query_params q = options.query;
        if (options.filter) assign_param(q, "filter", *options.filter);
        if (options.sort) assign_param(q, "sort", *options.sort);
        if (options.skip_total) assign_param(q, "skipTotal", *options.skip_total);
        if (options.expand) assign_param(q, "expand", *options.expand);
        if (options.fields) assign_param(q, "fields", *options.fields);
        return q;
    }

    BOSBASE_SPLIT_NOINLINE std::string target_for(std::string_view path, const query_params& query) const {
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
    // A transport with send(http_request&) may take the body rather than copy it. An
    // after_send hook is promised the request as it was sent, so then the body stays.
    http_response send_to_transport(http_request& req, bool keep_request) {
        if constexpr (has_mutable_send<Transport>::value && has_send<Transport>::value) {
            return keep_request ? transport.send(static_cast<const http_request&>(req)) : transport.send(req);
        } else if constexpr (has_mutable_send<Transport>::value) {
            if (keep_request) {
                http_request copy = req;
                return transport.send(copy);
            }
            return transport.send(req);
        } else {
            return transport.send(static_cast<const http_request&>(req));
        }
    }

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

    std::string deadline_text(const http_request& req, const request_options& options,
                              http_request::clock::time_point started) const {
        using std::chrono::milliseconds;
        const auto took = std::chrono::duration_cast<milliseconds>(http_request::clock::now() - started);
        return req.method + " " + url.origin + " exceeded its deadline of " +
               std::to_string(options.deadline.value_or(settings.deadline).count()) + " ms (stopped after " +
               std::to_string(took.count()) + " ms)";
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

    // Only what the JS SDK sends: the server needs no Accept header (it always answers JSON).
    header_list build_headers(const request_options& options) const {
        header_list headers;
        headers.reserve(options.headers.size() + settings.headers.size() + 2);
        headers = options.headers;
        auto add_default = [&](const char* name, std::string value) {
            if (!value.empty() && !has_header(headers, name)) {
                headers.emplace_back(name, std::move(value));
            }
        };
        for (const auto& h : settings.headers) {
            if (!h.second.empty() && !has_header(headers, h.first)) headers.push_back(h);
        }
        add_default("Accept-Language", settings.lang);
        add_default("Authorization", store.token());
        return headers;
    }

    // The server's envelope is kept as is; anything else is wrapped so response() is
    // always an object that dump() can write (raw bytes are made valid UTF-8 first).
    // `secrets` are scrubbed from a raw body before it is cut, so no part of one survives.
    static json error_body(const http_response& res, std::size_t max_depth,
                           const std::vector<std::string_view>& secrets) {
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
                std::string raw = res.body;
                scrub_secrets(raw, secrets);
                out["body"] = to_valid_utf8(std::string_view(raw).substr(0, max_body));
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

public:
    // Keep last: members die in reverse order, so the realtime thread is stopped
    // and joined while everything it uses is still whole.
    realtime_slot<Transport> realtime{this};
};

/// Base of every service: a handle on the client's shared state.
template <class Transport>
class service_base {
public:
    BOSBASE_SPLIT_NOINLINE
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


namespace detail {

// The query of one list page: {page, perPage} first, then the caller's query
// (which may replace them), as the JS SDK builds it.
inline request_options list_request(int page, int per_page, const request_options& options) {
    request_options opts = options;
    query_params q{{"page", page}, {"perPage", per_page}};
    for (const auto& p : options.query) assign_param(q, p.first, p.second);
    opts.query = std::move(q);
    return opts;
}

// `first` go ahead of the caller's query; a caller's entry with the same key wins.
inline request_options with_defaults(query_params first, const request_options& options) {
    request_options opts = options;
    for (const auto& p : options.query) assign_param(first, p.first, p.second);
    opts.query = std::move(first);
    return opts;
}

/// A 2xx answer whose content the SDK cannot use: the real status, error_kind::invalid_response.
template <class Transport>
ClientResponseError invalid_response(const client_core<Transport>& core, std::string_view path,
                                     const request_options& options, int status, const std::string& why) {
    return ClientResponseError(core.error_url(path, options), status,
                               json{{"status", status}, {"message", why}, {"data", json::object()}},
                               error_kind::invalid_response);
}

struct json_reply {
    json body;
    int status = 0;
    std::size_t bytes = 0;  // size of the raw body, for limits that span several calls
};

template <class Transport>
json_reply fetch_json(client_core<Transport>& core, std::string_view method, std::string_view path,
                      const json& body, const request_options& options, call_secrets secrets = {}) {
    http_response res = core.perform(method, path, body, options, secrets);
    json parsed = core.parse_body(res, path, options, secrets);
    return {std::move(parsed), res.status, res.body.size()};
}

template <class Transport>
json_reply fetch_body_json(client_core<Transport>& core, std::string_view method, std::string_view path,
                           multipart_body body, const request_options& options) {
    http_response res = core.perform_body(method, path, std::move(body.bytes), body.content_type, options, {});
    json parsed = core.parse_body(res, path, options, {});
    return {std::move(parsed), res.status, res.body.size()};
}

// from_json failures become ClientResponseError: a server answer that does not
// fit the caller's type is the server's trouble, not a json exception to leak.
template <class T, class Transport>
T decode_as(const client_core<Transport>& core, const json& value, int status, std::string_view path,
            const request_options& options) {
    try {
        return value.template get<T>();
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const json::exception& e) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response does not fit the requested type: ") + e.what());
    } catch (...) {
        throw invalid_response(core, path, options, status,
                               "The server's response does not fit the requested type (from_json threw).");
    }
}

// A caller's to_json may throw anything; the call has not started, so it is bad input.
template <class Body>
json encode_body(const Body& body) {
    try {
        return json(body);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (...) {
        throw std::invalid_argument("bosbase: the request body could not be converted to JSON (to_json threw)");
    }
}

template <class Transport>
std::int64_t integer_field(const client_core<Transport>& core, const json& object, const char* key,
                           std::string_view path, const request_options& options, int status) {
    auto it = object.is_object() ? object.find(key) : object.end();
    if (it == object.end() || !it->is_number_integer() ||
        (it->is_number_unsigned() && it->template get<std::uint64_t>() > std::uint64_t(INT64_MAX))) {
        throw invalid_response(core, path, options, status,
                               std::string("The server's response has no integer '") + key + "'.");
    }
    return it->template get<std::int64_t>();
}

template <class Transport>
const json& items_of(const client_core<Transport>& core, const json& list, std::string_view path,
                     const request_options& options, int status) {
    auto it = list.is_object() ? list.find("items") : list.end();
    if (it == list.end() || !it->is_array()) {
        throw invalid_response(core, path, options, status, "The server's list response has no 'items' array.");
    }
    return *it;
}

template <class T, class Transport>
list_result<T> decode_list(const client_core<Transport>& core, const json_reply& reply, std::string_view path,
                           const request_options& options) {
    list_result<T> out;
    const json& items = items_of(core, reply.body, path, options, reply.status);
    auto narrow = [&](const char* key) {
        const auto v = integer_field(core, reply.body, key, path, options, reply.status);
        if (v < INT32_MIN || v > INT32_MAX) {
            throw invalid_response(core, path, options, reply.status,
                                   std::string("The server's '") + key + "' is out of range.");
        }
        return static_cast<int>(v);
    };
    out.page = narrow("page");
    out.per_page = narrow("perPage");
    out.total_items = integer_field(core, reply.body, "totalItems", path, options, reply.status);
    out.total_pages = integer_field(core, reply.body, "totalPages", path, options, reply.status);
    out.items.reserve(items.size());
    for (const auto& item : items) out.items.push_back(decode_as<T>(core, item, reply.status, path, options));
    return out;
}

// Pages 1, 2, ... of `batch` items with skipTotal=1 until a page is shorter than the
// perPage the server reports (or empty, so a server answering perPage 0 cannot loop us).
template <class Transport, class Each>
void for_each_page(client_core<Transport>& core, const std::string& path, int batch, const request_options& options,
                   Each&& each) {
    if (batch < 1) {
        throw std::invalid_argument("bosbase: the full-list batch size must be at least 1");
    }
    const request_options base = with_defaults({{"skipTotal", 1}}, options);
    // The whole list is one answer to the caller: max_response_bytes holds for all
    // pages together, so a server that never sends a short page cannot exhaust memory.
    std::size_t total_bytes = 0;
    for (int page = 1;; ++page) {
        const request_options opts = list_request(page, batch, base);
        json_reply reply = fetch_json(core, "GET", path, nullptr, opts);
        total_bytes += reply.bytes;
        if (total_bytes > core.settings.max_response_bytes) {
            throw ClientResponseError(core.error_url(path, opts), 0, json::object(), error_kind::too_large,
                                      "the full list is larger than max_response_bytes (" +
                                          std::to_string(core.settings.max_response_bytes) +
                                          " bytes) over all its pages");
        }
        const json& items = items_of(core, reply.body, path, opts, reply.status);
        const auto per_page = integer_field(core, reply.body, "perPage", path, opts, reply.status);
        const std::size_t count = items.size();
        each(reply, opts);
        if (count == 0 || static_cast<std::int64_t>(count) != per_page || page == INT32_MAX) {
            return;
        }
    }
}

template <class Transport>
json full_list(client_core<Transport>& core, const std::string& path, int batch, const request_options& options) {
    json all = json::array();
    for_each_page(core, path, batch, options, [&](json_reply& reply, const request_options&) {
        for (auto& item : reply.body["items"]) all.push_back(std::move(item));
    });
    return all;
}

template <class T, class Transport>
std::vector<T> full_list_as(client_core<Transport>& core, const std::string& path, int batch,
                            const request_options& options) {
    std::vector<T> all;
    for_each_page(core, path, batch, options, [&](json_reply& reply, const request_options& opts) {
        for (const auto& item : reply.body["items"]) all.push_back(decode_as<T>(core, item, reply.status, path, opts));
    });
    return all;
}

inline json object_body(const json& body, const char* what) {
    if (body.is_null()) {
        return json::object();
    }
    if (!body.is_object()) {
        throw std::invalid_argument(std::string("bosbase: ") + what + " must be a JSON object, got " +
                                    body.type_name());
    }
    return body;
}

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
    BOSBASE_SPLIT_NOINLINE record_service(std::shared_ptr<detail::client_core<Transport>> core, std::string collection)
        : detail::service_base<Transport>(std::move(core)), collection_(std::move(collection)) {
        detail::require_path_segment(collection_, "collection name or id");
        base_path_ = "/api/collections/" + detail::encode_uri_component(collection_);
    }

    BOSBASE_SPLIT_NOINLINE const std::string& name() const noexcept { return collection_; }

    /// @brief "/api/collections/<encoded name>" for this collection.
    BOSBASE_SPLIT_NOINLINE const std::string& base_path() const noexcept { return base_path_; }

    // --- custom tokens (BosBase) -------------------------------------------

    /// @brief Binds `token` to the auth record with this email and password (2xx, usually 204).
    BOSBASE_SPLIT_NOINLINE
    void bind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                           const json& body = json::object(), const query_params& query = {},
                           const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/bind-token", credentials_body(body, email, password, token),
                         with_query(options, query), {password, token});
    }

    /// @brief Removes the binding of `token` from the record with this email and password.
    /// The server answers 204 even when nothing was bound.
    BOSBASE_SPLIT_NOINLINE
    void unbind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                             const json& body = json::object(), const query_params& query = {},
                             const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/unbind-token", credentials_body(body, email, password, token),
                         with_query(options, query), {password, token});
    }

    /// @brief Signs in with a bound custom token; saves {token, record} in the auth store.
    /// For MFA pass `{{"mfaId", id}}` as body.
    BOSBASE_SPLIT_NOINLINE
    json auth_with_token(std::string_view token, const json& body = json::object(), const query_params& query = {},
                         const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["token"] = std::string(token);
        return auth_call("auth-with-token", payload, with_query(options, query), {token});
    }

    // --- standard auth -----------------------------------------------------

    /// @brief Password sign-in (identity is usually the email).
    BOSBASE_SPLIT_NOINLINE json auth_with_password(std::string_view identity, std::string_view password,
                            const json& body = json::object(), const query_params& query = {},
                            const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["identity"] = std::string(identity);
        payload["password"] = std::string(password);
        return auth_call("auth-with-password", payload, with_query(options, query), {password});
    }

    /// @brief Renews the stored auth. BosBase may hand back the very same token.
    BOSBASE_SPLIT_NOINLINE json auth_refresh(const json& body = json::object(), const query_params& query = {},
                      const std::optional<request_options>& options = std::nullopt) {
        return auth_call("auth-refresh", merged_body(body), with_query(options, query), {});
    }

    /// @brief Asks the server to email a one-time password; returns {"otpId": ...}.
    BOSBASE_SPLIT_NOINLINE
    json request_otp(std::string_view email, const json& body = json::object(), const query_params& query = {},
                     const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["email"] = std::string(email);
        return core().send_json("POST", base_path_ + "/request-otp", payload, with_query(options, query), {});
    }

    /// @brief Signs in with an OTP id and the emailed password.
    BOSBASE_SPLIT_NOINLINE
    json auth_with_otp(std::string_view otp_id, std::string_view password, const json& body = json::object(),
                       const query_params& query = {}, const std::optional<request_options>& options = std::nullopt) {
        json payload = merged_body(body);
        payload["otpId"] = std::string(otp_id);
        payload["password"] = std::string(password);
        return auth_call("auth-with-otp", payload, with_query(options, query), {password});
    }

    /// @brief Lists the auth methods this collection allows.
    BOSBASE_SPLIT_NOINLINE json list_auth_methods(const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("GET", base_path_ + "/auth-methods", nullptr, options.value_or(request_options{}),
                                  {});
    }

    /// @brief Superusers only: a new, independent client signed in as the record `id`
    /// (POST .../impersonate/{id}). It shares this client's transport and options;
    /// duration_seconds 0 means the collection's token duration.
    BOSBASE_SPLIT_NOINLINE basic_bosbase<Transport> impersonate(std::string_view id, std::int64_t duration_seconds = 0,
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
    /// The query is `page`, `perPage`, then options.query, then the named options
    /// (filter, sort, skip_total, expand, fields).
    BOSBASE_SPLIT_NOINLINE
    json get_list(int page = 1, int per_page = 30, const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("GET", records_path(), nullptr,
                                detail::list_request(page, per_page, options.value_or(request_options{})), {});
    }

    /// @brief One page of records decoded with nlohmann's from_json into T.
    template <class T>
    BOSBASE_SPLIT_NOINLINE list_result<T> get_list(int page = 1, int per_page = 30,
                            const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = detail::list_request(page, per_page, options.value_or(request_options{}));
        return detail::decode_list<T>(core(), detail::fetch_json(core(), "GET", records_path(), nullptr, opts),
                                      records_path(), opts);
    }

    /// @brief Every record, fetched `batch` at a time with skipTotal=1, as a JSON array.
    /// Memory grows with the collection; each page is one call with its own deadline.
    BOSBASE_SPLIT_NOINLINE
    json get_full_list(int batch = 500, const std::optional<request_options>& options = std::nullopt) {
        return detail::full_list(core(), records_path(), batch, options.value_or(request_options{}));
    }

    template <class T>
    BOSBASE_SPLIT_NOINLINE
    std::vector<T> get_full_list(int batch = 500, const std::optional<request_options>& options = std::nullopt) {
        return detail::full_list_as<T>(core(), records_path(), batch, options.value_or(request_options{}));
    }

    /// @brief The first record matching `filter` (one page of one, skipTotal=1). When
    /// nothing matches: ClientResponseError 404 built on the client (url "", as the JS SDK).
    BOSBASE_SPLIT_NOINLINE
    json get_first_list_item(std::string_view filter, const std::optional<request_options>& options = std::nullopt) {
        return first_item(filter, options).first;
    }

    template <class T>
    BOSBASE_SPLIT_NOINLINE
    T get_first_list_item(std::string_view filter, const std::optional<request_options>& options = std::nullopt) {
        auto found = first_item(filter, options);
        return detail::decode_as<T>(core(), found.first, found.second, records_path(), request_options{});
    }

    /// @brief BosBase: how many records match `filter` (all visible ones when empty).
    /// -1 when options.skip_total is true.
    BOSBASE_SPLIT_NOINLINE
    std::int64_t get_count(std::string_view filter = {}, const std::optional<request_options>& options = std::nullopt) {
        query_params first;
        if (!filter.empty()) first.emplace_back("filter", std::string(filter));
        const request_options opts = detail::with_defaults(std::move(first), options.value_or(request_options{}));
        const std::string path = records_path() + "/count";
        const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, opts);
        return detail::integer_field(core(), reply.body, "count", path, opts, reply.status);
    }

    /// @brief BosBase vector search (POST .../records/search): records nearest to
    /// `search.query_vector`, as a list {items, page, perPage, totalItems, totalPages}.
    BOSBASE_SPLIT_NOINLINE json vector_search(const vector_search_options& search,
                       const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("POST", records_path() + "/search", vector_search_body(search),
                                options.value_or(request_options{}), {});
    }

    template <class T>
    BOSBASE_SPLIT_NOINLINE list_result<T> vector_search(const vector_search_options& search,
                                 const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        const std::string path = records_path() + "/search";
        return detail::decode_list<T>(core(), detail::fetch_json(core(), "POST", path, vector_search_body(search), opts),
                                      path, opts);
    }

    /// @brief One record by id.
    BOSBASE_SPLIT_NOINLINE
    json get_one(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("GET", record_path(id), nullptr, options.value_or(request_options{}), {});
    }

    template <class T>
    BOSBASE_SPLIT_NOINLINE
    T get_one(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        const std::string path = record_path(id);
        const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, opts);
        return detail::decode_as<T>(core(), reply.body, reply.status, path, opts);
    }

    /// @brief Creates a record from a JSON object.
    BOSBASE_SPLIT_NOINLINE json create(const json& body, const std::optional<request_options>& options = std::nullopt) {
        return core().send_json("POST", records_path(), merged_body(body), options.value_or(request_options{}), {});
    }

    /// @brief Creates a record from any value with to_json (a T by default) and
    /// returns the stored record as T.
    template <class T, class Body = T>
    BOSBASE_SPLIT_NOINLINE T create(const Body& body, const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        const detail::json_reply reply =
            detail::fetch_json(core(), "POST", records_path(), merged_body(detail::encode_body(body)), opts);
        return detail::decode_as<T>(core(), reply.body, reply.status, records_path(), opts);
    }

    /// @brief Creates a record with files: one multipart request whose `@jsonPayload`
    /// part carries `body` (exact JSON types) and one part per file. A field may
    /// repeat; "field+" appends, "+field" prepends (see bosbase::file_list).
    BOSBASE_SPLIT_NOINLINE
    json create(const json& body, const file_list& files, const std::optional<request_options>& options = std::nullopt) {
        auto upload = detail::build_multipart(merged_body(body), files, core().settings.max_request_bytes);
        return core().send_body_json("POST", records_path(), std::move(upload.bytes), upload.content_type,
                                     options.value_or(request_options{}), {});
    }

    template <class T, class Body = T>
    BOSBASE_SPLIT_NOINLINE
    T create(const Body& body, const file_list& files, const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        auto upload =
            detail::build_multipart(merged_body(detail::encode_body(body)), files, core().settings.max_request_bytes);
        const detail::json_reply reply = detail::fetch_body_json(core(), "POST", records_path(),
                                                                 std::move(upload), opts);
        return detail::decode_as<T>(core(), reply.body, reply.status, records_path(), opts);
    }

    /// @brief Updates a record with files (multipart, as create with files). Remove files
    /// by name with {"field-": ["name.png"]} in `body`; the stored record is merged as by update().
    BOSBASE_SPLIT_NOINLINE json update(std::string_view id, const json& body, const file_list& files,
                const std::optional<request_options>& options = std::nullopt) {
        const std::string path = record_path(id);
        auto upload = detail::build_multipart(merged_body(body), files, core().settings.max_request_bytes);
        json updated = core().send_body_json("PATCH", path, std::move(upload.bytes), upload.content_type,
                                             options.value_or(request_options{}), {});
        core().store.merge_record_if(id, collection_, updated);
        return updated;
    }

    template <class T, class Body = T>
    BOSBASE_SPLIT_NOINLINE T update(std::string_view id, const Body& body, const file_list& files,
             const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        const std::string path = record_path(id);
        auto upload =
            detail::build_multipart(merged_body(detail::encode_body(body)), files, core().settings.max_request_bytes);
        const detail::json_reply reply = detail::fetch_body_json(core(), "PATCH", path, std::move(upload), opts);
        core().store.merge_record_if(id, collection_, reply.body);
        return detail::decode_as<T>(core(), reply.body, reply.status, path, opts);
    }

    /// @brief Updates a record. When it is the signed-in record, the returned fields
    /// are merged into the stored record (fields the response leaves out are kept).
    BOSBASE_SPLIT_NOINLINE
    json update(std::string_view id, const json& body, const std::optional<request_options>& options = std::nullopt) {
        json updated = core().send_json("PATCH", record_path(id), merged_body(body),
                                          options.value_or(request_options{}), {});
        core().store.merge_record_if(id, collection_, updated);
        return updated;
    }

    template <class T, class Body = T>
    BOSBASE_SPLIT_NOINLINE
    T update(std::string_view id, const Body& body, const std::optional<request_options>& options = std::nullopt) {
        const request_options opts = options.value_or(request_options{});
        const std::string path = record_path(id);
        const detail::json_reply reply = detail::fetch_json(core(), "PATCH", path, merged_body(detail::encode_body(body)), opts);
        core().store.merge_record_if(id, collection_, reply.body);
        return detail::decode_as<T>(core(), reply.body, reply.status, path, opts);
    }

    /// @brief Deletes a record (204); signs out when it was the signed-in record.
    BOSBASE_SPLIT_NOINLINE
    void remove(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
        core().perform("DELETE", record_path(id), nullptr, options.value_or(request_options{}), {});
        core().store.clear_if(id, collection_);
    }

    // --- realtime (defined in the Realtime section) -------------------------

    /// @brief Subscribes to "*" (every record) or a record id of this collection;
    /// see realtime_service::subscribe.
    subscription subscribe(const std::string& topic, std::function<void(const realtime_event&)> callback) const;

    /// @brief The same with options (filter, expand, fields, query, headers) sent as the topic's `?options=`.
    subscription subscribe(const std::string& topic, std::function<void(const realtime_event&)> callback,
                           const subscribe_options& options) const;

    /// @brief Ends the subscriptions to `topic` ("*" or a record id), or with "" all of this collection's.
    BOSBASE_SPLIT_NOINLINE void unsubscribe(std::string_view topic = {}) const;
    // --- account flows -----------------------------------------------------

    /// @brief Emails a password-reset link (204; also for an unknown email).
    BOSBASE_SPLIT_NOINLINE
    void request_password_reset(std::string_view email, const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/request-password-reset", json{{"email", std::string(email)}},
                       options.value_or(request_options{}), {});
    }

    /// @brief Sets a new password with the emailed reset token (204).
    BOSBASE_SPLIT_NOINLINE void confirm_password_reset(std::string_view reset_token, std::string_view password,
                                std::string_view password_confirm,
                                const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/confirm-password-reset",
                       json{{"token", std::string(reset_token)},
                            {"password", std::string(password)},
                            {"passwordConfirm", std::string(password_confirm)}},
                       options.value_or(request_options{}), {reset_token, password, password_confirm});
    }

    /// @brief Emails a verification link (204).
    BOSBASE_SPLIT_NOINLINE
    void request_verification(std::string_view email, const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/request-verification", json{{"email", std::string(email)}},
                       options.value_or(request_options{}), {});
    }

    /// @brief Verifies with the emailed token (204); marks the stored record verified
    /// when the token belongs to it.
    BOSBASE_SPLIT_NOINLINE void confirm_verification(std::string_view verification_token,
                              const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/confirm-verification",
                       json{{"token", std::string(verification_token)}}, options.value_or(request_options{}),
                       {verification_token});
        std::string id;
        std::string collection_id;
        if (token_owner(verification_token, id, collection_id)) {
            const json record = core().store.record();
            if (record.is_object() && record.value("verified", json(false)) != json(true)) {
                core().store.merge_record_if(id, collection_id, json{{"verified", true}});
            }
        }
    }

    /// @brief Emails a confirmation link to `new_email` (204; needs this collection's auth).
    BOSBASE_SPLIT_NOINLINE
    void request_email_change(std::string_view new_email, const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/request-email-change", json{{"newEmail", std::string(new_email)}},
                       options.value_or(request_options{}), {});
    }

    /// @brief Confirms the change with the emailed token and the account password
    /// (204); signs out when the token belongs to the stored record, as the JS SDK.
    BOSBASE_SPLIT_NOINLINE void confirm_email_change(std::string_view email_change_token, std::string_view password,
                              const std::optional<request_options>& options = std::nullopt) {
        core().perform("POST", base_path_ + "/confirm-email-change",
                       json{{"token", std::string(email_change_token)}, {"password", std::string(password)}},
                       options.value_or(request_options{}), {email_change_token, password});
        std::string id;
        std::string collection_id;
        if (token_owner(email_change_token, id, collection_id)) {
            core().store.clear_if(id, collection_id);
        }
    }

    /// @brief Finishes an OAuth2 sign-in with the provider's code (POST auth-with-oauth2
    /// {provider, code, codeVerifier, redirectURL, createData}); stores {token, record}.
    /// `create_data` (a JSON object) fills a record created on first sign-in.
    BOSBASE_SPLIT_NOINLINE
    json auth_with_oauth2_code(std::string_view provider, std::string_view code, std::string_view code_verifier,
                               std::string_view redirect_url, const json& create_data = nullptr,
                               const std::optional<request_options>& options = std::nullopt) {
        json payload{{"provider", std::string(provider)},
                     {"code", std::string(code)},
                     {"codeVerifier", std::string(code_verifier)},
                     {"redirectURL", std::string(redirect_url)}};
        if (!create_data.is_null()) {
            payload["createData"] = detail::object_body(create_data, "OAuth2 create_data");
        }
        return auth_call("auth-with-oauth2", payload, options.value_or(request_options{}), {code, code_verifier});
    }

    /// @brief The OAuth2 links of a record: records of `_externalAuths` with recordRef = id.
    BOSBASE_SPLIT_NOINLINE
    json list_external_auths(std::string_view record_id, const std::optional<request_options>& options = std::nullopt) {
        detail::require_path_segment(record_id, "record id");
        request_options opts = options.value_or(request_options{});
        opts.filter = bosbase::filter("recordRef = {:id}", {{"id", record_id}});
        return record_service(this->core_ptr(), "_externalAuths").get_full_list(500, opts);
    }

    /// @brief Removes a record's link to an OAuth2 provider (finds it in `_externalAuths`,
    /// then deletes it). A 404 ClientResponseError when there is no such link.
    BOSBASE_SPLIT_NOINLINE void unlink_external_auth(std::string_view record_id, std::string_view provider,
                              const std::optional<request_options>& options = std::nullopt) {
        detail::require_path_segment(record_id, "record id");
        record_service external(this->core_ptr(), "_externalAuths");
        const json link = external.get_first_list_item(bosbase::filter(
            "recordRef = {:recordId} && provider = {:provider}", {{"recordId", record_id}, {"provider", provider}}));
        auto id = link.find("id");
        if (id == link.end() || !id->is_string()) {
            throw detail::invalid_response(core(), external.records_path(), request_options{}, 200,
                                           "The server's external auth record has no string 'id'.");
        }
        external.remove(id->get<std::string>(), options);
    }

private:
    std::string records_path() const { return base_path_ + "/records"; }

    std::string record_path(std::string_view id) const {
        detail::require_path_segment(id, "record id");
        return base_path_ + "/records/" + detail::encode_uri_component(id);
    }

    std::pair<json, int> first_item(std::string_view filter, const std::optional<request_options>& options) {
        const request_options opts = detail::list_request(
            1, 1,
            detail::with_defaults({{"filter", std::string(filter)}, {"skipTotal", 1}},
                                  options.value_or(request_options{})));
        detail::json_reply reply = detail::fetch_json(core(), "GET", records_path(), nullptr, opts);
        const json& items = detail::items_of(core(), reply.body, records_path(), opts, reply.status);
        if (items.empty()) {
            throw ClientResponseError(
                "", 404,
                json{{"code", 404}, {"message", "The requested resource wasn't found."}, {"data", json::object()}});
        }
        return {items.front(), reply.status};
    }

    static json vector_search_body(const vector_search_options& search) {
        for (double v : search.query_vector) {
            if (!std::isfinite(v)) {
                throw std::invalid_argument("bosbase: vector_search: query_vector values must be finite numbers");
            }
        }
        json body{{"field", search.field}, {"queryVector", search.query_vector}};
        if (search.limit) body["limit"] = *search.limit;
        if (search.distance) body["distance"] = *search.distance;
        if (search.filter) body["filter"] = *search.filter;
        if (search.include_distance) body["includeDistance"] = *search.include_distance;
        return body;
    }

    // The id and collection a verification or email-change token was issued for.
    static bool token_owner(std::string_view token, std::string& id, std::string& collection_id) {
        const auto payload = jwt_payload(token);
        if (!payload) return false;
        auto i = payload->find("id");
        auto c = payload->find("collectionId");
        if (i == payload->end() || c == payload->end() || !i->is_string() || !c->is_string()) return false;
        id = i->get<std::string>();
        collection_id = c->get<std::string>();
        return !id.empty();
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
        core().store.save_auth_response(token->get<std::string>(), *record, std::move(res.body),
                                        core().settings.max_json_depth);
        return response;
    }

    std::string collection_;
    std::string base_path_;
};

/// @brief GET /api/health (pb.health()).
template <class Transport>
class health_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    /// @brief {"message","code","data"}; with superuser auth `data` has canBackup etc.
    BOSBASE_SPLIT_NOINLINE json check(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/health", nullptr, options.value_or(request_options{}), {});
    }
};

/// @brief Superuser calls on collections themselves (pb.collections()).
template <class Transport>
class collection_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    BOSBASE_SPLIT_NOINLINE
    json get_list(int page = 1, int per_page = 30, const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/collections", nullptr,
                                detail::list_request(page, per_page, options.value_or(request_options{})), {});
    }

    /// @brief Every collection, `batch` at a time, as a JSON array.
    BOSBASE_SPLIT_NOINLINE
    json get_full_list(int batch = 500, const std::optional<request_options>& options = std::nullopt) const {
        return detail::full_list(core(), "/api/collections", batch, options.value_or(request_options{}));
    }

    BOSBASE_SPLIT_NOINLINE
    json get_one(std::string_view name_or_id, const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", path(name_or_id), nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Creates a collection from its JSON description ({"name", "type", "fields", ...}).
    BOSBASE_SPLIT_NOINLINE
    json create(const json& body, const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("POST", "/api/collections", detail::object_body(body, "a collection body"),
                                options.value_or(request_options{}), {});
    }

    BOSBASE_SPLIT_NOINLINE json update(std::string_view name_or_id, const json& body,
                const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("PATCH", path(name_or_id), detail::object_body(body, "a collection body"),
                                options.value_or(request_options{}), {});
    }

    /// @brief Deletes the collection and all its records (204).
    BOSBASE_SPLIT_NOINLINE
    void remove(std::string_view name_or_id, const std::optional<request_options>& options = std::nullopt) const {
        core().perform("DELETE", path(name_or_id), nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Deletes all records of the collection, keeping the collection (204).
    BOSBASE_SPLIT_NOINLINE
    void truncate(std::string_view name_or_id, const std::optional<request_options>& options = std::nullopt) const {
        core().perform("DELETE", path(name_or_id) + "/truncate", nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Replaces the collections with `collections` (a JSON array); with
    /// delete_missing, collections not in the list are deleted (204).
    BOSBASE_SPLIT_NOINLINE void import_collections(const json& collections, bool delete_missing = false,
                            const std::optional<request_options>& options = std::nullopt) const {
        if (!collections.is_array()) {
            throw std::invalid_argument("bosbase: import_collections needs a JSON array of collections");
        }
        core().perform("PUT", "/api/collections/import",
                       json{{"collections", collections}, {"deleteMissing", delete_missing}},
                       options.value_or(request_options{}), {});
    }

    /// @brief Templates for new collections: {"auth": {...}, "base": {...}, "view": {...}}.
    BOSBASE_SPLIT_NOINLINE json get_scaffolds(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/collections/meta/scaffolds", nullptr,
                                options.value_or(request_options{}), {});
    }

private:
    static std::string path(std::string_view name_or_id) {
        detail::require_path_segment(name_or_id, "collection name or id");
        return "/api/collections/" + detail::encode_uri_component(name_or_id);
    }
};

/// @brief Superuser calls on the application settings (pb.settings()).
template <class Transport>
class settings_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    /// @brief All settings (secrets come back masked).
    BOSBASE_SPLIT_NOINLINE json get_all(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/settings", nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Changes the given settings, e.g. {{"batch", {{"enabled", true}}}}; returns all settings.
    BOSBASE_SPLIT_NOINLINE
    json update(const json& body, const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("PATCH", "/api/settings", detail::object_body(body, "a settings body"),
                                options.value_or(request_options{}), {});
    }

    /// @brief Checks the S3 connection of "storage" or "backups" (204).
    BOSBASE_SPLIT_NOINLINE void test_s3(std::string_view filesystem = "storage",
                 const std::optional<request_options>& options = std::nullopt) const {
        core().perform("POST", "/api/settings/test/s3", json{{"filesystem", std::string(filesystem)}},
                       options.value_or(request_options{}), {});
    }

    /// @brief Sends a test email of `email_template` ("verification", "password-reset",
    /// "email-change", "otp", "login-alert") for a collection's templates (204).
    BOSBASE_SPLIT_NOINLINE
    void test_email(std::string_view collection, std::string_view to_email, std::string_view email_template,
                    const std::optional<request_options>& options = std::nullopt) const {
        core().perform("POST", "/api/settings/test/email",
                       json{{"email", std::string(to_email)},
                            {"template", std::string(email_template)},
                            {"collection", std::string(collection)}},
                       options.value_or(request_options{}), {});
    }
};

/// @brief Superuser access to the request logs (pb.logs()).
template <class Transport>
class log_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    BOSBASE_SPLIT_NOINLINE
    json get_list(int page = 1, int per_page = 30, const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/logs", nullptr,
                                detail::list_request(page, per_page, options.value_or(request_options{})), {});
    }

    BOSBASE_SPLIT_NOINLINE
    json get_one(std::string_view id, const std::optional<request_options>& options = std::nullopt) const {
        detail::require_path_segment(id, "log id");
        return core().send_json("GET", "/api/logs/" + detail::encode_uri_component(id), nullptr,
                                options.value_or(request_options{}), {});
    }

    /// @brief Hourly counts [{"total", "date"}, ...]; options.filter narrows them.
    BOSBASE_SPLIT_NOINLINE json get_stats(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/logs/stats", nullptr, options.value_or(request_options{}), {});
    }
};

/// @brief Superuser calls on backups (pb.backups()).
template <class Transport>
class backup_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    /// @brief [{"key", "size", "modified"}, ...].
    BOSBASE_SPLIT_NOINLINE json get_full_list(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/backups", nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Starts a backup named `name` ("" lets the server pick one) and waits for it (204).
    BOSBASE_SPLIT_NOINLINE
    void create(std::string_view name = {}, const std::optional<request_options>& options = std::nullopt) const {
        core().perform("POST", "/api/backups", json{{"name", std::string(name)}}, options.value_or(request_options{}),
                       {});
    }

    /// @brief Restores a backup; the server restarts afterwards (204).
    BOSBASE_SPLIT_NOINLINE
    void restore(std::string_view key, const std::optional<request_options>& options = std::nullopt) const {
        core().perform("POST", path(key) + "/restore", nullptr, options.value_or(request_options{}), {});
    }

    BOSBASE_SPLIT_NOINLINE
    void remove(std::string_view key, const std::optional<request_options>& options = std::nullopt) const {
        core().perform("DELETE", path(key), nullptr, options.value_or(request_options{}), {});
    }

    /// @brief URL to download a backup with a superuser file token (from POST /api/files/token).
    /// The URL carries that token: do not log it.
    BOSBASE_SPLIT_NOINLINE std::string download_url(std::string_view file_token, std::string_view key) const {
        return core().url.origin + core().target_for(path(key), query_params{{"token", std::string(file_token)}});
    }

    /// @brief The JS SDK's name for download_url().
    BOSBASE_SPLIT_NOINLINE std::string get_download_url(std::string_view file_token, std::string_view key) const {
        return download_url(file_token, key);
    }

    /// @brief Uploads a backup archive (a .zip made by the server) as multipart field
    /// `file` to POST /api/backups/upload (204). The server refuses other types (400).
    BOSBASE_SPLIT_NOINLINE
    void upload(const file_part& file, const std::optional<request_options>& options = std::nullopt) const {
        auto upload = detail::build_multipart(json::object(), file_list{{"file", file}},
                                              core().settings.max_request_bytes);
        core().perform_body("POST", "/api/backups/upload", std::move(upload.bytes), upload.content_type,
                            options.value_or(request_options{}), {});
    }

private:
    static std::string path(std::string_view key) {
        detail::require_path_segment(key, "backup key");
        return "/api/backups/" + detail::encode_uri_component(key);
    }
};

/// @brief File URLs and file tokens (pb.files()), as the JS SDK's FileService.
template <class Transport>
class file_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    /// @brief Query of a file URL; unset fields are left out.
    struct url_options {
        std::string thumb;                 ///< "WxH", "WxHt", "WxHb", "WxHf", "0xH" or "Wx0" (images only)
        bool download = false;             ///< ask for Content-Disposition: attachment
        std::string token;                 ///< file token for protected fields (see get_token())
        query_params query;                ///< more query parameters, sent first
    };

    /// @brief `<base>/api/files/<collectionId or collectionName>/<id>/<filename>[?query]`,
    /// each segment encoded like encodeURIComponent, the query form-encoded like JS
    /// URLSearchParams (space as '+'). "" when the filename, the record's id or both
    /// collectionId and collectionName are missing (as the JS SDK). A URL with a token
    /// carries that token: do not log it.
    BOSBASE_SPLIT_NOINLINE
    std::string get_url(const json& record, std::string_view filename, const url_options& options = {}) const {
        const std::string collection = [&] {
            std::string id = string_field(record, "collectionId");
            return id.empty() ? string_field(record, "collectionName") : id;
        }();
        const std::string id = string_field(record, "id");
        if (filename.empty() || id.empty() || collection.empty()) {
            return {};
        }
        std::string url = core().url.origin + core().url.prefix + "/api/files/" +
                          detail::encode_uri_component(collection) + "/" + detail::encode_uri_component(id) + "/" +
                          detail::encode_uri_component(filename);
        query_params query = options.query;
        if (!options.thumb.empty()) detail::assign_param(query, "thumb", options.thumb);
        if (options.download) detail::assign_param(query, "download", "1");
        if (!options.token.empty()) detail::assign_param(query, "token", options.token);
        std::string qs;
        for (const auto& param : query) {
            auto emit = [&](const json& v) {
                if (v.is_null()) return;
                const std::string text = text_of(v);
                // As in every other query: the server reads it as UTF-8.
                if (!detail::is_valid_utf8(param.first) || !detail::is_valid_utf8(text)) {
                    throw std::invalid_argument("bosbase: a file URL query key or value is not valid UTF-8");
                }
                qs += qs.empty() ? "?" : "&";
                qs += form_encode(param.first) + "=" + form_encode(text);
            };
            if (param.second.is_array()) {
                for (const auto& item : param.second) emit(item);
            } else {
                emit(param.second);
            }
        }
        return url + qs;
    }

    /// @brief get_url() with the file name as JSON, e.g. record["avatar"]; "" unless it is a string.
    template <class Name, std::enable_if_t<std::is_same_v<Name, json>, int> = 0>
    BOSBASE_SPLIT_NOINLINE
    std::string get_url(const json& record, const Name& filename, const url_options& options = {}) const {
        return filename.is_string() ? get_url(record, filename.template get_ref<const std::string&>(), options)
                                    : std::string();
    }

    /// @brief A short-lived token for protected files (POST /api/files/token); needs auth.
    /// Returns "" when the server sends none, as the JS SDK.
    BOSBASE_SPLIT_NOINLINE std::string get_token(const std::optional<request_options>& options = std::nullopt) const {
        const json reply =
            core().send_json("POST", "/api/files/token", nullptr, options.value_or(request_options{}), {});
        return string_field(reply, "token");
    }

private:
    static std::string string_field(const json& object, const char* key) {
        auto it = object.is_object() ? object.find(key) : object.end();
        return (it != object.end() && it->is_string()) ? it->template get<std::string>() : std::string();
    }

    static std::string text_of(const json& v) {
        try {
            return detail::query_value_text(v);
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a file URL query value is not valid UTF-8");
        }
    }

    // application/x-www-form-urlencoded as URLSearchParams writes it: only
    // A-Z a-z 0-9 * - . _ stay, a space becomes '+'.
    static std::string form_encode(std::string_view in) {
        static const char hex[] = "0123456789ABCDEF";
        std::string out;
        out.reserve(in.size());
        for (char ch : in) {
            const auto c = static_cast<unsigned char>(ch);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' || c == '-' ||
                c == '.' || c == '_') {
                out += ch;
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 0x0F];
            }
        }
        return out;
    }
};

/// @brief Superuser calls on the app's cron jobs (pb.crons()).
template <class Transport>
class cron_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    using detail::service_base<Transport>::service_base;

    /// @brief [{"id", "expression"}, ...].
    BOSBASE_SPLIT_NOINLINE json get_full_list(const std::optional<request_options>& options = std::nullopt) const {
        return core().send_json("GET", "/api/crons", nullptr, options.value_or(request_options{}), {});
    }

    /// @brief Runs a job now (204).
    BOSBASE_SPLIT_NOINLINE
    void run(std::string_view job_id, const std::optional<request_options>& options = std::nullopt) const {
        detail::require_path_segment(job_id, "cron job id");
        core().perform("POST", "/api/crons/" + detail::encode_uri_component(job_id), nullptr,
                       options.value_or(request_options{}), {});
    }
};

/// @brief A batch of record writes sent as one transaction (pb.create_batch()).
/// Queue requests per collection, then send(). The server must have batch
/// enabled (settings "batch.enabled"); otherwise send() throws ClientResponseError
/// 403 "Batch requests are not allowed.". Not thread-safe; sending does not clear it.
template <class Transport>
class batch_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;
    using request_list = std::vector<json>;

public:
    /// @brief Queues requests for one collection of the batch it came from.
    class collection_batch {
    public:
        collection_batch(std::shared_ptr<request_list> requests, std::string_view collection)
            : requests_(std::move(requests)) {
            detail::require_path_segment(collection, "collection name or id");
            records_url_ = "/api/collections/" + detail::encode_uri_component(collection) + "/records";
        }

        /// @brief POST .../records. Only options' query, named query fields and headers apply.
        void create(const json& body, const std::optional<request_options>& options = std::nullopt) {
            add("POST", records_url_, body, options);
        }

        /// @brief PUT .../records: updates the record `body["id"]` names, or creates it.
        void upsert(const json& body, const std::optional<request_options>& options = std::nullopt) {
            add("PUT", records_url_, body, options);
        }

        void update(std::string_view id, const json& body, const std::optional<request_options>& options = std::nullopt) {
            add("PATCH", record_url(id), body, options);
        }

        void remove(std::string_view id, const std::optional<request_options>& options = std::nullopt) {
            add("DELETE", record_url(id), json::object(), options);
        }

    private:
        std::string record_url(std::string_view id) const {
            detail::require_path_segment(id, "record id");
            return records_url_ + "/" + detail::encode_uri_component(id);
        }

        void add(const char* method, std::string url, const json& body, const std::optional<request_options>& options) {
            const request_options opts = options.value_or(request_options{});
            detail::require_headers(opts.headers, "request_options.headers");
            std::string qs;
            try {
                detail::append_query(qs, detail::client_core<Transport>::collect_query(opts));
            } catch (const json::type_error&) {
                throw std::invalid_argument("bosbase: a query value is not valid UTF-8");
            }
            if (!qs.empty()) url += "?" + qs;
            json request{{"method", method}, {"url", std::move(url)}};
            if (!opts.headers.empty()) {
                json headers = json::object();
                for (const auto& h : opts.headers) headers[h.first] = h.second;
                request["headers"] = std::move(headers);
            }
            request["body"] = detail::object_body(body, "a batch request body");
            requests_->push_back(std::move(request));
        }

        std::shared_ptr<request_list> requests_;
        std::string records_url_;
    };

    BOSBASE_SPLIT_NOINLINE explicit batch_service(std::shared_ptr<detail::client_core<Transport>> core)
        : detail::service_base<Transport>(std::move(core)), requests_(std::make_shared<request_list>()) {}

    BOSBASE_SPLIT_NOINLINE
    collection_batch collection(std::string_view name) const { return collection_batch(requests_, name); }

    /// @brief How many requests are queued.
    BOSBASE_SPLIT_NOINLINE std::size_t size() const noexcept { return requests_->size(); }

    /// @brief POST /api/batch with a JSON body {"requests": [...]}; the answers in order.
    /// Any failed request rolls back all of them: ClientResponseError 400 "Batch
    /// transaction failed." with response()["data"]["requests"][<index>].
    BOSBASE_SPLIT_NOINLINE
    std::vector<batch_result> send(const std::optional<request_options>& options = std::nullopt) const {
        const request_options opts = options.value_or(request_options{});
        const detail::json_reply reply =
            detail::fetch_json(core(), "POST", "/api/batch", json{{"requests", *requests_}}, opts);
        if (!reply.body.is_array()) {
            throw detail::invalid_response(core(), "/api/batch", opts, reply.status,
                                           "The server's batch response is not an array.");
        }
        std::vector<batch_result> results;
        results.reserve(reply.body.size());
        for (const auto& item : reply.body) {
            auto status = item.is_object() ? item.find("status") : item.end();
            if (status == item.end() || !status->is_number_integer() || status->get<std::int64_t>() < 0 ||
                status->get<std::int64_t>() > 999) {
                throw detail::invalid_response(core(), "/api/batch", opts, reply.status,
                                               "A batch answer has no HTTP status.");
            }
            auto body = item.find("body");
            results.push_back({status->get<int>(), body == item.end() ? json(nullptr) : *body});
        }
        return results;
    }

private:
    std::shared_ptr<request_list> requests_;
};

/// @brief The BosBase client, templated on a transport policy (see README
/// "Custom transports"). Safe to share between threads, which then share one
/// signed-in identity; for several identities make one client each (copies of
/// one transport share its connection pool). Movable, not copyable.
template <class Transport>
class basic_bosbase {
    static_assert(is_transport_v<Transport>,
                  "bosbase: a Transport must have a member `bosbase::http_response send(const "
                  "bosbase::http_request&)` or `bosbase::http_response send(bosbase::http_request&)` (see README, "
                  "section 'Custom transports')");

public:
    using transport_type = Transport;

    /// @brief Connects to base_url ("http://127.0.0.1:8090", may carry a path prefix).
    template <class T = Transport, std::enable_if_t<std::is_default_constructible_v<T>, int> = 0>
    BOSBASE_SPLIT_NOINLINE explicit basic_bosbase(std::string_view base_url, client_options options = {})
        : basic_bosbase(base_url, Transport{}, std::move(options)) {}

    BOSBASE_SPLIT_NOINLINE basic_bosbase(std::string_view base_url, Transport transport, client_options options = {})
        : core_(std::make_shared<detail::client_core<Transport>>(detail::parse_base_url(base_url),
                                                                  std::move(options), std::move(transport))) {}

    basic_bosbase(basic_bosbase&&) noexcept = default;
    basic_bosbase& operator=(basic_bosbase&&) noexcept = default;
    basic_bosbase(const basic_bosbase&) = delete;
    basic_bosbase& operator=(const basic_bosbase&) = delete;

    /// @brief The service for one collection (name or id). It shares this client's
    /// state and stays usable after the client is gone.
    BOSBASE_SPLIT_NOINLINE record_service<Transport> collection(std::string name) const {
        return record_service<Transport>(core_, std::move(name));
    }

    class auth_store& auth_store() const { return core().store; }

    BOSBASE_SPLIT_NOINLINE Transport& transport() const { return core().transport; }

    /// @brief Realtime subscriptions (SSE); needs a streaming transport (see README, "Realtime").
    BOSBASE_SPLIT_NOINLINE realtime_service<Transport> realtime() const { return realtime_service<Transport>(core_); }

    /// @brief The options the client was made with.
    BOSBASE_SPLIT_NOINLINE const client_options& options() const { return core().settings; }

    /// @brief The base URL without a trailing slash.
    BOSBASE_SPLIT_NOINLINE std::string base_url() const { return core().url.origin + core().url.prefix; }

    /// @brief Absolute URL of an API path with an encoded query.
    BOSBASE_SPLIT_NOINLINE std::string build_url(std::string_view path, const query_params& query = {}) const {
        return core().url.origin + core().target_for(path, query);
    }

    /// @brief Absolute URL of an API path with the query a call with these options sends.
    BOSBASE_SPLIT_NOINLINE std::string build_url(std::string_view path, const request_options& options) const {
        return build_url(path, detail::client_core<Transport>::collect_query(options));
    }

    /// @brief Sends any API request and returns the parsed JSON (an empty object for an empty 2xx body).
    /// Throws ClientResponseError for anything but 2xx and for network failures.
    BOSBASE_SPLIT_NOINLINE json send(std::string_view method, std::string_view path, const json& body = nullptr,
              const request_options& options = {}) const {
        return core().send_json(method, path, body, options, {});
    }

    /// @brief Like send() but returns the raw 2xx response (for files and other non-JSON bodies).
    BOSBASE_SPLIT_NOINLINE
    http_response send_raw(std::string_view method, std::string_view path, const json& body = nullptr,
                           const request_options& options = {}) const {
        return core().perform(method, path, body, options, {});
    }

    /// @brief GET /api/health.
    BOSBASE_SPLIT_NOINLINE
    health_service<Transport> health() const { return health_service<Transport>(checked_core()); }

    /// @brief Superuser calls on collections (list, create, update, delete, truncate, import, scaffolds).
    BOSBASE_SPLIT_NOINLINE
    collection_service<Transport> collections() const { return collection_service<Transport>(checked_core()); }

    /// @brief Superuser calls on the application settings.
    BOSBASE_SPLIT_NOINLINE
    settings_service<Transport> settings() const { return settings_service<Transport>(checked_core()); }

    /// @brief Superuser access to the request logs.
    BOSBASE_SPLIT_NOINLINE log_service<Transport> logs() const { return log_service<Transport>(checked_core()); }

    /// @brief Superuser calls on backups.
    BOSBASE_SPLIT_NOINLINE
    backup_service<Transport> backups() const { return backup_service<Transport>(checked_core()); }

    /// @brief Superuser calls on cron jobs.
    BOSBASE_SPLIT_NOINLINE cron_service<Transport> crons() const { return cron_service<Transport>(checked_core()); }

    /// @brief File URLs and file tokens.
    BOSBASE_SPLIT_NOINLINE file_service<Transport> files() const { return file_service<Transport>(checked_core()); }

    /// @brief A new, empty batch of record writes (see batch_service).
    BOSBASE_SPLIT_NOINLINE
    batch_service<Transport> create_batch() const { return batch_service<Transport>(checked_core()); }

    /// @brief bosbase::filter(): a filter expression with safely escaped `{:name}` parameters.
    BOSBASE_SPLIT_NOINLINE static std::string filter(std::string_view raw, const filter_params& params) {
        return bosbase::filter(raw, params);
    }

    /// @brief Sets (or, with nullptr, clears) the hook run before every request.
    /// Exceptions thrown by a hook propagate unchanged.
    BOSBASE_SPLIT_NOINLINE void before_send(before_send_hook hook) const {
        core().set_hooks(hook ? std::make_shared<const before_send_hook>(std::move(hook)) : nullptr, nullptr, true,
                         false);
    }

    /// @brief Sets (or clears) the hook run after every HTTP response, error statuses included.
    BOSBASE_SPLIT_NOINLINE void after_send(after_send_hook hook) const {
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

    const std::shared_ptr<detail::client_core<Transport>>& checked_core() const {
        core();
        return core_;
    }

    std::shared_ptr<detail::client_core<Transport>> core_;
};

// ---------------------------------------------------------------------------
// Realtime: server-sent events (GET/POST /api/realtime)
// ---------------------------------------------------------------------------

/// @brief Lets one thread stop a transport's stream() call that blocks on another.
///
/// The transport registers a stopper while its connection is open; cancel() sets
/// the flag and runs the stopper (from any thread, as often as needed: a cancel
/// that lands while the connection is still being opened is repeated by the SDK
/// until stream() returns).
class stream_cancel {
public:
    stream_cancel() = default;
    stream_cancel(const stream_cancel&) = delete;
    stream_cancel& operator=(const stream_cancel&) = delete;

    void cancel() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        canceled_ = true;
        if (stopper_) {
            try {
                stopper_();
            } catch (...) {  // a stopper that fails leaves the stream to its read timeout
            }
        }
    }

    bool canceled() const noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        return canceled_;
    }

    /// @brief Transport side: what cancel() must call while the stream is open.
    /// Returns false (and keeps nothing) when cancel() came first.
    bool set_stopper(std::function<void()> stop) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (canceled_) {
            return false;
        }
        stopper_ = std::move(stop);
        return true;
    }

    /// @brief Transport side: call before whatever the stopper refers to goes away.
    void clear_stopper() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        stopper_ = nullptr;
    }

private:
    mutable std::mutex mutex_;
    bool canceled_ = false;
    std::function<void()> stopper_;
};

/// @brief Receives the body of a streamed response chunk by chunk; false stops reading.
using stream_handler = std::function<bool(std::string_view chunk)>;

namespace detail {

template <class T, class = void>
struct has_stream : std::false_type {};

template <class T>
struct has_stream<T, std::void_t<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                                    std::declval<const stream_handler&>(),
                                                                    std::declval<stream_cancel&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                             std::declval<const stream_handler&>(),
                                                             std::declval<stream_cancel&>())),
                          http_response> {};

}  // namespace detail

/// @brief True when T also has the optional streaming call that realtime needs:
/// `http_response stream(const http_request&, const stream_handler&, stream_cancel&)`.
template <class T>
inline constexpr bool is_streaming_transport_v = detail::has_stream<T>::value;

/// @brief One change pushed by the server.
struct realtime_event {
    std::string topic;   ///< the subscription string, options included (the SSE event name)
    std::string action;  ///< "create", "update" or "delete" for record topics; "" otherwise
    json record;         ///< the record for record topics; null otherwise
    json data;           ///< the whole event data; {} when it was not JSON (as in the JS SDK)
};

using realtime_callback = std::function<void(const realtime_event&)>;

/// @brief Options of one subscription, sent as the topic's `?options=` like the JS SDK does.
struct subscribe_options {
    std::optional<std::string> filter;
    std::optional<std::string> expand;
    std::optional<std::string> fields;
    query_params query;   ///< more query values (after filter, expand and fields)
    header_list headers;  ///< seen by the server's rules as @request.headers.*
};

/// @brief Why a realtime connection ended (on_disconnect).
struct realtime_disconnect {
    std::string reason;                       ///< readable, never carries a secret
    error_kind kind = error_kind::none;       ///< none when the server ended the stream or the SDK closed it
    bool reconnecting = false;                ///< true when the SDK connects again by itself
    std::vector<std::string> topics;          ///< the subscriptions at that moment
};

/// @brief Realtime settings; pb.realtime().set_options() applies them from the next connection on.
struct realtime_options {
    /// First delay after a lost connection. A server's SSE `retry:` may raise it (up to
    /// max_reconnect_delay), never lower it.
    std::chrono::milliseconds reconnect_delay{200};
    std::chrono::milliseconds max_reconnect_delay{5000};  ///< the delay doubles up to this (with jitter)
    /// Longest silence on the stream before it counts as dead. The server closes an
    /// idle stream after 5 minutes itself, so this only catches a vanished peer.
    std::chrono::milliseconds idle_timeout{330000};
    /// How long subscribe() waits for the server to confirm the subscription.
    std::chrono::milliseconds subscribe_timeout{15000};
    std::size_t max_event_bytes = std::size_t(8) << 20;  ///< larger events end the connection
};

/// @brief Ends its subscription when destroyed (or on unsubscribe()). Movable.
/// It does not keep the client alive: once every client handle and service is
/// gone, the connection ends and unsubscribe() does nothing.
class subscription {
public:
    subscription() = default;
    subscription(std::string topic, std::function<void()> remove)
        : topic_(std::move(topic)), remove_(std::move(remove)) {}
    subscription(subscription&& other) noexcept
        : topic_(std::move(other.topic_)), remove_(std::exchange(other.remove_, nullptr)) {}
    subscription& operator=(subscription&& other) noexcept {
        if (this != &other) {
            unsubscribe();
            topic_ = std::move(other.topic_);
            remove_ = std::exchange(other.remove_, nullptr);
        }
        return *this;
    }
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;
    ~subscription() { unsubscribe(); }

    /// @brief Stops this callback; idempotent. Never throws: a failed request to
    /// shrink the server's set only means events for it arrive and are dropped.
    void unsubscribe() noexcept {
        auto remove = std::exchange(remove_, nullptr);
        if (remove) {
            try {
                remove();
            } catch (...) {
            }
        }
    }

    /// @brief False after unsubscribe() or a move.
    bool active() const noexcept { return static_cast<bool>(remove_); }

    /// @brief The subscription string, options included.
    const std::string& topic() const noexcept { return topic_; }

private:
    std::string topic_;
    std::function<void()> remove_;
};

namespace detail {

/// One parsed server-sent event.
struct sse_event {
    std::string event = "message";
    std::string data;
    std::string id;  ///< the last event id at dispatch
};

/// Incremental SSE parser (HTML Living Standard, "event stream interpretation").
/// One per connection; it keeps no other state. Lines may end in CRLF, LF or CR,
/// and events may be split anywhere between feed() calls.
class sse_parser {
public:
    explicit sse_parser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

    /// Feeds bytes; on_event(const sse_event&) returns false to stop. Returns false
    /// when on_event stopped or an event outgrew the cap (error() says so).
    template <class OnEvent>
    bool feed(std::string_view chunk, OnEvent&& on_event) {
        if (!error_.empty()) {
            return false;
        }
        if (at_start_ && !chunk.empty()) {
            // A UTF-8 byte order mark may open the stream, possibly split across chunks.
            static constexpr std::string_view bom = "\xEF\xBB\xBF";
            const std::size_t want = bom.size() - bom_seen_;
            const std::size_t n = std::min(want, chunk.size());
            if (chunk.substr(0, n) == bom.substr(bom_seen_, n)) {
                bom_seen_ += n;
                chunk.remove_prefix(n);
                if (bom_seen_ < bom.size()) {
                    return true;
                }
            } else if (bom_seen_ > 0) {
                line_.assign(bom.substr(0, bom_seen_));  // not a BOM after all: those bytes are text
            }
            at_start_ = false;
        }
        while (!chunk.empty()) {
            if (after_cr_) {
                after_cr_ = false;
                if (chunk.front() == '\n') {  // the LF of a CRLF split across chunks
                    chunk.remove_prefix(1);
                    continue;
                }
            }
            const auto end = chunk.find_first_of("\r\n");
            if (end == std::string_view::npos) {
                if (!grow(line_.size() + chunk.size())) {
                    return false;
                }
                line_.append(chunk);
                return true;
            }
            after_cr_ = chunk[end] == '\r';
            bool keep_going = true;
            if (line_.empty()) {
                if (!grow(end)) {  // the same cap as for a line that came in pieces
                    return false;
                }
                keep_going = process_line(chunk.substr(0, end), on_event);
            } else {
                if (!grow(line_.size() + end)) {
                    return false;
                }
                line_.append(chunk.substr(0, end));
                std::string line = std::move(line_);
                line_.clear();
                keep_going = process_line(line, on_event);
            }
            chunk.remove_prefix(end + 1);
            if (!keep_going) {
                return false;
            }
        }
        return true;
    }

    /// Why feed() failed ("" when it did not).
    const std::string& error() const noexcept { return error_; }

    /// The last `retry:` value in milliseconds, if the server sent one.
    std::optional<std::chrono::milliseconds> retry() const noexcept { return retry_; }

private:
    bool grow(std::size_t line_size) {
        if (line_size + data_.size() + event_.size() > max_event_bytes_) {
            error_ = "an event is larger than max_event_bytes (" + std::to_string(max_event_bytes_) + " bytes)";
            line_.clear();
            data_.clear();
            return false;
        }
        return true;
    }

    template <class OnEvent>
    bool process_line(std::string_view line, OnEvent& on_event) {
        if (line.empty()) {
            return dispatch(on_event);
        }
        if (line.front() == ':') {
            return true;  // comment
        }
        std::string_view field = line;
        std::string_view value;
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            field = line.substr(0, colon);
            value = line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ') {
                value.remove_prefix(1);
            }
        }
        if (field == "data") {
            if (!grow(value.size() + 1)) {
                return false;
            }
            data_.append(value);
            data_ += '\n';
            has_data_ = true;
        } else if (field == "event") {
            event_.assign(value);
        } else if (field == "id") {
            if (value.find('\0') == std::string_view::npos) {
                last_id_.assign(value);
            }
        } else if (field == "retry") {
            const bool digits = !value.empty() && value.size() <= 9 &&
                                std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits) {
                retry_ = std::chrono::milliseconds(std::stol(std::string(value)));
            }
        }
        return true;  // other fields are ignored
    }

    template <class OnEvent>
    bool dispatch(OnEvent& on_event) {
        if (!has_data_) {
            event_.clear();
            return true;
        }
        sse_event ev;
        data_.pop_back();  // the LF after the last data line
        ev.data = std::move(data_);
        ev.event = event_.empty() ? std::string("message") : std::move(event_);
        ev.id = last_id_;
        data_.clear();
        event_.clear();
        has_data_ = false;
        return on_event(ev);
    }

    std::size_t max_event_bytes_;
    std::string line_;
    std::string data_;
    std::string event_;
    std::string last_id_;
    std::string error_;
    std::optional<std::chrono::milliseconds> retry_;
    std::size_t bom_seen_ = 0;
    bool has_data_ = false;
    bool after_cr_ = false;
    bool at_start_ = true;
};

/// The subscription string for a topic and options, byte for byte as the JS SDK
/// builds it: `topic?options=<encodeURIComponent(JSON.stringify({query, headers}))>`.
inline std::string realtime_topic_key(const std::string& topic, const std::optional<subscribe_options>& options) {
    if (!options) {
        return topic;
    }
    // Insertion order matters (JSON.stringify keeps it) and a repeated key keeps its
    // first place with the last value, as in a JS object. Written by hand rather
    // than through nlohmann::ordered_json, a second JSON type every TU would compile.
    using members = std::vector<std::pair<std::string, json>>;
    auto set = [](members& m, const std::string& key, json value) {
        for (auto& entry : m) {
            if (entry.first == key) {
                entry.second = std::move(value);
                return;
            }
        }
        m.emplace_back(key, std::move(value));
    };
    auto write = [](std::string& out, const members& m) {
        out += '{';
        for (std::size_t i = 0; i < m.size(); ++i) {
            out += (i == 0 ? "" : ",") + json(m[i].first).dump() + ":" + m[i].second.dump();
        }
        out += '}';
    };
    members query;
    if (options->filter) set(query, "filter", *options->filter);
    if (options->expand) set(query, "expand", *options->expand);
    if (options->fields) set(query, "fields", *options->fields);
    for (const auto& q : options->query) set(query, q.first, q.second);
    members headers;
    for (const auto& h : options->headers) set(headers, h.first, h.second);
    std::string text = "{\"query\":";
    try {
        write(text, query);
        if (!headers.empty()) {
            text += ",\"headers\":";
            write(text, headers);
        }
    } catch (const json::type_error&) {
        throw std::invalid_argument("bosbase: a subscription option is not valid UTF-8");
    }
    text += '}';
    return topic + (topic.find('?') == std::string::npos ? "?" : "&") + "options=" + encode_uri_component(text);
}

template <class Transport>
class realtime_state;

/// Lives inside client_core (its last member, so it is torn down first): makes the
/// realtime state on first use and stops its thread when the client goes away.
template <class Transport>
class realtime_slot {
public:
    BOSBASE_SPLIT_NOINLINE explicit realtime_slot(client_core<Transport>* core) : core_(core) {}
    realtime_slot(const realtime_slot&) = delete;
    realtime_slot& operator=(const realtime_slot&) = delete;
    ~realtime_slot() {
        if (state_) state_->shutdown();
    }

    BOSBASE_SPLIT_NOINLINE std::shared_ptr<realtime_state<Transport>> get() {
        static_assert(is_streaming_transport_v<Transport>,
                      "bosbase: realtime needs a transport with the streaming call `bosbase::http_response "
                      "stream(const bosbase::http_request&, const bosbase::stream_handler&, bosbase::stream_cancel&)` "
                      "(see README, section 'Realtime')");
        static_assert(std::is_copy_constructible_v<Transport>,
                      "bosbase: realtime streams through a copy of the transport; make it copyable");
        std::lock_guard<std::mutex> lock(mutex_);
        if (!state_) {
            state_ = std::make_shared<realtime_state<Transport>>(core_);
            state_->attach();
        }
        return state_;
    }

    /// The state if realtime was ever used, else null (no thread is started for it).
    BOSBASE_SPLIT_NOINLINE std::shared_ptr<realtime_state<Transport>> existing() {
        std::lock_guard<std::mutex> lock(mutex_);
        return state_;
    }

private:
    client_core<Transport>* core_;
    std::mutex mutex_;
    std::shared_ptr<realtime_state<Transport>> state_;
};

/// One client's realtime connection: the subscriptions, the background thread
/// that owns the SSE stream, and the submission of the subscription set.
///
/// Locks: mutex_ guards the fields below it; submit_mutex_ orders the POSTs so the
/// server always ends with the newest set. No user callback runs under either.
/// The thread holds a shared_ptr to this object, never to the client; the client
/// (through realtime_slot) stops and joins the thread before it goes away.
template <class Transport>
class realtime_state : public std::enable_shared_from_this<realtime_state<Transport>> {
    using clock = std::chrono::steady_clock;
    using connect_callback = std::function<void(const std::string& client_id)>;
    using disconnect_callback = std::function<void(const realtime_disconnect&)>;

    struct listener {
        std::uint64_t id;
        realtime_callback fn;
    };
    struct topic_entry {
        std::uint64_t order = 0;  // first-subscribe order: the POST lists topics like the JS SDK
        std::vector<std::shared_ptr<const listener>> listeners;
    };

public:
    BOSBASE_SPLIT_NOINLINE explicit realtime_state(client_core<Transport>* core)
        : core_(core),
          stream_transport_(core->transport),
          max_json_depth_(core->settings.max_json_depth),
          rng_(static_cast<std::uint32_t>(clock::now().time_since_epoch().count() ^
                                          reinterpret_cast<std::uintptr_t>(this))) {}

    realtime_state(const realtime_state&) = delete;
    realtime_state& operator=(const realtime_state&) = delete;

    // Resubmits after every auth change: the server binds a realtime client to the
    // identity of its first subscription and refuses a different one (403), so a
    // new token means a new connection.
    BOSBASE_SPLIT_NOINLINE void attach() {
        token_seen_ = core_->store.token();
        std::weak_ptr<realtime_state> weak = this->shared_from_this();
        listener_id_ = core_->store.on_change([weak](const std::string& token, const json&) {
            if (auto self = weak.lock()) self->on_auth_change(token);
        });
    }

    // --- caller side -------------------------------------------------------

    BOSBASE_SPLIT_NOINLINE subscription subscribe(const std::string& key, realtime_callback fn,
                           const std::function<std::function<void()>(std::uint64_t)>& make_remover) {
        if (key.empty()) {
            throw std::invalid_argument("bosbase: a realtime topic must not be empty");
        }
        if (key.size() > max_topic_bytes) {
            throw std::invalid_argument("bosbase: a realtime topic (options included) must not exceed " +
                                        std::to_string(max_topic_bytes) + " bytes");
        }
        if (!fn) {
            throw std::invalid_argument("bosbase: a realtime callback must not be empty");
        }
        to_utf8_or_throw(key);

        std::uint64_t id = 0;
        std::uint64_t my_gen = 0;
        std::uint64_t failures_at_start = 0;
        std::chrono::milliseconds wait_limit{};
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (stopping_) {
                throw std::invalid_argument("bosbase: the client is shutting down");
            }
            if (topics_.find(key) == topics_.end() && topics_.size() >= max_topics) {
                throw std::invalid_argument("bosbase: the server accepts at most " + std::to_string(max_topics) +
                                            " realtime topics per client");
            }
            id = ++last_listener_id_;
            auto& entry = topics_[key];
            if (entry.listeners.empty()) {
                entry.order = ++last_order_;
                ++generation_;  // a new topic: the server's set must change
            }
            entry.listeners.push_back(std::make_shared<const listener>(listener{id, std::move(fn)}));
            my_gen = generation_;
            failures_at_start = failures_;
            wait_limit = options_.subscribe_timeout;
            start_thread_locked();
        }
        cv_.notify_all();

        const bool on_worker = std::this_thread::get_id() == worker_id_.load();
        const auto deadline = clock::now() + wait_limit;
        try {
            wait_until_submitted(my_gen, failures_at_start, deadline, on_worker);
        } catch (...) {
            remove_listener(id, false);
            throw;
        }
        return subscription(key, make_remover(id));
    }

    // Removes one callback; its topic leaves the server's set when it was the last one.
    // Once it returns (on another thread than the realtime one) the callback is not
    // running and never runs again, so it may capture locals by reference.
    BOSBASE_SPLIT_NOINLINE void remove_listener(std::uint64_t id, bool submit = true) noexcept {
        bool topic_gone = false;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (std::this_thread::get_id() != worker_id_.load()) {
                cv_.wait(lock, [&] { return running_listener_ != id; });
            }
            for (auto it = topics_.begin(); it != topics_.end(); ++it) {
                auto& ls = it->second.listeners;
                auto found = std::find_if(ls.begin(), ls.end(), [&](const auto& l) { return l->id == id; });
                if (found != ls.end()) {
                    ls.erase(found);
                    if (ls.empty()) {
                        topics_.erase(it);
                        topic_gone = true;
                    }
                    break;
                }
            }
        }
        if (topic_gone) topics_changed(submit);
    }

    // Every key k where (k + "?") starts with `prefix` (JS unsubscribeByPrefix; also
    // JS unsubscribe(topic) with prefix = topic + "?" when topic has no '?').
    BOSBASE_SPLIT_NOINLINE void remove_by_prefix(std::string_view prefix) noexcept {
        bool changed = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto it = topics_.begin(); it != topics_.end();) {
                if ((it->first + "?").compare(0, prefix.size(), prefix) == 0) {
                    it = topics_.erase(it);
                    changed = true;
                } else {
                    ++it;
                }
            }
        }
        if (changed) topics_changed(true);
    }

    BOSBASE_SPLIT_NOINLINE void set_on_connect(connect_callback fn) { set_callback(on_connect_, std::move(fn)); }
    BOSBASE_SPLIT_NOINLINE void set_on_reconnect(connect_callback fn) { set_callback(on_reconnect_, std::move(fn)); }
    BOSBASE_SPLIT_NOINLINE
    void set_on_disconnect(disconnect_callback fn) { set_callback(on_disconnect_, std::move(fn)); }

    BOSBASE_SPLIT_NOINLINE void set_options(const realtime_options& o) {
        if (o.max_event_bytes == 0 || o.reconnect_delay.count() < 0 || o.max_reconnect_delay.count() < 0 ||
            o.idle_timeout.count() <= 0 || o.subscribe_timeout.count() < 0) {
            throw std::invalid_argument(
                "bosbase: realtime_options: delays must not be negative, idle_timeout and max_event_bytes must be "
                "positive");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        options_ = o;
    }

    BOSBASE_SPLIT_NOINLINE bool is_connected() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return connected_;
    }

    BOSBASE_SPLIT_NOINLINE std::string client_id() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return connected_ ? client_id_ : std::string();
    }

    BOSBASE_SPLIT_NOINLINE std::vector<std::string> topics() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return topic_list_locked();
    }

    // Called by realtime_slot while the client is still whole: stop the stream, join.
    BOSBASE_SPLIT_NOINLINE void shutdown() noexcept {
        std::shared_ptr<stream_cancel> cancel;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            cancel = cancel_;
        }
        cv_.notify_all();
        if (listener_id_ != 0) core_->store.remove_listener(listener_id_);
        if (!worker_.joinable()) {
            return;
        }
        if (worker_.get_id() == std::this_thread::get_id()) {
            // The last client handle died inside a callback on the realtime thread:
            // it cannot join itself. It sees stopping_ and ends on its own; it holds
            // this object alive and touches nothing of the client from here on.
            worker_.detach();
            return;
        }
        // A cancel can land before the transport has a socket to stop; repeat it.
        std::unique_lock<std::mutex> lock(mutex_);
        while (!worker_done_) {
            if (cancel_ && cancel_ != cancel) cancel = cancel_;
            lock.unlock();
            if (cancel) cancel->cancel();
            lock.lock();
            cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return worker_done_; });
        }
        lock.unlock();
        worker_.join();
    }

private:
    static constexpr std::size_t max_topic_bytes = 2500;  // the server's limit per subscription
    static constexpr std::size_t max_topics = 1000;       // and per client

    static void to_utf8_or_throw(const std::string& key) {
        try {
            (void)json(key).dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a realtime topic must be valid UTF-8");
        }
    }

    template <class Fn>
    void set_callback(std::shared_ptr<const Fn>& slot, Fn fn) {
        auto ptr = fn ? std::make_shared<const Fn>(std::move(fn)) : nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        slot = std::move(ptr);
    }

    std::vector<std::string> topic_list_locked() const {
        std::vector<std::pair<std::uint64_t, const std::string*>> ordered;
        ordered.reserve(topics_.size());
        for (const auto& t : topics_) ordered.emplace_back(t.second.order, &t.first);
        std::sort(ordered.begin(), ordered.end());
        std::vector<std::string> out;
        out.reserve(ordered.size());
        for (const auto& o : ordered) out.push_back(*o.second);
        return out;
    }

    void start_thread_locked() {
        if (worker_.joinable() || stopping_) {
            return;
        }
        auto self = this->shared_from_this();
        worker_ = std::thread([self] { self->run(); });
        worker_id_.store(worker_.get_id());
    }

    void on_auth_change(const std::string& token) {
        std::shared_ptr<stream_cancel> cancel;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (token == token_seen_) {
                return;  // a record merge or a refresh that kept the token
            }
            token_seen_ = token;
            if (!in_stream_) {
                return;  // the next connection submits with the new token anyway
            }
            restart_reason_ = "the auth token changed; reconnecting to subscribe with the new identity";
            cancel = cancel_;
        }
        if (cancel) cancel->cancel();
    }

    void topics_changed(bool submit) noexcept {
        std::shared_ptr<stream_cancel> cancel;
        bool connected = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++generation_;
            if (topics_.empty()) {
                if (in_stream_) {
                    restart_reason_ = "no subscriptions left";
                    cancel = cancel_;
                }
            } else {
                connected = connected_;
            }
        }
        if (cancel) cancel->cancel();  // like the JS SDK: no topics, no connection
        if (submit && connected) {
            try {
                submit_current();
            } catch (...) {  // the topic's events now find no callback and are dropped
            }
        }
    }

    // Blocks until the set of generation `gen` is on the server, or fails.
    void wait_until_submitted(std::uint64_t gen, std::uint64_t failures_at_start, clock::time_point deadline,
                              bool on_worker) {
        std::unique_lock<std::mutex> lock(mutex_);
        while (true) {
            if (connected_ && submitted_gen_ >= gen && submitted_client_ == client_id_) {
                return;
            }
            if (stopping_) {
                throw std::invalid_argument("bosbase: the client is shutting down");
            }
            if (failures_ != failures_at_start && last_error_) {
                throw *last_error_;
            }
            if (connected_) {
                lock.unlock();
                submit_current();
                lock.lock();
                continue;
            }
            if (on_worker) {
                return;  // the realtime thread itself cannot wait for its own connect; it submits on connect
            }
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && clock::now() >= deadline) {
                if (connected_ && submitted_gen_ >= gen && submitted_client_ == client_id_) return;
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.subscribe_timeout);
                throw ClientResponseError(core_->url.origin + core_->url.prefix + "/api/realtime", 0, json::object(),
                                          error_kind::timeout,
                                          "no realtime connection within subscribe_timeout (" +
                                              std::to_string(ms.count()) + " ms)" +
                                              (last_error_ ? std::string("; last attempt: ") + last_error_->what()
                                                           : std::string()));
            }
        }
    }

    // POSTs the current set unless a newer or equal one is already on the server.
    // Throws ClientResponseError (or invalid_argument from a hook's changes).
    void submit_current() {
        std::lock_guard<std::mutex> order(submit_mutex_);
        json body;
        std::uint64_t gen = 0;
        std::string client;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (client_id_.empty() || stopping_ || topics_.empty()) {
                return;  // no topics: the connection is being closed instead
            }
            if (submitted_gen_ >= generation_ && submitted_client_ == client_id_) {
                return;
            }
            gen = generation_;
            client = client_id_;
            body = json{{"clientId", client_id_}, {"subscriptions", topic_list_locked()}};
        }
        request_options opts;
        // Bounded by the read timeout so the client's destructor, which waits for
        // this thread, returns within it.
        opts.deadline = std::min(core_->settings.deadline, core_->settings.timeout);
        core_->perform("POST", "/api/realtime", body, opts, {});
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (client_id_ == client) {
                submitted_gen_ = std::max(submitted_gen_, gen);
                submitted_client_ = client;
            }
        }
        cv_.notify_all();
    }

    // --- the realtime thread ----------------------------------------------

    struct connection_end {
        bool connected = false;  // the subscription set was on the server
        realtime_disconnect info;
        std::optional<ClientResponseError> error;  // why a connect attempt failed
        std::optional<std::chrono::milliseconds> retry;
    };

    void run() noexcept {
        std::size_t attempt = 0;
        bool had_connection = false;
        std::optional<std::chrono::milliseconds> server_retry;
        while (true) {
            std::shared_ptr<stream_cancel> cancel;
            realtime_options opts;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return stopping_ || !topics_.empty(); });
                if (stopping_) break;
                cancel = std::make_shared<stream_cancel>();
                cancel_ = cancel;
                in_stream_ = true;
                restart_reason_.clear();
                opts = options_;
            }
            connection_end end = run_connection(*cancel, opts, had_connection);
            std::shared_ptr<const disconnect_callback> on_disconnect;
            bool restart_now = false;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                in_stream_ = false;
                cancel_.reset();
                connected_ = false;
                client_id_.clear();
                if (!restart_reason_.empty()) {
                    end.info.reason = restart_reason_;
                    end.info.kind = error_kind::none;
                    restart_now = true;
                }
                if (!end.connected && !restart_now && !stopping_) {
                    ++failures_;  // what a waiting subscribe() reports
                    last_error_ = end.error;
                }
                if (topics_.empty()) had_connection = false;
                end.info.reconnecting = !stopping_ && !topics_.empty();
                end.info.topics = topic_list_locked();
                // Nothing of the app runs once the client is being destroyed.
                if (!stopping_) on_disconnect = on_disconnect_;
            }
            cv_.notify_all();
            if (end.retry) server_retry = end.retry;
            if (end.connected) {
                had_connection = true;
                attempt = 0;
                if (on_disconnect) invoke(*on_disconnect, end.info);
            }
            if (restart_now) continue;
            auto delay = backoff(attempt++, opts, server_retry);
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait_for(lock, delay, [&] { return stopping_; });
            if (stopping_) break;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            worker_done_ = true;
        }
        cv_.notify_all();
    }

    // Exponential with "equal jitter": half fixed, half random, so many clients
    // that lost the same server do not come back in step. The server's `retry:` may
    // lengthen the first delay up to max_reconnect_delay but never shorten it below
    // reconnect_delay: `retry: 0` from a server that closes every stream at once
    // would otherwise reconnect as fast as the network allows.
    std::chrono::milliseconds backoff(std::size_t attempt, const realtime_options& opts,
                                      std::optional<std::chrono::milliseconds> server_retry) {
        const std::int64_t cap = opts.max_reconnect_delay.count();
        std::int64_t base = opts.reconnect_delay.count();
        if (server_retry) base = std::max(base, server_retry->count());
        base = std::min(base, cap);
        for (std::size_t i = 0; i < attempt && base < cap; ++i) base = std::min(cap, base * 2);
        if (base <= 1) return std::chrono::milliseconds(base);
        std::uniform_int_distribution<std::int64_t> half(0, base / 2);
        return std::chrono::milliseconds(base - base / 2 + half(rng_));
    }

    http_request stream_request(const realtime_options& opts) const {
        http_request req;
        req.method = "GET";
        req.origin = core_->url.origin;
        req.target = core_->target_for("/api/realtime", {});
        // Like EventSource: no Authorization (the POST carries it), no hooks.
        req.headers = core_->settings.headers;
        auto add_default = [&](const char* name, const std::string& value) {
            if (!value.empty() && !has_header(req.headers, name)) req.headers.emplace_back(name, value);
        };
        add_default("Accept", "text/event-stream");
        add_default("Cache-Control", "no-store");
        add_default("Accept-Language", core_->settings.lang);
        req.connect_timeout = core_->settings.connect_timeout;
        req.read_timeout = opts.idle_timeout;
        req.write_timeout = core_->settings.timeout;
        req.max_response_bytes = std::size_t(64) << 10;  // only error bodies are collected
        req.decompress = false;
        return req;
    }

    connection_end run_connection(stream_cancel& cancel, const realtime_options& opts, bool had_connection) {
        connection_end end;
        sse_parser parser(opts.max_event_bytes);
        std::string stop_reason;
        http_request req;
        try {
            req = stream_request(opts);
        } catch (const std::exception& e) {
            end.error.emplace(core_->url.origin, 0, json::object(), error_kind::other, e.what());
            return end;
        }
        const std::string url = redact_url(req.origin + req.target);
        auto on_event = [&](const sse_event& ev) -> bool {
            if (is_stopping()) return false;
            if (ev.event == "PB_CONNECT") {
                return on_connected(ev, end, stop_reason, had_connection, url);
            }
            dispatch(ev);
            return !is_stopping();
        };
        stream_handler on_data = [&](std::string_view chunk) -> bool {
            return !is_stopping() && parser.feed(chunk, on_event);
        };
        try {
            http_response res = stream_transport_.stream(req, on_data, cancel);
            if (res.status < 200 || res.status > 299) {
                end.error.emplace(url, res.status, json{{"status", res.status},
                                                        {"message", "The realtime stream was refused."},
                                                        {"data", json::object()}});
                end.info.reason = "GET /api/realtime answered HTTP " + std::to_string(res.status);
            } else if (!parser.error().empty()) {
                end.info.reason = parser.error();
                end.info.kind = error_kind::too_large;
            } else if (!stop_reason.empty()) {
                end.info.reason = stop_reason;
            } else {
                end.info.reason = "the server closed the stream";
            }
        } catch (const transport_error& e) {
            end.info.kind = e.error_kind();
            end.info.reason = e.what();
        } catch (const std::bad_alloc&) {
            end.info.kind = error_kind::other;
            end.info.reason = "out of memory";
        } catch (const std::exception& e) {
            end.info.kind = error_kind::other;
            end.info.reason = e.what();
        } catch (...) {
            end.info.kind = error_kind::other;
            end.info.reason = "the transport threw a non-standard exception";
        }
        if (!end.connected && !end.error) {
            end.error.emplace(url, 0, json::object(), end.info.kind == error_kind::none ? error_kind::receive
                                                                                        : end.info.kind,
                              "realtime connection failed: " + end.info.reason);
        }
        end.retry = parser.retry();
        return end;
    }

    bool is_stopping() {
        std::lock_guard<std::mutex> lock(mutex_);
        return stopping_;
    }

    // PB_CONNECT: take the client id, put the whole set on the server, then tell the app.
    bool on_connected(const sse_event& ev, connection_end& end, std::string& stop_reason, bool had_connection,
                      const std::string& url) {
        std::string id = ev.id;
        if (auto data = parse_json(ev.data, 8); data && data->is_object()) {
            auto it = data->find("clientId");
            if (it != data->end() && it->is_string()) id = it->get<std::string>();
        }
        if (id.empty()) {
            stop_reason = "PB_CONNECT carried no client id";
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            client_id_ = id;
            connected_ = true;  // lets subscribe() callers submit themselves meanwhile
        }
        try {
            // A subscribe() between snapshot and answer makes the set stale; go again.
            for (int i = 0; i < 4; ++i) {
                submit_current();
                std::lock_guard<std::mutex> lock(mutex_);
                if (submitted_gen_ >= generation_ || stopping_) break;
            }
        } catch (const ClientResponseError& e) {
            end.error = e;
            stop_reason = std::string("the subscription request failed: ") + e.what();
            std::lock_guard<std::mutex> lock(mutex_);
            connected_ = false;
            return false;
        } catch (const std::exception& e) {
            end.error.emplace(url, 0, json::object(), error_kind::other, e.what());
            stop_reason = std::string("the subscription request failed: ") + e.what();
            std::lock_guard<std::mutex> lock(mutex_);
            connected_ = false;
            return false;
        }
        end.connected = true;
        std::shared_ptr<const connect_callback> on_connect;
        std::shared_ptr<const connect_callback> on_reconnect;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            on_connect = on_connect_;
            on_reconnect = had_connection ? on_reconnect_ : nullptr;
        }
        cv_.notify_all();
        if (on_connect) invoke(*on_connect, id);
        if (on_reconnect && !is_stopping()) invoke(*on_reconnect, id);
        return !is_stopping();
    }

    void dispatch(const sse_event& ev) {
        std::vector<std::shared_ptr<const listener>> targets;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = topics_.find(ev.event);
            if (it == topics_.end()) return;  // unsubscribed meanwhile
            targets = it->second.listeners;
        }
        realtime_event out;
        out.topic = ev.event;
        auto parsed = parse_json(ev.data, max_json_depth_);
        out.data = parsed ? std::move(*parsed) : json::object();
        if (out.data.is_object()) {
            auto action = out.data.find("action");
            auto record = out.data.find("record");
            if (action != out.data.end() && action->is_string()) out.action = action->get<std::string>();
            if (record != out.data.end() && record->is_object()) out.record = *record;
        }
        for (const auto& l : targets) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (stopping_ || !still_listed(ev.event, l->id)) continue;  // removed meanwhile
                running_listener_ = l->id;
            }
            invoke(l->fn, out);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                running_listener_ = 0;
            }
            cv_.notify_all();
        }
    }

    bool still_listed(const std::string& topic, std::uint64_t id) const {
        auto it = topics_.find(topic);
        return it != topics_.end() && std::any_of(it->second.listeners.begin(), it->second.listeners.end(),
                                                  [&](const auto& l) { return l->id == id; });
    }

    // A callback that throws is skipped: the exception is dropped, the stream and
    // the other callbacks go on (as with auth_store listeners).
    template <class Fn, class Arg>
    static void invoke(const Fn& fn, const Arg& arg) noexcept {
        try {
            fn(arg);
        } catch (...) {
        }
    }

    client_core<Transport>* core_;  // valid while the thread runs: the client joins it first
    Transport stream_transport_;    // the thread's own copy, so it never reaches into the client
    std::size_t max_json_depth_;
    std::minstd_rand rng_;          // used by the realtime thread only
    auth_store::listener_id listener_id_ = 0;

    std::mutex submit_mutex_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, topic_entry> topics_;
    std::uint64_t last_listener_id_ = 0;
    std::uint64_t running_listener_ = 0;  // the callback the realtime thread is in
    std::uint64_t last_order_ = 0;
    std::uint64_t generation_ = 0;     // bumped on every change of the topic set
    std::uint64_t submitted_gen_ = 0;  // newest set the server accepted ...
    std::string submitted_client_;     // ... for this client id
    std::string client_id_;
    bool connected_ = false;
    bool in_stream_ = false;
    bool stopping_ = false;
    bool worker_done_ = false;
    std::string restart_reason_;
    std::string token_seen_;
    std::uint64_t failures_ = 0;
    std::optional<ClientResponseError> last_error_;
    std::shared_ptr<stream_cancel> cancel_;
    realtime_options options_;
    std::shared_ptr<const connect_callback> on_connect_;
    std::shared_ptr<const connect_callback> on_reconnect_;
    std::shared_ptr<const disconnect_callback> on_disconnect_;
    std::thread worker_;
    std::atomic<std::thread::id> worker_id_{};
};

}  // namespace detail

/// @brief Realtime subscriptions over one SSE connection per client (pb.realtime()).
///
/// The connection lives on a background thread that the client owns: it opens on
/// the first subscribe(), reconnects by itself after any loss (server restart,
/// the server's 5-minute idle close, network failure) with exponential backoff
/// and jitter, resubmits every subscription after each reconnect and after every
/// change of the auth token, and closes when the last subscription ends.
/// Callbacks run on that thread, never under the client's locks; one that throws
/// is skipped (the exception is dropped) and the stream goes on. Inside a callback
/// you may subscribe, unsubscribe and make calls; do not block it for long (events
/// wait meanwhile). A callback that captures the client or a service keeps the
/// client alive until it is unsubscribed.
template <class Transport>
class realtime_service : public detail::service_base<Transport> {
    using detail::service_base<Transport>::core;

public:
    BOSBASE_SPLIT_NOINLINE explicit realtime_service(std::shared_ptr<detail::client_core<Transport>> core)
        : detail::service_base<Transport>(std::move(core)) {}

    /// @brief Subscribes to a topic ("posts/*", "posts/RECORD_ID" or a custom topic).
    /// Returns once the server holds the subscription. Throws ClientResponseError
    /// when it cannot (no connection within subscribe_timeout, or the server refused
    /// the set), std::invalid_argument for a bad topic or callback.
    BOSBASE_SPLIT_NOINLINE subscription subscribe(const std::string& topic, realtime_callback callback) const {
        return add(detail::realtime_topic_key(topic, std::nullopt), std::move(callback));
    }

    /// @brief The same with options, sent as `?options=` (like the JS SDK); the
    /// subscription string, and so the event's topic, includes them.
    BOSBASE_SPLIT_NOINLINE subscription subscribe(const std::string& topic, realtime_callback callback,
                           const subscribe_options& options) const {
        return add(detail::realtime_topic_key(topic, options), std::move(callback));
    }

private:
    subscription add(const std::string& key, realtime_callback callback) const {
        auto state = core().realtime.get();
        std::weak_ptr<detail::client_core<Transport>> weak = this->core_ptr();
        return state->subscribe(key, std::move(callback), [weak](std::uint64_t id) -> std::function<void()> {
            return [weak, id] {
                if (auto c = weak.lock()) {
                    if (auto s = c->realtime.existing()) s->remove_listener(id);
                }
            };
        });
    }

public:
    /// @brief Ends every callback of `topic` (with any options), like the JS SDK's unsubscribe(topic).
    BOSBASE_SPLIT_NOINLINE void unsubscribe(std::string_view topic) const {
        if (topic.empty()) {
            unsubscribe_all();
            return;
        }
        const std::string prefix = topic.find('?') == std::string_view::npos ? std::string(topic) + "?"
                                                                               : std::string(topic);
        if (auto s = core().realtime.existing()) s->remove_by_prefix(prefix);
    }

    /// @brief Ends every subscription whose string (+ "?") starts with `prefix`.
    BOSBASE_SPLIT_NOINLINE void unsubscribe_by_prefix(std::string_view prefix) const {
        if (auto s = core().realtime.existing()) s->remove_by_prefix(prefix);
    }

    /// @brief Ends every subscription and closes the connection.
    BOSBASE_SPLIT_NOINLINE void unsubscribe_all() const { unsubscribe_by_prefix(""); }

    /// @brief Runs on every connection whose subscriptions are on the server (first and later ones).
    BOSBASE_SPLIT_NOINLINE void on_connect(std::function<void(const std::string& client_id)> fn) const {
        core().realtime.get()->set_on_connect(std::move(fn));
    }

    /// @brief Runs on connections after a lost one: events may have been missed, resync now.
    BOSBASE_SPLIT_NOINLINE void on_reconnect(std::function<void(const std::string& client_id)> fn) const {
        core().realtime.get()->set_on_reconnect(std::move(fn));
    }

    /// @brief Runs when an established connection ends, with the reason.
    BOSBASE_SPLIT_NOINLINE void on_disconnect(std::function<void(const realtime_disconnect&)> fn) const {
        core().realtime.get()->set_on_disconnect(std::move(fn));
    }

    /// @brief Reconnect delays, idle timeout, subscribe timeout and event size cap.
    BOSBASE_SPLIT_NOINLINE
    void set_options(const realtime_options& options) const { core().realtime.get()->set_options(options); }

    BOSBASE_SPLIT_NOINLINE bool is_connected() const {
        auto s = core().realtime.existing();
        return s && s->is_connected();
    }

    /// @brief The server's id of the current connection, "" when not connected.
    BOSBASE_SPLIT_NOINLINE std::string client_id() const {
        auto s = core().realtime.existing();
        return s ? s->client_id() : std::string();
    }

    /// @brief The subscription strings, in the order they were first subscribed.
    BOSBASE_SPLIT_NOINLINE std::vector<std::string> topics() const {
        auto s = core().realtime.existing();
        return s ? s->topics() : std::vector<std::string>();
    }
};

template <class Transport>
subscription record_service<Transport>::subscribe(const std::string& topic,
                                                  std::function<void(const realtime_event&)> callback) const {
    if (topic.empty()) {
        throw std::invalid_argument("bosbase: a record subscription needs a topic: \"*\" or a record id");
    }
    return realtime_service<Transport>(this->core_ptr()).subscribe(collection_ + "/" + topic, std::move(callback));
}

template <class Transport>
subscription record_service<Transport>::subscribe(const std::string& topic,
                                                  std::function<void(const realtime_event&)> callback,
                                                  const subscribe_options& options) const {
    if (topic.empty()) {
        throw std::invalid_argument("bosbase: a record subscription needs a topic: \"*\" or a record id");
    }
    return realtime_service<Transport>(this->core_ptr()).subscribe(collection_ + "/" + topic, std::move(callback),
                                                                   options);
}

// Unlike the JS SDK, "" ends only this collection's topics, not those of every
// collection whose name starts with this one's.
template <class Transport>
void record_service<Transport>::unsubscribe(std::string_view topic) const {
    realtime_service<Transport> rt(this->core_ptr());
    if (topic.empty()) {
        rt.unsubscribe_by_prefix(collection_ + "/");
    } else {
        rt.unsubscribe(collection_ + "/" + std::string(topic));
    }
}

// ---------------------------------------------------------------------------
// Default transport: cpp-httplib
// ---------------------------------------------------------------------------

#ifndef BOSBASE_NO_HTTPLIB

/// @brief TLS and pooling settings of httplib_transport.
struct httplib_transport_options {
    bool verify_certificate = true;  ///< check the server's certificate (https only)
    std::string ca_cert_file;        ///< PEM bundle to trust instead of the system's
    std::string ca_cert_dir;         ///< directory of CA certificates
    /// Kept-alive connections per origin. Each call holds one connection, so N threads
    /// calling at once need N; a smaller pool would close and reopen connections.
    std::size_t max_idle_connections = 64;
    /// Send an idempotent call (GET, HEAD, PUT, DELETE, OPTIONS) once more, on a new
    /// connection and within the same deadline, when the kept-alive connection it went
    /// out on was closed by the server before any byte of an answer came back.
    bool retry_stale_connections = true;
};

namespace detail {

/// Writing to a connection the server has closed raises SIGPIPE, whose default
/// action ends the process, and cpp-httplib's client sends without MSG_NOSIGNAL.
/// A library must not change the process's signal handling, so the calling thread
/// blocks SIGPIPE for the duration of the call and swallows one it caused.
///
/// A SIGPIPE comes only from a write that failed, and cpp-httplib fails the whole
/// call when any write fails (0.41 still reads an early answer, then reports the
/// failure). So a plain-HTTP call marked succeeded() skips the look for a pending
/// one and costs two syscalls, the block and the restore. (Over TLS, closing a
/// connection writes an alert after the answer, so those calls always look.)
#ifdef _WIN32
struct sigpipe_guard {
    void succeeded() {}  // no SIGPIPE there
};
#else
class sigpipe_guard {
public:
    sigpipe_guard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        if (pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) != 0) {
            return;
        }
        active_ = true;
        // Only while the caller blocks SIGPIPE too can one be pending already; that
        // one is the caller's and is left alone.
        if (sigismember(&previous_, SIGPIPE) == 1) {
            sigset_t pending;
            sigemptyset(&pending);
            already_pending_ = sigpending(&pending) != 0 || sigismember(&pending, SIGPIPE) == 1;
        }
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;
    ~sigpipe_guard() {
        if (!active_) {
            return;
        }
        if (!succeeded_ && !already_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
                const timespec no_wait{0, 0};
                while (sigtimedwait(&pipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
                }
            }
        }
        if (sigismember(&previous_, SIGPIPE) != 1) {
            pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
        }
    }

    /// Every write of the call succeeded, so none raised SIGPIPE.
    void succeeded() { succeeded_ = true; }

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    bool active_ = false;
    bool already_pending_ = false;
    bool succeeded_ = false;
};
#endif

/// @brief Whether bytes (or the peer's close) are waiting on an idle connection. An
/// HTTP/1.1 server never speaks first, so whatever is there is either its close or
/// something the framing of the last answer did not account for, which the next
/// call on that connection would read as its own answer.
inline bool input_pending(::socket_t sock) {
#ifdef _WIN32
    if (sock == INVALID_SOCKET) return false;
    WSAPOLLFD p{};
    p.fd = sock;
    p.events = POLLRDNORM;
    return WSAPoll(&p, 1, 0) != 0;  // readable, or an error: either way not reusable
#else
    if (sock < 0) return false;
    pollfd p{sock, POLLIN, 0};
    while (true) {
        const int n = ::poll(&p, 1, 0);
        if (n >= 0 || errno != EINTR) return n != 0;
    }
#endif
}

/// @brief How long ago the connection last received data, asked of the kernel.
///
/// cpp-httplib reports a read that timed out and a connection the server closed
/// alike (Error::Read), and it reads the status line and headers without any
/// callback, so only the socket knows whether data kept arriving. cpp-httplib
/// closes its socket when a call fails, so a duplicate of the descriptor is kept
/// for the post-mortem. Linux has the figure (TCP_INFO's tcpi_last_data_recv);
/// elsewhere since_last_data() has no answer and the caller falls back on timing.
class socket_watch {
public:
    /// Kernel timestamps count in jiffies (up to 10 ms each), so only differences
    /// larger than this mean something.
    static constexpr std::chrono::milliseconds resolution{20};

    socket_watch() = default;
    socket_watch(const socket_watch&) = delete;
    socket_watch& operator=(const socket_watch&) = delete;
    ~socket_watch() { reset(); }

    /// Called with every socket the connection opens.
    void watch(::socket_t sock) {
        reset();
#ifdef __linux__
        fd_ = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
#else
        (void)sock;
#endif
    }

    void reset() {
#ifdef __linux__
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
#endif
    }

    std::optional<std::chrono::milliseconds> since_last_data() const {
#ifdef __linux__
        if (fd_ < 0) return std::nullopt;
        tcp_info info{};
        socklen_t size = sizeof info;
        if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
            size < offsetof(tcp_info, tcpi_last_data_recv) + sizeof info.tcpi_last_data_recv) {
            return std::nullopt;
        }
        return std::chrono::milliseconds(info.tcpi_last_data_recv);
#else
        return std::nullopt;
#endif
    }

private:
#ifdef __linux__
    int fd_ = -1;
#endif
};

/// @brief Cuts off cpp-httplib calls that outlive their deadline.
///
/// cpp-httplib 0.11 has no whole-call timeout and reads the status line and headers
/// without any callback, so a server that drips its headers, or never reads a large
/// request, can only be stopped from another thread: Client::stop() shuts the socket
/// down, which fails the blocked read or write at once. One thread per transport
/// state serves every call; it starts with the first call that has a deadline.
class httplib_watchdog {
public:
    using clock = std::chrono::steady_clock;

    /// One watched call. Lives on the calling thread's stack between add() and remove().
    struct watch {
        httplib::Client* client = nullptr;
        std::multimap<clock::time_point, watch*>::iterator position;
        bool stopping = false;  // the watchdog is inside client->stop() without the mutex
        bool expired = false;
    };

    httplib_watchdog() = default;
    httplib_watchdog(const httplib_watchdog&) = delete;
    httplib_watchdog& operator=(const httplib_watchdog&) = delete;

    ~httplib_watchdog() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    void add(watch& w, httplib::Client& client, clock::time_point deadline) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!thread_.joinable()) {
            thread_ = std::thread([this] { run(); });
        }
        w.client = &client;
        w.position = queue_.emplace(deadline, &w);
        // The hot path: most calls end long before their deadline, so the thread is
        // only woken when this deadline comes before the one it already sleeps until.
        if (deadline < next_wake_) {
            next_wake_ = deadline;
            ++wake_requests_;
            lock.unlock();
            wake_.notify_one();
        }
    }

    /// How often add() had to wake the thread (tests: sequential calls need it once).
    std::size_t wake_requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return wake_requests_;
    }

    /// @brief Ends the watch; afterwards the watchdog never touches the client again.
    /// @return whether the watchdog stopped the call's connection.
    bool remove(watch& w) {
        std::unique_lock<std::mutex> lock(mutex_);
        stopped_.wait(lock, [&] { return !w.stopping; });
        queue_.erase(w.position);
        return w.expired;
    }

private:
    // Once a call has expired it is stopped again every retry_interval until it
    // returns: a stop() that lands before send() has taken its socket only closes
    // the idle one, and send() would then connect afresh.
    static constexpr std::chrono::milliseconds retry_interval{20};

    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!quit_) {
            const auto now = clock::now();
            const auto first = queue_.begin();
            if (first == queue_.end() || first->first > now) {
                // next_wake_ is when this thread wakes at the latest; add() wakes it only
                // for an earlier deadline. With the queue empty the planned wake-up
                // stands: the next call's deadline lies after it (one wake-up per
                // deadline span, not two context switches per call).
                if (first != queue_.end()) {
                    next_wake_ = first->first;
                } else if (next_wake_ <= now) {
                    next_wake_ = clock::time_point::max();
                }
                if (next_wake_ == clock::time_point::max()) {
                    wake_.wait(lock);
                } else {
                    wake_.wait_until(lock, next_wake_);
                }
                continue;
            }
            watch* w = first->second;
            queue_.erase(first);
            w->position = queue_.emplace(now + retry_interval, w);
            w->expired = true;
            w->stopping = true;
            // stop() waits for cpp-httplib's socket mutex, which send() holds while it
            // resolves and connects; other calls must still register meanwhile.
            lock.unlock();
            w->client->stop();
            lock.lock();
            w->stopping = false;
            stopped_.notify_all();
        }
    }

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable stopped_;
    std::multimap<clock::time_point, watch*> queue_;
    clock::time_point next_wake_ = clock::time_point::max();
    std::size_t wake_requests_ = 0;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace detail

/// @brief Transport over cpp-httplib with keep-alive. Connections are pooled per origin,
/// so concurrent calls from several threads each get their own connection.
///
/// Every call ends by http_request::deadline (a watchdog thread stops calls that stall
/// in the status line, headers or a slow write), reads at most max_response_bytes of
/// body (counted after decompression, which is off unless http_request::decompress),
/// never follows redirects and reports a 1xx interim response as invalid_response,
/// since cpp-httplib hands it over as if it were the final response.
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
        return !is_tls(origin);
#endif
    }

    /// @brief Whether httplib_transport_options::retry_stale_connections is on.
    bool retries_stale_connections() const noexcept { return state_->options.retry_stale_connections; }

    http_response send(const http_request& req) { return send_body(req, req.body, nullptr); }

    /// @brief Takes the body out of `req` (it is left empty) instead of copying it.
    http_response send(http_request& req) {
        std::string body = std::move(req.body);
        return send_body(req, body, &body);
    }

    /// @brief The streaming call realtime uses. A dedicated connection (never one
    /// of the pool), no total deadline, the body handed to on_data as it arrives
    /// (2xx only; other statuses collect up to max_response_bytes into the result),
    /// and `cancel` stops a blocking read from another thread via Client::stop().
    /// Returns when the server ends the body or on_data returns false; throws
    /// transport_error otherwise (error_kind::canceled after a cancel).
    http_response stream(const http_request& req, const stream_handler& on_data, stream_cancel& cancel) {
        if (!supports_origin(req.origin)) {
            throw transport_error(transport_error::kind::tls,
                                  "https:// needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
        }
        if (!valid_port(req.origin)) {
            throw transport_error(transport_error::kind::other, "invalid origin " + req.origin + ": port out of range");
        }
        const detail::sigpipe_guard no_sigpipe;  // held for the whole stream
        connection conn(req.origin);
        if (!conn.client.is_valid()) {
            throw transport_error(transport_error::kind::other,
                                  "cpp-httplib cannot use the origin " + req.origin + " (invalid origin or TLS setup)");
        }
        call c(req);
        configure_stream(conn, c);

        httplib::Headers headers;
        for (const auto& h : req.headers) headers.emplace(h.first, h.second);

        http_response res;
        bool handler_stopped = false;
        bool error_too_large = false;
        auto is_success = [&] { return res.status >= 200 && res.status <= 299; };
        if (!cancel.set_stopper([&conn] { conn.client.stop(); })) {
            throw transport_error(transport_error::kind::canceled, "GET " + req.origin + " was cancelled");
        }
        struct stopper_guard {
            stream_cancel& cancel;
            ~stopper_guard() { cancel.clear_stopper(); }
        } guard{cancel};  // declared after `conn`, so it is cleared before the client goes

        auto result = conn.client.Get(
            req.target, headers,
            [&](const httplib::Response& r) {
                c.last_activity = clock::now();
                if (auto bad = c.check_status(r.status)) {
                    c.failure = std::move(bad);
                    return false;
                }
                res.status = r.status;
                for (const auto& h : r.headers) res.headers.emplace_back(h.first, h.second);
                return !cancel.canceled();
            },
            [&](const char* data, std::size_t size) {
                c.last_activity = clock::now();
                if (cancel.canceled()) {
                    return false;
                }
                if (is_success()) {
                    try {
                        handler_stopped = !on_data(std::string_view(data, size));
                    } catch (...) {
                        // Unwinding through cpp-httplib would leave its connection marked busy.
                        c.caught = std::current_exception();
                        return false;
                    }
                    return !handler_stopped;
                }
                if (size > req.max_response_bytes - res.body.size()) {
                    error_too_large = true;
                    return false;
                }
                res.body.append(data, size);
                return true;
            });
        if (c.caught) {
            std::rethrow_exception(c.caught);
        }
        if (result || handler_stopped) {
            return res;
        }
        if (cancel.canceled()) {
            throw transport_error(transport_error::kind::canceled, "GET " + req.origin + " was cancelled");
        }
        if (c.failure) {
            throw *c.failure;
        }
        if (error_too_large) {
            throw c.too_large();
        }
        throw describe(result.error(), c, conn, conn.sockets_opened > 0);
    }

private:
    // Bodies from this size on reach cpp-httplib through a content provider that reads
    // them in place: a body in Request::body would be copied again, since cpp-httplib
    // copies the whole Request once per call (ClientImpl::handle_request, 0.11 and 0.41).
    static constexpr std::size_t provided_body_min = std::size_t(64) << 10;

    // `body` is what to send; `owned` is the same string when it may be moved from.
    http_response send_body(const http_request& req, const std::string& body, std::string* owned) {
        if (!supports_origin(req.origin)) {
            throw transport_error(transport_error::kind::tls,
                                  "https:// needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
        }
        const auto first_attempt = clock::now();
        for (int attempt = 0;; ++attempt) {
            call c(req, first_attempt);
            if (c.started >= req.deadline) {
                throw c.deadline_exceeded();
            }
            // A retry never takes another pooled connection: it may be as stale as the first.
            auto conn = acquire(req.origin, attempt == 0);
            configure(*conn, c);

            httplib::Request hreq;
            hreq.method = req.method;
            hreq.path = req.target;
            for (const auto& h : req.headers) {
                hreq.headers.emplace(h.first, h.second);
            }
            if (!req.content_type.empty()) {
                hreq.headers.emplace("Content-Type", req.content_type);
            }
            if (req.decompress && !accepted_encodings().empty() && hreq.headers.find("Accept-Encoding") == hreq.headers.end()) {
                hreq.headers.emplace("Accept-Encoding", accepted_encodings());
            }
            if (body.size() < provided_body_min) {
                // Moved only when no retry can follow; a retry sends the same bytes again.
                const bool may_retry = attempt == 0 && retries(req.method);
                hreq.body = owned != nullptr && !may_retry ? std::move(*owned) : body;
            } else {
                hreq.content_length_ = body.size();
                hreq.content_provider_ = [data = body.data(), size = body.size()](
                                             std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                    sink.write(data + offset, std::min(length, size - offset));
                    return true;  // a failed write ends the call as Error::Write, not Canceled
                };
            }
            // With a content receiver cpp-httplib hands over every body byte (after
            // decompression) whatever the framing, and 0.41 adds no Accept-Encoding of its own.
            hreq.response_handler = [&c](const httplib::Response& r) { return c.on_headers(r); };
            hreq.content_receiver = [&c](const char* data, std::size_t n, auto, auto) { return c.on_body(data, n); };
            start_clock(hreq, 0);

            const unsigned sockets_before = conn->sockets_opened;
            const bool reused = sockets_before > 0;  // it already had a socket: it came from the pool
            // send(Request&, Response&, Error&) works on our Request in place; the
            // Result-returning overload copies the whole request first.
            httplib::Response hres;
            httplib::Error error = httplib::Error::Success;
            bool sent = false;
            {
                detail::sigpipe_guard no_sigpipe;
                sent = watched_send(*conn, hreq, hres, error, c);
                // Over TLS a closing connection still writes after the answer (the
                // close_notify alert), so only plain HTTP skips the check.
                if (sent && !is_tls(req.origin)) no_sigpipe.succeeded();
            }
            if (c.caught) {
                std::rethrow_exception(c.caught);  // std::bad_alloc from the body buffer
            }
            if (c.failure) {
                throw *c.failure;
            }
            if (!sent) {
                if (c.stopped || clock::now() >= req.deadline) {
                    throw c.deadline_exceeded();
                }
                const bool new_socket = conn->sockets_opened != sockets_before;
                transport_error failure = describe(error, c, *conn, new_socket);
                // A kept-alive connection the server closed just as the request went out
                // fails before any answer; an idempotent request is sent again, once, on
                // a new connection (as browsers and Go's client do). Where the kernel
                // tells that bytes arrived during this attempt, the server did answer
                // (partly, or with garbage) and the connection was not stale.
                const auto quiet = conn->watch.since_last_data();
                const bool answered = c.answer_seen || (quiet && *quiet + detail::socket_watch::resolution <
                                                                      clock::now() - c.started);
                const bool stale = reused && !new_socket && !answered &&
                                   (failure.error_kind() == transport_error::kind::receive ||
                                    failure.error_kind() == transport_error::kind::send);
                if (attempt == 0 && stale && retries(req.method)) {
                    continue;
                }
                throw failure;
            }
            // A 204 or a HEAD response skips the response handler.
            if (auto bad = c.check_status(hres.status)) {
                throw *bad;
            }
            if (auto bad = c.check_header_count(hres.headers.size())) {
                throw *bad;
            }

            // Read before the header values are moved out below.
            const bool framed = framed_exactly(req.method, hres);

            http_response res;
            res.status = hres.status;
            res.headers.reserve(hres.headers.size());
            for (auto& h : hres.headers) {
                res.headers.emplace_back(h.first, std::move(h.second));
            }
            res.body = std::move(c.body);
            // A connection the watchdog stopped is closed; one that failed has an unknown
            // state; one whose answer was not framed exactly as HTTP/1.1 allows may get
            // bytes the next call would take for its own answer. All are dropped rather
            // than pooled (failures threw above); acquire() checks the rest.
            if (!c.stopped && framed) {
                release(req.origin, std::move(conn));
            }
            return res;
        }
    }

    using clock = std::chrono::steady_clock;

    // One pooled connection. The socket counter tells a failed name lookup (no socket
    // was ever created) from a refused connection: cpp-httplib reports both as
    // Error::Connection.
    struct connection {
        explicit connection(const std::string& origin) : client(origin) {}
        // Called by cpp-httplib with each new socket, on the calling thread.
        void opened(::socket_t sock) {
            ++sockets_opened;
            watch.watch(sock);
        }
        httplib::Client client;
        unsigned sockets_opened = 0;
        detail::socket_watch watch;
    };

    struct state {
        explicit state(httplib_transport_options o) : options(std::move(o)) {}
        httplib_transport_options options;
        std::mutex mutex;
        std::map<std::string, std::vector<std::unique_ptr<connection>>> idle;
        // Declared last: destroyed first, so its thread is joined before the pool goes.
        detail::httplib_watchdog watchdog;
    };

    // What one call has seen so far; the callbacks run on the calling thread.
    struct call {
        call(const http_request& r, clock::time_point first_attempt)
            : req(r), started(clock::now()), last_activity(started), first_attempt(first_attempt) {}
        explicit call(const http_request& r) : call(r, clock::now()) {}

        const http_request& req;
        const clock::time_point started;  // of this attempt
        clock::time_point last_activity;  // request sent out, headers or a body chunk seen
        std::chrono::milliseconds read_timeout{};   // as configured: at most the time left
        std::chrono::milliseconds write_timeout{};
        std::chrono::milliseconds connect_timeout{};
        std::string body;
        bool content_encoded = false;
        bool stopped = false;  // the watchdog shut the connection down
        bool answer_seen = false;  // a status line and headers arrived
        const clock::time_point first_attempt;  // a retry shares its call's deadline
        std::optional<transport_error> failure;
        std::exception_ptr caught;

        // One lookup where has_header() + get_header_value() make two, each a
        // case-insensitive search. Headers is a multimap in 0.11 and an unordered
        // multimap in 0.41; find() works on both. (Only a size hint and an early
        // too-large check depend on it; a repeated header is the server's problem.)
        static const std::string* first_value(const httplib::Headers& headers, const char* name) {
            auto it = headers.find(name);
            return it != headers.end() ? &it->second : nullptr;
        }

        bool on_headers(const httplib::Response& r) {
            last_activity = clock::now();
            answer_seen = true;
            if (auto bad = check_header_count(r.headers.size())) {
                failure = std::move(bad);
                return false;
            }
            if (auto bad = check_status(r.status)) {
                failure = std::move(bad);
                return false;
            }
            if (last_activity >= req.deadline) {
                failure = deadline_exceeded();
                return false;
            }
            content_encoded = req.decompress && r.has_header("Content-Encoding");
            if (content_encoded && !decodable(r.get_header_value("Content-Encoding"))) {
                // 0.11 would pass such a body on still encoded, 0.41 fails it as a read error.
                failure = transport_error(transport_error::kind::invalid_response,
                                          "the response from " + req.origin +
                                              " uses a Content-Encoding this build of cpp-httplib cannot decode");
                return false;
            }
            const std::string* declared = content_encoded ? nullptr : first_value(r.headers, "Content-Length");
            if (declared != nullptr) {
                // A declared length over the cap fails before any body byte is read.
                const std::string& value = *declared;
                char* end = nullptr;
                const unsigned long long length = std::strtoull(value.c_str(), &end, 10);
                if (end != value.c_str() && *end == '\0' && length > req.max_response_bytes) {
                    failure = too_large();
                    return false;
                }
                if (end != value.c_str() && *end == '\0') {
                    // Reserve only a little: the length is the server's word, not yet bytes.
                    body.reserve(static_cast<std::size_t>(std::min<unsigned long long>(length, 256u << 10)));
                }
            }
            return true;
        }

        bool on_body(const char* data, std::size_t n) {
            last_activity = clock::now();
            if (n > req.max_response_bytes - body.size()) {
                failure = too_large();
                return false;
            }
            if (last_activity >= req.deadline) {
                failure = deadline_exceeded();
                return false;
            }
            try {
                body.append(data, n);
            } catch (...) {
                // Unwinding through cpp-httplib would leave its connection marked busy.
                caught = std::current_exception();
                return false;
            }
            return true;
        }

        // cpp-httplib 0.41 stops at 100 header lines; 0.11 has no limit, so the same
        // cap is applied here once the headers are in.
        std::optional<transport_error> check_header_count(std::size_t count) const {
            constexpr std::size_t max_headers = 100;
            if (count <= max_headers) {
                return std::nullopt;
            }
            return transport_error(transport_error::kind::too_large,
                                   "the response from " + req.origin + " has more than " +
                                       std::to_string(max_headers) + " header lines");
        }

        std::optional<transport_error> check_status(int status) const {
            if (status >= 100 && status < 200) {
                return transport_error(
                    transport_error::kind::invalid_response,
                    "server sent an interim 1xx response (" + std::to_string(status) + ") that cpp-httplib returns as final; " +
                        req.method + " " + req.origin + " abandoned");
            }
            if (status < 100) {
                return transport_error(transport_error::kind::invalid_response,
                                       "server sent an invalid status code (" + std::to_string(status) + ") to " +
                                           req.method + " " + req.origin);
            }
            return std::nullopt;
        }

        transport_error deadline_exceeded() const {
            const auto budget = req.deadline > first_attempt
                                    ? std::chrono::ceil<std::chrono::milliseconds>(req.deadline - first_attempt)
                                    : std::chrono::milliseconds(0);
            const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - first_attempt);
            return {transport_error::kind::deadline, req.method + " " + req.origin + " exceeded its deadline of " +
                                                         std::to_string(budget.count()) + " ms (stopped after " +
                                                         std::to_string(took.count()) + " ms)"};
        }

        transport_error too_large() const {
            return {transport_error::kind::too_large, "the response from " + req.origin +
                                                          " is larger than the limit of " +
                                                          std::to_string(req.max_response_bytes) +
                                                          " bytes (max_response_bytes)"};
        }
    };

    bool watched_send(connection& conn, httplib::Request& hreq, httplib::Response& hres, httplib::Error& error,
                      call& c) {
        if (c.req.deadline == clock::time_point::max()) {
            return conn.client.send(hreq, hres, error);
        }
        detail::httplib_watchdog::watch w;
        state_->watchdog.add(w, conn.client, c.req.deadline);
        // The watch ends however send() ends, and before the client is pooled or freed.
        struct unwatch {
            detail::httplib_watchdog& dog;
            detail::httplib_watchdog::watch& w;
            bool& stopped;
            ~unwatch() { stopped = dog.remove(w); }
        } guard{state_->watchdog, w, c.stopped};
        return conn.client.send(hreq, hres, error);
    }

    static bool is_tls(const std::string& origin) {
        return origin.size() >= 8 && detail::ascii_iequal(std::string_view(origin).substr(0, 8), "https://");
    }

    // RFC 9112 6.3: an answer to HEAD and a 1xx, 204 or 304 answer end with their
    // headers, whatever Content-Length or Transfer-Encoding says, and cpp-httplib reads
    // no body for them (0.41 also skips one for 304). A 1xx or 204 must not declare a
    // body at all; from a 304 one is dropped too, as for HEAD only actual bytes count
    // (input_pending). An answer with both Content-Length and Transfer-Encoding, or with
    // Content-Length values that disagree, was framed one way by the server and may be
    // read another way by the client. None of these connections is used again.
    static bool framed_exactly(const std::string& method, const httplib::Response& res) {
        const auto& h = res.headers;
        const bool encoded = h.find("Transfer-Encoding") != h.end();
        const auto lengths = h.equal_range("Content-Length");
        const bool has_length = lengths.first != lengths.second;
        if (encoded && has_length) return false;
        for (auto it = lengths.first; it != lengths.second; ++it) {
            if (it->second != lengths.first->second) return false;
        }
        if (method == "HEAD" || (res.status >= 200 && res.status != 204 && res.status != 304)) return true;
        return !encoded && (!has_length || lengths.first->second == "0");
    }

    bool retries(const std::string& method) const {
        return state_->options.retry_stale_connections &&
               (method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS");
    }

    std::unique_ptr<connection> acquire(const std::string& origin, bool pooled = true) {
        while (pooled) {
            std::unique_ptr<connection> conn;
            {
                std::lock_guard<std::mutex> lock(state_->mutex);
                auto& pool = state_->idle[origin];
                if (pool.empty()) break;
                conn = std::move(pool.back());
                pool.pop_back();
            }
            // Bytes, or the server's close, waiting on an idle connection: the server closed
            // it (so a POST on it would fail), or it sent something the last answer's
            // framing did not account for (which the next call would read as its answer).
            if (!detail::input_pending(conn->client.socket())) return conn;
        }
        if (!valid_port(origin)) {
            throw transport_error(transport_error::kind::other, "invalid origin " + origin + ": port out of range");
        }
        auto conn = std::make_unique<connection>(origin);
        // cpp-httplib 0.41 leaves a Client without implementation for an origin it cannot
        // parse, and every setter would then dereference null.
        if (!conn->client.is_valid()) {
            throw transport_error(transport_error::kind::other,
                                  "cpp-httplib cannot use the origin " + origin + " (invalid origin or TLS setup)");
        }
        auto& client = conn->client;
        client.set_keep_alive(true);
        // Headers and body go out in separate writes; with Nagle on, the body waits
        // for the server's delayed ACK (~40 ms) on every call of a kept-alive connection.
        client.set_tcp_nodelay(true);
        disable_path_encoding(client, 0);  // the SDK already encodes paths and queries
        client.set_follow_location(false);  // a 3xx is the caller's to see, never followed
        connection* counted = conn.get();
        client.set_socket_options([counted](::socket_t sock) { counted->opened(sock); });
#ifdef BOSBASE_HTTPLIB_TLS
        const auto& o = state_->options;
        client.enable_server_certificate_verification(o.verify_certificate);
        if (!o.ca_cert_file.empty() || !o.ca_cert_dir.empty()) {
            client.set_ca_cert_path(o.ca_cert_file, o.ca_cert_dir);
        }
#endif
        return conn;
    }

    void release(const std::string& origin, std::unique_ptr<connection> conn) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        auto& pool = state_->idle[origin];
        if (pool.size() < state_->options.max_idle_connections) {
            pool.push_back(std::move(conn));
        }
    }

    // cpp-httplib 0.11 takes any number as port (99999 then fails as an unknown
    // service, which would read as a name lookup failure); 0.41 builds no client.
    static bool valid_port(const std::string& origin) {
        const auto scheme_end = origin.find("://");
        const auto host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
        const auto bracket = origin.find(']', host_start);
        const auto colon = origin.find(':', bracket == std::string::npos ? host_start : bracket);
        if (colon == std::string::npos) {
            return true;
        }
        const std::string digits = origin.substr(colon + 1);
        if (digits.empty() || digits.size() > 5 ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
            return false;
        }
        const long port = std::stol(digits);
        return port >= 1 && port <= 65535;
    }

    static bool decodable(const std::string& encoding) {
#ifdef CPPHTTPLIB_ZLIB_SUPPORT
        if (encoding == "gzip" || encoding == "deflate") {
            return true;
        }
#endif
#ifdef CPPHTTPLIB_BROTLI_SUPPORT
        if (encoding == "br") {
            return true;
        }
#endif
        (void)encoding;
        return false;
    }

    // What this build of cpp-httplib can decompress, for Accept-Encoding.
    static const std::string& accepted_encodings() {
        static const std::string encodings = [] {
            std::string list;
#ifdef CPPHTTPLIB_BROTLI_SUPPORT
            list = "br";
#endif
#ifdef CPPHTTPLIB_ZLIB_SUPPORT
            list += list.empty() ? "gzip, deflate" : ", gzip, deflate";
#endif
            return list;
        }();
        return encodings;
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

    // Newer cpp-httplib (0.41 has them) caps the whole call's reads itself and counts
    // body bytes, decompressed ones too; 0.11 has neither and relies on the rest.
    // The max timeout is measured from Request::start_time_, so it is used only
    // where that can be set too (left unset it is time_point::min()).
    template <class Request>
    static auto start_clock(Request& r, int) -> decltype(r.start_time_ = clock::now(), void()) {
        r.start_time_ = clock::now();
    }
    template <class Request>
    static void start_clock(Request&, long) {}

    template <class Request, class = void>
    struct has_start_time : std::false_type {};
    template <class Request>
    struct has_start_time<Request, std::void_t<decltype(std::declval<Request&>().start_time_ = clock::now())>>
        : std::true_type {};

    template <class Client>
    static auto set_max_timeout(Client& client, std::chrono::milliseconds ms, int)
        -> decltype(client.set_max_timeout(time_t{}), void()) {
        client.set_max_timeout(has_start_time<httplib::Request>::value ? static_cast<time_t>(ms.count()) : 0);
    }
    template <class Client>
    static void set_max_timeout(Client&, std::chrono::milliseconds, long) {}

    template <class Client>
    static auto set_payload_limit(Client& client, std::size_t bytes, int)
        -> decltype(client.set_payload_max_length(bytes), void()) {
        client.set_payload_max_length(bytes);
    }
    template <class Client>
    static void set_payload_limit(Client&, std::size_t, long) {}

    static void configure(connection& conn, call& c) {
        auto& client = conn.client;
        const auto& req = c.req;
        // Every wait is capped at the time left, so no single read, write or connect
        // attempt can outlast the deadline even before the watchdog steps in.
        std::chrono::milliseconds left = std::chrono::milliseconds::max();
        if (req.deadline != clock::time_point::max()) {
            left = std::chrono::ceil<std::chrono::milliseconds>(req.deadline - c.started);
        }
        c.connect_timeout = std::min(req.connect_timeout, left);
        c.read_timeout = std::min(req.read_timeout, left);
        c.write_timeout = std::min(req.write_timeout, left);
        auto split = [](std::chrono::milliseconds ms, auto&& setter) {
            const auto total = std::max<std::int64_t>(ms.count(), 1);
            setter(static_cast<time_t>(total / 1000), static_cast<time_t>((total % 1000) * 1000));
        };
        split(c.connect_timeout, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
        split(c.read_timeout, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
        split(c.write_timeout, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
        set_max_timeout(client, left == std::chrono::milliseconds::max() ? std::chrono::milliseconds(0) : left, 0);
        client.set_decompress(req.decompress);
        // Only a backstop: the content receiver stops at max_response_bytes first and says
        // so, while cpp-httplib's own limit fails as a plain read error. The margin covers
        // one receive or decompression buffer and gzip's growth of incompressible data.
        const std::size_t cap = req.max_response_bytes;
        const std::size_t margin = cap / 8 + (std::size_t(64) << 10);
        set_payload_limit(client, cap > std::numeric_limits<std::size_t>::max() - margin
                                      ? std::numeric_limits<std::size_t>::max()
                                      : cap + margin,
                          0);
    }

    static std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

    static transport_error describe(httplib::Error error, const call& c, const connection& conn, bool socket_opened) {
        using kind = transport_error::kind;
        const auto& req = c.req;
        const auto slack = std::chrono::milliseconds(5);
        // cpp-httplib reports a timed-out read the same way as a closed connection. A
        // read can only have timed out once the call saw nothing for the read timeout;
        // but a status line and headers that trickle in are invisible to the call, so
        // the kernel, where it tells when data last arrived, has the last word (without
        // it, a close after trickled headers may read as a timeout).
        const auto idle = clock::now() - c.last_activity;
        bool read_timed_out = idle + slack >= c.read_timeout;
        if (const auto quiet = conn.watch.since_last_data(); quiet && read_timed_out) {
            read_timed_out = *quiet + detail::socket_watch::resolution >= c.read_timeout;
        }
        const std::string where = req.method + " " + req.origin;
        switch (error) {
        case httplib::Error::Connection:
            if (!socket_opened) {
                return {kind::resolve, "could not resolve the host name of " + req.origin};
            }
            return {kind::connect, "could not connect to " + req.origin + " (connection refused or unreachable)"};
        case httplib::Error::ConnectionTimeout:
            return {kind::timeout, "connecting to " + req.origin + " timed out after " + ms_text(c.connect_timeout)};
        case httplib::Error::Read:
            if (read_timed_out) {
                return {kind::timeout, "no response from " + req.origin + " within " + ms_text(c.read_timeout) +
                                           " (read timeout)"};
            }
            return {kind::receive, "connection to " + req.origin +
                                       " closed or sent something other than an HTTP response before a full "
                                       "response arrived"};
        case httplib::Error::Write:
            if (idle + slack >= c.write_timeout) {
                return {kind::timeout, "sending the request to " + req.origin + " timed out after " +
                                           ms_text(c.write_timeout) + " (write timeout)"};
            }
            return {kind::send, "could not send the request to " + req.origin};
        case httplib::Error::Canceled:
            return {kind::canceled, where + " was cancelled"};
        case httplib::Error::SSLConnection:
            return {kind::tls, "TLS handshake with " + req.origin + " failed"};
        case httplib::Error::SSLLoadingCerts:
            return {kind::tls, "could not load CA certificates for " + req.origin};
        case httplib::Error::SSLServerVerification:
            return {kind::tls, "certificate of " + req.origin + " could not be verified"};
        case httplib::Error::Compression:
            return {kind::invalid_response, "the response body from " + req.origin + " could not be decompressed"};
        case httplib::Error::ExceedRedirectCount:
            return {kind::other, where + " was redirected too often"};
        default: {
            // Errors that newer cpp-httplib releases added are matched by name,
            // since 0.11 does not declare them.
            const std::string name = httplib::to_string(error);
            if (name == "Timeout" || name == "Read timeout") {
                return {kind::timeout, "no response from " + req.origin + " within " + ms_text(c.read_timeout) +
                                           " (read timeout)"};
            }
            if (name == "ConnectionClosed" || name == "Connection closed by server") {
                return {kind::receive, "connection to " + req.origin + " closed before a full response arrived"};
            }
            if (name == "SSLServerHostnameVerification" || name == "SSL server hostname verification failed") {
                return {kind::tls, "certificate of " + req.origin + " does not match its host name"};
            }
            if (name == "ExceedMaxPayloadSize" || name == "Exceeded maximum payload size") {
                return c.too_large();
            }
            return {kind::other, where + " failed: " + name};
        }
        }
    }

    // Shared so the client stays movable while the pool and its mutex stay in place.
    std::shared_ptr<state> state_;

    // A stream has no whole-call deadline and no size cap (the SSE parser caps each
    // event); it never decompresses and never follows a redirect.
    void configure_stream(connection& conn, call& c) const {
        auto& client = conn.client;
        c.connect_timeout = c.req.connect_timeout;
        c.read_timeout = c.req.read_timeout;
        c.write_timeout = c.req.write_timeout;
        auto split = [](std::chrono::milliseconds ms, auto&& setter) {
            const auto total = std::max<std::int64_t>(ms.count(), 1);
            setter(static_cast<time_t>(total / 1000), static_cast<time_t>((total % 1000) * 1000));
        };
        split(c.connect_timeout, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
        split(c.read_timeout, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
        split(c.write_timeout, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
        client.set_keep_alive(false);
        client.set_tcp_nodelay(true);
        client.set_decompress(false);
        client.set_follow_location(false);
        disable_path_encoding(client, 0);
        connection* counted = &conn;
        client.set_socket_options([counted](::socket_t sock) { counted->opened(sock); });
        apply_tls_options(client);
    }

    void apply_tls_options(httplib::Client& client) const {
#ifdef BOSBASE_HTTPLIB_TLS
        const auto& o = state_->options;
        client.enable_server_certificate_verification(o.verify_certificate);
        if (!o.ca_cert_file.empty() || !o.ca_cert_dir.empty()) {
            client.set_ca_cert_path(o.ca_cert_file, o.ca_cert_dir);
        }
#else
        (void)client;
#endif
    }
};

/// @brief The client most programs want: cpp-httplib transport with keep-alive.
using BosBase = basic_bosbase<httplib_transport>;

// Opt-in split compilation (see README "Compile time"): every TU of a program
// built with BOSBASE_EXTERN_TEMPLATES skips compiling the client for the default
// transport; the one TU that also defines BOSBASE_IMPLEMENTATION compiles it.
// Without either macro the header works as a drop-in, as always.
#if defined(BOSBASE_IMPLEMENTATION)
#define BOSBASE_INSTANTIATE_(prefix) prefix template
#elif defined(BOSBASE_EXTERN_TEMPLATES)
#define BOSBASE_INSTANTIATE_(prefix) prefix extern template
#endif
#ifdef BOSBASE_INSTANTIATE_
BOSBASE_INSTANTIATE_() class detail::client_core<httplib_transport>;
BOSBASE_INSTANTIATE_() class detail::service_base<httplib_transport>;
BOSBASE_INSTANTIATE_() class record_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class health_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class collection_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class settings_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class log_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class backup_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class cron_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class file_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class batch_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class detail::realtime_slot<httplib_transport>;
BOSBASE_INSTANTIATE_() class detail::realtime_state<httplib_transport>;
BOSBASE_INSTANTIATE_() class realtime_service<httplib_transport>;
BOSBASE_INSTANTIATE_() class basic_bosbase<httplib_transport>;
// A member template is not part of the class's instantiation: named on its own.
BOSBASE_INSTANTIATE_() basic_bosbase<httplib_transport>::basic_bosbase(std::string_view, client_options);
#undef BOSBASE_INSTANTIATE_
#endif

#endif  // BOSBASE_NO_HTTPLIB

#undef BOSBASE_SPLIT_NOINLINE

}  // namespace bosbase

#endif  // BOSBASE_HPP
