// Client-side guarantees that hold for every transport: depth caps, scrubbed
// secrets, the auth store's listener contract and atomic record updates.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using bosbase::ClientResponseError;
using bosbase::json;
using namespace bosbase_test;

static_assert(std::is_nothrow_copy_constructible_v<ClientResponseError>, "copying an error must not throw");
static_assert(std::is_nothrow_copy_assignable_v<ClientResponseError>, "assigning an error must not throw");

namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

template <class F>
ClientResponseError catch_error(F&& f) {
    try {
        f();
    } catch (const ClientResponseError& e) {
        return e;
    }
    FAIL("expected a ClientResponseError");
    return ClientResponseError("", -1, json());
}

}  // namespace

TEST_CASE("a response nested deeper than max_json_depth is refused, not parsed recursively") {
    fake_transport t;
    bosbase::client_options options;
    options.max_json_depth = 8;
    fake_client pb("http://127.0.0.1:8090", t, options);

    t.reply(200, "{\"a\":" + nested_arrays(7) + "}");  // depth 8: accepted
    CHECK(pb.send("GET", "/api/x")["a"].is_array());

    t.reply(200, "{\"a\":" + nested_arrays(8) + "}");
    auto e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);

    // The crash that was seen: a sign-in whose record nests 100,000 levels.
    t.reply(200, R"({"token":")" + valid_auth_token() + R"(","record":{"x":)" + nested_arrays(100000) + "}}");
    e = catch_error([&] { pb.collection("users").auth_with_token("custom-token-1"); });
    CHECK(e.status() == 200);
    CHECK(pb.auth_store().token().empty());

    // An error body that nests too deep still gives a usable error.
    t.reply(400, nested_arrays(100000));
    e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK(e.status() == 400);
    CHECK_NOTHROW((void)e.response().dump());
}

TEST_CASE("secrets of the call are scrubbed from every text of its error") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string password = "hunter2-password";
    const std::string token = "custom-token-0123456789";

    t.reply_json(400, {{"message", "bad token " + token + " for " + password},
                       {"data", {{"token", {{"code", "x"}, {"message", "echo " + token}}}}},
                       {"status", 400}});
    auto e = catch_error([&] { pb.collection("users").bind_custom_token("u@x.io", password, token); });
    const std::string all = std::string(e.what()) + e.url() + e.response().dump();
    CHECK(all.find(token) == std::string::npos);
    CHECK(all.find(password) == std::string::npos);
    CHECK(e.message() == "bad token *** for ***");

    // The stored auth token travels in Authorization; an echo of it is scrubbed too.
    const std::string jwt = sign_in(pb, t);
    t.fail(bosbase::error_kind::receive, "peer said " + jwt);
    e = catch_error([&] { (void)pb.collection("posts").get_list(); });
    CHECK(std::string(e.what()).find(jwt) == std::string::npos);
    CHECK(e.original_error() == "peer said ***");
}

TEST_CASE("a raw error body that is not UTF-8 still dumps") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(500, std::string("oops \xC3", 6));  // cut inside a two-byte character
    auto e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK(e.response()["body"] == "oops \xEF\xBF\xBD");
    t.reply(500, std::string("\xFF\xFE<html>", 8));
    e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK_NOTHROW((void)e.response().dump());
}

TEST_CASE("a body over max_response_bytes from any transport is refused") {
    fake_transport t;
    bosbase::client_options options;
    options.max_response_bytes = 16;
    fake_client pb("http://127.0.0.1:8090", t, options);
    t.reply(200, std::string(17, ' '));
    auto e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::too_large);
    CHECK(t.last().max_response_bytes == 16);
}

TEST_CASE("the call's deadline reaches the transport") {
    fake_transport t;
    bosbase::client_options options;
    options.deadline = std::chrono::seconds(7);
    fake_client pb("http://127.0.0.1:8090", t, options);
    t.reply_json(200, json::object());
    const auto before = std::chrono::steady_clock::now();
    pb.send("GET", "/api/x");
    CHECK(t.last().deadline >= before + std::chrono::seconds(7));
    CHECK(t.last().deadline <= std::chrono::steady_clock::now() + std::chrono::seconds(7));

    bosbase::request_options call;
    call.deadline = std::chrono::milliseconds(250);
    t.reply_json(200, json::object());
    pb.send("GET", "/api/x", nullptr, call);
    CHECK(t.last().deadline <= std::chrono::steady_clock::now() + std::chrono::milliseconds(250));
    CHECK_FALSE(t.last().decompress);
}

