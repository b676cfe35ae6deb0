// bosbase-cpp: The default transport's WebSocket: its own socket, proxy tunnel, TLS session, upgrade and frame reader, with one thread at a time inside the connection.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_WEBSOCKET_HPP
#define BOSBASE_HTTPLIB_WEBSOCKET_HPP

#include "../detail/ws_frame.hpp"
#include "../detail/ws_handshake.hpp"
#include "../platform_socket.hpp"
#include "../proxy.hpp"
#include "../transport.hpp"
#include "../websocket.hpp"
#include "ws_stream.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

#include "compat.hpp"

#if BOSBASE_HTTPLIB_WEBSOCKET

namespace bosbase {

namespace detail {

/// One WebSocket over a socket of its own, plain (ws://) or through TLS (wss://), directly
/// or through an HTTP proxy's CONNECT tunnel.
///
/// One thread at a time is inside the connection (its socket's reads and its TLS session,
/// which OpenSSL and Mbed TLS require): the owner. A thread in read() is the owner while it
/// waits, and it also writes what other threads queued, woken through wake_; a send_text()
/// with no reader in the connection becomes the owner itself for its write. So a publish
/// from another thread costs one wake-up, and nothing else changes hands per message.
/// Every byte read goes through ws_decoder, which takes any split. Teardown writes no close
/// frame: shutting the socket ends every wait at once and never waits for a peer that does
/// not answer.
class default_websocket final : public websocket_connection {
public:
    using clock = std::chrono::steady_clock;

    explicit default_websocket(const websocket_request& req, const ws_tls_settings& tls = {},
                               const std::optional<http_proxy>& proxy = std::nullopt)
        : read_timeout_(std::max(req.read_timeout, std::chrono::milliseconds(1))),
          write_timeout_(std::max(req.write_timeout, std::chrono::milliseconds(1))),
          decoder_(req.max_message_bytes),
          stream_(socket_),
          random_(std::random_device{}()) {
        const auto url = parse_ws_url(req.url);
        if (!url) throw transport_error(error_kind::other, "not a WebSocket URL (ws://host[:port]/path or wss://...)");
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
        std::string why;
        const std::string& host = proxy ? proxy->host : url->host;
        switch (socket_.connect(host, proxy ? std::to_string(proxy->port) : url->port, deadline, why)) {
        case websocket_socket_handle::connected_as::ok: break;
        case websocket_socket_handle::connected_as::resolve:
            throw transport_error(error_kind::resolve, std::string("could not resolve the host of the ") +
                                                           (proxy ? "proxy" : "WebSocket") + ": " + why);
        case websocket_socket_handle::connected_as::timeout:
            throw transport_error(error_kind::timeout, "the WebSocket connect timed out");
        case websocket_socket_handle::connected_as::canceled: throw canceled();
        case websocket_socket_handle::connected_as::connect:
            throw transport_error(error_kind::connect,
                                  std::string("could not connect ") + (proxy ? "to the proxy" : "the WebSocket") + " (" + why + ")");
        }
        if (proxy) open_tunnel(*url, *proxy, deadline);
        if (url->secure) stream_.start_tls(url->host, tls, deadline);
        check(write_all(request, deadline), deadline, "could not send the WebSocket upgrade request");

        // The answer's head, within the connect deadline: a server that accepts the TCP
        // connection and never answers is a connect that timed out.
        std::string got;
        const auto head = read_head(got, deadline, "WebSocket upgrade");
        if (head.status != 101) {
            std::string body = refusal_body(head, std::move(got), req.max_message_bytes);
            if (socket_.was_shut()) throw canceled();
            throw websocket_refused(head.status, std::move(body),
                                    "the server refused the WebSocket upgrade with HTTP " + std::to_string(head.status));
        }
        const std::string wrong = check_websocket_accept(head, key);
        if (!wrong.empty()) throw transport_error(error_kind::invalid_response, wrong);
        pending_ = std::move(got);  // frames the server sent right behind its answer
    }

    ~default_websocket() override { socket_.shut(); }

