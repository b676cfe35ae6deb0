// A stand-in for BosBase's Python function service (functions/main.py in the server's repo),
// which the real server calls at FUNCTION_URL to run a stored script: POST /execute
// {script_path, script_name, function_name, args?} answered by {success, result?, error?}.
// It runs no Python. It reads the file the server wrote (so a test sees that the server
// wrote the script's content there) and answers by the function's name:
//   "fail"  success:false, error "boom"   (the server's "Script execution failed.")
//   "text"  result: the arguments joined by spaces (a string, passed on as it is)
//   "hold"  waits until release() (bounded), then answers as any other name
//   other   result: {function, args, source}   (JSON-encoded into `output` by the server)
#pragma once

#include <local_server.hpp>

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace bosbase_test {

class fake_function_service {
public:
    fake_function_service() {
        server_->Post("/execute", [this](const httplib::Request& req, httplib::Response& res) { execute(req, res); });
        server_.start();
    }

    ~fake_function_service() {
        release();
        server_.stop();
    }

    std::string url() const { return server_.url(); }

    // Lets every "hold" call (running or still to come) answer.
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            released_ = true;
        }
        cv_.notify_all();
    }

    // The bodies of the calls it got, in order.
    std::vector<bosbase::json> calls() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return calls_;
    }

private:
    void execute(const httplib::Request& req, httplib::Response& res) {
        const bosbase::json body = bosbase::json::parse(req.body, nullptr, false);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            calls_.push_back(body);
        }
        const std::string function = body.value("function_name", "");
        const bosbase::json args = body.contains("args") ? body["args"] : bosbase::json::array();
        if (function == "hold") {
            std::unique_lock<std::mutex> lock(mutex_);
            // A bound, not a pause: the test releases it long before.
            cv_.wait_for(lock, std::chrono::seconds(60), [this] { return released_; });
        }
        bosbase::json answer;
        if (function == "fail") {
            answer = {{"success", false}, {"error", "boom"}};
        } else if (function == "text") {
            std::string joined;
            for (const auto& a : args) joined += (joined.empty() ? "" : " ") + a.get<std::string>();
            answer = {{"success", true}, {"result", joined}};
        } else {
            std::ifstream file(body.value("script_path", ""));
            std::stringstream source;
            source << file.rdbuf();
            answer = {{"success", true},
                      {"result", {{"function", function}, {"args", args}, {"source", source.str()}}}};
        }
        res.set_content(answer.dump(), "application/json");
    }

    local_server server_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool released_ = false;
    std::vector<bosbase::json> calls_;
};

}  // namespace bosbase_test
