// A misbehaving HTTP server on 127.0.0.1 for fault tests: raw POSIX sockets, so it
// can send what no HTTP library would (bad status lines, broken chunking, resets,
// bytes dripped one at a time). Each request takes the next fault from a queue;
// with the queue empty it answers like a healthy BosBase, so one client can hit a
// fault and then a normal endpoint of the same server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

#include "deflate_pump.hpp"

#include <atomic>
#include <cctype>
#include <cstdint>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bosbase_test {

// One misbehaviour per value; fault_name() gives the text tests print.
enum class fault {
    normal,  // what a healthy server answers for the path
    // --- status lines and status classes
    no_content,              // 204, empty
    no_content_with_body,    // 204 followed by body bytes it must not have
    redirect_301, redirect_302, redirect_307, redirect_308,  // empty body, Location
    redirect_301_json, redirect_302_json, redirect_307_json, redirect_308_json,  // JSON body, Location
    continue_then_ok,        // 100 Continue, then the normal answer
    processing_then_ok,      // 102 Processing, then the normal answer
    early_hints_then_ok,     // 103 Early Hints with a Link header, then the normal answer
    status_199,              // 199 as the final answer
    status_garbage,          // "HTTP/1.1 2x0 OK"
    status_600,
    status_999,
    not_found_json,          // 404 with the JSON envelope
    server_error_json,       // 500 with the JSON envelope
    bad_request_html,        // 400 text/html
    bad_request_invalid_utf8,  // 400 whose body is not UTF-8
    bad_request_cut_utf8,    // 400 whose body ends inside a UTF-8 character
    mfa_required,            // 401 {"mfaId"}
    // --- connection trouble
    hang,                    // read the request, never answer
    reset_before_response,   // read the request, then RST
    reset_mid_headers,
    reset_mid_body,
    close_mid_body,          // Content-Length larger than the body, then FIN
    // Broken chunking; the bytes before each defect are never a whole JSON document.
    chunk_bad_size,          // chunk size that is not hex
    chunk_missing_crlf,      // chunk data not followed by CRLF
    chunk_too_long,          // more data than the chunk size says
    // --- bodies of 200 answers
    json_invalid,
    json_truncated,
    json_array,
    json_string,
    json_number,
    html_ok,                 // 200 text/html
    long_json_string,        // a valid 200 whose one string is 512 KiB
    json_number_overflow,    // 1e999999 and a 30-digit integer
    json_duplicate_keys,     // "token" twice
    auth_without_token,
    auth_without_record,
    auth_token_crlf,         // token "abc\r\nX-Injected: 1"
    auth_token_nul,          // token with a NUL byte
    auth_deep_record,        // record nested 100,000 levels
    error_deep_body,         // 400 whose body nests 100,000 levels
    // --- size and time
    huge_header_line,        // one 16 MiB header line
    many_header_lines,       // 100,000 header lines
    long_status_line,        // a 100 KB status line
    huge_body,               // Content-Length 512 MiB, sent as fast as the client reads
    gzip_bomb,               // Content-Encoding: gzip, ~1 MiB that inflates to 1 GiB
    drip_body,               // headers at once, then the body one byte per drip interval
    drip_headers,            // the whole answer one byte per drip interval
    slow_reader,             // never reads the request (so a large body cannot be sent)
    // --- keep-alive
    keep_alive_then_close,   // answers with keep-alive, then closes the connection
    close_on_next_request,   // answers with keep-alive, then closes when the next request arrives
    // --- framing that leaves bytes on a kept-alive connection. The *_smuggle answers
    // declare a body the client must not read; the server then sends that "body", a
    // complete fake answer, as soon as the next request arrives on the same connection.
    no_content_length_smuggle,     // 204 with Content-Length
    no_content_chunked_smuggle,    // 204 with Transfer-Encoding: chunked
    not_modified_length_smuggle,   // 304 with Content-Length
    early_hints_length_smuggle,    // 103 with Content-Length as the only answer
    length_and_chunked_smuggle,    // 200 with both Content-Length and Transfer-Encoding
    no_content_then_junk,          // 204, then 16 KiB of junk in the same write
    head_with_body,                // an answer to HEAD followed by 16 KiB of body
    short_body_held,               // Content-Length 1000, 10 bytes, then silence on an open connection
    long_body_held,                // Content-Length 20000, 50000 bytes in the same write, connection kept
    drip_headers_then_close,       // 20 bytes of status line and headers, one per drip interval, then FIN
    long_body_then_close,          // as long_body_held, but with Connection: close and FIN after the write
    lengths_disagree,              // Content-Length: 2 and Content-Length: 20, body {}, then FIN
    // --- event streams (any GET)
    event_stream_silent,           // 200 text/event-stream headers, then nothing until the client leaves
    // --- realtime (GET /api/realtime); other requests get the normal answer
    realtime_retry_zero,           // `retry: 0` and PB_CONNECT, then FIN
    // --- lists
    list_page_of_one,              // a healthy list page whose perPage is 1 (so a full list asks for more)
    // --- secrets
    echo_secrets,            // 400 whose message echoes the request body and Authorization
    location_with_secret,    // 302 whose Location carries the request body
};

