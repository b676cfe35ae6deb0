// The default WebSocket's frame codec and handshake text (detail/ws_frame.hpp, detail/ws_handshake.hpp):
// frames split at every byte, each length form, masking, the control frame rules, over-cap messages.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <array>
#include <string>
#include <vector>

namespace {

using bosbase::detail::ws_decoder;
using bosbase::detail::ws_encode_frame;
using bosbase::detail::ws_event;
using bosbase::detail::ws_opcode;

std::string server_frame(ws_opcode op, const std::string& payload, bool fin = true) {
    return ws_encode_frame(op, payload, fin, nullptr);
}

// Every event the decoder yields for `bytes` fed in pieces of `piece` bytes (0: all at once).
std::vector<ws_event> decode_all(const std::string& bytes, std::size_t piece, std::size_t cap = 1 << 20) {
    ws_decoder d(cap);
    std::vector<ws_event> out;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t end = piece == 0 ? bytes.size() : std::min(bytes.size(), at + piece);
        while (at < end) {
            ws_event ev;
            const std::size_t used = d.feed(bytes.data() + at, end - at, ev);
            at += used;
            if (ev.what != ws_event::kind::none) out.push_back(ev);
            if (ev.what == ws_event::kind::error || ev.what == ws_event::kind::close) return out;
            if (used == 0 && ev.what == ws_event::kind::none) break;
        }
    }
    return out;
}

// The events for `bytes` split once at `split`.
std::vector<ws_event> decode_split(const std::string& bytes, std::size_t split, std::size_t cap = 1 << 20) {
    ws_decoder d(cap);
    std::vector<ws_event> out;
    for (const auto& part : {bytes.substr(0, split), bytes.substr(split)}) {
        std::size_t at = 0;
        while (at < part.size()) {
            ws_event ev;
            at += d.feed(part.data() + at, part.size() - at, ev);
            if (ev.what != ws_event::kind::none) out.push_back(ev);
            if (ev.what == ws_event::kind::error) return out;
        }
    }
    return out;
}

ws_event::kind single_kind(const std::string& bytes) {
    const auto events = decode_all(bytes, 0);
    return events.size() == 1 ? events[0].what : ws_event::kind::none;
}

}  // namespace

TEST_CASE("ws_frame: a frame of each length form decodes split at every byte, or fed a byte at a time") {
    for (std::size_t size : {std::size_t(0), std::size_t(5), std::size_t(125), std::size_t(126), std::size_t(300),
                             std::size_t(65535), std::size_t(65536), std::size_t(70000)}) {
        std::string payload(size, '\0');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        const std::string bytes = server_frame(ws_opcode::text, payload) + server_frame(ws_opcode::binary, "tail");
        const std::size_t header = size < 126 ? 2 : size < 65536 ? 4 : 10;
        CHECK(static_cast<unsigned char>(bytes[1]) == (size < 126 ? size : size < 65536 ? 126 : 127));
        // Every split point inside the headers and the first bytes of the payload; all of them for small frames.
        const std::size_t last = size < 400 ? bytes.size() : header + 16;
        for (std::size_t split = 0; split <= last; ++split) {
            CAPTURE(size);
            CAPTURE(split);
            const auto events = decode_split(bytes, split);
            REQUIRE(events.size() == 2);
            CHECK(events[0].what == ws_event::kind::text);
            CHECK(events[0].payload == payload);
            CHECK(events[1].what == ws_event::kind::binary);
            CHECK(events[1].payload == "tail");
        }
        if (size <= 300) {
            const auto bytewise = decode_all(bytes, 1);
            REQUIRE(bytewise.size() == 2);
            CHECK(bytewise[0].payload == payload);
        }
    }
}

TEST_CASE("ws_frame: continuation frames make one message, with control frames between them") {
    const std::string bytes = server_frame(ws_opcode::text, "hel", false) + server_frame(ws_opcode::ping, "p") +
                              server_frame(ws_opcode::continuation, "lo ", false) +
                              server_frame(ws_opcode::continuation, "", false) +
                              server_frame(ws_opcode::continuation, "world", true);
    for (std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(7)}) {
        const auto events = decode_all(bytes, piece);
        REQUIRE(events.size() == 2);
        CHECK(events[0].what == ws_event::kind::ping);
        CHECK(events[0].payload == "p");
        CHECK(events[1].what == ws_event::kind::text);
        CHECK(events[1].payload == "hello world");
    }
}

