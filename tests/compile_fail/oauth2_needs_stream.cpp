// auth_with_oauth2 with a transport that only has send(): must fail to compile with the
// readable static_assert text (checked by CTest test oauth2_needs_streaming_transport).
#include <bosbase.hpp>

struct send_only_transport {
    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, {}}; }
};

int main() {
    bosbase::basic_bosbase<send_only_transport> pb("http://127.0.0.1:8090", send_only_transport{});
    (void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) {});
}
