// Built with only single_include/ on the include path: the generated header
// must work on its own, with nothing but nlohmann/json and cpp-httplib.
#include <bosbase/bosbase.hpp>

#include <doctest/doctest.h>

namespace {
struct echo_transport {
    bosbase::http_response send(const bosbase::http_request& req) {
        if (req.target.find("auth-with-token") != std::string::npos) {
            return {200, {}, R"({"record":{"id":"r1","collectionName":"users"},"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"})"};
        }
        return {204, {}, ""};
    }
};
}  // namespace

TEST_CASE("the single header carries the whole token flow") {
    bosbase::basic_bosbase<echo_transport> pb("http://127.0.0.1:8090");
    pb.collection("users").bind_custom_token("u@x.io", "pw", "tok", {}, {});
    auto auth = pb.collection("users").auth_with_token("tok", {}, {}, std::nullopt);
    CHECK(auth["record"]["id"] == "r1");
    CHECK(pb.auth_store().is_valid());
    pb.collection("users").unbind_custom_token("u@x.io", "pw", "tok", {}, {});
    CHECK(std::string(BOSBASE_VERSION) == std::to_string(BOSBASE_VERSION_MAJOR) + "." +
                                              std::to_string(BOSBASE_VERSION_MINOR) + "." +
                                              std::to_string(BOSBASE_VERSION_PATCH));
}

TEST_CASE("the single header's default client type exists") {
    bosbase::BosBase pb("http://127.0.0.1:8090");
    CHECK(pb.base_url() == "http://127.0.0.1:8090");
}
