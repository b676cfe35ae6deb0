// The WebSocket client's HTTP/1 readers (detail/ws_handshake.hpp): parse_http_head, fed the
// server's answer to the upgrade or a proxy's answer to CONNECT, and http_dechunk, fed the
// chunked body of a refusal.
//
// Input: [mode][rest]
//   mode % 4 == 0: the rest is a head as a hostile peer sends it (without its blank line).
//   mode % 4 == 1: the rest is a script of a well-formed head: [status: 2 bytes][reason: s8]
//                  then per header [flags][name: s8][value: s8]; flags & 1 a space after the colon.
//   mode % 4 == 2: [cap: 2 bytes][cut: 2 bytes][rest: chunked bytes as they are].
//   mode % 4 == 3: [cap: 2 bytes][seed][body: s16][rest: trailer bytes]; the body is encoded in
//                  chunks split by the seed (sizes in either case of hex, some with leading zeros
//                  or an extension), ended by "0\r\n" and a trailer.
//
// Contract of parse_http_head: it never throws (but std::bad_alloc); a head it returns has a
// status from 100 to 999 and header names (never empty) and values without CR or LF, the values
// without spaces or tabs at either end; a well-formed head comes back as it went in.
// Contract of http_dechunk: it never throws (but std::bad_alloc) and never puts more than `cap`
// bytes out; what it decodes from a prefix of the bytes is a prefix of what it decodes from all
// of them, and once it says true (whole, cap reached or broken) more bytes change nothing. A
// valid encoding, whole, gives true and the body cut to the cap; any prefix of it gives a prefix.
#include "fuzz_support.hpp"

#include <bosbase/detail/ws_handshake.hpp>  // a part of the WebSocket's code, which only its definitions include

namespace {

using bosbase::detail::http_dechunk;
using bosbase::detail::parse_http_head;

bool has_cr_lf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

void check_head(std::string_view text) {
    const auto head = parse_http_head(text);
    if (!head) return;
    BOSBASE_FUZZ_CHECK_MSG(head->status >= 100 && head->status <= 999, std::to_string(head->status));
    for (const auto& h : head->headers) {
        BOSBASE_FUZZ_CHECK(!h.first.empty());
        BOSBASE_FUZZ_CHECK_MSG(!has_cr_lf(h.first), "a header name with CR or LF");
        BOSBASE_FUZZ_CHECK_MSG(!has_cr_lf(h.second), h.first + " has CR or LF in its value");
        BOSBASE_FUZZ_CHECK(h.second.empty() || (!is_blank(h.second.front()) && !is_blank(h.second.back())));
    }
}

void round_trip_head(bosbase_fuzz::byte_reader& in) {
    const int status = 100 + in.u16() % 900;
    std::string reason = in.str();
    reason.erase(std::remove_if(reason.begin(), reason.end(), [](char c) { return c == '\r' || c == '\n'; }),
                 reason.end());
    std::string text = "HTTP/1.1 " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
    std::vector<std::pair<std::string, std::string>> sent;
    while (!in.empty()) {
        const std::uint8_t flags = in.byte();
        std::string name = in.str();
        for (char& c : name) {
            if (!bosbase_fuzz::is_token(std::string_view(&c, 1))) c = 'x';
        }
        if (name.empty()) name = "X";
        std::string value = in.str();
        value.erase(std::remove_if(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; }),
                    value.end());
        text += "\r\n" + name + ":" + ((flags & 1) ? " " : "") + value;
        while (!value.empty() && is_blank(value.front())) value.erase(0, 1);
        while (!value.empty() && is_blank(value.back())) value.pop_back();
        sent.emplace_back(std::move(name), std::move(value));
    }
    check_head(text);
    const auto head = parse_http_head(text);
    BOSBASE_FUZZ_CHECK_MSG(head.has_value(), "a well-formed head refused");
    BOSBASE_FUZZ_CHECK(head->status == status);
    BOSBASE_FUZZ_CHECK_MSG(head->headers == sent, "the headers did not come back as sent");
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Decodes `raw` and a cut of it, and checks the cap and the prefix promises; returns the whole's result.
bool dechunk_checked(std::string_view raw, std::size_t cut, std::size_t cap, std::string& out) {
    const bool done = http_dechunk(raw, out, cap);
    BOSBASE_FUZZ_CHECK_MSG(out.size() <= cap, "more than the cap came out");
    std::string part = "stale";
    const bool part_done = http_dechunk(raw.substr(0, std::min(cut, raw.size())), part, cap);
    BOSBASE_FUZZ_CHECK_MSG(part.size() <= cap, "more than the cap came out of a prefix");
    BOSBASE_FUZZ_CHECK_MSG(starts_with(out, part), "a prefix decoded to what the whole does not start with");
    if (part_done) {
        BOSBASE_FUZZ_CHECK_MSG(done && part == out, "bytes after the end changed the result");
    }
    return done;
}

std::string hex(std::size_t n, bool upper) {
    static const char* const digits[] = {"0123456789abcdef", "0123456789ABCDEF"};
    std::string out;
    do {
        out.insert(out.begin(), digits[upper ? 1 : 0][n % 16]);
        n /= 16;
    } while (n != 0);
    return out;
}

void round_trip_chunks(bosbase_fuzz::byte_reader& in) {
    const std::size_t cap = in.u16();
    std::minstd_rand pick(in.byte() + 1u);
    const std::string body = in.str16();
    const std::string trailer = in.rest();
    std::string raw;
    for (std::size_t at = 0; at < body.size();) {
        const std::size_t n = std::min(body.size() - at, std::size_t{1} + pick() % 300);
        const auto style = pick();
        raw += std::string(style % 3, '0') + hex(n, (style >> 2) & 1) + (((style >> 3) & 1) ? ";ext=\"a b\"" : "") +
               "\r\n" + body.substr(at, n) + "\r\n";
        at += n;
    }
    raw += "0\r\n" + trailer;
    std::string out;
    const std::size_t cut = pick() % (raw.size() + 1);
    BOSBASE_FUZZ_CHECK_MSG(dechunk_checked(raw, cut, cap, out), "a whole valid encoding was not done");
    BOSBASE_FUZZ_CHECK_MSG(out == body.substr(0, std::min(cap, body.size())), "the body did not come back");
    std::string part;
    (void)http_dechunk(std::string_view(raw).substr(0, cut), part, cap);
    BOSBASE_FUZZ_CHECK_MSG(starts_with(body, part), "a prefix of a valid encoding decoded to something else");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        switch (in.byte() % 4) {
        case 0: check_head(in.rest()); break;
        case 1: round_trip_head(in); break;
        case 2: {
            const std::size_t cap = in.u16();
            const std::size_t cut = in.u16();
            std::string out;
            (void)dechunk_checked(in.rest(), cut, cap, out);
            break;
        }
        default: round_trip_chunks(in); break;
        }
    });
}
