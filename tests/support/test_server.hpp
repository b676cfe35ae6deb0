// A fresh server for one integration test, of one of two kinds chosen at run time:
//
//   dev      (default) tests/server: PocketBase plus BosBase's token routes, on SQLite.
//            A new data folder and a free loopback port; the process dies with the test.
//   bosbase  (BOSBASE_TEST_SERVER=bosbase) the real BosBase server. scripts/bosbase_server.sh
//            starts a PostgreSQL cluster and seeds a template database and data folder; each
//            test_server copies both (CREATE DATABASE ... TEMPLATE, a folder copy) and runs
//            its own server process on them, on a free loopback port.
//
// Both are seeded alike: user@example.com and other@example.com in `users`,
// admin@example.com in `_superusers`, and the public base collection `posts`.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
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

enum class server_kind { dev, bosbase };

// The kind BOSBASE_TEST_SERVER asks for: unset or "dev", or "bosbase".
inline server_kind selected_server_kind() {
    const char* v = std::getenv("BOSBASE_TEST_SERVER");
    const std::string kind = v ? v : "";
    if (kind.empty() || kind == "dev") return server_kind::dev;
    if (kind == "bosbase") return server_kind::bosbase;
    throw std::runtime_error("BOSBASE_TEST_SERVER='" + kind + "': expected 'dev' or 'bosbase'");
}

inline std::string required_env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        throw std::runtime_error(std::string("BOSBASE_TEST_SERVER=bosbase needs ") + name +
                                 ": run the tests through scripts/test_real_bosbase.sh or "
                                 "scripts/bosbase_server.sh -- ctest ...");
    }
    return v;
}

