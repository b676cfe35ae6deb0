// bosbase-cpp: Platform calls of the WebSocket's own socket: name lookup, non-blocking connect, readiness with a wake-up, one-shot reads and writes.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PLATFORM_SOCKET_HPP
#define BOSBASE_PLATFORM_SOCKET_HPP

#include "platform.hpp"

// The calls, beside those platform.hpp lists:
//   POSIX     getaddrinfo, socket, connect, fcntl(O_NONBLOCK, FD_CLOEXEC), setsockopt(TCP_NODELAY),
//             poll, recv, send with MSG_NOSIGNAL where defined (SO_NOSIGPIPE elsewhere), shutdown,
//             pipe (the wake-up).
//   Windows   the same through Winsock (ioctlsocket(FIONBIO), WSAPoll, select for a connect, whose
//             failure WSAPoll does not report before Windows 10 2004), SetHandleInformation (not
//             inherited), and a UDP socket on 127.0.0.1 that sends to itself as the wake-up:
//             Windows has no pipe that WSAPoll can wait on.

#ifndef BOSBASE_NO_HTTPLIB

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <httplib.h>  // socket_t, and on Windows winsock2.h in the order it needs

#ifndef _WIN32
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace bosbase {

namespace detail {

#ifdef _WIN32
inline constexpr ::socket_t no_socket = INVALID_SOCKET;
inline int last_socket_error() noexcept { return ::WSAGetLastError(); }
inline bool would_block(int err) noexcept { return err == WSAEWOULDBLOCK || err == WSAEINPROGRESS || err == WSAEINTR; }
inline void close_socket(::socket_t s) noexcept { ::closesocket(s); }
inline void set_non_blocking(::socket_t s) noexcept {
    u_long on = 1;
    ::ioctlsocket(s, FIONBIO, &on);
    ::SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);  // not a child process's
}
inline constexpr short poll_in = POLLRDNORM;  // WSAPoll refuses POLLPRI, which POLLIN may include
inline constexpr short poll_out = POLLWRNORM;
using poll_entry = WSAPOLLFD;
inline int poll_sockets(poll_entry* p, unsigned n, int ms) noexcept { return ::WSAPoll(p, n, ms); }
#else
inline constexpr ::socket_t no_socket = -1;
inline int last_socket_error() noexcept { return errno; }
inline bool would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS; }
inline void close_socket(::socket_t s) noexcept { ::close(s); }
inline void set_non_blocking(::socket_t s) noexcept {
    ::fcntl(s, F_SETFD, FD_CLOEXEC);  // not inherited by a child process
    ::fcntl(s, F_SETFL, ::fcntl(s, F_GETFL, 0) | O_NONBLOCK);
}
inline constexpr short poll_in = POLLIN;
inline constexpr short poll_out = POLLOUT;
using poll_entry = pollfd;
inline int poll_sockets(poll_entry* p, unsigned n, int ms) noexcept { return ::poll(p, n, ms); }
#endif

/// @brief A wake-up another thread can give a thread waiting in websocket_socket_handle::wait():
/// the read end of a pipe (POSIX) or a loopback UDP socket that sends to itself (Windows).
/// signal() is cheap and never blocks; a signal already waiting is not doubled.
class wake_signal {
public:
    wake_signal() {
#ifdef _WIN32
        const ::socket_t s = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        if (s == no_socket) return;
        sockaddr_in at{};
        at.sin_family = AF_INET;
        at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int size = sizeof at;
        if (::bind(s, reinterpret_cast<const sockaddr*>(&at), size) != 0 ||
            ::getsockname(s, reinterpret_cast<sockaddr*>(&at), &size) != 0 ||
            ::connect(s, reinterpret_cast<const sockaddr*>(&at), size) != 0) {
            close_socket(s);
            return;
        }
        set_non_blocking(s);
        read_ = write_ = s;
#else
        int fds[2];
        if (::pipe(fds) != 0) return;
        for (const int fd : fds) set_non_blocking(fd);
        read_ = fds[0];
        write_ = fds[1];
#endif
    }
    wake_signal(const wake_signal&) = delete;
    wake_signal& operator=(const wake_signal&) = delete;
    ~wake_signal() {
        if (read_ != no_socket) close_socket(read_);
#ifndef _WIN32
        if (write_ != no_socket) close_socket(write_);
#endif
    }

