// The three custom-token calls build exactly the requests of the protocol sheet (§3).
#include <doctest/doctest.h>
#include <fake_transport.hpp>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("bind_custom_token posts email, password and token as JSON") {
    for (const std::string collection : {"users", "_superusers"}) {
        CAPTURE(collection);
        fake_transport t;
        fake_client pb("http://127.0.0.1:8090", t);
        t.reply(204);

        pb.collection(collection).bind_custom_token("user@example.com", "user-password", "my-app-token", {}, {});

        REQUIRE(t.count() == 1);
        const auto& req = t.last();
        CHECK(req.method == "POST");
        CHECK(req.origin == "http://127.0.0.1:8090");
        CHECK(req.target == "/api/collections/" + collection + "/bind-token");
        CHECK(req.content_type == "application/json");
        CHECK(json::parse(req.body) ==
              json{{"email", "user@example.com"}, {"password", "user-password"}, {"token", "my-app-token"}});
        CHECK(header(req, "Authorization") == "<absent>");
        CHECK(header(req, "Accept-Language") == "<absent>");  // only when client_options::lang is set
        CHECK(header(req, "Accept") == "<absent>");  // the JS SDK sends none either
    }
}

TEST_CASE("unbind_custom_token posts the same body to unbind-token") {
    for (const std::string collection : {"users", "_superusers"}) {
        CAPTURE(collection);
        fake_transport t;
        fake_client pb("http://127.0.0.1:8090", t);
        t.reply(204);

        pb.collection(collection).unbind_custom_token("admin@example.com", "admin-password", "tok", {}, {});

        const auto& req = t.last();
        CHECK(req.method == "POST");
        CHECK(req.target == "/api/collections/" + collection + "/unbind-token");
        CHECK(json::parse(req.body) ==
              json{{"email", "admin@example.com"}, {"password", "admin-password"}, {"token", "tok"}});
    }
}

TEST_CASE("bind: the extra body is merged and the method's own fields win") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(204);

    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok", {{"token", "other"}, {"device", "phone"}},
                                             {{"lang", "de"}});

    CHECK(json::parse(t.last().body) == json{{"email", "a@b.io"}, {"password", "pw"}, {"token", "tok"}, {"device", "phone"}});
    CHECK(t.last().target == "/api/collections/users/bind-token?lang=de");
}

TEST_CASE("bind: a body that is not a JSON object is refused before sending") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    CHECK_THROWS_WITH_AS(pb.collection("users").bind_custom_token("a@b.io", "pw", "tok", json::array({1})),
                         "bosbase: an extra request body must be a JSON object, got array", std::invalid_argument);
    CHECK(t.count() == 0);
}

TEST_CASE("auth_with_token posts the token and saves token and record in the auth store") {
    for (const std::string collection : {"users", "_superusers"}) {
        CAPTURE(collection);
        fake_transport t;
        fake_client pb("http://127.0.0.1:8090", t);
        const std::string jwt = valid_auth_token(collection == "users" ? "_pb_users_auth_" : "pbc_3142635823");
        t.reply_json(200, auth_response(jwt, collection));

        auto auth = pb.collection(collection).auth_with_token("my-app-token", {}, {}, std::nullopt);

        const auto& req = t.last();
        CHECK(req.method == "POST");
        CHECK(req.target == "/api/collections/" + collection + "/auth-with-token");
        CHECK(json::parse(req.body) == json{{"token", "my-app-token"}});
        CHECK(auth["token"] == jwt);
        CHECK(auth["record"]["collectionName"] == collection);
        CHECK(pb.auth_store().token() == jwt);
        CHECK(pb.auth_store().record() == auth["record"]);
        CHECK(pb.auth_store().is_valid());
        CHECK(pb.auth_store().is_superuser() == (collection == "_superusers"));
    }
}

TEST_CASE("auth_with_token: every argument after the token has a default") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, auth_response(valid_auth_token()));
    auto auth = pb.collection("users").auth_with_token("t");
    CHECK(auth.contains("record"));
    CHECK(t.last().target == "/api/collections/users/auth-with-token");
}