// Runs a program (no shell) and returns its exit status; stdout and stderr go to *output.
inline int run_program(const std::vector<std::string>& args, std::string* output) {
    int out_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("run_program: pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        throw std::runtime_error("run_program: cannot start " + args[0] + ": " + std::strerror(rc));
    }
    std::string out;
    char buf[4096];
    for (;;) {
        const auto n = ::read(out_pipe[0], buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(out_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (output) *output = std::move(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A port nobody listens on right now. The real server takes its port as an argument, and
// the restart test needs the same port twice.
inline int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("free_loopback_port: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("free_loopback_port: bind failed");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

class test_server {
public:
    // How long startup may take before the harness gives up: a bound, not a wait.
    static constexpr int startup_limit_ms = 60000;

    test_server() : test_server(selected_server_kind(), "") {}

    // `binary` empty: the kind's own server (tests of the harness pass another).
    test_server(server_kind kind, const std::string& binary) : kind_(kind) {
        char pattern[] = "/tmp/bosbase-it-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("test_server: mkdtemp failed");
        root_ = pattern;
        data_dir_ = root_ + "/data";
        log_path_ = root_ + "/server.log";
        try {
            if (kind_ == server_kind::dev) {
#ifdef BOSBASE_DEV_SERVER_PATH
                binary_ = binary.empty() ? BOSBASE_DEV_SERVER_PATH : binary;
#else
                binary_ = binary;
#endif
                spawn_dev();
                url_ = wait_ready_dev();
            } else {
                binary_ = binary.empty() ? required_env("BOSBASE_SERVER_BIN") : binary;
                prepare_bosbase();
                port_ = free_loopback_port();
                url_ = "http://127.0.0.1:" + std::to_string(port_);
                spawn_bosbase();
                wait_ready_bosbase();
                warm_up_bosbase();
            }
        } catch (...) {
            cleanup();
            throw;
        }
    }

    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    ~test_server() { cleanup(); }

    server_kind kind() const { return kind_; }
    bool is_bosbase() const { return kind_ == server_kind::bosbase; }
    const std::string& url() const { return url_; }
    const std::string& data_dir() const { return data_dir_; }
    const std::string& log_path() const { return log_path_; }

    // Stops the server and starts it again on the same data and port, so clients see a
    // server that went away and came back (realtime reconnects).
    void restart() {
        stop();
        if (kind_ == server_kind::dev) {
            http_addr_ = url_.substr(url_.find("://") + 3);
            spawn_dev();
            const std::string again = wait_ready_dev();
            if (again != url_) fail("restarted on " + again + " instead of " + url_);
        } else {
            spawn_bosbase();
            wait_ready_bosbase();
        }
    }

    void stop() {
        if (pid_ <= 0) return;
        if (stdin_fd_ >= 0) ::close(stdin_fd_);  // dev: --exit-on-stdin-eof, the polite way
        stdin_fd_ = -1;
        ::kill(pid_, SIGTERM);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        // The reader thread sees end of file once the server is gone; then its fd may close.
        if (reader_.joinable()) reader_.join();
        if (stdout_fd_ >= 0) ::close(stdout_fd_);
        stdout_fd_ = -1;
    }

    // Runs SQL against the server's database and returns what it printed: one line per
    // row, columns separated by '|' (sqlite3 for the dev server, psql for BosBase).
    std::string query(const std::string& sql) const {
        std::string out;
        int rc = 0;
        if (kind_ == server_kind::dev) {
#ifdef BOSBASE_SQLITE3_PATH
            rc = run_program({BOSBASE_SQLITE3_PATH, "-readonly", data_dir_ + "/data.db", sql}, &out);
#else
            throw std::runtime_error("test_server::query: built without BOSBASE_SQLITE3_PATH");
#endif
        } else {
            rc = run_program({pg_bin_ + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db_url(), "-c", sql},
                             &out);
        }
        if (rc != 0) throw std::runtime_error("test_server::query '" + sql + "' failed: " + out);
        return out;
    }

    // The whole database as text (sqlite3 .dump or pg_dump): to show what is stored.
    std::string dump() const {
        std::string out;
        int rc = 0;
        if (kind_ == server_kind::dev) {
#ifdef BOSBASE_SQLITE3_PATH
            rc = run_program({BOSBASE_SQLITE3_PATH, "-readonly", data_dir_ + "/data.db", ".dump"}, &out);
#endif
        } else {
            rc = run_program({pg_bin_ + "/pg_dump", "-d", db_url()}, &out);
        }
        if (rc != 0) throw std::runtime_error("test_server::dump failed: " + out);
        return out;
    }

private:
    // ---- dev server -----------------------------------------------------------------
    void spawn_dev() {
        int in_pipe[2];
        int out_pipe[2];
        if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) throw std::runtime_error("test_server: pipe failed");
        const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (log_fd < 0) throw std::runtime_error("test_server: cannot create " + log_path_);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
        posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
        posix_spawn_file_actions_addclose(&actions, in_pipe[1]);
        posix_spawn_file_actions_addclose(&actions, out_pipe[0]);

        std::vector<std::string> args = {binary_, "--dir", data_dir_, "--http", http_addr_, "--exit-on-stdin-eof"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        const int rc = ::posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
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
            throw std::runtime_error("test_server: cannot start " + binary_ + ": " + std::strerror(rc) +
                                     " (build it with scripts/build_dev_server.sh)");
        }
    }

    // Reads the one READY line; the dev server prints it once it accepts connections.
    std::string wait_ready_dev() {
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

    // ---- real BosBase ---------------------------------------------------------------
    std::string db_url() const { return pg_url_ + "/" + db_ + "?sslmode=disable"; }

    // A database and a data folder of its own, copied from the seeded template.
    void prepare_bosbase() {
        pg_url_ = required_env("BOSBASE_TEST_PG_URL");
        pg_bin_ = required_env("BOSBASE_TEST_PG_BIN");
        const std::string template_db = required_env("BOSBASE_TEST_TEMPLATE_DB");
        const std::string template_dir = required_env("BOSBASE_TEST_TEMPLATE_DIR");
        required_env("BOSBASE_SERVER_ENCRYPTION_KEY");
        static std::atomic<int> counter{0};
        std::random_device rd;
        db_ = "it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 1000000);
        std::string out;
        if (run_program({pg_bin_ + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg_url_ + "/postgres", "-c",
                         "CREATE DATABASE " + db_ + " TEMPLATE " + template_db},
                        &out) != 0) {
            db_.clear();
            throw std::runtime_error("test_server: cannot create a database from " + template_db + ": " + out);
        }
        std::filesystem::copy(template_dir, data_dir_, std::filesystem::copy_options::recursive);
    }

    void spawn_bosbase() {
        std::vector<std::string> args = {binary_, "--dir", data_dir_, "--encryptionEnv", "BOSBASE_SERVER_ENCRYPTION_KEY",
                                         "--dev=false", "serve", "--http=127.0.0.1:" + std::to_string(port_)};
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) {
            if (std::strncmp(*e, "SASSPB_POSTGRES_URL=", 20) != 0) env.emplace_back(*e);
        }
        env.push_back("SASSPB_POSTGRES_URL=" + db_url());
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);

        int out_pipe[2];
        int err_pipe[2];  // carries errno when exec fails; closed by a successful exec
        if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
            throw std::runtime_error("test_server: pipe failed");
        }
        const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        const pid_t parent = ::getpid();
        // fork, not posix_spawn: the child asks to be killed when the test process dies,
        // so a crashed test leaves no server behind. Only async-signal-safe calls follow.
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("test_server: fork failed");
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(127);
            // The data's parent folder: BosBase loads pb_hooks/ from its working folder.
            if (::chdir(root_.c_str()) != 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 ||
                ::dup2(out_pipe[1], 2) < 0) {
                ::_exit(127);
            }
            ::execve(argv[0], argv.data(), envp.data());
            const int e = errno;
            (void)!::write(err_pipe[1], &e, sizeof e);
            ::_exit(127);
        }
        ::close(null_fd);
        ::close(out_pipe[1]);
        ::close(err_pipe[1]);
        int exec_errno = 0;
        ssize_t n = 0;
        while ((n = ::read(err_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
        }
        ::close(err_pipe[0]);
        if (n > 0) {
            ::close(out_pipe[0]);
            int status = 0;
            ::waitpid(pid, &status, 0);
            throw std::runtime_error("test_server: cannot start " + binary_ + ": " + std::strerror(exec_errno) +
                                     " (scripts/bosbase_server.sh builds it from BOSBASE_SRC)");
        }
        pid_ = pid;
        stdout_fd_ = out_pipe[0];
        {
            std::lock_guard<std::mutex> lock(m_);
            started_ = ended_ = false;
            last_output_.clear();
        }
        // The server writes to stdout and stderr as long as it runs; a thread keeps the pipe
        // drained into the log and reports the start banner.
        reader_ = std::thread([this, fd = stdout_fd_] { read_output(fd); });
    }

    void read_output(int fd) {
        const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        std::string pending;
        char buf[4096];
        for (;;) {
            const auto n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            if (log_fd >= 0) (void)!::write(log_fd, buf, static_cast<std::size_t>(n));
            std::lock_guard<std::mutex> lock(m_);
            if (started_) continue;
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t eol; (eol = pending.find('\n')) != std::string::npos; pending.erase(0, eol + 1)) {
                const std::string line = pending.substr(0, eol);
                if (!line.empty()) last_output_ = line;
                if (line.find("Server started at ") != std::string::npos) started_ = true;
            }
            if (started_) cv_.notify_all();
        }
        if (log_fd >= 0) ::close(log_fd);
        std::lock_guard<std::mutex> lock(m_);
        if (!pending.empty() && last_output_.empty()) last_output_ = pending;
        ended_ = true;
        cv_.notify_all();
    }

    // BosBase prints its banner once its listener is open; /api/health then answers.
    void wait_ready_bosbase() {
        {
            std::unique_lock<std::mutex> lock(m_);
            const bool decided =
                cv_.wait_for(lock, std::chrono::milliseconds(startup_limit_ms), [&] { return started_ || ended_; });
            if (!decided) {
                lock.unlock();
                fail("no 'Server started at' line within " + std::to_string(startup_limit_ms) + " ms");
            }
            if (!started_) {
                const std::string last = last_output_;
                lock.unlock();
                fail("the server exited during startup; its last output: '" + last + "'");
            }
        }
        httplib::Client client("127.0.0.1", port_);
        client.set_connection_timeout(5);
        client.set_read_timeout(10);
        const auto res = client.Get("/api/health");
        if (!res || res->status != 200) {
            fail("/api/health answered " + (res ? std::to_string(res->status) : std::string("nothing")));
        }
    }

    // A server bug: a server that looked for the token bindings table before it existed
    // keeps it cached as missing for about 2 s, so that a bound token does not sign in.
    // The template already has the table; this proves it with one throwaway token, and
    // would ride out the cache by retrying within a bound (not by waiting a fixed time).
    void warm_up_bosbase() {
        httplib::Client client("127.0.0.1", port_);
        client.set_read_timeout(10);
        std::random_device rd;
        const std::string token = "harness-warm-up-" + std::to_string(rd()) + std::to_string(rd());
        const std::string bind = std::string(R"({"email":")") + dev_accounts::user_email + R"(","password":")" +
                                 dev_accounts::user_password + R"(","token":")" + token + "\"}";
        auto res = client.Post("/api/collections/users/bind-token", bind, "application/json");
        if (!res || res->status != 204) fail("warm-up: bind-token answered " + (res ? res->body : "nothing"));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (;;) {
            res = client.Post("/api/collections/users/auth-with-token", "{\"token\":\"" + token + "\"}",
                              "application/json");
            if (res && res->status == 200) break;
            if (std::chrono::steady_clock::now() > deadline) fail("warm-up: a bound token did not sign in within 10 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a poll interval, under a deadline
        }
        res = client.Post("/api/collections/users/unbind-token", bind, "application/json");
        if (!res || res->status != 204) fail("warm-up: unbind-token answered " + (res ? res->body : "nothing"));
    }

    // ---- both -------------------------------------------------------------------------
    [[noreturn]] void fail(const std::string& why) {
        stop();
        throw std::runtime_error("test_server: " + why + " (" +
                                 (kind_ == server_kind::dev ? "port: chosen by the server on 127.0.0.1" : url_) +
                                 "; log: " + log_path_ + ")");
    }

    void cleanup() {
        stop();
        if (!db_.empty()) {
            std::string out;
            (void)run_program({pg_bin_ + "/psql", "-X", "-q", "-d", pg_url_ + "/postgres", "-c",
                               "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)"},
                              &out);
            db_.clear();
        }
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }

    server_kind kind_;
    std::string root_;
    std::string data_dir_;
    std::string log_path_;
    std::string url_;
    std::string binary_;
    std::string http_addr_ = "127.0.0.1:0";
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;

    // bosbase only
    int port_ = 0;
    std::string pg_url_;
    std::string pg_bin_;
    std::string db_;
    std::thread reader_;
    std::mutex m_;
    std::condition_variable cv_;
    bool started_ = false;
    bool ended_ = false;
    std::string last_output_;
};

}  // namespace bosbase_test
