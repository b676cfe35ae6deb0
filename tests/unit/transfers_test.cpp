// Files of any size through a fake transport with the upload and download capabilities:
// the exact requests, the pieces, progress, cancel from progress, the cap, Content-Length
// checks, failing targets; and the in-memory fallback of transports without them.
#include <doctest/doctest.h>
#include <error_of.hpp>
#include <fake_transport.hpp>
#include <temp_dir.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

using bosbase::error_kind;
using bosbase::file_part;
using bosbase::json;
using bosbase_test::error_of;
using bosbase_test::fake_transport;
using bosbase_test::temp_dir;

namespace {

// fake_transport plus upload() and download(): the scripted answer's body is handed to
// the sink in pieces of `piece` bytes; an upload's body is read into the recorded request.
struct transfer_fake : fake_transport {
    std::size_t piece = 7;
    std::size_t upload_chunk = 5;
    // When set, the download fails this way after handing over that many bytes.
    std::shared_ptr<std::pair<std::size_t, error_kind>> break_after = std::make_shared<std::pair<std::size_t, error_kind>>(
        SIZE_MAX, error_kind::none);
    std::shared_ptr<std::vector<std::uint64_t>> read_offsets = std::make_shared<std::vector<std::uint64_t>>();

    bosbase::http_response download(const bosbase::http_request& req, bosbase::response_sink& sink) {
        bosbase::http_response res = send(req);
        if (!sink.on_head(res.status, res.headers)) return {res.status, res.headers, {}};
        for (std::size_t at = 0; at < res.body.size(); at += piece) {
            if (at >= break_after->first) throw bosbase::transport_error(break_after->second, "broken off");
            if (!sink.on_body(std::string_view(res.body).substr(at, piece))) break;
        }
        return {res.status, res.headers, {}};
    }

    bosbase::http_response upload(const bosbase::http_request& req, bosbase::body_source& source) {
        bosbase::http_request copy = req;
        std::vector<char> buffer(upload_chunk);
        while (copy.body.size() < source.size) {
            read_offsets->push_back(copy.body.size());
            const std::size_t got = source.read(copy.body.size(), buffer.data(), buffer.size());
            if (got == 0) throw bosbase::transport_error(error_kind::canceled, "stopped");
            copy.body.append(buffer.data(), got);
        }
        return send(copy);
    }
};

static_assert(bosbase::is_download_transport_v<transfer_fake> && bosbase::is_upload_transport_v<transfer_fake>);
static_assert(!bosbase::is_download_transport_v<fake_transport> && !bosbase::is_upload_transport_v<fake_transport>);
static_assert(bosbase::is_download_transport_v<bosbase::httplib_transport> &&
              bosbase::is_upload_transport_v<bosbase::httplib_transport>);

using client = bosbase::basic_bosbase<transfer_fake>;

const json record = {{"collectionId", "pbc_1"}, {"collectionName", "docs"}, {"id", "rec1"}};

std::string pattern(std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
    return out;
}

bosbase::http_response answer(std::string body, bool with_length = true) {
    bosbase::http_response res{200, {{"Content-Type", "application/octet-stream"}}, std::move(body)};
    if (with_length) res.headers.emplace_back("Content-Length", std::to_string(res.body.size()));
    return res;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A stream whose buffer refuses every write after `room` bytes, as a full disk would.
struct full_after : std::streambuf {
    explicit full_after(std::size_t room) : room(room) {}
    std::size_t room;
    std::string got;
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const auto take = std::min<std::size_t>(room - got.size(), static_cast<std::size_t>(n));
        got.append(s, take);
        return static_cast<std::streamsize>(take);
    }
    int_type overflow(int_type) override { return traits_type::eof(); }
};

}  // namespace

TEST_CASE("files().download to a stream: the exact GET, every byte in order, progress from 0 to the total") {
    client pb("http://h");
    auto& t = pb.transport();
    const std::string body = pattern(100);
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(body); });
    std::ostringstream out;
    std::vector<std::pair<std::uint64_t, std::optional<std::uint64_t>>> seen;
    bosbase::download_options d;  // builds on request_options: progress is the request's
    d.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
        seen.emplace_back(done, total);
        return true;
    };
    d.token = "secret-file-token";
    d.thumb = "100x100";
    CHECK(pb.files().download(record, "a b.bin", out, d) == 100);
    CHECK(out.str() == body);
    CHECK(t.last().method == "GET");
    CHECK(t.last().target == "/api/files/pbc_1/rec1/a%20b.bin?thumb=100x100&token=secret-file-token");
    CHECK(t.last().body.empty());
    REQUIRE(seen.size() == 1 + (100 + 6) / 7);
    CHECK(seen.front() == std::make_pair(std::uint64_t(0), std::optional<std::uint64_t>(100)));
    CHECK(seen[1].first == 7);
    CHECK(seen.back().first == 100);
    // No cap unless the caller sets one: the transport is told the largest it can represent.
    CHECK(t.last().max_response_bytes == std::numeric_limits<std::size_t>::max());
}