TEST_CASE("only documented exceptions leave a call, and bad_alloc stays bad_alloc") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.s->script.push_back([](const bosbase::http_request&) -> bosbase::http_response { throw std::bad_alloc(); });
    CHECK_THROWS_AS(pb.send("GET", "/api/x"), std::bad_alloc);
    t.s->script.push_back([](const bosbase::http_request&) -> bosbase::http_response { throw 42; });
    auto e = catch_error([&] { pb.send("GET", "/api/x"); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::other);
}

TEST_CASE("current_transport_fault: a transport_error keeps its kind, other exceptions are `other`, bad_alloc goes on") {
    using bosbase::error_kind;
    auto fault_of = [](auto thrown) {
        try {
            throw thrown;
        } catch (...) {
            return bosbase::detail::current_transport_fault();
        }
    };
    const auto timed_out = fault_of(bosbase::transport_error(error_kind::timeout, "read timed out"));
    CHECK(timed_out.kind == error_kind::timeout);
    CHECK(timed_out.what == "read timed out");
    const auto standard = fault_of(std::runtime_error("disk on fire"));
    CHECK(standard.kind == error_kind::other);
    CHECK(standard.what == "disk on fire");
    const auto odd = fault_of(42);
    CHECK(odd.kind == error_kind::other);
    CHECK(odd.what == "the transport threw a non-standard exception");
    CHECK_THROWS_AS(fault_of(std::bad_alloc()), std::bad_alloc);
}

TEST_CASE("a call cancelled while its transport fails says cancelled, whatever the transport threw") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    for (const bool standard : {true, false}) {
        CAPTURE(standard);
        bosbase::cancel_token token;
        bosbase::request_options options;
        options.cancel = token;
        t.s->script.push_back([token, standard](const bosbase::http_request&) -> bosbase::http_response {
            token.cancel();
            if (standard) throw std::runtime_error("socket closed");
            throw 42;
        });
        auto e = catch_error([&] { pb.send("GET", "/api/x", nullptr, options); });
        CHECK(e.error_kind() == bosbase::error_kind::canceled);
        CHECK(e.is_abort());
    }
}

TEST_CASE("auth_store: odd claims and records never throw") {
    bosbase::auth_store store;
    store.save(make_jwt({{"type", 5}, {"collectionId", json::array()}}), {{"collectionName", 7}});
    CHECK_FALSE(store.is_superuser());
    store.save(make_jwt({{"type", "auth"}, {"collectionId", "pbc_3142635823"}}), json::array());
    CHECK(store.is_superuser());
    CHECK_THROWS_AS(store.save("abc\r\nX-Injected: 1", json::object()), std::invalid_argument);
    CHECK_THROWS_AS(store.save(std::string("abc\0def", 7), json::object()), std::invalid_argument);
    CHECK(store.token() == make_jwt({{"type", "auth"}, {"collectionId", "pbc_3142635823"}}));
}

TEST_CASE("auth_store: a throwing listener neither fails the change nor silences the others") {
    bosbase::auth_store store;
    int later = 0;
    store.on_change([](const std::string&, const json&) { throw std::runtime_error("listener bug"); });
    store.on_change([&](const std::string&, const json&) { ++later; });
    CHECK_NOTHROW(store.save("t1", json::object()));
    CHECK(store.token() == "t1");
    CHECK(later == 1);
}

