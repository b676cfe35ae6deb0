// Starts a fresh bosbase-dev-server (tests/server) for one test: a new data
// folder, a free loopback port, and a process that dies with the test.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace bosbase_test {

struct dev_accounts {
    static constexpr const char* user_email = "user@example.com";
    static constexpr const char* user_password = "user-password";
    static constexpr const char* other_email = "other@example.com";
    static constexpr const char* other_password = "other-password";
    static constexpr const char* admin_email = "admin@example.com";
    static constexpr const char* admin_password = "admin-password";
};

class dev_server {
public:
    // How long startup may take before the harness gives up: a bound, not a wait.
    static constexpr int startup_limit_ms = 60000;

    explicit dev_server(const std::string& binary = BOSBASE_DEV_SERVER_PATH) {
        char pattern[] = "/tmp/bosbase-it-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("dev_server: mkdtemp failed");
        root_ = pattern;
        data_dir_ = root_ + "/data";
        log_path_ = root_ + "/server.log";
        binary_ = binary;
        spawn(binary);
        url_ = wait_ready();
    }

    dev_server(const dev_server&) = delete;
    dev_server& operator=(const dev_server&) = delete;

    ~dev_server() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }

    const std::string& url() const { return url_; }
    const std::string& data_dir() const { return data_dir_; }
    const std::string& log_path() const { return log_path_; }

    // Stops the server and starts it again on the same data folder and port, so
    // clients see a server that went away and came back (realtime reconnects).
    void restart() {
        stop();
        http_addr_ = url_.substr(url_.find("://") + 3);
        spawn(binary_);
        const std::string again = wait_ready();
        if (again != url_) fail("restarted on " + again + " instead of " + url_);
    }

    void stop() {
        if (pid_ <= 0) return;
        if (stdin_fd_ >= 0) ::close(stdin_fd_);  // --exit-on-stdin-eof: the polite way
        stdin_fd_ = -1;
        ::kill(pid_, SIGTERM);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        if (stdout_fd_ >= 0) ::close(stdout_fd_);
        stdout_fd_ = -1;
    }

private:
    void spawn(const std::string& binary) {
        int in_pipe[2];
        int out_pipe[2];
        if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) throw std::runtime_error("dev_server: pipe failed");
        const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (log_fd < 0) throw std::runtime_error("dev_server: cannot create " + log_path_);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
        posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
        posix_spawn_file_actions_addclose(&actions, in_pipe[1]);
        posix_spawn_file_actions_addclose(&actions, out_pipe[0]);

        std::vector<std::string> args = {binary, "--dir", data_dir_, "--http", http_addr_, "--exit-on-stdin-eof"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        const int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in_pipe[0]);
        ::close(out_pipe[1]);
        ::close(log_fd);
        stdin_fd_ = in_pipe[1];
        stdout_fd_ = out_pipe[0];
        if (rc != 0) {
            pid_ = -1;
            ::close(stdin_fd_);
            ::close(stdout_fd_);
            stdin_fd_ = stdout_fd_ = -1;
            throw std::runtime_error("dev_server: cannot start " + binary + ": " + std::strerror(rc) +
                                     " (build it with scripts/build_dev_server.sh)");
        }
    }

    // Reads the one READY line; the server prints it once it accepts connections.
    std::string wait_ready() {
        std::string line;
        char ch = 0;
        while (true) {
            pollfd pfd{stdout_fd_, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, startup_limit_ms);
            if (ready <= 0) fail("no READY line within " + std::to_string(startup_limit_ms) + " ms");
            const auto n = ::read(stdout_fd_, &ch, 1);
            if (n <= 0) fail("the server exited during startup");
            if (ch == '\n') break;
            line += ch;
        }
        const std::string prefix = "READY ";
        if (line.rfind(prefix, 0) != 0) fail("unexpected first line '" + line + "'");
        return line.substr(prefix.size());
    }

    [[noreturn]] void fail(const std::string& why) {
        stop();
        throw std::runtime_error("dev_server: " + why + " (port: chosen by the server on 127.0.0.1; log: " +
                                 log_path_ + ")");
    }

    std::string root_;
    std::string data_dir_;
    std::string log_path_;
    std::string url_;
    std::string binary_;
    std::string http_addr_ = "127.0.0.1:0";
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
};

}  // namespace bosbase_test
