// bosbase-cpp: What differs between cpp-httplib releases, for the default transport.
// SPDX-License-Identifier: MIT
//
// In one place, so the default transport never calls a release-specific name itself. Each overload
// pair picks the newer call when the library has it (the `int` overload wins when its expression
// is valid), the older one otherwise.
// Checked on Debian 12's 0.11.4 and on 0.41.0.
#ifndef BOSBASE_HTTPLIB_COMPAT_HPP
#define BOSBASE_HTTPLIB_COMPAT_HPP

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>
#include <type_traits>
#include <utility>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

// The default transport's WebSocket (pub/sub, execute_ws) is the SDK's own socket, so it is there
// with every cpp-httplib; define BOSBASE_HTTPLIB_WEBSOCKET to 0 to leave it out.
#ifndef BOSBASE_HTTPLIB_WEBSOCKET
#define BOSBASE_HTTPLIB_WEBSOCKET 1
#endif
// httplib::ws (its WebSocket client and server) came with cpp-httplib 0.33.0, with these tunables;
// the tests' WebSocket servers need it, the SDK does not.
#if defined(CPPHTTPLIB_WEBSOCKET_MAX_PAYLOAD_LENGTH) && defined(CPPHTTPLIB_WEBSOCKET_READ_TIMEOUT_SECOND)
#define BOSBASE_HTTPLIB_HAS_WS 1
#else
#define BOSBASE_HTTPLIB_HAS_WS 0
#endif

namespace bosbase {
namespace detail {
namespace httplib_compat {

// cpp-httplib 0.11 takes any number as port (99999 then fails as an unknown
// service, which would read as a name lookup failure); 0.41 builds no client.
inline bool valid_port(const std::string& origin) {
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

// A proxy's refusal of a CONNECT tunnel (407, 403, its answers with Connection: close) is
// httplib::Error::ProxyConnection in the releases that have it (0.41 does). 0.11 instead
// locks the client's socket mutex a second time on that answer and never returns, which no
// deadline or cancel can end: there the default transport refuses https:// through a proxy.
template <class E, class = void>
struct has_proxy_connection_error : std::false_type {};
template <class E>
struct has_proxy_connection_error<E, std::void_t<decltype(E::ProxyConnection)>> : std::true_type {};
inline constexpr bool proxy_tunnel_usable = has_proxy_connection_error<httplib::Error>::value;

inline bool decodable(const std::string& encoding) {
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
inline const std::string& accepted_encodings() {
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
auto disable_path_encoding(Client& client, int) -> decltype(client.set_path_encode(false), void()) {
    client.set_path_encode(false);
}
template <class Client>
void disable_path_encoding(Client& client, long) {
    client.set_url_encode(false);
}

// Newer cpp-httplib (0.41 has them) caps the whole call's reads itself and counts
// body bytes, decompressed ones too; 0.11 has neither and relies on the rest.
// The max timeout is measured from Request::start_time_, so it is used only
// where that can be set too (left unset it is time_point::min()).
template <class Request>
auto start_clock(Request& r, int) -> decltype(r.start_time_ = std::chrono::steady_clock::now(), void()) {
    r.start_time_ = std::chrono::steady_clock::now();
}
template <class Request>
void start_clock(Request&, long) {}

template <class Request, class = void>
struct has_start_time : std::false_type {};
template <class Request>
struct has_start_time<
    Request, std::void_t<decltype(std::declval<Request&>().start_time_ = std::chrono::steady_clock::now())>>
    : std::true_type {};

template <class Client>
auto set_max_timeout(Client& client, std::chrono::milliseconds ms, int)
    -> decltype(client.set_max_timeout(time_t{}), void()) {
    const bool measurable = has_start_time<httplib::Request>::value;
    client.set_max_timeout(measurable ? static_cast<time_t>(ms.count()) : 0);
}
template <class Client>
void set_max_timeout(Client&, std::chrono::milliseconds, long) {}

template <class Client>
auto set_payload_limit(Client& client, std::size_t bytes, int)
    -> decltype(client.set_payload_max_length(bytes), void()) {
    client.set_payload_max_length(bytes);
}
template <class Client>
void set_payload_limit(Client&, std::size_t, long) {}

}  // namespace httplib_compat
}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_COMPAT_HPP