    websocket_frame read(std::string& message) override {
        message.clear();
        if (!become_owner(owner_kind::reader)) return websocket_frame::closed;
        struct release {
            default_websocket& ws;
            ~release() { ws.give_up_ownership(); }
        } released{*this};
        auto heard = clock::now();
        for (;;) {
            while (pending_at_ < pending_.size()) {
                ws_event ev;
                pending_at_ += decoder_.feed(pending_.data() + pending_at_, pending_.size() - pending_at_, ev);
                switch (ev.what) {
                case ws_event::kind::none: break;
                case ws_event::kind::text: message = std::move(ev.payload); return websocket_frame::text;
                case ws_event::kind::binary: message = std::move(ev.payload); return websocket_frame::binary;
                case ws_event::kind::too_large: return websocket_frame::too_large;
                case ws_event::kind::ping: queue_frame(ws_opcode::pong, ev.payload); break;
                case ws_event::kind::pong: break;
                case ws_event::kind::close:
                    // Its status code back, then the socket goes.
                    say_goodbye(std::string_view(ev.payload).substr(0, 2));
                    return websocket_frame::closed;
                case ws_event::kind::error:
                    say_goodbye(std::string("\x03\xEA", 2));  // 1002, protocol error
                    throw transport_error(error_kind::receive, "the server broke the WebSocket protocol: " + ev.payload);
                }
            }
            pending_.clear();
            pending_at_ = 0;

            // A sender's wake-up that comes after this sees its frame written below or, if it
            // queued after that, ends the wait: none is lost.
            wake_.clear();
            const flushed sent = flush();
            if (sent == flushed::failed) return broken();
            std::size_t got = 0;
            const ws_stream::step st = stream_.read_some(buffer_.data(), buffer_.size(), got);
            if (st == ws_stream::step::ok) {
                pending_.append(buffer_.data(), got);
                heard = clock::now();
                continue;
            }
            if (st == ws_stream::step::closed) return broken();
            const auto r = socket_.wait(st == ws_stream::step::want_read || sent == flushed::blocked_on_read,
                                        st == ws_stream::step::want_write || sent == flushed::blocked_on_write, &wake_,
                                        heard + read_timeout_);
            if (r.failed || r.timed_out) return broken();  // shut, or silent past read_timeout
        }
    }

    bool send_text(std::string_view message) override {
        auto item = std::make_shared<outgoing>();
        const auto deadline = clock::now() + write_timeout_;
        std::unique_lock<std::mutex> lock(mutex_);
        if (broken_) return false;
        item->bytes = masked_frame_locked(ws_opcode::text, message);
        queue_.push_back(item);
        for (;;) {
            if (item->finished) return item->ok;
            if (broken_) return false;
            if (owner_ == owner_kind::none) {
                owner_ = owner_kind::writer;
                lock.unlock();
                const bool ok = drain(deadline);
                lock.lock();
                owner_ = owner_kind::none;
                changed_.notify_all();
                if (!ok) {
                    fail_all_locked();
                    break;
                }
                continue;
            }
            if (owner_ == owner_kind::reader) wake_.signal();
            if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && !item->finished) {
                fail_all_locked();  // a frame half written cannot be taken back: the connection ends
                break;
            }
        }
        lock.unlock();
        socket_.shut();
        return false;
    }

    void shutdown() noexcept override {
        socket_.shut();
        std::lock_guard<std::mutex> lock(mutex_);
        fail_all_locked();
    }

private:
    enum class owner_kind { none, reader, writer };
    enum class flushed { idle, blocked_on_read, blocked_on_write, failed };
    enum class outcome { ok, timeout, closed };

    struct outgoing {
        std::string bytes;
        std::size_t written = 0;  // the owner's alone
        bool finished = false;    // under mutex_, as ok
        bool ok = false;
    };

    static transport_error canceled() { return transport_error(error_kind::canceled, "the WebSocket connect was cancelled"); }

    // --- connecting: the constructor's thread alone -----------------------------------

    void check(outcome o, clock::time_point deadline, const char* failed) {
        if (o == outcome::ok) return;
        if (socket_.was_shut()) throw canceled();
        if (o == outcome::timeout || clock::now() >= deadline) throw transport_error(error_kind::timeout, "the WebSocket connect timed out");
        throw transport_error(error_kind::send, failed);
    }