inline const char* fault_name(fault f) {
    switch (f) {
#define BOSBASE_FAULT_NAME(x) \
    case fault::x: return #x;
        BOSBASE_FAULT_NAME(normal) BOSBASE_FAULT_NAME(no_content) BOSBASE_FAULT_NAME(no_content_with_body)
        BOSBASE_FAULT_NAME(redirect_301) BOSBASE_FAULT_NAME(redirect_302) BOSBASE_FAULT_NAME(redirect_307)
        BOSBASE_FAULT_NAME(redirect_308) BOSBASE_FAULT_NAME(redirect_301_json) BOSBASE_FAULT_NAME(redirect_302_json)
        BOSBASE_FAULT_NAME(redirect_307_json) BOSBASE_FAULT_NAME(redirect_308_json)
        BOSBASE_FAULT_NAME(continue_then_ok) BOSBASE_FAULT_NAME(processing_then_ok)
        BOSBASE_FAULT_NAME(early_hints_then_ok) BOSBASE_FAULT_NAME(status_199) BOSBASE_FAULT_NAME(status_garbage)
        BOSBASE_FAULT_NAME(status_600) BOSBASE_FAULT_NAME(status_999) BOSBASE_FAULT_NAME(not_found_json)
        BOSBASE_FAULT_NAME(server_error_json) BOSBASE_FAULT_NAME(bad_request_html)
        BOSBASE_FAULT_NAME(bad_request_invalid_utf8) BOSBASE_FAULT_NAME(bad_request_cut_utf8)
        BOSBASE_FAULT_NAME(mfa_required) BOSBASE_FAULT_NAME(hang) BOSBASE_FAULT_NAME(reset_before_response)
        BOSBASE_FAULT_NAME(reset_mid_headers) BOSBASE_FAULT_NAME(reset_mid_body) BOSBASE_FAULT_NAME(close_mid_body)
        BOSBASE_FAULT_NAME(chunk_bad_size) BOSBASE_FAULT_NAME(chunk_missing_crlf) BOSBASE_FAULT_NAME(chunk_too_long)
        BOSBASE_FAULT_NAME(json_invalid) BOSBASE_FAULT_NAME(json_truncated) BOSBASE_FAULT_NAME(json_array)
        BOSBASE_FAULT_NAME(json_string) BOSBASE_FAULT_NAME(json_number) BOSBASE_FAULT_NAME(html_ok)
        BOSBASE_FAULT_NAME(long_json_string) BOSBASE_FAULT_NAME(json_number_overflow)
        BOSBASE_FAULT_NAME(json_duplicate_keys) BOSBASE_FAULT_NAME(auth_without_token)
        BOSBASE_FAULT_NAME(auth_without_record) BOSBASE_FAULT_NAME(auth_token_crlf)
        BOSBASE_FAULT_NAME(auth_token_nul) BOSBASE_FAULT_NAME(auth_deep_record) BOSBASE_FAULT_NAME(error_deep_body)
        BOSBASE_FAULT_NAME(huge_header_line) BOSBASE_FAULT_NAME(many_header_lines)
        BOSBASE_FAULT_NAME(long_status_line) BOSBASE_FAULT_NAME(huge_body) BOSBASE_FAULT_NAME(gzip_bomb)
        BOSBASE_FAULT_NAME(drip_body) BOSBASE_FAULT_NAME(drip_headers) BOSBASE_FAULT_NAME(slow_reader)
        BOSBASE_FAULT_NAME(keep_alive_then_close) BOSBASE_FAULT_NAME(close_on_next_request)
        BOSBASE_FAULT_NAME(no_content_length_smuggle) BOSBASE_FAULT_NAME(no_content_chunked_smuggle)
        BOSBASE_FAULT_NAME(not_modified_length_smuggle) BOSBASE_FAULT_NAME(early_hints_length_smuggle)
        BOSBASE_FAULT_NAME(length_and_chunked_smuggle) BOSBASE_FAULT_NAME(no_content_then_junk)
        BOSBASE_FAULT_NAME(head_with_body) BOSBASE_FAULT_NAME(short_body_held) BOSBASE_FAULT_NAME(long_body_held)
        BOSBASE_FAULT_NAME(drip_headers_then_close) BOSBASE_FAULT_NAME(long_body_then_close)
        BOSBASE_FAULT_NAME(lengths_disagree) BOSBASE_FAULT_NAME(event_stream_silent)
        BOSBASE_FAULT_NAME(realtime_retry_zero)
        BOSBASE_FAULT_NAME(list_page_of_one)
        BOSBASE_FAULT_NAME(echo_secrets) BOSBASE_FAULT_NAME(location_with_secret)
#undef BOSBASE_FAULT_NAME
    }
    return "unknown";
}

