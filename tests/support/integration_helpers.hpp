// Helpers shared by the integration tests: running a command, switching MFA on, reading
// an emailed one-time password, and riding out BosBase's table cache.
#pragma once

#include <error_of.hpp>
#include <smtp_catcher.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>

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
inline bosbase::BosBase superuser(const test_server& server) {
    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    return admin;
}

// BosBase's own superuser routes: the error a call gets, and 401 anonymously, 403 as a users record.
inline bosbase::BosBase admin_services_user(const test_server& server) {
    bosbase::BosBase pb(server.url());
    pb.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
    return pb;
}

template <class F>
void check_admin_error(int status, const std::string& message, F&& call) {
    const auto e = error_of(call);
    CHECK(e.status() == status);
    CHECK(e.message() == message);
}

inline constexpr const char* su_anonymous_message = "The request requires valid record authorization token.";
inline constexpr const char* su_record_message = "The authorized record is not allowed to perform this action.";

// A superuser-only call: 401 anonymously, 403 as a users record.
template <class Call>
void check_admin_route_su_only(const test_server& server, Call&& call) {
    bosbase::BosBase anonymous(server.url());
    check_admin_error(401, su_anonymous_message, [&] { call(anonymous); });
    bosbase::BosBase user = admin_services_user(server);
    check_admin_error(403, su_record_message, [&] { call(user); });
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

// The one-time passwords a server sends. The dev server writes each code to
// <data>/otp_codes.jsonl before request-otp answers; BosBase mails it, after answering, to
// the SMTP server in its settings, which for this inbox is an smtp_catcher.
class otp_inbox {
public:
    explicit otp_inbox(const test_server& server) : server_(server) {
        if (!server.is_bosbase()) return;
        catcher_ = std::make_unique<smtp_catcher>();
        bosbase::BosBase admin = superuser(server);
        admin.settings().update({{"smtp",
                                  {{"enabled", true},
                                   {"host", "127.0.0.1"},
                                   {"port", catcher_->port()},
                                   {"tls", false},
                                   {"username", ""},
                                   {"password", ""}}}});
    }

    // The code last sent to `email`.
    std::string code_for(const std::string& email) {
        std::string code;
        if (!catcher_) {
            std::ifstream codes(server_.data_dir() + "/otp_codes.jsonl");
            for (std::string line; std::getline(codes, line);) {
                const bosbase::json entry = bosbase::json::parse(line);
                if (entry["email"] == email) code = entry["password"];
            }
            return code;
        }
        // The default template puts the code in <strong>; undo quoted-printable soft breaks.
        std::string text = catcher_->wait_for_mail_to(email, std::chrono::seconds(10)).data;
        for (std::size_t at; (at = text.find("=\n")) != std::string::npos;) text.erase(at, 2);
        std::smatch m;
        if (std::regex_search(text, m, std::regex("<strong>([0-9]+)</strong>"))) code = m[1];
        return code;
    }

private:
    const test_server& server_;
    std::unique_ptr<smtp_catcher> catcher_;
};

// A BosBase bug: a new collection's table is cached as missing for up to 2 s, and an
// update of the collection in that time fails with 400 "relation ... already exists".
// On BosBase this repeats `call` while it fails that way, within 10 s; on the dev server
// it runs it once.
template <class Call>
auto after_table_cache(const test_server& server, Call call) -> decltype(call()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        try {
            return call();
        } catch (const bosbase::ClientResponseError& e) {
            const bool cached_missing =
                server.is_bosbase() && e.status() == 400 && e.message().find("already exists (SQLSTATE 42P07)") != std::string::npos;
            if (!cached_missing || std::chrono::steady_clock::now() > deadline) throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a poll interval, under a deadline
    }
}

// PocketBase only allows MFA with at least two auth methods enabled, so OTP goes on too.
inline void require_mfa_for_users(const test_server& server) {
    bosbase::BosBase admin = superuser(server);
    admin.send("PATCH", "/api/collections/users", {{"mfa", {{"enabled", true}}}, {"otp", {{"enabled", true}}}});
}

}  // namespace bosbase_test
