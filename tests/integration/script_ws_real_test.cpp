// scripts().execute_ws against the real BosBase (the dev server has no scripts): built with
// every cpp-httplib, with tests only where the default transport has its WebSocket (the
// clang-current preset); run with the pub/sub tests (label real_pubsub).
#include <error_of.hpp>
#include <fake_function_service.hpp>
#include <integration_helpers.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#if BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)

#include <string>

using bosbase::json;
using bosbase_test::check_admin_error;
using bosbase_test::check_admin_route_su_only;
using bosbase_test::superuser;
using bosbase_test::test_server;

TEST_CASE("scripts execute_ws: a stored script runs over a WebSocket, failures keep the server's status") {
    bosbase_test::fake_function_service functions;
    test_server server({"FUNCTION_URL=" + functions.url()});
    REQUIRE_MESSAGE(server.is_bosbase(), "execute_ws needs the real BosBase: run scripts/test_real_bosbase.sh");
    bosbase::BosBase pb = superuser(server);
    auto scripts = pb.scripts();
    const std::string source = "def main(*args):\n    return list(args)\n";
    (void)scripts.create("bbcpp_ws", source);

    // The arguments travel in the first message; the service sees them as execute() sends them.
    const auto out = scripts.execute_ws("bbcpp_ws", {"a", "b c"});
    const json result = json::parse(out.output);
    CHECK(result["function"] == "main");
    CHECK(result["args"] == json::array({"a", "b c"}));
    CHECK(result["source"] == source);
    CHECK(scripts.execute_ws("bbcpp_ws", {"x", "y"}, "text").output == "x y");

    // After the upgrade: the failure comes as a message with the status execute() would have.
    check_admin_error(500, "Script execution failed.", [&] { (void)scripts.execute_ws("bbcpp_ws", {}, "fail"); });
    // Before it: the refused upgrade is asked again over HTTP for the server's answer.
    check_admin_error(404, "Script not found.", [&] { (void)scripts.execute_ws("bbcpp_nope"); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().execute_ws("bbcpp_ws"); });

    scripts.remove("bbcpp_ws");
}

#endif  // BOSBASE_HTTPLIB_WEBSOCKET && !defined(_WIN32)
