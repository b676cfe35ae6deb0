// auth_with_oauth2: the exact requests, the URL handed to the app, the checks on the
// redirect's message, and how the wait ends (deadline, cancel, a callback that throws,
// a lost connection), through the fake streaming transport.
#include <doctest/doctest.h>
#include <cancel_while_running.hpp>
#include <error_of.hpp>
#include <fake_stream_transport.hpp>
#include <fake_transport.hpp>

#include <bosbase.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

using bosbase::json;
using bosbase_test::cancel_while_running;
using bosbase_test::check_prompt_abort;
using bosbase_test::fake_stream_client;
using bosbase_test::fake_stream_transport;
using bosbase_test::mailbox;

namespace {

using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

const char* const auth_url =
    "https://idp.example/authorize?client_id=cid&code_challenge=CHALLENGE&code_challenge_method=S256"
    "&response_type=code&scope=openid+email&state=SERVERSTATE&redirect_uri=";

json auth_methods() {
    return {{"password", {{"enabled", true}}},
            {"oauth2",
             {{"enabled", true},
              {"providers",
               json::array({{{"name", "github"}, {"authURL", "https://github.example/x?state=S&redirect_uri="},
                             {"codeVerifier", "other"}},
                            {{"name", "oidc"},
                             {"displayName", "OIDC"},
                             {"state", "SERVERSTATE"},
                             {"authURL", auth_url},
                             {"codeVerifier", "VERIFIER"},
                             {"codeChallenge", "CHALLENGE"},
                             {"codeChallengeMethod", "S256"}}})}}}};
}

std::string percent_decode(const std::string& in) { return bosbase::detail::percent_decode(in, true); }

// The value of `key` in the URL's query, decoded.
std::string query_value(const std::string& url, const std::string& key) {
    const auto q = url.find('?');
    if (q == std::string::npos) return "<absent>";
    std::size_t pos = q + 1;
    while (pos <= url.size()) {
        auto amp = url.find('&', pos);
        if (amp == std::string::npos) amp = url.size();
        const std::string part = url.substr(pos, amp - pos);
        const auto eq = part.find('=');
        if (part.substr(0, eq) == key) return percent_decode(eq == std::string::npos ? "" : part.substr(eq + 1));
        pos = amp + 1;
    }
    return "<absent>";
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A BosBase: auth-methods, the realtime POSTs (204) and the code exchange.
struct server {
    fake_stream_transport t;
    int exchange_status = 200;
    json exchange_answer = bosbase_test::auth_response(bosbase_test::valid_auth_token());

    server() {
        t.s->on_send = [this](const bosbase::http_request& req) -> bosbase::http_response {
            if (ends_with(req.target, "/api/collections/users/auth-methods")) return {200, {}, auth_methods().dump()};
            if (req.target.find("/api/collections/users/auth-with-oauth2") != std::string::npos) {
                return {exchange_status, {}, exchange_answer.dump()};
            }
            return {204, {}, {}};
        };
    }

    std::vector<bosbase::http_request> sent() {
        std::lock_guard<std::mutex> lock(t.s->m);
        return t.s->posts;
    }
};

// The browser: the provider sends it to the redirect URL, and BosBase tells the
// realtime client named by `state` (here the fake stream pushes that message).
auto redirect_with(server& srv, json extra, std::string* seen_url = nullptr) {
    return [&srv, extra = std::move(extra), seen_url](const std::string& url) {
        if (seen_url) *seen_url = url;
        json message{{"state", query_value(url, "state")}, {"code", "THE-CODE"}};
        message.update(extra);
        srv.t.push_event("@oauth2", message);
    };
}

bosbase::request_options deadline(ms d) {
    bosbase::request_options o;
    o.deadline = d;
    return o;
}

}  // namespace

TEST_CASE("oauth2: the sign-in reads the auth methods, subscribes to @oauth2, hands over the URL, exchanges the code "
          "and stores the session") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090/base", srv.t);
    std::string url;
    const json auth = pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, json::object(), &url));

    CHECK(auth["token"] == bosbase_test::valid_auth_token());
    CHECK(pb.auth_store().token() == bosbase_test::valid_auth_token());
    CHECK(pb.auth_store().record()["id"] == "r1");

    // The provider's URL with the redirect URL appended and encoded, and the state
    // replaced by the realtime client id; everything else as the server sent it.
    CHECK(url ==
          "https://idp.example/authorize?client_id=cid&code_challenge=CHALLENGE&code_challenge_method=S256"
          "&response_type=code&scope=openid%20email&state=client1"
          "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8090%2Fbase%2Fapi%2Foauth2-redirect");

    const auto sent = srv.sent();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].method == "GET");
    CHECK(sent[0].target == "/base/api/collections/users/auth-methods");
    CHECK(sent[1].method == "POST");
    CHECK(sent[1].target == "/base/api/realtime");
    CHECK(json::parse(sent[1].body) == json{{"clientId", "client1"}, {"subscriptions", {"@oauth2"}}});
    CHECK(bosbase_test::header(sent[1], "Authorization") == "<absent>");  // a guest's connection
    CHECK(sent[2].method == "POST");
    CHECK(sent[2].target == "/base/api/collections/users/auth-with-oauth2");
    CHECK(json::parse(sent[2].body) == json{{"provider", "oidc"},
                                            {"code", "THE-CODE"},
                                            {"codeVerifier", "VERIFIER"},
                                            {"redirectURL", "http://127.0.0.1:8090/base/api/oauth2-redirect"}});
    // The connection of the sign-in is closed by the time it returns.
    CHECK(srv.t.s->stream_requests.size() == 1);
    CHECK_FALSE(srv.t.s->open);
}

