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
