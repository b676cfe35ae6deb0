// A server that echoes the call's secrets: they are scrubbed from every text of the error.
#include "fault_checks.hpp"

using namespace bosbase_test;
using bosbase::error_kind;

TEST_CASE("fault echo_secrets: password, custom token and auth token echoed in the message are scrubbed") {
    fault_client c;
    c.server.then(fault::echo_secrets);
    const auto e = check_failed(run_call([&] { c.bind(); }));  // checks the texts for every secret
    CHECK(e.status() == 400);
    CHECK(contains(e.message(), "Rejected"));
    CHECK(contains(e.message(), fault_email));  // the echo did arrive; only the secrets are gone
    check_next_call_works(c);
}

TEST_CASE("fault echo_secrets: a sign-in's custom token echoed back is scrubbed") {
    fault_client c;
    c.server.then(fault::echo_secrets);
    const auto e = check_failed(run_call([&] { c.auth(); }));
    CHECK(e.status() == 400);
    check_store_untouched(c);
    check_next_call_works(c);
}

TEST_CASE("fault location_with_secret: a Location carrying the secrets is reported without them") {
    fault_client c;
    c.server.then(fault::location_with_secret);
    const auto e = check_failed(run_call([&] { c.unbind(); }));
    CHECK(e.status() == 302);
    CHECK(contains(e.response().value("location", std::string()), "/login/"));
    check_next_call_works(c);
}
