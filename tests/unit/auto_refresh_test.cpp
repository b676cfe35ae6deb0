// Superuser sessions that do not lapse (request_options::auto_refresh_threshold): which call
// refreshes, which signs in again, which does nothing, and that it never recurses or doubles up.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <atomic>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

namespace {

constexpr const char* superusers_id = "pbc_3142635823";

// A superuser token for record r1 that expires `seconds` from now.
std::string superuser_token(long long seconds, const std::string& id = "r1") {
    return make_jwt({{"type", "auth"},
                     {"id", id},
                     {"collectionId", superusers_id},
                     {"exp", static_cast<long long>(std::time(nullptr)) + seconds}});
}

bosbase::request_options keep_alive(long long seconds) {
    bosbase::request_options o;
    o.auto_refresh_threshold = std::chrono::seconds(seconds);
    return o;
}

// "METHOD target" of every request from index `from` on.
std::vector<std::string> calls_since(const fake_transport& t, std::size_t from) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < t.s->requests.size(); ++i) {
        out.push_back(t.s->requests[i].method + " " + t.s->requests[i].target);
    }
    return out;
}

const std::string refresh = "POST /api/collections/_superusers/auth-refresh";
const std::string password_sign_in = "POST /api/collections/_superusers/auth-with-password";
const std::string token_sign_in = "POST /api/collections/_superusers/auth-with-token";
const std::string get_post = "GET /api/collections/posts/records/p1";

}  // namespace

TEST_CASE("auto-refresh: a token expiring within the threshold is refreshed before the call, once") {
    fake_transport t;
    fake_client pb("http://h", t);
    const std::string soon = superuser_token(600);
    t.reply_json(200, auth_response(soon, "_superusers"));
    pb.collection("_superusers").auth_with_password("admin@x.io", "admin-password-1", keep_alive(3600));
    CHECK(pb.auth_store().token() == soon);

    const std::size_t mark = t.count();
    const std::string fresh = superuser_token(86400);
    t.reply_json(200, auth_response(fresh, "_superusers"));
    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(calls_since(t, mark) == std::vector<std::string>{refresh, get_post});
    CHECK(header(t.s->requests[mark], "Authorization") == soon);       // the refresh uses the old token
    CHECK(header(t.s->requests[mark + 1], "Authorization") == fresh);  // the call the new one
    CHECK(pb.auth_store().token() == fresh);

    // Now far from expiry: the next call goes alone.
    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(calls_since(t, mark + 2) == std::vector<std::string>{get_post});
}

TEST_CASE("auto-refresh: nothing happens far from expiry, without the option, or for a token without exp") {
    fake_transport t;
    fake_client pb("http://h", t);
    SUBCASE("far from expiry") {
        t.reply_json(200, auth_response(superuser_token(7200), "_superusers"));
        pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456", keep_alive(3600));
    }
    SUBCASE("not asked for") {
        t.reply_json(200, auth_response(superuser_token(60), "_superusers"));
        pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456");
    }
    SUBCASE("no exp: the token never expires") {
        t.reply_json(200, auth_response(make_jwt({{"type", "auth"}, {"id", "r1"}, {"collectionId", superusers_id}}),
                                        "_superusers"));
        pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456", keep_alive(3600));
    }
    const std::size_t mark = t.count();
    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(calls_since(t, mark) == std::vector<std::string>{get_post});
}

TEST_CASE("auto-refresh: an expired token signs in again with the password that was used") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, auth_response(superuser_token(7200), "_superusers"));
    bosbase::request_options sign_in = keep_alive(60);
    sign_in.headers = {{"X-App", "desk"}};
    sign_in.body = {{"extra", 1}};
    pb.collection("_superusers").auth_with_password("admin@x.io", "admin-password-1", sign_in);
    pb.auth_store().save(superuser_token(-10), pb.auth_store().record());  // the token has run out

    const std::size_t mark = t.count();
    const std::string fresh = superuser_token(7200);
    t.reply_json(200, auth_response(fresh, "_superusers"));
    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(calls_since(t, mark) == std::vector<std::string>{password_sign_in, get_post});
    const auto& again = t.s->requests[mark];
    CHECK(json::parse(again.body) == json{{"extra", 1}, {"identity", "admin@x.io"}, {"password", "admin-password-1"}});
    CHECK(header(again, "X-App") == "desk");
    CHECK(header(t.s->requests[mark + 1], "Authorization") == fresh);
}

TEST_CASE("auto-refresh: a refresh the server refuses signs in again and a custom token sign-in uses the token") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, auth_response(superuser_token(30), "_superusers"));
    pb.collection("_superusers").auth_with_token("custom-token-secret-1", json::object(), {}, keep_alive(600));

    const std::size_t mark = t.count();
    t.reply_json(401, {{"status", 401}, {"message", "The request requires valid record authorization token."},
                       {"data", json::object()}});
    t.reply_json(200, auth_response(superuser_token(7200), "_superusers"));
    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(calls_since(t, mark) == std::vector<std::string>{refresh, token_sign_in, get_post});
    CHECK(json::parse(t.s->requests[mark + 1].body) == json{{"token", "custom-token-secret-1"}});

    SUBCASE("a failed sign-in fails the call, with the sign-in's error and no secret") {
        pb.auth_store().save(superuser_token(-1), pb.auth_store().record());
        t.reply_json(400, {{"status", 400}, {"message", "Failed to authenticate."}, {"data", json::object()}});
        const std::size_t before = t.count();
        try {
            (void)pb.collection("posts").get_one("p1");
            FAIL("no error");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 400);
            CHECK(std::string(e.what()).find("custom-token-secret-1") == std::string::npos);
        }
        CHECK(calls_since(t, before) == std::vector<std::string>{token_sign_in});  // the call itself never went
    }
}