TEST_CASE("files().download to a path: complete file renamed into place, nothing else left in the folder") {
    temp_dir dir;
    client pb("http://h");
    const std::string body = pattern(1000);
    pb.transport().s->script.push_back([&](const bosbase::http_request&) { return answer(body, false); });
    { std::ofstream(dir / "out.bin") << "old"; }
    CHECK(pb.files().download(record, "f.bin", dir / "out.bin") == 1000);
    CHECK(read_all(dir / "out.bin") == body);
    CHECK(dir.listing() == "out.bin");
}

TEST_CASE("a download that breaks off leaves the target as it was and no partial file") {
    temp_dir dir;
    client pb("http://h");
    auto& t = pb.transport();
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(500)); });
    *t.break_after = {210, error_kind::receive};
    { std::ofstream(dir / "out.bin") << "old"; }
    const auto e = error_of([&] { pb.files().download(record, "f.bin", dir / "out.bin"); });
    CHECK(e.error_kind() == error_kind::receive);
    CHECK(e.status() == 0);
    CHECK(read_all(dir / "out.bin") == "old");
    CHECK(dir.listing() == "out.bin");
}

TEST_CASE("max_bytes: an announced length over the cap fails before any byte, an unannounced one at the cap") {
    client pb("http://h");
    auto& t = pb.transport();
    bosbase::download_options d;
    d.max_bytes = 50;
    std::ostringstream out;
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(51)); });
    auto e = error_of([&] { pb.files().download(record, "f.bin", out, d); });
    CHECK(e.error_kind() == error_kind::too_large);
    CHECK(out.str().empty());
    CHECK(t.last().max_response_bytes == 50);

    t.s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(60), false); });
    e = error_of([&] { pb.files().download(record, "f.bin", out, d); });
    CHECK(e.error_kind() == error_kind::too_large);
    CHECK(out.str().size() <= 50);

    std::ostringstream exact;
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(50)); });
    CHECK(pb.files().download(record, "f.bin", exact, d) == 50);
}

TEST_CASE("progress returning false cancels the download: is_abort(), target untouched") {
    temp_dir dir;
    client pb("http://h");
    pb.transport().s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(300)); });
    bosbase::request_options options;
    int calls = 0;
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t>) { return ++calls < 3 && done < 300; };
    const auto e = error_of([&] { pb.files().download(record, "f.bin", dir / "out.bin", {}, options); });
    CHECK(e.is_abort());
    CHECK(calls == 3);
    CHECK(dir.listing().empty());
}

TEST_CASE("Content-Length against what arrived: short is receive, long is invalid_response") {
    client pb("http://h");
    auto& t = pb.transport();
    std::ostringstream out;
    t.s->script.push_back([&](const bosbase::http_request&) {
        auto res = answer(pattern(40), false);
        res.headers.emplace_back("Content-Length", "64");
        return res;
    });
    auto e = error_of([&] { pb.files().download(record, "f.bin", out); });
    CHECK(e.error_kind() == error_kind::receive);
    CHECK(std::string(e.what()).find("40 of the 64") != std::string::npos);

    t.s->script.push_back([&](const bosbase::http_request&) {
        auto res = answer(pattern(40), false);
        res.headers.emplace_back("Content-Length", "30");
        return res;
    });
    e = error_of([&] { pb.files().download(record, "f.bin", out); });
    CHECK(e.error_kind() == error_kind::invalid_response);
}

