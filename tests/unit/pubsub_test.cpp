// pb.pubsub() through the fake WebSocket transport: the frames on the wire, acknowledgements,
// reconnects, auth changes, limits and timeouts.
#include <doctest/doctest.h>

#include "error_of.hpp"
#include "pubsub_checks.hpp"
#include "fake_websocket_transport.hpp"

#include <atomic>
#include <future>
#include <iostream>
#include <random>
#include <set>
#include <thread>

using bosbase_test::error_of;
using bosbase_test::fake_websocket_transport;
using bosbase_test::pubsub_inbox;
using namespace std::chrono_literals;

namespace {

using pubsub_fake_client = bosbase::basic_bosbase<fake_websocket_transport>;

bosbase::pubsub_options pubsub_fast_options() {
    bosbase::pubsub_options o;
    o.connect_timeout = 2s;
    o.ack_timeout = 2s;
    o.reconnect_delay = 10ms;
    o.max_reconnect_delay = 40ms;
    return o;
}

}  // namespace

#ifndef BOSBASE_NO_HTTPLIB
// The default transport has its own WebSocket with every cpp-httplib (0.11.4 included) and on
// every platform, unless BOSBASE_HTTPLIB_WEBSOCKET=0 leaves it out (tests/compile_fail shows what
// pb.pubsub() then says).
static_assert(bosbase::is_websocket_transport_v<bosbase::httplib_transport> == bool(BOSBASE_HTTPLIB_WEBSOCKET),
              "the default transport has the WebSocket call exactly when BOSBASE_HTTPLIB_WEBSOCKET is on");
static_assert(BOSBASE_HTTPLIB_WEBSOCKET, "on by default");
#endif

TEST_CASE("pubsub: subscribe and publish send exactly the JS SDK's frames, on ws:// with the token as Authorization") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090/base", t);
    pb.auth_store().save("tok.en+1", bosbase::json::object());
    auto sub = pb.pubsub().subscribe("chat/general", in.collect());
    const auto ack = pb.pubsub().publish("chat/general", {{"text", "hi"}});

    const auto sent = t.sent();
    REQUIRE(sent.size() >= 2);
    CHECK(sent[0] == R"({"type":"subscribe","topic":"chat/general","requestId":"cpp1"})");
    CHECK(sent[1] == R"({"type":"publish","topic":"chat/general","data":{"text":"hi"},"requestId":"cpp2"})");
    CHECK(ack.id == "m1");
    CHECK(ack.topic == "chat/general");
    CHECK(ack.created == "2026-12-05 01:00:00.000Z");
    const auto req = t.with([](auto& s) { return s.connects.at(0); });
    CHECK(req.url == "ws://127.0.0.1:8090/base/api/pubsub");
    CHECK(req.headers == bosbase::header_list{{"Authorization", "tok.en+1"}});
    CHECK(pb.pubsub().is_connected());
    CHECK(pb.pubsub().client_id() == "client1");
    CHECK(pb.pubsub().topics() == std::vector<std::string>{"chat/general"});

    t.message("chat/general", {{"text", "hi"}}, "2026-12-05 01:00:00.000Z", "m1");
    REQUIRE(in.wait([&] { return in.messages.size() == 1; }));
    CHECK(in.messages[0].id == "m1");
    CHECK(in.messages[0].data == bosbase::json{{"text", "hi"}});
}

TEST_CASE("pubsub: the handle unsubscribes - a discarded one at once, and delivery stops") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().publish("keep", 1);  // keeps the socket open without topics
    {
        auto sub = pb.pubsub().subscribe("a", in.collect());
        CHECK(pb.pubsub().topics().size() == 1);
    }
    CHECK(pb.pubsub().topics().empty());
    REQUIRE(t.wait([](auto& s) { return !s.sent.empty() && s.sent.back().find("unsubscribe") != std::string::npos; }));
    CHECK(t.sent_of("unsubscribe").at(0)["topic"] == "a");
    // A message for it still on the wire finds no callback; the next one proves the queue moved on.
    auto other = pb.pubsub().subscribe("b", in.collect());
    t.message("a", 1, "t1");
    t.message("b", 2, "t2");
    REQUIRE(in.wait([&] { return !in.messages.empty(); }));
    CHECK(in.messages.size() == 1);
    CHECK(in.messages[0].topic == "b");
}

