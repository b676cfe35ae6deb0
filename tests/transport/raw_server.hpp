// A TCP server on 127.0.0.1 that hands each accepted connection to a test's own
// code, for responses no HTTP library would send: dripped bytes, interim 1xx
// responses, bodies larger than any buffer.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bosbase_test {

class raw_connection {
public:
    raw_connection(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

    bool stopping() const { return stopping_; }

    // Reads one request (headers and a Content-Length body); false when the peer
    // closed, the server is stopping or nothing came for `patience`.
    bool read_request(std::string* head = nullptr,
                      std::chrono::milliseconds patience = std::chrono::milliseconds(10000)) {
        const auto until = std::chrono::steady_clock::now() + patience;
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill(until)) return false;
        }
        std::string headers = buffer_.substr(0, end + 4);
        std::size_t length = 0;
        const auto cl = lower(headers).find("\r\ncontent-length:");
        if (cl != std::string::npos) length = std::stoul(headers.substr(cl + 17));
        while (buffer_.size() < end + 4 + length) {
            if (!fill(until)) return false;
        }
        buffer_.erase(0, end + 4 + length);
        if (head) *head = std::move(headers);
        return true;
    }

    bool write(const std::string& data) { return write(data.data(), data.size()); }

    bool write(const char* data, std::size_t size) {
        while (size > 0) {
            const auto n = ::send(fd_, data, size, MSG_NOSIGNAL);
            if (n <= 0) return false;
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }

    // Sends `data` one byte every `gap` (the rate is the behaviour under test);
    // stops early when the client goes away or the server stops.
    bool drip(const std::string& data, std::chrono::milliseconds gap) {
        for (char c : data) {
            if (stopping() || !write(&c, 1)) return false;
            std::this_thread::sleep_for(gap);
        }
        return true;
    }

    // Blocks until the client closes the connection or the server stops.
    void wait_for_close() {
        char buf[4096];
        while (!stopping()) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0 && ::recv(fd_, buf, sizeof buf, 0) <= 0) return;
        }
    }

private:
    static std::string lower(std::string s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    bool fill(std::chrono::steady_clock::time_point until) {
        while (!stopping() && std::chrono::steady_clock::now() < until) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[16384];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return false;
            buffer_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        return false;
    }

    int fd_;
    const std::atomic<bool>& stopping_;
    std::string buffer_;
};

class raw_server {
public:
    using handler = std::function<void(raw_connection&)>;

    // backlog_only: listen but never accept (connections queue up in the kernel).
    explicit raw_server(handler h, bool backlog_only = false) : handler_(std::move(h)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (listener_ < 0) throw std::runtime_error("raw_server: socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::listen(listener_, backlog_only ? 0 : 64) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(listener_);
            throw std::runtime_error("raw_server: bind/listen");
        }
        port_ = ntohs(addr.sin_port);
        if (!backlog_only) accept_thread_ = std::thread([this] { accept_loop(); });
    }

    raw_server(const raw_server&) = delete;
    raw_server& operator=(const raw_server&) = delete;

    ~raw_server() {
        stopping_ = true;
        if (accept_thread_.joinable()) accept_thread_.join();
        std::vector<std::thread> workers;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            workers.swap(workers_);
        }
        for (auto& t : workers) t.join();
        ::close(listener_);
    }

    int port() const { return port_; }
    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int accepted() const { return accepted_; }

private:
    void accept_loop() {
        while (!stopping_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) continue;
            ++accepted_;
            std::lock_guard<std::mutex> lock(mutex_);
            workers_.emplace_back([this, fd] {
                raw_connection conn(fd, stopping_);
                handler_(conn);
                ::close(fd);
            });
        }
    }

    handler handler_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    std::thread accept_thread_;
    std::mutex mutex_;
    std::vector<std::thread> workers_;
};

}  // namespace bosbase_test
