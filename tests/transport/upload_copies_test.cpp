// Large bodies through the default transport: requests sent intact and never copied,
// uploads from disk and downloads streamed without ever holding the file.
//
// This program replaces the global operator new to count large allocations made
// on the calling thread (the in-process server's own allocations run on its
// threads and are not counted), so it is a program of its own.
#include <doctest/doctest.h>
#include <local_server.hpp>

#include <bosbase.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <mutex>
#include <new>
#include <string>
#include <unistd.h>

namespace {

constexpr std::size_t large = std::size_t(1) << 20;
thread_local bool counting = false;
thread_local std::size_t large_allocations = 0;

// Counts allocations of at least 1 MiB on this thread while alive.
struct count_large_allocations {
    count_large_allocations() {
        large_allocations = 0;
        counting = true;
    }
    ~count_large_allocations() { counting = false; }
    std::size_t count() const { return large_allocations; }
};

std::uint64_t fnv1a(const std::string& data) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string pattern(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + i / 4093) % 256);
    return s;
}

}  // namespace

void* operator new(std::size_t size) {
    if (counting && size >= large) ++large_allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("an 8 MiB body reaches the server intact and the transport copies it nowhere") {
    bosbase_test::local_server server;
    server->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content(std::to_string(req.body.size()) + " " + std::to_string(fnv1a(req.body)) + " " +
                            req.get_header_value("Content-Type"),
                        "text/plain");
    });
    server.start();

    const std::string body = pattern(std::size_t(8) << 20);
    const std::string expected = std::to_string(body.size()) + " " + std::to_string(fnv1a(body)) + " application/x-test";
    bosbase::httplib_transport transport;
    auto make_request = [&] {
        bosbase::http_request req;
        req.method = "POST";
        req.origin = server.url();
        req.target = "/echo";
        req.content_type = "application/x-test";
        req.body = body;
        req.deadline = bosbase::http_request::clock::now() + std::chrono::seconds(60);
        return req;
    };

    SUBCASE("send(http_request&) takes the body") {
        bosbase::http_request req = make_request();
        count_large_allocations counter;
        const auto res = transport.send(req);
        CHECK(counter.count() == 0);
        CHECK(res.status == 200);
        CHECK(res.body == expected);
        CHECK(req.body.empty());  // taken, not copied
    }
    SUBCASE("send(const http_request&) reads the body in place") {
        const bosbase::http_request req = make_request();
        count_large_allocations counter;
        const auto res = transport.send(req);
        CHECK(counter.count() == 0);
        CHECK(res.body == expected);
        CHECK(req.body.size() == body.size());
    }
    SUBCASE("a small body is moved into cpp-httplib's request") {
        bosbase::http_request req = make_request();
        req.body = "small";
        const auto res = transport.send(req);
        CHECK(res.body == "5 " + std::to_string(fnv1a("small")) + " application/x-test");
        CHECK(req.body.empty());
    }
}

