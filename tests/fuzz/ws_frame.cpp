// The default WebSocket's frame decoder (detail/ws_frame.hpp), fed any bytes in any pieces.
//
// Input: [cap: 2 bytes][mode][piece seed][rest]
//   mode even: the rest is the server's bytes as they are.
//   mode odd:  the rest is a script of messages, encoded as a server would send them:
//              each [flags][payload: length byte + bytes, or 2 length bytes when flags & 16];
//              flags & 1 binary, (flags >> 1) & 3 fragments minus one, flags & 8 a ping
//              after the first fragment.
// The bytes are fed in pieces of 1 to 64 bytes chosen by the piece seed.
//
// Contract of bosbase::detail::ws_decoder: it never crashes and never throws (but
// std::bad_alloc); every feed uses a byte or yields an event; it never holds more than the
// cap, one control frame and one frame header; after a close or an error it yields nothing
// else. A valid encoding, split anywhere, decodes to the messages that went in: each one
// over the cap as too_large, each ping as a ping.
#include "fuzz_support.hpp"

#include <bosbase/detail/ws_frame.hpp>  // a part of the WebSocket's code, which only its definitions include

namespace {

using bosbase::detail::ws_decoder;
using bosbase::detail::ws_encode_frame;
using bosbase::detail::ws_event;
using bosbase::detail::ws_opcode;

struct expected_event {
    ws_event::kind what;
    std::string payload;
};

std::vector<ws_event> decode(const std::string& bytes, std::size_t cap, std::uint8_t seed) {
    ws_decoder d(cap);
    std::minstd_rand pieces(seed + 1u);
    std::vector<ws_event> out;
    bool ended = false;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t end = std::min(bytes.size(), at + 1 + pieces() % 64);
        while (at < end) {
            ws_event ev;
            const std::size_t used = d.feed(bytes.data() + at, end - at, ev);
            BOSBASE_FUZZ_CHECK_MSG(used <= end - at, "feed used more than it was given");
            BOSBASE_FUZZ_CHECK_MSG(used > 0 || ev.what != ws_event::kind::none, "a feed that neither used a byte nor yielded");
            BOSBASE_FUZZ_CHECK_MSG(d.buffered() <= cap + ws_decoder::max_control_bytes + ws_decoder::max_header_bytes,
                                   "buffered more than the cap, a control frame and a header");
            at += used;
            if (ev.what == ws_event::kind::none) continue;
            if (ev.what == ws_event::kind::too_large) BOSBASE_FUZZ_CHECK(ev.payload.empty());
            if (ev.what == ws_event::kind::ping || ev.what == ws_event::kind::pong || ev.what == ws_event::kind::close) {
                BOSBASE_FUZZ_CHECK(ev.payload.size() <= ws_decoder::max_control_bytes);
            }
            if (ev.what == ws_event::kind::text || ev.what == ws_event::kind::binary) {
                BOSBASE_FUZZ_CHECK(ev.payload.size() <= cap);
            }
            if (ended) {
                BOSBASE_FUZZ_CHECK_MSG(used == 0 && ev.what == out.back().what, "an event after the close or error");
                return out;
            }
            ended = ev.what == ws_event::kind::close || ev.what == ws_event::kind::error;
            out.push_back(std::move(ev));
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::size_t cap = in.u16();
        const std::uint8_t mode = in.byte();
        const std::uint8_t seed = in.byte();
        if (mode % 2 == 0) {
            (void)decode(in.rest(), cap, seed);
            return;
        }
        std::string stream;
        std::vector<expected_event> expected;
        while (!in.empty()) {
            const std::uint8_t flags = in.byte();
            const std::string payload = (flags & 16) ? in.str16() : in.str();
            const ws_opcode op = (flags & 1) ? ws_opcode::binary : ws_opcode::text;
            const std::size_t fragments = 1 + ((flags >> 1) & 3);
            const std::size_t step = (payload.size() + fragments - 1) / fragments;
            for (std::size_t i = 0; i < fragments; ++i) {
                const std::size_t from = std::min(payload.size(), i * step);
                const std::size_t to = i + 1 == fragments ? payload.size() : std::min(payload.size(), from + step);
                stream += ws_encode_frame(i == 0 ? op : ws_opcode::continuation, payload.substr(from, to - from),
                                          i + 1 == fragments, nullptr);
                if (i == 0 && (flags & 8)) {
                    stream += ws_encode_frame(ws_opcode::ping, "p", true, nullptr);
                    if (fragments > 1) expected.push_back({ws_event::kind::ping, "p"});  // inside the message
                }
            }
            if (payload.size() > cap) {
                expected.push_back({ws_event::kind::too_large, {}});
            } else {
                expected.push_back({op == ws_opcode::binary ? ws_event::kind::binary : ws_event::kind::text, payload});
            }
            if (fragments == 1 && (flags & 8)) expected.push_back({ws_event::kind::ping, "p"});  // after it
        }
        const auto got = decode(stream, cap, seed);
        BOSBASE_FUZZ_CHECK_MSG(got.size() == expected.size(), "as many events out as messages and pings went in");
        for (std::size_t i = 0; i < got.size(); ++i) {
            BOSBASE_FUZZ_CHECK(got[i].what == expected[i].what);
            BOSBASE_FUZZ_CHECK(got[i].payload == expected[i].payload);
        }
    });
}