TEST_CASE("pubsub: an acknowledgement matches only its own requestId") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.auto_ack = false; });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    pb.pubsub().set_options(o);
    auto f = std::async(std::launch::async, [&] { return pb.pubsub().publish("x", nullptr); });
    REQUIRE(t.wait([](auto& s) { return !s.sent.empty(); }));
    const std::string id = t.sent_of("publish").at(0)["requestId"];
    t.push(R"({"type":"published","requestId":"someone-else","id":"wrong","created":"c0"})");
    t.push(R"({"type":"subscribed","requestId":")" + id + R"("})");  // not a publish's answer
    t.push(R"({"type":"published","requestId":")" + id + R"(","id":"right","topic":"x","created":"c1"})");
    const auto ack = f.get();
    CHECK(ack.id == "right");
    CHECK(ack.created == "c1");
}

TEST_CASE("pubsub: no acknowledgement within ack_timeout throws kind timeout, in time") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.auto_ack = false; });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    o.ack_timeout = 150ms;
    pb.pubsub().set_options(o);
    bosbase_test::check_publish_unacknowledged(pb, o.ack_timeout);
}

TEST_CASE("pubsub: an error frame fails its call with the server's message - anonymous publish is refused") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.refuse_publish = true; });
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    const auto e = error_of([&] { pb.pubsub().publish("x", 1); });
    CHECK(e.status() == 400);
    CHECK(e.response()["message"] == "authentication required to publish");
    CHECK(std::string(e.what()).find("authentication required to publish") != std::string::npos);
    // One without requestId goes to on_error.
    in.watch(pb);
    t.push(R"({"type":"error","message":"invalid message format"})");
    REQUIRE(in.wait([&] { return !in.errors.empty(); }));
    CHECK(in.errors[0].find("invalid message format") != std::string::npos);
}

TEST_CASE("pubsub: a lost socket reconnects, resubscribes every topic and reports the gap") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    in.watch(pb);
    auto a = pb.pubsub().subscribe("a", in.collect());
    auto b = pb.pubsub().subscribe("b", in.collect());
    t.message("a", 1, "2026-12-05 01:00:01.000Z");
    REQUIRE(in.wait([&] { return in.messages.size() == 1; }));
    t.with([](auto& s) { return s.refuse_next = 2; });  // two failed attempts before it comes back
    t.close();
    REQUIRE(in.wait([&] { return !in.reconnects.empty(); }));
    CHECK(in.reconnects[0].missed_since == "2026-12-05 01:00:01.000Z");
    CHECK(in.reconnects[0].client_id == "client2");
    CHECK(in.reconnects[0].topics == std::vector<std::string>{"a", "b"});
    REQUIRE(in.disconnects.size() == 1);
    CHECK(in.disconnects[0].reconnecting);
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 4);
    const auto subs = t.sent_of("subscribe");
    REQUIRE(subs.size() == 4);
    CHECK(subs[2]["topic"] == "a");
    CHECK(subs[3]["topic"] == "b");
    CHECK(pb.pubsub().client_id() == "client2");
    t.message("b", 2, "2026-12-05 01:00:02.000Z");
    REQUIRE(in.wait([&] { return in.messages.size() == 2; }));
}

TEST_CASE("pubsub: a new auth token reconnects at once under the new identity") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    in.watch(pb);
    auto a = pb.pubsub().subscribe("a", in.collect());
    CHECK(t.with([](auto& s) { return s.connects.back().headers.empty(); }));
    pb.auth_store().save("new-token-123", bosbase::json::object());
    REQUIRE(in.wait([&] { return !in.reconnects.empty(); }));
    CHECK(t.with([](auto& s) { return s.connects.back().headers; }) ==
          bosbase::header_list{{"Authorization", "new-token-123"}});
    REQUIRE(!in.disconnects.empty());
    CHECK(in.disconnects[0].reason.find("auth token changed") != std::string::npos);
    CHECK(in.disconnects[0].reason.find("new-token-123") == std::string::npos);
    CHECK(t.sent_of("subscribe").size() == 2);
}

