// One client, eight threads, mixed calls: sign-in, list, store reads, listener add
// and remove. Run under ThreadSanitizer in CI. The server is another process
// (stress_server.cpp); it counts the connections the client opened.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

// Starts the server binary and reads its READY line; closing its stdin stops it.
class server_process {
public:
    explicit server_process(const std::string& binary) {
        int in_pipe[2];
        int out_pipe[2];
        if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
        posix_spawn_file_actions_addclose(&actions, in_pipe[1]);
        posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
        std::string path = binary;
        char* argv[] = {path.data(), nullptr};
        const int rc = ::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in_pipe[0]);
        ::close(out_pipe[1]);
        stdin_fd_ = in_pipe[1];
        stdout_fd_ = out_pipe[0];
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start " + binary);
        }
        std::string line;
        char ch = 0;
        while (true) {
            pollfd pfd{stdout_fd_, POLLIN, 0};
            if (::poll(&pfd, 1, 30000) <= 0 || ::read(stdout_fd_, &ch, 1) != 1) {
                throw std::runtime_error("no READY line from " + binary);
            }
            if (ch == '\n') break;
            line += ch;
        }
        if (line.rfind("READY ", 0) != 0) throw std::runtime_error("unexpected line: " + line);
        url_ = "http://127.0.0.1:" + line.substr(6);
    }

    ~server_process() {
        ::close(stdin_fd_);
        ::close(stdout_fd_);
        if (pid_ > 0) {
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    const std::string& url() const { return url_; }

private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    std::string url_;
};

// BOSBASE_STRESS_CALLS scales the run (calls per thread), e.g. for slow sanitizer builds.
int calls_per_thread() {
    const char* text = std::getenv("BOSBASE_STRESS_CALLS");
    const int n = text != nullptr ? std::atoi(text) : 0;
    return n > 0 ? n : 2000;
}

}  // namespace

TEST_CASE("stress: 8 threads on one client: every call succeeds, listeners keep their contract, <= 8 connections") {
    server_process server(BOSBASE_STRESS_SERVER_PATH);
    bosbase::BosBase pb(server.url());
    constexpr int threads = 8;
    const int calls = calls_per_thread();

    std::atomic<int> failures{0};
    std::atomic<int> listener_runs_after_removal{0};
    std::atomic<int> listener_runs{0};
    std::mutex first_failure_mutex;
    std::string first_failure;
    auto fail = [&](const std::string& what) {
        ++failures;
        std::lock_guard<std::mutex> lock(first_failure_mutex);
        if (first_failure.empty()) first_failure = what;
    };

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto users = pb.collection("users");
            for (int i = 0; i < calls; ++i) {
                try {
                    switch ((i + t) % 5) {
                    case 0: {
                        const auto auth = users.auth_with_token("stress-custom-token-" + std::to_string(t));
                        if (!auth.contains("record")) fail("sign-in without a record");
                        break;
                    }
                    case 1:
                        if (users.get_list(1, 30)["items"].size() != 1) fail("list without its item");
                        break;
                    case 2: {
                        const std::string token = pb.auth_store().token();
                        const auto record = pb.auth_store().record();
                        const bool valid = pb.auth_store().is_valid();
                        const bool superuser = pb.auth_store().is_superuser();
                        if (!token.empty() && (!valid || superuser || !record.is_object())) fail("inconsistent store");
                        break;
                    }
                    case 3: {
                        auto removed = std::make_shared<std::atomic<bool>>(false);
                        const auto id = pb.auth_store().on_change([&, removed](const std::string&, const bosbase::json&) {
                            ++listener_runs;
                            if (*removed) ++listener_runs_after_removal;
                        });
                        users.auth_with_token("stress-custom-token-" + std::to_string(t));
                        if (!pb.auth_store().remove_listener(id)) fail("remove_listener lost the listener");
                        *removed = true;
                        break;
                    }
                    default:
                        pb.send("GET", "/api/health");
                        break;
                    }
                } catch (const std::exception& e) {
                    fail(e.what());
                }
            }
        });
    }
    for (auto& w : workers) w.join();

    INFO("first failure: " << first_failure);
    CHECK(failures.load() == 0);
    CHECK(listener_runs_after_removal.load() == 0);
    CHECK(listener_runs.load() >= threads * (calls / 5));  // each registration saw its own sign-in
    const auto stats = pb.send("GET", "/__stats");
    INFO("server stats: " << stats.dump());
    CHECK(stats["connections"].get<int>() >= 1);
    CHECK(stats["connections"].get<int>() <= threads);
}
