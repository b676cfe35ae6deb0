// The auth store: validity from the JWT's exp, superuser detection, listeners, threads.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <atomic>
#include <thread>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("is_token_valid decodes exp without checking the signature") {
    CHECK(bosbase::is_token_valid(make_jwt({{"exp", 4102444800}})));
    CHECK_FALSE(bosbase::is_token_valid(make_jwt({{"exp", 1000}})));                     // expired
    CHECK_FALSE(bosbase::is_token_valid(make_jwt({{"exp", "soon"}})));                   // exp not a number
    CHECK(bosbase::is_token_valid(make_jwt({{"type", "auth"}})));                        // no exp: never expires
    CHECK_FALSE(bosbase::is_token_valid(""));
    CHECK_FALSE(bosbase::is_token_valid("not-a-jwt"));
    CHECK_FALSE(bosbase::is_token_valid("a.b"));
    CHECK_FALSE(bosbase::is_token_valid("a.b.c.d"));
    CHECK_FALSE(bosbase::is_token_valid("x.!!!.y"));                                     // bad base64url
    CHECK_FALSE(bosbase::is_token_valid("x." + base64url("[1,2]") + ".y"));              // payload not an object
    CHECK_FALSE(bosbase::is_token_valid("x." + base64url("{broken") + ".y"));            // payload not JSON
    const auto now = static_cast<long long>(std::time(nullptr));
    CHECK_FALSE(bosbase::is_token_valid(make_jwt({{"exp", now + 30}}), 60));             // inside the threshold
}

TEST_CASE("auth_store: save, clear, is_valid and is_superuser") {
    bosbase::auth_store store;
    CHECK(store.token().empty());
    CHECK(store.record().is_null());
    CHECK_FALSE(store.is_valid());
    CHECK_FALSE(store.is_superuser());

    store.save(valid_auth_token(), {{"id", "r1"}, {"collectionName", "users"}});
    CHECK(store.is_valid());
    CHECK_FALSE(store.is_superuser());

    store.save(valid_auth_token("pbc_3142635823"), {{"id", "s1"}, {"collectionName", "_superusers"}});
    CHECK(store.is_superuser());

    SUBCASE("without collectionName the token's collectionId decides") {
        store.save(valid_auth_token("pbc_3142635823"), {{"id", "s1"}});
        CHECK(store.is_superuser());
    }
    SUBCASE("a non-auth token is never a superuser") {
        store.save(make_jwt({{"type", "file"}, {"collectionId", "pbc_3142635823"}}), {{"collectionName", "_superusers"}});
        CHECK_FALSE(store.is_superuser());
    }
    SUBCASE("clear empties both") {
        store.clear();
        CHECK(store.token().empty());
        CHECK(store.record().is_null());
        CHECK_FALSE(store.is_valid());
    }
}

TEST_CASE("auth_store listeners: called on change, removable, may touch the store") {
    bosbase::auth_store store;
    std::vector<std::string> seen;
    const auto id = store.on_change([&](const std::string& token, const json&) { seen.push_back(token); });
    store.save("t1", json::object());
    store.clear();
    CHECK(seen == std::vector<std::string>{"t1", ""});

    CHECK(store.remove_listener(id));
    CHECK_FALSE(store.remove_listener(id));
    store.save("t2", json::object());
    CHECK(seen.size() == 2);

    SUBCASE("fire_immediately reports the current state") {
        std::string first;
        store.on_change([&](const std::string& token, const json&) { first = token; }, true);
        CHECK(first == "t2");
    }
    SUBCASE("a listener may read the store and remove itself without deadlock") {
        int calls = 0;
        bosbase::auth_store::listener_id self = 0;
        self = store.on_change([&](const std::string&, const json&) {
            ++calls;
            CHECK(store.token() == "t3");
            store.remove_listener(self);
        });
        store.save("t3", json::object());
        store.save("t3", json::object());
        CHECK(calls == 1);
    }
}

TEST_CASE("a client fires store listeners on sign-in") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    json last_record;
    pb.auth_store().on_change([&](const std::string&, const json& record) { last_record = record; });
    t.reply_json(200, auth_response(valid_auth_token()));
    pb.collection("users").auth_with_token("tok");
    CHECK(last_record["id"] == "r1");
}

TEST_CASE("auth_store is safe to use from several threads") {
    bosbase::auth_store store;
    std::atomic<int> notified{0};
    store.on_change([&](const std::string&, const json&) { ++notified; });
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&store, i] {
            for (int n = 0; n < 200; ++n) {
                store.save("token-" + std::to_string(i), {{"n", n}});
                (void)store.token();
                (void)store.is_valid();
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(notified == 800);
    CHECK(store.token().rfind("token-", 0) == 0);
}

TEST_CASE("a sign-in without listeners keeps the response text and parses the record when read") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = valid_auth_token();
    json record = {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"collectionName", "users"},
                   {"email", "a@b.io"}, {"expand", {{"team", {{"id", "t1"}}}}}};
    t.reply_json(200, {{"token", jwt}, {"record", record}, {"meta", {{"x", 1}}}});
    {
        auto auth = pb.collection("users").auth_with_token("app-token");
        CHECK(auth["record"] == record);
    }  // the returned copy is gone; the store still has its own

    CHECK(pb.auth_store().token() == jwt);
    CHECK(pb.auth_store().record() == record);
    CHECK(pb.auth_store().record() == record);  // read twice: parsed once, the same after

    SUBCASE("update() merges into a record that is still unparsed text") {
        bosbase::auth_store& store = pb.auth_store();
        auto fresh = pb.collection("users");
        t.reply_json(200, auth_response(jwt));  // a second sign-in replaces the pending text
        fresh.auth_with_token("app-token");
        t.reply_json(200, {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"name", "new"}});
        fresh.update("r1", {{"name", "new"}});
        CHECK(store.record()["name"] == "new");
        CHECK(store.record()["id"] == "r1");
    }
    SUBCASE("a listener added later sees the pending record") {
        json seen;
        pb.auth_store().on_change([&](const std::string&, const json& rec) { seen = rec; }, true);
        CHECK(seen == record);
    }
    SUBCASE("is_superuser reads the pending record's collectionName") {
        CHECK_FALSE(pb.auth_store().is_superuser());
        t.reply_json(200, {{"token", valid_auth_token("pbc_3142635823")},
                           {"record", {{"id", "s1"}, {"collectionName", "_superusers"}}}});
        pb.collection("_superusers").auth_with_token("app-token");
        CHECK(pb.auth_store().is_superuser());
    }
    SUBCASE("clear() drops the pending text") {
        pb.auth_store().clear();
        CHECK(pb.auth_store().record().is_null());
        CHECK(pb.auth_store().token().empty());
    }
}

TEST_CASE("a sign-in with a listener hands it the record at once") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    std::vector<json> seen;
    pb.auth_store().on_change([&](const std::string&, const json& rec) { seen.push_back(rec); });
    t.reply_json(200, auth_response(valid_auth_token()));
    auto auth = pb.collection("users").auth_with_token("app-token");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == auth["record"]);
    CHECK(pb.auth_store().record() == auth["record"]);
}