TEST_CASE("pubsub: reconnect delays stay within [reconnect_delay, max_reconnect_delay] and are jittered") {
    bosbase::pubsub_options o;
    o.reconnect_delay = 200ms;
    o.max_reconnect_delay = 2000ms;
    std::minstd_rand rng(42);
    CHECK(bosbase::detail::pubsub_backoff(0, o, rng) == 200ms);
    std::set<long long> late;
    for (std::size_t attempt = 0; attempt < 64; ++attempt) {
        const auto d = bosbase::detail::pubsub_backoff(attempt, o, rng);
        CHECK(d >= 200ms);
        CHECK(d <= 2000ms);
        if (attempt > 10) late.insert(d.count());
    }
    CHECK(late.size() > 5);  // not all clients come back in step
    o.max_reconnect_delay = 50ms;  // a cap below the floor: the floor wins
    CHECK(bosbase::detail::pubsub_backoff(9, o, rng) == 200ms);
}

TEST_CASE("pubsub: a message over max_message_bytes costs that message only - on_error names the limit") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    o.max_message_bytes = 128;  // takes the acknowledgements and "next", not "big"
    pb.pubsub().set_options(o);
    in.watch(pb);
    auto sub = pb.pubsub().subscribe("x", in.collect());
    t.push("", bosbase::websocket_frame::too_large);  // the transport read past one
    t.message("x", std::string(100, 'b'), "t1", "big");  // one a transport that does not cap handed over
    t.message("x", "small", "t2", "next");
    REQUIRE(in.wait([&] { return in.messages.size() == 1 && in.errors.size() == 2; }));
    CHECK(in.messages[0].id == "next");
    for (const auto& e : in.errors) CHECK(e.find("over max_message_bytes (128 bytes)") != std::string::npos);
    CHECK(in.disconnects.empty());
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 1);
    // Outgoing data is held to the server's limit, not to what this client takes in.
    CHECK(pb.pubsub().publish("x", std::string(100, 'a')).id == "m1");
    const auto e = error_of([&] { pb.pubsub().publish("x", std::string(bosbase::pubsub_max_data_bytes - 1, 'a')); });
    CHECK(e.error_kind() == bosbase::error_kind::too_large);
    CHECK(std::string(e.what()).find("262145 bytes") != std::string::npos);
    CHECK(t.sent_of("publish").size() == 1);
}

TEST_CASE("pubsub: by default the largest message the server sends for an accepted publish is received") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    in.watch(pb);
    // The publisher's data: a JSON string of 262,142 '<', exactly the server's 262,144 bytes.
    // The server fans it out through Go's json.Marshal, which escapes each '<' to \u003c.
    const std::string data(bosbase::pubsub_max_data_bytes - 2, '<');
    std::string escaped;
    for (std::size_t i = 0; i < data.size(); ++i) escaped += "\\u003c";
    const std::string topic(1000, '&');  // escaped the same way
    std::string escaped_topic;
    for (std::size_t i = 0; i < topic.size(); ++i) escaped_topic += "\\u0026";
    auto sub = pb.pubsub().subscribe(topic, in.collect());
    const std::string frame = R"({"type":"message","id":"gZ0rJ9y8kQ2w5XnV","topic":")" + escaped_topic +
                              R"(","data":")" + escaped + R"(","created":"2026-12-07 13:51:08.752Z"})";
    // 82 bytes of envelope with `created`, the id, the topic and the data: 1,578,952 bytes.
    CHECK(frame.size() == 82 + 16 + 6 * topic.size() + 2 + 6 * data.size());
    CHECK(frame.size() <= bosbase::pubsub_options{}.max_message_bytes);
    t.push(frame);
    REQUIRE(in.wait([&] { return in.messages.size() == 1; }));
    CHECK(in.messages[0].data == data);
    CHECK(in.messages[0].topic == topic);
    CHECK(in.errors.empty());
    CHECK(in.disconnects.empty());
}

