// Where the real BosBase and the dev server (upstream PocketBase underneath) differ in ways a
// client sees. Each test runs against both and asserts each server's documented behaviour
// (../shared/docs/real-bosbase.md and bosbase-services.md §10), so a change on either side
// shows up here first.
#include <integration_helpers.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <chrono>
#include <regex>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::status_of;
using bosbase_test::superuser;
using bosbase_test::test_server;

namespace {

json claims(const std::string& jwt) {
    const auto payload = bosbase::jwt_payload(jwt);
    REQUIRE(payload.has_value());
    return *payload;
}

std::int64_t seconds_from_now(std::int64_t unix_time) {
    return unix_time - std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
}

const std::regex uuid7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
const std::regex pocketbase_id("^[a-z0-9]{15}$");

}  // namespace

TEST_CASE("auth tokens: static on BosBase (about 100 years, the same JWT from auth-refresh), refreshable on the stand-in") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "claims-token");
    const std::string jwt = users.auth_with_token("claims-token")["token"];
    const json c = claims(jwt);
    CHECK(c["type"] == "auth");
    CHECK(c["collectionId"] == "_pb_users_auth_");
    const auto lifetime = seconds_from_now(c["exp"].get<std::int64_t>());
    const auto refreshed = users.auth_refresh();
    if (server.is_bosbase()) {
        CHECK(c["refreshable"] == false);
        CHECK(lifetime > 99LL * 365 * 24 * 3600);
        CHECK(refreshed["token"] == jwt);
    } else {
        CHECK(c["refreshable"] == true);
        CHECK(lifetime > 0);
        CHECK(lifetime <= 7LL * 24 * 3600);  // PocketBase's default for users: 7 days
        // A new token, or the same one when refreshed within the second it was made.
        CHECK(claims(refreshed["token"])["exp"].get<std::int64_t>() >= c["exp"].get<std::int64_t>());
    }
    CHECK(pb.auth_store().token() == refreshed["token"]);
    CHECK(pb.auth_store().is_valid());
}

TEST_CASE("ids: UUID-like (version 7, 36 characters) on BosBase, 15 characters on the stand-in, for records and mfaId") {
    test_server server;
    auto admin = superuser(server);
    const std::string post_id = admin.collection("posts").create({{"title", "id shape"}})["id"];
    const std::string user_id = admin.auth_store().record()["id"];
    bosbase_test::require_mfa_for_users(server);
    bosbase::BosBase pb(server.url());
    std::string mfa_id;
    try {
        pb.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
        FAIL("password sign-in skipped MFA");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 401);
        mfa_id = e.mfa_id();
    }
    for (const std::string& id : {post_id, user_id, mfa_id}) {
        CAPTURE(id);
        CHECK(std::regex_match(id, server.is_bosbase() ? uuid7 : pocketbase_id));
    }
}

TEST_CASE("?token= authenticates any call on BosBase, the stand-in reads only the Authorization header") {
    test_server server;
    const std::string jwt = superuser(server).auth_store().token();
    bosbase::BosBase guest(server.url());
    bosbase::request_options with_query;
    with_query.query = {{"token", jwt}};
    CHECK(status_of([&] { guest.send("GET", "/api/collections"); }) == 401);
    CHECK(status_of([&] { guest.send("GET", "/api/collections", nullptr, with_query); }) ==
          (server.is_bosbase() ? 200 : 401));
}

TEST_CASE("BosBase records carry createdBy and updatedBy, the stand-in's do not") {
    test_server server;
    auto admin = superuser(server);
    const std::string admin_id = admin.auth_store().record()["id"];
    const json post = admin.collection("posts").create({{"title", "audited"}});
    const json updated = admin.collection("posts").update(post["id"].get<std::string>(), {{"body", "changed"}});
    if (server.is_bosbase()) {
        CHECK(post["createdBy"] == admin_id);
        CHECK(updated["updatedBy"] == admin_id);
        CHECK(admin.collections().get_one("posts")["fields"].dump().find("\"createdBy\"") != std::string::npos);
    } else {
        CHECK_FALSE(post.contains("createdBy"));
        CHECK_FALSE(updated.contains("updatedBy"));
    }
}

TEST_CASE("a password change: BosBase keeps accepting an auth token already used (its token cache), the stand-in revokes it") {
    test_server server;
    bosbase::BosBase pb(server.url());
    auto users = pb.collection("users");
    const json auth = users.auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
    const std::string id = auth["record"]["id"];
    // BosBase caches a token's record when the token is first used, for 30 minutes.
    CHECK(users.get_one(id)["id"] == id);

    auto admin = superuser(server);
    admin.collection("users").update(id, {{"password", "changed-password-1"}, {"passwordConfirm", "changed-password-1"}});

    // users may view only their own record, so a refused token reads as a guest: 404.
    CHECK(status_of([&] { (void)users.get_one(id); }) == (server.is_bosbase() ? 200 : 404));
    // The new password works on both, the old one on neither.
    CHECK(status_of([&] { bosbase::BosBase(server.url()).collection("users").auth_with_password(
                              dev_accounts::user_email, "changed-password-1"); }) == 200);
    CHECK(status_of([&] { bosbase::BosBase(server.url()).collection("users").auth_with_password(
                              dev_accounts::user_email, dev_accounts::user_password); }) == 400);
}

TEST_CASE("a new collection can be updated: at once on the stand-in, within 2 s on BosBase (its table cache)") {
    test_server server;
    auto admin = superuser(server);
    auto collections = admin.collections();
    collections.create({{"name", "fresh"}, {"type", "base"}, {"fields", {{{"name", "text"}, {"type", "text"}}}}});
    int attempts = 0;
    const auto began = std::chrono::steady_clock::now();
    const json updated = bosbase_test::after_table_cache(server, [&] {
        ++attempts;
        return collections.update("fresh", {{"listRule", ""}});
    });
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
    MESSAGE("collection update succeeded after " << attempts << " attempt(s), " << took << " ms");
    CHECK(updated["listRule"] == "");
    if (!server.is_bosbase()) CHECK(attempts == 1);
    CHECK(took < 3000);
    // Records work at once on both: only the collection's own table check is cached.
    admin.collection("fresh").create({{"text", "t"}});
    CHECK(bosbase::BosBase(server.url()).collection("fresh").get_count() == 1);
}
