// bosbase-cpp: definitions of detail/ws_frame.hpp (the RFC 6455 frame codec of the default WebSocket: bytes in any pieces to messages, and masked client frames.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_WS_FRAME_IPP
#define BOSBASE_DETAIL_WS_FRAME_IPP

#include "ws_frame.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::size_t ws_decoder::feed(const char* data, std::size_t size, ws_event& out) {
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

BOSBASE_DECL void ws_decoder::fail(ws_event& out, std::string why) {
    end(out, ws_event::kind::error, std::move(why));
}

BOSBASE_DECL void ws_decoder::end(ws_event& out, ws_event::kind kind, std::string payload) {
    stage_ = stage::ended;
    end_kind_ = kind;
    end_payload_ = payload;
    message_ = std::string();
    control_ = std::string();
    out.what = kind;
    out.payload = std::move(payload);
}

BOSBASE_DECL bool ws_decoder::first_two_bytes(ws_event& out) {
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

BOSBASE_DECL void ws_decoder::start_payload(ws_event& out) {
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

BOSBASE_DECL void ws_decoder::end_frame(ws_event& out) {
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

BOSBASE_DECL std::string ws_encode_frame(ws_opcode opcode, std::string_view payload, bool fin,
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

#endif  // BOSBASE_DETAIL_WS_FRAME_IPP
