// A misbehaving /api/pubsub on 127.0.0.1 for fault tests: raw POSIX sockets, so it can
// send what no WebSocket library would (frames over any cap, a frame cut off, binary
// frames, garbage). One misbehaviour per server; the handshake borrows cpp-httplib's
// accept-key helper (0.33.0 on), so this header is only for WebSocket-capable builds.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase_test {

class ws_fault_server {
public:
    enum class mode {
        never_ready,        // upgrade, then silence
        never_ack,          // ready, then no answer to anything
        wrong_ack,          // every answer carries another requestId
        flood,              // after the subscribe's ack, 20000 messages as fast as the socket takes them
        oversize,           // after the subscribe's ack, one 300 KiB text frame, then a small message
        binary_and_garbage, // after the subscribe's ack: a binary frame, non-JSON text, then a real message
        cut_mid_frame,      // ready, then half a frame and close
        close_after_ready,  // ready, then close: every connection
        split_header,       // every frame as its first byte, 100 ms of nothing, then the rest
        split_every_byte,   // every frame a byte at a time, 1 ms apart
        ping_flood,         // after the subscribe's ack, 100000 pings (each answered), then a message
        continuation,       // after the subscribe's ack, a message in three frames with a ping between them
        refuse,             // the upgrade answered with refuse_status and a JSON body
        bad_accept,         // 101 with a Sec-WebSocket-Accept for another key
        silent_upgrade,     // reads the upgrade request, never answers
    };

    explicit ws_fault_server(mode m, int refuse_status = 0) : mode_(m), refuse_status_(refuse_status) {
        listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listen_, 16) != 0) {
            throw std::runtime_error("ws_fault_server: cannot listen");
        }
        socklen_t len = sizeof(addr);
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~ws_fault_server() {
        stop_ = true;
        ::shutdown(listen_, SHUT_RDWR);
        ::close(listen_);
        acceptor_.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
            threads.swap(threads_);
        }
        for (auto& t : threads) t.join();
        for (int fd : fds_) ::close(fd);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string ws_url(const std::string& path = "/api/pubsub") const {
        return "ws://127.0.0.1:" + std::to_string(port_) + path;
    }
    int connections() const { return connections_.load(); }
    int pongs() const { return pongs_.load(); }
    // The upgrade requests' heads, as received.
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    static std::string refusal_body(int status) {
        return R"({"status":)" + std::to_string(status) + R"(,"message":"Refused by the fault server.","data":{}})";
    }

