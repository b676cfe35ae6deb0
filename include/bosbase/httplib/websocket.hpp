// bosbase-cpp: The default transport's WebSocket: its own socket, upgrade and frame reader (detail/ws_frame.hpp).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_WEBSOCKET_HPP
#define BOSBASE_HTTPLIB_WEBSOCKET_HPP

#include "../detail/ws_frame.hpp"
#include "../detail/ws_handshake.hpp"
#include "../platform.hpp"
#include "../transport.hpp"
#include "../websocket.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

#include "compat.hpp"

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

namespace bosbase {

namespace detail {

/// One WebSocket over a socket of its own. cpp-httplib's client (0.41.0) reads a frame
/// header with one read and takes a short read for a broken frame, so a header that TCP
/// split ended the connection; here every byte goes through ws_decoder, which takes any
/// split. The reading thread answers pings; sends from other threads and those pongs
/// share one lock. Teardown writes no close frame: shutting the socket ends a blocked read
/// at once and never waits for a peer that does not answer.
class default_websocket final : public websocket_connection {
public:
    using clock = std::chrono::steady_clock;

    explicit default_websocket(const websocket_request& req)
        : read_timeout_(std::max(req.read_timeout, std::chrono::milliseconds(1))),
          write_timeout_(std::max(req.write_timeout, std::chrono::milliseconds(1))),
          decoder_(req.max_message_bytes),
          random_(std::random_device{}()) {
        if (req.url.size() >= 6 && ascii_iequal(std::string_view(req.url).substr(0, 6), "wss://")) {
            throw transport_error(error_kind::tls,
                                  "the default transport does not open wss:// WebSockets yet; use ws:// to a TLS "
                                  "terminator on the same host, or a transport of your own");
        }
        const auto url = parse_ws_url(req.url);
        if (!url) throw transport_error(error_kind::other, "not a ws:// URL (ws://host[:port]/path)");
        std::array<unsigned char, 16> nonce{};
        for (auto& b : nonce) b = static_cast<unsigned char>(random_() & 0xFF);
        const std::string key = base64_encode(nonce.data(), nonce.size());
        const std::string request = websocket_upgrade_request(*url, req.headers, key);
        if (request.empty()) {
            throw transport_error(error_kind::other, "a WebSocket request header has a character that would end its line");
        }

        const auto deadline = clock::now() + std::max(req.connect_timeout, std::chrono::milliseconds(1));
        websocket_socket_handle* socket = &socket_;
        cancel_token::registration wake;
        if (req.cancel) wake = req.cancel->on_cancel([socket] { socket->shut(); });
        auto canceled = [] { return transport_error(error_kind::canceled, "the WebSocket connect was cancelled"); };
        std::string why;
        switch (socket_.connect(url->host, url->port, deadline, why)) {
        case websocket_socket_handle::connected_as::ok: break;
        case websocket_socket_handle::connected_as::resolve:
            throw transport_error(error_kind::resolve, "could not resolve the host of the WebSocket: " + why);
        case websocket_socket_handle::connected_as::timeout:
            throw transport_error(error_kind::timeout, "the WebSocket connect timed out");
        case websocket_socket_handle::connected_as::canceled: throw canceled();
        case websocket_socket_handle::connected_as::connect:
            throw transport_error(error_kind::connect, "could not connect the WebSocket (" + why + ")");
        }
        const auto left = [&] {
            return std::max(std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()),
                            std::chrono::milliseconds(0));
        };
        if (!socket_.send_all(request, left())) {
            if (socket_.was_shut()) throw canceled();
            if (clock::now() >= deadline) throw transport_error(error_kind::timeout, "the WebSocket connect timed out");
            throw transport_error(error_kind::send, "could not send the WebSocket upgrade request");
        }

        // The answer's head, within the connect deadline: a server that accepts the TCP
        // connection and never answers is a connect that timed out.
        constexpr std::size_t max_head = 16 << 10;
        std::string got;
        std::size_t head_end = std::string::npos;
        while ((head_end = got.find("\r\n\r\n")) == std::string::npos) {
            if (got.size() > max_head) {
                throw transport_error(error_kind::invalid_response, "the WebSocket upgrade's answer has headers over 16 KiB");
            }
            const auto r = fill(got, left());
            if (r == websocket_socket_handle::io::ok) continue;
            if (socket_.was_shut()) throw canceled();
            if (r == websocket_socket_handle::io::timeout) {
                throw transport_error(error_kind::timeout, "the WebSocket upgrade got no answer within connect_timeout");
            }
            throw transport_error(error_kind::receive, "the server closed the connection before answering the WebSocket upgrade");
        }
        const auto head = parse_http_head(std::string_view(got).substr(0, head_end));
        if (!head) throw transport_error(error_kind::invalid_response, "the WebSocket upgrade's answer is not HTTP/1.x");
        got.erase(0, head_end + 4);
        if (head->status != 101) {
            std::string body = refusal_body(*head, std::move(got), req.max_message_bytes);
            if (socket_.was_shut()) throw canceled();
            throw websocket_refused(head->status, std::move(body),
                                    "the server refused the WebSocket upgrade with HTTP " + std::to_string(head->status));
        }
        const std::string wrong = check_websocket_accept(*head, key);
        if (!wrong.empty()) throw transport_error(error_kind::invalid_response, wrong);
        pending_ = std::move(got);  // frames the server sent right behind its answer
    }

