// The SSE parser of realtime, fed the same bytes whole and in fuzz-chosen pieces.
//
// Input: [cap: u16][split count][split sizes, one byte each][stream bytes...].
// The event cap is 16 + cap bytes, so small caps are reached often.
//
// Contract of bosbase::detail::sse_parser: it never throws (but std::bad_alloc);
// the events and the error do not depend on how the bytes were split; it fails
// only with a non-empty error(), after which it accepts nothing; no event's data
// is larger than the cap; an event name is never empty.
#include "fuzz_support.hpp"

namespace {

struct outcome {
    std::vector<bosbase::detail::sse_event> events;
    std::string error;
    std::optional<std::chrono::milliseconds> retry;
};

outcome parse(std::size_t cap, const std::vector<std::string_view>& pieces) {
    bosbase::detail::sse_parser parser(cap);
    outcome out;
    for (std::string_view piece : pieces) {
        const bool ok = parser.feed(piece, [&](const bosbase::detail::sse_event& e) {
            out.events.push_back(e);
            return true;
        });
        if (!ok) {
            BOSBASE_FUZZ_CHECK_MSG(!parser.error().empty(), "feed() failed without saying why");
            BOSBASE_FUZZ_CHECK_MSG(!parser.feed("data:x\n\n", [](const auto&) { return true; }),
                                   "a failed parser accepted more input");
            break;
        }
    }
    out.error = parser.error();
    out.retry = parser.retry();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::size_t cap = 16 + in.u16();
        std::vector<std::size_t> sizes(in.byte());
        for (auto& s : sizes) s = in.byte();
        const std::string stream = in.rest();

        const outcome whole = parse(cap, {stream});
        std::vector<std::string_view> pieces;
        std::size_t pos = 0;
        for (std::size_t s : sizes) {
            if (pos >= stream.size()) break;
            const std::size_t n = std::min(s, stream.size() - pos);
            pieces.push_back(std::string_view(stream).substr(pos, n));
            pos += n;
        }
        if (pos < stream.size()) pieces.push_back(std::string_view(stream).substr(pos));
        const outcome split = parse(cap, pieces);

        BOSBASE_FUZZ_CHECK_MSG(whole.error == split.error, "the error depends on the split: '" + whole.error +
                                                               "' vs '" + split.error + "'");
        BOSBASE_FUZZ_CHECK_MSG(whole.events.size() == split.events.size(), "the events depend on the split");
        for (std::size_t i = 0; i < whole.events.size(); ++i) {
            const auto& a = whole.events[i];
            const auto& b = split.events[i];
            BOSBASE_FUZZ_CHECK_MSG(a.event == b.event && a.data == b.data && a.id == b.id,
                                   "event " + std::to_string(i) + " depends on the split");
            BOSBASE_FUZZ_CHECK(!a.event.empty());
            BOSBASE_FUZZ_CHECK_MSG(a.data.size() <= cap, "an event is larger than the cap");
        }
        BOSBASE_FUZZ_CHECK(whole.retry == split.retry);
    });
}
