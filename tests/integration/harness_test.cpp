// The harness itself, for the kind of server this run uses: a server that cannot start
// is reported at once with the log path, never waited on forever.
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <string>

using bosbase_test::server_kind;

namespace {

std::string start_error(const std::string& binary) {
    try {
        bosbase_test::test_server server(bosbase_test::selected_server_kind(), binary);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    FAIL("the server started");
    return "";
}

bool real() { return bosbase_test::selected_server_kind() == server_kind::bosbase; }

}  // namespace

TEST_CASE("a missing server binary is reported with how to build it") {
    const auto message = start_error("/nonexistent/bosbase-server");
    CHECK(message.find("cannot start /nonexistent/bosbase-server") != std::string::npos);
    CHECK(message.find(real() ? "scripts/bosbase_server.sh" : "scripts/build_dev_server.sh") != std::string::npos);
}

TEST_CASE("a server that exits during startup is reported with its log path") {
    const auto message = start_error("/bin/false");
    CHECK(message.find("the server exited during startup") != std::string::npos);
    CHECK(message.find("log: /tmp/bosbase-it-") != std::string::npos);
}

TEST_CASE("a server that prints something else and exits is reported with what it printed") {
    const auto message = start_error("/bin/echo");  // prints its arguments and exits
    if (real()) {
        // Everything it printed went to the log; its last line is in the message.
        CHECK(message.find("the server exited during startup; its last output: '--dir /tmp/bosbase-it-") !=
              std::string::npos);
        CHECK(message.find(" serve --http=127.0.0.1:") != std::string::npos);
    } else {
        CHECK(message.find("unexpected first line '--dir ") != std::string::npos);
    }
}
