// Prints what a call costs: client-side work per call (through a transport that
// answers from memory) and loopback round trips with and without keep-alive.
// Figures only; nothing here passes or fails on timing.
//
//   bosbase_bench [iterations]
#include <bosbase.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "alloc_counter.hpp"

namespace {

struct canned_transport {
    std::string body = bosbase::json{{"record", {{"id", "r1"}, {"collectionName", "users"}, {"email", "u@x.io"}}},
                                     {"token", "h.eyJ0eXBlIjoiYXV0aCIsImV4cCI6NDEwMjQ0NDgwMH0.s"}}
                           .dump();
    bosbase::http_response send(const bosbase::http_request&) { return {200, {}, body}; }
};

template <class F>
double seconds(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void client_side(int iterations) {
    bosbase::basic_bosbase<canned_transport> pb("http://127.0.0.1:8090");
    const auto before = bosbase_bench::allocations();
    const double s = seconds([&] {
        for (int i = 0; i < iterations; ++i) pb.collection("users").auth_with_token("my-app-token");
    });
    const double per_call_allocs = static_cast<double>(bosbase_bench::allocations() - before) / iterations;
    std::printf("auth_with_token, client side only: %8.2f us/call, %6.1f allocations/call (%d calls)\n",
                s * 1e6 / iterations, per_call_allocs, iterations);
}

void loopback(int iterations, std::size_t idle, const char* label) {
    httplib::Server server;
    server.Post("/api/collections/users/bind-token", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    server.set_keep_alive_max_count(static_cast<std::size_t>(iterations) + 1);
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });

    bosbase::httplib_transport_options options;
    options.max_idle_connections = idle;
    bosbase::BosBase pb("http://127.0.0.1:" + std::to_string(port), bosbase::httplib_transport(options));
    const double s = seconds([&] {
        for (int i = 0; i < iterations; ++i) pb.collection("users").bind_custom_token("u@x.io", "pw", "tok");
    });
    std::printf("bind_custom_token over loopback, %-18s %8.2f us/call (%d calls)\n", label, s * 1e6 / iterations,
                iterations);
    while (!server.is_running()) std::this_thread::yield();
    server.stop();
    thread.join();
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
    std::printf("bosbase-cpp %s benchmarks\n", BOSBASE_VERSION);
    client_side(iterations);
    loopback(iterations / 10, 4, "keep-alive:");
    loopback(iterations / 10, 0, "new connection:");
}
