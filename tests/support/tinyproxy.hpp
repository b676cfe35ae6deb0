// tinyproxy (Debian's, installed by scripts/install_deps.sh) in the foreground on a free loopback
// port with a configuration of its own, for the tests that go through a real HTTP proxy
// (tests/transport/proxy_test.cpp, tests/integration/pubsub_real_test.cpp). POSIX only.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bosbase_test {

// A port that was free a moment ago: tinyproxy takes its port from its configuration.
inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

inline std::string tinyproxy_binary() {
    for (const char* p : {"/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"}) {
        if (::access(p, X_OK) == 0) return p;
    }
    FAIL("tinyproxy is not installed (bash scripts/install_deps.sh installs it)");
    return {};
}

// tinyproxy in the foreground with a configuration of its own; stopped and reaped on destruction.
class tinyproxy {
public:
    explicit tinyproxy(const std::string& basic_auth = {}) {
        char dir[] = "/tmp/bosbase-proxy-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        const std::string binary = tinyproxy_binary();
        // A port taken by someone else between free_port() and tinyproxy's bind makes it exit:
        // then another port, a bounded number of times.
        for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
            port_ = free_port();
            std::ofstream(dir_ + "/tinyproxy.conf") << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 60\n"
                                                      << "LogFile \"" << dir_ << "/tinyproxy.log\"\nLogLevel Connect\n"
                                                      << "MaxClients 50\nAllow 127.0.0.1\n"
                                                      << (basic_auth.empty() ? "" : "BasicAuth " + basic_auth + "\n");
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                // Ends with the test program however that ends, so no proxy outlives a crashed run.
                ::prctl(PR_SET_PDEATHSIG, SIGTERM);
                const std::string conf = dir_ + "/tinyproxy.conf";
                ::execl(binary.c_str(), "tinyproxy", "-d", "-c", conf.c_str(), static_cast<char*>(nullptr));
                ::_exit(127);
            }
            // Ready once it accepts; gone if it could not bind. Polled, bounded at 10 s.
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (std::chrono::steady_clock::now() < until) {
                if (accepts_connections(port_)) {
                    pid_ = pid;
                    break;
                }
                int status = 0;
                if (::waitpid(pid, &status, WNOHANG) == pid) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (pid_ <= 0) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, nullptr, 0);
            }
        }
        const std::string why = "tinyproxy did not start: " + log();
        REQUIRE_MESSAGE(pid_ > 0, why);
    }
    ~tinyproxy() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    tinyproxy(const tinyproxy&) = delete;
    tinyproxy& operator=(const tinyproxy&) = delete;

    int port() const { return port_; }
    std::string log() const {
        std::ifstream in(dir_ + "/tinyproxy.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace bosbase_test
