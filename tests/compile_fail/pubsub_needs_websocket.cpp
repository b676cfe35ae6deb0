// Pub/sub with a transport that has no WebSocket call must fail to compile with the
// readable static_assert text (CTest test pubsub_needs_websocket_transport), while the
// rest of the client, realtime included, builds. The default transport built with
// BOSBASE_HTTPLIB_WEBSOCKET=0 is such a transport.
#include <bosbase.hpp>

struct stream_only_transport {
    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, {}}; }
    bosbase::http_response stream(const bosbase::http_request&, const bosbase::stream_handler&) {
        return {204, {}, {}};
    }
};

int main() {
    bosbase::basic_bosbase<stream_only_transport> pb("http://127.0.0.1:8090", stream_only_transport{});
    auto sub = pb.realtime().subscribe("posts/*", [](const bosbase::realtime_event&) {});
    (void)pb.pubsub().publish("chat", {{"text", "hi"}});
}