TEST_CASE("pubsub: a publish right after the last unsubscribe goes out on a new socket") {
    fake_websocket_transport t;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    auto sub = pb.pubsub().subscribe("a", [](const bosbase::pubsub_message&) {});
    struct release_reads {  // also when a check below throws: the reader must not stay held
        const fake_websocket_transport& t;
        ~release_reads() {
            t.with([](auto& s) {
                s.hold_shut_reads = false;
                s.cv.notify_all();
                return 0;
            });
        }
    } release{t};
    // The reader does not see the socket end until released: the race's window stays open.
    t.with([](auto& s) { return s.hold_shut_reads = true; });
    sub.unsubscribe();  // the last subscription: the SDK shuts the idle socket
    auto f = std::async(std::launch::async, [&]() -> std::string {
        try {
            return "ack " + pb.pubsub().publish("a", 1).id;
        } catch (const bosbase::ClientResponseError& e) {
            return e.what();
        }
    });
    if (pb.pubsub().is_connected()) {
        // The state still calls the closing socket ready: the publish goes out on it.
        REQUIRE(t.wait([](auto& s) { return s.sends_refused > 0; }));
    }
    t.with([](auto& s) {
        s.hold_shut_reads = false;
        s.cv.notify_all();
        return 0;
    });
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK(f.get() == "ack m1");
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 2);
    CHECK(t.with([](auto& s) { return s.sends_refused; }) == 0);
    CHECK(t.sent_of("publish").size() == 1);
}

TEST_CASE("pubsub: an upgrade refused with 401, 403 or 404 ends the waiting call at once, 503 is retried") {
    for (const int status : {401, 403, 404}) {
        CAPTURE(status);
        fake_websocket_transport t;
        const std::string body = R"({"status":)" + std::to_string(status) + R"(,"message":"Not for you.","data":{}})";
        t.with([&](auto& s) {
            s.refuse_status = status;
            s.refuse_body = body;
            return 0;
        });
        pubsub_fake_client pb("http://127.0.0.1:8090", t);
        auto o = pubsub_fast_options();
        o.connect_timeout = 3s;
        pb.pubsub().set_options(o);
        const auto started = std::chrono::steady_clock::now();
        const auto e = error_of([&] { pb.pubsub().publish("x", 1); });
        CHECK(e.status() == status);
        CHECK(e.response().value("message", "") == "Not for you.");
        CHECK(e.error_kind() == bosbase::error_kind::none);
        const auto s = error_of([&] { (void)pb.pubsub().subscribe("x", [](const bosbase::pubsub_message&) {}); });
        CHECK(s.status() == status);
        CHECK(std::chrono::steady_clock::now() - started < 1500ms);  // not after connect_timeout
        CHECK(pb.pubsub().topics().empty());
        CHECK(t.with([](auto& st) { return st.connects.size(); }) == 2);  // one attempt per call
    }
    fake_websocket_transport t;
    t.with([](auto& s) {
        s.refuse_status = 503;
        s.refuse_body = R"({"status":503,"message":"Try later.","data":{}})";
        s.refuse_times = 2;
        return 0;
    });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    auto sub = pb.pubsub().subscribe("x", [](const bosbase::pubsub_message&) {});
    CHECK(pb.pubsub().is_connected());
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 3);
}

TEST_CASE("pubsub: a TLS failure of the upgrade ends the waiting call at once with error_kind::tls") {
    fake_websocket_transport t;
    t.with([](auto& s) {
        s.refuse_next = 1000;
        s.refuse_kind = bosbase::error_kind::tls;
        return 0;
    });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    o.connect_timeout = 3s;
    pb.pubsub().set_options(o);
    const auto e = error_of([&] { pb.pubsub().publish("x", 1); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::tls);
    CHECK(std::string(e.what()).find("refused by the fake") != std::string::npos);
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 1);  // not retried until connect_timeout
}

