// A canned BosBase server on 127.0.0.1 for the benchmarks. It answers from
// memory so that what the clients are measured against costs the same for all
// of them, and it counts the connections each client opens.
//
// Single-threaded poll() loop: one client process at a time talks to it, and a
// second thread would only add scheduling noise to the core the server owns.
//
// Routes (the query string is ignored, since peers add their own parameters):
//   POST /api/collections/users/auth-with-token     200 {"record":{...},"token":"<224-char JWT>"}
//   POST /api/collections/users/auth-with-password  the same (peers without token sign-in)
//   GET  /api/collections/posts/records             200 {"items":[30 records],"page":1,...}
//   GET  /__bench/stats   {"accepts":N,"requests":N} since the last call, then resets;
//                         its own connection is not counted
//   anything else         404 with the server's error envelope
//
// Bodies are what Go's encoding/json writes for PocketBase records: keys in
// sorted order, no spaces, a trailing newline. Like Go's net/http, a body larger
// than 2048 bytes goes out chunked (one chunk, then the terminator).
//
//   bench_canned_server [port]     prints "READY <port>" once it accepts connections
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* jwt =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJleHAiOjQxMDI0NDQ4MDAsImlkIjoiaGNycGFjZDg0d2Z1NHhvIiwicmVmcmVz"
    "aGFibGUiOnRydWUsInR5cGUiOiJhdXRoIn0."
    "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY";
static_assert(std::char_traits<char>::length(jwt) == 224, "the real server's user tokens are 224 characters");

std::string auth_body() {
    return std::string("{\"record\":{\"avatar\":\"\",\"collectionId\":\"_pb_users_auth_\",\"collectionName\":\"users\","
                       "\"created\":\"2026-11-28 07:54:19.150Z\",\"email\":\"user@example.com\",\"emailVisibility\":false,"
                       "\"id\":\"hcrpacd84wfu4xo\",\"name\":\"\",\"updated\":\"2026-11-28 07:54:19.150Z\","
                       "\"verified\":true},\"token\":\"") +
           jwt + "\"}\n";
}

std::string list_body() {
    static const char* const words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
                                        "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "magna"};
    std::string items;
    for (int i = 0; i < 30; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "p%014d", 4000 + i * 37);
        std::string content;
        for (int w = 0; w < 24 + i % 7; ++w) {
            content += (w ? " " : "");
            content += words[(i * 7 + w * 3) % 16];
        }
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "2026-11-%02d 0%d:%02d:19.%03dZ", 1 + i % 28, i % 10, (i * 13) % 60,
                      (i * 101) % 1000);
        items += (i ? "," : "");
        items += std::string("{\"author\":\"hcrpacd84wfu4xo\",\"collectionId\":\"pbc_1125843985\","
                             "\"collectionName\":\"posts\",\"content\":\"") +
                 content + "\",\"created\":\"" + stamp + "\",\"id\":\"" + id + "\",\"published\":" +
                 (i % 3 ? "true" : "false") + ",\"tags\":[\"" + words[i % 16] + "\",\"" + words[(i + 5) % 16] +
                 "\"],\"title\":\"Post number " + std::to_string(i + 1) + "\",\"updated\":\"" + stamp +
                 "\",\"views\":" + std::to_string(i * 1234 % 9973) + "}";
    }
    return "{\"items\":[" + items + "],\"page\":1,\"perPage\":30,\"totalItems\":1234,\"totalPages\":42}\n";
}

const std::string not_found_body =
    "{\"data\":{},\"message\":\"The requested resource wasn't found.\",\"status\":404}\n";

std::string http_date() {
    char buf[64];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// Go's net/http plus PocketBase's default security and CORS middleware headers.
std::string response(int status, const std::string& body) {
    std::string out = status == 200 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n";
    out += "Content-Type: application/json\r\nDate: " + http_date() +
           "\r\nVary: Origin\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: SAMEORIGIN\r\n"
           "X-Xss-Protection: 1; mode=block\r\n";
    if (body.size() > 2048) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx", body.size());
        out += "Transfer-Encoding: chunked\r\n\r\n";
        out += size;
        out += "\r\n" + body + "\r\n0\r\n\r\n";
    } else {
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    return out;
}

bool iequal_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char a = static_cast<char>(line[i] | 0x20);
        const char b = static_cast<char>(name[i] | 0x20);
        if (a != b) return false;
    }
    return true;
}

struct connection {
    int fd = -1;
    std::string in;
    std::string out;
    bool counted = false;  // first request seen: a client connection, not the driver's stats call
    bool close_after_write = false;
};

struct server_state {
    unsigned long accepts = 0;
    unsigned long requests = 0;
    std::string auth = auth_body();
    std::string list = list_body();
};

