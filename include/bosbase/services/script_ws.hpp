// bosbase-cpp: scripts().execute_ws(): one script run over a WebSocket, and the deadline timer of the streamed calls.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPT_WS_HPP
#define BOSBASE_SERVICES_SCRIPT_WS_HPP

#include "common.hpp"
#include "script_types.hpp"
#include "../websocket.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// Cancels `target` when the deadline passes first. A stream has no whole-call deadline
// of its own (the transport bounds each read), so a thread keeps this one.
class deadline_guard {
public:
    using clock = std::chrono::steady_clock;

    deadline_guard(cancel_token target, clock::time_point when);
    deadline_guard(const deadline_guard&) = delete;
    deadline_guard& operator=(const deadline_guard&) = delete;
    ~deadline_guard() { stop(); }

    void stop();

    bool fired();

private:
    struct shared {
        std::mutex mutex;
        std::condition_variable cv;
        bool done = false;
        bool fired = false;
    };
    std::shared_ptr<shared> state_;
    std::thread thread_;
};

// GET /api/scripts/{name}/execute/ws: the server checks the script and the caller's
// permission before the upgrade, reads one client message with the arguments, and
// answers with one text message, {output} or {status, message, data}. The token goes in
// the Authorization header, never in the URL.
BOSBASE_DECL script_output execute_script_ws(client_core& c, const std::string& path,
                                const std::vector<std::string>& arguments, std::string_view function_name,
                                const request_options& options);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "script_ws.ipp"
#endif

#endif  // BOSBASE_SERVICES_SCRIPT_WS_HPP