// The auth token the healthy answers carry: a JWT (type auth, users, exp 2100) whose
// signature part is long and unique, so a test can look for it in error texts.
inline const char* fault_server_auth_token() {
    return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
           "eyJ0eXBlIjoiYXV0aCIsImlkIjoicjEiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJleHAiOjQxMDI0NDQ4MDB9."
           "ZmF1bHQtc2VydmVyLWF1dGgtc2lnbmF0dXJl";
}

// A loopback port with nothing listening: bound once, then closed.
inline int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("closed_port: cannot bind 127.0.0.1");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

class fault_server {
public:
    struct options {
        std::chrono::milliseconds drip_interval{100};  // pause between dripped bytes
        fault fallback = fault::normal;                // what requests get once the queue is empty
    };

    fault_server() : fault_server(options{}) {}

    explicit fault_server(options o) : options_(o) {
        if (::pipe(wake_) != 0) throw std::runtime_error("fault_server: pipe failed");
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        // A small receive buffer (inherited by accepted sockets) lets slow_reader stall
        // a client's write after a few hundred KiB instead of many MiB.
        const int rcvbuf = 64 * 1024;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listen_fd_, 64) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            close_all();
            throw std::runtime_error("fault_server: cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    fault_server(const fault_server&) = delete;
    fault_server& operator=(const fault_server&) = delete;

    // Wakes every poll, unblocks every send, then joins: no thread outlives the server.
    ~fault_server() {
        stopping_ = true;
        const char byte = 'x';
        (void)!::write(wake_[1], &byte, 1);
        ::shutdown(listen_fd_, SHUT_RDWR);
        accept_thread_.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
            threads.swap(threads_);
        }
        for (auto& t : threads) t.join();
        close_all();
    }

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // Queues faults for the next requests, in order; requests after them are answered normally.
    void then(fault f) {
        if (f == fault::gzip_bomb) gzip_bomb_bytes();  // made now, not on the clock of the call under test
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(f);
    }

    int connections() const { return accepted_.load(); }

    // Drops the faults no request has met yet.
    void clear() {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.clear();
    }

    // Faults queued but not yet met by a request.
    std::size_t pending_faults() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return queue_.size();
    }

    // Waits (bounded) until `n` requests have arrived in all; false on timeout.
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
        std::unique_lock<std::mutex> lock(mutex_);
        return arrived_.wait_for(lock, limit, [&] { return targets_.size() >= n; });
    }

    // Request targets seen so far, in arrival order.
    std::vector<std::string> targets() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return targets_;
    }

    // ~1 MiB of gzip that inflates to 1 GiB of spaces; made once per process. Compressing
    // 1 GiB takes seconds, so one MiB is compressed with a full flush (which makes every
    // such block identical) and repeated, and the CRC is combined arithmetically.
    static const std::string& gzip_bomb_bytes() {
        static const std::string bomb = [] {
            const std::string chunk(std::size_t(1) << 20, ' ');
            constexpr int chunks = 1024;
            z_stream z{};
            if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
                throw std::runtime_error("fault_server: deflateInit2 failed");
            }
            auto deflate_all = [&z](const std::string& in, int flush) {
                std::string out;
                deflate_pump(z, in.data(), in.size(), flush, out);
                return out;
            };
            const std::string block = deflate_all(chunk, Z_FULL_FLUSH);
            const std::string last = deflate_all(std::string(), Z_FINISH);
            deflateEnd(&z);
            const uLong chunk_crc = crc32(0, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()));
            uLong crc = 0;
            std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);  // gzip header, no name
            for (int i = 0; i < chunks; ++i) {
                out += block;
                crc = crc32_combine(crc, chunk_crc, static_cast<z_off_t>(chunk.size()));
            }
            out += last;
            const std::uint32_t total = static_cast<std::uint32_t>(chunk.size() * chunks);  // ISIZE is mod 2^32
            for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xFF);
            for (int i = 0; i < 4; ++i) out += static_cast<char>((total >> (8 * i)) & 0xFF);
            return out;
        }();
        return bomb;
    }

