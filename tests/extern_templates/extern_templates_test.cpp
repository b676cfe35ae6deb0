// Built with BOSBASE_EXTERN_TEMPLATES: this TU only sees declarations of the
// client for the default transport; instantiations.cpp holds them. The test
// links only if that split is complete, and the call must behave as usual.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <string>

TEST_CASE("split compilation: a call through the externally instantiated client") {
    bosbase::client_options options;
    options.connect_timeout = std::chrono::seconds(2);
    const bosbase::BosBase pb("http://127.0.0.1:1", options);  // nothing listens on port 1
    try {
        pb.collection("users").auth_with_token("custom-token-123");
        FAIL("expected a connection failure");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::connect);
        CHECK(std::string(e.what()).find("custom-token-123") == std::string::npos);
    }
    CHECK_THROWS_AS(pb.health().check(), bosbase::ClientResponseError);
}
