// Helpers shared by the integration tests: running a command, and switching MFA on.
#pragma once

#include <dev_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <functional>
#include <string>

namespace bosbase_test {

struct command_result {
    int exit_code = -1;
    std::string output;  // stdout, and stderr when the command redirects it
};

// Runs a shell command to completion and returns what it printed on stdout.
inline command_result run_command(const std::string& command) {
    command_result r;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// A client signed in as the dev server's seeded superuser.
inline bosbase::BosBase superuser(const dev_server& server) {
    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    return admin;
}

// The HTTP status a call ends with: 200 when it succeeds.
inline int status_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const bosbase::ClientResponseError& e) {
        return e.status();
    }
    return 200;
}

// PocketBase only allows MFA with at least two auth methods enabled, so OTP goes on too.
inline void require_mfa_for_users(const dev_server& server) {
    bosbase::BosBase admin = superuser(server);
    admin.send("PATCH", "/api/collections/users", {{"mfa", {{"enabled", true}}}, {"otp", {{"enabled", true}}}});
}

}  // namespace bosbase_test
