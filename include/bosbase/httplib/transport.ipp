// bosbase-cpp: definitions of httplib/transport.hpp (httplib_transport: the default transport over cpp-httplib, pooled and hardened.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_TRANSPORT_IPP
#define BOSBASE_HTTPLIB_TRANSPORT_IPP

#include "transport.hpp"

#ifndef BOSBASE_NO_HTTPLIB

#include "../detail/text.hpp"
#include "../platform.hpp"
#include "call.hpp"
#include "watchdog.hpp"
#include "websocket.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include <httplib.h>

#include "compat.hpp"
#include "mbedtls.hpp"

// cpp-httplib 0.11 knows only OpenSSL; later releases also offer mbedTLS and
// wolfSSL and define CPPHTTPLIB_SSL_ENABLED for any of them.
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT) || defined(CPPHTTPLIB_SSL_ENABLED)
#define BOSBASE_HTTPLIB_TLS 1
#endif

namespace bosbase {

// One pooled connection. The socket counter tells a failed name lookup (no socket
// was ever created) from a refused connection: cpp-httplib reports both as
// Error::Connection.
struct httplib_transport::connection {
    explicit connection(const std::string& origin) : client(origin) {}
    // Called by cpp-httplib with each new socket, on the calling thread.
    void opened(::socket_t sock);
    httplib::Client client;
    unsigned sockets_opened = 0;
    detail::socket_watch watch;
    std::string proxy;  // "host:port" of the proxy it goes through, for errors; "" when direct
};

struct httplib_transport::state {
    explicit state(httplib_transport_options o) : options(std::move(o)) {}
    httplib_transport_options options;
    std::mutex mutex;
    // Idle connections per origin. A client talks to one origin, rarely a few, so a
    // list searched in order costs less than a map, here and in compile time.
    struct origin_pool {
        std::string origin;
        std::vector<std::unique_ptr<connection>> connections;
    };
    std::vector<origin_pool> idle;

