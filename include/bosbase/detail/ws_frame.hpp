// bosbase-cpp: The RFC 6455 frame codec of the default WebSocket: bytes in any pieces to messages, and masked client frames.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_WS_FRAME_HPP
#define BOSBASE_DETAIL_WS_FRAME_HPP

#include "../config.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace bosbase {

namespace detail {

// No sockets here: the connection feeds whatever each read returned (TCP splits a frame
// anywhere, and a TLS session will hand over its records the same way), so one codec
// serves every transport and can be tested and fuzzed byte by byte.

enum class ws_opcode : unsigned char {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// @brief One thing the decoder found. `payload` is the message (text, binary), the control
/// frame's payload (ping, pong, close) or what was wrong (error).
struct ws_event {
    enum class kind { none, text, binary, too_large, ping, pong, close, error };
    kind what = kind::none;
    std::string payload;
};

/// @brief Decodes the frames a server sends (RFC 6455, client side: unmasked, no extensions).
///
/// feed() takes bytes in pieces of any size and stops at the first whole event, returning
/// how many bytes it used; the caller feeds the rest again. Data messages are reassembled
/// from their continuation frames, with control frames allowed in between. A message whose
/// frames add up to more than the cap is read past without being kept and reported once,
/// as too_large, when its last frame ends: what it holds at any time is at most the cap,
/// one control frame (125 bytes) and one frame header (14 bytes). After a close or a
/// protocol error every call reports it again and uses nothing.
class ws_decoder {
public:
    static constexpr std::size_t max_header_bytes = 14;
    static constexpr std::size_t max_control_bytes = 125;

    explicit ws_decoder(std::size_t max_message_bytes) : cap_(max_message_bytes) {}

    std::size_t feed(const char* data, std::size_t size, ws_event& out);

    /// Bytes held for messages and frames not yet whole (the fuzzer checks the bound).
    std::size_t buffered() const noexcept { return message_.size() + control_.size() + header_have_; }

private:
    enum class stage { header, payload, ended };

    bool control_frame() const noexcept { return (static_cast<unsigned>(opcode_) & 0x8) != 0; }

    void fail(ws_event& out, std::string why);

    void end(ws_event& out, ws_event::kind kind, std::string payload);

    // The first two bytes tell the rules that need no length, and how long the header is.
    bool first_two_bytes(ws_event& out);

    void start_payload(ws_event& out);

    void end_frame(ws_event& out);

    std::size_t cap_;
    stage stage_ = stage::header;
    std::array<char, max_header_bytes> header_{};
    std::size_t header_have_ = 0;
    std::size_t header_need_ = 2;
    bool fin_ = false;
    ws_opcode opcode_ = ws_opcode::continuation;
    std::uint64_t remaining_ = 0;
    bool in_message_ = false;
    bool skipping_ = false;
    ws_event::kind message_kind_ = ws_event::kind::text;
    std::string message_;
    std::string control_;
    ws_event::kind end_kind_ = ws_event::kind::none;
    std::string end_payload_;
};

/// @brief One frame as bytes: `mask` set for a client's frame (RFC 6455 requires it of every
/// frame a client sends), unset for a server's (the tests and the fuzzer play the server).
BOSBASE_DECL std::string ws_encode_frame(ws_opcode opcode, std::string_view payload, bool fin,
                                   const std::array<unsigned char, 4>* mask);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "ws_frame.ipp"
#endif

#endif  // BOSBASE_DETAIL_WS_FRAME_HPP