TEST_CASE("auto-refresh: ends with sign-out or another identity and explicit sign-ins and refreshes never trigger it") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, auth_response(superuser_token(30), "_superusers"));
    pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456", keep_alive(600));

    SUBCASE("an explicit auth_refresh goes alone") {
        const std::size_t mark = t.count();
        t.reply_json(200, auth_response(superuser_token(30), "_superusers"));
        pb.collection("_superusers").auth_refresh();
        CHECK(calls_since(t, mark) == std::vector<std::string>{refresh});
    }
    SUBCASE("after sign-out") {
        pb.auth_store().clear();
        const std::size_t mark = t.count();
        t.reply_json(200, {{"id", "p1"}});
        (void)pb.collection("posts").get_one("p1");
        pb.auth_store().save(superuser_token(30), nullptr);  // the same identity back: the registration is gone
        t.reply_json(200, {{"id", "p1"}});
        (void)pb.collection("posts").get_one("p1");
        CHECK(calls_since(t, mark) == std::vector<std::string>{get_post, get_post});
    }
    SUBCASE("after another identity's sign-in") {
        t.reply_json(200, auth_response(superuser_token(30, "r2"), "_superusers"));
        pb.collection("_superusers").auth_with_password("b@x.io", "pw-654321");
        const std::size_t mark = t.count();
        t.reply_json(200, {{"id", "p1"}});
        (void)pb.collection("posts").get_one("p1");
        CHECK(calls_since(t, mark) == std::vector<std::string>{get_post});
    }
}

TEST_CASE("auto-refresh: a refreshed token still inside the threshold refreshes once per call, never in a loop") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, auth_response(superuser_token(30), "_superusers"));
    pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456", keep_alive(600));
    const std::size_t mark = t.count();
    for (int i = 0; i < 2; ++i) {
        t.reply_json(200, auth_response(superuser_token(30), "_superusers"));  // the server's duration is short
        t.reply_json(200, {{"id", "p1"}});
        (void)pb.collection("posts").get_one("p1");
    }
    CHECK(calls_since(t, mark) == std::vector<std::string>{refresh, get_post, refresh, get_post});
}

TEST_CASE("auto-refresh: misuse is refused before anything is sent") {
    fake_transport t;
    fake_client pb("http://h", t);
    CHECK_THROWS_AS(pb.collection("users").auth_with_password("u@x.io", "pw-123456", keep_alive(60)),
                    std::invalid_argument);
    CHECK_THROWS_AS(pb.collection("users").auth_with_token("tok", json::object(), {}, keep_alive(60)),
                    std::invalid_argument);
    CHECK_THROWS_AS(pb.collection("_superusers").auth_with_password("a@x.io", "pw", keep_alive(-1)),
                    std::invalid_argument);
    CHECK(t.count() == 0);
    // By id it is the same collection.
    t.reply_json(200, auth_response(superuser_token(7200), "_superusers"));
    CHECK_NOTHROW(pb.collection(superusers_id).auth_with_password("a@x.io", "pw-123456", keep_alive(60)));
}

namespace {

// Thread-safe: answers auth-refresh with a fresh token and counts it, everything else with {id}.
struct counting_transport {
    struct state {
        std::mutex mutex;
        int refreshes = 0;
        int calls = 0;
        std::vector<std::string> tokens_seen;
    };
    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        std::lock_guard<std::mutex> lock(s->mutex);
        if (req.target.find("auth-with-password") != std::string::npos) {
            return {200, {}, auth_response(superuser_token(30), "_superusers").dump()};
        }
        if (req.target.find("auth-refresh") != std::string::npos) {
            ++s->refreshes;
            return {200, {}, auth_response(superuser_token(86400), "_superusers").dump()};
        }
        ++s->calls;
        s->tokens_seen.push_back(header(req, "Authorization"));
        return {200, {}, R"({"id":"p1"})"};
    }
};

}  // namespace

TEST_CASE("auto-refresh: threads calling at once share one refresh, and every call carries the new token") {
    counting_transport t;
    bosbase::basic_bosbase<counting_transport> pb("http://h", t);
    pb.collection("_superusers").auth_with_password("a@x.io", "pw-123456", keep_alive(600));
    const std::string old_token = pb.auth_store().token();

    constexpr int threads = 8;
    std::atomic<int> ready{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&] {
            ready.fetch_add(1);
            while (ready.load() < threads) std::this_thread::yield();  // start together
            for (int k = 0; k < 5; ++k) (void)pb.collection("posts").get_one("p1");
        });
    }
    for (auto& w : workers) w.join();
    CHECK(t.s->refreshes == 1);
    CHECK(t.s->calls == threads * 5);
    for (const auto& seen : t.s->tokens_seen) CHECK(seen != old_token);
}
