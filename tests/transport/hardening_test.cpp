// httplib_transport off the happy path: deadline, size cap, decompression, status
// handling, failure kinds and connection pooling, on whichever cpp-httplib the
// build uses (0.11.4 from Debian 12, or 0.41.0 in the httplib-current preset).
#include <doctest/doctest.h>
#include <local_server.hpp>

#include "raw_server.hpp"
#include <deflate_pump.hpp>

#include <bosbase.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using bosbase::error_kind;
using bosbase::http_request;
using bosbase::transport_error;
using bosbase_test::local_server;
using bosbase_test::raw_connection;
using bosbase_test::raw_server;
using clock_type = std::chrono::steady_clock;

namespace {

http_request get(const std::string& origin, const std::string& target = "/x") {
    http_request req;
    req.method = "GET";
    req.origin = origin;
    req.target = target;
    return req;
}

struct outcome {
    error_kind kind = error_kind::none;
    std::string message;
    std::chrono::milliseconds took{};
};

// Runs a call that must fail and reports how and how fast.
outcome fail(bosbase::httplib_transport& t, const http_request& req) {
    const auto start = clock_type::now();
    outcome out;
    try {
        t.send(req);
        out.message = "(no error)";
    } catch (const transport_error& e) {
        out.kind = e.error_kind();
        out.message = e.what();
    }
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    return out;
}

std::string status_line_and_length(std::size_t length) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
}

// Peak resident memory, in KiB; reset_peak_memory() restarts the measurement.
long peak_memory_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}
bool reset_peak_memory() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    return static_cast<bool>(clear);
}

// gzip of `zeros` zero bytes followed by `text`, compressed piece by piece.
std::string gzip(const std::string& text, std::size_t zeros = 0) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out;
    std::vector<char> chunk(1 << 20, '\0');
    for (std::size_t done = 0; done < zeros; done += chunk.size()) {
        bosbase_test::deflate_pump(z, chunk.data(), std::min(chunk.size(), zeros - done), Z_NO_FLUSH, out);
    }
    bosbase_test::deflate_pump(z, text.data(), text.size(), Z_FINISH, out);
    deflateEnd(&z);
    return out;
}

}  // namespace

TEST_CASE("sigpipe_guard: a SIGPIPE raised during an unfinished call is swallowed and the mask restored") {
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    REQUIRE(sigismember(&before, SIGPIPE) == 0);
    {
        bosbase::detail::sigpipe_guard guard;  // never marked succeeded(): a failed call
        pthread_kill(pthread_self(), SIGPIPE);  // what a write to a closed socket raises
    }  // a SIGPIPE left pending here would end the process once unblocked
    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    CHECK(sigismember(&after, SIGPIPE) == 0);
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGPIPE) == 0);
}

TEST_CASE("sigpipe_guard: a caller that blocks SIGPIPE itself keeps its own pending one") {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t original;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &original);
    pthread_kill(pthread_self(), SIGPIPE);
    {
        bosbase::detail::sigpipe_guard guard;
    }
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGPIPE) == 1);  // the caller's, left alone
    sigset_t still;
    pthread_sigmask(SIG_SETMASK, nullptr, &still);
    CHECK(sigismember(&still, SIGPIPE) == 1);  // and its mask too
    const timespec no_wait{0, 0};
    CHECK(sigtimedwait(&pipe_set, nullptr, &no_wait) == SIGPIPE);
    pthread_sigmask(SIG_SETMASK, &original, nullptr);
}

TEST_CASE("watchdog: sequential calls, each with a later deadline, wake its thread once, not once per call") {
    // Waking it per call cost two context switches a request (about 3% of an auth call).
    bosbase::detail::httplib_watchdog dog;
    httplib::Client client("http://127.0.0.1:9");  // never connected: the watchdog only holds it
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i) {
        bosbase::detail::httplib_watchdog::watch w;
        dog.add(w, client, nullptr, start + std::chrono::seconds(60) + std::chrono::milliseconds(i));
        CHECK_FALSE(dog.remove(w));
        std::this_thread::yield();  // lets the thread run and see the empty queue, as between real calls
    }
    CHECK(dog.wake_requests() == 1);

    // An earlier deadline than the one it sleeps until still wakes it.
    bosbase::detail::httplib_watchdog::watch w;
    dog.add(w, client, nullptr, start + std::chrono::seconds(30));
    CHECK(dog.remove(w) == false);
    CHECK(dog.wake_requests() == 2);
}