TEST_CASE("oauth2: scopes replace the provider's, create_data and the request options reach the exchange") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    bosbase::oauth2_options oauth2;
    oauth2.scopes = {"openid", "profile"};
    oauth2.create_data = {{"name", "New User"}};
    oauth2.expand = "team";  // oauth2_options builds on request_options: one struct for both
    oauth2.headers = {{"X-Trace", "7"}};
    std::string url;
    (void)pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, json::object(), &url), oauth2);

    CHECK(query_value(url, "scope") == "openid profile");
    const auto sent = srv.sent();
    REQUIRE(sent.size() == 3);
    CHECK(bosbase_test::header(sent[0], "X-Trace") == "7");
    CHECK(sent[0].target == "/api/collections/users/auth-methods");  // the query options are the exchange's
    CHECK(sent[2].target == "/api/collections/users/auth-with-oauth2?expand=team");
    CHECK(bosbase_test::header(sent[2], "X-Trace") == "7");
    CHECK(json::parse(sent[2].body)["createData"] == json{{"name", "New User"}});
}

TEST_CASE("oauth2: the query of the provider's URL is rebuilt as the JS SDK's _replaceQueryParams does") {
    using bosbase::detail::oauth2_replace_query;
    CHECK(oauth2_replace_query("https://a.example/auth", {{"state", "s 1"}}) == "https://a.example/auth?state=s%201");
    CHECK(oauth2_replace_query("https://a.example/auth?x=1&&state=old&y=a%2Bb+c&redirect_uri=http://h/p?q=1",
                               {{"state", "new"}, {"scope", "a b"}}) ==
          "https://a.example/auth?x=1&state=new&y=a%2Bb%20c&redirect_uri=http%3A%2F%2Fh%2Fp%3Fq%3D1&scope=a%20b");
    CHECK(oauth2_replace_query("https://a.example/auth?flag&state=", {{"state", "id"}}) ==
          "https://a.example/auth?flag=&state=id");
}

TEST_CASE("oauth2: a redirect with another state is refused, without the state or the code in the error") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string&) {
            srv.t.push_event("@oauth2", {{"state", "someone-else"}, {"code", "THE-CODE"}});
        });
    });
    CHECK(e.status() == 0);
    CHECK(std::string(e.what()).find("state does not match") != std::string::npos);
    CHECK(std::string(e.what()).find("someone-else") == std::string::npos);
    CHECK(std::string(e.what()).find("client1") == std::string::npos);
    CHECK(std::string(e.what()).find("THE-CODE") == std::string::npos);
    CHECK(e.response().dump().find("THE-CODE") == std::string::npos);
    CHECK(srv.sent().size() == 2);  // no exchange
    CHECK(pb.auth_store().token().empty());
    CHECK_FALSE(srv.t.s->open);
}

TEST_CASE("oauth2: a provider's error ends the sign-in as a ClientResponseError that names it") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2(
            "oidc", redirect_with(srv, {{"code", ""}, {"error", "access_denied"}}));
    });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::other);
    // The call failed, not the connection: the text says so, not "no usable response".
    CHECK(std::string(e.what()).rfind("bosbase: call failed: the OAuth2 provider refused the sign-in: access_denied", 0) == 0);
    CHECK(e.response()["message"] == "the OAuth2 provider refused the sign-in: access_denied");
    CHECK(srv.sent().size() == 2);

    // An error text that is not short printable ASCII is not repeated; no code is the same failure.
    const auto odd = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, {{"error", "x\r\nSet-Cookie: a"}}));
    });
    CHECK(std::string(odd.what()).find("Set-Cookie") == std::string::npos);
    const auto no_code = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, {{"code", ""}})); });
    CHECK(std::string(no_code.what()).find("carried no code") != std::string::npos);
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("oauth2: a redirect that never comes ends at the deadline, error_kind deadline") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    std::atomic<bool> called{false};
    const auto started = steady::now();
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string&) { called = true; }, {},
                                                       deadline(ms(300)));
    });
    const auto took = std::chrono::duration_cast<ms>(steady::now() - started);
    CHECK(called);
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK_FALSE(e.is_abort());
    CHECK(std::string(e.what()).find("no OAuth2 redirect within the sign-in's deadline (300 ms)") != std::string::npos);
    CHECK(took >= ms(300));
    CHECK(took < ms(2000));
    MESSAGE("the sign-in with a 300 ms deadline ended after " << took.count() << " ms");
    CHECK(srv.sent().size() == 2);
    CHECK_FALSE(srv.t.s->open);
}

