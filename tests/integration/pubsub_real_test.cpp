// Pub/sub against the real BosBase server (the dev server has no /api/pubsub). Built with
// every cpp-httplib, but has tests only where the default transport has its WebSocket
// (the clang-current preset); run through scripts/test_real_bosbase.sh (label real_pubsub).
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <error_of.hpp>
#include <integration_helpers.hpp>
#include <tinyproxy.hpp>

#include <bosbase.hpp>

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

using bosbase_test::dev_accounts;
using bosbase_test::test_server;

namespace {

// Every message a client's subscriptions saw, in arrival order, waited for with a bound.
struct heard {
    std::mutex m;
    std::condition_variable cv;
    std::vector<bosbase::pubsub_message> messages;
    std::vector<bosbase::pubsub_reconnect> reconnects;

    bosbase::pubsub_callback collect() {
        return [this](const bosbase::pubsub_message& msg) {
            std::lock_guard<std::mutex> lock(m);
            messages.push_back(msg);
            cv.notify_all();
        };
    }
    template <class Pred>
    bool wait(Pred pred, std::chrono::seconds limit = std::chrono::seconds(20)) {
        std::unique_lock<std::mutex> lock(m);
        return cv.wait_for(lock, limit, pred);
    }
    std::size_t count(const std::string& topic) {
        return static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(),
                                                      [&](const bosbase::pubsub_message& x) { return x.topic == topic; }));
    }
};

void sign_in(const bosbase::BosBase& pb, const char* email, const char* password) {
    pb.collection("users").auth_with_password(email, password);
}

void require_bosbase(const test_server& server) {
    REQUIRE_MESSAGE(server.is_bosbase(), "pub/sub needs the real BosBase: run scripts/test_real_bosbase.sh");
}

// A server and two signed-in users, each on a client (and so a socket) of their own.
struct two_users {
    test_server server;
    bosbase::BosBase ann{server.url()};
    bosbase::BosBase bob{server.url()};
    two_users() {
        require_bosbase(server);
        sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
        sign_in(bob, dev_accounts::other_email, dev_accounts::other_password);
    }
};

}  // namespace

TEST_CASE("pub/sub: two clients, messages in order, the publisher hears its own") {
    two_users users;
    auto& ann = users.ann;
    auto& bob = users.bob;
    heard at_ann;
    heard at_bob;
    auto a = ann.pubsub().subscribe("room", at_ann.collect());
    auto b = bob.pubsub().subscribe("room", at_bob.collect());
    CHECK(ann.pubsub().is_connected());
    CHECK(!bob.pubsub().client_id().empty());

    std::vector<bosbase::publish_ack> acks;
    for (int i = 0; i < 20; ++i) acks.push_back(ann.pubsub().publish("room", {{"n", i}}));
    CHECK(acks[0].topic == "room");
    CHECK(!acks[0].id.empty());
    CHECK(acks[0].created.size() >= 20);  // "2026-12-04 18:12:38.148Z"
    REQUIRE(at_bob.wait([&] { return at_bob.messages.size() >= 20; }));
    REQUIRE(at_ann.wait([&] { return at_ann.messages.size() >= 20; }));
    for (int i = 0; i < 20; ++i) {
        CHECK(at_bob.messages[i].data == bosbase::json{{"n", i}});
        CHECK(at_bob.messages[i].id == acks[i].id);
        CHECK(at_ann.messages[i].data == bosbase::json{{"n", i}});
    }
}

TEST_CASE("pub/sub: unsubscribing stops delivery") {
    test_server server;
    require_bosbase(server);
    bosbase::BosBase ann(server.url());
    bosbase::BosBase bob(server.url());
    sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
    heard at_bob;
    auto room = bob.pubsub().subscribe("room", at_bob.collect());
    auto control = bob.pubsub().subscribe("control", at_bob.collect());
    ann.pubsub().publish("room", "before");
    REQUIRE(at_bob.wait([&] { return at_bob.count("room") == 1; }));
    room.unsubscribe();
    // One node fans out in publish order, so once "control" arrives a "room" message
    // published before it would have arrived too, had bob still been subscribed.
    ann.pubsub().publish("room", "after");
    ann.pubsub().publish("control", "marker");
    REQUIRE(at_bob.wait([&] { return at_bob.count("control") == 1; }));
    CHECK(at_bob.count("room") == 1);
    CHECK(bob.pubsub().topics() == std::vector<std::string>{"control"});
}

