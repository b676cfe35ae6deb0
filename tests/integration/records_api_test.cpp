// The record API and the superuser services against the dev server.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <chrono>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;

using bosbase_test::status_of;
using bosbase_test::superuser;

namespace {

struct post {
    std::string id;
    std::string title;
    std::string body;
};

void from_json(const json& j, post& p) {
    j.at("id").get_to(p.id);
    j.at("title").get_to(p.title);
    j.at("body").get_to(p.body);
}

void to_json(json& j, const post& p) { j = json{{"title", p.title}, {"body", p.body}}; }

}  // namespace

TEST_CASE("records: list with filter, sort and skip_total, full list, first item, count, typed records") {
    test_server server;
    auto admin = superuser(server);
    auto admin_posts = admin.collection("posts");  // posts: public list and view, superuser writes
    for (int i = 0; i < 7; ++i) {
        admin_posts.create({{"title", "post " + std::to_string(i)}, {"body", i % 2 == 0 ? "even" : "odd"}});
    }

    bosbase::BosBase guest(server.url());
    auto posts = guest.collection("posts");

    bosbase::request_options opts;
    opts.filter = guest.filter("body = {:b}", {{"b", "even"}});
    opts.sort = "-title";
    auto page = posts.get_list(1, 3, opts);
    CHECK(page["totalItems"] == 4);
    CHECK(page["totalPages"] == 2);
    REQUIRE(page["items"].size() == 3);
    CHECK(page["items"][0]["title"] == "post 6");
    CHECK(page["items"][2]["title"] == "post 2");

    opts.skip_total = true;
    page = posts.get_list(2, 3, opts);
    CHECK(page["totalItems"] == -1);
    CHECK(page["items"].size() == 1);

    const json all = posts.get_full_list(2);  // four pages of 2, the last one short
    CHECK(all.size() == 7);

    CHECK(posts.get_first_list_item(guest.filter("title = {:t}", {{"t", "post 3"}}))["body"] == "odd");
    try {
        (void)posts.get_first_list_item("title = 'missing'");
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 404);
        CHECK(e.message() == "The requested resource wasn't found.");
    }

    CHECK(posts.get_count() == 7);
    CHECK(posts.get_count("body = 'odd'") == 3);
    bosbase::request_options skip;
    skip.skip_total = true;
    CHECK(posts.get_count("", skip) == -1);
    CHECK(status_of([&] { (void)posts.get_count("title = "); }) == 400);

    // A quote and a would-be injection stay inside the literal.
    admin_posts.create({{"title", "it's"}, {"body", "q"}});
    CHECK(posts.get_count(guest.filter("title = {:t}", {{"t", "it's"}})) == 1);
    CHECK(posts.get_count(guest.filter("title = {:t}", {{"t", "x' || title != '"}})) == 0);
    CHECK(posts.get_count(guest.filter("created <= {:now}", {{"now", std::chrono::system_clock::now() +
                                                                          std::chrono::hours(1)}})) == 8);

    const post made = admin_posts.create<post>(post{"", "typed", "body"});
    CHECK(made.title == "typed");
    // PocketBase ids are 15 characters; BosBase's are UUID-like, 36.
    CHECK(made.id.size() == (server.is_bosbase() ? 36u : 15u));
    CHECK(posts.get_one<post>(made.id).body == "body");
    const post changed = admin_posts.update<post>(made.id, json{{"body", "changed"}});
    CHECK(changed.body == "changed");
    bosbase::request_options typed_filter;
    typed_filter.filter = "title = 'typed'";
    const auto typed_page = posts.get_list<post>(1, 10, typed_filter);
    REQUIRE(typed_page.items.size() == 1);
    CHECK(typed_page.total_items == 1);
    CHECK(posts.get_full_list<post>().size() == 9);
    admin_posts.remove(made.id);
    CHECK(status_of([&] { (void)posts.get_one(made.id); }) == 404);
}