TEST_CASE("pubsub: a message id is delivered once, across reconnects, and the server's created is handed on as sent") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    in.watch(pb);
    auto sub = pb.pubsub().subscribe("a", in.collect());
    const std::string created = "2026-12-07 13:52:29.354939Z";  // finer than the server's own format
    t.message("a", 1, created, "r1");
    t.message("a", 1, created, "r1");  // the server's poller repeats its newest row
    t.message("a", 2, "2026-12-07 13:52:30.000Z", "r2");
    REQUIRE(in.wait([&] { return in.messages.size() >= 2; }));
    t.close();  // the server restarts...
    REQUIRE(in.wait([&] { return !in.reconnects.empty(); }));
    CHECK(in.reconnects[0].missed_since == "2026-12-07 13:52:30.000Z");
    t.message("a", 1, created, "r1");  // ...and its new poller sends the rows stored before again
    t.message("a", 2, "2026-12-07 13:52:30.000Z", "r2");
    t.message("a", 3, "2026-12-07 13:52:31.000Z", "r3");
    REQUIRE(in.wait([&] { return !in.messages.empty() && in.messages.back().id == "r3"; }));
    std::vector<std::string> ids;
    for (const auto& m : in.messages) ids.push_back(m.id);
    CHECK(ids == std::vector<std::string>{"r1", "r2", "r3"});
    CHECK(in.messages[0].created == created);  // byte for byte
    // The protocol has no cursor: the SDK sends none back, before or after the reconnect.
    for (const auto& f : t.sent_of("subscribe")) {
        CHECK(f.size() == 3);
        CHECK(f.contains("requestId"));
        CHECK(f.contains("topic"));
    }
}

TEST_CASE("pubsub: no ready within connect_timeout fails the call in time, and the reader tries again") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.auto_ready = false; });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    o.connect_timeout = 150ms;
    pb.pubsub().set_options(o);
    const auto started = std::chrono::steady_clock::now();
    const auto e = error_of([&] { (void)pb.pubsub().subscribe("a", [](const bosbase::pubsub_message&) {}); });
    CHECK(e.error_kind() == bosbase::error_kind::timeout);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(pb.pubsub().topics().empty());  // nothing left behind
    // A later call makes the reader try again (fresh connects, each ended by the keeper).
    t.with([](auto& s) { return s.auto_ready = true; });
    auto sub = pb.pubsub().subscribe("a", [](const bosbase::pubsub_message&) {});
    CHECK(pb.pubsub().is_connected());
}

TEST_CASE("pubsub: cancel_token ends a waiting publish at once") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.auto_ack = false; });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    bosbase::cancel_token token;
    bosbase::request_options ro;
    ro.cancel = token;
    auto f = std::async(std::launch::async, [&] { return error_of([&] { pb.pubsub().publish("x", 1, ro); }); });
    REQUIRE(t.wait([](auto& s) { return !s.sent.empty(); }));
    token.cancel();
    REQUIRE(f.wait_for(2s) == std::future_status::ready);
    CHECK(f.get().is_abort());
}

TEST_CASE("pubsub: a slow callback does not stall reading - a full queue reconnects and reports the gap") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto o = pubsub_fast_options();
    o.max_queued_messages = 2;
    pb.pubsub().set_options(o);
    in.watch(pb);
    std::promise<void> release;
    std::promise<void> entered;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> calls{0};
    auto sub = pb.pubsub().subscribe("x", [&](const bosbase::pubsub_message& m) {
        if (calls++ == 0) {
            entered.set_value();
            released.wait();
        }
        in.add([&] { in.messages.push_back(m); });
    });
    t.message("x", 1, "t1");
    REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);
    // While the callback blocks, acknowledgements still arrive...
    CHECK(pb.pubsub().publish("y", 0).id == "m1");
    // ...and messages queue up to the limit; the next one ends the connection.
    t.message("x", 2, "t2");
    t.message("x", 3, "t3");
    t.message("x", 4, "t4");
    REQUIRE(t.wait([](auto& s) { return s.connects.size() >= 2; }));
    release.set_value();
    REQUIRE(in.wait([&] { return !in.reconnects.empty(); }));
    CHECK(in.reconnects[0].missed_since == "t3");
    REQUIRE(!in.disconnects.empty());
    CHECK(in.disconnects[0].reason.find("callback queue is full") != std::string::npos);
    REQUIRE(in.wait([&] { return in.messages.size() == 3; }));
    CHECK(in.messages[2].data == 3);
}

