// https:// to servers that break the TLS handshake: one that stalls after the ClientHello
// (the deadline ends the call, and so does a cancel), one that closes during the handshake
// and one that answers with garbage instead of a ServerHello (both fail as tls at once).
#include "fault_checks.hpp"
#include <cancel_while_running.hpp>

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT

#include <fcntl.h>

#include <array>

using namespace bosbase_test;
using bosbase::error_kind;

namespace {

// A TCP server on 127.0.0.1 that reads each client's first TLS record (the ClientHello)
// and then misbehaves: it never speaks again, closes, or sends bytes that are no TLS record.
class tls_fault_server {
public:
    enum class mode { stall, close, garbage };

    explicit tls_fault_server(mode m) : mode_(m) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listener_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener_, 8) == 0);
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        REQUIRE(::pipe2(stop_pipe_.data(), O_CLOEXEC) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~tls_fault_server() {
        const char b = 1;
        (void)!::write(stop_pipe_[1], &b, 1);
        thread_.join();
        ::close(listener_);
        ::close(stop_pipe_[0]);
        ::close(stop_pipe_[1]);
    }
    tls_fault_server(const tls_fault_server&) = delete;
    tls_fault_server& operator=(const tls_fault_server&) = delete;

    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

    // Waits (bounded) until `count` whole ClientHellos arrived: the call is inside its handshake.
    bool wait_for_client_hello(ms limit = ms(10000), int count = 1) {
        std::unique_lock<std::mutex> lock(m_);
        return cv_.wait_for(lock, limit, [&] { return hellos_ >= count; });
    }
    int client_hellos() {
        std::lock_guard<std::mutex> lock(m_);
        return hellos_;
    }

private:
    // Ready to read (true) or told to stop (false).
    bool readable(int fd) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        while (::poll(fds, 2, -1) < 0) {
            if (errno != EINTR) return false;
        }
        return (fds[1].revents & POLLIN) == 0;
    }

    void serve() {
        while (readable(listener_)) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            if (read_client_hello(fd)) {
                {
                    std::lock_guard<std::mutex> lock(m_);
                    ++hellos_;
                }
                cv_.notify_all();
                misbehave(fd);
            }
            ::close(fd);
        }
    }

    // A handshake record: type 22, a version, a 16-bit length, then that many bytes.
    bool read_client_hello(int fd) {
        std::string got;
        std::size_t want = 5;
        char buf[4096];
        while (got.size() < want) {
            if (!readable(fd)) return false;
            const auto n = ::read(fd, buf, sizeof buf);
            if (n <= 0) return false;
            got.append(buf, static_cast<std::size_t>(n));
            if (want == 5 && got.size() >= 5) {
                if (static_cast<unsigned char>(got[0]) != 22) return false;
                want = 5 + (std::size_t(static_cast<unsigned char>(got[3])) << 8) + static_cast<unsigned char>(got[4]);
            }
        }
        return true;
    }

    void misbehave(int fd) {
        switch (mode_) {
        case mode::stall:
            break;
        case mode::close:
            return;  // closed by the caller: a FIN in the middle of the handshake
        case mode::garbage: {
            // Not a TLS record: an HTTP answer, as from a plain server behind a wrong port.
            const std::string junk = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + std::string(64, '\x7f');
            (void)!::write(fd, junk.data(), junk.size());
            break;
        }
        }
        // The connection stays open until the test ends: only the client can end the call.
        char buf[4096];
        while (readable(fd) && ::read(fd, buf, sizeof buf) > 0) {
        }
    }

    mode mode_;
    int listener_ = -1;
    int port_ = 0;
    std::array<int, 2> stop_pipe_{{-1, -1}};
    std::thread thread_;
    std::mutex m_;
    std::condition_variable cv_;
    int hellos_ = 0;
};

using tls_mode = tls_fault_server::mode;

// Limits far above "at once": a call that waited for one would show in its time.
bosbase::request_options generous_limits() {
    bosbase::request_options o;
    o.timeout = ms(20000);
    o.deadline = ms(20000);
    return o;
}

}  // namespace

TEST_CASE("fault tls stall: a handshake that stalls after the ClientHello ends at the call's deadline") {
    tls_fault_server server(tls_mode::stall);
    bosbase::client_options options = small_limits();
    options.connect_timeout = ms(20000);  // cpp-httplib bounds the handshake by it: only the deadline may end it
    bosbase::BosBase pb(server.url(), options);
    const outcome o = run_call([&] { (void)pb.collection("users").get_list(1, 30, deadline_only()); });
    const auto e = check_failed(o);
    check_no_response(e, {error_kind::deadline});
    CHECK(contains(e.what(), "deadline"));
    CHECK(o.elapsed >= fault_deadline - ms(100));
    CHECK(server.client_hellos() == 1);
}

