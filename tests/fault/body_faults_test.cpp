// 200 answers whose body is not what the call needs: a clear error with the real
// status, and a sign-in that fails leaves the auth store exactly as it was.
#include "fault_checks.hpp"

using namespace bosbase_test;
using bosbase::error_kind;

namespace {

// A sign-in answered with fault f fails as an invalid 200 and stores nothing.
void check_bad_auth_answer(fault f) {
    fault_client c;
    c.server.then(f);
    const auto e = check_failed(run_call([&] { c.auth(); }));
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == error_kind::invalid_response);
    check_store_untouched(c);
    check_next_call_works(c);
}

}  // namespace

TEST_CASE("fault json_invalid: a 200 that is not JSON is an invalid response") { check_bad_auth_answer(fault::json_invalid); }
TEST_CASE("fault json_truncated: a 200 with cut-off JSON is an invalid response") { check_bad_auth_answer(fault::json_truncated); }
TEST_CASE("fault json_array: a sign-in answered with an array fails") { check_bad_auth_answer(fault::json_array); }
TEST_CASE("fault json_string: a sign-in answered with a string fails") { check_bad_auth_answer(fault::json_string); }
TEST_CASE("fault json_number: a sign-in answered with a number fails") { check_bad_auth_answer(fault::json_number); }
TEST_CASE("fault html_ok: a sign-in answered with a 200 HTML page fails") { check_bad_auth_answer(fault::html_ok); }
TEST_CASE("fault auth_without_token: no token, no sign-in") { check_bad_auth_answer(fault::auth_without_token); }
TEST_CASE("fault auth_without_record: no record, no sign-in") { check_bad_auth_answer(fault::auth_without_record); }
TEST_CASE("fault auth_token_crlf: a returned token with CR LF is refused and never stored") {
    check_bad_auth_answer(fault::auth_token_crlf);
}
TEST_CASE("fault auth_token_nul: a returned token with NUL is refused and never stored") {
    check_bad_auth_answer(fault::auth_token_nul);
}
TEST_CASE("fault auth_deep_record: a record nested 100,000 levels is refused, not a crash") {
    check_bad_auth_answer(fault::auth_deep_record);
}

TEST_CASE("fault json_invalid on a list: the real status and invalid_response") {
    fault_client c;
    c.server.then(fault::json_invalid);
    const auto e = check_failed(run_call([&] { c.list(); }));
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == error_kind::invalid_response);
    check_next_call_works(c);
}

TEST_CASE("fault lengths_disagree: Content-Lengths that disagree are invalid_response with no status, on every cpp-httplib") {
    fault_client c;
    c.server.then(fault::lengths_disagree);
    const auto e = check_failed(run_call([&] { c.list(); }));
    check_no_response(e, {error_kind::invalid_response});
    CHECK(contains(e.what(), "Content-Length"));
    // An answer to HEAD has no body, and cpp-httplib no response handler for it.
    c.server.then(fault::lengths_disagree);
    const auto head = check_failed(run_call([&] { (void)c.pb.send_raw("HEAD", "/api/health"); }));
    check_no_response(head, {error_kind::invalid_response});
    check_next_call_works(c);
}

TEST_CASE("fault error_deep_body: a 400 nested 100,000 levels keeps its status and dumps") {
    fault_client c;
    c.server.then(fault::error_deep_body);
    const auto e = check_failed(run_call([&] { c.bind(); }));
    CHECK(e.status() == 400);
    check_next_call_works(c);
}

TEST_CASE("fault long_json_string: one 512 KiB string under the size cap is fine") {
    fault_client c;
    c.server.then(fault::long_json_string);
    bosbase::json list;
    const outcome o = run_call([&] { list = c.list(); });
    CHECK(o.other_exception.empty());
    CHECK_MESSAGE(!o.error, std::string(o.error ? o.error->what() : ""));
    CHECK(list.value("s", std::string()).size() == 512 * 1024);
    check_next_call_works(c);
}

TEST_CASE("fault json_number_overflow: numbers beyond double or int64 never escape as another exception") {
    fault_client c;
    c.server.then(fault::json_number_overflow);
    const outcome o = run_call([&] { c.auth(); });
    REQUIRE_MESSAGE(o.other_exception.empty(), o.other_exception);
    if (o.error) {
        CHECK(o.error->status() == 200);
        CHECK(o.error->error_kind() == error_kind::invalid_response);
        check_store_untouched(c);
    } else {
        CHECK(c.pb.auth_store().token() == fault_server_auth_token());
        CHECK_NOTHROW((void)c.pb.auth_store().record().dump());
    }
    check_next_call_works(c);
}

TEST_CASE("fault json_duplicate_keys: one of the duplicated tokens wins, and it is a usable one") {
    fault_client c;
    c.pb.auth_store().clear();
    c.server.then(fault::json_duplicate_keys);
    const outcome o = run_call([&] { c.auth(); });
    REQUIRE_MESSAGE(o.other_exception.empty(), o.other_exception);
    REQUIRE_MESSAGE(!o.error, std::string(o.error ? o.error->what() : ""));
    const std::string stored = c.pb.auth_store().token();
    CHECK((stored == fault_server_auth_token() || stored == "first-token-value"));
    check_next_call_works(c);
}