// Found by the download fuzz harness: only the last Content-Length was checked, so a body
// that contradicted an earlier one (or one beside a length that is no number) was a whole file.
TEST_CASE("Content-Lengths that disagree are invalid_response, and nothing is written") {
    temp_dir dir;
    client pb("http://h");
    auto& t = pb.transport();
    auto with_lengths = [&](std::string body, std::vector<std::string> lengths) {
        t.s->script.push_back([body, lengths](const bosbase::http_request&) {
            auto res = answer(body, false);
            for (const auto& l : lengths) res.headers.emplace_back("Content-Length", l);
            return res;
        });
    };
    with_lengths(pattern(300), {"299", "300"});
    auto e = error_of([&] { pb.files().download(record, "f.bin", dir / "out.bin"); });
    CHECK(e.error_kind() == error_kind::invalid_response);
    CHECK(std::string(e.what()).find("Content-Lengths that disagree") != std::string::npos);
    CHECK(dir.listing().empty());

    with_lengths(pattern(3), {"x", "10"});
    e = error_of([&] { pb.files().download(record, "f.bin", dir / "out.bin"); });
    CHECK(e.error_kind() == error_kind::invalid_response);
    CHECK(dir.listing().empty());

    // The same length twice, or a lone one that is no number, are as before.
    with_lengths(pattern(300), {"300", "300"});
    CHECK(pb.files().download(record, "f.bin", dir / "out.bin") == 300);
    with_lengths(pattern(5), {"five"});
    std::ostringstream out;
    CHECK(pb.files().download(record, "f.bin", out) == 5);
}

TEST_CASE("an error status is a ClientResponseError with the server's JSON, and nothing is written") {
    temp_dir dir;
    client pb("http://h");
    pb.transport().reply_json(404, {{"status", 404}, {"message", "The requested resource wasn't found."}});
    bosbase::download_options d;
    d.token = "tok-secret";
    const auto e = error_of([&] { pb.files().download(record, "f.bin", dir / "out.bin", d); });
    CHECK(e.status() == 404);
    CHECK(e.response()["message"] == "The requested resource wasn't found.");
    CHECK(std::string(e.what()).find("tok-secret") == std::string::npos);
    CHECK(e.url().find("tok-secret") == std::string::npos);
    CHECK(dir.listing().empty());
}

TEST_CASE("a target that cannot be written: a failing stream, a missing folder, a directory") {
    temp_dir dir;
    client pb("http://h");
    auto& t = pb.transport();
    full_after buf(20);
    std::ostream out(&buf);
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(pattern(100)); });
    auto e = error_of([&] { pb.files().download(record, "f.bin", out); });
    CHECK(e.error_kind() == error_kind::other);
    CHECK(std::string(e.what()).find("writing the download to the stream failed") != std::string::npos);

    e = error_of([&] { pb.files().download(record, "f.bin", dir / "missing" / "out.bin"); });
    CHECK(e.error_kind() == error_kind::other);
    CHECK(std::string(e.what()).find("cannot create a file in") != std::string::npos);
    CHECK(t.count() == 1);  // refused before any request
    CHECK_THROWS_AS(pb.files().download(record, "f.bin", dir.path), std::invalid_argument);
    CHECK_THROWS_AS(pb.files().download(json{{"id", "x"}}, "f.bin", dir / "o"), std::invalid_argument);
    CHECK(t.count() == 1);
}

TEST_CASE("backups().download: fetches a file token, sends it in the query, never shows it") {
    temp_dir dir;
    client pb("http://h");
    auto& t = pb.transport();
    t.reply_json(200, {{"token", "backup-token-secret"}});
    const std::string zip = pattern(77);
    t.s->script.push_back([&](const bosbase::http_request&) { return answer(zip); });
    CHECK(pb.backups().download("pb_backup 1.zip", dir / "b.zip") == 77);
    REQUIRE(t.count() == 2);
    CHECK(t.s->requests[0].method == "POST");
    CHECK(t.s->requests[0].target == "/api/files/token");
    CHECK(t.s->requests[1].target == "/api/backups/pb_backup%201.zip?token=backup-token-secret");
    CHECK(read_all(dir / "b.zip") == zip);

    t.reply_json(400, {{"status", 400}, {"message", "Failed"}});
    bosbase::download_options d;
    d.token = "given-token-secret";
    std::ostringstream out;
    const auto e = error_of([&] { pb.backups().download("k.zip", out, d); });
    CHECK(t.last().target == "/api/backups/k.zip?token=given-token-secret");
    CHECK(std::string(e.what()).find("given-token-secret") == std::string::npos);
    CHECK(e.url().find("given-token-secret") == std::string::npos);
}

