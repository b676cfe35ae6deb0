// Every string a caller passes, at its worst: input that cannot be sent safely is
// refused with std::invalid_argument before any request, quoting no secret; input
// that encoding makes safe goes out encoded.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

using bosbase::json;
using namespace bosbase_test;
using namespace std::string_literals;

namespace {

struct input_case {
    std::string name;
    std::function<void(fake_transport&)> run;  // builds a client and makes one call
    std::string secret;                        // must not appear in what() ("" = none)
};

const std::string base = "http://127.0.0.1:8090";

input_case bad_base_url(const std::string& url, std::string secret = {}) {
    return {"base URL " + url, [url](fake_transport& t) { fake_client pb(url, t); }, std::move(secret)};
}

input_case bad_options(std::string name, std::function<void(bosbase::client_options&)> change, std::string secret = {}) {
    return {std::move(name),
            [change](fake_transport& t) {
                bosbase::client_options o;
                change(o);
                fake_client pb(base, t, o);
                pb.send("GET", "/api/health");
            },
            std::move(secret)};
}

input_case bad_call(std::string name, std::function<void(fake_client&)> call, std::string secret = {}) {
    return {std::move(name),
            [call](fake_transport& t) {
                fake_client pb(base, t);
                call(pb);
            },
            std::move(secret)};
}

bosbase::request_options with_header(std::string name, std::string value) {
    bosbase::request_options o;
    o.headers = {{std::move(name), std::move(value)}};
    return o;
}

std::vector<input_case> refused_inputs() {
    std::vector<input_case> cases = {
        // base URL
        bad_base_url("127.0.0.1:8090"),
        bad_base_url("ftp://127.0.0.1"),
        bad_base_url("http://admin:pw-in-url-secret@127.0.0.1:8090", "pw-in-url-secret"),
        bad_base_url("http://127.0.0.1:0"),
        bad_base_url("http://127.0.0.1:99999"),
        bad_base_url("http://127.0.0.1:-1"),
        bad_base_url("http://127.0.0.1:abc"),
        bad_base_url("http://127.0.0.1:65536"),
        bad_base_url("http://127.0.0.1:"),
        bad_base_url("http://:8090"),
        bad_base_url("http://"),
        bad_base_url("http://127.0.0.1\r\nX-Injected: 1"),
        bad_base_url("http://127.0.0.1\n"),
        bad_base_url("http://127.0\0.0.1"s),
        bad_base_url("http://127.0.0.1 /"),
        bad_base_url("http://127.0.0.1:8090/pre\r\nX-Injected: 1"),
        bad_base_url("http://127.0.0.1:8090/pre fix"),
        bad_base_url("http://127.0.0.1:8090/pre\0fix"s),
        bad_base_url("http://127.0.0.1:8090/?token=url-token-secret", "url-token-secret"),
        bad_base_url("http://127.0.0.1:8090/#frag"),
        // collection names and record ids
        bad_call("collection ''", [](fake_client& pb) { (void)pb.collection("").get_list(); }),
        bad_call("collection '.'", [](fake_client& pb) { (void)pb.collection(".").get_list(); }),
        bad_call("collection '..'", [](fake_client& pb) { pb.collection("..").auth_with_token("tok-secret-1"); },
                 "tok-secret-1"),
        bad_call("record id ''", [](fake_client& pb) { (void)pb.collection("users").get_one(""); }),
        bad_call("record id '.'", [](fake_client& pb) { (void)pb.collection("users").get_one("."); }),
        bad_call("record id '..' (update)", [](fake_client& pb) { pb.collection("users").update("..", json::object()); }),
        bad_call("record id '..' (remove)", [](fake_client& pb) { pb.collection("users").remove(".."); }),
        // client headers and lang
        bad_options("client header name with CR", [](auto& o) { o.headers = {{"X-A\rB", "v"}}; }),
        bad_options("client header name with LF", [](auto& o) { o.headers = {{"X-A\nB", "v"}}; }),
        bad_options("client header name with NUL", [](auto& o) { o.headers = {{"X-A\0B"s, "v"}}; }),
        bad_options("client header name with space", [](auto& o) { o.headers = {{"X A", "v"}}; }),
        bad_options("client header name with colon", [](auto& o) { o.headers = {{"X:A", "v"}}; }),
        bad_options("empty client header name", [](auto& o) { o.headers = {{"", "v"}}; }),
        bad_options("client header value with CR LF",
                    [](auto& o) { o.headers = {{"X-Key", "hdr-secret-1\r\nX-Injected: 1"}}; }, "hdr-secret-1"),
        bad_options("client header value with LF", [](auto& o) { o.headers = {{"X-Key", "hdr-secret-2\n"}}; },
                    "hdr-secret-2"),
        bad_options("client header value with NUL", [](auto& o) { o.headers = {{"X-Key", "hdr-secret-3\0x"s}}; },
                    "hdr-secret-3"),
        bad_options("lang with CR LF", [](auto& o) { o.lang = "en\r\nX-Injected: 1"; }),
        bad_options("lang with NUL", [](auto& o) { o.lang = "en\0"s; }),
        // call headers
        bad_call("call header name with CR LF",
                 [](fake_client& pb) { (void)pb.collection("users").get_list(1, 30, with_header("X\r\nY", "v")); }),
        bad_call("call header name with NUL",
                 [](fake_client& pb) { (void)pb.collection("users").get_list(1, 30, with_header("X\0Y"s, "v")); }),
        bad_call("call header name with space",
                 [](fake_client& pb) { (void)pb.collection("users").get_list(1, 30, with_header("X Y", "v")); }),
        bad_call("call header name with colon",
                 [](fake_client& pb) { (void)pb.collection("users").get_list(1, 30, with_header("X:Y", "v")); }),
        bad_call("empty call header name",
                 [](fake_client& pb) { (void)pb.collection("users").get_list(1, 30, with_header("", "v")); }),
        bad_call("call Authorization value with CR LF",
                 [](fake_client& pb) {
                     (void)pb.collection("users").get_list(1, 30, with_header("Authorization", "call-auth-secret\r\nX: 1"));
                 },
                 "call-auth-secret"),
        bad_call("call header value with NUL",
                 [](fake_client& pb) { pb.send("GET", "/api/x", nullptr, with_header("X-Key", "call-secret-4\0"s)); },
                 "call-secret-4"),
        // paths given to send()
        bad_call("path with CR LF", [](fake_client& pb) { pb.send("GET", "/api/x\r\nX-Injected: 1"); }),
        bad_call("path with LF", [](fake_client& pb) { pb.send("GET", "/api/x\n"); }),
        bad_call("path with NUL", [](fake_client& pb) { pb.send("GET", "/api/\0x"s); }),
        bad_call("path with space", [](fake_client& pb) { pb.send("GET", "/api/x y"); }),
        bad_call("method with CR LF", [](fake_client& pb) { pb.send("GET /x HTTP/1.1\r\n", "/api/x"); }),
        // query
        bad_call("query value not UTF-8",
                 [](fake_client& pb) {
                     bosbase::request_options o;
                     o.query = {{"filter", "q-secret-value-\xff"}};
                     (void)pb.collection("users").get_list(1, 30, o);
                 },
                 "q-secret-value-"),
        bad_call("query key not UTF-8",
                 [](fake_client& pb) {
                     bosbase::request_options o;
                     o.query = {{"k\xfe", "v"}};
                     (void)pb.collection("users").get_list(1, 30, o);
                 }),
        // bodies
        bad_call("extra body that is an array",
                 [](fake_client& pb) { pb.collection("users").bind_custom_token("u@x.io", "pw-secret-77", "tok-secret-77", json::array({1})); },
                 "pw-secret-77"),
        bad_call("extra body that is a string",
                 [](fake_client& pb) { pb.collection("users").auth_with_token("tok-secret-78", json("s")); },
                 "tok-secret-78"),
        bad_call("extra body that is a number", [](fake_client& pb) { pb.collection("users").create(json(5)); }),
        bad_call("body string not UTF-8",
                 [](fake_client& pb) { pb.collection("users").create({{"name", "body-secret-\xc3"}}); }, "body-secret-"),
        bad_call("body key not UTF-8", [](fake_client& pb) { pb.send("POST", "/api/x", {{"k\xff", 1}}); }),
        // secrets
        bad_call("password not UTF-8",
                 [](fake_client& pb) { pb.collection("users").bind_custom_token("u@x.io", "pw-secret-\xff-1", "tok-secret-80"); },
                 "pw-secret-"),
        bad_call("custom token not UTF-8",
                 [](fake_client& pb) { pb.collection("users").unbind_custom_token("u@x.io", "pw-secret-81", "tok-secret-\xfe"); },
                 "tok-secret-"),
        bad_call("email not UTF-8",
                 [](fake_client& pb) { pb.collection("users").bind_custom_token("u\xff@x.io", "pw-secret-82", "tok-secret-82"); },
                 "pw-secret-82"),
        bad_call("sign-in token not UTF-8",
                 [](fake_client& pb) { pb.collection("users").auth_with_token("tok-secret-\xc0\xaf"); }, "tok-secret-"),
        bad_call("password sign-in not UTF-8",
                 [](fake_client& pb) { pb.collection("users").auth_with_password("u@x.io", "pw-secret-\xed\xa0\x80"); },
                 "pw-secret-"),
        bad_call("stored token with CR LF",
                 [](fake_client& pb) { pb.auth_store().save("store-secret-1\r\nX-Injected: 1", json::object()); },
                 "store-secret-1"),
        bad_call("stored token with LF", [](fake_client& pb) { pb.auth_store().save("store-secret-2\n", json::object()); },
                 "store-secret-2"),
        bad_call("stored token with NUL", [](fake_client& pb) { pb.auth_store().save("store-secret-3\0"s, json::object()); },
                 "store-secret-3"),
    };
    return cases;
}

}  // namespace

