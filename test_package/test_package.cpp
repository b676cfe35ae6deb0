// Conan test_package: find_package(bosbase), link bosbase::bosbase, run both transports.
#include <bosbase.hpp>
#include <bosbase/bosbase.hpp>  // the package offers both spellings

#include <chrono>
#include <iostream>

namespace {
struct canned_transport {
    bosbase::http_response send(const bosbase::http_request&) {
        return {200, {}, R"({"record":{"id":"r1"},"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"})"};
    }
};
}  // namespace

int main() {
    bosbase::basic_bosbase<canned_transport> fake("http://127.0.0.1:8090");
    fake.collection("users").auth_with_token("tok");
    if (!fake.auth_store().is_valid()) return 1;

    // The cpp-httplib transport: a refused connection must come back as status 0.
    bosbase::BosBase pb("http://127.0.0.1:1", bosbase::client_options{"en-US", std::chrono::milliseconds(2000)});
    try {
        pb.send("GET", "/api/health");
        return 1;
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 0) return 1;
    }
    std::cout << "bosbase " << BOSBASE_VERSION << " from Conan: ok\n";
    return 0;
}