    bool usable() const noexcept { return read_ != no_socket; }
    ::socket_t waitable() const noexcept { return read_; }

    void signal() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        if (signalled_ || write_ == no_socket) return;
        signalled_ = true;
        const char byte = 1;
#ifdef _WIN32
        ::send(write_, &byte, 1, 0);
#else
        [[maybe_unused]] const auto n = ::write(write_, &byte, 1);
#endif
    }

    /// Called by the waiting thread once woken, before it looks at what it was woken for.
    void clear() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!signalled_) return;
        signalled_ = false;
        char bytes[16];
#ifdef _WIN32
        while (::recv(read_, bytes, sizeof bytes, 0) > 0) {
        }
#else
        while (::read(read_, bytes, sizeof bytes) > 0) {
        }
#endif
    }

private:
    std::mutex mutex_;
    bool signalled_ = false;
    ::socket_t read_ = no_socket;
    ::socket_t write_ = no_socket;
};

/// @brief The default transport's WebSocket socket: it resolves and connects itself, never
/// blocks (every call is one non-blocking attempt or a wait with a deadline), and a wait ends
/// when shut() or the wake signal comes from another thread. shut() also ends a connect in
/// progress (Linux aborts a connecting socket on shutdown; elsewhere the wake-up ends the
/// wait). The socket stays open until this object goes, so its number is never another
/// socket's when shut() uses it.
class websocket_socket_handle {
public:
    using clock = std::chrono::steady_clock;
    enum class connected_as { ok, resolve, connect, timeout, canceled };
    enum class io { ok, would_block, timeout, closed };
    /// What wait() saw: any of them may be set at once.
    struct readiness {
        bool readable = false;
        bool writable = false;
        bool woken = false;
        bool timed_out = false;
        bool failed = false;  // shut(), or the wait itself failed
    };

    websocket_socket_handle() = default;
    websocket_socket_handle(const websocket_socket_handle&) = delete;
    websocket_socket_handle& operator=(const websocket_socket_handle&) = delete;
    ~websocket_socket_handle() {
        if (fd_ != no_socket) close_socket(fd_);
    }

