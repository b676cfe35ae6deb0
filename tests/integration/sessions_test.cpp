// Sessions that survive a restart, files in a batch, and superuser sessions that do not lapse,
// against a real server.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <temp_dir.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <string>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::temp_dir;
using bosbase_test::test_server;

TEST_CASE("sessions: a session saved by one client is the next client's sign-in; sign-out removes it") {
    test_server server;
    temp_dir dir;
    const auto path = dir / "session.json";
    std::string token;
    {
        bosbase::BosBase first(server.url());
        first.auth_store().persist_to(path);
        first.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
        token = first.auth_store().token();
        CHECK(first.auth_store().persist_problem().empty());
    }
    CHECK(bosbase_test::mode_of(path) == 0600);

    bosbase::BosBase second(server.url());
    second.auth_store().persist_to(path);
    CHECK(second.auth_store().token() == token);
    CHECK(second.auth_store().record()["email"] == dev_accounts::user_email);
    // The server takes the saved token: auth-refresh needs a valid one.
    const json refreshed = second.collection("users").auth_refresh();
    CHECK(refreshed["record"]["email"] == dev_accounts::user_email);
    CHECK(json::parse(bosbase_test::read_text(path))["token"] == second.auth_store().token());

    second.auth_store().clear();
    CHECK_FALSE(std::filesystem::exists(path));
    bosbase::BosBase third(server.url());
    third.auth_store().persist_to(path);
    CHECK(third.auth_store().token().empty());
}

namespace {

// GET of a URL files().get_url() built, through the client's own transport.
std::string download(const bosbase::BosBase& pb, const std::string& url) {
    const std::string base = pb.base_url();
    REQUIRE(url.rfind(base, 0) == 0);
    return pb.send_raw("GET", url.substr(base.size())).body;
}

}  // namespace

TEST_CASE("batch with files: files of several requests land in one transaction, or in none") {
    test_server server;
    auto admin = bosbase_test::superuser(server);
    admin.settings().update({{"batch", {{"enabled", true}, {"maxRequests", 10}}}});
    admin.collections().create({{"name", "docs"},
                                {"type", "base"},
                                {"fields",
                                 {{{"name", "title"}, {"type", "text"}, {"required", true}},
                                  {{"name", "files"}, {"type", "file"}, {"maxSelect", 3}, {"maxSize", 1 << 20}}}}});
    const json existing = admin.collection("docs").create_with_files(
        {{"title", "existing"}}, {{"files", bosbase::file_part::from_bytes("old.txt", "old", "text/plain")}});

    auto batch = admin.create_batch();
    batch.collection("docs").create_with_files(
        {{"title", "two"}}, {{"files", bosbase::file_part::from_bytes("a.txt", "alpha", "text/plain")},
                             {"files", bosbase::file_part::from_bytes("b.txt", std::string("b\0b", 3), "text/plain")}});
    batch.collection("docs").create({{"title", "none"}});
    batch.collection("docs").update_with_files(existing["id"].get<std::string>(), {{"title", "appended"}},
                                               {{"files+", bosbase::file_part::from_bytes("c.txt", "gamma", "text/plain")}});
    const auto results = batch.send();
    REQUIRE(results.size() == 3);
    for (const auto& r : results) CHECK(r.status == 200);

    const json two = results[0].body;
    REQUIRE(two["files"].size() == 2);
    CHECK(download(admin, admin.files().get_url(two, two["files"][0].get<std::string>())) == "alpha");
    CHECK(download(admin, admin.files().get_url(two, two["files"][1].get<std::string>())) == std::string("b\0b", 3));
    CHECK(results[1].body["files"].empty());
    const json appended = admin.collection("docs").get_one(existing["id"].get<std::string>());
    CHECK(appended["title"] == "appended");
    REQUIRE(appended["files"].size() == 2);
    CHECK(download(admin, admin.files().get_url(appended, appended["files"][1].get<std::string>())) == "gamma");

    // One request fails (no title): nothing of the batch is kept, its file neither.
    const auto before = admin.collection("docs").get_full_list().size();
    auto failing = admin.create_batch();
    failing.collection("docs").create_with_files({{"title", "kept?"}},
                                                 {{"files", bosbase::file_part::from_bytes("d.txt", "d", "text/plain")}});
    failing.collection("docs").create_with_files(json::object(),
                                                 {{"files", bosbase::file_part::from_bytes("e.txt", "e", "text/plain")}});
    try {
        (void)failing.send();
        FAIL("the batch succeeded");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.response()["data"]["requests"].contains("1"));
    }
    CHECK(admin.collection("docs").get_full_list().size() == before);
}
