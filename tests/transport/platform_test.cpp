// The POSIX platform calls (include/bosbase/platform.hpp) on real sockets, in whichever flavour the
// program was built with: Linux's, or with BOSBASE_PLATFORM_APPLE_LIKE=1 the one macOS and the BSDs
// take (program bosbase_apple_like_tests), so a path no Linux build would otherwise compile is run.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#ifndef BOSBASE_TEST_EXPECT_APPLE_LIKE
#define BOSBASE_TEST_EXPECT_APPLE_LIKE 0
#endif

namespace {

struct socket_pair {
    int fd[2] = {-1, -1};
    socket_pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
    ~socket_pair() {
        for (int f : fd) {
            if (f >= 0) ::close(f);
        }
    }
    void close_peer() {
        ::close(fd[1]);
        fd[1] = -1;
    }
};

// A connected TCP pair on 127.0.0.1: {client, server}.
struct tcp_pair {
    int client = -1, server = -1;
    tcp_pair() {
        const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(listener >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener, 1) == 0);
        REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        client = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        server = ::accept(listener, nullptr, nullptr);
        ::close(listener);
        REQUIRE(server >= 0);
    }
    ~tcp_pair() {
        ::close(client);
        ::close(server);
    }
};

bool sigpipe_pending() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

TEST_CASE("platform: the flavour compiled is the one the program asked for") {
    CHECK(BOSBASE_PLATFORM_APPLE_LIKE == BOSBASE_TEST_EXPECT_APPLE_LIKE);
    CHECK(BOSBASE_PLATFORM_LINUX == (BOSBASE_TEST_EXPECT_APPLE_LIKE ? 0 : 1));
}

TEST_CASE("sigpipe_guard: a write to a connection the peer closed ends in EPIPE, and no signal outlives the guard") {
    socket_pair s;
    s.close_peer();
    int err = 0;
    {
        bosbase::detail::sigpipe_guard guard;  // never marked succeeded(): the write failed
        const char byte = 'x';
        // send without MSG_NOSIGNAL, as cpp-httplib sends: the kernel raises SIGPIPE
        CHECK(::send(s.fd[0], &byte, 1, 0) == -1);
        err = errno;
        CHECK(sigpipe_pending());  // blocked by the guard, so still pending here
    }  // had the guard not taken it, unblocking it now would end this program
    CHECK(err == EPIPE);
    CHECK_FALSE(sigpipe_pending());
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    CHECK(sigismember(&mask, SIGPIPE) == 0);
}

TEST_CASE("socket_watch: interrupt() ends a read on the watched socket, which has no TCP figure") {
    socket_pair s;
    bosbase::detail::socket_watch watch;
    watch.watch(s.fd[0]);
    // A socketpair is not TCP: TCP_INFO has no figure for it even on Linux, so both flavours answer nothing.
    CHECK_FALSE(watch.since_last_data().has_value());
    watch.interrupt();
    char byte = 0;
    CHECK(::recv(s.fd[0], &byte, 1, 0) == 0);  // shut down: end of stream at once, not a wait for the peer
    watch.reset();
}

TEST_CASE("input_pending: bytes or a close on an idle connection are seen, silence is not") {
    socket_pair s;
    CHECK_FALSE(bosbase::detail::input_pending(s.fd[0]));
    CHECK(::write(s.fd[1], "x", 1) == 1);
    CHECK(bosbase::detail::input_pending(s.fd[0]));
    socket_pair closed;
    closed.close_peer();
    CHECK(bosbase::detail::input_pending(closed.fd[0]));
}

TEST_CASE("socket_watch: the kernel's time since data last came is asked of Linux only") {
    tcp_pair tcp;
    bosbase::detail::socket_watch watch;
    watch.watch(tcp.client);
    CHECK(::write(tcp.server, "x", 1) == 1);
    char byte = 0;
    CHECK(::recv(tcp.client, &byte, 1, 0) == 1);
    const auto since = watch.since_last_data();
    CHECK(since.has_value() == bool(BOSBASE_PLATFORM_LINUX));  // TCP_INFO: Linux only
    if (since) CHECK(*since < std::chrono::seconds(5));
}
