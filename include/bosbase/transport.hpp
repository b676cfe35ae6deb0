// bosbase-cpp: The transport policy: what a client hands a transport, what it gets back, and how a transport fails.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TRANSPORT_HPP
#define BOSBASE_TRANSPORT_HPP

#include "cancel.hpp"
#include "config.hpp"

#include <chrono>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace bosbase {

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
BOSBASE_DECL const char* to_string(error_kind k) noexcept;

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
    /// Set when the call can be cancelled: a transport should end the call promptly
    /// once it is (cancel_token::on_cancel can wake a blocked wait) and throw
    /// transport_error(error_kind::canceled). The client checks it before and after.
    std::optional<cancel_token> cancel;
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

/// What an exception from a transport call says: its kind and text, for the caller to
/// make its own error of (a ClientResponseError, or a realtime disconnect reason).
struct transport_fault {
    error_kind kind = error_kind::other;
    std::string what;
};

/// Call only inside a catch block: the exception being handled, as a transport_fault.
/// transport_error keeps its kind, any other std::exception is `other` with its what(),
/// and anything else `other`. std::bad_alloc is rethrown: out of memory stays out of
/// memory for the caller, not a failed request.
BOSBASE_DECL transport_fault current_transport_fault();

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

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "transport.ipp"
#endif

#endif  // BOSBASE_TRANSPORT_HPP