    ~default_websocket() override { socket_.shut(); }

    websocket_frame read(std::string& message) override {
        message.clear();
        while (!closed_) {
            while (pending_at_ < pending_.size()) {
                ws_event ev;
                pending_at_ += decoder_.feed(pending_.data() + pending_at_, pending_.size() - pending_at_, ev);
                switch (ev.what) {
                case ws_event::kind::none: break;
                case ws_event::kind::text: message = std::move(ev.payload); return websocket_frame::text;
                case ws_event::kind::binary: message = std::move(ev.payload); return websocket_frame::binary;
                case ws_event::kind::too_large: return websocket_frame::too_large;
                case ws_event::kind::ping: {
                    std::lock_guard<std::mutex> lock(write_mutex_);
                    write_locked(ws_opcode::pong, ev.payload);
                    break;
                }
                case ws_event::kind::pong: break;
                case ws_event::kind::close: {
                    closed_ = true;
                    std::lock_guard<std::mutex> lock(write_mutex_);
                    write_locked(ws_opcode::close, std::string_view(ev.payload).substr(0, 2));  // its status code back
                    socket_.shut();
                    return websocket_frame::closed;
                }
                case ws_event::kind::error: {
                    closed_ = true;
                    {
                        std::lock_guard<std::mutex> lock(write_mutex_);
                        write_locked(ws_opcode::close, std::string("\x03\xEA", 2));  // 1002, protocol error
                    }
                    socket_.shut();
                    throw transport_error(error_kind::receive, "the server broke the WebSocket protocol: " + ev.payload);
                }
                }
            }
            pending_.clear();
            pending_at_ = 0;
            if (fill(pending_, read_timeout_) != websocket_socket_handle::io::ok) {
                closed_ = true;
                socket_.shut();
            }
        }
        return websocket_frame::closed;
    }

    bool send_text(std::string_view message) override {
        std::lock_guard<std::mutex> lock(write_mutex_);
        return write_locked(ws_opcode::text, message);
    }

    void shutdown() noexcept override { socket_.shut(); }

private:
    // Appends what one read brings.
    websocket_socket_handle::io fill(std::string& to, std::chrono::milliseconds timeout) {
        std::size_t got = 0;
        const auto r = socket_.receive(buffer_.data(), buffer_.size(), got, timeout);
        if (r == websocket_socket_handle::io::ok) to.append(buffer_.data(), got);
        return r;
    }

    // A failed write ends the connection, so the reader stops too.
    bool write_locked(ws_opcode opcode, std::string_view payload) {
        if (socket_.was_shut()) return false;
        std::array<unsigned char, 4> mask{};
        const std::uint32_t bits = random_();
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = static_cast<unsigned char>((bits >> (8 * i)) & 0xFF);
        if (socket_.send_all(ws_encode_frame(opcode, payload, true, &mask), write_timeout_)) return true;
        socket_.shut();
        return false;
    }

    // The body of a refused upgrade (BosBase's JSON error), up to `cap` bytes; what came
    // within the read timeout when the server neither ends nor frames it.
    std::string refusal_body(const http_head& head, std::string got, std::size_t cap) {
        if (head.status < 200 || head.status == 204 || head.status == 304) return {};
        const bool chunked = header_lists(head.find("Transfer-Encoding"), "chunked");
        std::uint64_t length = cap;
        if (const std::string* cl = head.find("Content-Length"); cl && !chunked) {
            if (cl->empty() || cl->size() > 18 || cl->find_first_not_of("0123456789") != std::string::npos) return {};
            length = std::min<std::uint64_t>(std::stoull(*cl), cap);
        }
        std::string body;
        for (;;) {
            if (chunked ? http_dechunk(got, body, cap) : got.size() >= length) break;
            if (fill(got, read_timeout_) != websocket_socket_handle::io::ok) {
                if (chunked) http_dechunk(got, body, cap);
                break;
            }
        }
        if (!chunked) body = got.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(length, got.size())));
        return body;
    }

    const std::chrono::milliseconds read_timeout_;
    const std::chrono::milliseconds write_timeout_;
    websocket_socket_handle socket_;
    ws_decoder decoder_;  // the reading thread's, as are pending_ and closed_
    std::string pending_;
    std::size_t pending_at_ = 0;
    bool closed_ = false;
    std::array<char, 16 << 10> buffer_{};
    std::mutex write_mutex_;  // a frame is written whole: send_text's and the reader's pongs
    std::mt19937 random_;     // masking keys (RFC 6455 5.3); under write_mutex_ once connected
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_HTTPLIB_WEBSOCKET && !_WIN32
#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_WEBSOCKET_HPP