TEST_CASE("pub/sub: anonymous and unrecognised clients may subscribe but the server refuses their publish") {
    test_server server;
    require_bosbase(server);
    bosbase::BosBase anonymous(server.url());
    heard at_anon;
    auto sub = anonymous.pubsub().subscribe("room", at_anon.collect());
    auto refused = [](const bosbase::BosBase& pb) {
        try {
            pb.pubsub().publish("room", "x");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 400);
            CHECK(e.response().value("message", "") == "authentication required to publish");
            return;
        }
        FAIL("the publish was accepted");
    };
    refused(anonymous);
    bosbase::BosBase forged(server.url());
    forged.auth_store().save("not.a.token", bosbase::json::object());  // connects as anonymous
    refused(forged);
    // Still subscribed: a signed-in publisher reaches the anonymous subscriber.
    bosbase::BosBase ann(server.url());
    sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
    ann.pubsub().publish("room", "to everyone");
    REQUIRE(at_anon.wait([&] { return at_anon.messages.size() == 1; }));
    CHECK(at_anon.messages[0].data == "to everyone");
}

TEST_CASE("pub/sub: a server restart mid-subscription resumes delivery and reports the gap") {
    two_users users;
    auto& server = users.server;
    auto& ann = users.ann;
    auto& bob = users.bob;
    heard at_bob;
    bob.pubsub().on_reconnect([&](const bosbase::pubsub_reconnect& r) {
        std::lock_guard<std::mutex> lock(at_bob.m);
        at_bob.reconnects.push_back(r);
        at_bob.cv.notify_all();
    });
    auto sub = bob.pubsub().subscribe("room", at_bob.collect());
    const auto before = ann.pubsub().publish("room", "before restart");
    REQUIRE(at_bob.wait([&] { return at_bob.messages.size() == 1; }));

    server.restart();
    REQUIRE(at_bob.wait([&] { return !at_bob.reconnects.empty(); }, std::chrono::seconds(60)));
    CHECK(at_bob.reconnects[0].missed_since == before.created);
    CHECK(at_bob.reconnects[0].topics == std::vector<std::string>{"room"});
    // ann's socket went too: its publish waits for the new one.
    ann.pubsub().publish("room", "after restart");
    REQUIRE(at_bob.wait([&] { return at_bob.messages.size() == 2; }));
    CHECK(at_bob.messages[1].data == "after restart");
}

TEST_CASE("pub/sub: a publish of the server's largest data reaches a subscriber with the default limit") {
    two_users users;
    heard at_bob;
    auto sub = users.bob.pubsub().subscribe("big", at_bob.collect());
    // 262,142 '<' in quotes: the 262,144 bytes of JSON the server takes at most. It sends each
    // '<' on as \u003c, so the frame bob gets is 1.57 MB, six times the data.
    const std::string largest(bosbase::pubsub_max_data_bytes - 2, '<');
    const auto ack = users.ann.pubsub().publish("big", largest);
    REQUIRE(at_bob.wait([&] { return !at_bob.messages.empty(); }));
    CHECK(at_bob.messages[0].id == ack.id);
    CHECK(at_bob.messages[0].data == largest);
    CHECK(users.bob.pubsub().is_connected());
    // A byte more is refused before sending, as the server would refuse it.
    const auto e = bosbase_test::error_of(
        [&] { users.ann.pubsub().publish("big", std::string(bosbase::pubsub_max_data_bytes - 1, '<')); });
    CHECK(e.error_kind() == bosbase::error_kind::too_large);
}

TEST_CASE("pub/sub: without REDIS_URL a restart does not deliver the last message again") {
    // The restarted server's poller sends its newest stored row again every 350 ms until a
    // newer one is stored (its cursor has milliseconds, the column microseconds).
    test_server server(std::vector<std::string>{"REDIS_URL="});
    require_bosbase(server);
    bosbase::BosBase ann(server.url());
    bosbase::BosBase bob(server.url());
    sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
    heard at_bob;
    bob.pubsub().on_reconnect([&](const bosbase::pubsub_reconnect& r) {
        std::lock_guard<std::mutex> lock(at_bob.m);
        at_bob.reconnects.push_back(r);
        at_bob.cv.notify_all();
    });
    auto sub = bob.pubsub().subscribe("room", at_bob.collect());
    const auto before = ann.pubsub().publish("room", "before restart");
    REQUIRE(at_bob.wait([&] { return at_bob.messages.size() == 1; }));

    server.restart();
    REQUIRE(at_bob.wait([&] { return !at_bob.reconnects.empty(); }, std::chrono::seconds(60)));
    const auto after = ann.pubsub().publish("room", "after restart");  // ann reconnects first
    // A row of another node: the poller sends it in the same pass as, or a pass after, the
    // repeat, so once it arrives the repeat has been sent.
    server.query("INSERT INTO _pubsub_messages (topic, payload, origin) VALUES ('room', '\"marker\"', 'elsewhere')");
    REQUIRE(at_bob.wait([&] { return at_bob.messages.back().data == "marker"; }));
    std::vector<std::string> seen;
    for (const auto& m : at_bob.messages) seen.push_back(m.data.get<std::string>());
    CHECK(seen == std::vector<std::string>{"before restart", "after restart", "marker"});
    CHECK(at_bob.messages[0].id == before.id);
    CHECK(at_bob.messages[1].id == after.id);
}

