// Checks the pub/sub unit and fault tests share, whatever the transport under the client.
#pragma once

#include "error_of.hpp"

#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace bosbase_test {

// What a client's pub/sub callbacks saw, waited for with a bound instead of a sleep.
struct pubsub_inbox {
    std::mutex m;
    std::condition_variable cv;
    std::vector<bosbase::pubsub_message> messages;
    std::vector<bosbase::pubsub_reconnect> reconnects;
    std::vector<bosbase::pubsub_disconnect> disconnects;
    std::vector<std::string> errors;

    template <class Fn>
    void add(Fn fn) {
        std::lock_guard<std::mutex> lock(m);
        fn();
        cv.notify_all();
    }
    template <class Pred>
    bool wait(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        std::unique_lock<std::mutex> lock(m);
        return cv.wait_for(lock, limit, pred);
    }
    // Records on_reconnect, on_disconnect and on_error of the client.
    template <class Client>
    void watch(const Client& pb) {
        pb.pubsub().on_reconnect([this](const bosbase::pubsub_reconnect& r) { add([&] { reconnects.push_back(r); }); });
        pb.pubsub().on_disconnect(
            [this](const bosbase::pubsub_disconnect& d) { add([&] { disconnects.push_back(d); }); });
        pb.pubsub().on_error([this](const bosbase::ClientResponseError& e) { add([&] { errors.push_back(e.what()); }); });
    }
    bosbase::pubsub_callback collect() {
        return [this](const bosbase::pubsub_message& msg) { add([&] { messages.push_back(msg); }); };
    }
};

// publish() to a server that never acknowledges it (or only under another requestId): kind
// timeout once ack_timeout has passed, not long after; a caller's shorter deadline is kind deadline.
template <class Client>
void check_publish_unacknowledged(const Client& pb, std::chrono::milliseconds ack_timeout) {
    using namespace std::chrono_literals;
    const auto started = std::chrono::steady_clock::now();
    const auto e = error_of([&] { pb.pubsub().publish("t", {{"n", 1}}); });
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(e.error_kind() == bosbase::error_kind::timeout);
    CHECK(std::string(e.what()).find("no acknowledgement of the publish") != std::string::npos);
    CHECK(took >= ack_timeout);
    CHECK(took < ack_timeout + 1500ms);
    bosbase::request_options ro;
    ro.deadline = ack_timeout / 2;
    CHECK(error_of([&] { pb.pubsub().publish("t", 1, ro); }).error_kind() == bosbase::error_kind::deadline);
}

}  // namespace bosbase_test
