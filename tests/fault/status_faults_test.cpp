// Status lines and status classes from a real socket, through the default transport:
// only 2xx succeeds, redirects are reported (never followed), 1xx is skipped or refused
// quickly, and every error keeps the real status.
#include "fault_checks.hpp"

using namespace bosbase_test;
using bosbase::error_kind;

namespace {

// A 3xx is an error for bind and unbind alike: a redirected revoke must never look done.
void check_redirect(fault f, int status) {
    fault_client c;
    for (bool unbind : {false, true}) {
        CAPTURE(unbind);
        c.server.then(f);
        const auto& e = check_failed(run_call([&] { unbind ? c.unbind() : c.bind(); }));
        CHECK(e.status() == status);
        CHECK(e.error_kind() == error_kind::none);
        CHECK(contains(e.response().value("location", std::string()), "/followed/bind-token"));
    }
    for (const auto& target : c.server.targets()) CHECK_MESSAGE(!contains(target, "/followed"), "followed: " << target);
    check_store_untouched(c);
    check_next_call_works(c);
}

// An interim answer before the real one: skipped (the call succeeds) or refused as
// invalid, but never waited on until a timeout.
void check_interim(fault f) {
    fault_client c;
    c.server.then(f);
    bosbase::json list;
    const outcome o = run_call([&] { list = c.list(); });
    REQUIRE_MESSAGE(o.other_exception.empty(), o.other_exception);
    CHECK_MESSAGE(o.elapsed < fault_timeout, "took " << o.elapsed.count() << " ms: waited for a timeout");
    if (o.error) {
        INFO("what(): " << std::string(o.error->what()));
        CHECK(o.error->error_kind() == error_kind::invalid_response);
        check_failed(o);
    } else {
        CHECK(list["items"].size() == 1);
    }
    check_next_call_works(c);
}

}  // namespace

TEST_CASE("fault no_content: a 204 bind succeeds") {
    fault_client c;
    c.server.then(fault::no_content);
    const outcome o = run_call([&] { c.bind(); });
    CHECK_MESSAGE(!o.error, std::string(o.error ? o.error->what() : ""));
    CHECK(o.other_exception.empty());
    check_next_call_works(c);
}

TEST_CASE("fault no_content_with_body: a 204 succeeds and its stray body does not poison the next call") {
    fault_client c;
    c.server.then(fault::no_content_with_body);
    const outcome o = run_call([&] { c.bind(); });
    CHECK_MESSAGE(!o.error, std::string(o.error ? o.error->what() : ""));
    CHECK(o.other_exception.empty());
    check_next_call_works(c);
}

TEST_CASE("fault redirect_301: empty 301 is an error with its Location, not followed") { check_redirect(fault::redirect_301, 301); }
TEST_CASE("fault redirect_302: empty 302 is an error with its Location, not followed") { check_redirect(fault::redirect_302, 302); }
TEST_CASE("fault redirect_307: empty 307 is an error with its Location, not followed") { check_redirect(fault::redirect_307, 307); }
TEST_CASE("fault redirect_308: empty 308 is an error with its Location, not followed") { check_redirect(fault::redirect_308, 308); }
TEST_CASE("fault redirect_301_json: 301 with JSON is an error, not followed") { check_redirect(fault::redirect_301_json, 301); }
TEST_CASE("fault redirect_302_json: 302 with JSON is an error, not followed") { check_redirect(fault::redirect_302_json, 302); }
TEST_CASE("fault redirect_307_json: 307 with JSON is an error, not followed") { check_redirect(fault::redirect_307_json, 307); }
TEST_CASE("fault redirect_308_json: 308 with JSON is an error, not followed") { check_redirect(fault::redirect_308_json, 308); }

TEST_CASE("fault continue_then_ok: 100 before the answer is skipped or refused, never a timeout") {
    check_interim(fault::continue_then_ok);
}
TEST_CASE("fault processing_then_ok: 102 before the answer is skipped or refused, never a timeout") {
    check_interim(fault::processing_then_ok);
}
TEST_CASE("fault early_hints_then_ok: 103 before the answer is skipped or refused, never a timeout") {
    check_interim(fault::early_hints_then_ok);
}

TEST_CASE("fault status_199: a final 1xx is an error, never a success") {
    fault_client c;
    c.server.then(fault::status_199);
    const auto& e = check_failed(run_call([&] { c.bind(); }));
    if (e.status() == 0) {
        CHECK(e.error_kind() == error_kind::invalid_response);
    } else {
        CHECK(e.status() == 199);
    }
    check_next_call_works(c);
}

TEST_CASE("fault status_garbage: a status that is not three digits is an invalid response") {
    fault_client c;
    c.server.then(fault::status_garbage);
    check_no_response(check_failed(run_call([&] { c.bind(); })), {error_kind::invalid_response, error_kind::receive});
    check_next_call_works(c);
}

TEST_CASE("fault status_600 and status_999: beyond 599 is an error with the real status or invalid") {
    fault_client c;
    for (const auto& beyond : {std::pair<fault, int>{fault::status_600, 600}, {fault::status_999, 999}}) {
        const fault f = beyond.first;
        const int status = beyond.second;  // a plain variable: clang cannot capture structured bindings
        CAPTURE(status);
        c.server.then(f);
        const auto& e = check_failed(run_call([&] { c.bind(); }));
        if (e.status() == 0) {
            CHECK(e.error_kind() == error_kind::invalid_response);
        } else {
            CHECK(e.status() == status);
        }
    }
    check_next_call_works(c);
}

TEST_CASE("fault not_found_json and server_error_json: the envelope and the real status") {
    fault_client c;
    c.server.then(fault::not_found_json);
    auto e = check_failed(run_call([&] { c.bind(); }));
    CHECK(e.status() == 404);
    CHECK(e.error_kind() == error_kind::none);
    CHECK(e.message() == "The requested resource wasn't found.");
    c.server.then(fault::server_error_json);
    e = check_failed(run_call([&] { c.auth(); }));
    CHECK(e.status() == 500);
    CHECK(e.message() == "Something went wrong.");
    check_store_untouched(c);
    check_next_call_works(c);
}

TEST_CASE("fault bad_request_html: a non-JSON error body is wrapped, not parsed") {
    fault_client c;
    c.server.then(fault::bad_request_html);
    const auto& e = check_failed(run_call([&] { c.bind(); }));
    CHECK(e.status() == 400);
    CHECK(contains(e.response().value("body", std::string()), "400 Bad Request"));
    check_next_call_works(c);
}

TEST_CASE("fault bad_request_invalid_utf8: response().dump() works on a non-UTF-8 error body") {
    fault_client c;
    c.server.then(fault::bad_request_invalid_utf8);
    const auto& e = check_failed(run_call([&] { c.bind(); }));
    CHECK(e.status() == 400);
    CHECK(contains(e.response().value("body", std::string()), "bad "));
    check_next_call_works(c);
}

TEST_CASE("fault bad_request_cut_utf8: an error body cut inside a character still dumps") {
    fault_client c;
    c.server.then(fault::bad_request_cut_utf8);
    const auto& e = check_failed(run_call([&] { c.bind(); }));
    CHECK(e.status() == 400);
    CHECK_NOTHROW((void)e.response().dump());
    check_next_call_works(c);
}

TEST_CASE("fault mfa_required: 401 with mfaId leaves the store as it was") {
    fault_client c;
    c.server.then(fault::mfa_required);
    const auto& e = check_failed(run_call([&] { c.auth(); }));
    CHECK(e.status() == 401);
    CHECK(e.mfa_id() == "mfa-session-1");
    check_store_untouched(c);
    check_next_call_works(c);
}
