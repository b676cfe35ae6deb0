// An in-process cpp-httplib server on 127.0.0.1 with a free port, for transport tests.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace bosbase_test {

class local_server {
public:
    explicit local_server(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
        : server_(std::move(server)) {}

    httplib::Server& operator*() { return *server_; }
    httplib::Server* operator->() { return server_.get(); }

    // bind_to_any_port already listens, so clients may connect before the accept loop runs.
    int start() {
        port_ = server_->bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("local_server: could not bind 127.0.0.1");
        thread_ = std::thread([this] {
            server_->listen_after_bind();
            finished_ = true;
        });
        return port_;
    }

    int port() const { return port_; }
    std::string url(const std::string& scheme = "http") const {
        return scheme + "://127.0.0.1:" + std::to_string(port_);
    }

    void stop() {
        if (thread_.joinable()) {
            // stop() is a no-op until the accept loop runs, so wait for that state first.
            while (!server_->is_running() && !finished_) std::this_thread::yield();
            server_->stop();
            thread_.join();
        }
    }

    ~local_server() { stop(); }

private:
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    std::atomic<bool> finished_{false};
};

}  // namespace bosbase_test