    // A proxy's CONNECT tunnel to the WebSocket's host: what follows (TLS, the upgrade) goes
    // through it unchanged. The proxy's credentials never reach an error's text.
    void open_tunnel(const ws_url& url, const http_proxy& proxy, clock::time_point deadline) {
        const std::string authority =
            (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" + url.port;
        std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
        if (!proxy.username.empty() || !proxy.password.empty()) {
            const std::string pair = proxy.username + ":" + proxy.password;
            request += "Proxy-Authorization: Basic " +
                       base64_encode(reinterpret_cast<const unsigned char*>(pair.data()), pair.size()) + "\r\n";
        }
        request += "\r\n";
        check(write_all(request, deadline), deadline, "could not send the CONNECT request to the proxy");
        std::string got;
        const auto head = read_head(got, deadline, "proxy's CONNECT");
        if (head.status < 200 || head.status > 299) {
            std::string body = refusal_body(head, std::move(got), 64 << 10);
            if (socket_.was_shut()) throw canceled();
            throw websocket_refused(head.status, std::move(body),
                                    "the proxy refused the tunnel to the WebSocket's host with HTTP " +
                                        std::to_string(head.status));
        }
        if (!got.empty()) throw transport_error(error_kind::invalid_response, "the proxy sent bytes behind its CONNECT answer");
    }

    http_head read_head(std::string& got, clock::time_point deadline, const char* what) {
        constexpr std::size_t max_head = 16 << 10;
        std::size_t head_end = std::string::npos;
        while ((head_end = got.find("\r\n\r\n")) == std::string::npos) {
            if (got.size() > max_head) {
                throw transport_error(error_kind::invalid_response, std::string("the ") + what + "'s answer has headers over 16 KiB");
            }
            const outcome r = fill(got, deadline);
            if (r == outcome::ok) continue;
            if (socket_.was_shut()) throw canceled();
            if (r == outcome::timeout) {
                throw transport_error(error_kind::timeout, std::string("the ") + what + " got no answer within connect_timeout");
            }
            // A TLS server closes on plain text, mostly without a word (OpenSSL's "http request").
            throw transport_error(error_kind::receive,
                                  std::string("the server closed the connection before answering the ") + what +
                                      (got.empty() && !stream_.secure() ? " (a TLS server does that to plain text: is it wss://?)" : ""));
        }
        auto head = parse_http_head(std::string_view(got).substr(0, head_end));
        if (!head) {
            // 0x15 0x03: a TLS alert, the answer of a TLS server to plain text.
            const bool speaks_tls = got.size() >= 2 && got[0] == '\x15' && got[1] == '\x03';
            throw transport_error(speaks_tls ? error_kind::tls : error_kind::invalid_response,
                                  std::string("the ") + what + "'s answer is not HTTP/1.x" +
                                      (speaks_tls ? " but TLS: the server wants wss://" : ""));
        }
        got.erase(0, head_end + 4);
        return std::move(*head);
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
        const auto deadline = clock::now() + read_timeout_;
        for (;;) {
            if (chunked ? http_dechunk(got, body, cap) : got.size() >= length) break;
            if (fill(got, deadline) != outcome::ok) {
                if (chunked) http_dechunk(got, body, cap);
                break;
            }
        }
        if (!chunked) body = got.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(length, got.size())));
        return body;
    }

    // --- the owner's I/O -----------------------------------------------------------

    outcome write_all(std::string_view data, clock::time_point deadline) {
        while (!data.empty()) {
            std::size_t sent = 0;
            const ws_stream::step st = stream_.write_some(data.data(), data.size(), sent);
            if (st == ws_stream::step::ok) {
                data.remove_prefix(sent);
                continue;
            }
            if (st == ws_stream::step::closed) return outcome::closed;
            const auto r = socket_.wait(st == ws_stream::step::want_read, st == ws_stream::step::want_write, nullptr, deadline);
            if (r.failed) return outcome::closed;
            if (r.timed_out) return outcome::timeout;
        }
        return outcome::ok;
    }

