// The default transport's WebSocket against a hostile server: frames split anywhere by TCP, a
// ping flood, continuation frames, a message over the cap, and upgrades refused or never
// answered. Built where the default transport has its WebSocket (the clang-current and
// tsan-current presets' cpp-httplib 0.41.0); empty elsewhere.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

#include "error_of.hpp"
#include "pubsub_checks.hpp"
#include "ws_fault_server.hpp"

#include <thread>

using bosbase_test::error_of;
using bosbase_test::ws_fault_server;
using namespace std::chrono_literals;

namespace {

using ws_clock = std::chrono::steady_clock;

// Patient enough for 100 ms pauses and ThreadSanitizer.
bosbase::pubsub_options ws_patient() {
    bosbase::pubsub_options o;
    o.connect_timeout = 5s;
    o.ack_timeout = 5s;
    o.reconnect_delay = 50ms;
    o.max_reconnect_delay = 200ms;
    return o;
}

// For what only the server sees (nothing notifies the inbox): checked every 5 ms, up to `limit`.
template <class Pred>
bool ws_eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
    const auto end = ws_clock::now() + limit;
    while (!pred()) {
        if (ws_clock::now() >= end) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

bosbase::websocket_request ws_request(const ws_fault_server& server) {
    bosbase::websocket_request req;
    req.url = server.ws_url();
    req.connect_timeout = 5s;
    req.read_timeout = 5s;
    return req;
}

// What connecting throws (nothing: a default transport_error of kind none).
template <class Fn>
std::unique_ptr<bosbase::transport_error> connect_error(Fn&& fn) {
    try {
        fn();
    } catch (const bosbase::websocket_refused& e) {
        return std::make_unique<bosbase::websocket_refused>(e);
    } catch (const bosbase::transport_error& e) {
        return std::make_unique<bosbase::transport_error>(e);
    }
    return nullptr;
}

}  // namespace

TEST_CASE("fault websocket: frames split by TCP, a header across two reads or every byte apart, cost nothing") {
    for (auto m : {ws_fault_server::mode::split_header, ws_fault_server::mode::split_every_byte}) {
        ws_fault_server server(m);
        bosbase_test::pubsub_inbox r;  // before the client: its callbacks write here until the client is gone
        bosbase::BosBase pb(server.url());
        pb.pubsub().set_options(ws_patient());
        r.watch(pb);
        auto published = pb.pubsub().publish("t", 1);  // the ready frame and the ack, both split
        CHECK(published.id == "p");
        published = pb.pubsub().publish("t", 2);
        CHECK(published.id == "p");
        CHECK(server.connections() == 1);
        std::lock_guard<std::mutex> lock(r.m);  // the client's threads may still report
        CHECK(r.disconnects.empty());
    }
}

TEST_CASE("fault websocket: 100000 pings are each answered, and the message behind them arrives") {
    ws_fault_server server(ws_fault_server::mode::ping_flood);
    bosbase_test::pubsub_inbox r;
    bosbase::BosBase pb(server.url());
    pb.pubsub().set_options(ws_patient());
    r.watch(pb);
    auto sub = pb.pubsub().subscribe("t", r.collect());
    REQUIRE(r.wait([&] { return !r.messages.empty() || !r.disconnects.empty(); }, 60s));
    {
        std::lock_guard<std::mutex> lock(r.m);
        REQUIRE(r.messages.size() == 1);
        CHECK(r.messages[0].data == "after the pings");
        CHECK(r.disconnects.empty());
    }
    CHECK(ws_eventually([&] { return server.pongs() == 100000; }, 60s));
    CHECK(server.connections() == 1);
}

TEST_CASE("fault websocket: a message in continuation frames, a ping between them, arrives whole") {
    ws_fault_server server(ws_fault_server::mode::continuation);
    bosbase_test::pubsub_inbox r;
    bosbase::BosBase pb(server.url());
    pb.pubsub().set_options(ws_patient());
    r.watch(pb);
    auto sub = pb.pubsub().subscribe("t", r.collect());
    REQUIRE(r.wait([&] { return !r.messages.empty() || !r.disconnects.empty(); }));
    {
        std::lock_guard<std::mutex> lock(r.m);
        REQUIRE(r.messages.size() == 1);
        CHECK(r.messages[0].data == "in three frames");
        CHECK(r.disconnects.empty());
    }
    CHECK(ws_eventually([&] { return server.pongs() == 1; }));
}

TEST_CASE("fault websocket: a message over max_message_bytes costs that message only, not the connection") {
    ws_fault_server server(ws_fault_server::mode::oversize);
    bosbase_test::pubsub_inbox r;
    bosbase::BosBase pb(server.url());
    auto o = ws_patient();
    o.max_message_bytes = 256 << 10;  // the big one is 300 KiB
    pb.pubsub().set_options(o);
    r.watch(pb);
    auto sub = pb.pubsub().subscribe("t", r.collect());
    REQUIRE(r.wait([&] { return !r.messages.empty() || !r.disconnects.empty(); }));
    {
        std::lock_guard<std::mutex> lock(r.m);
        REQUIRE(r.messages.size() == 1);
        CHECK((r.messages[0].data == "after"));  // parenthesised: a failure would print a 300 KiB value
        CHECK(r.disconnects.empty());
    }
    CHECK(server.connections() == 1);

    // The transport itself: too_large for the big one, then the next message.
    ws_fault_server raw(ws_fault_server::mode::oversize);
    bosbase::httplib_transport t;
    auto req = ws_request(raw);
    req.max_message_bytes = 1000;
    auto conn = t.connect_websocket(req);
    std::string message;
    REQUIRE(conn->read(message) == bosbase::websocket_frame::text);  // ready
    REQUIRE(conn->send_text(R"({"type":"subscribe","topic":"t","requestId":"1"})"));
    REQUIRE(conn->read(message) == bosbase::websocket_frame::text);  // subscribed
    CHECK(conn->read(message) == bosbase::websocket_frame::too_large);
    CHECK(message.empty());
    REQUIRE(conn->read(message) == bosbase::websocket_frame::text);
    CHECK(message.find("\"after\"") != std::string::npos);
}

TEST_CASE("fault websocket: an upgrade refused with a status throws websocket_refused with it and the body, at once") {
    for (int status : {401, 403, 404, 503}) {
        CAPTURE(status);
        ws_fault_server server(ws_fault_server::mode::refuse, status);
        bosbase::httplib_transport t;
        const auto started = ws_clock::now();
        const auto e = connect_error([&] { (void)t.connect_websocket(ws_request(server)); });
        CHECK(ws_clock::now() - started < 2s);  // the timeouts are 5 s
        REQUIRE(e);
        const auto* refused = dynamic_cast<const bosbase::websocket_refused*>(e.get());
        REQUIRE(refused);
        CHECK(refused->status() == status);
        CHECK(refused->body() == ws_fault_server::refusal_body(status));
        CHECK(refused->error_kind() == bosbase::error_kind::invalid_response);
    }
}

TEST_CASE("fault websocket: execute_ws reports the refused upgrade's status and JSON, with no second request") {
    for (int status : {401, 403, 404}) {
        CAPTURE(status);
        ws_fault_server server(ws_fault_server::mode::refuse, status);
        bosbase::BosBase pb(server.url());
        const auto started = ws_clock::now();
        const auto e = error_of([&] { (void)pb.scripts().execute_ws("s"); });
        CHECK(ws_clock::now() - started < 2s);
        CHECK(e.status() == status);
        CHECK(e.response()["message"] == "Refused by the fault server.");
        CHECK(server.connections() == 1);
    }
}

TEST_CASE("fault websocket: a wrong Sec-WebSocket-Accept is invalid_response") {
    ws_fault_server server(ws_fault_server::mode::bad_accept);
    bosbase::httplib_transport t;
    const auto e = connect_error([&] { (void)t.connect_websocket(ws_request(server)); });
    REQUIRE(e);
    CHECK(dynamic_cast<const bosbase::websocket_refused*>(e.get()) == nullptr);
    CHECK(e->error_kind() == bosbase::error_kind::invalid_response);
    CHECK(std::string(e->what()).find("Sec-WebSocket-Accept") != std::string::npos);

}

TEST_CASE("fault websocket: an upgrade never answered ends at connect_timeout, or at once when cancelled") {
    ws_fault_server server(ws_fault_server::mode::silent_upgrade);
    bosbase::httplib_transport t;
    auto req = ws_request(server);
    req.connect_timeout = 300ms;
    req.read_timeout = 10s;
    auto started = ws_clock::now();
    const auto timed_out = connect_error([&] { (void)t.connect_websocket(req); });
    auto took = ws_clock::now() - started;
    REQUIRE(timed_out);
    CHECK(timed_out->error_kind() == bosbase::error_kind::timeout);
    CHECK(took >= 300ms);
    CHECK(took < 3s);

    req.connect_timeout = 10s;
    bosbase::cancel_token cancel;
    req.cancel = cancel;
    std::thread canceller([&] {
        // Once the server holds the upgrade request, the connect is waiting for its answer.
        const auto limit = ws_clock::now() + 5s;
        while (server.requests().size() < 2 && ws_clock::now() < limit) std::this_thread::sleep_for(5ms);
        cancel.cancel();
    });
    started = ws_clock::now();
    const auto canceled = connect_error([&] { (void)t.connect_websocket(req); });
    took = ws_clock::now() - started;
    canceller.join();
    REQUIRE(canceled);
    CHECK(canceled->error_kind() == bosbase::error_kind::canceled);
    CHECK(took < 2s);  // the connect timeout is 10 s
    CHECK(server.requests().size() == 2);
}

TEST_CASE("fault websocket: a host that does not resolve is kind resolve, within connect_timeout") {
    bosbase::httplib_transport t;
    bosbase::websocket_request req;
    req.url = "ws://no-such-host.invalid/api/pubsub";  // RFC 2606: never resolves
    req.connect_timeout = 1s;
    const auto started = ws_clock::now();
    const auto e = connect_error([&] { (void)t.connect_websocket(req); });
    CHECK(ws_clock::now() - started < 3s);
    REQUIRE(e);
    CHECK(e->error_kind() == bosbase::error_kind::resolve);
}

#endif  // BOSBASE_HTTPLIB_WEBSOCKET