TEST_CASE("pubsub: binary and malformed frames are skipped and reported - the socket goes on") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    in.watch(pb);
    auto sub = pb.pubsub().subscribe("x", in.collect());
    t.push("\x01\x02", bosbase::websocket_frame::binary);
    t.push("{not json");
    t.push(R"({"no":"type"})");
    t.message("x", 1, "t1");
    REQUIRE(in.wait([&] { return in.messages.size() == 1 && in.errors.size() == 3; }));
    CHECK(in.errors[0].find("binary") != std::string::npos);
    CHECK(in.disconnects.empty());
}

TEST_CASE("pubsub: subscribe<T>, realtime_publish and realtime_subscribe") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    in.watch(pb);
    std::vector<int> ints;
    std::vector<bosbase::pubsub_realtime_message> rt;
    auto typed = pb.pubsub().subscribe<int>(
        "n", std::function<void(const int&, const bosbase::pubsub_message&)>(
                 [&](const int& v, const bosbase::pubsub_message&) { in.add([&] { ints.push_back(v); }); }));
    auto envelope = pb.pubsub().realtime_subscribe(
        "room", [&](const bosbase::pubsub_realtime_message& m) { in.add([&] { rt.push_back(m); }); });
    pb.pubsub().realtime_publish("room", "join", {{"user", "ann"}}, "r1");
    const auto pub = t.sent_of("publish").at(0);
    CHECK(pub["data"] == bosbase::json{{"event", "join"}, {"payload", {{"user", "ann"}}}, {"ref", "r1"}});
    pb.pubsub().realtime_publish("room", "leave", nullptr);
    CHECK(t.sent_of("publish").at(1)["data"]["ref"].get<std::string>().size() == 16);
    t.message("n", "not a number", "t0");
    t.message("n", 7, "t1");
    t.message("room", pub["data"], "t2", "id2");
    t.message("room", "plain", "t3");
    REQUIRE(in.wait([&] { return ints.size() == 1 && rt.size() == 2 && !in.errors.empty(); }));
    CHECK(ints[0] == 7);
    CHECK(in.errors[0].find("does not fit the requested type") != std::string::npos);
    CHECK(rt[0].event == "join");
    CHECK(rt[0].payload == bosbase::json{{"user", "ann"}});
    CHECK(rt[0].ref == std::optional<std::string>("r1"));
    CHECK(rt[0].id == "id2");
    CHECK(rt[1].event.empty());
    CHECK(rt[1].payload == "plain");
    CHECK_THROWS_AS((void)pb.pubsub().realtime_publish("room", "", 1), std::invalid_argument);
}

TEST_CASE("pubsub: disconnect() fails what waits, ends the subscriptions and closes the socket") {
    fake_websocket_transport t;
    t.with([](auto& s) { return s.auto_ack = false; });
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto f = std::async(std::launch::async, [&] { return error_of([&] { pb.pubsub().publish("x", 1); }); });
    REQUIRE(t.wait([](auto& s) { return !s.sent.empty(); }));
    pb.pubsub().disconnect();
    REQUIRE(f.wait_for(2s) == std::future_status::ready);
    const auto e = f.get();
    CHECK(e.error_kind() == bosbase::error_kind::receive);
    CHECK(std::string(e.what()).find("may or may not") != std::string::npos);
    CHECK_FALSE(pb.pubsub().is_connected());
    CHECK(pb.pubsub().client_id().empty());
}

TEST_CASE("pubsub: bad input is refused before anything is sent") {
    fake_websocket_transport t;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    CHECK_THROWS_AS((void)pb.pubsub().publish("  ", 1), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.pubsub().subscribe("", [](const bosbase::pubsub_message&) {}), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.pubsub().subscribe("x", nullptr), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.pubsub().publish("x", std::string("\xff")), std::invalid_argument);
    bosbase::pubsub_options o;
    o.ack_timeout = 0ms;
    CHECK_THROWS_AS(pb.pubsub().set_options(o), std::invalid_argument);
    CHECK(t.with([](auto& s) { return s.connects.size(); }) == 0);
}

