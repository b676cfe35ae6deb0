// bosbase-cpp: The RFC 6455 frame codec of the default WebSocket: bytes in any pieces to messages, and masked client frames.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_WS_FRAME_HPP
#define BOSBASE_DETAIL_WS_FRAME_HPP

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

    std::size_t feed(const char* data, std::size_t size, ws_event& out) {
        out = ws_event{};
        if (stage_ == stage::ended) {
            out.what = end_kind_;
            out.payload = end_payload_;
            return 0;
        }
        std::size_t used = 0;
        while (out.what == ws_event::kind::none) {
            if (stage_ == stage::header) {
                if (used == size) break;
                const std::size_t want = header_need_ - header_have_;
                const std::size_t take = std::min(want, size - used);
                std::copy(data + used, data + used + take, header_.begin() + static_cast<std::ptrdiff_t>(header_have_));
                header_have_ += take;
                used += take;
                if (header_have_ < header_need_) break;
                if (header_need_ == 2) {
                    if (!first_two_bytes(out)) break;
                    if (header_have_ < header_need_) continue;
                }
                start_payload(out);
            } else {
                const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - used));
                if (take == 0 && remaining_ != 0) break;
                if (control_frame()) {
                    control_.append(data + used, take);
                } else if (!skipping_) {
                    message_.append(data + used, take);
                }
                used += take;
                remaining_ -= take;
                if (remaining_ == 0) end_frame(out);
            }
        }
        return used;
    }

    /// Bytes held for messages and frames not yet whole (the fuzzer checks the bound).
    std::size_t buffered() const noexcept { return message_.size() + control_.size() + header_have_; }

private:
    enum class stage { header, payload, ended };

    bool control_frame() const noexcept { return (static_cast<unsigned>(opcode_) & 0x8) != 0; }

    void fail(ws_event& out, std::string why) {
        end(out, ws_event::kind::error, std::move(why));
    }

    void end(ws_event& out, ws_event::kind kind, std::string payload) {
        stage_ = stage::ended;
        end_kind_ = kind;
        end_payload_ = payload;
        message_ = std::string();
        control_ = std::string();
        out.what = kind;
        out.payload = std::move(payload);
    }

    // The first two bytes tell the rules that need no length, and how long the header is.
    bool first_two_bytes(ws_event& out) {
        const unsigned b0 = static_cast<unsigned char>(header_[0]);
        const unsigned b1 = static_cast<unsigned char>(header_[1]);
        fin_ = (b0 & 0x80) != 0;
        const unsigned op = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            fail(out, "a WebSocket frame sets reserved bits (no extension was agreed)");
            return false;
        }
        if (op != 0x0 && op != 0x1 && op != 0x2 && op != 0x8 && op != 0x9 && op != 0xA) {
            fail(out, "a WebSocket frame has an unknown opcode " + std::to_string(op));
            return false;
        }
        opcode_ = static_cast<ws_opcode>(op);
        if ((b1 & 0x80) != 0) {
            fail(out, "the server sent a masked WebSocket frame");
            return false;
        }
        const unsigned len7 = b1 & 0x7F;
        if (control_frame() && (!fin_ || len7 > max_control_bytes)) {
            fail(out, fin_ ? "a WebSocket control frame is longer than 125 bytes"
                           : "a WebSocket control frame is fragmented");
            return false;
        }
        header_need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        return true;
    }

    void start_payload(ws_event& out) {
        const unsigned len7 = static_cast<unsigned char>(header_[1]) & 0x7F;
        std::uint64_t length = len7;
        if (len7 >= 126) {
            length = 0;
            for (std::size_t i = 2; i < header_need_; ++i) length = (length << 8) | static_cast<unsigned char>(header_[i]);
            if ((length >> 63) != 0) return fail(out, "a WebSocket frame length has its top bit set");
        }
        header_have_ = 0;
        header_need_ = 2;
        remaining_ = length;
        if (!control_frame()) {
            if (opcode_ == ws_opcode::continuation && !in_message_) {
                return fail(out, "a WebSocket continuation frame without a message to continue");
            }
            if (opcode_ != ws_opcode::continuation) {
                if (in_message_) return fail(out, "a new WebSocket message began inside a fragmented one");
                in_message_ = true;
                message_kind_ = opcode_ == ws_opcode::text ? ws_event::kind::text : ws_event::kind::binary;
                skipping_ = false;
            }
            if (!skipping_ && length > cap_ - std::min(cap_, message_.size())) {
                skipping_ = true;
                message_ = std::string();  // freed now: the rest of this message is read past
            }
        }
        stage_ = stage::payload;
        if (remaining_ == 0) end_frame(out);
    }

    void end_frame(ws_event& out) {
        stage_ = stage::header;
        if (control_frame()) {
            if (opcode_ == ws_opcode::close) {
                if (control_.size() == 1) return fail(out, "a WebSocket close frame with a one-byte payload");
                return end(out, ws_event::kind::close, std::exchange(control_, std::string()));
            }
            out.what = opcode_ == ws_opcode::ping ? ws_event::kind::ping : ws_event::kind::pong;
            out.payload = std::exchange(control_, std::string());
            return;
        }
        if (!fin_) return;
        in_message_ = false;
        if (skipping_) {
            skipping_ = false;
            out.what = ws_event::kind::too_large;
            return;
        }
        out.what = message_kind_;
        out.payload = std::exchange(message_, std::string());
    }

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
inline std::string ws_encode_frame(ws_opcode opcode, std::string_view payload, bool fin,
                                   const std::array<unsigned char, 4>* mask) {
    std::string out;
    out.reserve(payload.size() + ws_decoder::max_header_bytes);
    out += static_cast<char>((fin ? 0x80 : 0x00) | static_cast<unsigned>(opcode));
    const unsigned masked = mask ? 0x80 : 0x00;
    const std::uint64_t n = payload.size();
    if (n < 126) {
        out += static_cast<char>(masked | static_cast<unsigned>(n));
    } else if (n <= 0xFFFF) {
        out += static_cast<char>(masked | 126);
        out += static_cast<char>((n >> 8) & 0xFF);
        out += static_cast<char>(n & 0xFF);
    } else {
        out += static_cast<char>(masked | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
    }
    if (!mask) return out.append(payload.data(), payload.size());
    for (unsigned char b : *mask) out += static_cast<char>(b);
    const std::size_t start = out.size();
    out.append(payload.data(), payload.size());
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out[start + i] = static_cast<char>(static_cast<unsigned char>(out[start + i]) ^ (*mask)[i % 4]);
    }
    return out;
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_DETAIL_WS_FRAME_HPP
