// Cancels a call from another thread while it runs and measures how promptly it
// ended: the scenario of every cancellation test (unit, transport, fault).
#pragma once

#include <bosbase.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <string>
#include <thread>

namespace bosbase_test {

struct cancel_outcome {
    bool aborted = false;              // it threw ClientResponseError with is_abort()
    bool ended_before_cancel = false;  // or the scenario's state was never reached
    std::string what;
    std::chrono::milliseconds after_cancel{0};
};

// Runs `call(token)` on a thread of its own and, once `ready()` holds (a bounded wait
// for the state under test) and `runs_for` has passed since the start, cancels the
// token from this thread and measures how long the call took to end after that.
template <class Call, class Ready>
cancel_outcome cancel_while_running(Call call, Ready ready,
                                    std::chrono::milliseconds runs_for = std::chrono::milliseconds(100)) {
    using steady = std::chrono::steady_clock;
    bosbase::cancel_token token;
    std::promise<cancel_outcome> result;
    auto done = result.get_future();
    std::atomic<bool> ended{false};
    steady::time_point ended_at;
    const auto started = steady::now();
    std::thread caller([&] {
        cancel_outcome o;
        try {
            call(token);
            o.what = "returned normally";
        } catch (const bosbase::ClientResponseError& e) {
            o.aborted = e.is_abort();
            o.what = e.what();
        } catch (const std::exception& e) {
            o.what = std::string("escaped: ") + e.what();
        }
        ended_at = steady::now();
        ended = true;
        result.set_value(o);
    });
    const bool was_ready = ready();
    std::this_thread::sleep_until(started + runs_for);  // the scenario: cancel a call that has been running
    const bool early = ended.load();
    const auto cancelled_at = steady::now();
    token.cancel();
    const bool finished = done.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    caller.join();
    cancel_outcome o = finished ? done.get() : cancel_outcome{};
    if (!was_ready) o.what += " (the state under test was never reached)";
    o.ended_before_cancel = early || !was_ready;
    o.after_cancel = std::chrono::duration_cast<std::chrono::milliseconds>(ended_at - cancelled_at);
    return o;
}

// What every cancellation test asserts: the call was under way when cancelled, threw
// with is_abort(), and ended within `promptly` of cancel() (sanitizer builds included).
inline void check_prompt_abort(const cancel_outcome& o,
                               std::chrono::milliseconds promptly = std::chrono::milliseconds(100)) {
    INFO("what(): " << o.what);
    CHECK_FALSE(o.ended_before_cancel);
    CHECK(o.aborted);
    CHECK_MESSAGE(o.after_cancel <= promptly, "ended " << o.after_cancel.count() << " ms after cancel()");
    MESSAGE("ended " << o.after_cancel.count() << " ms after cancel()");
}

}  // namespace bosbase_test
