// Realtime with a transport that only has send(): must fail to compile with the
// readable static_assert text (checked by CTest test realtime_needs_streaming_transport).
#include <bosbase.hpp>

struct send_only_transport {
    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, {}}; }
};

int main() {
    bosbase::basic_bosbase<send_only_transport> pb("http://127.0.0.1:8090", send_only_transport{});
    auto sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
}
