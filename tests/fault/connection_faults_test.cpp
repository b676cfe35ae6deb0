// Connections that fail, stall or break: each call ends with a status-0
// ClientResponseError of the right kind, within its timeout or deadline.
#include "fault_checks.hpp"

#include <algorithm>
#include <thread>

using namespace bosbase_test;
using bosbase::error_kind;

TEST_CASE("fault refused: a closed port is a connect error, quickly") {
    bosbase::BosBase pb("http://127.0.0.1:" + std::to_string(closed_port()), small_limits());
    pb.auth_store().save(fault_server_auth_token(), {{"id", "r1"}});
    const auto e = check_failed(run_call([&] {
        pb.collection("users").bind_custom_token(fault_email, fault_password, fault_custom_token);
    }), fault_timeout);
    check_no_response(e, {error_kind::connect});
}

TEST_CASE("fault hang: a server that never answers ends in the per-read timeout") {
    fault_client c;
    c.server.then(fault::hang);
    const outcome o = run_call([&] { c.bind(); });
    const auto e = check_failed(o, fault_timeout);
    check_no_response(e, {error_kind::timeout});
    CHECK(o.elapsed >= fault_timeout - ms(100));
    check_next_call_works(c);
}

TEST_CASE("fault hang: with a long per-read timeout the deadline ends the call and says so") {
    fault_client c;
    c.server.then(fault::hang);
    const outcome o = run_call([&] {
        c.pb.collection("users").bind_custom_token(fault_email, fault_password, fault_custom_token, {}, {},
                                                   deadline_only());
    });
    const auto e = check_failed(o);
    check_no_response(e, {error_kind::deadline});
    CHECK(contains(e.what(), "deadline"));
    CHECK(o.elapsed >= fault_deadline - ms(100));
    check_next_call_works(c);
}

TEST_CASE("fault reset_before_response: RST after the request is a receive error") {
    fault_client c;
    c.server.then(fault::reset_before_response);
    check_no_response(check_failed(run_call([&] { c.bind(); })), {error_kind::receive});
    check_store_untouched(c);
    check_next_call_works(c);
}

TEST_CASE("fault reset_mid_headers: RST inside the headers is a receive error") {
    fault_client c;
    c.server.then(fault::reset_mid_headers);
    check_no_response(check_failed(run_call([&] { c.auth(); })), {error_kind::receive});
    check_store_untouched(c);
    check_next_call_works(c);
}

TEST_CASE("fault reset_mid_body: RST inside the body is a receive error") {
    fault_client c;
    c.server.then(fault::reset_mid_body);
    check_no_response(check_failed(run_call([&] { c.list(); })), {error_kind::receive});
    check_next_call_works(c);
}

TEST_CASE("fault close_mid_body: a body shorter than Content-Length is a receive error, not a short success") {
    fault_client c;
    c.server.then(fault::close_mid_body);
    check_no_response(check_failed(run_call([&] { c.list(); })), {error_kind::receive});
    check_next_call_works(c);
}

namespace {

// A broken chunked body is never a success. cpp-httplib 0.11 stops at a missing CRLF or
// an over-long chunk and returns what it read so far as if complete (a library bug no
// client code can see), so the SDK may also meet the truncated body: then it is an
// unusable 200 (invalid_response), which is a clear error too.
void check_bad_chunking(fault f) {
    fault_client c;
    c.server.then(f);
    const auto e = check_failed(run_call([&] { c.list(); }));
    if (e.status() == 200) {
        CHECK(e.error_kind() == error_kind::invalid_response);
    } else {
        check_no_response(e, {error_kind::invalid_response, error_kind::receive});
    }
    check_next_call_works(c);
}

}  // namespace

TEST_CASE("fault chunk_bad_size: a chunk size that is not hex is refused") { check_bad_chunking(fault::chunk_bad_size); }
TEST_CASE("fault chunk_missing_crlf: chunk data without its CRLF is refused") {
    check_bad_chunking(fault::chunk_missing_crlf);
}
TEST_CASE("fault chunk_too_long: a chunk longer than its size is refused") { check_bad_chunking(fault::chunk_too_long); }

TEST_CASE("fault keep_alive_then_close: a kept-alive connection the server closed is not a failure") {
    fault_client c;
    c.server.then(fault::keep_alive_then_close);
    CHECK(c.list()["items"].size() == 1);
    check_next_call_works(c);
    check_next_call_works(c);
    CHECK(c.server.connections() == 2);
}

TEST_CASE("fault close_on_next_request: a pooled connection dropped under a GET is retried on a fresh one") {
    fault_client c;
    c.server.then(fault::close_on_next_request);
    CHECK(c.list()["items"].size() == 1);
    check_next_call_works(c);
    const auto targets = c.server.targets();
    // Proves the second call really met the dropped connection.
    CHECK(std::count(targets.begin(), targets.end(), "(dropped request)") == 1);
    CHECK(c.server.connections() == 2);
}

TEST_CASE("fault drip_headers_then_close: a close after headers that trickled in is a receive error, not a timeout") {
    // Each byte comes 100 ms after the last, so no read waits anywhere near the 1 s read
    // timeout, yet the call has seen no complete headers for 2 s when the server closes.
    bosbase::client_options o = small_limits();
    o.deadline = ms(4000);
    fault_client c(o);
    c.server.then(fault::drip_headers_then_close);
    const outcome out = run_call([&] { c.list(); });
    const auto e = check_failed(out, ms(4000));
    check_no_response(e, {error_kind::receive});
    CHECK(out.elapsed >= ms(1900));  // the close came after the read timeout had passed
    check_next_call_works(c);
}

TEST_CASE("fault hang: the deadline message quotes the deadline the caller set, not the time left for the transport") {
    fault_client c;
    c.server.then(fault::hang);
    // A slow before_send hook uses up part of the deadline before the transport starts.
    c.pb.before_send([](bosbase::http_request&) { std::this_thread::sleep_for(ms(300)); });
    const auto e = check_failed(run_call([&] { c.list(deadline_only()); }));
    check_no_response(e, {error_kind::deadline});
    CHECK_MESSAGE(contains(e.what(), "exceeded its deadline of 1500 ms"), e.what());
}

TEST_CASE("fault close_on_next_request: with retry_stale_connections off, the dropped GET fails as receive") {
    fault_server server;
    bosbase::httplib_transport_options to;
    to.retry_stale_connections = false;
    bosbase::BosBase pb(server.url(), bosbase::httplib_transport(to), small_limits());
    server.then(fault::close_on_next_request);
    CHECK(pb.collection("users").get_list(1, 30)["items"].size() == 1);
    const auto e = check_failed(run_call([&] { (void)pb.collection("users").get_list(1, 30); }));
    check_no_response(e, {error_kind::receive});
    CHECK(server.connections() == 1);
}