// Returns false when the request is malformed or unsupported; the connection is then dropped.
bool handle_requests(connection& c, server_state& s) {
    for (;;) {
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) return c.in.size() < 64 * 1024;
        const std::string_view head(c.in.data(), end);
        const auto line_end = head.find("\r\n");
        const std::string_view request_line = head.substr(0, line_end);
        const auto sp1 = request_line.find(' ');
        const auto sp2 = request_line.find(' ', sp1 + 1);
        if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return false;
        const std::string_view method = request_line.substr(0, sp1);
        std::string_view path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        path = path.substr(0, path.find('?'));
        const bool http10 = request_line.substr(sp2 + 1) == "HTTP/1.0";

        std::size_t content_length = 0;
        bool close = http10;
        std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            auto next = head.find("\r\n", pos);
            if (next == std::string_view::npos) next = head.size();
            const std::string_view line = head.substr(pos, next - pos);
            if (iequal_prefix(line, "content-length:")) {
                content_length = std::strtoul(std::string(line.substr(15)).c_str(), nullptr, 10);
            } else if (iequal_prefix(line, "transfer-encoding:")) {
                return false;  // no client here sends chunked requests
            } else if (iequal_prefix(line, "connection:")) {
                const std::string_view v = line.substr(11);
                if (v.find("close") != std::string_view::npos || v.find("Close") != std::string_view::npos) close = true;
                if (v.find("keep-alive") != std::string_view::npos || v.find("Keep-Alive") != std::string_view::npos)
                    close = false;
            }
            pos = next + 2;
        }
        if (c.in.size() < end + 4 + content_length) return true;  // body not complete yet

        const bool is_stats = path == "/__bench/stats";
        if (!c.counted) {
            c.counted = true;
            if (!is_stats) ++s.accepts;
        }
        if (is_stats) {
            c.out += response(200, "{\"accepts\":" + std::to_string(s.accepts) +
                                        ",\"requests\":" + std::to_string(s.requests) + "}\n");
            s.accepts = 0;
            s.requests = 0;
        } else {
            ++s.requests;
            if (method == "POST" && (path == "/api/collections/users/auth-with-token" ||
                                     path == "/api/collections/users/auth-with-password")) {
                c.out += response(200, s.auth);
            } else if (method == "GET" && path == "/api/collections/posts/records") {
                c.out += response(200, s.list);
            } else {
                c.out += response(404, not_found_body);
            }
        }
        c.in.erase(0, end + 4 + content_length);
        if (close) {
            c.close_after_write = true;
            c.in.clear();
            return true;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    const int port = argc > 1 ? std::atoi(argv[1]) : 0;

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 512) != 0) {
        std::perror("bench_canned_server: bind/listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    std::printf("READY %d\n", ntohs(addr.sin_port));
    std::fflush(stdout);

    server_state state;
    std::vector<connection> conns;
    std::vector<pollfd> fds;
    char buf[64 * 1024];
    for (;;) {
        fds.clear();
        fds.push_back({listener, POLLIN, 0});
        for (const auto& c : conns) {
            fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
        }
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            std::perror("bench_canned_server: poll");
            return 1;
        }
        std::vector<bool> drop(conns.size(), false);
        for (std::size_t i = 0; i < conns.size(); ++i) {
            auto& c = conns[i];
            const short ev = fds[i + 1].revents;
            if (ev == 0) continue;
            if (ev & POLLOUT) {
                const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    drop[i] = true;
                    continue;
                }
                if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
                if (c.out.empty() && c.close_after_write) drop[i] = true;
                continue;
            }
            if (ev & (POLLIN | POLLHUP | POLLERR)) {
                const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                    drop[i] = true;
                    continue;
                }
                c.in.append(buf, static_cast<std::size_t>(n));
                if (!handle_requests(c, state)) {
                    drop[i] = true;
                    continue;
                }
                // Answer at once instead of waiting a poll round: the usual case is one short write.
                if (!c.out.empty()) {
                    const ssize_t w = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                    if (w > 0) c.out.erase(0, static_cast<std::size_t>(w));
                    if (c.out.empty() && c.close_after_write) drop[i] = true;
                }
            }
        }
        for (std::size_t i = conns.size(); i-- > 0;) {
            if (drop[i]) {
                close(conns[i].fd);
                conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        if (fds[0].revents & POLLIN) {
            const int fd = accept(listener, nullptr, nullptr);
            if (fd >= 0) {
                // Go's net/http sets TCP_NODELAY on every accepted connection.
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                connection c;
                c.fd = fd;
                conns.push_back(std::move(c));
            }
        }
    }
}