TEST_CASE("an upload from a path: read from disk as it is sent (no buffer of 1 MiB or more), parts intact") {
    char dir_pattern[] = "/tmp/bosbase-upload-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    const std::string content = pattern(std::size_t(8) << 20);
    const auto path = dir / "data.bin";
    std::ofstream(path, std::ios::binary) << content;

    bosbase_test::local_server server;
    // What cpp-httplib's own streaming multipart parser makes of the body: one line per part.
    std::mutex mutex;
    std::string seen;
    server->Post("/api/collections/docs/records",
                 [&](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
                     std::string parts;
                     std::string content;
                     auto end_part = [&] {
                         if (parts.empty()) return;
                         const bool big = content.size() > 1000;
                         parts += big ? std::to_string(content.size()) + ":" + std::to_string(fnv1a(content)) : content;
                         parts += "\n";
                         content.clear();
                     };
                     reader(
                         [&](const auto& part) {
                             end_part();
                             parts += part.name + "|" + part.filename + "|" + part.content_type + "|";
                             return true;
                         },
                         [&](const char* data, std::size_t n) {
                             content.append(data, n);
                             return true;
                         });
                     end_part();
                     std::lock_guard<std::mutex> lock(mutex);
                     seen = parts;
                     res.set_content(R"({"id":"r1","collectionName":"docs"})", "application/json");
                 });
    server.start();

    bosbase::BosBase pb(server.url());
    const auto part = bosbase::file_part::from_path(path.string());
    const auto small = bosbase::file_part::from_bytes("b.txt", "tiny", "text/plain");
    bosbase::json record;
    {
        count_large_allocations counter;
        record = pb.collection("docs").create_with_files({{"title", "big"}}, {{"files+", part}, {"files+", small}});
        CHECK(counter.count() == 0);  // streamed through upload(): the file is never whole in memory
    }
    CHECK(record["id"] == "r1");
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(seen == "@jsonPayload|||{\"title\":\"big\"}\n"
                  "files+|data.bin|application/octet-stream|" + std::to_string(content.size()) + ":" +
                      std::to_string(fnv1a(content)) + "\n"
                  "files+|b.txt|text/plain|tiny\n");

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("downloads of 8 MiB to a path and to a stream: byte-exact, no buffer of 1 MiB or more, progress to the end") {
    char dir_pattern[] = "/tmp/bosbase-download-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    const std::string content = pattern(std::size_t(8) << 20);

    bosbase_test::local_server server;
    server->Get("/api/files/docs/r1/big.bin", [&](const httplib::Request& req, httplib::Response& res) {
        if (req.get_param_value("token") != "file-token") {
            res.status = 404;
            res.set_content(R"({"status":404,"message":"Not found.","data":{}})", "application/json");
            return;
        }
        res.set_content(content, "application/octet-stream");
    });
    server->Get("/api/files/docs/r1/chunked.bin", [&](const httplib::Request&, httplib::Response& res) {
        // No Content-Length: the total is unknown to progress.
        res.set_chunked_content_provider("application/octet-stream", [&](std::size_t offset, httplib::DataSink& sink) {
            if (offset == content.size()) {
                sink.done();
                return true;
            }
            sink.write(content.data() + offset, std::min<std::size_t>(100000, content.size() - offset));
            return true;
        });
    });
    server.start();

    bosbase::BosBase pb(server.url());
    const bosbase::json record = {{"collectionName", "docs"}, {"id", "r1"}};
    bosbase::download_options d;
    d.token = "file-token";
    std::uint64_t last_done = 0;
    std::optional<std::uint64_t> last_total;
    bool monotone = true;
    bosbase::request_options options;
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
        monotone = monotone && done >= last_done;
        last_done = done;
        last_total = total;
        return true;
    };
    {
        count_large_allocations counter;
        CHECK(pb.files().download(record, "big.bin", dir / "big.bin", d, options) == content.size());
        CHECK(counter.count() == 0);
    }
    CHECK(monotone);
    CHECK(last_done == content.size());
    CHECK(last_total == std::optional<std::uint64_t>(content.size()));
    {
        std::ifstream in(dir / "big.bin", std::ios::binary);
        const std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        CHECK(got.size() == content.size());
        CHECK(fnv1a(got) == fnv1a(content));
    }

    std::ostringstream out;
    last_done = 0;
    CHECK(pb.files().download(record, "chunked.bin", out, {}, options) == content.size());
    CHECK(fnv1a(out.str()) == fnv1a(content));
    CHECK(!last_total.has_value());

    // Without the token: the server's 404, and the earlier file is still whole.
    try {
        pb.files().download(record, "big.bin", dir / "big.bin");
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 404);
        CHECK(e.response()["message"] == "Not found.");
    }
    CHECK(std::filesystem::file_size(dir / "big.bin") == content.size());

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("an upload from a path reports progress up to the body's size, and progress returning false cancels it") {
    char dir_pattern[] = "/tmp/bosbase-upload-progress-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    const std::string content = pattern(std::size_t(4) << 20);
    std::ofstream(dir / "data.bin", std::ios::binary) << content;

    bosbase_test::local_server server;
    server->Post("/api/collections/docs/records",
                 [](const httplib::Request& req, httplib::Response& res) {
                     res.set_content("{\"id\":\"r1\",\"length\":" + req.get_header_value("Content-Length") + "}",
                                     "application/json");
                 });
    server.start();
    bosbase::BosBase pb(server.url());
    const auto part = bosbase::file_part::from_path((dir / "data.bin").string());

    std::uint64_t last_done = 0;
    std::optional<std::uint64_t> last_total;
    bosbase::request_options options;
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
        last_done = done;
        last_total = total;
        return true;
    };
    const auto record = pb.collection("docs").create_with_files(nullptr, {{"f", part}}, options);
    REQUIRE(last_total.has_value());
    CHECK(last_done == *last_total);
    CHECK(record["length"] == *last_total);  // the server got exactly the body progress counted
    CHECK(*last_total > content.size());

    options.progress = [](std::uint64_t done, std::optional<std::uint64_t>) { return done < (std::uint64_t(1) << 20); };
    try {
        pb.collection("docs").create_with_files(nullptr, {{"f", part}}, options);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.is_abort());
        CHECK(e.status() == 0);
    }
    // The client goes on working after the cancelled upload.
    options.progress = nullptr;
    CHECK(pb.collection("docs").create_with_files(nullptr, {{"f", part}}, options)["id"] == "r1");

    // A file cut short while it is sent: the read fails inside the transport, the call ends
    // with that error (not a hang or a half body taken for whole), and the client works on.
    options.progress = [&](std::uint64_t done, std::optional<std::uint64_t>) {
        if (done > (std::uint64_t(1) << 20)) std::filesystem::resize_file(dir / "data.bin", 1000);
        return true;
    };
    try {
        pb.collection("docs").create_with_files(nullptr, {{"f", part}}, options);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::other);
        CHECK(std::string(e.what()).find("changed size while it was being uploaded") != std::string::npos);
    }
    std::ofstream(dir / "data.bin", std::ios::binary | std::ios::trunc) << content;
    options.progress = nullptr;
    CHECK(pb.collection("docs").create_with_files(nullptr, {{"f", part}}, options)["id"] == "r1");

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
