// bosbase-cpp: The default transport's WebSocket, over cpp-httplib's httplib::ws::WebSocketClient.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_WEBSOCKET_HPP
#define BOSBASE_HTTPLIB_WEBSOCKET_HPP

#include "../platform.hpp"
#include "../transport.hpp"
#include "../websocket.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

#include "compat.hpp"

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

namespace bosbase {

namespace detail {

/// One WebSocket through cpp-httplib's client `Ws` (a template so that releases whose client
/// lacks what this needs never compile it). The library's own ping thread is left out (pub/sub
/// pings in its protocol), and the socket is shut down before the client is destroyed,
/// so the library never writes a close frame at teardown: 0.33.0 to 0.50.0 free a TLS
/// session before that write (a use-after-free), and a peer that never answers the
/// close would hold the teardown for CPPHTTPLIB_WEBSOCKET_CLOSE_TIMEOUT_SECOND.
template <class Ws>
class httplib_websocket final : public websocket_connection {
public:
    explicit httplib_websocket(const websocket_request& req) {
        const bool tls = req.url.compare(0, 6, "wss://") == 0;
        if (tls) {
            // cpp-httplib reads a TLS WebSocket on one thread while another writes to it,
            // without a lock; OpenSSL does not allow that for one session.
            throw transport_error(error_kind::tls,
                                  "the default transport does not open wss:// WebSockets: cpp-httplib's WebSocket "
                                  "client reads and writes one TLS session from two threads without a lock; use "
                                  "ws:// to a TLS terminator on the same host, or a transport of your own");
        }
        if (req.url.compare(0, 5, "ws://") != 0) {
            throw transport_error(error_kind::other, "not a ws:// URL");
        }
        httplib::Headers headers;
        for (const auto& h : req.headers) headers.emplace(h.first, h.second);
        try {
            client_ = std::make_unique<Ws>(req.url, headers);
        } catch (const std::exception& e) {
            throw transport_error(error_kind::other, std::string("cpp-httplib refused the WebSocket URL: ") + e.what());
        }
        if (!client_->is_valid()) throw transport_error(error_kind::other, "cpp-httplib cannot use the WebSocket URL");
        auto split = [](std::chrono::milliseconds ms, auto&& setter) {
            const auto total = std::max<std::int64_t>(ms.count(), 1);
            setter(static_cast<time_t>(total / 1000), static_cast<time_t>((total % 1000) * 1000));
        };
        split(req.connect_timeout, [&](time_t s, time_t us) { client_->set_connection_timeout(s, us); });
        // The upgrade's answer is read with the read timeout too; the caller's cancel (the
        // pub/sub connect deadline) bounds connect and upgrade together.
        split(req.read_timeout, [&](time_t s, time_t us) { client_->set_read_timeout(s, us); });
        split(req.write_timeout, [&](time_t s, time_t us) { client_->set_write_timeout(s, us); });
        client_->set_websocket_ping_interval(0);
        client_->set_tcp_nodelay(true);
        websocket_socket_handle* handle = &handle_;
        client_->set_socket_options([handle](::socket_t sock) { handle->opened(sock); });

        cancel_token::registration wake;
        if (req.cancel) wake = req.cancel->on_cancel([handle] { handle->shut(); });
        const auto started = std::chrono::steady_clock::now();
        bool ok = false;
        {
            const sigpipe_guard no_sigpipe;
            ok = client_->connect();
        }
        wake.reset();
        if (ok) return;
        if (handle_.was_shut()) throw transport_error(error_kind::canceled, "the WebSocket connect was cancelled");
        if (handle_.sockets() == 0) {
            throw transport_error(error_kind::resolve, "could not resolve the host of the WebSocket");
        }
        if (std::chrono::steady_clock::now() - started >= req.connect_timeout) {
            throw transport_error(error_kind::timeout, "the WebSocket connect timed out");
        }
        if (handle_.connected()) {
            throw transport_error(error_kind::invalid_response,
                                  "the server did not accept the WebSocket upgrade (no 101 Switching Protocols)");
        }
        throw transport_error(error_kind::connect, "could not connect the WebSocket (refused or unreachable)");
    }

    ~httplib_websocket() override {
        // On the shut socket close() fails its write and its wait for the peer's answer at
        // once, and leaves the client marked closed, so its destructor writes nothing.
        const sigpipe_guard no_sigpipe;
        handle_.shut();
        if (client_) client_->close();
        client_.reset();
    }

    websocket_frame read(std::string& message) override {
        const sigpipe_guard no_sigpipe;  // a ping's pong is written from inside read()
        switch (client_->read(message)) {
        case httplib::ws::ReadResult::Text: return websocket_frame::text;
        case httplib::ws::ReadResult::Binary: return websocket_frame::binary;
        default: return websocket_frame::closed;
        }
    }

    bool send_text(std::string_view message) override {
        const sigpipe_guard no_sigpipe;
        return client_->send(std::string(message));
    }

    void shutdown() noexcept override { handle_.shut(); }

private:
    websocket_socket_handle handle_;  // declared first: the client's callback points at it
    std::unique_ptr<Ws> client_;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_HTTPLIB_WEBSOCKET && !_WIN32
#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_WEBSOCKET_HPP