TEST_CASE("oauth2: the default deadline of oauth2_options holds when request_options has none") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    bosbase::oauth2_options oauth2;
    oauth2.default_deadline = ms(200);
    const auto e = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) {}, oauth2); });
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK(std::string(e.what()).find("(200 ms)") != std::string::npos);
}

TEST_CASE("oauth2: a cancel from another thread ends the wait for the redirect within 100 ms") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    mailbox<std::string> urls;
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            bosbase::request_options o;
            o.cancel = token;
            (void)pb.collection("users").auth_with_oauth2(
                "oidc", [&](const std::string& url) { urls.put(url); }, {}, o);
        },
        [&] { return urls.wait_count(1); }));
    CHECK(srv.sent().size() == 2);
    CHECK_FALSE(srv.t.s->open);
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("oauth2: a token cancelled before the call stops it before any request") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    bosbase::request_options o;
    o.cancel = bosbase::cancel_token();
    o.cancel->cancel();
    // Plain request_options, as every other call takes them.
    const auto e = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) {}, o); });
    CHECK(e.is_abort());
    CHECK(srv.sent().empty());
}

TEST_CASE("oauth2: what the url_callback throws reaches the caller, and the connection is closed") {
    struct browser_missing : std::runtime_error {
        using std::runtime_error::runtime_error;
    };
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    CHECK_THROWS_AS(pb.collection("users").auth_with_oauth2(
                        "oidc", [](const std::string&) { throw browser_missing("no browser"); }),
                    browser_missing);
    CHECK(srv.sent().size() == 2);
    CHECK_FALSE(srv.t.s->open);
    CHECK(pb.realtime().topics().empty());  // the app's own realtime was never touched
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("oauth2: a realtime connection lost before the redirect ends the sign-in (its state is gone)") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string&) { srv.t.end_stream(); }, {},
                                                       deadline(ms(5000)));
    });
    CHECK(e.error_kind() == bosbase::error_kind::receive);
    CHECK(std::string(e.what()).find("realtime connection that waited for the OAuth2 redirect ended") !=
          std::string::npos);
    CHECK(std::string(e.what()).find("client1") == std::string::npos);
}

TEST_CASE("oauth2: an unknown provider names the enabled ones and opens no connection") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("gitlab", [](const std::string&) { FAIL("called"); }); });
    CHECK(e.status() == 0);
    CHECK(std::string(e.what()).find("the collection 'users' has no OAuth2 provider 'gitlab' (enabled: github, oidc)") !=
          std::string::npos);
    CHECK(srv.sent().size() == 1);
    CHECK(srv.t.s->stream_requests.empty());
}

TEST_CASE("oauth2: a refused exchange is the server's error, without the code or the verifier") {
    server srv;
    srv.exchange_status = 400;
    srv.exchange_answer = {{"status", 400}, {"message", "Failed to authenticate. THE-CODE"}, {"data", json::object()}};
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, json::object())); });
    CHECK(e.status() == 400);
    CHECK(std::string(e.what()).find("THE-CODE") == std::string::npos);
    CHECK(pb.auth_store().token().empty());
}

// Found by the oauth2_redirect fuzz harness: the exchange scrubbed the code and the verifier
// but not the state, which the server knows (its realtime client id).
TEST_CASE("oauth2: a refused exchange that repeats the state does not show it") {
    server srv;
    srv.exchange_status = 400;
    srv.exchange_answer = {{"status", 400},
                           {"message", "Failed for client1 with VERIFIER"},
                           {"data", {{"state", {{"code", "x"}, {"message", "client1"}}}}}};
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    const auto e = bosbase_test::error_of(
        [&] { (void)pb.collection("users").auth_with_oauth2("oidc", redirect_with(srv, json::object())); });
    CHECK(e.status() == 400);
    CHECK(std::string(e.what()).find("client1") == std::string::npos);
    CHECK(std::string(e.what()).find("VERIFIER") == std::string::npos);
    CHECK(e.response().dump().find("client1") == std::string::npos);
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("oauth2: bad input is refused before any request") {
    server srv;
    fake_stream_client pb("http://127.0.0.1:8090", srv.t);
    auto users = pb.collection("users");
    auto noop = [](const std::string&) {};
    CHECK_THROWS_WITH_AS(users.auth_with_oauth2("", noop), doctest::Contains("needs a provider name"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(users.auth_with_oauth2("oidc", nullptr), doctest::Contains("needs a url_callback"),
                         std::invalid_argument);
    bosbase::oauth2_options bad_data;
    bad_data.create_data = json::array();
    CHECK_THROWS_WITH_AS(users.auth_with_oauth2("oidc", noop, bad_data), doctest::Contains("create_data"),
                         std::invalid_argument);
    CHECK_THROWS_AS(users.auth_with_oauth2("oidc", noop, {}, deadline(ms(-1))), std::invalid_argument);
    CHECK(srv.sent().empty());
}
