// Pub/sub with the default transport over a cpp-httplib without a usable WebSocket client
// (Debian 12's 0.11.4): must fail to compile with the readable static_assert text
// (checked by CTest test pubsub_needs_websocket_transport), while realtime and the rest build.
#include <bosbase.hpp>

int main() {
    bosbase::BosBase pb("http://127.0.0.1:8090");
    auto sub = pb.realtime().subscribe("posts/*", [](const bosbase::realtime_event&) {});
    (void)pb.pubsub().publish("chat", {{"text", "hi"}});
}