    std::vector<std::unique_ptr<connection>>& pool_of(const std::string& origin);
    // Declared last: destroyed first, so its thread is joined before the pool goes.
    detail::httplib_watchdog watchdog;
};

BOSBASE_DECL httplib_transport::httplib_transport() : httplib_transport(httplib_transport_options{}) {}

BOSBASE_DECL httplib_transport::httplib_transport(httplib_transport_options options)
    : state_(std::make_shared<state>(std::move(options))) {}

BOSBASE_DECL bool httplib_transport::retries_stale_connections() const noexcept {
    return state_->options.retry_stale_connections;
}

BOSBASE_DECL http_response httplib_transport::send(const http_request& req) {
    return send_body(req, req.body, nullptr);
}

BOSBASE_DECL std::string httplib_transport::ms_text(std::chrono::milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

template <class Send>
auto httplib_transport::watched(connection& conn, call& c, Send&& send) -> decltype(send()) {
    if (c.req.deadline == clock::time_point::max() && !c.req.cancel) {
        return send();
    }
    auto& dog = state_->watchdog;
    detail::httplib_watchdog::watch w;
    dog.add(w, conn.client, &conn.watch, c.req.deadline);
    // The watch ends however send() ends, and before the client is pooled or freed.
    struct unwatch {
        detail::httplib_watchdog& dog;
        detail::httplib_watchdog::watch& w;
        bool& stopped;
        ~unwatch() { stopped = dog.remove(w); }
    } guard{dog, w, c.stopped};
    cancel_token::registration on_cancel;  // destroyed first: no expire_now after remove()
    if (c.req.cancel) on_cancel = c.req.cancel->on_cancel([&dog, &w] { dog.expire_now(w); });
    return send();
}

#if BOSBASE_HTTPLIB_WEBSOCKET
BOSBASE_DECL std::unique_ptr<websocket_connection> httplib_transport::connect_websocket(const websocket_request& req) {
    const auto scheme_end = req.url.find("://");
    if (scheme_end != std::string::npos && !detail::httplib_compat::valid_port(req.url.substr(0, req.url.find('/', scheme_end + 3)))) {
        throw transport_error(transport_error::kind::other, "invalid WebSocket URL: port out of range");
    }
    const auto& o = state_->options;
    detail::ws_tls_settings tls;
    tls.verify = o.verify_certificate;
    tls.ca_cert_file = o.ca_cert_file;
    tls.ca_cert_dir = o.ca_cert_dir;
    tls.ca_description = ca_source_text();
    // The proxy follows the origin the WebSocket's URL stands for: ws is http, wss is https.
    const auto url = detail::parse_ws_url(req.url);
    const std::string origin = url ? (url->secure ? "https://" : "http://") + url->host_header : std::string();
    return std::make_unique<detail::default_websocket>(req, tls, proxy_for(origin));
}
#endif

BOSBASE_DECL bool httplib_transport::supports_origin(const std::string& origin) const {
#ifdef BOSBASE_HTTPLIB_TLS
    (void)origin;
    return true;
#else
    return !is_tls(origin);
#endif
}

BOSBASE_DECL http_response httplib_transport::send(http_request& req) {
    std::string body = std::move(req.body);
    return send_body(req, body, &body);
}

BOSBASE_DECL http_response httplib_transport::upload(const http_request& req, body_source& source) {
    return send_body(req, req.body, nullptr, &source);
}

BOSBASE_DECL http_response httplib_transport::download(const http_request& req, response_sink& sink) {
    return send_body(req, req.body, nullptr, nullptr, &sink);
}

BOSBASE_DECL http_response httplib_transport::stream(const http_request& req, const stream_handler& on_data) {
    if (!supports_origin(req.origin)) {
        throw transport_error(transport_error::kind::tls,
                              "https:// needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
    }
    if (!detail::httplib_compat::valid_port(req.origin)) {
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
    if (c.canceled()) {
        throw c.canceled_error();
    }
    auto result = watched(conn, c, [&] {
        return conn.client.Get(
            req.target, headers,
            [&](const httplib::Response& r) {
                c.last_activity = clock::now();
                if (auto bad = c.check_status(r.status)) {
                    c.failure = std::move(bad);
                    return false;
                }
                res.status = r.status;
                for (const auto& h : r.headers) res.headers.emplace_back(h.first, h.second);
                return !c.canceled();
            },
            [&](const char* data, std::size_t size) {
                c.last_activity = clock::now();
                if (c.canceled()) {
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
    });
    if (c.caught) {
        std::rethrow_exception(c.caught);
    }
    // A stream stopped at its deadline may look complete: a body read until the
    // connection closes ends without an error when the watchdog shuts the socket.
    if (handler_stopped || (result && !c.canceled() && !c.stopped)) {
        return res;
    }
    if (c.canceled()) {
        throw c.canceled_error();
    }
    if (c.failure) {
        throw *c.failure;
    }
    if (error_too_large) {
        throw c.too_large();
    }
    if (c.stopped) {
        throw c.deadline_exceeded();
    }
    throw describe(result.error(), c, conn, conn.sockets_opened > 0);
}

BOSBASE_DECL http_response httplib_transport::send_body(const http_request& req, const std::string& body,
                                                        std::string* owned, body_source* source,
                                                        response_sink* sink) {
    if (!supports_origin(req.origin)) {
        throw transport_error(transport_error::kind::tls,
                              "https:// needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
    }
    const auto first_attempt = clock::now();
    for (int attempt = 0;; ++attempt) {
        call c(req, first_attempt);
        c.sink = sink;
        if (c.canceled()) {
            throw c.canceled_error();
        }
        if (c.started >= req.deadline) {
            throw c.deadline_exceeded();
        }
        // A retry never takes another pooled connection: it may be as stale as the first.
        auto conn = acquire(req.origin, attempt == 0);
        configure(*conn, c);
        // Over TLS the bytes may be the server's close_notify, so only plain HTTP is checked.
        if (sink != nullptr && !is_tls(req.origin)) c.surplus_probe = &conn->client;

        httplib::Request hreq;
        hreq.method = req.method;
        hreq.path = req.target;
        for (const auto& h : req.headers) {
            hreq.headers.emplace(h.first, h.second);
        }
        if (!req.content_type.empty()) {
            hreq.headers.emplace("Content-Type", req.content_type);
        }
        const auto& encodings = detail::httplib_compat::accepted_encodings();
        if (req.decompress && !encodings.empty() && hreq.headers.find("Accept-Encoding") == hreq.headers.end()) {
            hreq.headers.emplace("Accept-Encoding", encodings);
        }
        std::vector<char> buffer;
        if (source != nullptr && source->size > 0) {  // an empty one is sent as an empty body
            buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(source->size, provided_body_min)));
            hreq.content_length_ = static_cast<std::size_t>(source->size);
            hreq.content_provider_ = [source, &buffer, &c](std::size_t offset, std::size_t length,
                                                           httplib::DataSink& out) {
                if (c.canceled()) return false;
                try {
                    const std::size_t got = source->read(offset, buffer.data(), std::min(length, buffer.size()));
                    if (got == 0) return false;  // the source gave up: a cancel
                    out.write(buffer.data(), got);
                    return true;
                } catch (...) {
                    // Unwinding through cpp-httplib would leave its connection marked busy.
                    c.caught = std::current_exception();
                    return false;
                }
            };
        } else if (body.size() < provided_body_min) {
            // Moved only when no retry can follow; a retry sends the same bytes again.
            const bool may_retry = attempt == 0 && retries(req.method);
            hreq.body = owned != nullptr && !may_retry ? std::move(*owned) : body;
        } else {
            hreq.content_length_ = body.size();
            hreq.content_provider_ = [data = body.data(), size = body.size(), &c](
                                         std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                if (c.canceled()) return false;  // an upload stops between chunks
                sink.write(data + offset, std::min(length, size - offset));
                return true;  // a failed write ends the call as Error::Write, not Canceled
            };
        }
        // With a content receiver cpp-httplib hands over every body byte (after
        // decompression) whatever the framing, and 0.41 adds no Accept-Encoding of its own.
        hreq.response_handler = [&c](const httplib::Response& r) { return c.on_headers(r); };
        hreq.content_receiver = [&c](const char* data, std::size_t n, auto, auto) { return c.on_body(data, n); };
        detail::httplib_compat::start_clock(hreq, 0);

        const unsigned sockets_before = conn->sockets_opened;
        const bool reused = sockets_before > 0;  // it already had a socket: it came from the pool
        // send(Request&, Response&, Error&) works on our Request in place; the
        // Result-returning overload copies the whole request first.
        httplib::Response hres;
        httplib::Error error = httplib::Error::Success;
        bool sent = false;
        {
            detail::sigpipe_guard no_sigpipe;
            sent = watched(*conn, c, [&] { return conn->client.send(hreq, hres, error); });
            // Over TLS a closing connection still writes after the answer (the
            // close_notify alert), so only plain HTTP skips the check.
            if (sent && !is_tls(req.origin)) no_sigpipe.succeeded();
        }
        if (c.caught) {
            std::rethrow_exception(c.caught);  // std::bad_alloc from the body buffer
        }
        if (c.canceled()) {
            throw c.canceled_error();  // whatever the stopped connection reported
        }
        if (c.failure) {
            throw *c.failure;
        }
        if (!sent && c.sink_stopped) {
            return c.head;  // the sink ended the call; the connection is dropped
        }
        if (!sent) {
            if (c.stopped || clock::now() >= req.deadline) {
                throw c.deadline_exceeded();
            }
            // 0.41 fails Content-Lengths that disagree as a read error while reading the
            // headers, before the response handler that reports them on 0.11; the
            // headers it read are in hres.
            if (call::lengths_disagree(hres.headers.equal_range("Content-Length"))) {
                throw c.conflicting_lengths();
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
        // A 204 or a HEAD response skips the response handler and its checks.
        if (auto bad = c.check_status(hres.status)) {
            throw *bad;
        }
        if (auto bad = c.check_header_count(hres.headers.size())) {
            throw *bad;
        }
        if ((hres.status == 204 || req.method == "HEAD") &&
            call::lengths_disagree(hres.headers.equal_range("Content-Length"))) {
            throw c.conflicting_lengths();
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
        // Surplus that arrived after the last announced byte (on_body looked then), on a
        // connection cpp-httplib kept open.
        if (c.surplus_probe != nullptr && detail::bytes_pending(conn->client.socket())) {
            throw c.surplus();
        }
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

BOSBASE_DECL void httplib_transport::connection::opened(::socket_t sock) {
    ++sockets_opened;
    watch.watch(sock);
}

BOSBASE_DECL auto httplib_transport::state::pool_of(const std::string& origin) -> std::vector<std::unique_ptr<connection>>& {
    for (auto& p : idle) {
        if (p.origin == origin) return p.connections;
    }
    idle.push_back({origin, {}});
    return idle.back().connections;
}

BOSBASE_DECL bool httplib_transport::is_tls(const std::string& origin) {
    return origin.size() >= 8 && detail::ascii_iequal(std::string_view(origin).substr(0, 8), "https://");
}

template <class Response>
bool httplib_transport::framed_exactly(const std::string& method, const Response& res) {
    // One pass over the few headers an answer has, comparing lengths before
    // letters: three case-insensitive tree lookups cost 2% of a sign-in call.
    bool encoded = false;
    const std::string* length = nullptr;
    for (const auto& header : res.headers) {
        const std::string& name = header.first;
        if (name.size() == 17 && detail::ascii_iequal(name, "Transfer-Encoding")) {
            encoded = true;
        } else if (name.size() == 14 && detail::ascii_iequal(name, "Content-Length")) {
            length = &header.second;
        }
    }
    if (encoded && length != nullptr) return false;
    if (method == "HEAD" || (res.status >= 200 && res.status != 204 && res.status != 304)) return true;
    return !encoded && (length == nullptr || *length == "0");
}

BOSBASE_DECL bool httplib_transport::retries(const std::string& method) const {
    return state_->options.retry_stale_connections &&
           (method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS");
}

BOSBASE_DECL auto httplib_transport::acquire(const std::string& origin, bool pooled) -> std::unique_ptr<connection> {
    while (pooled) {
        std::unique_ptr<connection> conn;
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            auto& pool = state_->pool_of(origin);
            if (pool.empty()) break;
            conn = std::move(pool.back());
            pool.pop_back();
        }
        // Bytes, or the server's close, waiting on an idle connection: the server closed
        // it (so a POST on it would fail), or it sent something the last answer's
        // framing did not account for (which the next call would read as its answer).
        if (!detail::input_pending(conn->client.socket())) return conn;
    }
    if (!detail::httplib_compat::valid_port(origin)) {
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
    detail::httplib_compat::disable_path_encoding(client, 0);  // the SDK already encodes paths and queries
    client.set_follow_location(false);  // a 3xx is the caller's to see, never followed
    connection* counted = conn.get();
    client.set_socket_options([counted](::socket_t sock) { counted->opened(sock); });
    apply_tls_options(client);
    apply_proxy(*conn, origin);
    return conn;
}

BOSBASE_DECL void httplib_transport::release(const std::string& origin, std::unique_ptr<connection> conn) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto& pool = state_->pool_of(origin);
    if (pool.size() < state_->options.max_idle_connections) {
        pool.push_back(std::move(conn));
    }
}

BOSBASE_DECL void httplib_transport::configure(connection& conn, call& c) {
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
    detail::httplib_compat::set_max_timeout(
        client, left == std::chrono::milliseconds::max() ? std::chrono::milliseconds(0) : left, 0);
    client.set_decompress(req.decompress);
    // Only a backstop: the content receiver stops at max_response_bytes first and says
    // so, while cpp-httplib's own limit fails as a plain read error. The margin covers
    // one receive or decompression buffer and gzip's growth of incompressible data.
    const std::size_t cap = req.max_response_bytes;
    const std::size_t margin = cap / 8 + (std::size_t(64) << 10);
    const std::size_t limit = cap > std::numeric_limits<std::size_t>::max() - margin
                                  ? std::numeric_limits<std::size_t>::max()
                                  : cap + margin;
    detail::httplib_compat::set_payload_limit(client, limit, 0);
}

BOSBASE_DECL std::string httplib_transport::tls_hint(const http_request& req, bool fresh_connection) {
    if (!fresh_connection || is_tls(req.origin)) return {};
    return " (a server that speaks only TLS closes a plain-HTTP connection so: if it is an HTTPS server, use "
           "an https:// URL)";
}

template <class Error>
transport_error httplib_transport::describe(Error error, const call& c,
                                                         const connection& conn, bool socket_opened) const {
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
        if (!conn.proxy.empty()) {
            if (!socket_opened) {
                return {kind::resolve, "could not resolve the host name of the proxy " + conn.proxy + " (for " +
                                           req.origin + ")"};
            }
            return {kind::connect, "could not connect to the proxy " + conn.proxy + " (for " + req.origin +
                                       "): connection refused or unreachable"};
        }
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
                                   "response arrived" + tls_hint(req, socket_opened)};
    case httplib::Error::Write:
        if (idle + slack >= c.write_timeout) {
            return {kind::timeout, "sending the request to " + req.origin + " timed out after " +
                                       ms_text(c.write_timeout) + " (write timeout)"};
        }
        return {kind::send, "could not send the request to " + req.origin + tls_hint(req, socket_opened)};
    case httplib::Error::Canceled:
        return {kind::canceled, where + " was cancelled"};
    case httplib::Error::SSLConnection:
        // cpp-httplib bounds the handshake by the connect timeout and reports a server
        // that went quiet in it like one that broke it.
        if (idle + slack >= c.connect_timeout) {
            return {kind::timeout, "the TLS handshake with " + req.origin + " timed out after " +
                                       ms_text(c.connect_timeout) + " (connect timeout)"};
        }
        return {kind::tls, "TLS handshake with " + req.origin + " failed"};
    case httplib::Error::SSLLoadingCerts:
        return {kind::tls, "could not load CA certificates for " + req.origin + ca_source_text()};
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
        if (name == "ProxyConnection" || name == "Proxy connection failed") {
            return {kind::connect, "the proxy " + conn.proxy + " did not open a tunnel to " + req.origin +
                                       " (it refused the CONNECT: wrong or missing proxy credentials, 407, or "
                                       "a port it does not allow)"};
        }
        return {kind::other, where + " failed: " + name};
    }
    }
}

BOSBASE_DECL void httplib_transport::configure_stream(connection& conn, call& c) const {
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
    detail::httplib_compat::disable_path_encoding(client, 0);
    connection* counted = &conn;
    client.set_socket_options([counted](::socket_t sock) { counted->opened(sock); });
    apply_tls_options(client);
    apply_proxy(conn, c.req.origin);
}

BOSBASE_DECL std::string httplib_transport::ca_source_text() const {
    const auto& o = state_->options;
    std::string out;
    auto describe = [&out](const char* what, const std::string& path, bool want_dir) {
        if (path.empty()) return;
        std::error_code ec;
        const auto status = std::filesystem::status(detail::path_from_utf8(path), ec);
        std::string why;
        if (!std::filesystem::exists(status)) {
            why = "no such file or directory";
        } else if (want_dir != std::filesystem::is_directory(status)) {
            why = want_dir ? "not a directory" : "a directory, not a PEM file";
        } else {
            why = want_dir ? "no usable certificates in it" : "not a readable PEM file of certificates";
        }
        out += std::string(out.empty() ? ": " : "; ") + what + " '" + path + "': " + why;
    };
    describe("ca_cert_file", o.ca_cert_file, false);
    describe("ca_cert_dir", o.ca_cert_dir, true);
    return out;
}

BOSBASE_DECL std::optional<http_proxy> httplib_transport::proxy_for(const std::string& origin) const {
    const auto& o = state_->options;
    if (o.proxy) {
        if (!detail::bypasses_proxy(detail::origin_host(origin), o.no_proxy)) return o.proxy;
        return std::nullopt;
    }
    if (o.proxy_from_environment) return detail::proxy_from_environment(origin, &detail::process_environment);
    return std::nullopt;
}

BOSBASE_DECL void httplib_transport::apply_proxy(connection& conn, const std::string& origin) const {
    const std::optional<http_proxy> proxy = proxy_for(origin);
    if (!proxy) return;
    if (!detail::httplib_compat::proxy_tunnel_usable && is_tls(origin)) {
        throw transport_error(transport_error::kind::other,
                              "https:// through a proxy needs a cpp-httplib whose client reports a refused "
                              "CONNECT tunnel (httplib::Error::ProxyConnection, as 0.41.0 does); this one "
                              "would hang on a refusal. Plain http:// through the proxy works");
    }
    conn.client.set_proxy(proxy->host, proxy->port);
    if (!proxy->username.empty() || !proxy->password.empty()) {
        conn.client.set_proxy_basic_auth(proxy->username, proxy->password);
    }
    conn.proxy = (proxy->host.find(':') != std::string::npos ? "[" + proxy->host + "]" : proxy->host) + ":" +
                 std::to_string(proxy->port);
}

template <class Client>
void httplib_transport::apply_tls_options(Client& client) const {
#ifdef BOSBASE_HTTPLIB_TLS
    const auto& o = state_->options;
    client.enable_server_certificate_verification(o.verify_certificate);
    if (!o.ca_cert_file.empty() || !o.ca_cert_dir.empty()) {
        client.set_ca_cert_path(o.ca_cert_file, o.ca_cert_dir);
    }
    detail::httplib_mbedtls::apply(client, o.verify_certificate);
#else
    (void)client;
#endif
}

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB

#endif  // BOSBASE_HTTPLIB_TRANSPORT_IPP