TEST_CASE("pubsub: the client going away ends everything - a handle kept longer is inert") {
    fake_websocket_transport t;
    bosbase::subscription sub;
    {
        pubsub_fake_client pb("http://127.0.0.1:8090", t);
        sub = pb.pubsub().subscribe("x", [](const bosbase::pubsub_message&) {});
    }
    CHECK(t.wait([](auto& s) { return !s.open; }));
    sub.unsubscribe();
    CHECK_FALSE(sub.active());
}

namespace readme_pubsub {

// docs/services/pubsub.md's snippet, from the first subscribe on (the fake has no users to sign
// in; the README's shorter one makes the same calls). Not a template: the snippet's
// subscribe<int> must read as it does in an app.
void snippet(const pubsub_fake_client& pb) {
    auto sub = pb.pubsub().subscribe("chat/general", [](const bosbase::pubsub_message& m) {
        std::cout << m.topic << " " << m.created << ": " << m.data.dump() << "\n";
    });
    bosbase::publish_ack ack = pb.pubsub().publish("chat/general", {{"text", "hello"}});  // id, topic, created

    pb.pubsub().on_reconnect([](const bosbase::pubsub_reconnect& r) {
        // The socket was lost and is back, every topic resubscribed. Messages stored after
        // r.missed_since (a server `created` time; "" if none had arrived) may have been missed.
        (void)r;
    });

    // The JS SDK's envelope: publishes {event, payload, ref}; hands on {topic, event, payload, ref, id, created}.
    auto room = pb.pubsub().realtime_subscribe("room-1", [](const bosbase::pubsub_realtime_message& m) {
        std::cout << m.event << " " << m.payload.dump() << "\n";
    });
    pb.pubsub().realtime_publish("room-1", "join", {{"user", "ann"}});

    // Each message's data decoded once as a T (from_json); one that does not fit goes to on_error.
    auto counts = pb.pubsub().subscribe<int>("counter", std::function<void(const int&, const bosbase::pubsub_message&)>(
                                                 [](const int& n, const bosbase::pubsub_message&) { (void)n; }));
    sub.unsubscribe();  // or let `sub` go out of scope

    CHECK(ack.topic == "chat/general");
    CHECK(pb.pubsub().topics() == std::vector<std::string>{"room-1", "counter"});
}

}  // namespace readme_pubsub

TEST_CASE("pubsub: the README snippet runs") {
    fake_websocket_transport t;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    readme_pubsub::snippet(pb);
    CHECK(t.sent_of("publish").size() == 2);
}

TEST_CASE("pubsub: a callback may publish and wait for its acknowledgement") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    std::vector<std::string> acks;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    // The acknowledgement is read by the reader thread while this callback blocks the
    // dispatcher: a design that read and dispatched on one thread would wait forever here.
    auto echo = pb.pubsub().subscribe("ping", [&](const bosbase::pubsub_message& m) {
        const auto ack = pb.pubsub().publish("pong", m.data);
        in.add([&] { acks.push_back(ack.id); });
    });
    t.message("ping", 1, "t1");
    REQUIRE(in.wait([&] { return !acks.empty(); }));
    CHECK(acks[0] == "m1");
}

TEST_CASE("pubsub: a send that stalls holds up no one but the frames behind it") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    auto sub = pb.pubsub().subscribe("x", in.collect());
    t.with([](auto& s) { return s.stall_publish = true; });
    auto stuck = std::async(std::launch::async, [&] { return pb.pubsub().publish("x", "first"); });
    REQUIRE(t.wait([](auto& s) { return s.stalled == 1; }));
    // A second frame queues behind the stalled one...
    auto behind = std::async(std::launch::async, [&] { return pb.pubsub().publish("x", "second"); });
    REQUIRE(behind.wait_for(100ms) == std::future_status::timeout);
    // ...while the reader still reads and the state still answers.
    CHECK(pb.pubsub().is_connected());
    t.message("x", "meanwhile", "t1");
    REQUIRE(in.wait([&] { return in.messages.size() == 1; }));
    CHECK(in.messages[0].data == "meanwhile");
    t.with([](auto& s) {
        s.stall_publish = false;
        s.cv.notify_all();
        return 0;
    });
    REQUIRE(stuck.wait_for(5s) == std::future_status::ready);
    REQUIRE(behind.wait_for(5s) == std::future_status::ready);
    CHECK(stuck.get().id == "m1");
    CHECK(behind.get().id == "m2");  // in the order they were decided
}

