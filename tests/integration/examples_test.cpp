// The shipped examples, run for real against a dev server.
#include <dev_server.hpp>
#include <doctest/doctest.h>
#include <integration_helpers.hpp>

#include <bosbase.hpp>


using bosbase_test::dev_accounts;
using bosbase_test::dev_server;

using bosbase_test::run_command;

namespace {

// The example's stdout and stderr together.
bosbase_test::command_result run(const std::string& command) { return run_command(command + " 2>&1"); }

}  // namespace

TEST_CASE("examples/custom_token runs the whole flow") {
    dev_server server;
    const auto r = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " " + server.url());
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("refused as expected: HTTP 400 \"Failed to authenticate.\"") != std::string::npos);
    CHECK(r.output.find("Done: custom tokens bind, sign in, and stop working once unbound.") != std::string::npos);
    CHECK(r.output.find(dev_accounts::user_password) == std::string::npos);
}

TEST_CASE("examples/custom_token explains a server that is not there") {
    int port = 0;
    {
        dev_server gone;
        port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }
    const auto r = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " http://127.0.0.1:" + std::to_string(port));
    CAPTURE(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("could not connect to http://127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(r.output.find("Is a BosBase server running at") != std::string::npos);
}

TEST_CASE("examples/quick_prototype signs in with a token and prints the own record") {
    dev_server server;
    bosbase::BosBase pb(server.url());
    pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "proto-token");
    const auto r = run(std::string(BOSBASE_EXAMPLE_QUICK_PROTOTYPE) + " " + server.url() + " proto-token");
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(bosbase::json::parse(r.output)["email"] == dev_accounts::user_email);
}

TEST_CASE("examples/mfa_token_login completes MFA with a password") {
    dev_server server;
    bosbase_test::require_mfa_for_users(server);
    bosbase::BosBase pb(server.url());
    pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "mfa-example");

    const auto r = run(std::string(BOSBASE_EXAMPLE_MFA_TOKEN_LOGIN) + " " + server.url() + " mfa-example " +
                       dev_accounts::user_email + " " + dev_accounts::user_password);
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("first factor accepted; MFA required") != std::string::npos);
    CHECK(r.output.find("second factor accepted; signed in as user@example.com") != std::string::npos);
}

TEST_CASE("examples/realtime_feed prints the live changes it makes and exits") {
    dev_server server;
    const auto r = run(std::string(BOSBASE_EXAMPLE_REALTIME_FEED) + " " + server.url() + " " +
                       dev_accounts::admin_email + " " + dev_accounts::admin_password);
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("create ") != std::string::npos);
    CHECK(r.output.find("\"hello, realtime\"") != std::string::npos);
    CHECK(r.output.find("update ") != std::string::npos);
    CHECK(r.output.find("delete ") != std::string::npos);
    CHECK(r.output.find("done: 3 live changes received") != std::string::npos);
    CHECK(r.output.find(dev_accounts::admin_password) == std::string::npos);
}