    // Appends what one read brings.
    outcome fill(std::string& to, clock::time_point deadline) {
        for (;;) {
            std::size_t got = 0;
            const ws_stream::step st = stream_.read_some(buffer_.data(), buffer_.size(), got);
            if (st == ws_stream::step::ok) {
                to.append(buffer_.data(), got);
                return outcome::ok;
            }
            if (st == ws_stream::step::closed) return outcome::closed;
            const auto r = socket_.wait(st == ws_stream::step::want_read, st == ws_stream::step::want_write, nullptr, deadline);
            if (r.failed) return outcome::closed;
            if (r.timed_out) return outcome::timeout;
        }
    }

    // Writes the queued frames as far as the socket takes them now, in order.
    flushed flush() {
        for (;;) {
            std::shared_ptr<outgoing> item;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (queue_.empty()) return flushed::idle;
                item = queue_.front();
            }
            while (item->written < item->bytes.size()) {
                std::size_t sent = 0;
                // A TLS write that could not finish is retried with the same bytes, as TLS requires.
                const ws_stream::step st =
                    stream_.write_some(item->bytes.data() + item->written, item->bytes.size() - item->written, sent);
                if (st == ws_stream::step::ok) {
                    item->written += sent;
                    continue;
                }
                if (st == ws_stream::step::want_write) return flushed::blocked_on_write;
                if (st == ws_stream::step::want_read) return flushed::blocked_on_read;
                return flushed::failed;
            }
            std::lock_guard<std::mutex> lock(mutex_);
            if (!queue_.empty() && queue_.front() == item) queue_.pop_front();
            item->finished = true;
            item->ok = true;
            changed_.notify_all();
        }
    }

    // A sender that owns the connection: everything queued, within its deadline.
    bool drain(clock::time_point deadline) {
        for (;;) {
            const flushed f = flush();
            if (f == flushed::idle) return true;
            if (f == flushed::failed) return false;
            const auto r = socket_.wait(f == flushed::blocked_on_read, f == flushed::blocked_on_write, nullptr, deadline);
            if (r.failed || r.timed_out) return false;
        }
    }

    bool become_owner(owner_kind who) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return owner_ == owner_kind::none || broken_; });
        if (broken_) return false;
        owner_ = who;
        return true;
    }

    void give_up_ownership() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        owner_ = owner_kind::none;
        changed_.notify_all();
    }

    void queue_frame(ws_opcode opcode, std::string_view payload) {
        auto item = std::make_shared<outgoing>();
        std::lock_guard<std::mutex> lock(mutex_);
        item->bytes = masked_frame_locked(opcode, payload);
        queue_.push_back(std::move(item));
    }

    // The reader's close frame, written within write_timeout, then the socket goes.
    void say_goodbye(std::string_view code) {
        queue_frame(ws_opcode::close, code);
        drain(clock::now() + write_timeout_);
        broken();
    }

    websocket_frame broken() {
        socket_.shut();
        std::lock_guard<std::mutex> lock(mutex_);
        fail_all_locked();
        return websocket_frame::closed;
    }

    void fail_all_locked() {
        broken_ = true;
        for (auto& item : queue_) item->finished = true;  // ok stays false
        queue_.clear();
        changed_.notify_all();
    }

    std::string masked_frame_locked(ws_opcode opcode, std::string_view payload) {
        std::array<unsigned char, 4> mask{};
        const std::uint32_t bits = random_();
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = static_cast<unsigned char>((bits >> (8 * i)) & 0xFF);
        return ws_encode_frame(opcode, payload, true, &mask);
    }

    const std::chrono::milliseconds read_timeout_;
    const std::chrono::milliseconds write_timeout_;
    websocket_socket_handle socket_;
    ws_decoder decoder_;  // the reading thread's, as are pending_ and buffer_
    std::string pending_;
    std::size_t pending_at_ = 0;
    std::array<char, 16 << 10> buffer_{};
    ws_stream stream_;  // the owner's alone; goes before socket_, which it reads and writes
    wake_signal wake_;  // a sender's wake-up for the owner waiting in read()

    std::mutex mutex_;  // the queue, who owns the connection, broken_, random_
    std::condition_variable changed_;
    std::deque<std::shared_ptr<outgoing>> queue_;
    owner_kind owner_ = owner_kind::none;
    bool broken_ = false;
    std::mt19937 random_;  // masking keys (RFC 6455 5.3)
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_HTTPLIB_WEBSOCKET
#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_WEBSOCKET_HPP
