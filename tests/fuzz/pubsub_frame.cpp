// The pub/sub frame parser and frame builder, fed any bytes.
//
// Input: [max depth - 1: byte][topic: length byte + bytes][frame text...].
//
// Contract of bosbase::detail::parse_pubsub_frame: it never throws (but std::bad_alloc);
// it returns a frame exactly when the text is a JSON object (nested no deeper than the
// limit) with a string `type`; each string field of the frame is the member of that name
// when it is a string, else empty; `data` is the member, else null. to_realtime_message
// never throws. A topic check_pubsub_topic accepts goes into a request frame that parses
// back to the same topic and requestId.
#include "fuzz_support.hpp"

namespace {

std::string member(const bosbase::json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::size_t depth = 1 + in.byte() % 64;
        const std::string topic = in.str();
        const std::string text = in.rest();

        const auto frame = bosbase::detail::parse_pubsub_frame(text, depth);
        const auto reference = bosbase::detail::parse_json(text, depth);
        const bool expected = reference && reference->is_object() && reference->contains("type") &&
                              (*reference)["type"].is_string();
        BOSBASE_FUZZ_CHECK_MSG(frame.has_value() == expected, "a frame iff a JSON object with a string type");
        if (frame) {
            const auto& obj = *reference;
            BOSBASE_FUZZ_CHECK(frame->type == member(obj, "type"));
            BOSBASE_FUZZ_CHECK(frame->request_id == member(obj, "requestId"));
            BOSBASE_FUZZ_CHECK(frame->client_id == member(obj, "clientId"));
            BOSBASE_FUZZ_CHECK(frame->id == member(obj, "id"));
            BOSBASE_FUZZ_CHECK(frame->topic == member(obj, "topic"));
            BOSBASE_FUZZ_CHECK(frame->created == member(obj, "created"));
            BOSBASE_FUZZ_CHECK(frame->message == member(obj, "message"));
            BOSBASE_FUZZ_CHECK(frame->data == (obj.contains("data") ? obj["data"] : bosbase::json()));
            const bosbase::pubsub_message m{frame->id, frame->topic, frame->created, frame->data};
            const auto rt = bosbase::detail::to_realtime_message(m);
            if (m.data.is_object() && m.data.contains("payload")) BOSBASE_FUZZ_CHECK(rt.payload == m.data["payload"]);
        }

        bool topic_ok = true;
        try {
            bosbase::detail::check_pubsub_topic(topic);
        } catch (const std::invalid_argument&) {
            topic_ok = false;
        }
        if (topic_ok) {
            const std::string body = frame ? frame->data.dump(-1, ' ', false, bosbase::json::error_handler_t::replace)
                                           : std::string("null");
            const std::string out = bosbase::detail::pubsub_request_frame("publish", &topic, "cpp1", &body);
            const auto back = bosbase::json::parse(out);
            BOSBASE_FUZZ_CHECK(back["topic"] == topic);
            BOSBASE_FUZZ_CHECK(back["requestId"] == "cpp1");
            BOSBASE_FUZZ_CHECK(back["type"] == "publish");
        }
    });
}