TEST_CASE("a transport without download() gets the answer in memory, within max_response_bytes") {
    bosbase::client_options o;
    o.max_response_bytes = 1000;
    bosbase_test::fake_client pb("http://h", o);
    pb.transport().reply(200, pattern(300));
    std::ostringstream out;
    CHECK(pb.files().download(record, "f.bin", out) == 300);
    CHECK(out.str() == pattern(300));
    CHECK(pb.transport().last().max_response_bytes == 1000);
}

TEST_CASE("plan_multipart + multipart_reader give build_multipart's bytes at any offset and read size") {
    temp_dir dir;
    const std::string content = pattern(5000);
    { std::ofstream(dir / "a.bin", std::ios::binary) << content; }
    const bosbase::file_list files{{"doc", file_part::from_path((dir / "a.bin").string())},
                                   {"note+", file_part::from_bytes("n.txt", "hello", "text/plain")}};
    auto fixed = [] { return std::string("fixed-boundary-0123456789"); };
    const json fields = {{"title", "x"}};
    const auto built = bosbase::detail::build_multipart(fields, files, 1 << 20, fixed);
    const auto plan = bosbase::detail::plan_multipart(fields, files, 1 << 20, fixed);
    CHECK(plan.content_type == built.content_type);
    CHECK(plan.size == built.bytes.size());
    for (std::size_t chunk : {1u, 13u, 4096u, 100000u}) {
        bosbase::detail::multipart_reader reader(plan);
        std::string got;
        std::vector<char> buffer(chunk);
        while (got.size() < reader.size()) {
            const std::size_t n = reader.read(got.size(), buffer.data(), buffer.size());
            REQUIRE(n > 0);
            got.append(buffer.data(), n);
        }
        CHECK(got == built.bytes);
        // Back to the start, as a retry would.
        CHECK(reader.read(0, buffer.data(), 1) == 1);
        CHECK(buffer[0] == '-');
    }
    CHECK_THROWS_WITH_AS(bosbase::detail::plan_multipart(fields, files, 1000, fixed),
                         doctest::Contains("max_request_bytes"), std::invalid_argument);
}

