// Every status a transport can hand back, with every kind of body, through the fake
// transport: transport-independent rules of what counts as success.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <climits>
#include <string>
#include <vector>

using bosbase::ClientResponseError;
using bosbase::error_kind;
using bosbase::json;
using namespace bosbase_test;

namespace {

const std::string password = "table-password-secret";
const std::string custom_token = "table-custom-token-secret";

const std::vector<int> statuses = {INT_MIN, -1,  0,   1,   99,  100, 101, 102, 103, 150, 199, 200, 201, 202,
                                   203,     204, 206, 226, 299, 300, 301, 302, 303, 304, 305, 307, 308, 399,
                                   400,     401, 403, 404, 409, 418, 429, 499, 500, 502, 503, 504, 599, 600,
                                   999,     1000, 65536, INT_MAX};

struct body_case {
    const char* name;
    std::string body;
};

const std::vector<body_case> bodies = {
    {"empty", ""},
    {"envelope", R"({"data":{},"message":"Something.","status":400})"},
    {"auth", auth_response(valid_auth_token()).dump()},
    {"array", "[1,2]"},
    {"html", "<html>oops</html>"},
    {"invalid utf-8", "\xff\xfe{"},
    {"cut utf-8", std::string(511, 'x') + "\xc3\xa9\xc3"},
    {"deep", std::string(5000, '[') + std::string(5000, ']')},
};

bool is_2xx(int status) { return status >= 200 && status <= 299; }

enum class call { bind, unbind, auth, list, send };
const char* call_name(call c) {
    switch (c) {
    case call::bind: return "bind_custom_token";
    case call::unbind: return "unbind_custom_token";
    case call::auth: return "auth_with_token";
    case call::list: return "get_list";
    case call::send: return "send";
    }
    return "?";
}

// Runs one call against one canned answer and checks the rules every call shares.
void check_one(call which, int status, const body_case& body) {
    CAPTURE(call_name(which));
    CAPTURE(status);
    CAPTURE(body.name);
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string stored = sign_in(pb, t);
    const std::string location = "http://127.0.0.1:8090/elsewhere";
    t.s->script.push_back([&](const bosbase::http_request&) {
        return bosbase::http_response{status, {{"Location", location}, {"Content-Type", "text/plain"}}, body.body};
    });
    bool succeeded = false;
    try {
        auto users = pb.collection("users");
        switch (which) {
        case call::bind: users.bind_custom_token("u@x.io", password, custom_token); break;
        case call::unbind: users.unbind_custom_token("u@x.io", password, custom_token); break;
        case call::auth: users.auth_with_token(custom_token); break;
        case call::list: (void)users.get_list(); break;
        case call::send: pb.send("GET", "/api/anything"); break;
        }
        succeeded = true;
    } catch (const ClientResponseError& e) {
        INFO("what(): " << std::string(e.what()));
        std::string dump;
        CHECK_NOTHROW(dump = e.response().dump());
        const std::string texts = std::string(e.what()) + e.url() + dump;
        CHECK(texts.find(password) == std::string::npos);
        CHECK(texts.find(custom_token) == std::string::npos);
        CHECK(texts.find(stored) == std::string::npos);
        if (!is_2xx(status)) {
            // The real status, whatever it is; a transport's nonsense status may instead be
            // reported as status 0 with invalid_response.
            const bool nonsense = status < 100 || status > 999;
            CHECK((e.status() == status || (nonsense && e.status() == 0 &&
                                             e.error_kind() == error_kind::invalid_response)));
            if (status >= 300 && status <= 399) {
                CHECK(e.response().value("location", std::string()) == location);
            }
        } else {
            CHECK(e.status() == status);
            CHECK(e.error_kind() == error_kind::invalid_response);
        }
    } catch (const std::exception& e) {
        FAIL_CHECK("escaped " << typeid(e).name() << ": " << e.what());
    }
    if (!is_2xx(status)) {
        CHECK_MESSAGE(!succeeded, "a non-2xx answer looked like success");
    } else if (which == call::bind || which == call::unbind) {
        CHECK(succeeded);  // the body of a 2xx bind or unbind is not read
    } else if (which == call::auth) {
        CHECK(succeeded == (std::string(body.name) == "auth"));
    } else {
        const bool json_body = body.body.empty() || std::string(body.name) == "envelope" ||
                               std::string(body.name) == "auth" || std::string(body.name) == "array";
        CHECK(succeeded == json_body);
    }
    // A failed sign-in leaves the store alone; any other call never touches it.
    if (!(which == call::auth && succeeded)) CHECK(pb.auth_store().token() == stored);
}

void check_table(call which) {
    for (int status : statuses) {
        for (const auto& body : bodies) check_one(which, status, body);
    }
}

}  // namespace

TEST_CASE("status table: bind_custom_token succeeds on 2xx only, with the real status otherwise") { check_table(call::bind); }
TEST_CASE("status table: unbind_custom_token never mistakes a 3xx (or anything but 2xx) for a revoke") {
    check_table(call::unbind);
}
TEST_CASE("status table: auth_with_token stores only a 2xx with token and record") { check_table(call::auth); }
TEST_CASE("status table: get_list succeeds on a 2xx JSON body only") { check_table(call::list); }
TEST_CASE("status table: send succeeds on a 2xx JSON body only") { check_table(call::send); }
