// The shipped examples, run for real against a dev server.
#include <dev_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <array>
#include <cstdio>
#include <sys/wait.h>

using bosbase_test::dev_accounts;
using bosbase_test::dev_server;

namespace {

struct run_result {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

run_result run(const std::string& command) {
    run_result r;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

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
    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    admin.send("PATCH", "/api/collections/users", {{"mfa", {{"enabled", true}}}, {"otp", {{"enabled", true}}}});
    admin.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, "mfa-example");

    const auto r = run(std::string(BOSBASE_EXAMPLE_MFA_TOKEN_LOGIN) + " " + server.url() + " mfa-example " +
                       dev_accounts::user_email + " " + dev_accounts::user_password);
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("first factor accepted; MFA required") != std::string::npos);
    CHECK(r.output.find("second factor accepted; signed in as user@example.com") != std::string::npos);
}