TEST_CASE("auth_with_token: options add expand, fields, headers and a timeout") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, auth_response(valid_auth_token()));

    bosbase::request_options opts;
    opts.expand = "team,team.owner";
    opts.fields = "token,record.id";
    opts.headers = {{"X-Trace", "abc"}};
    opts.timeout = std::chrono::milliseconds(1500);
    pb.collection("users").auth_with_token("tok", {{"mfaId", "m1"}}, {{"a", "1 2"}}, opts);

    const auto& req = t.last();
    CHECK(req.target ==
          "/api/collections/users/auth-with-token?a=1%202&expand=team%2Cteam.owner&fields=token%2Crecord.id");
    CHECK(json::parse(req.body) == json{{"mfaId", "m1"}, {"token", "tok"}});
    CHECK(header(req, "X-Trace") == "abc");
    CHECK(req.read_timeout == std::chrono::milliseconds(1500));
    CHECK(req.write_timeout == std::chrono::milliseconds(1500));
}

TEST_CASE("every request after sign-in carries the raw token in Authorization") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = sign_in(pb, t);

    t.reply(204);
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok2");
    CHECK(header(t.last(), "Authorization") == jwt);

    SUBCASE("a caller's own Authorization header wins, whatever its case") {
        t.reply(204);
        bosbase::request_options opts;
        opts.headers = {{"authorization", "Bearer other"}};
        pb.collection("users").unbind_custom_token("a@b.io", "pw", "tok2", {}, {}, opts);
        CHECK(header(t.last(), "Authorization") == "Bearer other");
        CHECK(header_count(t.last(), "Authorization") == 1);
    }
    SUBCASE("clearing the store stops sending it") {
        pb.auth_store().clear();
        t.reply(204);
        pb.collection("users").unbind_custom_token("a@b.io", "pw", "tok2");
        CHECK(header(t.last(), "Authorization") == "<absent>");
    }
}

TEST_CASE("MFA: a 401 with mfaId is exposed, and the second factor sends it in the body") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(401, {{"mfaId", "mfa123"}});

    std::string mfa_id;
    try {
        pb.collection("users").auth_with_token("tok");
        FAIL("expected an MFA error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 401);
        mfa_id = e.mfa_id();
    }
    CHECK(mfa_id == "mfa123");
    CHECK(pb.auth_store().token().empty());

    const std::string jwt = valid_auth_token();
    t.reply_json(200, auth_response(jwt));
    bosbase::request_options second;
    second.body = {{"mfaId", mfa_id}};
    pb.collection("users").auth_with_password("u@x.io", "pw", second);
    CHECK(t.last().target == "/api/collections/users/auth-with-password");
    CHECK(json::parse(t.last().body) == json{{"identity", "u@x.io"}, {"mfaId", "mfa123"}, {"password", "pw"}});
    CHECK(pb.auth_store().token() == jwt);
}

TEST_CASE("OTP and refresh calls") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"otpId", "otp1"}});
    auto otp = pb.collection("users").request_otp("u@x.io");
    CHECK(otp["otpId"] == "otp1");
    CHECK(t.last().target == "/api/collections/users/request-otp");
    CHECK(json::parse(t.last().body) == json{{"email", "u@x.io"}});

    const std::string jwt = valid_auth_token();
    t.reply_json(200, auth_response(jwt));
    bosbase::request_options second;
    second.body = {{"mfaId", "m"}};
    pb.collection("users").auth_with_otp("otp1", "123456", second);
    CHECK(json::parse(t.last().body) == json{{"mfaId", "m"}, {"otpId", "otp1"}, {"password", "123456"}});
    CHECK(pb.auth_store().token() == jwt);

    SUBCASE("auth_refresh may return the same token, and the store keeps it") {
        t.reply_json(200, auth_response(jwt));
        pb.collection("users").auth_refresh();
        CHECK(t.last().target == "/api/collections/users/auth-refresh");
        CHECK(header(t.last(), "Authorization") == jwt);
        CHECK(pb.auth_store().token() == jwt);
    }
    SUBCASE("auth_refresh may return a new token, and the store takes it") {
        const std::string renewed = make_jwt({{"type", "auth"}, {"id", "r1"}, {"exp", 4102444801}});
        t.reply_json(200, auth_response(renewed));
        pb.collection("users").auth_refresh();
        CHECK(pb.auth_store().token() == renewed);
    }
}

TEST_CASE("an auth response without a token is an error, not a silent success") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, {{"record", {{"id", "r1"}}}});
    try {
        pb.collection("users").auth_with_token("tok", {}, {{"token", "in-query"}});
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 200);
        CHECK(e.url() == "http://127.0.0.1:8090/api/collections/users/auth-with-token?token=REDACTED");
        CHECK(e.message() == "The server answered without a token and record.");
    }
    CHECK(pb.auth_store().token().empty());

    t.reply(200, "<html>proxy login</html>");
    CHECK_THROWS_AS(pb.collection("users").auth_with_token("tok"), bosbase::ClientResponseError);
}