TEST_CASE("pubsub: on_connect and on_reconnect get a connection_event, on_disconnect a disconnect_event with the topics") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    std::vector<bosbase::connection_event> connects;
    std::vector<std::string> reconnect_ids;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    pb.pubsub().set_options(pubsub_fast_options());
    in.watch(pb);
    pb.pubsub().on_connect([&](const bosbase::connection_event& e) { in.add([&] { connects.push_back(e); }); });
    auto a = pb.pubsub().subscribe("a", in.collect());
    REQUIRE(in.wait([&] { return connects.size() == 1; }));
    CHECK(connects[0].client_id == "client1");
    CHECK_FALSE(connects[0].reconnect);
    CHECK(connects[0].topics == std::vector<std::string>{"a"});
    CHECK(connects[0].missed_since.empty());
    CHECK(connects[0].disconnected_at == std::chrono::system_clock::time_point());
    t.message("a", 1, "2026-12-05 01:00:01.000Z");
    REQUIRE(in.wait([&] { return in.messages.size() == 1; }));

    const auto before = std::chrono::system_clock::now();
    t.close();
    REQUIRE(in.wait([&] { return connects.size() == 2 && in.reconnects.size() == 1; }));
    for (const auto& e : {connects[1], in.reconnects[0]}) {
        CHECK(e.client_id == "client2");
        CHECK(e.reconnect);
        CHECK(e.topics == std::vector<std::string>{"a"});
        CHECK(e.missed_since == "2026-12-05 01:00:01.000Z");
        CHECK(e.disconnected_at >= before);
    }
    REQUIRE(in.disconnects.size() == 1);
    CHECK(in.disconnects[0].topics == std::vector<std::string>{"a"});
    CHECK(in.disconnects[0].reconnecting);

    // The client id's shape, as realtime's on_reconnect took it; {} and nullptr clear.
    pb.pubsub().on_reconnect([&](const std::string& id) { in.add([&] { reconnect_ids.push_back(id); }); });
    pb.pubsub().on_connect(nullptr);
    pb.pubsub().on_connect({});
    pb.pubsub().on_connect(std::function<void(const std::string&)>());
    t.close();
    REQUIRE(in.wait([&] { return reconnect_ids.size() == 1; }));
    CHECK(reconnect_ids[0] == "client3");
    CHECK(connects.size() == 2);
    pb.pubsub().on_reconnect(nullptr);
    pb.pubsub().on_reconnect({});
    pb.pubsub().on_disconnect({});

    // disconnect(): the same reason and shape as realtime's.
    pb.pubsub().on_disconnect([&](const bosbase::disconnect_event& d) { in.add([&] { in.disconnects.push_back(d); }); });
    const auto seen = in.disconnects.size();
    pb.pubsub().disconnect();
    REQUIRE(in.wait([&] { return in.disconnects.size() == seen + 1; }));
    CHECK(in.disconnects.back().reason == "disconnect() was called");
    CHECK_FALSE(in.disconnects.back().reconnecting);
    CHECK(in.disconnects.back().topics.empty());
    CHECK(pb.pubsub().topics().empty());
}

TEST_CASE("pubsub: subscribe<T> takes a lambda as realtime's does") {
    fake_websocket_transport t;
    pubsub_inbox in;  // before the client: its callbacks write here until the client is gone
    std::vector<int> ints;
    pubsub_fake_client pb("http://127.0.0.1:8090", t);
    in.watch(pb);
    auto typed = pb.pubsub().subscribe<int>(
        "n", [&](const int& v, const bosbase::pubsub_message&) { in.add([&] { ints.push_back(v); }); });
    t.message("n", "x", "t0");
    t.message("n", 3, "t1");
    REQUIRE(in.wait([&] { return ints.size() == 1 && in.errors.size() == 1; }));
    CHECK(ints[0] == 3);
    pb.pubsub().unsubscribe();  // no argument: every topic
    CHECK(pb.pubsub().topics().empty());
}
