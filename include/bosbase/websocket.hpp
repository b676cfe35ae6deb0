// bosbase-cpp: the optional WebSocket call of a transport, which pub/sub uses.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_WEBSOCKET_HPP
#define BOSBASE_WEBSOCKET_HPP

#include "cancel.hpp"
#include "transport.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bosbase {

/// @brief What a transport needs to open one WebSocket.
struct websocket_request {
    std::string url;     ///< ws://host:port/path?query (wss:// for TLS)
    header_list headers; ///< sent with the upgrade request (pub/sub puts the token in Authorization)
    /// The TCP connect and the upgrade handshake together.
    std::chrono::milliseconds connect_timeout{15000};
    /// Longest silence on an open socket before read() gives up (the SDK pings well within it).
    std::chrono::milliseconds read_timeout{60000};
    std::chrono::milliseconds write_timeout{10000};
    /// Frames larger than this may be refused by the transport (read() then reports closed);
    /// the SDK checks the size of what it gets again.
    std::size_t max_message_bytes = std::size_t(1) << 20;
    /// Cancelling it makes a connect in progress throw transport_error(error_kind::canceled).
    std::optional<cancel_token> cancel;
};

/// @brief What read() got. `too_large`: a message over max_message_bytes was read past and
/// dropped whole (`message` is left empty); the connection goes on with the next message.
enum class websocket_frame { text, binary, closed, too_large };

/// @brief Thrown by connect_websocket() when the server answered the upgrade with an HTTP
/// status instead of 101 Switching Protocols: callers tell a final answer (401, 403, 404)
/// from one worth retrying (5xx) by status(). body() is what the server sent with it (at
/// most max_message_bytes), usually BosBase's JSON error.
class websocket_refused : public transport_error {
public:
    websocket_refused(int status, std::string body, const std::string& message)
        : transport_error(error_kind::invalid_response, message), status_(status), body_(std::move(body)) {}

    int status() const noexcept { return status_; }
    const std::string& body() const noexcept { return body_; }

private:
    int status_;
    std::string body_;
};

/// @brief One open WebSocket. One thread reads while others send; shutdown() may come from any thread.
class websocket_connection {
public:
    virtual ~websocket_connection() = default;
    /// @brief Blocks for the next whole message. `closed` once the peer closed, the socket
    /// failed, read_timeout passed without a byte, or shutdown() was called; then for good.
    virtual websocket_frame read(std::string& message) = 0;
    /// @brief Sends one text message; false when the connection is gone. Callers serialise sends.
    virtual bool send_text(std::string_view message) = 0;
    /// @brief Ends the connection now: a blocked read() returns `closed`. Idempotent, never throws.
    virtual void shutdown() noexcept = 0;
};

namespace detail {

/// The WebSocket origin of an HTTP origin: http:// becomes ws://, https:// wss://.
BOSBASE_DECL std::string websocket_origin(const std::string& origin);

template <class T, class = void>
struct has_websocket : std::false_type {};

template <class T>
struct has_websocket<T, std::void_t<decltype(std::declval<T&>().connect_websocket(
                            std::declval<const websocket_request&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().connect_websocket(std::declval<const websocket_request&>())),
                          std::unique_ptr<websocket_connection>> {};

}  // namespace detail

/// @brief True when T also has the optional WebSocket call that pub/sub needs:
/// `std::unique_ptr<bosbase::websocket_connection> connect_websocket(const bosbase::websocket_request&)`.
/// It returns an open connection (the upgrade accepted) or throws transport_error.
template <class T>
inline constexpr bool is_websocket_transport_v = detail::has_websocket<T>::value;

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "websocket.ipp"
#endif

#endif  // BOSBASE_WEBSOCKET_HPP
