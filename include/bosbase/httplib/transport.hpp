// bosbase-cpp: httplib_transport: the default transport over cpp-httplib, pooled and hardened.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_TRANSPORT_HPP
#define BOSBASE_HTTPLIB_TRANSPORT_HPP

#include "../transport.hpp"
#include "../stream.hpp"
#include "../transfer.hpp"
#include "../proxy.hpp"
#include "../websocket.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#ifndef BOSBASE_NO_HTTPLIB

// The default transport's WebSocket (pub/sub, execute_ws) is the SDK's own socket, so it is there
// with every cpp-httplib; define BOSBASE_HTTPLIB_WEBSOCKET to 0 to leave it out.
#ifndef BOSBASE_HTTPLIB_WEBSOCKET
#define BOSBASE_HTTPLIB_WEBSOCKET 1
#endif

namespace bosbase {

namespace detail {
struct httplib_call;
}  // namespace detail

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
    /// An HTTP proxy for every origin whose host is not in no_proxy: plain HTTP through it,
    /// https:// through a CONNECT tunnel (README, "HTTPS and proxies").
    std::optional<http_proxy> proxy;
    /// Hosts reached without the proxy, in NO_PROXY's form: "localhost,.internal,10.0.0.0/8".
    std::string no_proxy;
    /// When `proxy` is unset, take it from the environment as curl does (https_proxy /
    /// HTTPS_PROXY, http_proxy, all_proxy / ALL_PROXY, no_proxy / NO_PROXY), read whenever a
    /// new connection opens. Off by default: where a library's calls go is the program's choice.
    bool proxy_from_environment = false;
};

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
    httplib_transport();
    explicit httplib_transport(httplib_transport_options options);

    /// @brief False for https:// origins when cpp-httplib was built without TLS.
    bool supports_origin(const std::string& origin) const;

    /// @brief Whether httplib_transport_options::retry_stale_connections is on.
    bool retries_stale_connections() const noexcept;

    http_response send(const http_request& req);

    /// @brief Takes the body out of `req` (it is left empty) instead of copying it.
    http_response send(http_request& req);

    /// @brief send() with the body read from `source` as it goes out (see transfer.hpp).
    http_response upload(const http_request& req, body_source& source);

    /// @brief send() with the answer's body handed to `sink` as it arrives (see transfer.hpp).
    /// A server that sends more than its Content-Length announced is invalid_response
    /// when the surplus is already waiting on the socket with the last announced byte
    /// (plain HTTP; the sink has had the announced bytes), whether or not the server
    /// closes the connection, and the connection is not used again.
    http_response download(const http_request& req, response_sink& sink);

    /// @brief The streaming call realtime uses. A dedicated connection (never one
    /// of the pool), no size cap, the body handed to on_data as it arrives
    /// (2xx only; other statuses collect up to max_response_bytes into the result);
    /// req.cancel stops it from another thread, at any stage, and so does req.deadline
    /// when one is set. Returns when the server ends the body or on_data returns false;
    /// throws transport_error otherwise (error_kind::canceled after a cancel,
    /// error_kind::deadline at the deadline).
    http_response stream(const http_request& req, const stream_handler& on_data);

// The WebSocket is the SDK's own (detail::default_websocket), with every cpp-httplib.
#if BOSBASE_HTTPLIB_WEBSOCKET
    /// @brief The WebSocket call pub/sub uses: ws:// and, where cpp-httplib has its TLS layer
    /// (0.41.0 with a TLS backend), wss:// with this transport's TLS options; through the
    /// proxy this transport uses for the host (a CONNECT tunnel). Throws transport_error when
    /// no socket opens, and websocket_refused when the server (or the proxy) answers with an
    /// HTTP status.
    std::unique_ptr<websocket_connection> connect_websocket(const websocket_request& req);
#endif

private:
    // Bodies from this size on reach cpp-httplib through a content provider that reads
    // them in place: a body in Request::body would be copied again, since cpp-httplib
    // copies the whole Request once per call (ClientImpl::handle_request, 0.11 and 0.41).
    static constexpr std::size_t provided_body_min = std::size_t(64) << 10;

    // `body` is what to send; `owned` is the same string when it may be moved from.
    http_response send_body(const http_request& req, const std::string& body, std::string* owned,
                            body_source* source = nullptr, response_sink* sink = nullptr);

    using clock = std::chrono::steady_clock;
    // Defined with the transport's code (httplib/transport.ipp): they hold cpp-httplib's
    // types, which a TU built with BOSBASE_SEPARATE_COMPILATION never sees.
    struct connection;
    struct state;
    using call = detail::httplib_call;

    // Runs `send` (a blocking cpp-httplib call on `conn`) under the watchdog when the call
    // has a deadline or can be cancelled: past the deadline, or once cancelled, the
    // watchdog stops the connection (and again until `send` returns).
    template <class Send>
    auto watched(connection& conn, call& c, Send&& send) -> decltype(send());

    static bool is_tls(const std::string& origin);

    // RFC 9112 6.3: an answer to HEAD and a 1xx, 204 or 304 answer end with their
    // headers, whatever Content-Length or Transfer-Encoding says, and cpp-httplib reads
    // no body for them (0.41 also skips one for 304). A 1xx or 204 must not declare a
    // body at all; from a 304 one is dropped too, as for HEAD only actual bytes count
    // (input_pending). An answer with both Content-Length and Transfer-Encoding was framed
    // one way by the server and may be read another way by the client. None of these
    // connections is used again. (Content-Length values that disagree fail the call.)
    template <class Response>
    static bool framed_exactly(const std::string& method, const Response& res);

    bool retries(const std::string& method) const;

    std::unique_ptr<connection> acquire(const std::string& origin, bool pooled = true);

    void release(const std::string& origin, std::unique_ptr<connection> conn);

    static void configure(connection& conn, call& c);

    static std::string ms_text(std::chrono::milliseconds ms);

    // A TLS-only server drops a plain-HTTP request on a fresh connection without a word, which
    // reads like any broken connection; the likely cause is worth saying then (an https://
    // URL to a plain server fails the handshake instead, and says so).
    static std::string tls_hint(const http_request& req, bool fresh_connection);

    template <class Error>
    transport_error describe(Error error, const call& c, const connection& conn, bool socket_opened) const;

    // Shared so the client stays movable while the pool and its mutex stay in place.
    std::shared_ptr<state> state_;

    // A stream has no whole-call deadline and no size cap (the SSE parser caps each
    // event); it never decompresses and never follows a redirect.
    void configure_stream(connection& conn, call& c) const;

    // Which configured CA source failed to load, and why when it is plain (a path that is not
    // there is the usual mistake); empty for the system's store.
    std::string ca_source_text() const;

    // The proxy, if any, for a connection to `origin`.
    std::optional<http_proxy> proxy_for(const std::string& origin) const;

    // The proxy, if any, for a new connection to `conn`'s origin.
    void apply_proxy(connection& conn, const std::string& origin) const;

    template <class Client>
    void apply_tls_options(Client& client) const;
};

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "transport.ipp"
#endif

#endif  // BOSBASE_HTTPLIB_TRANSPORT_HPP
