// The packaging consumer: one program built every way users get the SDK
// (copied header, add_subdirectory, FetchContent, find_package, pkg-config,
// Conan's test_package). It needs no server and no network.
#include <bosbase.hpp>
// Routes that offer both spellings define this; one include guard covers both.
#ifdef BOSBASE_CONSUMER_BOTH_SPELLINGS
#include <bosbase/bosbase.hpp>
#endif

#include <iostream>
#include <string>

namespace {

// A custom transport: answers the custom-token sign-in from memory.
struct canned_transport {
    bosbase::http_response send(const bosbase::http_request& req) {
        if (req.method == "POST" && req.target == "/api/collections/users/auth-with-token") {
            // token payload {"exp":4102444800} = 2100-01-01
            return {200, {}, R"({"record":{"id":"r1","collectionName":"users"},"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"})"};
        }
        return {404, {}, R"({"status":404,"message":"not found","data":{}})"};
    }
};

}  // namespace

int main() {
    // 1. The custom-transport flow: sign in with a token, the auth store keeps it.
    bosbase::basic_bosbase<canned_transport> fake("http://127.0.0.1:8090");
    const auto auth = fake.collection("users").auth_with_token("tok");
    if (auth["record"]["id"] != "r1" || !fake.auth_store().is_valid()) {
        std::cerr << "custom transport flow failed\n";
        return 1;
    }

    // 2. The default client over cpp-httplib: a refused connection (port 1) is
    //    reported as ClientResponseError with status 0. This links and runs httplib.
    bosbase::BosBase pb("http://127.0.0.1:1", bosbase::client_options{"en-US", std::chrono::milliseconds(2000)});
    try {
        (void)pb.collection("users").get_one("r1");  // only its exception matters
        std::cerr << "expected a connection error\n";
        return 1;
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 0) {
            std::cerr << "unexpected status " << e.status() << "\n";
            return 1;
        }
    }

    std::cout << "bosbase " << BOSBASE_VERSION << " ok\n";
    return 0;
}
