// What the server answers to bad input, and how the SDK reports it.
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;

namespace {

bosbase::ClientResponseError error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const bosbase::ClientResponseError& e) {
        return e;
    }
    FAIL("the call succeeded");
    return bosbase::ClientResponseError("", -1, json());
}

std::string field_code(const bosbase::ClientResponseError& e, const std::string& field) {
    const auto& data = e.response()["data"];
    return data.contains(field) ? data[field].value("code", "") : "";
}

}  // namespace

TEST_CASE("wrong password or unknown email: 400, nothing bound, no secret in the error") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");

    auto e = error_of([&] { users.bind_custom_token(dev_accounts::user_email, "wrong-password-xyz", "secret-tok-1"); });
    CHECK(e.status() == 400);
    CHECK(e.message() == "Failed to bind token.");
    CHECK(e.response()["data"] == json::object());
    CHECK(std::string(e.what()).find("wrong-password-xyz") == std::string::npos);
    CHECK(std::string(e.what()).find("secret-tok-1") == std::string::npos);

    e = error_of([&] { users.bind_custom_token("nobody@example.com", dev_accounts::user_password, "secret-tok-2"); });
    CHECK(e.status() == 400);
    CHECK(e.message() == "Failed to bind token.");

    CHECK(error_of([&] { users.auth_with_token("secret-tok-1"); }).message() == "Failed to authenticate.");
    CHECK(error_of([&] { users.auth_with_token("secret-tok-2"); }).message() == "Failed to authenticate.");

    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "kept");
    e = error_of([&] { users.unbind_custom_token(dev_accounts::user_email, "wrong-password-xyz", "kept"); });
    CHECK(e.status() == 400);
    CHECK(e.message() == "Failed to unbind token.");
    CHECK(users.auth_with_token("kept")["record"]["email"] == dev_accounts::user_email);
}

TEST_CASE("unknown tokens are refused, and unbinding a token that is not bound succeeds") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");
    auto e = error_of([&] { users.auth_with_token("never-bound"); });
    CHECK(e.status() == 400);
    CHECK(e.message() == "Failed to authenticate.");
    users.unbind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "never-bound");
}

TEST_CASE("validation: token and email limits are checked by the server, in bytes") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");

    auto e = error_of([&] { users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, ""); });
    CHECK(e.status() == 400);
    CHECK(e.message() == "An error occurred while validating the submitted data.");
    CHECK(field_code(e, "token") == "validation_required");
    CHECK(error_of([&] { users.auth_with_token(""); }).response()["data"]["token"]["code"] == "validation_required");

    const std::string max_token(1024, 'a');
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, max_token);
    CHECK(users.auth_with_token(max_token)["record"]["email"] == dev_accounts::user_email);

    const std::string too_long(1025, 'a');
    e = error_of([&] { users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, too_long); });
    CHECK(field_code(e, "token") == "validation_length_out_of_range");
    CHECK(std::string(e.what()).find(too_long) == std::string::npos);

    // 512 two-byte characters are 1024 bytes (accepted); one more is 1026 bytes.
    std::string multibyte;
    for (int i = 0; i < 512; ++i) multibyte += "\xC3\xA9";  // é
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, multibyte);
    CHECK(users.auth_with_token(multibyte)["record"]["email"] == dev_accounts::user_email);
    e = error_of([&] { users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, multibyte + "\xC3\xA9"); });
    CHECK(field_code(e, "token") == "validation_length_out_of_range");

    const std::string unicode = "t\xC3\xB6ken-\xF0\x9F\x94\x91 with spaces";
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, unicode);
    CHECK(users.auth_with_token(unicode)["record"]["email"] == dev_accounts::user_email);
    CHECK(error_of([&] { users.auth_with_token(" " + unicode); }).status() == 400);  // nothing is trimmed

    e = error_of([&] { users.bind_custom_token("not-an-email", dev_accounts::user_password, "t"); });
    CHECK(field_code(e, "email") == "validation_is_email");
    CHECK(std::string(e.what()).find("email: Must be a valid email address.") != std::string::npos);
}

TEST_CASE("a non-auth collection and a missing collection give the documented 404s") {
    test_server server;
    bosbase::BosBase pb(server.url());

    auto e = error_of([&] { pb.collection("posts").bind_custom_token(dev_accounts::user_email, "pw", "t"); });
    CHECK(e.status() == 404);
    CHECK(e.message() == "Missing or invalid auth collection context.");
    CHECK(error_of([&] { pb.collection("posts").auth_with_token("t"); }).message() ==
          "Missing or invalid auth collection context.");

    e = error_of([&] { pb.collection("no_such_collection").auth_with_token("t"); });
    CHECK(e.status() == 404);
    CHECK(e.message() == "Missing or invalid collection context.");
    CHECK(error_of([&] { pb.collection("../settings").unbind_custom_token("a@b.io", "pw", "t"); }).status() == 404);
}

TEST_CASE("password auth disabled: bind is refused with 403, token sign-in still works") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "before-disable");

    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    admin.send("PATCH", "/api/collections/users", {{"passwordAuth", {{"enabled", false}}}});

    auto e = error_of([&] { users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "t2"); });
    CHECK(e.status() == 403);
    CHECK(e.message() == "The collection is not configured to allow password authentication.");
    CHECK(users.auth_with_token("before-disable")["record"]["email"] == dev_accounts::user_email);
}