// scripts/bosbase_server.sh --tls (which scripts/test_real_bosbase.sh always passes) puts nginx
// terminating TLS in front of the run's seeded server, with a CA made for the run.
TEST_CASE("pub/sub: over wss:// through a TLS terminator, with the run's CA as the only trust") {
    const char* url = std::getenv("BOSBASE_TLS_URL");
    const char* ca = std::getenv("BOSBASE_TLS_CA");
    REQUIRE_MESSAGE((url && *url && ca && *ca),
                    "needs BOSBASE_TLS_URL and BOSBASE_TLS_CA: run scripts/test_real_bosbase.sh (bosbase_server.sh --tls)");
    bosbase::httplib_transport_options o;
    o.ca_cert_file = ca;
    bosbase::BosBase ann(url, bosbase::httplib_transport(o));
    bosbase::BosBase bob(url, bosbase::httplib_transport(o));
    sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
    sign_in(bob, dev_accounts::other_email, dev_accounts::other_password);
    const std::string topic = "tls-room-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    heard at_bob;
    auto sub = bob.pubsub().subscribe(topic, at_bob.collect());
    std::vector<bosbase::publish_ack> acks;
    for (int i = 0; i < 20; ++i) acks.push_back(ann.pubsub().publish(topic, {{"n", i}}));
    // The largest data the server takes: a 1.57 MB frame through nginx and TLS records.
    const std::string largest(bosbase::pubsub_max_data_bytes - 2, '<');
    acks.push_back(ann.pubsub().publish(topic, largest));
    REQUIRE(at_bob.wait([&] { return at_bob.messages.size() >= 21; }));
    for (int i = 0; i < 20; ++i) {
        CHECK(at_bob.messages[i].data == bosbase::json{{"n", i}});
        CHECK(at_bob.messages[i].id == acks[i].id);
    }
    CHECK(at_bob.messages[20].data == largest);

    // Without the CA the same server is refused as tls, at once and for good (no retries).
    bosbase::BosBase stranger(url);
    const auto e = bosbase_test::error_of([&] { stranger.pubsub().publish(topic, "x"); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::tls);
}

TEST_CASE("pub/sub: through an HTTP proxy's CONNECT tunnel, to the server and to the TLS terminator") {
    const char* tls_url = std::getenv("BOSBASE_TLS_URL");
    const char* ca = std::getenv("BOSBASE_TLS_CA");
    REQUIRE_MESSAGE((tls_url && *tls_url && ca && *ca),
                    "needs BOSBASE_TLS_URL and BOSBASE_TLS_CA: run scripts/test_real_bosbase.sh (bosbase_server.sh --tls)");
    bosbase_test::tinyproxy proxy;
    bosbase::httplib_transport_options o;
    o.proxy = bosbase::http_proxy{"127.0.0.1", proxy.port(), {}, {}};
    o.ca_cert_file = ca;
    test_server server;
    require_bosbase(server);
    for (const std::string& url : {server.url(), std::string(tls_url)}) {
        CAPTURE(url);
        bosbase::BosBase ann(url, bosbase::httplib_transport(o));  // sign-in, then its WebSocket, through the proxy
        bosbase::BosBase bob(url, bosbase::httplib_transport(o));
        sign_in(ann, dev_accounts::user_email, dev_accounts::user_password);
        sign_in(bob, dev_accounts::other_email, dev_accounts::other_password);
        heard at_bob;
        auto sub = bob.pubsub().subscribe("proxied", at_bob.collect());
        const auto ack = ann.pubsub().publish("proxied", "through the tunnel");
        REQUIRE(at_bob.wait([&] { return !at_bob.messages.empty(); }));
        CHECK(at_bob.messages[0].id == ack.id);
        CHECK(at_bob.messages[0].data == "through the tunnel");
    }
    const std::string log = proxy.log();
    CHECK(log.find("CONNECT 127.0.0.1:" + server.url().substr(server.url().rfind(':') + 1)) != std::string::npos);
    CHECK(log.find("CONNECT 127.0.0.1:" + std::string(tls_url).substr(std::string(tls_url).rfind(':') + 1)) !=
          std::string::npos);
}

#ifdef BOSBASE_EXAMPLE_PUBSUB_CHAT
TEST_CASE("examples/pubsub_chat: two users chat in one program") {
    test_server server;
    require_bosbase(server);
    const auto r = bosbase_test::run_command(std::string(BOSBASE_EXAMPLE_PUBSUB_CHAT) + " " + server.url() + " " +
                                             dev_accounts::user_email + " " + dev_accounts::user_password + " " +
                                             dev_accounts::other_email + " " + dev_accounts::other_password + " 2>&1");
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("bob hears ann: hi bob") != std::string::npos);
    CHECK(r.output.find("ann hears bob: bye") != std::string::npos);
    CHECK(r.output.find("done: both heard all 4 lines") != std::string::npos);
    CHECK(r.output.find(dev_accounts::user_password) == std::string::npos);
}
#endif

#endif  // BOSBASE_HTTPLIB_WEBSOCKET