TEST_CASE("plan_multipart replaces a boundary found in memory as build_multipart does, and names a file over the limit") {
    temp_dir dir;
    { std::ofstream(dir / "a.bin", std::ios::binary) << pattern(300); }
    // The boundary in the fields, in a file name and in a file's bytes: all in memory.
    const bosbase::file_list files{{"doc", file_part::from_path((dir / "a.bin").string(), "AAAA-1111.bin")},
                                   {"note", file_part::from_bytes("n.txt", "xx--AAAA-1111yy")}};
    const json fields = {{"k", "AAAA-1111"}};
    auto source = [](std::size_t& calls) {
        return [&calls] { return std::string(calls++ == 0 ? "AAAA-1111" : "BBBB-2222"); };
    };
    std::size_t built_calls = 0;
    std::size_t planned_calls = 0;
    const auto built = bosbase::detail::build_multipart(fields, files, 1 << 20, source(built_calls));
    const auto plan = bosbase::detail::plan_multipart(fields, files, 1 << 20, source(planned_calls));
    CHECK(built_calls == 2);
    CHECK(planned_calls == 2);
    CHECK(plan.boundary == "BBBB-2222");
    CHECK(plan.content_type == built.content_type);
    bosbase::detail::multipart_reader reader(plan);
    std::string got(reader.size(), '\0');
    for (std::uint64_t at = 0; at < got.size();) at += reader.read(at, &got[at], 64);
    CHECK(got == built.bytes);

    // A source that cannot avoid the parts, or changes the boundary's length, is refused the same way.
    auto always = [] { return std::string("AAAA-1111"); };
    CHECK_THROWS_WITH_AS(bosbase::detail::plan_multipart(fields, files, 1 << 20, always),
                         doctest::Contains("no multipart boundary"), std::invalid_argument);
    std::size_t longer_calls = 0;
    auto longer = [&longer_calls] { return std::string(longer_calls++ == 0 ? "AAAA-1111" : "BBBB-22222"); };
    CHECK_THROWS_WITH_AS(bosbase::detail::plan_multipart(fields, files, 1 << 20, longer),
                         doctest::Contains("changed the boundary's length"), std::invalid_argument);

    CHECK_THROWS_WITH_AS(bosbase::detail::plan_multipart(fields, files, 100, always),
                         doctest::Contains("' has 300 bytes, more than client_options::max_request_bytes (100)"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(bosbase::detail::build_multipart(fields, files, 100, always),
                         doctest::Contains("' has 300 bytes, more than client_options::max_request_bytes (100)"),
                         std::invalid_argument);
}

TEST_CASE("multipart_reader: a file that grows, shrinks or holds the boundary ends the upload") {
    temp_dir dir;
    auto fixed = [] { return std::string("the-boundary"); };
    auto read_through = [](bosbase::detail::multipart_reader& reader) {
        std::vector<char> buffer(10);
        for (std::uint64_t at = 0; at < reader.size();) at += reader.read(at, buffer.data(), buffer.size());
    };
    { std::ofstream(dir / "f") << pattern(100); }
    {
        bosbase::detail::multipart_reader reader(
            bosbase::detail::plan_multipart(nullptr, {{"f", file_part::from_path((dir / "f").string())}}, 1 << 20, fixed));
        { std::ofstream(dir / "f", std::ios::app) << "more"; }
        CHECK_THROWS_WITH_AS(read_through(reader), doctest::Contains("changed size"), std::runtime_error);
    }
    {
        bosbase::detail::multipart_reader reader(
            bosbase::detail::plan_multipart(nullptr, {{"f", file_part::from_path((dir / "f").string())}}, 1 << 20, fixed));
        { std::ofstream(dir / "f") << pattern(50); }
        CHECK_THROWS_WITH_AS(read_through(reader), doctest::Contains("changed size"), std::runtime_error);
    }
    // Across two reads of 10 bytes: "...the-b" | "oundary...".
    { std::ofstream(dir / "f") << pattern(15) + "the-boundary" + pattern(20); }
    bosbase::detail::multipart_reader reader(
        bosbase::detail::plan_multipart(nullptr, {{"f", file_part::from_path((dir / "f").string())}}, 1 << 20, fixed));
    CHECK_THROWS_WITH_AS(read_through(reader), doctest::Contains("contains the multipart boundary"), std::runtime_error);
}

TEST_CASE("uploads of files from disk go through upload(): exact body, read in pieces, progress, cancel") {
    temp_dir dir;
    const std::string content = pattern(64);
    { std::ofstream(dir / "a.bin", std::ios::binary) << content; }
    client pb("http://h");
    auto& t = pb.transport();
    t.reply_json(200, {{"id", "r1"}});
    std::vector<std::uint64_t> done_seen;
    bosbase::request_options options;
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
        CHECK(total.has_value());
        done_seen.push_back(done);
        return true;
    };
    const auto created =
        pb.collection("docs").create_with_files(json{{"title", "x"}}, {{"doc", file_part::from_path((dir / "a.bin").string())}},
                                                options);
    CHECK(created["id"] == "r1");
    const auto& req = t.last();
    CHECK(req.method == "POST");
    CHECK(req.target == "/api/collections/docs/records");
    const std::string boundary = req.content_type.substr(std::string("multipart/form-data; boundary=").size());
    CHECK(req.body == "--" + boundary + "\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n" +
                          "{\"title\":\"x\"}\r\n--" + boundary +
                          "\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n" +
                          content + "\r\n--" + boundary + "--\r\n");
    CHECK(t.read_offsets->size() >= (req.body.size() + 4) / 5);  // pieces end reads early
    REQUIRE(!done_seen.empty());
    CHECK(done_seen.back() == req.body.size());

    // Cancel from progress: no answer is read, the call is an abort.
    options.progress = [](std::uint64_t done, std::optional<std::uint64_t>) { return done < 100; };
    const auto e = error_of([&] {
        pb.backups().upload(file_part::from_path((dir / "a.bin").string()), options);
    });
    CHECK(e.is_abort());
    CHECK(t.count() == 1);
}

TEST_CASE("a streamed upload still respects max_request_bytes, before any byte is read") {
    temp_dir dir;
    { std::ofstream(dir / "a.bin", std::ios::binary) << pattern(2000); }
    bosbase::client_options o;
    o.max_request_bytes = 1000;
    client pb("http://h", o);
    CHECK_THROWS_WITH_AS(pb.collection("docs").create_with_files(nullptr, {{"f", file_part::from_path((dir / "a.bin").string())}}),
                         doctest::Contains("max_request_bytes"), std::invalid_argument);
    CHECK(pb.transport().count() == 0);
    CHECK(pb.transport().read_offsets->empty());
}
