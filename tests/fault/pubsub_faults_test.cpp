// Pub/sub against a hostile /api/pubsub, through the default transport's WebSocket. Each
// misbehaviour ends within its deadline with the documented error. Built where cpp-httplib
// has a usable WebSocket client (the clang-current preset's 0.41.0); empty elsewhere.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

#include "error_of.hpp"
#include "pubsub_checks.hpp"
#include "ws_fault_server.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

using bosbase_test::error_of;
using bosbase_test::ws_fault_server;
using namespace std::chrono_literals;

namespace {

using pubsub_clock = std::chrono::steady_clock;

bosbase::pubsub_options pubsub_quick() {
    bosbase::pubsub_options o;
    o.connect_timeout = 500ms;
    o.ack_timeout = 300ms;
    o.reconnect_delay = 50ms;
    o.max_reconnect_delay = 200ms;
    return o;
}


// For what only the server sees: checked every 5 ms, up to `limit`.
template <class Pred>
bool pubsub_eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
    const auto end = pubsub_clock::now() + limit;
    while (!pred()) {
        if (pubsub_clock::now() >= end) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

}  // namespace

TEST_CASE("fault pubsub never_ready: subscribe fails with kind timeout after connect_timeout") {
    ws_fault_server server(ws_fault_server::mode::never_ready);
    bosbase::BosBase pb(server.url());
    pb.pubsub().set_options(pubsub_quick());
    const auto started = pubsub_clock::now();
    const auto e = error_of([&] { (void)pb.pubsub().subscribe("t", [](const bosbase::pubsub_message&) {}); });
    const auto took = pubsub_clock::now() - started;
    CHECK(e.error_kind() == bosbase::error_kind::timeout);
    CHECK(std::string(e.what()).find("no pub/sub connection") != std::string::npos);
    CHECK(took >= 500ms);
    CHECK(took < 2s);
}

TEST_CASE("fault pubsub never_ack and wrong_ack: publish fails with kind timeout after ack_timeout") {
    for (auto m : {ws_fault_server::mode::never_ack, ws_fault_server::mode::wrong_ack}) {
        ws_fault_server server(m);
        bosbase::BosBase pb(server.url());
        pb.pubsub().set_options(pubsub_quick());
        bosbase_test::check_publish_unacknowledged(pb, pubsub_quick().ack_timeout);
    }
}

TEST_CASE("fault pubsub flood: the bounded queue overflows into a reconnect, reading never stalls") {
    ws_fault_server server(ws_fault_server::mode::flood);
    bosbase_test::pubsub_inbox r;  // before the client: its callbacks write here until the client is gone
    bosbase::BosBase pb(server.url());
    auto o = pubsub_quick();
    o.max_queued_messages = 64;
    pb.pubsub().set_options(o);
    r.watch(pb);
    std::mutex gate;
    bosbase::subscription sub;  // before `hold`: a failed REQUIRE unblocks the callback first
    std::unique_lock<std::mutex> hold(gate);  // the callback blocks until the overflow is seen
    sub = pb.pubsub().subscribe("t", [&](const bosbase::pubsub_message&) { std::lock_guard<std::mutex> l(gate); });
    // The reports come through the blocked dispatcher too: the server sees the reconnect first.
    REQUIRE(pubsub_eventually([&] { return server.connections() >= 2; }));
    hold.unlock();
    REQUIRE(r.wait([&] { return !r.disconnects.empty(); }));
    CHECK(r.disconnects[0].kind == bosbase::error_kind::too_large);
    CHECK(r.disconnects[0].reason.find("callback queue is full") != std::string::npos);
    CHECK(r.disconnects[0].reconnecting);
}

TEST_CASE("fault pubsub oversize: a frame over max_message_bytes is skipped and reported, the connection stays") {
    ws_fault_server server(ws_fault_server::mode::oversize);
    bosbase_test::pubsub_inbox r;  // before the client: its callbacks write here until the client is gone
    bosbase::BosBase pb(server.url());
    pb.pubsub().set_options(pubsub_quick());
    r.watch(pb);
    auto sub = pb.pubsub().subscribe("t", r.collect());
    REQUIRE(r.wait([&] { return !r.errors.empty() || !r.disconnects.empty(); }));
    CHECK(r.disconnects.empty());
    CHECK(r.messages.empty());
    CHECK(server.connections() == 1);
}

TEST_CASE("fault pubsub binary and malformed frames: reported to on_error and skipped") {
    ws_fault_server server(ws_fault_server::mode::binary_and_garbage);
    bosbase_test::pubsub_inbox r;  // before the client: its callbacks write here until the client is gone
    bosbase::BosBase pb(server.url());
    pb.pubsub().set_options(pubsub_quick());
    r.watch(pb);
    auto sub = pb.pubsub().subscribe("t", r.collect());
    REQUIRE(r.wait([&] { return !r.messages.empty() && r.errors.size() >= 2; }));
    CHECK(r.messages[0].data == "ok");
    CHECK(r.errors[0].find("binary") != std::string::npos);
    CHECK(r.errors[1].find("not a JSON object") != std::string::npos);
    CHECK(r.disconnects.empty());
}

TEST_CASE("fault pubsub cut_mid_frame and close_after_ready: calls fail in time, reconnects keep the floor") {
    for (auto m : {ws_fault_server::mode::cut_mid_frame, ws_fault_server::mode::close_after_ready}) {
        ws_fault_server server(m);
        bosbase_test::pubsub_inbox r;  // before the client: its callbacks write here until the client is gone
        bosbase::BosBase pb(server.url());
        pb.pubsub().set_options(pubsub_quick());
        r.watch(pb);
        const auto started = pubsub_clock::now();
        const auto e = error_of([&] { pb.pubsub().publish("t", 1); });
        CHECK(pubsub_clock::now() - started < 2s);
        CHECK((e.error_kind() == bosbase::error_kind::receive || e.error_kind() == bosbase::error_kind::timeout));
        // Every connection is lost at once; still no more than one per reconnect_delay.
        const auto window = pubsub_clock::now();
        const int before = server.connections();
        REQUIRE(r.wait([&] { return server.connections() >= before + 6; }, 10s));
        CHECK(pubsub_clock::now() - window >= 5 * 50ms);
    }
}

TEST_CASE("fault pubsub: the client goes away while connected to a silent server, promptly") {
    ws_fault_server server(ws_fault_server::mode::never_ack);
    const auto started = pubsub_clock::now();
    {
        bosbase::BosBase pb(server.url());
        pb.pubsub().set_options(pubsub_quick());
        auto sub = error_of([&] { (void)pb.pubsub().subscribe("t", [](const bosbase::pubsub_message&) {}); });
        CHECK(sub.error_kind() == bosbase::error_kind::timeout);
    }
    CHECK(pubsub_clock::now() - started < 3s);
}

#endif  // BOSBASE_HTTPLIB_WEBSOCKET