private:
    void accept_loop() {
        while (!stop_) {
            const int fd = ::accept(listen_, nullptr, nullptr);
            if (fd < 0) {
                if (stop_) return;
                continue;
            }
            std::lock_guard<std::mutex> lock(mutex_);
            fds_.push_back(fd);
            threads_.emplace_back([this, fd] { serve(fd); });
        }
    }

    static bool read_exact(int fd, char* out, std::size_t n) {
        while (n > 0) {
            const auto got = ::recv(fd, out, n, 0);
            if (got <= 0) return false;
            out += got;
            n -= static_cast<std::size_t>(got);
        }
        return true;
    }

    static bool write_all(int fd, const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto put = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (put <= 0) return false;
            done += static_cast<std::size_t>(put);
        }
        return true;
    }

    static std::string frame(int opcode, const std::string& payload) {
        std::string out(1, static_cast<char>(0x80 | opcode));
        const std::uint64_t n = payload.size();
        if (n < 126) {
            out += static_cast<char>(n);
        } else if (n < 65536) {
            out += static_cast<char>(126);
            out += static_cast<char>(n >> 8);
            out += static_cast<char>(n & 0xff);
        } else {
            out += static_cast<char>(127);
            for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
        }
        return out + payload;
    }

    // One client frame (masked), as JSON; null when it was not JSON. False when the socket ended.
    static bool read_request(int fd, nlohmann::json& out, std::atomic<int>* pongs = nullptr) {
        unsigned char h[2];
        if (!read_exact(fd, reinterpret_cast<char*>(h), 2)) return false;
        std::uint64_t n = h[1] & 0x7f;
        if (n == 126 || n == 127) {
            unsigned char ext[8];
            const std::size_t len = n == 126 ? 2 : 8;
            if (!read_exact(fd, reinterpret_cast<char*>(ext), len)) return false;
            n = 0;
            for (std::size_t i = 0; i < len; ++i) n = (n << 8) | ext[i];
        }
        unsigned char mask[4] = {0, 0, 0, 0};
        if ((h[1] & 0x80) && !read_exact(fd, reinterpret_cast<char*>(mask), 4)) return false;
        std::string payload(static_cast<std::size_t>(n), '\0');
        if (n > 0 && !read_exact(fd, &payload[0], payload.size())) return false;
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
        const int opcode = h[0] & 0x0f;
        if (opcode == 0x8) return false;  // close
        if (opcode == 0xA && pongs) ++*pongs;
        out = nlohmann::json::parse(payload, nullptr, false);
        if (out.is_discarded()) out = nullptr;
        return true;
    }

    bool handshake(int fd) {
        std::string head;
        char c;
        while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
            if (::recv(fd, &c, 1, 0) != 1) return false;
            head += c;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(head);
        }
        if (mode_ == mode::silent_upgrade) return false;
        if (mode_ == mode::refuse) {  // any request, a plain GET too
            const std::string body = refusal_body(refuse_status_);
            write_all(fd, "HTTP/1.1 " + std::to_string(refuse_status_) +
                              " Refused\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
            return false;
        }
        const std::string name = "Sec-WebSocket-Key: ";
        const auto at = head.find(name);
        if (at == std::string::npos) return false;
        const auto end = head.find("\r\n", at);
        const std::string key = head.substr(at + name.size(), end - at - name.size());
        return write_all(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: " +
                                 bosbase::detail::websocket_accept_for(mode_ == mode::bad_accept ? key + "x" : key) +
                                 "\r\n\r\n");
    }

    static std::string text(const nlohmann::json& j) { return frame(0x1, j.dump()); }

    // Writes whole frames, split as the mode asks. The pauses are the fault itself: TCP
    // (with Nagle off) hands the client the pieces in separate reads.
    bool send_frames(int fd, std::mutex& write, const std::string& frames) {
        std::lock_guard<std::mutex> lock(write);
        if (mode_ == mode::split_every_byte) {
            for (char c : frames) {
                if (!write_all(fd, std::string(1, c))) return false;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            return true;
        }
        if (mode_ == mode::split_header) {
            // Each frame apart: the client must put every header back together.
            std::size_t at = 0;
            while (at < frames.size()) {
                const std::size_t size = frame_size(frames, at);
                if (!write_all(fd, frames.substr(at, 1))) return false;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                if (!write_all(fd, frames.substr(at + 1, size - 1))) return false;
                at += size;
            }
            return true;
        }
        return write_all(fd, frames);
    }

    // The size of the (unmasked) frame at `at`.
    static std::size_t frame_size(const std::string& bytes, std::size_t at) {
        std::uint64_t n = static_cast<unsigned char>(bytes[at + 1]) & 0x7f;
        std::size_t header = 2;
        if (n >= 126) {
            const std::size_t len = n == 126 ? 2 : 8;
            n = 0;
            for (std::size_t i = 0; i < len; ++i) n = (n << 8) | static_cast<unsigned char>(bytes[at + 2 + i]);
            header += len;
        }
        return header + static_cast<std::size_t>(n);
    }

    void serve(int fd) {
        ++connections_;
        if (!handshake(fd)) return;
        if (mode_ == mode::split_header || mode_ == mode::split_every_byte) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        std::mutex write;  // the flood's writer and this thread's answers
        std::thread writer;
        struct join_writer {
            std::thread& t;
            ~join_writer() {
                if (t.joinable()) t.join();
            }
        } joined{writer};
        if (mode_ != mode::never_ready && !send_frames(fd, write, text({{"type", "ready"}, {"clientId", "fault"}}))) {
            return;
        }
        if (mode_ == mode::close_after_ready) {
            ::shutdown(fd, SHUT_RDWR);
            return;
        }
        if (mode_ == mode::cut_mid_frame) {
            write_all(fd, frame(0x1, std::string(100, 'x')).substr(0, 12));
            ::shutdown(fd, SHUT_RDWR);
            return;
        }
        nlohmann::json req;
        while (!stop_ && read_request(fd, req, &pongs_)) {
            if (!req.is_object() || mode_ == mode::never_ready || mode_ == mode::never_ack) continue;
            const std::string type = req.value("type", "");
            std::string id = req.value("requestId", "");
            if (mode_ == mode::wrong_ack) id = "not-" + id;
            const std::string answer = type == "subscribe" ? "subscribed"
                                       : type == "publish" ? "published"
                                       : type == "ping"    ? "pong"
                                                           : "unsubscribed";
            if (!send_frames(fd, write, text({{"type", answer}, {"requestId", id}, {"id", "p"}, {"created", "c"}}))) {
                return;
            }
            if (type != "subscribe") continue;
            const std::string topic = req.value("topic", "");
            // Each its own id, as the server's: the SDK delivers an id once.
            auto message = [topic](const nlohmann::json& data, const std::string& created) {
                return text(
                    {{"type", "message"}, {"id", "m-" + created}, {"topic", topic}, {"data", data}, {"created", created}});
            };
            if (mode_ == mode::flood) {
                std::string burst;
                for (int i = 0; i < 20000 && !stop_; ++i) {
                    burst += message(i, "c" + std::to_string(i));
                    if (burst.size() > 65536 && !write_all(fd, std::exchange(burst, {}))) return;
                }
                if (!write_all(fd, burst)) return;
            } else if (mode_ == mode::oversize) {
                if (!write_all(fd, message(std::string(300 << 10, 'o'), "big") + message("after", "c1"))) return;
            } else if (mode_ == mode::binary_and_garbage) {
                if (!write_all(fd, frame(0x2, "\x01\x02\x03") + frame(0x1, "{not json") + message("ok", "c1"))) return;
            } else if (mode_ == mode::continuation && !writer.joinable()) {
                const std::string payload = nlohmann::json{{"type", "message"}, {"id", "m"}, {"topic", topic},
                                                           {"data", "in three frames"}, {"created", "c1"}}
                                                .dump();
                const std::string bytes = fragment(0x1, payload.substr(0, 10), false) + frame(0x9, "between") +
                                          fragment(0x0, payload.substr(10, 10), false) +
                                          fragment(0x0, payload.substr(20), true);
                if (!write_all(fd, bytes)) return;
            } else if (mode_ == mode::ping_flood && !writer.joinable()) {
                // From a thread of its own: this one goes on reading the pongs, so neither side's
                // buffers fill up.
                writer = std::thread([this, fd, &write, last = message("after the pings", "c1")] {
                    const std::string ping = frame(0x9, "p");
                    std::string burst;
                    for (int i = 0; i < 100000 && !stop_; ++i) {
                        burst += ping;
                        if (burst.size() > 30000 && !send_frames(fd, write, std::exchange(burst, {}))) return;
                    }
                    send_frames(fd, write, burst + last);
                });
            }
        }
    }

    static std::string fragment(int opcode, const std::string& payload, bool fin) {
        std::string out = frame(opcode, payload);
        if (!fin) out[0] = static_cast<char>(out[0] & 0x7f);
        return out;
    }

    const mode mode_;
    const int refuse_status_;
    int listen_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> pongs_{0};
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::vector<int> fds_;
    std::vector<std::thread> threads_;
};

}  // namespace bosbase_test
