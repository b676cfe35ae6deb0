// A batch with files whose server answers garbage, or drops the connection mid-answer:
// a ClientResponseError with the real status and no secret, and the client still works.
#include "fault_checks.hpp"

using namespace bosbase_test;
using bosbase::error_kind;

namespace {

bosbase::ClientResponseError send_batch_with_files(fault_client& c, fault f) {
    c.server.then(f);
    auto batch = c.pb.create_batch();
    batch.collection("docs").create_with_files(
        {{"title", "t"}}, {{"files", bosbase::file_part::from_bytes("a.txt", std::string(4096, 'a'), "text/plain")}});
    batch.collection("docs").update_with_files("d1", {}, {{"files+", bosbase::file_part::from_bytes("b.txt", "b")}});
    return check_failed(run_call([&] { (void)batch.send(); }));
}

}  // namespace

TEST_CASE("fault batch with files: answers that are not a batch result are invalid 200s") {
    for (fault f : {fault::json_invalid, fault::json_truncated, fault::json_string, fault::json_number, fault::html_ok,
                    fault::auth_without_token /* an object, not an array */}) {
        CAPTURE(fault_name(f));
        fault_client c;
        const auto e = send_batch_with_files(c, f);
        CHECK(e.status() == 200);
        CHECK(e.error_kind() == error_kind::invalid_response);
        check_store_untouched(c);
        check_next_call_works(c);
    }
}

TEST_CASE("fault batch with files: an array of non-results is an invalid 200") {
    fault_client c;
    const auto e = send_batch_with_files(c, fault::json_array);  // [1,2,3]
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == error_kind::invalid_response);
    CHECK(std::string(e.what()).find("A batch answer has no HTTP status.") != std::string::npos);
    check_next_call_works(c);
}

TEST_CASE("fault batch with files: an error page or a dropped connection keeps its status and kind") {
    {
        fault_client c;
        const auto e = send_batch_with_files(c, fault::bad_request_html);
        CHECK(e.status() == 400);
        check_next_call_works(c);
    }
    {
        fault_client c;
        const auto e = send_batch_with_files(c, fault::reset_before_response);
        check_no_response(e, {error_kind::receive, error_kind::send});
        check_next_call_works(c);
    }
}
