// Clients and services share one state: nothing dangles, clients move, hooks apply.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <memory>
#include <type_traits>

using bosbase::json;
using namespace bosbase_test;

static_assert(std::is_nothrow_move_constructible_v<fake_client>, "clients move");
static_assert(!std::is_copy_constructible_v<fake_client>, "a copy would silently share one identity");

TEST_CASE("a service outlives its client") {
    fake_transport t;
    auto pb = std::make_unique<fake_client>("http://127.0.0.1:8090", t);
    auto users = pb->collection("users");
    pb.reset();  // the seed's use-after-free
    t.reply_json(200, {{"items", json::array()}});
    CHECK(users.get_list()["items"].is_array());
    CHECK(t.last().target == "/api/collections/users/records?page=1&perPage=30");
}

TEST_CASE("a moved client keeps its identity and the moved-from one refuses clearly") {
    fake_transport t;
    fake_client a("http://127.0.0.1:8090", t);
    const std::string jwt = sign_in(a, t);
    auto users = a.collection("users");
    fake_client b(std::move(a));
    CHECK(b.auth_store().token() == jwt);
    CHECK(misuse_error([&] { a.send("GET", "/api/health"); }) == "logic_error");  // NOLINT(bugprone-use-after-move)
    t.reply_json(200, json::object());
    (void)users.get_one("r1");
    CHECK(header(t.last(), "Authorization") == jwt);  // the service follows the moved state
}

TEST_CASE("a const client hands out services") {
    fake_transport t;
    const fake_client pb("http://127.0.0.1:8090", t);
    t.reply(204);
    pb.collection("users").bind_custom_token("a@b.io", "password1", "custom-token");
    CHECK(t.last().target == "/api/collections/users/bind-token");
}

TEST_CASE("impersonate: a new client signed in as the record, sharing the transport") {
    fake_transport t;
    auto admin = std::make_unique<fake_client>("http://127.0.0.1:8090", t);
    t.reply_json(200, auth_response(valid_auth_token("pbc_3142635823"), "_superusers"));
    admin->collection("_superusers").auth_with_password("admin@x.io", "admin-password");
    const std::string admin_token = admin->auth_store().token();

    const std::string user_token = valid_auth_token();
    t.reply_json(200, auth_response(user_token));
    fake_client as_user = admin->collection("users").impersonate("r1", 3600);
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/collections/users/impersonate/r1");
    CHECK(json::parse(t.last().body) == json{{"duration", 3600}});
    CHECK(header(t.last(), "Authorization") == admin_token);  // sent as the superuser
    CHECK(as_user.auth_store().token() == user_token);
    CHECK(admin->auth_store().token() == admin_token);        // the superuser stays signed in

    admin.reset();  // the impersonated client does not depend on the superuser's
    t.reply_json(200, json::object());
    (void)as_user.collection("posts").get_one("p1");
    CHECK(header(t.last(), "Authorization") == user_token);
    CHECK(t.count() == 3);  // one transport state for both clients

    CHECK_THROWS_AS(as_user.collection("users").impersonate("r1", -1), std::invalid_argument);
}

TEST_CASE("before_send changes what goes out and after_send sees every response") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    pb.before_send([](bosbase::http_request& req) {
        req.method = "PUT";
        req.target = "/api/other?x=1";
        req.headers.emplace_back("X-Trace", "abc");
        req.body = R"({"changed":true})";
        req.content_type = "application/json";
    });
    std::vector<int> seen;
    pb.after_send([&](const bosbase::http_request&, bosbase::http_response& res) {
        seen.push_back(res.status);
        if (res.status == 200) res.body = R"({"rewritten":1})";
    });
    t.reply_json(200, {{"original", 1}});
    CHECK(pb.send("GET", "/api/x") == json{{"rewritten", 1}});
    CHECK(t.last().method == "PUT");
    CHECK(t.last().target == "/api/other?x=1");
    CHECK(header(t.last(), "X-Trace") == "abc");
    CHECK(t.last().body == R"({"changed":true})");

    t.reply_json(404, {{"message", "nope"}});
    CHECK_THROWS_AS(pb.send("GET", "/api/x"), bosbase::ClientResponseError);
    CHECK(seen == std::vector<int>{200, 404});

    // What a hook hands back is checked like caller input.
    pb.before_send([](bosbase::http_request& req) { req.headers.emplace_back("X-Bad", "a\r\nInjected: 1"); });
    CHECK_THROWS_AS(pb.send("GET", "/api/x"), std::invalid_argument);
    CHECK(t.count() == 2);

    pb.before_send(nullptr);
    pb.after_send(nullptr);
    t.reply_json(200, {{"original", 1}});
    CHECK(pb.send("GET", "/api/x") == json{{"original", 1}});
}
