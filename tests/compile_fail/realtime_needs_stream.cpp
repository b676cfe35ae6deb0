// Realtime with a transport that only has send(): pb.realtime() knows the transport's
// type, so it must fail to compile with the readable static_assert text (checked by
// CTest test realtime_needs_streaming_transport). The calls that reach realtime through
// a service (collection().subscribe, auth_with_oauth2) check at run time instead
// (tests/unit/custom_transport_test.cpp).
#include <bosbase.hpp>

struct send_only_transport {
    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, {}}; }
};

int main() {
    bosbase::basic_bosbase<send_only_transport> pb("http://127.0.0.1:8090", send_only_transport{});
    auto sub = pb.realtime().subscribe("posts/*", [](const bosbase::realtime_event&) {});
}
