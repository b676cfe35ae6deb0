// The whole custom-token flow against a real server, for users and _superusers.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;

using bosbase_test::status_of;
using bosbase_test::superuser;

TEST_CASE("users: bind, sign in with the token alone, use the session, unbind") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");

    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "my-app-token", {}, {});
    auto auth = users.auth_with_token("my-app-token", {}, {}, std::nullopt);

    CHECK(auth["record"]["email"] == dev_accounts::user_email);
    CHECK(auth["record"]["collectionName"] == "users");
    CHECK(pb.auth_store().token() == auth["token"]);
    CHECK(pb.auth_store().is_valid());
    CHECK_FALSE(pb.auth_store().is_superuser());

    // The server accepts the stored token: users may only view their own record.
    const std::string id = auth["record"]["id"];
    CHECK(users.get_one(id)["email"] == dev_accounts::user_email);
    auto refreshed = users.auth_refresh();
    CHECK(refreshed["record"]["id"] == id);
    CHECK(pb.auth_store().token() == refreshed["token"]);  // new or same, the store holds what came back

    users.unbind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "my-app-token", {}, {});
    try {
        users.auth_with_token("my-app-token");
        FAIL("an unbound token signed in");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.message() == "Failed to authenticate.");
    }
}

TEST_CASE("_superusers: bind, sign in, call a superuser-only API, unbind") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto admins = pb.collection("_superusers");

    admins.bind_custom_token(dev_accounts::admin_email, dev_accounts::admin_password, "admin-app-token", {}, {});
    auto auth = admins.auth_with_token("admin-app-token");
    CHECK(auth["record"]["collectionName"] == "_superusers");
    CHECK(pb.auth_store().is_superuser());
    CHECK(pb.auth_store().is_valid());

    // Listing collections needs a superuser.
    auto collections = pb.send("GET", "/api/collections", nullptr, {});
    CHECK(collections["totalItems"].get<int>() > 0);

    admins.unbind_custom_token(dev_accounts::admin_email, dev_accounts::admin_password, "admin-app-token");
    pb.auth_store().clear();
    CHECK(status_of([&] { admins.auth_with_token("admin-app-token"); }) == 400);
    CHECK(status_of([&] { pb.send("GET", "/api/collections"); }) == 401);
}

TEST_CASE("the collection is enforced: a users token does not sign in to _superusers, and the reverse") {
    test_server server;
    bosbase::BosBase pb(server.url());
    pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "user-only");
    pb.collection("_superusers").bind_custom_token(dev_accounts::admin_email, dev_accounts::admin_password, "admin-only");

    CHECK(status_of([&] { pb.collection("_superusers").auth_with_token("user-only"); }) == 400);
    CHECK(status_of([&] { pb.collection("users").auth_with_token("admin-only"); }) == 400);
    CHECK(pb.auth_store().token().empty());

    SUBCASE("the same value bound in both collections signs in to each separately") {
        pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "shared");
        pb.collection("_superusers").bind_custom_token(dev_accounts::admin_email, dev_accounts::admin_password, "shared");
        CHECK(pb.collection("users").auth_with_token("shared")["record"]["email"] == dev_accounts::user_email);
        CHECK(pb.collection("_superusers").auth_with_token("shared")["record"]["email"] == dev_accounts::admin_email);
    }
}

TEST_CASE("binding the same token twice is fine and a token bound by two accounts belongs to the last one") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "twice");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "twice");
    CHECK(users.auth_with_token("twice")["record"]["email"] == dev_accounts::user_email);

    // Documented server behaviour: the binding silently moves to the last binder.
    users.bind_custom_token(dev_accounts::other_email, dev_accounts::other_password, "twice");
    CHECK(users.auth_with_token("twice")["record"]["email"] == dev_accounts::other_email);

    // The first owner can no longer remove it (204, but nothing changes).
    users.unbind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "twice");
    CHECK(users.auth_with_token("twice")["record"]["email"] == dev_accounts::other_email);
}

TEST_CASE("a collection can be addressed by id, and bound tokens survive sign-in elsewhere") {
    test_server server;
    bosbase::BosBase pb(server.url());
    pb.collection("_pb_users_auth_").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "by-id");
    CHECK(pb.collection("users").auth_with_token("by-id")["record"]["collectionId"] == "_pb_users_auth_");
    pb.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
    CHECK(pb.collection("users").auth_with_token("by-id")["record"]["email"] == dev_accounts::user_email);
}
