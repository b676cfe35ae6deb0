// What every fault test checks about a failed call: only ClientResponseError, in
// bounded time, with no secret in any text, and a client that still works.
#pragma once

#include <doctest/doctest.h>
#include <fault_server.hpp>

#include <bosbase.hpp>

#include <sys/resource.h>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <typeinfo>

namespace bosbase_test {

// Secrets of the calls under test: long enough that the SDK scrubs them.
inline const std::string fault_password = "fault-password-secret-1";
inline const std::string fault_custom_token = "fault-custom-token-secret-1";
inline const std::string fault_email = "u@x.io";

using ms = std::chrono::milliseconds;

// Small limits, so a fault ends quickly. CI runs under ASan, hence the generous margin.
constexpr ms fault_deadline{1500};
constexpr ms fault_timeout{1000};
constexpr ms fault_margin{1500};
constexpr std::size_t fault_max_response = std::size_t(1) << 20;

inline bosbase::client_options small_limits() {
    bosbase::client_options o;
    o.connect_timeout = fault_timeout;
    o.timeout = fault_timeout;
    o.deadline = fault_deadline;
    o.max_response_bytes = fault_max_response;
    return o;
}

// The per-read timeout far above the deadline, so only the deadline can end a stall.
inline bosbase::request_options deadline_only() {
    bosbase::request_options o;
    o.timeout = ms(20000);
    o.deadline = fault_deadline;
    return o;
}

struct outcome {
    std::optional<bosbase::ClientResponseError> error;
    std::string other_exception;  // anything that is not ClientResponseError
    ms elapsed{0};
};

template <class F>
outcome run_call(F&& call) {
    outcome o;
    const auto started = std::chrono::steady_clock::now();
    try {
        call();
    } catch (const bosbase::ClientResponseError& e) {
        o.error = e;
    } catch (const std::exception& e) {
        o.other_exception = std::string(typeid(e).name()) + ": " + e.what();
    } catch (...) {
        o.other_exception = "a non-standard exception";
    }
    o.elapsed = std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - started);
    return o;
}

// A client on a fresh fault server, signed in normally, so the stored auth token is a
// secret that must not leak either.
struct fault_client {
    explicit fault_client(bosbase::client_options options = small_limits(),
                          fault_server::options server_options = {})
        : server(server_options), pb(server.url(), std::move(options)) {
        pb.collection("users").auth_with_token(fault_custom_token);
        REQUIRE(pb.auth_store().token() == fault_server_auth_token());
    }

    void bind() { pb.collection("users").bind_custom_token(fault_email, fault_password, fault_custom_token); }
    void unbind() { pb.collection("users").unbind_custom_token(fault_email, fault_password, fault_custom_token); }
    bosbase::json auth() { return pb.collection("users").auth_with_token(fault_custom_token); }
    bosbase::json list(const bosbase::request_options& o = {}) {
        return pb.collection("users").get_list(1, 30, o);
    }

    fault_server server;
    bosbase::BosBase pb;
};

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The checks every failed call must pass; returns the error for the test's own checks.
inline bosbase::ClientResponseError check_failed(const outcome& o, ms bound = fault_deadline) {
    REQUIRE_MESSAGE(o.other_exception.empty(), "escaped: " << o.other_exception);
    REQUIRE_MESSAGE(o.error.has_value(), "the call succeeded");
    const bosbase::ClientResponseError e = *o.error;
    INFO("what(): " << std::string(e.what()));
    CHECK_MESSAGE(o.elapsed <= bound + fault_margin, "took " << o.elapsed.count() << " ms");
    std::string dump;
    CHECK_NOTHROW(dump = e.response().dump());
    CHECK(e.response().is_object());
    const std::string texts = std::string(e.what()) + "\n" + e.url() + "\n" + dump + "\n" + e.original_error();
    for (const std::string& secret : {fault_password, fault_custom_token, std::string(fault_server_auth_token())}) {
        CHECK_MESSAGE(!contains(texts, secret), "a secret leaked into: " << texts.substr(0, 2000));
    }
    return e;
}

inline void check_kind_in(const bosbase::ClientResponseError& e, std::initializer_list<bosbase::error_kind> kinds) {
    bool found = false;
    for (auto k : kinds) found = found || e.error_kind() == k;
    CHECK_MESSAGE(found, "error_kind() is " << std::string(bosbase::to_string(e.error_kind())) << "; what(): "
                                            << std::string(e.what()));
}

inline void check_no_response(const bosbase::ClientResponseError& e, std::initializer_list<bosbase::error_kind> kinds) {
    CHECK_MESSAGE(e.status() == 0, "what(): " << std::string(e.what()));
    check_kind_in(e, kinds);
}

inline void check_store_untouched(fault_client& c) {
    CHECK(c.pb.auth_store().token() == fault_server_auth_token());
    CHECK(c.pb.auth_store().record().value("id", std::string()) == "r1");
}

// The same client object must succeed on a healthy endpoint right after the fault.
inline void check_next_call_works(fault_client& c) {
    const outcome next = run_call([&] {
        const auto list = c.list();
        CHECK(list["items"].size() == 1);
    });
    CHECK_MESSAGE(next.other_exception.empty(), "next call escaped: " << next.other_exception);
    CHECK_MESSAGE(!next.error.has_value(), "next call failed: " << std::string(next.error ? next.error->what() : ""));
}

inline long max_rss_kib() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace bosbase_test