TEST_CASE("fault tls stall: with a shorter connect timeout the stalled handshake is a timeout, not a broken TLS") {
    tls_fault_server server(tls_mode::stall);
    bosbase::client_options options = small_limits();  // connect timeout 1 s
    options.deadline = ms(20000);                      // far off, so only the connect timeout can end it
    bosbase::BosBase pb(server.url(), options);
    const outcome o = run_call([&] { (void)pb.collection("users").get_list(1, 30); });
    const auto e = check_failed(o, fault_timeout);
    check_no_response(e, {error_kind::timeout});
    CHECK_MESSAGE(contains(e.what(), "TLS handshake"), std::string(e.what()));
    CHECK_MESSAGE(contains(e.what(), "connect timeout"), std::string(e.what()));
    CHECK(o.elapsed >= fault_timeout - ms(100));
}

TEST_CASE("fault tls stall: a cancel ends a handshake that stalls after the ClientHello, promptly") {
    tls_fault_server server(tls_mode::stall);
    bosbase::client_options options;
    options.timeout = ms(20000);  // neither a timeout nor a deadline may end it first
    options.deadline = ms(30000);
    bosbase::BosBase pb(server.url(), options);
    std::string kind;
    const auto o = cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            bosbase::request_options ro;
            ro.cancel = token;
            try {
                (void)pb.collection("users").get_list(1, 30, ro);
            } catch (const bosbase::ClientResponseError& e) {
                kind = std::string(bosbase::to_string(e.error_kind()));
                throw;
            }
        },
        [&] { return server.wait_for_client_hello(); }, ms(0));
    check_prompt_abort(o);
    CHECK(kind == "canceled");
}

TEST_CASE("fault tls close: a server that closes during the handshake fails the call as tls, at once") {
    tls_fault_server server(tls_mode::close);
    bosbase::BosBase pb(server.url(), small_limits());
    const outcome o = run_call([&] { (void)pb.collection("users").get_list(1, 30, generous_limits()); });
    const auto e = check_failed(o, ms(20000));
    check_no_response(e, {error_kind::tls});
    CHECK_MESSAGE(o.elapsed < ms(1000), "took " << o.elapsed.count() << " ms");
    CHECK(server.client_hellos() == 1);
}

TEST_CASE("fault tls garbage: bytes that are no ServerHello fail the call as tls, at once") {
    tls_fault_server server(tls_mode::garbage);
    bosbase::BosBase pb(server.url(), small_limits());
    const outcome o = run_call([&] { (void)pb.collection("users").get_list(1, 30, generous_limits()); });
    const auto e = check_failed(o, ms(20000));
    check_no_response(e, {error_kind::tls});
    CHECK_MESSAGE(o.elapsed < ms(1000), "took " << o.elapsed.count() << " ms");
    CHECK(server.client_hellos() == 1);
}

#if BOSBASE_HTTPLIB_WEBSOCKET && BOSBASE_WS_TLS

// The same three servers under wss://: pub/sub's and execute_ws's socket does its own handshake.
namespace {

bosbase::websocket_request wss_request(const tls_fault_server& server, ms connect_timeout) {
    bosbase::websocket_request req;
    req.url = "wss" + server.url().substr(5) + "/api/pubsub";
    req.connect_timeout = connect_timeout;
    return req;
}

// How connecting ended, and when.
struct ws_outcome {
    error_kind kind = error_kind::none;
    std::string what;
    ms elapsed{0};
};

ws_outcome connect_ws(const bosbase::websocket_request& req) {
    bosbase::httplib_transport t;
    ws_outcome o;
    const auto started = std::chrono::steady_clock::now();
    try {
        (void)t.connect_websocket(req);
    } catch (const bosbase::transport_error& e) {
        o.kind = e.error_kind();
        o.what = e.what();
    }
    o.elapsed = std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - started);
    return o;
}

}  // namespace

TEST_CASE("fault tls wss: a stalled handshake ends at connect_timeout as a timeout, and at once when cancelled") {
    tls_fault_server server(tls_mode::stall);
    const ws_outcome timed_out = connect_ws(wss_request(server, ms(500)));
    CHECK(timed_out.kind == error_kind::timeout);
    CHECK_MESSAGE(contains(timed_out.what, "TLS handshake"), timed_out.what);
    CHECK(timed_out.elapsed >= ms(450));

    bosbase::cancel_token token;
    auto req = wss_request(server, ms(20000));
    req.cancel = token;
    std::thread canceller([&] {
        if (server.wait_for_client_hello(ms(10000), 2)) token.cancel();  // the second connection's
    });
    const ws_outcome cancelled = connect_ws(req);
    canceller.join();
    CHECK(cancelled.kind == error_kind::canceled);
    CHECK_MESSAGE(cancelled.elapsed < ms(5000), "took " << cancelled.elapsed.count() << " ms");
}

TEST_CASE("fault tls wss: a close during the handshake and bytes that are no ServerHello are tls, at once") {
    for (const tls_mode mode : {tls_mode::close, tls_mode::garbage}) {
        tls_fault_server server(mode);
        const ws_outcome o = connect_ws(wss_request(server, ms(20000)));
        CHECK(o.kind == error_kind::tls);
        CHECK_MESSAGE(o.elapsed < ms(1000), "took " << o.elapsed.count() << " ms");
        CHECK(server.client_hellos() == 1);
    }
}

#endif  // BOSBASE_HTTPLIB_WEBSOCKET && BOSBASE_WS_TLS

#endif  // CPPHTTPLIB_OPENSSL_SUPPORT
