// Realtime against a hostile stream endpoint.
#include "fault_checks.hpp"

#include <thread>

using namespace bosbase_test;

TEST_CASE("fault realtime_retry_zero: a server's `retry: 0` cannot make reconnects faster than reconnect_delay") {
    fault_server::options so;
    so.fallback = fault::realtime_retry_zero;  // every stream: retry 0, PB_CONNECT, close
    fault_server server(so);
    bosbase::BosBase pb(server.url(), small_limits());
    auto sub = pb.realtime().subscribe("posts", [](const bosbase::realtime_event&) {});

    // A fixed window, measured: each stream is a connection of its own. With the default
    // reconnect_delay of 200 ms and equal jitter every delay is at least 100 ms, so 2 s hold
    // at most 20 reconnects; unclamped, `retry: 0` gave thousands.
    const int before = server.connections();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const int streams = server.connections() - before;
    INFO("stream connections in 2 s: " << streams);
    CHECK(streams >= 5);  // it does keep reconnecting
    CHECK(streams <= 22);
}
