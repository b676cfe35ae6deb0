// Failed calls throw ClientResponseError with status, URL and the server's JSON,
// and no secret ever reaches what().
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <string>

using bosbase::ClientResponseError;
using bosbase::json;
using namespace bosbase_test;

namespace {

const std::string secret_password = "hunter2-secret-pw";
const std::string secret_token = "custom-secret-token-42";

// Runs a bind with secret inputs and returns the error it threw.
ClientResponseError bind_error(fake_client& pb) {
    try {
        pb.collection("users").bind_custom_token("u@x.io", secret_password, secret_token);
    } catch (const ClientResponseError& e) {
        return e;
    }
    FAIL("bind_custom_token did not throw");
    return ClientResponseError("", -1, json());
}

void check_no_secrets(const ClientResponseError& e, const std::string& auth_token = "") {
    const std::string text = e.what();
    CHECK(text.find(secret_password) == std::string::npos);
    CHECK(text.find(secret_token) == std::string::npos);
    CHECK(e.url().find(secret_token) == std::string::npos);
    if (!auth_token.empty()) {
        CHECK(text.find(auth_token) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("400 wrong credentials: status, url, server JSON and an actionable message") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const json envelope = {{"data", json::object()}, {"message", "Failed to bind token."}, {"status", 400}};
    t.reply_json(400, envelope);

    const auto e = bind_error(pb);
    CHECK(e.status() == 400);
    CHECK(e.url() == "http://127.0.0.1:8090/api/collections/users/bind-token");
    CHECK(e.response() == envelope);
    CHECK(e.message() == "Failed to bind token.");
    CHECK(e.mfa_id().empty());
    CHECK_FALSE(e.is_abort());
    CHECK(std::string(e.what()) ==
          "bosbase: HTTP 400: Failed to bind token. (http://127.0.0.1:8090/api/collections/users/bind-token)");
    check_no_secrets(e);
}

TEST_CASE("400 validation: per-field reasons are in what(), values are not") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const json envelope = {
        {"data",
         {{"email", {{"code", "validation_is_email"}, {"message", "Must be a valid email address."}}},
          {"token",
           {{"code", "validation_length_out_of_range"},
            {"message", "The length must be between 1 and 1024."},
            {"params", {{"max", 1024}, {"min", 1}}}}}}},
        {"message", "An error occurred while validating the submitted data."},
        {"status", 400}};
    t.reply_json(400, envelope);

    const auto e = bind_error(pb);
    CHECK(e.response()["data"]["token"]["code"] == "validation_length_out_of_range");
    CHECK(std::string(e.what()) ==
          "bosbase: HTTP 400: An error occurred while validating the submitted data. [email: Must be a valid email "
          "address.; token: The length must be between 1 and 1024.] "
          "(http://127.0.0.1:8090/api/collections/users/bind-token)");
    check_no_secrets(e);
}

TEST_CASE("401 with mfaId: the body has no message, what() says what to do") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(401, {{"mfaId", "abc"}});
    try {
        pb.collection("users").auth_with_token(secret_token);
        FAIL("no throw");
    } catch (const ClientResponseError& e) {
        CHECK(e.status() == 401);
        CHECK(e.mfa_id() == "abc");
        CHECK(std::string(e.what()).find("multi-factor authentication required") != std::string::npos);
        check_no_secrets(e);
    }
}

TEST_CASE("403 password auth disabled and 404 unknown collection") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(403, {{"data", json::object()},
                       {"message", "The collection is not configured to allow password authentication."},
                       {"status", 403}});
    auto e = bind_error(pb);
    CHECK(e.status() == 403);
    CHECK(e.message() == "The collection is not configured to allow password authentication.");

    t.reply_json(404, {{"data", json::object()}, {"message", "Missing or invalid collection context."}, {"status", 404}});
    e = bind_error(pb);
    CHECK(e.status() == 404);
    CHECK(std::string(e.what()).find("Missing or invalid collection context.") != std::string::npos);
}

TEST_CASE("5xx with an HTML body is wrapped in a JSON object") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(502, "<html><body>Bad Gateway</body></html>");
    const auto e = bind_error(pb);
    CHECK(e.status() == 502);
    CHECK(e.response()["status"] == 502);
    CHECK(e.response()["message"] == "The server sent a non-JSON error response.");
    CHECK(e.response()["data"] == json::object());
    CHECK(e.response()["body"] == "<html><body>Bad Gateway</body></html>");
    CHECK(std::string(e.what()) == "bosbase: HTTP 502: The server sent a non-JSON error response. "
                                   "(http://127.0.0.1:8090/api/collections/users/bind-token)");
}

TEST_CASE("an error with an empty body or a JSON non-object body") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(500);
    auto e = bind_error(pb);
    CHECK(e.status() == 500);
    CHECK(e.response()["message"] == "The server sent an empty error response.");

    t.reply(500, "[1,2]");
    e = bind_error(pb);
    CHECK(e.response()["message"] == "The server sent a non-JSON error response.");
    CHECK(e.response()["body"] == "[1,2]");
}

TEST_CASE("a 2xx with a non-JSON body from send() is an error") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(200, "not json");
    CHECK_THROWS_WITH_AS(pb.send("GET", "/api/health"),
                         "bosbase: HTTP 200: The server's response is not JSON, or nests deeper than max_json_depth (128). (http://127.0.0.1:8090/api/health)",
                         ClientResponseError);
}