TEST_CASE("ws_frame: a message over the cap is read past whole and reported once, and the next one arrives") {
    const std::string big(5000, 'x');
    const std::string bytes = server_frame(ws_opcode::text, big.substr(0, 60), false) +
                              server_frame(ws_opcode::continuation, big.substr(60), true) +
                              server_frame(ws_opcode::text, "next");
    for (std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(100)}) {
        ws_decoder d(100);
        std::vector<ws_event> events;
        std::size_t at = 0;
        std::size_t most = 0;
        while (at < bytes.size()) {
            ws_event ev;
            const std::size_t end = piece == 0 ? bytes.size() : std::min(bytes.size(), at + piece);
            at += d.feed(bytes.data() + at, end - at, ev);
            most = std::max(most, d.buffered());
            if (ev.what != ws_event::kind::none) events.push_back(ev);
        }
        REQUIRE(events.size() == 2);
        CHECK(events[0].what == ws_event::kind::too_large);
        CHECK(events[0].payload.empty());
        CHECK(events[1].what == ws_event::kind::text);
        CHECK(events[1].payload == "next");
        CHECK(most <= 100 + ws_decoder::max_header_bytes);
    }
    // Exactly the cap is not over it.
    const auto at_cap = decode_all(server_frame(ws_opcode::binary, std::string(100, 'y')), 0, 100);
    REQUIRE(at_cap.size() == 1);
    CHECK(at_cap[0].what == ws_event::kind::binary);
}

TEST_CASE("ws_frame: control frame rules and protocol errors") {
    // Fragmented control frame.
    CHECK(single_kind(server_frame(ws_opcode::ping, "x", false)) == ws_event::kind::error);
    // A control frame over 125 bytes.
    CHECK(single_kind(server_frame(ws_opcode::pong, std::string(126, 'x'))) == ws_event::kind::error);
    CHECK(single_kind(server_frame(ws_opcode::ping, std::string(125, 'x'))) == ws_event::kind::ping);
    // Reserved bits (no extension agreed) and unknown opcodes.
    for (unsigned bit : {0x40u, 0x20u, 0x10u}) {
        std::string f = server_frame(ws_opcode::text, "a");
        f[0] = static_cast<char>(static_cast<unsigned char>(f[0]) | bit);
        CHECK(single_kind(f) == ws_event::kind::error);
    }
    for (unsigned op : {3u, 7u, 0xBu, 0xFu}) {
        CHECK(single_kind(std::string(1, static_cast<char>(0x80 | op)) + std::string(1, '\0')) == ws_event::kind::error);
    }
    // Unmasked frames from the server are right; a masked one is refused.
    const std::array<unsigned char, 4> mask{1, 2, 3, 4};
    CHECK(single_kind(ws_encode_frame(ws_opcode::text, "hi", true, &mask)) == ws_event::kind::error);
    // Continuation without a message, and a new message inside a fragmented one.
    CHECK(single_kind(server_frame(ws_opcode::continuation, "x")) == ws_event::kind::error);
    const auto nested = decode_all(server_frame(ws_opcode::text, "a", false) + server_frame(ws_opcode::text, "b"), 0);
    REQUIRE(nested.size() == 1);
    CHECK(nested[0].what == ws_event::kind::error);
    // A 64-bit length with its top bit set.
    CHECK(single_kind(std::string("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01", 10)) == ws_event::kind::error);
    // Close: its payload, then nothing more is read; a one-byte close payload is an error.
    const auto closed = decode_all(server_frame(ws_opcode::close, std::string("\x03\xe8", 2) + "bye") +
                                       server_frame(ws_opcode::text, "late"),
                                   0);
    REQUIRE(closed.size() == 1);
    CHECK(closed[0].what == ws_event::kind::close);
    CHECK(closed[0].payload == std::string("\x03\xe8", 2) + "bye");
    CHECK(single_kind(server_frame(ws_opcode::close, "x")) == ws_event::kind::error);
    // After an error every feed reports it again and uses nothing.
    ws_decoder d(10);
    ws_event ev;
    const std::string bad = server_frame(ws_opcode::continuation, "x");
    d.feed(bad.data(), bad.size(), ev);
    REQUIRE(ev.what == ws_event::kind::error);
    const std::string good = server_frame(ws_opcode::text, "ok");
    CHECK(d.feed(good.data(), good.size(), ev) == 0);
    CHECK(ev.what == ws_event::kind::error);
}