TEST_CASE("auth_store: after remove_listener returns, the listener never runs again") {
    bosbase::auth_store store;
    std::atomic<bool> removed{false};
    std::atomic<int> late_calls{0};
    const auto id = store.on_change([&](const std::string&, const json&) {
        if (removed.load()) ++late_calls;
    });
    std::thread writer([&] {
        for (int i = 0; i < 2000; ++i) store.save("t" + std::to_string(i), json::object());
    });
    // Remove while the writer is notifying; from here on no call may start.
    CHECK(store.remove_listener(id));
    removed = true;
    writer.join();
    CHECK(late_calls == 0);

    // A listener may remove itself, and a later one removed in the same round is skipped.
    bosbase::auth_store other;
    int second_calls = 0;
    bosbase::auth_store::listener_id second = 0;
    other.on_change([&](const std::string&, const json&) { other.remove_listener(second); });
    second = other.on_change([&](const std::string&, const json&) { ++second_calls; });
    other.save("x", json::object());
    CHECK(second_calls == 0);
}

TEST_CASE("update() merges into the stored record and remove() signs out, only for that record") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = sign_in(pb, t);  // record r1 of users, email u@x.io

    // A projected response (fields=id,name) must not wipe the email.
    t.reply_json(200, {{"id", "r1"}, {"name", "New"}, {"expand", {{"team", {{"id", "t1"}}}}}});
    pb.collection("users").update("r1", {{"name", "New"}});
    CHECK(pb.auth_store().record()["email"] == "u@x.io");
    CHECK(pb.auth_store().record()["name"] == "New");
    CHECK(pb.auth_store().record()["expand"]["team"]["id"] == "t1");
    CHECK(pb.auth_store().token() == jwt);

    t.reply_json(200, {{"id", "r1"}, {"name", "Other"}});
    pb.collection("posts").update("r1", {{"name", "Other"}});  // same id, other collection
    CHECK(pb.auth_store().record()["name"] == "New");

    t.reply(204);
    pb.collection("posts").remove("r1");
    CHECK(pb.auth_store().token() == jwt);
    t.reply(204);
    pb.collection("_pb_users_auth_").remove("r1");  // by collection id
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("URL redaction sees percent-encoded secret keys") {
    using bosbase::detail::redact_url;
    CHECK(redact_url("http://h/p?%74oken=abc&x=1") == "http://h/p?%74oken=REDACTED&x=1");
    CHECK(redact_url("http://h/p?PASSWORD=abc") == "http://h/p?PASSWORD=REDACTED");
    CHECK(redact_url("http://h/p?tok%65n=abc%") == "http://h/p?tok%65n=REDACTED");
    CHECK(redact_url("http://h/p?to%6=abc") == "http://h/p?to%6=abc");  // not a valid escape, not "token"
}

// The core checks the token before it builds anything, so this holds for a transport that
// ignores http_request::cancel too (this fake never looks at it).
TEST_CASE("a call whose cancel token is already cancelled sends nothing: no request, no hook, no auto-refresh") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    // A superuser session within the auto-refresh threshold: any call would refresh it first.
    const std::string soon = make_jwt({{"type", "auth"},
                                       {"id", "r1"},
                                       {"collectionId", "pbc_3142635823"},
                                       {"exp", static_cast<long long>(std::time(nullptr)) + 60}});
    bosbase::request_options keep;
    keep.auto_refresh_threshold = std::chrono::seconds(3600);
    t.reply_json(200, auth_response(soon, "_superusers"));
    pb.collection("_superusers").auth_with_password("admin@x.io", "admin-password-1", keep);
    const std::size_t sent = t.count();

    int hooked = 0;
    pb.before_send([&hooked](bosbase::http_request&) { ++hooked; });
    bosbase::cancel_token token;
    token.cancel();
    bosbase::request_options options;
    options.cancel = token;

    auto check_canceled = [&](const std::string& what, auto&& call) {
        CAPTURE(what);
        const ClientResponseError e = catch_error(call);
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::canceled);
        CHECK(t.count() == sent);
        CHECK(hooked == 0);
    };
    check_canceled("get_one", [&] { (void)pb.collection("posts").get_one("p1", options); });
    check_canceled("create", [&] { pb.collection("posts").create(json{{"title", "x"}}, options); });
    check_canceled("multipart create", [&] {
        pb.collection("posts").create_with_files(json{{"title", "x"}},
                                                 {{"doc", bosbase::file_part::from_bytes("a.txt", "hello")}}, options);
    });
    check_canceled("auth_with_token", [&] { pb.collection("users").auth_with_token("custom", {}, {}, options); });
    check_canceled("download", [&] {
        std::ostringstream out;
        pb.files().download(json{{"id", "p1"}, {"collectionName", "posts"}}, "a.txt", out, {}, options);
    });
    check_canceled("async", [&] {
        pb.async([](const fake_client& c) { return c.collection("posts").get_one("p1"); }, token).get();
    });
    CHECK(pb.auth_store().token() == soon);  // no refresh ran, nothing changed the session
}