TEST_CASE("network failures have status 0 and name the cause") {
    using kind = bosbase::transport_error::kind;
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.fail(kind::connect, "could not connect to http://127.0.0.1:8090 (connection refused or unreachable)");
    auto e = bind_error(pb);
    CHECK(e.status() == 0);
    CHECK_FALSE(e.is_abort());
    CHECK(e.response() == json::object());
    CHECK(e.original_error() == "could not connect to http://127.0.0.1:8090 (connection refused or unreachable)");
    CHECK(std::string(e.what()) ==
          "bosbase: request failed without a usable response [connect]: could not connect to http://127.0.0.1:8090 (connection "
          "refused or unreachable) (http://127.0.0.1:8090/api/collections/users/bind-token)");
    check_no_secrets(e);

    t.fail(kind::canceled, "cancelled by the caller");
    e = bind_error(pb);
    CHECK(e.status() == 0);
    CHECK(e.is_abort());
    CHECK(std::string(e.what()).rfind("bosbase: request was cancelled: cancelled by the caller", 0) == 0);

    SUBCASE("any other exception from a transport is wrapped too") {
        t.s->script.push_back([](const bosbase::http_request&) -> bosbase::http_response {
            throw std::runtime_error("socket exploded");
        });
        e = bind_error(pb);
        CHECK(e.status() == 0);
        CHECK(e.original_error() == "socket exploded");
        CHECK(e.error_kind() == bosbase::error_kind::other);
        CHECK(std::string(e.what()).rfind("bosbase: call failed: socket exploded (http://", 0) == 0);
    }
}

TEST_CASE("the signed-in auth token never appears in an error") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = valid_auth_token();
    pb.auth_store().save(jwt, json::object());
    t.reply_json(403, {{"data", json::object()}, {"message", "Forbidden."}, {"status", 403}});
    check_no_secrets(bind_error(pb), jwt);
}

TEST_CASE("secret query values are redacted from URLs in errors") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(404, {{"data", json::object()}, {"message", "Not found."}, {"status", 404}});
    bosbase::request_options opts;
    opts.query = {{"token", secret_token}, {"thumb", "100x100"}};
    try {
        pb.send("GET", "/api/files/c/r/f.png", nullptr, opts);
        FAIL("no throw");
    } catch (const ClientResponseError& e) {
        CHECK(e.url() == "http://127.0.0.1:8090/api/files/c/r/f.png?token=REDACTED&thumb=100x100");
        check_no_secrets(e);
    }
    // The request itself still carries the value.
    CHECK(t.last().target == "/api/files/c/r/f.png?token=" + secret_token + "&thumb=100x100");
}

TEST_CASE("a value that is not UTF-8 is refused before sending, without quoting it") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string bad_token = "secret\xff\xfe";
    try {
        pb.collection("users").bind_custom_token("a@b.io", "pw", bad_token);
        FAIL("no throw");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) ==
              "bosbase: a request value is not valid UTF-8; JSON bodies and JSON query values must be UTF-8");
    }
    bosbase::request_options opts;
    opts.query = {{"where", {{"k", std::string("\xc3")}}}};  // objects travel as JSON text
    CHECK_THROWS_AS(pb.send("GET", "/api/x", nullptr, opts), std::invalid_argument);
    CHECK(t.count() == 0);
}

TEST_CASE("error predicates: not found, unauthorized, MFA, network, abort") {
    using bosbase::ClientResponseError;
    using bosbase::error_kind;
    const ClientResponseError not_found("u", 404, {{"status", 404}, {"message", "Missing."}});
    CHECK(not_found.is_not_found());
    CHECK_FALSE(not_found.is_unauthorized());
    CHECK_FALSE(not_found.is_network());
    CHECK_FALSE(not_found.is_abort());

    const ClientResponseError mfa("u", 401, {{"mfaId", "m1"}});
    CHECK(mfa.is_mfa_required());
    CHECK(mfa.is_unauthorized());
    CHECK_FALSE(ClientResponseError("u", 401, {{"mfaId", ""}}).is_mfa_required());
    CHECK_FALSE(ClientResponseError("u", 401, {{"mfaId", 5}}).is_mfa_required());
    CHECK_FALSE(ClientResponseError("u", 400, {{"mfaId", "m1"}}).is_mfa_required());
    CHECK(ClientResponseError("u", 403, {}).is_unauthorized());

    for (auto kind : {error_kind::connect, error_kind::resolve, error_kind::timeout, error_kind::deadline,
                      error_kind::tls, error_kind::send, error_kind::receive}) {
        const ClientResponseError e("u", 0, {}, kind, "x");
        CHECK_MESSAGE(e.is_network(), bosbase::to_string(kind));
        CHECK_FALSE(e.is_abort());
    }
    for (auto kind : {error_kind::canceled, error_kind::too_large, error_kind::invalid_response, error_kind::other}) {
        CHECK_FALSE_MESSAGE(ClientResponseError("u", 0, {}, kind, "x").is_network(), bosbase::to_string(kind));
    }
    CHECK(ClientResponseError("u", 0, {}, error_kind::canceled, "x").is_abort());
}
