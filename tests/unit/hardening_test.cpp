// Client-side guarantees that hold for every transport: depth caps, scrubbed
// secrets, the auth store's listener contract and atomic record updates.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <atomic>
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