TEST_CASE("bad caller input is refused with invalid_argument, before any request, quoting no secret") {
    for (const auto& c : refused_inputs()) {
        CAPTURE(c.name);
        fake_transport t;
        try {
            c.run(t);
            FAIL_CHECK("accepted");
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            CHECK(what.rfind("bosbase: ", 0) == 0);
            if (!c.secret.empty()) CHECK_MESSAGE(what.find(c.secret) == std::string::npos, what);
        } catch (const std::exception& e) {
            FAIL_CHECK("threw " << std::string(typeid(e).name()) << ": " << std::string(e.what()));
        }
        CHECK(t.count() == 0);
    }
}

TEST_CASE("a refused stored token leaves the store as it was") {
    fake_transport t;
    fake_client pb(base, t);
    const std::string jwt = sign_in(pb, t);
    CHECK_THROWS_AS(pb.auth_store().save("a\r\nb", json::object()), std::invalid_argument);
    CHECK(pb.auth_store().token() == jwt);
}

TEST_CASE("control bytes that percent-encoding makes safe are sent, encoded") {
    fake_transport t;
    fake_client pb(base, t);
    t.reply_json(200, {{"items", json::array()}});
    bosbase::request_options o;
    o.query = {{"a\r\nb", "c\r\n\0d"s}};
    o.expand = "x\r\ny";
    (void)pb.collection("us\r\ners\0"s).get_list(1, 30, o);
    REQUIRE(t.count() == 1);
    const std::string target = t.last().target;
    CHECK(target.find_first_of("\r\n"s + '\0') == std::string::npos);
    CHECK(target.rfind("/api/collections/us%0D%0Aers%00/records?", 0) == 0);
    CHECK(target.find("a%0D%0Ab=c%0D%0A%00d") != std::string::npos);
    CHECK(target.find("expand=x%0D%0Ay") != std::string::npos);

    t.reply_json(200, {{"id", "a\nb"}});
    (void)pb.collection("users").get_one("a\r\n\0b"s);
    CHECK(t.last().target == "/api/collections/users/records/a%0D%0A%00b");
}

TEST_CASE("object_body: null is an empty object, an object is kept, anything else is refused by name and type") {
    using bosbase::detail::object_body;
    CHECK(object_body(nullptr, "a collection body") == json::object());
    CHECK(object_body(json{{"a", 1}}, "a collection body") == json{{"a", 1}});
    CHECK_NOTHROW(bosbase::detail::require_object_body(nullptr, "GraphQL variables"));
    CHECK_THROWS_WITH_AS(object_body(json::array(), "a collection body"),
                         "bosbase: a collection body must be a JSON object, got array", std::invalid_argument);
    CHECK_THROWS_WITH_AS(bosbase::detail::require_object_body("text", "OAuth2 create_data"),
                         "bosbase: OAuth2 create_data must be a JSON object, got string", std::invalid_argument);
}
