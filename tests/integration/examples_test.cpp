// The shipped examples, run for real against a dev server.
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <integration_helpers.hpp>

#include <bosbase.hpp>


using bosbase_test::dev_accounts;
using bosbase_test::test_server;

using bosbase_test::run_command;

namespace {

// The example's stdout and stderr together.
bosbase_test::command_result run(const std::string& command) { return run_command(command + " 2>&1"); }

// How many custom tokens are bound on the server, in any collection, read from its database.
std::string bound_token_count(const test_server& server) { return server.query("SELECT count(*) FROM _token_bindings"); }

// The token sign-in fails with the server's "not bound" answer.
void check_not_bound(const test_server& server, const std::string& token) {
    bosbase::BosBase pb(server.url());
    try {
        pb.collection("users").auth_with_token(token);
        FAIL("the token still signs in");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.message() == "Failed to authenticate.");
    }
}

}  // namespace

TEST_CASE("examples/custom_token runs the whole flow") {
    test_server server;
    const auto r = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " " + server.url());
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("refused as expected: HTTP 400 \"Failed to authenticate.\"") != std::string::npos);
    CHECK(r.output.find("Done: custom tokens bind, sign in, and stop working once unbound.") != std::string::npos);
    CHECK(r.output.find(dev_accounts::user_password) == std::string::npos);
    // Random tokens, shown only as a short prefix and their length.
    CHECK(r.output.find("... (64 chars, random for this run) to user@example.com in 'users'") != std::string::npos);
    CHECK(r.output.find("... (64 chars, random for this run) to admin@example.com in '_superusers'") != std::string::npos);
    CHECK(r.output.find("my-app-token") == std::string::npos);
    CHECK(bound_token_count(server) == "0\n");
}

TEST_CASE("examples/custom_token binds a new random token each run") {
    test_server server;
    const auto first = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " " + server.url());
    const auto second = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " " + server.url());
    REQUIRE(first.exit_code == 0);
    REQUIRE(second.exit_code == 0);
    const std::string marker = "  bound ";
    const auto prefix_of = [&](const std::string& out) { return out.substr(out.find(marker) + marker.size(), 6); };
    CHECK(prefix_of(first.output) != prefix_of(second.output));
}

TEST_CASE("examples/custom_token unbinds the tokens it bound when a later step fails") {
    test_server server;
    const std::string user_token = "examples-test-user-token-5d1c";

    SUBCASE("a given token: it no longer signs in") {
        // The user's token is bound in step 1, then the superuser's bind is refused.
        const auto r = run("BOSBASE_USER_TOKEN=" + user_token + " BOSBASE_ADMIN_PASSWORD=wrong-password " +
                           BOSBASE_EXAMPLE_CUSTOM_TOKEN + " " + server.url());
        CAPTURE(r.output);
        CHECK(r.exit_code == 1);
        CHECK(r.output.find("from BOSBASE_USER_TOKEN) to user@example.com in 'users'") != std::string::npos);
        CHECK(r.output.find("(unbound the token of user@example.com in 'users' on the way out)") != std::string::npos);
        CHECK(r.output.find("error: bosbase: HTTP 400: Failed to bind token.") != std::string::npos);
        CHECK(r.output.find(user_token) == std::string::npos);
        CHECK(r.output.find("wrong-password") == std::string::npos);
        check_not_bound(server, user_token);
    }
    SUBCASE("random tokens: nothing stays bound") {
        const auto r = run(std::string("BOSBASE_ADMIN_PASSWORD=wrong-password ") + BOSBASE_EXAMPLE_CUSTOM_TOKEN + " " +
                           server.url());
        CAPTURE(r.output);
        CHECK(r.exit_code == 1);
        CHECK(r.output.find("random for this run) to user@example.com in 'users'") != std::string::npos);
        CHECK(r.output.find("on the way out") != std::string::npos);
    }
    CHECK(bound_token_count(server) == "0\n");
}

TEST_CASE("examples/custom_token explains a server that is not there") {
    int port = 0;
    {
        test_server gone;
        port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }
    const auto r = run(std::string(BOSBASE_EXAMPLE_CUSTOM_TOKEN) + " http://127.0.0.1:" + std::to_string(port));
    CAPTURE(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("could not connect to http://127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(r.output.find("Is a BosBase server running at") != std::string::npos);
}

TEST_CASE("examples/quick_prototype signs in with a token and prints the own record") {
    test_server server;
    bosbase::BosBase pb(server.url());
    pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "proto-token");
    const auto r = run(std::string(BOSBASE_EXAMPLE_QUICK_PROTOTYPE) + " " + server.url() + " proto-token");
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(bosbase::json::parse(r.output)["email"] == dev_accounts::user_email);
}

TEST_CASE("examples/mfa_token_login completes MFA with a password") {
    test_server server;
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
    test_server server;
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

#ifdef BOSBASE_EXAMPLE_TYPED_RECORDS
TEST_CASE("examples/typed_records creates, reads, lists, updates and deletes a post through its generated type") {
    test_server server;
    const auto r = run(std::string(BOSBASE_EXAMPLE_TYPED_RECORDS) + " " + server.url() + " " +
                       dev_accounts::admin_email + " " + dev_accounts::admin_password);
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("event: create \"hello, typed records\"") != std::string::npos);
    CHECK(r.output.find("event: update \"hello again\"") != std::string::npos);
    CHECK(r.output.find("event: delete \"hello again\"") != std::string::npos);
    CHECK(r.output.find("done") != std::string::npos);
}
#endif

TEST_CASE("examples/records_and_files creates, lists, filters, updates and deletes posts, then uploads a file") {
    test_server server;
    const auto r = run(std::string(BOSBASE_EXAMPLE_RECORDS_AND_FILES) + " " + server.url());
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("  It's C++\n  Hello\n  Goodbye\n  (3 in total)") != std::string::npos);
    CHECK(r.output.find(" is now 'Hello again'") != std::string::npos);
    CHECK(r.output.find("posts with 'o' in the title: 2") != std::string::npos);
    CHECK(r.output.find("  0 posts left.") != std::string::npos);
    CHECK(r.output.find("  stored as hello_") != std::string::npos);
    CHECK(r.output.find(server.url() + "/api/files/") != std::string::npos);
    CHECK(r.output.find("downloaded 30 bytes, identical to the upload") != std::string::npos);
    CHECK(r.output.find("Done.") != std::string::npos);
    CHECK(r.output.find(dev_accounts::admin_password) == std::string::npos);
    // The example removed its collection again.
    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    try {
        admin.collections().get_one("records_and_files_docs");
        FAIL("the example's collection is still there");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 404);
    }
}
