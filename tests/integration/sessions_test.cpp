// Sessions that survive a restart, files in a batch, and superuser sessions that do not lapse,
// against a real server.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <temp_dir.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <ctime>
#include <string>
#include <vector>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::temp_dir;
using bosbase_test::test_server;

TEST_CASE("sessions: a session saved by one client signs in the next client and sign-out removes it") {
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

TEST_CASE("auto-refresh: a short-lived superuser token is refreshed before calls, and replaced when the server refuses it") {
    // BosBase gives superusers tokens of PB_SUPERUSER_STATIC_TOKEN_DURATION (100 years unless
    // set); the dev server (PocketBase) the collection's authToken duration, set below.
    test_server server({"PB_SUPERUSER_STATIC_TOKEN_DURATION=60"});
    auto admin = bosbase_test::superuser(server);
    const std::string keeper_email = "keeper@example.com";
    const std::string keeper_password = "keeper-password-1";
    (void)admin.collection("_superusers")
                            .create({{"email", keeper_email},
                                     {"password", keeper_password},
                                     {"passwordConfirm", keeper_password}});
    // Tokens of _superusers now last 60 s (the server's minimum is 10).
    admin.collections().update("_superusers", {{"authToken", {{"duration", 60}}}});

    bosbase::BosBase kept(server.url());
    std::vector<std::string> log;  // one thread: no lock needed
    kept.after_send([&](const bosbase::http_request& req, bosbase::http_response& res) {
        log.push_back(req.method + " " + req.target.substr(0, req.target.find('?')) + " " + std::to_string(res.status));
    });
    bosbase::request_options keep_alive;
    keep_alive.auto_refresh_threshold = std::chrono::seconds(3600);  // every 60 s token is within it
    kept.collection("_superusers").auth_with_password(keeper_email, keeper_password, keep_alive);
    const auto exp = bosbase::jwt_payload(kept.auth_store().token()).value()["exp"].get<long long>();
    CHECK(exp - static_cast<long long>(std::time(nullptr)) <= 61);

    log.clear();
    CHECK(kept.collections().get_one("_superusers")["name"] == "_superusers");
    CHECK(log == std::vector<std::string>{"POST /api/collections/_superusers/auth-refresh 200",
                                          "GET /api/collections/_superusers 200"});

    // A new token secret for the collection (what "invalidate all tokens" does): the stored
    // token is refused from now on, though it has not expired. (A password change would do
    // on PocketBase; BosBase's token cache keeps accepting the old token after one.)
    admin.collections().update("_superusers",
                               {{"authToken", {{"duration", 60}, {"secret", std::string(50, 'k') + "-rotated"}}}});
    log.clear();
    CHECK(kept.collections().get_one("_superusers")["name"] == "_superusers");
    std::string joined;
    for (const auto& line : log) joined += line + "\n";
    CAPTURE(joined);
    REQUIRE(log.size() == 3);
    CHECK(log[0].rfind("POST /api/collections/_superusers/auth-refresh 4", 0) == 0);  // 401 or 403
    CHECK(log[1] == "POST /api/collections/_superusers/auth-with-password 200");
    CHECK(log[2] == "GET /api/collections/_superusers 200");
    CHECK(kept.auth_store().is_superuser());

    // With a threshold shorter than the token's life nothing extra is sent.
    bosbase::BosBase relaxed(server.url());
    std::vector<std::string> relaxed_log;
    relaxed.after_send([&](const bosbase::http_request& req, bosbase::http_response&) { relaxed_log.push_back(req.target); });
    bosbase::request_options short_threshold;
    short_threshold.auto_refresh_threshold = std::chrono::seconds(10);
    relaxed.collection("_superusers").auth_with_password(keeper_email, keeper_password, short_threshold);
    relaxed_log.clear();
    CHECK(relaxed.collections().get_one("_superusers")["name"] == "_superusers");
    CHECK(relaxed_log.size() == 1);
}