    /// Tries each address of host:port until one connects or `deadline` passes; `why` says
    /// what the system reported.
    connected_as connect(const std::string& host, const std::string& port, clock::time_point deadline,
                         std::string& why) {
        addrinfo* list = nullptr;
        const connected_as resolved = resolve(host, port, deadline, list, why);
        if (resolved != connected_as::ok) return resolved;
        const std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(list, [](addrinfo* l) { ::freeaddrinfo(l); });
        for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
            const ::socket_t sock = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (sock == no_socket) {
                why = std::system_category().message(last_socket_error());
                continue;
            }
            set_non_blocking(sock);
            const int on = 1;
#ifdef SO_NOSIGPIPE
            ::setsockopt(sock, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);  // macOS, the BSDs: no MSG_NOSIGNAL
#endif
            ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (shut_) {
                    close_socket(sock);
                    return connected_as::canceled;
                }
                fd_ = sock;
            }
            #ifdef _WIN32
            const int length = static_cast<int>(ai->ai_addrlen);
#else
            const socklen_t length = ai->ai_addrlen;
#endif
            int err = ::connect(sock, ai->ai_addr, length) == 0 ? 0 : last_socket_error();
            if (would_block(err)) {
                const readiness r = wait_connected(deadline);
                if (was_shut()) return connected_as::canceled;
                if (r.timed_out) return connected_as::timeout;
                err = socket_error();
            }
            if (was_shut()) return connected_as::canceled;
            if (err == 0) return connected_as::ok;
            why = std::system_category().message(err);
            std::lock_guard<std::mutex> lock(mutex_);
            close_socket(fd_);
            fd_ = no_socket;
        }
        if (clock::now() >= deadline) return connected_as::timeout;
        return connected_as::connect;
    }

    /// One non-blocking read: ok with `got` > 0, would_block, or closed (the peer closed, the
    /// socket failed, or shut() came: bytes already queued are not read after shut()).
    io try_receive(char* out, std::size_t size, std::size_t& got) {
        if (was_shut()) return io::closed;
        const auto n = ::recv(fd_, out, static_cast<int>(std::min<std::size_t>(size, 1 << 30)), 0);
        if (n > 0) {
            got = static_cast<std::size_t>(n);
            return io::ok;
        }
        if (n < 0 && would_block(last_socket_error())) return io::would_block;
        return io::closed;
    }

    /// One non-blocking write: ok with `sent` > 0, would_block, or closed.
    io try_send(const char* data, std::size_t size, std::size_t& sent) {
        if (was_shut()) return io::closed;
#ifdef MSG_NOSIGNAL
        constexpr int flags = MSG_NOSIGNAL;  // a closed peer fails the write, raising no SIGPIPE
#else
        constexpr int flags = 0;  // SO_NOSIGPIPE (set in connect()), or Windows: no signals
#endif
        const auto n = ::send(fd_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)), flags);
        if (n > 0) {
            sent = static_cast<std::size_t>(n);
            return io::ok;
        }
        if (n < 0 && would_block(last_socket_error())) return io::would_block;
        return io::closed;
    }

    /// Waits until the socket is readable (`read`), writable (`write`), `wake` is signalled,
    /// shut() comes or `deadline` passes. `wake` may be null.
    readiness wait(bool read, bool write, wake_signal* wake, clock::time_point deadline) {
        readiness r;
        for (;;) {
            if (was_shut()) {
                r.failed = true;
                return r;
            }
            // Rounded up: poll may wake a little early, never a whole millisecond before the deadline.
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
            if (left <= 0) {
                r.timed_out = true;
                return r;
            }
            poll_entry p[3]{};
            unsigned n = 0;
            p[n].fd = fd_;
            p[n++].events = static_cast<short>((read ? poll_in : 0) | (write ? poll_out : 0));
            if (wake_.usable()) {  // shut()'s: on Windows a shutdown alone does not end a wait
                p[n].fd = wake_.waitable();
                p[n++].events = poll_in;
            }
            const unsigned theirs = n;
            if (wake && wake->usable()) {
                p[n].fd = wake->waitable();
                p[n++].events = poll_in;
            }
            const int got = poll_sockets(p, n, static_cast<int>(std::min<long long>(left, 3600 * 1000)));
            if (got < 0) {
                if (would_block(last_socket_error())) continue;  // EINTR
                r.failed = true;
                return r;
            }
            if (got == 0 || was_shut()) continue;
            const short ev = p[0].revents;
            const bool ended = (ev & (POLLHUP | POLLERR | POLLNVAL)) != 0;  // the next call says how
            r.readable = read && ((ev & poll_in) != 0 || ended);
            r.writable = write && ((ev & poll_out) != 0 || ended);
            r.woken = theirs < n && p[theirs].revents != 0;
            if (ended && !read && !write) {
                r.failed = true;
                return r;
            }
            if (r.readable || r.writable || r.woken) return r;
        }
    }

    /// Ends what the socket does and every wait on it, from any thread.
    void shut() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        shut_ = true;
#ifdef _WIN32
        if (fd_ != no_socket) ::shutdown(fd_, SD_BOTH);
#else
        if (fd_ != no_socket) ::shutdown(fd_, SHUT_RDWR);
#endif
        wake_.signal();
        if (lookup_) {
            std::lock_guard<std::mutex> waiting(lookup_->mutex);
            lookup_->shut = true;
            lookup_->done_or_shut.notify_all();
        }
    }

    bool was_shut() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return shut_;
    }

    /// The connected socket, for a TLS layer that reads and writes it itself.
    ::socket_t native() const noexcept { return fd_; }

