// Checks the pub/sub unit and fault tests share, whatever the transport under the client.
#pragma once

#include "error_of.hpp"

#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <chrono>
#include <string>

namespace bosbase_test {

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