TEST_CASE("batch: refused until enabled, then one transaction") {
    test_server server;
    auto admin = superuser(server);

    auto batch = admin.create_batch();
    batch.collection("posts").create({{"title", "b1"}});
    try {
        batch.send();
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 403);
        CHECK(std::string(e.what()).find("Batch requests are not allowed.") != std::string::npos);
    }

    admin.settings().update({{"batch", {{"enabled", true}, {"maxRequests", 10}}}});
    const auto existing = admin.collection("posts").create({{"title", "old"}});
    batch.collection("posts").upsert({{"id", existing["id"]}, {"title", "upserted"}});
    batch.collection("posts").remove(existing["id"].get<std::string>());
    const auto results = batch.send();
    REQUIRE(results.size() == 3);
    CHECK(results[0].status == 200);
    CHECK(results[0].body["title"] == "b1");
    CHECK(results[1].body["title"] == "upserted");
    CHECK(results[2].status == 204);
    CHECK(admin.collection("posts").get_count() == 1);

    // One failing request rolls back the whole batch.
    auto failing = admin.create_batch();
    failing.collection("posts").create({{"title", "never"}});
    failing.collection("posts").update("missing-record", {{"title", "x"}});
    try {
        failing.send();
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.response()["data"]["requests"].contains("1"));
    }
    CHECK(admin.collection("posts").get_count() == 1);
}

TEST_CASE("health, account emails, collections, settings, logs, crons, backups and impersonate") {
    test_server server;
    bosbase::BosBase guest(server.url());
    CHECK(guest.health().check()["message"] == "API is healthy.");

    auto users = guest.collection("users");
    users.request_password_reset(dev_accounts::user_email);
    users.request_verification(dev_accounts::user_email);
    CHECK(status_of([&] { users.confirm_verification("not-a-token"); }) == 400);

    auto admin = superuser(server);
    CHECK(admin.health().check()["data"].contains("canBackup"));

    // collections
    auto collections = admin.collections();
    const json created = collections.create(
        {{"name", "notes"}, {"type", "base"}, {"fields", {{{"name", "text"}, {"type", "text"}}}}});
    CHECK(created["name"] == "notes");
    CHECK(collections.get_one("notes")["id"] == created["id"]);
    CHECK(bosbase_test::after_table_cache(server, [&] { return collections.update("notes", {{"listRule", ""}}); })
              ["listRule"] == "");
    admin.collection("notes").create({{"text", "n1"}});
    CHECK(guest.collection("notes").get_count() == 1);
    collections.truncate("notes");
    CHECK(guest.collection("notes").get_count() == 0);
    bosbase::request_options by_name;
    by_name.filter = "name = 'notes'";
    CHECK(collections.get_list(1, 10, by_name)["totalItems"] == 1);
    CHECK(collections.get_full_list().size() >= 5);
    CHECK(collections.get_scaffolds().contains("auth"));
    collections.remove("notes");
    CHECK(status_of([&] { collections.get_one("notes"); }) == 404);
    CHECK(status_of([&] { guest.collections().get_full_list(); }) == 401);

    // settings
    auto settings = admin.settings();
    CHECK(settings.get_all().contains("meta"));
    CHECK(settings.update({{"meta", {{"appName", "records-test"}}}})["meta"]["appName"] == "records-test");
    CHECK(settings.get_all()["meta"]["appName"] == "records-test");

    // logs and crons
    CHECK(admin.logs().get_list(1, 5)["items"].is_array());
    CHECK(admin.logs().get_stats().is_array());
    const json crons = admin.crons().get_full_list();
    REQUIRE(crons.is_array());
    REQUIRE_FALSE(crons.empty());
    admin.crons().run(crons[0]["id"].get<std::string>());
    CHECK(status_of([&] { admin.crons().run("no-such-job"); }) == 404);

    // backups (local storage in the data folder)
    auto backups = admin.backups();
    backups.create("records_test.zip");
    json list = backups.get_full_list();
    REQUIRE(list.size() == 1);
    CHECK(list[0]["key"] == "records_test.zip");
    CHECK(backups.download_url("file-token", "records_test.zip") ==
          server.url() + "/api/backups/records_test.zip?token=file-token");
    backups.remove("records_test.zip");
    CHECK(backups.get_full_list().empty());

    // impersonate: a new client signed in as the user
    const std::string user_id =
        admin.collection("users").get_first_list_item(admin.filter("email = {:e}", {{"e", dev_accounts::user_email}}))
            ["id"];
    auto as_user = admin.collection("users").impersonate(user_id, 600);
    CHECK(as_user.auth_store().record()["email"] == dev_accounts::user_email);
    CHECK_FALSE(as_user.auth_store().is_superuser());
    CHECK(as_user.collection("users").get_one(user_id)["id"] == user_id);
    CHECK(admin.auth_store().is_superuser());
    CHECK(as_user.collection("users").list_external_auths(user_id).empty());
}
