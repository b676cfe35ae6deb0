// bosbase-cpp: Platform calls: files by path, replacing a file atomically; for the default transport SIGPIPE, socket readiness, bytes pending, kernel socket facts (the WebSocket's socket: platform_socket.hpp).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PLATFORM_HPP
#define BOSBASE_PLATFORM_HPP

#include "config.hpp"

// Every call the SDK makes to the operating system is in this file or, for the WebSocket's own
// socket, in platform_socket.hpp, in three flavours:
//   Windows (_WIN32)   the CRT's wide-character calls (_wfopen, _wsopen_s, _wunlink), Winsock's WSAPoll
//                      and ioctlsocket(FIONREAD); with mingw-w64's GCC one libstdc++ call at start-up,
//                      __cxa_thread_atexit (mingw_make_thread_exit_key_first: thread-exit order).
//   POSIX              only calls macOS and the BSDs have as well: open/write/fsync/close/
//                      unlink/rename/getpid (files), fcntl(F_DUPFD_CLOEXEC), O_DIRECTORY and
//                      O_CLOEXEC (POSIX.1-2008), poll, shutdown, ioctl(FIONREAD) (sockets),
//                      pthread_sigmask, sigpending, sigwait (SIGPIPE); setsockopt(SO_NOSIGPIPE)
//                      where the system defines it (macOS, the BSDs).
//   Linux only         sigtimedwait (a non-blocking take of a pending signal) and TCP_INFO (when the
//                      socket last received data), each behind BOSBASE_PLATFORM_LINUX.
// BOSBASE_PLATFORM_APPLE_LIKE selects what macOS and the BSDs take: it is 1 there, and defining
// it to 1 on Linux (the tests' macOS stand-in does) compiles and runs those paths where the
// calls exist on both. Neither flavour changes what a caller sees, only how the SDK gets it.
// Like every configuration macro, it must be the same in every file of a program.
#ifndef BOSBASE_PLATFORM_APPLE_LIKE
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__)
#define BOSBASE_PLATFORM_APPLE_LIKE 1
#else
#define BOSBASE_PLATFORM_APPLE_LIKE 0
#endif
#endif
#if defined(__linux__) && !BOSBASE_PLATFORM_APPLE_LIKE
#define BOSBASE_PLATFORM_LINUX 1
#else
#define BOSBASE_PLATFORM_LINUX 0
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#if defined(__MINGW32__) && defined(__GNUC__) && !defined(__clang__)
#include <cxxabi.h>  // __cxa_thread_atexit (see mingw_make_thread_exit_key_first)
#endif
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <share.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace bosbase {

namespace detail {

/// @brief A path as UTF-8 text, for messages: path::string() is the narrow native form, which on
/// Windows is the ANSI code page and throws for a name it cannot spell.
BOSBASE_DECL std::string path_text(const std::filesystem::path& path);

/// @brief A path from UTF-8 text, the SDK's encoding for every string. On POSIX it is the bytes as
/// they are; on Windows it is converted to the wide native form (a plain std::string would be
/// read in the ANSI code page there, which cannot spell most names).
BOSBASE_DECL std::filesystem::path path_from_utf8(std::string_view utf8);

/// @brief An environment variable's value, or nullopt when it is unset. (The proxy variables
/// are ASCII, so the narrow form serves on Windows too; MSVC deprecates getenv for _dupenv_s.)
BOSBASE_DECL std::optional<std::string> environment_variable(const char* name);

/// @brief Opens a file to read its bytes, by its native path (wide on Windows, where fopen would
/// take the ANSI code page). nullptr with errno set when it cannot.
BOSBASE_DECL std::FILE* open_file_for_reading(const std::filesystem::path& path);

/// @brief Creates a new file to write, by its native path; nullptr with errno set (EEXIST when
/// the name is taken) when it cannot. Never opens a file that exists, so a name the SDK chose
/// never overwrites anyone's file.
BOSBASE_DECL std::FILE* create_file_for_writing(const std::filesystem::path& path);

/// @brief Replaces the file at `target` with `bytes`, so that a crash or power loss
/// at any moment leaves either the old file or the new one, never a mix: the bytes go
/// to a new file in the same directory (created owner-only: 0600 on POSIX; on Windows
/// it inherits the directory's ACL), are flushed to the disk, and the new file is
/// renamed over the old one, which replaces it in one step. Returns "" on success,
/// else what failed, naming the step and the OS's reason (never the bytes).
BOSBASE_DECL std::string replace_file_atomically(const std::filesystem::path& target, std::string_view bytes);

#if defined(__MINGW32__) && defined(__GNUC__) && !defined(__clang__)
// mingw-w64's GCC (12 here, Debian 12) keeps thread_local variables in emulated TLS (libgcc's
// emutls) and, with the posix thread model, runs their destructors through libstdc++'s fallback
// __cxa_thread_atexit. Both hang their per-thread work on a winpthreads key, and winpthreads runs
// key destructors at thread exit in the order the keys were made. The first thread_local access
// makes emutls's key, before the first thread_local destructor makes libstdc++'s, so by default
// emutls frees a thread's storage first and the destructors run on freed memory (GCC bug 80816,
// mingw-w64 bug 527). cpp-httplib keeps std::regex objects in thread_local variables (the status
// line's), built on every thread that makes a call: each realtime or async thread that ended
// corrupted the heap, and the program crashed later in an unrelated free (issue 27, item 10).
// Making libstdc++'s key first, before any other initialiser can touch a thread_local, turns the
// order around: destructors, then the storage. Priority 101 is the earliest a program may take.
inline void mingw_no_thread_exit_work(void*) noexcept {}
inline bool mingw_thread_exit_key_made = false;  // constant-initialised: set before any initialiser

// One per translation unit that includes this file; the first one to run does the work. It
// registers nothing that runs at a thread's exit, only one no-op for the main thread at exit().
[[gnu::constructor(101)]] static void mingw_make_thread_exit_key_first() noexcept {
    if (mingw_thread_exit_key_made) return;
    mingw_thread_exit_key_made = true;
    __cxxabiv1::__cxa_thread_atexit(&mingw_no_thread_exit_work, nullptr, nullptr);
}
#endif

}  // namespace detail

}  // namespace bosbase

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>  // socket_t, and on Windows winsock2.h in the order it needs

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