private:
    // One lookup, on a thread of its own: getaddrinfo cannot be interrupted, and a name server
    // that never answers must not hold a connect past its deadline or a cancel. A lookup given up
    // on finishes alone and frees what it found.
    struct lookup {
        std::mutex mutex;
        std::condition_variable done_or_shut;
        bool done = false;
        bool shut = false;
        bool abandoned = false;
        int found = 0;
        int error = 0;
        addrinfo* list = nullptr;
    };

    connected_as resolve(const std::string& host, const std::string& port, clock::time_point deadline,
                         addrinfo*& list, std::string& why) {
        auto job = std::make_shared<lookup>();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (shut_) return connected_as::canceled;
            lookup_ = job;
        }
        try {
            std::thread([job, host, port] {
                addrinfo hints{};
                hints.ai_family = AF_UNSPEC;
                hints.ai_socktype = SOCK_STREAM;
                hints.ai_flags = AI_NUMERICSERV;
                addrinfo* found = nullptr;
                const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
                const int err = errno;
                std::lock_guard<std::mutex> lock(job->mutex);
                if (job->abandoned) {
                    if (found) ::freeaddrinfo(found);
                    return;
                }
                job->found = rc;
                job->error = err;
                job->list = found;
                job->done = true;
                job->done_or_shut.notify_all();
            }).detach();
        } catch (const std::system_error& e) {
            why = e.what();
            return connected_as::resolve;
        }
        std::unique_lock<std::mutex> lock(job->mutex);
        job->done_or_shut.wait_until(lock, deadline, [&] { return job->done || job->shut; });
        if (!job->done || job->shut) {
            job->abandoned = true;
            if (job->list) ::freeaddrinfo(std::exchange(job->list, nullptr));
            if (job->shut) return connected_as::canceled;
            why = "no answer from the name service within connect_timeout";
            return connected_as::resolve;
        }
        if (job->found != 0) {
#ifdef EAI_SYSTEM
            if (job->found == EAI_SYSTEM) {
                why = std::generic_category().message(job->error);
                return connected_as::resolve;
            }
#endif
            why = ::gai_strerror(job->found);
            return connected_as::resolve;
        }
        list = std::exchange(job->list, nullptr);
        return connected_as::ok;
    }

    // A non-blocking connect's end: writable (connected or failed; SO_ERROR says which).
    readiness wait_connected(clock::time_point deadline) {
#ifdef _WIN32
        // WSAPoll does not report a refused connect before Windows 10 2004; select's except set does.
        readiness r;
        for (;;) {
            if (was_shut()) {
                r.failed = true;
                return r;
            }
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
            if (left <= 0) {
                r.timed_out = true;
                return r;
            }
            fd_set writable, failed, woken;
            FD_ZERO(&writable);
            FD_ZERO(&failed);
            FD_ZERO(&woken);
            FD_SET(fd_, &writable);
            FD_SET(fd_, &failed);
            if (wake_.usable()) FD_SET(wake_.waitable(), &woken);
            const long slice = static_cast<long>(std::min<long long>(left, 3600 * 1000));
            timeval tv{slice / 1000, (slice % 1000) * 1000};
            const int n = ::select(0, &woken, &writable, &failed, &tv);
            if (n < 0) {
                r.failed = true;
                return r;
            }
            if (n > 0 && (FD_ISSET(fd_, &writable) || FD_ISSET(fd_, &failed))) {
                r.writable = true;
                return r;
            }
        }
#else
        return wait(false, true, nullptr, deadline);
#endif
    }

    int socket_error() const {
        int err = 0;
#ifdef _WIN32
        int len = sizeof err;
#else
        socklen_t len = sizeof err;
#endif
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0) {
            err = last_socket_error();
        }
        return err;
    }

    mutable std::mutex mutex_;  // shut() from any thread meets connect()'s change of socket
    ::socket_t fd_ = no_socket;
    bool shut_ = false;
    wake_signal wake_;                // shut()'s: a wait on Windows does not end at shutdown alone
    std::shared_ptr<lookup> lookup_;  // the name lookup of connect(), which shut() ends
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_PLATFORM_SOCKET_HPP