TEST_CASE("deadline: a body dripped one byte every 200 ms ends at the deadline, not the per-read timeout") {
    raw_server server([](raw_connection& c) {
        if (!c.read_request()) return;
        c.write(status_line_and_length(1000));
        c.drip(std::string(1000, 'x'), 200ms);
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.read_timeout = 5000ms;
    req.deadline = clock_type::now() + 1000ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    // The transport sees only the deadline's time point and quotes what was left of it when the
    // call began: the test's own setup can take a millisecond or more of it on a busy machine.
    const std::string quoted = "exceeded its deadline of ";
    const auto at = out.message.find(quoted);
    REQUIRE_MESSAGE(at != std::string::npos, out.message);
    const long budget_ms = std::strtol(out.message.c_str() + at + quoted.size(), nullptr, 10);
    CHECK(budget_ms > 900);
    CHECK(budget_ms <= 1000);
    CHECK(out.took >= 900ms);
    CHECK(out.took < 2500ms);
}

TEST_CASE("deadline: headers dripped one byte every 200 ms end at the deadline") {
    raw_server server([](raw_connection& c) {
        if (!c.read_request()) return;
        c.drip("HTTP/1.1 200 OK\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n", 200ms);
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.read_timeout = 5000ms;
    req.deadline = clock_type::now() + 1000ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    CHECK(out.took >= 900ms);
    CHECK(out.took < 2500ms);
}

TEST_CASE("deadline: a server that never answers on a kept-alive connection") {
    std::atomic<int> served{0};
    raw_server server([&](raw_connection& c) {
        // The first request is answered; the second one never is.
        if (!c.read_request()) return;
        c.write(status_line_and_length(2) + "{}");
        ++served;
        if (!c.read_request()) return;
        c.wait_for_close();
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.read_timeout = 5000ms;
    req.deadline = clock_type::now() + 5000ms;
    CHECK(t.send(req).body == "{}");
    req.deadline = clock_type::now() + 700ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    CHECK(out.took < 2200ms);
    CHECK(server.accepted() == 1);
}

TEST_CASE("deadline: a server that never reads a large request body") {
    raw_server server([](raw_connection& c) { c.wait_for_close(); });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.method = "POST";
    req.content_type = "application/octet-stream";
    req.body.assign(std::size_t(32) << 20, 'b');  // more than loopback socket buffers hold
    req.write_timeout = 5000ms;
    req.read_timeout = 5000ms;
    req.deadline = clock_type::now() + 1000ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    CHECK(out.took >= 900ms);
    CHECK(out.took < 2500ms);
}

TEST_CASE("deadline: connecting to a listener whose backlog is full ends at the deadline") {
    raw_server server(nullptr, /*backlog_only=*/true);
    // Fill the accept queue so that further handshakes are not completed.
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ::fcntl(fd, F_SETFL, O_NONBLOCK);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(server.port()));
        (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        fillers.push_back(fd);
    }
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.connect_timeout = 10000ms;
    req.read_timeout = 10000ms;
    req.deadline = clock_type::now() + 1000ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    CHECK(out.took >= 900ms);
    CHECK(out.took < 2500ms);
    for (int fd : fillers) ::close(fd);
}

TEST_CASE("deadline: a call whose deadline has passed fails without connecting") {
    raw_server server([](raw_connection& c) { c.wait_for_close(); });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.deadline = clock_type::now() - 1ms;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::deadline);
    CHECK(server.accepted() == 0);
}

TEST_CASE("deadline: the transport works for the next call after the watchdog stopped one") {
    std::atomic<int> calls{0};
    raw_server server([&](raw_connection& c) {
        while (c.read_request()) {
            if (++calls == 1) {
                c.wait_for_close();  // the first call hangs until the client gives up
                return;
            }
            c.write(status_line_and_length(2) + "{}");
        }
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.deadline = clock_type::now() + 500ms;
    CHECK(fail(t, req).kind == error_kind::deadline);
    for (int i = 0; i < 3; ++i) {
        req.deadline = clock_type::now() + 5000ms;
        CHECK(t.send(req).body == "{}");
    }
}

TEST_CASE("read timeout: a silent server is a timeout, a slow one that closes is not") {
    raw_server silent([](raw_connection& c) {
        if (c.read_request()) c.wait_for_close();
    });
    raw_server slow([](raw_connection& c) {
        // Data keeps coming for longer than the read timeout, then the server hangs up early.
        if (!c.read_request()) return;
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
        c.drip("0123456789", 50ms);
    });
    bosbase::httplib_transport t;
    auto req = get(silent.origin());
    req.read_timeout = 300ms;
    auto out = fail(t, req);
    CHECK(out.kind == error_kind::timeout);
    CHECK(out.message.find("within 300 ms (read timeout)") != std::string::npos);

    req = get(slow.origin());
    req.read_timeout = 300ms;
    out = fail(t, req);
    CHECK(out.kind == error_kind::receive);
    CHECK(out.took > 300ms);
}

TEST_CASE("size cap: a 10 MiB body with a 1 MiB cap ends early, whatever its framing") {
    const std::string big(std::size_t(10) << 20, 'x');
    local_server server;
    server->Get("/length", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(big, "application/octet-stream");
    });
    server->Get("/chunked", [&](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("application/octet-stream", [&](std::size_t offset, httplib::DataSink& sink) {
            const auto n = std::min<std::size_t>(65536, big.size() - offset);
            if (!sink.write(big.data() + offset, n)) return false;
            if (offset + n == big.size()) sink.done();
            return true;
        });
    });
    server.start();
    bosbase::httplib_transport t;
    for (const char* target : {"/length", "/chunked"}) {
        CAPTURE(target);
        auto req = get(server.url(), target);
        req.max_response_bytes = std::size_t(1) << 20;
        const auto out = fail(t, req);
        CHECK(out.kind == error_kind::too_large);
        CHECK(out.message.find("larger than the limit of 1048576 bytes (max_response_bytes)") != std::string::npos);
        CHECK(out.took < 3000ms);
    }
    // At the cap exactly, the body is accepted.
    auto req = get(server.url(), "/length");
    req.max_response_bytes = big.size();
    CHECK(t.send(req).body.size() == big.size());
}

TEST_CASE("size cap: 512 MiB sent until the connection closes cost no more memory than the cap") {
    raw_server server([](raw_connection& c) {
        if (!c.read_request()) return;
        c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        const std::string block(std::size_t(1) << 20, 'y');
        for (int i = 0; i < 512 && c.write(block); ++i) {
        }
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    req.max_response_bytes = std::size_t(1) << 20;
    REQUIRE(reset_peak_memory());
    const long before = peak_memory_kib();
    const auto out = fail(t, req);
    const long grown_kib = peak_memory_kib() - before;
    CHECK(out.kind == error_kind::too_large);
    CHECK(out.took < 3000ms);
    CHECK(grown_kib < 32 * 1024);
}

// A raw server, since cpp-httplib's own server would compress the body again for a
// client that sends Accept-Encoding.
struct gzip_server {
    explicit gzip_server(std::string body)
        : packed(std::move(body)), server([this](raw_connection& c) {
              std::string head;
              while (c.read_request(&head)) {
                  {
                      std::lock_guard<std::mutex> lock(m);
                      heads.push_back(head);
                  }
                  if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                               "Content-Length: " + std::to_string(packed.size()) + "\r\n\r\n" + packed)) {
                      return;
                  }
              }
          }) {}

    std::string last_head() {
        std::lock_guard<std::mutex> lock(m);
        return heads.empty() ? std::string() : heads.back();
    }

    const std::string packed;
    std::mutex m;
    std::vector<std::string> heads;
    raw_server server;
};

TEST_CASE("decompression: off by default, gzip bytes come back as sent and none is asked for") {
    const std::string json = R"({"items":[1,2,3],"note":"compressed"})";
    gzip_server gz(gzip(json));
    bosbase::httplib_transport t;

    auto res = t.send(get(gz.server.origin()));
    CHECK(res.body == gz.packed);
    auto head = gz.last_head();
    REQUIRE(!head.empty());
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(head.find("accept-encoding") == std::string::npos);

    auto req = get(gz.server.origin());
    req.decompress = true;
    res = t.send(req);
    CHECK(res.body == json);
    CHECK(gz.last_head().find("Accept-Encoding: ") != std::string::npos);
    CHECK(gz.last_head().find("gzip") != std::string::npos);
}

TEST_CASE("decompression: a gzip bomb (100 MiB of zeros in ~100 KiB) stops at the cap") {
    gzip_server gz(gzip("", std::size_t(100) << 20));
    REQUIRE(gz.packed.size() < (std::size_t(1) << 20));
    bosbase::httplib_transport t;
    auto req = get(gz.server.origin());
    req.decompress = true;
    req.max_response_bytes = std::size_t(1) << 20;
    REQUIRE(reset_peak_memory());
    const long before = peak_memory_kib();
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::too_large);
    CHECK(out.took < 3000ms);
    CHECK(peak_memory_kib() - before < 32 * 1024);

    // Not decompressed, the same response is small enough.
    req.decompress = false;
    CHECK(t.send(req).body == gz.packed);
}

TEST_CASE("decompression: an encoding this build cannot decode is an invalid_response when decompressing") {
    raw_server server([](raw_connection& c) {
        while (c.read_request()) {
            if (!c.write("HTTP/1.1 200 OK\r\nContent-Encoding: x-unknown\r\nContent-Length: 2\r\n\r\n{}")) return;
        }
    });
    bosbase::httplib_transport t;
    auto req = get(server.origin());
    CHECK(t.send(req).body == "{}");  // not decompressing: the bytes as sent
    req.decompress = true;
    const auto out = fail(t, req);
    CHECK(out.kind == error_kind::invalid_response);
    CHECK(out.message.find("Content-Encoding") != std::string::npos);
}

TEST_CASE("status: a 302 is returned with its Location, never followed") {
    std::atomic<int> followed{0};
    local_server server;
    server->Get("/a", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/b"); });
    server->Get("/b", [&](const httplib::Request&, httplib::Response& res) {
        ++followed;
        res.set_content("{}", "application/json");
    });
    server.start();
    bosbase::httplib_transport t;
    const auto res = t.send(get(server.url(), "/a"));
    CHECK(res.status == 302);
    bool has_location = false;
    for (const auto& h : res.headers) {
        if (h.first == "Location" && h.second == "/b") has_location = true;
    }
    CHECK(has_location);
    CHECK(followed == 0);
}

TEST_CASE("status: an interim 1xx response is an invalid_response at once, not a read timeout") {
    for (int status : {102, 103, 199}) {
        CAPTURE(status);
        raw_server server([status](raw_connection& c) {
            if (!c.read_request()) return;
            c.write("HTTP/1.1 " + std::to_string(status) + " Interim\r\nLink: </style.css>\r\n\r\n");
            c.write(status_line_and_length(2) + "{}");
            c.wait_for_close();
        });
        bosbase::httplib_transport t;
        auto req = get(server.origin());
        req.read_timeout = 10000ms;
        const auto out = fail(t, req);
        CHECK(out.kind == error_kind::invalid_response);
        CHECK(out.message.rfind("server sent an interim 1xx response (" + std::to_string(status) + ")", 0) == 0);
        CHECK(out.took < 2000ms);
    }
}

TEST_CASE("status: 100 Continue before the final response is skipped") {
    raw_server server([](raw_connection& c) {
        if (!c.read_request()) return;
        c.write("HTTP/1.1 100 Continue\r\n\r\n" + status_line_and_length(2) + "{}");
        c.wait_for_close();
    });
    bosbase::httplib_transport t;
    const auto res = t.send(get(server.origin()));
    CHECK(res.status == 200);
    CHECK(res.body == "{}");
}

TEST_CASE("failure kinds: an unresolvable name is resolve, a closed port is connect") {
    // A label over 63 bytes fails inside the resolver library: no DNS query leaves the machine.
    const std::string unresolvable = "http://" + std::string(64, 'a') + ".invalid:8090";
    bosbase::httplib_transport t;
    auto out = fail(t, get(unresolvable));
    CHECK(out.kind == error_kind::resolve);
    CHECK(out.message == "could not resolve the host name of " + unresolvable);

    int port = 0;
    {
        raw_server closed([](raw_connection&) {});
        port = closed.port();
    }
    out = fail(t, get("http://127.0.0.1:" + std::to_string(port)));
    CHECK(out.kind == error_kind::connect);
}

TEST_CASE("failure kinds: an origin cpp-httplib cannot use is an error, not a crash") {
    bosbase::httplib_transport t;
    for (const char* origin : {"http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:8x"}) {
        CAPTURE(origin);
        const auto out = fail(t, get(origin));
        CHECK(out.kind == error_kind::other);
        CHECK(out.message.find("invalid origin") != std::string::npos);
    }
}

TEST_CASE("pool: 8 threads x 200 calls on one client use at most 8 connections") {
    std::atomic<int> requests{0};
    raw_server server([&](raw_connection& c) {
        while (c.read_request(nullptr, 30000ms)) {
            ++requests;
            if (!c.write("HTTP/1.1 204 No Content\r\n\r\n")) return;
        }
    });
    bosbase::BosBase pb(server.origin());
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            for (int n = 0; n < 200; ++n) {
                try {
                    pb.collection("users").bind_custom_token("a@b.io", "pw", "t");
                } catch (...) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    CHECK(requests == 1600);
    CHECK(server.accepted() <= 8);
}