TEST_CASE("ws_frame: client frames are masked, with each length form") {
    const std::array<unsigned char, 4> mask{0x37, 0xfa, 0x21, 0x3d};
    // RFC 6455 5.7: a masked "Hello".
    CHECK(ws_encode_frame(ws_opcode::text, "Hello", true, &mask) ==
          std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
    for (std::size_t size : {std::size_t(125), std::size_t(126), std::size_t(65536)}) {
        const std::string payload(size, 'z');
        const std::string f = ws_encode_frame(ws_opcode::binary, payload, true, &mask);
        const std::size_t header = size < 126 ? 2 : size < 65536 ? 4 : 10;
        REQUIRE(f.size() == header + 4 + size);
        CHECK((static_cast<unsigned char>(f[1]) & 0x80) != 0);
        for (std::size_t i = 0; i < size; i += 997) {
            CHECK((static_cast<unsigned char>(f[header + 4 + i]) ^ mask[i % 4]) == 'z');
        }
    }
    CHECK(ws_encode_frame(ws_opcode::pong, "", true, &mask) == std::string("\x8a\x80\x37\xfa\x21\x3d", 6));
}

TEST_CASE("ws_handshake: Sec-WebSocket-Accept, SHA-1, URLs, the request and the answer's head") {
    using namespace bosbase::detail;
    CHECK(websocket_accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 1.3
    const auto abc = sha1("abc");
    CHECK(base64_encode(abc.data(), abc.size()) == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    const auto long_input = sha1(std::string(1000, 'a'));  // more than one block
    CHECK(base64_encode(long_input.data(), long_input.size()) == "KR6abGaZSUm1e6XmUDYemPw2sbo=");
    const unsigned char two[] = {'a', 'b'};
    CHECK(base64_encode(two, 2) == "YWI=");

    const auto url = parse_ws_url("ws://[::1]:8090/api/pubsub?x=1#frag");
    REQUIRE(url);
    CHECK(url->host == "::1");
    CHECK(url->port == "8090");
    CHECK(url->host_header == "[::1]:8090");
    CHECK(url->target == "/api/pubsub?x=1");
    CHECK(parse_ws_url("ws://h")->target == "/");
    CHECK(parse_ws_url("ws://h")->port == "80");
    CHECK_FALSE(parse_ws_url("ws://h")->secure);
    CHECK(parse_ws_url("wss://h/")->secure);
    CHECK(parse_ws_url("WSS://h/")->port == "443");
    CHECK(parse_ws_url("wss://h:8443/x")->port == "8443");
    CHECK_FALSE(parse_ws_url("http://h/"));
    CHECK_FALSE(parse_ws_url("ws://h:0/"));
    CHECK_FALSE(parse_ws_url("ws://h:99999/"));
    CHECK_FALSE(parse_ws_url("ws://u@h/"));
    CHECK_FALSE(parse_ws_url("ws://h/a b"));

    const std::string req = websocket_upgrade_request(*url, {{"Authorization", "t"}, {"host", "evil"}}, "KEY");
    CHECK(req.rfind("GET /api/pubsub?x=1 HTTP/1.1\r\nHost: [::1]:8090\r\n", 0) == 0);
    CHECK(req.find("Sec-WebSocket-Key: KEY\r\n") != std::string::npos);
    CHECK(req.find("Sec-WebSocket-Version: 13\r\n") != std::string::npos);
    CHECK(req.find("Authorization: t\r\n") != std::string::npos);
    CHECK(req.find("evil") == std::string::npos);
    CHECK(req.size() >= 4);
    CHECK(req.substr(req.size() - 4) == "\r\n\r\n");
    CHECK(websocket_upgrade_request(*url, {{"X", "a\r\nInjected: 1"}}, "KEY").empty());

    const auto head = parse_http_head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
                                      "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: " +
                                      websocket_accept_for("KEY"));
    REQUIRE(head);
    CHECK(head->status == 101);
    CHECK(check_websocket_accept(*head, "KEY").empty());
    CHECK_FALSE(check_websocket_accept(*head, "OTHER").empty());
    CHECK_FALSE(parse_http_head("HTTP/2 101\r\n"));
    CHECK_FALSE(parse_http_head("HTTP/1.1 1x1 No\r\n"));
    CHECK(parse_http_head("HTTP/1.1 404")->status == 404);
    // Found by the http_head fuzz harness: a bare CR or LF stayed in a name or value, status 000 became 0.
    CHECK_FALSE(parse_http_head("HTTP/1.1 101 x\r\nUpgrade: websocket\nInjected: 1"));
    CHECK_FALSE(parse_http_head("HTTP/1.1 101 x\r\nUp\rgrade: websocket"));
    CHECK_FALSE(parse_http_head("HTTP/1.1 101 x\nUpgrade: websocket"));
    CHECK_FALSE(parse_http_head("HTTP/1.1 000 Zero"));
    CHECK(parse_http_head("HTTP/1.1 100 Continue\r\n")->status == 100);

    std::string body;
    CHECK_FALSE(http_dechunk("5\r\nhel", body, 100));
    CHECK(http_dechunk("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n", body, 100));
    CHECK(body == "hello world");
    CHECK(http_dechunk("5\r\nhello\r\n6\r\n world\r\n", body, 7));
    CHECK(body == "hello w");
}