private:
    struct request {
        std::string method;
        std::string target;
        std::string authorization;
        std::string body;
        std::size_t content_length = 0;
    };

    enum class after { keep, close, reset };

    void accept_loop() {
        while (!stopping_) {
            pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
            if (stopping_ || (fds[1].revents & POLLIN)) return;
            if (!(fds[0].revents & POLLIN)) continue;
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) continue;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ++accepted_;
            std::lock_guard<std::mutex> lock(mutex_);
            open_fds_.insert(fd);
            threads_.emplace_back([this, fd] { serve(fd); });
        }
    }

    fault next_fault() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queue_.empty()) return options_.fallback;
        const fault f = queue_.front();
        queue_.pop_front();
        return f;
    }

    void serve(int fd) {
        std::string pending;  // bytes read past the end of the previous request
        after how = after::keep;
        bool smuggle = false;  // the last answer declared a body that the next request gets instead
        while (how == after::keep && !stopping_) {
            if (pending.empty() && !wait_for_data(fd)) break;
            if (smuggle) {
                request req;
                if (!read_request(fd, pending, req)) break;
                {
                    std::lock_guard<std::mutex> lock(mutex_);
                    targets_.push_back("(smuggled answer) " + req.target);
                }
                smuggle = false;
                if (!send_all(fd, smuggled_answer())) break;
                continue;
            }
            const fault f = next_fault();
            if (f == fault::slow_reader) {
                wait_until_gone(fd, false);
                break;
            }
            request req;
            if (!read_request(fd, pending, req)) break;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                targets_.push_back(req.target);
            }
            arrived_.notify_all();
            how = respond(fd, f, req, pending);
            smuggle = how == after::keep && smuggles(f);
        }
        if (how == after::reset) {
            const linger abort_now{1, 0};  // close() then sends RST instead of FIN
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
        }
        std::lock_guard<std::mutex> lock(mutex_);
        open_fds_.erase(fd);
        ::close(fd);
    }

    // --- socket helpers: every wait also watches the wake pipe

    // Waits until fd has bytes to read; false when the peer left or the server stops.
    bool wait_for_data(int fd) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        while (::poll(fds, 2, -1) < 0) {
            if (errno != EINTR) return false;
        }
        if (stopping_ || (fds[1].revents & POLLIN)) return false;
        char c;
        return ::recv(fd, &c, 1, MSG_PEEK) > 0;
    }

    bool read_some(int fd, std::string& into) {
        if (!wait_for_data(fd)) return false;
        char buf[16384];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        into.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    bool read_request(int fd, std::string& pending, request& req) {
        constexpr std::size_t max_head = 1 << 20;
        std::size_t head_end;
        while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
            if (pending.size() > max_head || !read_some(fd, pending)) return false;
        }
        const std::string head = pending.substr(0, head_end);
        pending.erase(0, head_end + 4);
        bool expect_continue = false;
        const auto sp1 = head.find(' ');
        const auto sp2 = head.find(' ', sp1 + 1);
        if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
        req.method = head.substr(0, sp1);
        req.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
        std::size_t pos = head.find("\r\n");
        while (pos != std::string::npos) {
            const auto next = head.find("\r\n", pos + 2);
            const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
            pos = next;
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "content-length") {
                try {
                    req.content_length = std::stoul(value);
                } catch (const std::exception&) {
                    return false;
                }
            } else if (name == "authorization") {
                req.authorization = value;
            } else if (name == "expect") {
                for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                expect_continue = value == "100-continue";
            }
        }
        if (req.content_length > (std::size_t(256) << 20)) return false;
        // As Go's net/http (BosBase) does when a handler reads the body: cpp-httplib 0.41
        // sends a body of 1 KiB or more only after this, or after waiting 1 s for it.
        if (expect_continue && pending.size() < req.content_length &&
            !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) {
            return false;
        }
        while (pending.size() < req.content_length) {
            if (!read_some(fd, pending)) return false;
        }
        req.body = pending.substr(0, req.content_length);
        pending.erase(0, req.content_length);
        return true;
    }

    static bool send_all(int fd, const char* data, std::size_t size) {
        while (size > 0) {
            const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }
    static bool send_all(int fd, const std::string& s) { return send_all(fd, s.data(), s.size()); }

    // Sleeps one drip interval unless the server stops or the peer leaves (or sends, when reading).
    // False when the connection is over. Used by hang and drip modes.
    bool pause(int fd, std::chrono::milliseconds interval, bool consume_input) {
        pollfd fds[2] = {{fd, static_cast<short>(POLLRDHUP | (consume_input ? POLLIN : 0)), 0},
                         {wake_[0], POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(interval.count()));
        if (ready < 0) return errno == EINTR;
        if (stopping_ || (fds[1].revents & POLLIN)) return false;
        if (fds[0].revents & (POLLRDHUP | POLLHUP | POLLERR)) return false;
        if (fds[0].revents & POLLIN) {
            char buf[4096];
            return ::recv(fd, buf, sizeof buf, 0) > 0;
        }
        return true;
    }

    void wait_until_gone(int fd, bool consume_input) {
        while (pause(fd, std::chrono::milliseconds(1000), consume_input)) {
        }
    }

    bool drip(int fd, const std::string& bytes) {
        for (char c : bytes) {
            if (!pause(fd, options_.drip_interval, true) || !send_all(fd, &c, 1)) return false;
        }
        return true;
    }

    // --- answers

    static std::string reason(int status) {
        switch (status) {
        case 100: return "Continue";
        case 102: return "Processing";
        case 103: return "Early Hints";
        case 200: return "OK";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 500: return "Internal Server Error";
        default: return "Whatever";
        }
    }

    static std::string answer(int status, const std::string& body, const std::string& content_type = "application/json",
                              const std::string& extra_headers = "") {
        std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
        if (!body.empty()) out += "Content-Type: " + content_type + "\r\n";
        out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: keep-alive\r\n" + extra_headers +
               "\r\n" + body;
        return out;
    }

    static std::string envelope(int status, const std::string& message, const std::string& data = "{}") {
        return R"({"data":)" + data + R"(,"message":")" + message + R"(","status":)" + std::to_string(status) + "}";
    }

    static std::string json_escape(const std::string& in) {
        static const char hex[] = "0123456789abcdef";
        std::string out;
        for (char ch : in) {
            const auto c = static_cast<unsigned char>(ch);
            if (ch == '"' || ch == '\\') {
                out += '\\';
                out += ch;
            } else if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += ch;
            }
        }
        return out;
    }

    static std::string percent_encode(const std::string& in) {
        static const char hex[] = "0123456789ABCDEF";
        std::string out;
        for (char ch : in) {
            const auto c = static_cast<unsigned char>(ch);
            if (std::isalnum(c) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
                out += ch;
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 0xF];
            }
        }
        return out;
    }

    static std::string auth_body(const std::string& token_json, const std::string& record_json) {
        return R"({"record":)" + record_json + R"(,"token":)" + token_json + "}";
    }

    static std::string user_record() {
        return R"({"collectionId":"_pb_users_auth_","collectionName":"users","email":"u@x.io","id":"r1"})";
    }

    static std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

    static bool smuggles(fault f) {
        return f == fault::no_content_length_smuggle || f == fault::no_content_chunked_smuggle ||
               f == fault::not_modified_length_smuggle || f == fault::early_hints_length_smuggle ||
               f == fault::length_and_chunked_smuggle;
    }

