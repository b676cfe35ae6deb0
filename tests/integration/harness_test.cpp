// The harness itself: a server that cannot start is reported at once with the
// log path, never waited on forever.
#include <dev_server.hpp>
#include <doctest/doctest.h>

#include <string>

namespace {

std::string start_error(const std::string& binary) {
    try {
        bosbase_test::dev_server server(binary);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    FAIL("the server started");
    return "";
}

}  // namespace

TEST_CASE("a missing server binary is reported with how to build it") {
    const auto message = start_error("/nonexistent/bosbase-dev-server");
    CHECK(message.find("cannot start /nonexistent/bosbase-dev-server") != std::string::npos);
    CHECK(message.find("scripts/build_dev_server.sh") != std::string::npos);
}

TEST_CASE("a server that exits during startup is reported with its log path") {
    const auto message = start_error("/bin/false");
    CHECK(message.find("the server exited during startup") != std::string::npos);
    CHECK(message.find("log: /tmp/bosbase-it-") != std::string::npos);
}

TEST_CASE("a server that prints something else than READY is reported") {
    const auto message = start_error("/bin/echo");  // prints its arguments and exits
    CHECK(message.find("unexpected first line '--dir ") != std::string::npos);
}