namespace bosbase {

namespace detail {

/// Writing to a connection the server has closed raises SIGPIPE, whose default
/// action ends the process, and cpp-httplib's client sends without MSG_NOSIGNAL.
/// A library must not change the process's signal handling, so the calling thread
/// blocks SIGPIPE for the duration of the call and swallows one it caused.
///
/// A SIGPIPE comes only from a write that failed, and cpp-httplib fails the whole
/// call when any write fails (0.41 still reads an early answer, then reports the
/// failure). So a plain-HTTP call marked succeeded() skips the look for a pending
/// one and costs two syscalls, the block and the restore. (Over TLS, closing a
/// connection writes an alert after the answer, so those calls always look.)
///
/// Taking the pending one: Linux has sigtimedwait with a zero timeout, which never
/// blocks. macOS and the BSDs lack it (and macOS sets SO_NOSIGPIPE on the socket, see
/// socket_watch::watch), so there sigwait takes it, called only once sigpending has
/// shown one. A write's SIGPIPE is sent to the thread that wrote, and this thread
/// blocks it, so no other thread can take it between the two calls.
#ifdef _WIN32
class sigpipe_guard {  // no SIGPIPE there
public:
    sigpipe_guard() noexcept {}  // user-provided, as the POSIX one's: a guard held only for its scope is not "unused"
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;
    void succeeded() noexcept {}
};
#else
class sigpipe_guard {
public:
    sigpipe_guard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        if (pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) != 0) {
            return;
        }
        active_ = true;
        // Only while the caller blocks SIGPIPE too can one be pending already; that
        // one is the caller's and is left alone.
        if (sigismember(&previous_, SIGPIPE) == 1) {
            sigset_t pending;
            sigemptyset(&pending);
            already_pending_ = sigpending(&pending) != 0 || sigismember(&pending, SIGPIPE) == 1;
        }
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;
    ~sigpipe_guard() {
        if (!active_) {
            return;
        }
        if (!succeeded_ && !already_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
#if BOSBASE_PLATFORM_LINUX
                const timespec no_wait{0, 0};
                while (sigtimedwait(&pipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
                }
#else
                int taken = 0;
                sigwait(&pipe_, &taken);
#endif
            }
        }
        if (sigismember(&previous_, SIGPIPE) != 1) {
            pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
        }
    }