public:
    // What a client that reuses a badly framed connection reads as its next answer: it
    // fits every call (a list page, a sign-in) and says "smuggled" everywhere.
    static std::string smuggled_answer() {
        return answer(200, R"({"items":[{"id":"smuggled"}],"page":1,"perPage":30,"totalItems":1,"totalPages":1,)"
                           R"("token":"smuggled.token.x","record":{"id":"smuggled"}})");
    }

    // A 204 that declares a body of exactly the smuggled answer's size.
    static std::string declared_length() { return "Content-Length: " + std::to_string(smuggled_answer().size()) + "\r\n"; }

private:

    // What a healthy BosBase answers, by path.
    std::string normal_answer(const request& req) const {
        if (req.method == "HEAD") {  // what a GET would get, without its body
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                   "Connection: keep-alive\r\n\r\n";
        }
        const std::string path = req.target.substr(0, req.target.find('?'));
        auto ends_with = [&](const std::string& s) {
            return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
        };
        if (ends_with("/bind-token") || ends_with("/unbind-token")) return answer(204, "");
        if (ends_with("/auth-with-token") || ends_with("/auth-with-password") || ends_with("/auth-refresh")) {
            return answer(200, auth_body(std::string("\"") + fault_server_auth_token() + "\"", user_record()));
        }
        if (ends_with("/records")) {
            return answer(200, R"({"items":[{"id":"r1"}],"page":1,"perPage":30,"totalItems":1,"totalPages":1})");
        }
        if (path == "/__stats") return answer(200, R"({"connections":)" + std::to_string(accepted_.load()) + "}");
        return answer(200, "{}");
    }

    std::string redirect(int status, bool with_body) const {
        // Following it would land on a healthy endpoint, so a client that follows looks successful.
        const std::string location = "Location: " + url() + "/followed/bind-token\r\n";
        return answer(status, with_body ? envelope(status, "Moved.") : "", "application/json", location);
    }

    after respond(int fd, fault f, const request& req, std::string& pending) {
        const std::string ok_head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
        // An answer followed by a close says so, so only keep_alive_then_close tests stale connections.
        auto send_then = [&](std::string bytes, after how) {
            const auto keep = bytes.find("Connection: keep-alive\r\n");
            if (how != after::keep && keep != std::string::npos && keep < bytes.find("\r\n\r\n")) {
                bytes.replace(keep, 22, "Connection: close");
            }
            return send_all(fd, bytes) ? how : after::close;
        };
        switch (f) {
        case fault::normal: return send_then(normal_answer(req), after::keep);
        case fault::no_content: return send_then(answer(204, ""), after::keep);
        case fault::no_content_with_body:
            return send_then("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n{\"unexpected\":true}",
                             after::keep);
        case fault::redirect_301: return send_then(redirect(301, false), after::keep);
        case fault::redirect_302: return send_then(redirect(302, false), after::keep);
        case fault::redirect_307: return send_then(redirect(307, false), after::keep);
        case fault::redirect_308: return send_then(redirect(308, false), after::keep);
        case fault::redirect_301_json: return send_then(redirect(301, true), after::keep);
        case fault::redirect_302_json: return send_then(redirect(302, true), after::keep);
        case fault::redirect_307_json: return send_then(redirect(307, true), after::keep);
        case fault::redirect_308_json: return send_then(redirect(308, true), after::keep);
        case fault::continue_then_ok:
            return send_then("HTTP/1.1 100 Continue\r\n\r\n" + normal_answer(req), after::keep);
        case fault::processing_then_ok:
            return send_then("HTTP/1.1 102 Processing\r\n\r\n" + normal_answer(req), after::keep);
        case fault::early_hints_then_ok:
            return send_then("HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n" + normal_answer(req),
                             after::keep);
        case fault::status_199: return send_then(answer(199, "{}"), after::close);
        case fault::status_garbage:
            return send_then("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}", after::close);
        case fault::status_600: return send_then(answer(600, envelope(600, "Beyond.")), after::close);
        case fault::status_999: return send_then(answer(999, envelope(999, "Beyond.")), after::close);
        case fault::not_found_json:
            return send_then(answer(404, envelope(404, "The requested resource wasn't found.")), after::keep);
        case fault::server_error_json:
            return send_then(answer(500, envelope(500, "Something went wrong.")), after::keep);
        case fault::bad_request_html:
            return send_then(answer(400, "<html><body><h1>400 Bad Request</h1></body></html>", "text/html"),
                             after::keep);
        case fault::bad_request_invalid_utf8:
            return send_then(answer(400, "bad \xff\xfe\xc0\xaf bytes \xed\xa0\x80", "text/plain"), after::keep);
        case fault::bad_request_cut_utf8: {
            // 511 ASCII bytes, then two-byte characters: the SDK's 512-byte excerpt cuts one,
            // and the body itself ends inside a three-byte character.
            std::string body(511, 'x');
            for (int i = 0; i < 100; ++i) body += "\xc3\xa9";
            body += "\xe2\x82";
            return send_then(answer(400, body, "text/plain"), after::keep);
        }
        case fault::mfa_required:
            return send_then(answer(401, R"({"mfaId":"mfa-session-1"})"), after::keep);
        case fault::hang: wait_until_gone(fd, true); return after::close;
        case fault::reset_before_response: return after::reset;
        case fault::reset_mid_headers:
            send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: appl");
            return after::reset;
        case fault::reset_mid_body:
            send_all(fd, ok_head + "Content-Length: 1000\r\n\r\n{\"items\":[");
            return after::reset;
        case fault::close_mid_body:
            send_all(fd, ok_head + "Content-Length: 1000\r\n\r\n{\"items\":[");
            return after::close;
        case fault::chunk_bad_size:
            send_all(fd, ok_head + "Transfer-Encoding: chunked\r\n\r\n9\r\n{\"items\":\r\nzz\r\n[]}\r\n0\r\n\r\n");
            return after::close;
        case fault::chunk_missing_crlf:
            send_all(fd, ok_head + "Transfer-Encoding: chunked\r\n\r\n9\r\n{\"items\":XX3\r\n[]}\r\n0\r\n\r\n");
            return after::close;
        case fault::chunk_too_long:
            send_all(fd, ok_head + "Transfer-Encoding: chunked\r\n\r\n9\r\n{\"items\":[]}\r\n0\r\n\r\n");
            return after::close;
        case fault::json_invalid: return send_then(answer(200, "{not json"), after::keep);
        case fault::json_truncated:
            return send_then(answer(200, R"({"token":")" + std::string(fault_server_auth_token()) + R"(","rec)"),
                             after::keep);
        case fault::json_array: return send_then(answer(200, "[1,2,3]"), after::keep);
        case fault::json_string: return send_then(answer(200, "\"just a string\""), after::keep);
        case fault::json_number: return send_then(answer(200, "42"), after::keep);
        case fault::html_ok:
            return send_then(answer(200, "<html><body>Welcome to nginx!</body></html>", "text/html"), after::keep);
        case fault::long_json_string:
            return send_then(answer(200, R"({"items":[],"page":1,"s":")" + std::string(512 * 1024, 'a') + "\"}"),
                             after::keep);
        case fault::json_number_overflow:
            return send_then(answer(200, auth_body(std::string("\"") + fault_server_auth_token() + "\"",
                                                   R"({"id":"r1","collectionName":"users","big":1e999999,)"
                                                   R"("huge":123456789012345678901234567890,"tiny":-1e-999999})")),
                             after::keep);
        case fault::json_duplicate_keys:
            return send_then(answer(200, R"({"token":"first-token-value","record":)" + user_record() +
                                             R"(,"token":")" + fault_server_auth_token() + "\"}"),
                             after::keep);
        case fault::auth_without_token: return send_then(answer(200, R"({"record":)" + user_record() + "}"), after::keep);
        case fault::auth_without_record:
            return send_then(answer(200, std::string(R"({"token":")") + fault_server_auth_token() + "\"}"), after::keep);
        case fault::auth_token_crlf:
            return send_then(answer(200, auth_body(R"("abc\r\nX-Injected: 1")", user_record())), after::keep);
        case fault::auth_token_nul:
            return send_then(answer(200, auth_body(R"("abc\u0000def")", user_record())), after::keep);
        case fault::auth_deep_record:
            return send_then(answer(200, auth_body(std::string("\"") + fault_server_auth_token() + "\"",
                                                   R"({"id":"r1","x":)" + nested(100000) + "}")),
                             after::keep);
        case fault::error_deep_body: return send_then(answer(400, nested(100000)), after::keep);
        case fault::huge_header_line:
            send_all(fd, ok_head + "X-Huge: " + std::string(std::size_t(16) << 20, 'h') +
                             "\r\nContent-Length: 2\r\n\r\n{}");
            return after::close;
        case fault::many_header_lines: {
            std::string head = ok_head;
            for (int i = 0; i < 100000; ++i) head += "X-H" + std::to_string(i) + ": v\r\n";
            send_all(fd, head + "Content-Length: 2\r\n\r\n{}");
            return after::close;
        }
        case fault::long_status_line:
            send_all(fd, "HTTP/1.1 200 " + std::string(100 * 1024, 'A') + "\r\nContent-Length: 2\r\n\r\n{}");
            return after::close;
        case fault::huge_body: {
            const std::size_t total = std::size_t(512) << 20;
            if (!send_all(fd, ok_head + "Content-Length: " + std::to_string(total) + "\r\n\r\n")) return after::close;
            const std::string block(256 * 1024, ' ');
            for (std::size_t sent = 0; sent < total && !stopping_; sent += block.size()) {
                if (!send_all(fd, block)) break;
            }
            return after::close;
        }
        case fault::gzip_bomb: {
            const std::string& bomb = gzip_bomb_bytes();
            send_all(fd, ok_head + "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb.size()) +
                             "\r\n\r\n" + bomb);
            return after::close;
        }
        case fault::drip_body:
            if (send_all(fd, ok_head + "Content-Length: 100\r\n\r\n")) drip(fd, std::string(100, ' '));
            return after::close;
        case fault::drip_headers: drip(fd, normal_answer(req)); return after::close;
        case fault::slow_reader: return after::close;  // handled before the request is read
        case fault::keep_alive_then_close: send_all(fd, normal_answer(req)); return after::close;
        case fault::no_content_length_smuggle:
            return send_then("HTTP/1.1 204 No Content\r\n" + declared_length() + "Connection: keep-alive\r\n\r\n",
                             after::keep);
        case fault::no_content_chunked_smuggle:
            return send_then("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n",
                             after::keep);
        case fault::not_modified_length_smuggle:
            return send_then("HTTP/1.1 304 Not Modified\r\n" + declared_length() + "Connection: keep-alive\r\n\r\n",
                             after::keep);
        case fault::early_hints_length_smuggle:
            return send_then("HTTP/1.1 103 Early Hints\r\n" + declared_length() + "Connection: keep-alive\r\n\r\n",
                             after::keep);
        case fault::length_and_chunked_smuggle:
            // Framed as chunked (a whole body), with a Content-Length that says more follows.
            return send_then(ok_head + "Content-Length: " + std::to_string(13 + smuggled_answer().size()) +
                                 "\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
                                 "2\r\n{}\r\n0\r\n\r\n",
                             after::keep);
        case fault::no_content_then_junk:
            return send_then("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n" + std::string(16 << 10, 'j'),
                             after::keep);
        case fault::head_with_body: {
            const std::string body(16 << 10, 'b');
            return send_then(ok_head + "Content-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: keep-alive\r\n\r\n" + body,
                             after::keep);
        }
        case fault::short_body_held:
            if (send_all(fd, ok_head + "Content-Length: 1000\r\nConnection: keep-alive\r\n\r\n{\"items\":")) {
                wait_until_gone(fd, true);
            }
            return after::close;
        case fault::long_body_held:
            // One write under 64 KiB: the surplus is on the client's socket with the last announced byte.
            return send_then("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 20000\r\n"
                             "Connection: keep-alive\r\n\r\n" + std::string(50000, 'z'),
                             after::keep);
        case fault::drip_headers_then_close:
            drip(fd, "HTTP/1.1 200 OK\r\nX-A");  // 20 bytes
            return after::close;
        case fault::long_body_then_close:
            // cpp-httplib closes its socket once it has read the announced bytes, before the call returns.
            send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 20000\r\n"
                         "Connection: close\r\n\r\n" + std::string(50000, 'z'));
            return after::close;
        case fault::lengths_disagree:
            send_all(fd, ok_head + "Content-Length: 2\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{}");
            return after::close;
        case fault::event_stream_silent:
            if (send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                             "Connection: close\r\n\r\n")) {
                wait_until_gone(fd, true);
            }
            return after::close;
        case fault::realtime_retry_zero:
            if (req.method == "GET" && req.target.rfind("/api/realtime", 0) == 0) {
                send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                             "retry: 0\n\nid:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n");
                return after::close;
            }
            return send_then(normal_answer(req), after::keep);
        case fault::list_page_of_one:
            return send_then(answer(200, R"({"items":[{"id":"r1"}],"page":1,"perPage":1,"totalItems":-1,"totalPages":-1})"),
                             after::keep);
        case fault::close_on_next_request:
            // The race every pooled client meets: the server drops an idle connection just
            // as the next request goes out on it.
            if (send_all(fd, normal_answer(req)) && (!pending.empty() || wait_for_data(fd))) {
                std::lock_guard<std::mutex> lock(mutex_);
                targets_.push_back("(dropped request)");
            }
            return after::reset;
        case fault::echo_secrets: {
            const std::string echoed = json_escape(req.body + " auth=" + req.authorization);
            return send_then(answer(400, R"({"data":{"token":{"code":"invalid","message":"got )" + echoed +
                                             R"("}},"message":"Rejected )" + echoed + R"(","status":400})"),
                             after::keep);
        }
        case fault::location_with_secret:
            return send_then(answer(302, "", "application/json",
                                    "Location: " + url() + "/login/" + percent_encode(req.body) +
                                        "?auth=" + percent_encode(req.authorization) + "\r\n"),
                             after::keep);
        }
        return after::close;
    }

    void close_all() {
        if (listen_fd_ >= 0) ::close(listen_fd_);
        if (wake_[0] >= 0) ::close(wake_[0]);
        if (wake_[1] >= 0) ::close(wake_[1]);
        listen_fd_ = wake_[0] = wake_[1] = -1;
    }

    options options_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    mutable std::mutex mutex_;
    mutable std::condition_variable arrived_;
    std::deque<fault> queue_;
    std::set<int> open_fds_;
    std::vector<std::thread> threads_;
    std::vector<std::string> targets_;
    std::thread accept_thread_;
};

}  // namespace bosbase_test
