// Downloads that go wrong, through the default transport: a body cut short or longer than
// announced, a target that cannot take the bytes, a cap, a cancel mid-way. Each ends as
// a ClientResponseError of the right kind, leaves no partial file, and the client works on.
#include "fault_checks.hpp"
#include <temp_dir.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

using namespace bosbase_test;
using bosbase::error_kind;

namespace {

const bosbase::json record = {{"collectionName", "docs"}, {"id", "rec1"}};

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes to files of this process fail past `bytes` (EFBIG, as a full disk fails them
// with ENOSPC) while it lives; SIGXFSZ is ignored so the write returns the error.
struct file_size_limit {
    explicit file_size_limit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &saved);
        old_handler = ::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = saved;
        limited.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~file_size_limit() {
        ::setrlimit(RLIMIT_FSIZE, &saved);
        ::signal(SIGXFSZ, old_handler);
    }
    rlimit saved{};
    void (*old_handler)(int) = nullptr;
};

}  // namespace

TEST_CASE("fault close_mid_body: a download cut short of its Content-Length is receive, the target untouched") {
    fault_client c;
    temp_dir dir;
    { std::ofstream(dir / "out.bin") << "old"; }
    c.server.then(fault::close_mid_body);
    const auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::receive});
    CHECK(read_all(dir / "out.bin") == "old");
    CHECK(dir.listing() == "out.bin");
    check_next_call_works(c);
}

TEST_CASE("fault reset_mid_body and short_body_held: a download that stops is receive or timeout, no file left") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::reset_mid_body);
    auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::receive});
    c.server.then(fault::short_body_held);
    e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::timeout, error_kind::deadline});
    CHECK(dir.listing().empty());
    check_next_call_works(c);
}

TEST_CASE("fault long_body_held: more body than Content-Length announced is invalid_response, not a file") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::long_body_held);
    const auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::invalid_response});
    CHECK(contains(e.what(), "more body bytes than its Content-Length"));
    CHECK(dir.listing().empty());
    // The connection with the surplus on it is not used again.
    check_next_call_works(c);
}

TEST_CASE("fault long_body_then_close: more body than announced, then a close, is invalid_response to a stream or a path") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::long_body_then_close);
    std::ostringstream sink;
    auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", sink); }));
    check_no_response(e, {error_kind::invalid_response});
    CHECK(contains(e.what(), "more body bytes than its Content-Length"));

    { std::ofstream(dir / "out.bin") << "old"; }
    c.server.then(fault::long_body_then_close);
    e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::invalid_response});
    CHECK(read_all(dir / "out.bin") == "old");
    CHECK(dir.listing() == "out.bin");
    check_next_call_works(c);
}

TEST_CASE("fault lengths_disagree: a download whose Content-Lengths disagree is invalid_response, the target untouched") {
    fault_client c;
    temp_dir dir;
    { std::ofstream(dir / "out.bin") << "old"; }
    c.server.then(fault::lengths_disagree);
    const auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    check_no_response(e, {error_kind::invalid_response});
    CHECK(read_all(dir / "out.bin") == "old");
    CHECK(dir.listing() == "out.bin");
    check_next_call_works(c);
}

TEST_CASE("fault huge_body: a download stops at download_options::max_bytes before reading the body") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::huge_body);
    bosbase::download_options d;
    d.max_bytes = std::uint64_t(1) << 20;
    const auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin", d); }));
    check_no_response(e, {error_kind::too_large});
    CHECK(contains(e.what(), "max_bytes"));
    CHECK(dir.listing().empty());
    check_next_call_works(c);
}

TEST_CASE("fault huge_body: a download cancelled mid-way ends within 100 ms of the cancel") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::huge_body);
    bosbase::cancel_token cancel;
    std::atomic<bool> flowing{false};
    bosbase::request_options options;
    options.cancel = cancel;
    options.deadline = std::chrono::seconds(60);
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t>) {
        if (done > (std::uint64_t(4) << 20)) flowing = true;
        return true;
    };
    std::chrono::steady_clock::time_point cancelled_at{};
    std::thread canceller([&] {
        while (!flowing) std::this_thread::yield();  // bytes are arriving: cancel mid-body
        cancelled_at = std::chrono::steady_clock::now();
        cancel.cancel();
    });
    const auto o = run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin", {}, options); });
    const auto ended = std::chrono::steady_clock::now();
    canceller.join();
    const auto e = check_failed(o, ms(60000));
    CHECK(e.is_abort());
    const auto after_cancel = std::chrono::duration_cast<ms>(ended - cancelled_at);
    CHECK_MESSAGE(after_cancel <= ms(100), "ended " << after_cancel.count() << " ms after the cancel");
    CHECK(dir.listing().empty());
    check_next_call_works(c);
}

TEST_CASE("fault huge_body: a full disk (/dev/full, a file size limit) is an error naming the target, no file left") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::huge_body);
    std::ofstream full("/dev/full", std::ios::binary);
    REQUIRE(full.is_open());
    auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", full); }));
    check_no_response(e, {error_kind::other});
    CHECK(contains(e.what(), "writing the download to the stream failed"));

    c.server.then(fault::huge_body);
    {
        const file_size_limit limit(64 * 1024);
        e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "out.bin"); }));
    }
    check_no_response(e, {error_kind::other});
    CHECK(contains(e.what(), "writing '"));
    CHECK(contains(e.what(), "failed: File too large"));
    CHECK(dir.listing().empty());
    check_next_call_works(c);
}

TEST_CASE("an unwritable target: no request is sent, the error names the folder") {
    fault_client c;
    temp_dir dir;
    { std::ofstream(dir / "file") << "x"; }
    const int before = c.server.connections();
    const auto targets = c.server.targets().size();
    const auto e = check_failed(run_call([&] { c.pb.files().download(record, "f.bin", dir / "file" / "out.bin"); }));
    check_no_response(e, {error_kind::other});
    CHECK(contains(e.what(), "cannot create a file in"));
    CHECK(c.server.targets().size() == targets);
    CHECK(c.server.connections() == before);
    check_next_call_works(c);
}

TEST_CASE("fault keep_alive_then_close: a complete download whose server then closes is a success, not surplus") {
    fault_client c;
    temp_dir dir;
    c.server.then(fault::keep_alive_then_close);
    std::uint64_t bytes = 0;
    const auto o = run_call([&] { bytes = c.pb.files().download(record, "f.bin", dir / "out.bin"); });
    REQUIRE_MESSAGE(!o.error, std::string(o.error ? o.error->what() : ""));
    REQUIRE(o.other_exception.empty());
    CHECK(bytes > 0);
    CHECK(std::filesystem::file_size(dir / "out.bin") == bytes);
    CHECK(dir.listing() == "out.bin");
    check_next_call_works(c);
}