    /// Every write of the call succeeded, so none raised SIGPIPE.
    void succeeded() { succeeded_ = true; }

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    bool active_ = false;
    bool already_pending_ = false;
    bool succeeded_ = false;
};
#endif

/// @brief Whether bytes (or the peer's close) are waiting on an idle connection. An
/// HTTP/1.1 server never speaks first, so whatever is there is either its close or
/// something the framing of the last answer did not account for, which the next
/// call on that connection would read as its own answer.
inline bool input_pending(::socket_t sock) {
#ifdef _WIN32
    if (sock == INVALID_SOCKET) return false;
    WSAPOLLFD p{};
    p.fd = sock;
    p.events = POLLRDNORM;
    return WSAPoll(&p, 1, 0) != 0;  // readable, or an error: either way not reusable
#else
    if (sock < 0) return false;
    pollfd p{sock, POLLIN, 0};
    while (true) {
        const int n = ::poll(&p, 1, 0);
        if (n >= 0 || errno != EINTR) return n != 0;
    }
#endif
}

/// @brief Whether bytes (not only the peer's close) are waiting to be read on a socket:
/// after a body of announced length, bytes the server sent beyond it.
inline bool bytes_pending(::socket_t sock) {
#ifdef _WIN32
    if (sock == INVALID_SOCKET) return false;
    u_long n = 0;
    return ::ioctlsocket(sock, FIONREAD, &n) == 0 && n > 0;
#else
    if (sock < 0) return false;
    int n = 0;
    return ::ioctl(sock, FIONREAD, &n) == 0 && n > 0;
#endif
}

/// @brief How long ago the connection last received data, asked of the kernel.
///
/// cpp-httplib reports a read that timed out and a connection the server closed
/// alike (Error::Read), and it reads the status line and headers without any
/// callback, so only the socket knows whether data kept arriving. cpp-httplib
/// closes its socket when a call fails, so a duplicate of the descriptor is kept
/// for the post-mortem. Linux has the figure (TCP_INFO's tcpi_last_data_recv);
/// elsewhere since_last_data() has no answer and the caller falls back on timing.
/// On Windows nothing is watched: interrupt() does nothing and a connect ends at
/// its connect timeout.
class socket_watch {
public:
    /// Kernel timestamps count in jiffies (up to 10 ms each), so only differences
    /// larger than this mean something.
    static constexpr std::chrono::milliseconds resolution{20};

    socket_watch() = default;
    socket_watch(const socket_watch&) = delete;
    socket_watch& operator=(const socket_watch&) = delete;
    ~socket_watch() { reset(); }

    /// Called with every socket the connection opens (on the calling thread, before
    /// cpp-httplib connects it).
    void watch(::socket_t sock) {
#ifndef _WIN32
#ifdef SO_NOSIGPIPE
        // macOS and the BSDs: a write to a closed connection fails with EPIPE and raises no
        // signal (Linux has only the per-call MSG_NOSIGNAL, which cpp-httplib does not pass).
        const int on = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
        const int dup = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd_ >= 0) ::close(fd_);
        fd_ = dup;
#else
        (void)sock;
#endif
    }

    void reset() {
#ifndef _WIN32
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
#endif
    }

    /// From the watchdog thread: ends whatever the socket is doing, a connect in
    /// progress included (Linux aborts a SYN_SENT socket on shutdown), which
    /// Client::stop() cannot reach: cpp-httplib holds the socket to itself until
    /// connected. Where shutdown() of a connecting socket fails (ENOTCONN: the BSDs
    /// and macOS), a connect ends at its connect timeout.
    void interrupt() noexcept {
#ifndef _WIN32
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
#endif
    }

    std::optional<std::chrono::milliseconds> since_last_data() const {
#if BOSBASE_PLATFORM_LINUX
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd_ < 0) return std::nullopt;
        tcp_info info{};
        socklen_t size = sizeof info;
        if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
            size < offsetof(tcp_info, tcpi_last_data_recv) + sizeof info.tcpi_last_data_recv) {
            return std::nullopt;
        }
        return std::chrono::milliseconds(info.tcpi_last_data_recv);
#else
        return std::nullopt;
#endif
    }

private:
#ifndef _WIN32
    mutable std::mutex mutex_;  // the watchdog's interrupt() meets the caller's watch()/reset()
    int fd_ = -1;
#endif
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "platform.ipp"
#endif

#endif  // BOSBASE_PLATFORM_HPP