TEST_CASE("a secret that straddles the cut of a non-JSON error body leaves no part of itself") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string password = "straddling-Password-0123456789";
    // Starts at byte 500 of the body; the body kept in response() is cut at 512 bytes.
    t.reply(400, std::string(500, 'x') + password + " was refused");
    const ClientResponseError e = catch_error([&] { pb.collection("users").auth_with_password("u@x.io", password); });
    CHECK(e.status() == 400);
    const std::string body = e.response().value("body", std::string());
    CHECK(body.size() <= 512);
    CHECK(body.compare(0, 500, std::string(500, 'x')) == 0);
    CHECK(body.find(password.substr(0, 8)) == std::string::npos);
    CHECK(e.response().dump().find(password.substr(0, 8)) == std::string::npos);
    CHECK(std::string(e.what()).find(password.substr(0, 8)) == std::string::npos);
}

TEST_CASE("a redirect's Location is redacted of credentials that are not the call's own") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string other_jwt = make_jwt({{"type", "auth"}, {"id", "someone-else"}});
    const std::string location = "https://sso-user:sso-pass@login.example/cb?t=" + other_jwt +
                                 "&code=oauth-code-123&state=st-456&X-Amz-Signature=abcdef&page=2#access_token=frag-tok";
    t.s->script.push_back([&](const bosbase::http_request&) {
        return bosbase::http_response{302, {{"Location", location}}, ""};
    });
    const ClientResponseError e = catch_error([&] { (void)pb.collection("posts").get_one("p1"); });
    CHECK(e.status() == 302);
    const std::string got = e.response().value("location", std::string());
    CHECK(got == "https://REDACTED@login.example/cb?t=REDACTED&code=REDACTED&state=REDACTED&X-Amz-Signature=REDACTED"
                 "&page=2#access_token=REDACTED");
    for (const std::string& secret : {other_jwt, std::string("oauth-code-123"), std::string("st-456"),
                                      std::string("abcdef"), std::string("frag-tok"), std::string("sso-pass")}) {
        CAPTURE(secret);
        CHECK(e.response().dump().find(secret) == std::string::npos);
        CHECK(std::string(e.what()).find(secret) == std::string::npos);
    }
}

TEST_CASE("URL redaction: user-info, the fragment, JWT values under any name, the rest byte for byte") {
    using bosbase::detail::redact_url;
    CHECK(redact_url("http://u:p@h:1/x?a=1") == "http://REDACTED@h:1/x?a=1");
    CHECK(redact_url("http://h/x@y?a=1") == "http://h/x@y?a=1");  // an '@' in the path is no user-info
    CHECK(redact_url("/p?page=2&perPage=30&filter=a%3D1") == "/p?page=2&perPage=30&filter=a%3D1");
    CHECK(redact_url("/p?x=eyJhbGciOi.eyJpZCI6.sig") == "/p?x=REDACTED");
    CHECK(redact_url("/p?x=eyJhbGciOi") == "/p?x=eyJhbGciOi");  // one segment: not a JWT
    CHECK(redact_url("/p#a=1&refresh_token=r") == "/p#a=1&refresh_token=REDACTED");
    CHECK(redact_url("/p?q=1#frag") == "/p?q=1#frag");
    CHECK(redact_url("/p?API_KEY=k&clientSecret=s&sessionId=1") == "/p?API_KEY=REDACTED&clientSecret=REDACTED&sessionId=1");
    for (const char* url : {"http://u:p@h/x?token=a#b=eyJa.b.c", "/p?&&==&token", "http://@h", "?#&#&"}) {
        CAPTURE(url);
        CHECK(redact_url(redact_url(url)) == redact_url(url));
    }
}
