// Uploads (multipart bodies byte for byte), file URLs, file tokens, backup upload,
// and how the client hands bodies to transports that may take them.
#include <doctest/doctest.h>
#include <fake_transport.hpp>
#include <temp_dir.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using bosbase::file_part;
using bosbase::json;
using bosbase_test::fake_client;
using bosbase_test::fake_transport;
using bosbase_test::header;

namespace {

// The boundary the client chose, from the Content-Type it sent.
std::string boundary_of(const bosbase::http_request& req) {
    const std::string prefix = "multipart/form-data; boundary=";
    REQUIRE(req.content_type.rfind(prefix, 0) == 0);
    return req.content_type.substr(prefix.size());
}

struct expected_part {
    std::string disposition;  // everything after "Content-Disposition: "
    std::string content_type;  // "" for the @jsonPayload part
    std::string content;
};

std::string multipart(const std::string& boundary, const std::vector<expected_part>& parts) {
    std::string out;
    for (const auto& p : parts) {
        out += "--" + boundary + "\r\nContent-Disposition: " + p.disposition + "\r\n";
        if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
        out += "\r\n" + p.content + "\r\n";
    }
    return out + "--" + boundary + "--\r\n";
}

// A file in a fresh temporary folder, removed with it.
struct temp_file {
    std::filesystem::path dir;
    std::filesystem::path path;

    temp_file(const std::string& name, const std::string& content) {
        dir = bosbase_test::make_temp_dir("bosbase-files");
        path = dir / name;
        std::ofstream(path, std::ios::binary) << content;
    }
    ~temp_file() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

const json stored_record{{"id", "r1"}, {"collectionId", "pbc_1"}, {"collectionName", "docs"}, {"files", json::array()}};

}  // namespace

TEST_CASE("create with files: one @jsonPayload part with exact types, then every file in order") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, stored_record);

    const json body{{"title", "a \"quoted\" title"}, {"count", 7}, {"flag", false}, {"tags", {"x", "y"}},
                    {"meta", {{"k", nullptr}}}, {"code", "0001"}};
    const json created = pb.collection("docs").create_with_files(
        body, {{"files", file_part::from_bytes("one.txt", "first\r\n--not-a-boundary", "text/plain")},
               {"files", file_part::from_bytes("two.bin", std::string("\0\x01\xff", 3))},
               {"files+", file_part::from_bytes("three.png", "PNG", "image/png")},
               {"+cover", file_part::from_bytes("c.jpg", "JPG", "image/jpeg")}});
    CHECK(created["id"] == "r1");

    const auto& req = t.last();
    CHECK(req.method == "POST");
    CHECK(req.target == "/api/collections/docs/records");
    const std::string b = boundary_of(req);
    CHECK(b.size() == 40);
    CHECK(b.rfind("bosbase-", 0) == 0);
    CHECK(req.body == multipart(b, {{"form-data; name=\"@jsonPayload\"", "", body.dump()},
                                    {"form-data; name=\"files\"; filename=\"one.txt\"", "text/plain",
                                     "first\r\n--not-a-boundary"},
                                    {"form-data; name=\"files\"; filename=\"two.bin\"", "application/octet-stream",
                                     std::string("\0\x01\xff", 3)},
                                    {"form-data; name=\"files+\"; filename=\"three.png\"", "image/png", "PNG"},
                                    {"form-data; name=\"+cover\"; filename=\"c.jpg\"", "image/jpeg", "JPG"}}));
    // Exact types survive: the payload parses back to the very same JSON.
    const auto start = req.body.find("\r\n\r\n") + 4;
    CHECK(json::parse(req.body.substr(start, req.body.find("\r\n--", start) - start)) == body);
}

TEST_CASE("update with files: PATCH, removals by name travel in the JSON part, the signed-in record is merged") {
    fake_transport t;
    fake_client pb("http://h", t);
    bosbase_test::sign_in(pb, t);  // record r1 of users
    t.reply_json(200, {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"avatar", "new_abc.png"}});

    pb.collection("users").update_with_files("r1", {{"avatar-", {"old_1.png", "old_2.png"}}},
                                  {{"avatar+", file_part::from_bytes("new.png", "x", "image/png")}});
    const auto& req = t.last();
    CHECK(req.method == "PATCH");
    CHECK(req.target == "/api/collections/users/records/r1");
    CHECK(req.body == multipart(boundary_of(req),
                                {{"form-data; name=\"@jsonPayload\"", "", R"({"avatar-":["old_1.png","old_2.png"]})"},
                                 {"form-data; name=\"avatar+\"; filename=\"new.png\"", "image/png", "x"}}));
    CHECK(pb.auth_store().record()["avatar"] == "new_abc.png");
}

TEST_CASE("an empty body sends no @jsonPayload part, and the auth header and options still apply") {
    fake_transport t;
    fake_client pb("http://h", t);
    const std::string jwt = bosbase_test::sign_in(pb, t);
    t.reply_json(200, stored_record);
    bosbase::request_options opts;
    opts.expand = "owner";
    opts.headers = {{"X-Trace", "1"}};
    pb.collection("docs").create_with_files(nullptr, {{"doc", file_part::from_bytes("a", "A")}}, opts);
    const auto& req = t.last();
    CHECK(req.target == "/api/collections/docs/records?expand=owner");
    CHECK(header(req, "Authorization") == jwt);
    CHECK(header(req, "X-Trace") == "1");
    CHECK(req.body == multipart(boundary_of(req),
                                {{"form-data; name=\"doc\"; filename=\"a\"", "application/octet-stream", "A"}}));
}

TEST_CASE("typed create and update with files") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, {{"id", "r9"}, {"title", "T"}});
    t.reply_json(200, {{"id", "r9"}, {"title", "U"}});
    auto docs = pb.collection("docs");
    const json created = docs.create_with_files<json>(json{{"title", "T"}}, {{"f", file_part::from_bytes("a.txt", "1")}});
    CHECK(created["title"] == "T");
    CHECK(t.last().body.find(R"({"title":"T"})") != std::string::npos);
    const json updated = docs.update_with_files<json>("r9", json{{"title", "U"}}, {{"f+", file_part::from_bytes("b.txt", "2")}});
    CHECK(updated["title"] == "U");
    CHECK(t.last().method == "PATCH");
    CHECK(t.last().body.find("name=\"f+\"; filename=\"b.txt\"\r\nContent-Type: application/octet-stream\r\n\r\n2\r\n") !=
          std::string::npos);
}

TEST_CASE("from_path: the file is read once into a body allocated at its exact size") {
    std::string content(300000, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7 % 251);
    temp_file file("report.PDF", content);

    const auto part = file_part::from_path(file.path.string());
    CHECK(part.filename() == "report.PDF");
    CHECK(part.content_type() == "application/pdf");
    CHECK(part.path() == file.path.string());
    CHECK(part.bytes().empty());

    const auto built = bosbase::detail::build_multipart(json{{"n", 1}}, {{"doc", part}}, std::size_t(1) << 20);
    const std::string b = built.content_type.substr(built.content_type.find('=') + 1);
    CHECK(built.bytes == multipart(b, {{"form-data; name=\"@jsonPayload\"", "", R"({"n":1})"},
                                       {"form-data; name=\"doc\"; filename=\"report.PDF\"", "application/pdf",
                                        content}}));
    CHECK(built.bytes.capacity() == built.bytes.size());  // reserved once, never grown

    const auto renamed = file_part::from_path(file.path.string(), "other name.txt", "text/x-custom");
    CHECK(renamed.filename() == "other name.txt");
    CHECK(renamed.content_type() == "text/x-custom");
    CHECK(file_part::from_path(file.path.string(), "noext").content_type() == "application/pdf");
    CHECK(file_part::guess_content_type("x.tar") == "application/octet-stream");
    CHECK(file_part::guess_content_type("photo.JpEg") == "image/jpeg");
}

// "Grüße-файл-文件.txt" in UTF-8: Latin, Cyrillic and CJK, none of it in one ANSI code page, so on
// Windows only the wide path opens it.
const std::string unicode_name = "Gr\xc3\xbc\xc3\x9f" "e-\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb-\xe6\x96\x87\xe4\xbb\xb6.txt";

TEST_CASE("from_path: a non-ASCII file name, given as UTF-8 text or as a path, is read and sent by that name") {
    const auto dir = bosbase_test::make_temp_dir("bosbase-unicode");
    const std::filesystem::path path = dir / bosbase::detail::path_from_utf8(unicode_name);
    const std::string content("line 1\r\nline 2\n\x1a\0end", 20);  // CR LF, Ctrl-Z, NUL: a text-mode read would change them
    std::ofstream(path, std::ios::binary) << content;
    REQUIRE(std::filesystem::file_size(path) == content.size());
    // The name on disk is the one meant (on Windows: stored wide, not in the ANSI code page).
    std::string listed;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) listed = bosbase::detail::path_text(entry.path().filename());
    CHECK(listed == unicode_name);

    for (const auto& part : {file_part::from_path(path), file_part::from_path(bosbase::detail::path_text(path)),
                             file_part::from_path(bosbase::detail::path_text(path).c_str())}) {
        CHECK(part.filename() == unicode_name);
        CHECK(part.content_type() == "text/plain");
        CHECK(part.path() == path);
        const auto built = bosbase::detail::build_multipart(nullptr, {{"doc", part}}, std::size_t(1) << 20);
        CHECK(built.bytes.find("\r\n\r\n" + content + "\r\n--") != std::string::npos);
    }

    // A message names the path as UTF-8 whatever the platform's narrow encoding.
    const auto missing = dir / bosbase::detail::path_from_utf8("\xd0\xbd\xd0\xb5\xd1\x82.txt");  // "нет.txt"
    CHECK_THROWS_WITH_AS(file_part::from_path(missing), doctest::Contains("\xd0\xbd\xd0\xb5\xd1\x82.txt' does not exist"),
                         std::invalid_argument);

    // The session file takes the same kinds of path.
    const auto session = dir / bosbase::detail::path_from_utf8("\xd1\x81\xd0\xb5\xd0\xb0\xd0\xbd\xd1\x81.json");  // "сеанс.json"
    bosbase::file_session_store(bosbase::detail::path_text(session)).save({"t0ken", {{"id", "r1"}}});
    REQUIRE(std::filesystem::exists(session));
    CHECK(bosbase::file_session_store(session).load()->token == "t0ken");
    std::filesystem::remove_all(dir);
}

TEST_CASE("from_path: a missing, unreadable or changed file is std::invalid_argument naming it") {
    temp_file file("a.txt", "abc");
    const std::string missing = (file.dir / "missing.txt").string();
    try {
        file_part::from_path(missing);
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find(missing) != std::string::npos);
        CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(file_part::from_path(file.dir.string()), doctest::Contains("not a regular file"),
                         std::invalid_argument);
    CHECK_THROWS_AS(file_part::from_path(""), std::invalid_argument);
    CHECK_THROWS_AS(file_part::from_path(std::string("a\0b", 3)), std::invalid_argument);

    // Checked at creation, read at send: a file that went away or changed size since.
    const auto part = file_part::from_path(file.path.string());
    std::filesystem::remove(file.path);
    fake_transport t;
    fake_client pb("http://h", t);
    CHECK_THROWS_WITH_AS(pb.collection("docs").create_with_files(nullptr, {{"f", part}}), doctest::Contains(file.path.string().c_str()),
                         std::invalid_argument);
    CHECK(t.count() == 0);

    // Root reads anything; Windows has no mode bits to take the owner's reading away.
    if (bosbase_test::posix_modes && !bosbase_test::running_as_root()) {
        std::ofstream(file.path) << "abc";
        std::filesystem::permissions(file.path, std::filesystem::perms::none);
        CHECK_THROWS_WITH_AS(pb.collection("docs").create_with_files(nullptr, {{"f", file_part::from_path(file.path.string())}}),
                             doctest::Contains("cannot open"), std::invalid_argument);
    }
}

TEST_CASE("names in Content-Disposition are escaped like a browser's, and NUL and misplaced modifiers are refused") {
    const auto part = file_part::from_bytes("a\"b\r\nc\\d.txt", "x");
    const auto built = bosbase::detail::build_multipart(nullptr, {{"fi\"eld\n", part}}, 1 << 20);
    CHECK(built.bytes.find("Content-Disposition: form-data; name=\"fi%22eld%0A\"; filename=\"a%22b%0D%0Ac\\\\d.txt\""
                           "\r\nContent-Type: application/octet-stream\r\n") != std::string::npos);

    CHECK_THROWS_AS(file_part::from_bytes(std::string("a\0b", 3), "x"), std::invalid_argument);
    CHECK_THROWS_AS(file_part::from_bytes("", "x"), std::invalid_argument);
    CHECK_THROWS_AS(file_part::from_bytes("a", "x", "text/plain\r\nX-Injected: 1"), std::invalid_argument);
    CHECK_THROWS_AS(file_part::from_bytes("a", "x", ""), std::invalid_argument);

    fake_transport t;
    fake_client pb("http://h", t);
    auto docs = pb.collection("docs");
    const auto ok = file_part::from_bytes("a", "x");
    CHECK_THROWS_AS(docs.create_with_files(nullptr, {{std::string("f\0g", 3), ok}}), std::invalid_argument);
    CHECK_THROWS_AS(docs.create_with_files(nullptr, {{"", ok}}), std::invalid_argument);
    CHECK_THROWS_AS(docs.create_with_files(nullptr, {{"+", ok}}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(docs.update_with_files("r1", nullptr, {{"avatar-", ok}}), doctest::Contains("{\"avatar-\""),
                         std::invalid_argument);
    CHECK_THROWS_AS(docs.create_with_files(json::array(), {{"f", ok}}), std::invalid_argument);
    CHECK_THROWS_AS(docs.create_with_files(json{{"bad", "\xff"}}, {{"f", ok}}), std::invalid_argument);
    CHECK(t.count() == 0);
}

TEST_CASE("the boundary occurs in no part: a colliding one is replaced in place, a bad source is refused") {
    const auto part = file_part::from_bytes("a.txt", "xx--AAAA-1111yy");
    std::vector<std::string> boundaries{"AAAA-1111", "BBBB-2222"};
    std::size_t calls = 0;
    const auto built = bosbase::detail::build_multipart(json{{"k", "AAAA-1111"}}, {{"f", part}}, 1 << 20,
                                                        [&] { return boundaries.at(calls++); });
    CHECK(calls == 2);
    CHECK(built.content_type == "multipart/form-data; boundary=BBBB-2222");
    CHECK(built.bytes == multipart("BBBB-2222", {{"form-data; name=\"@jsonPayload\"", "", R"({"k":"AAAA-1111"})"},
                                                 {"form-data; name=\"f\"; filename=\"a.txt\"",
                                                  "application/octet-stream", "xx--AAAA-1111yy"}}));

    const auto always = [] { return std::string("xx"); };
    CHECK_THROWS_WITH_AS(bosbase::detail::build_multipart(nullptr, {{"f", part}}, 1 << 20, always),
                         doctest::Contains("boundary"), std::invalid_argument);
    for (const char* bad : {"", "has space", "semi;colon", "quote\"", "x\r\n"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(bosbase::detail::build_multipart(nullptr, {{"f", part}}, 1 << 20, [&] { return bad; }),
                        std::invalid_argument);
    }
    CHECK_THROWS_AS(bosbase::detail::build_multipart(nullptr, {{"f", part}}, 1 << 20,
                                                     [] { return std::string(71, 'a'); }),
                    std::invalid_argument);
    // Random boundaries differ from call to call.
    CHECK(bosbase::detail::random_boundary() != bosbase::detail::random_boundary());
}

TEST_CASE("max_request_bytes: an upload over the limit is refused before any file is read or request sent") {
    temp_file file("big.bin", std::string(4096, 'z'));
    fake_transport t;
    bosbase::client_options o;
    o.max_request_bytes = 1000;
    fake_client pb("http://h", t, o);
    auto docs = pb.collection("docs");
    CHECK_THROWS_WITH_AS(docs.create_with_files(nullptr, {{"f", file_part::from_path(file.path.string())}}),
                         doctest::Contains("max_request_bytes (1000)"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(docs.create_with_files(nullptr, {{"f", file_part::from_bytes("a", std::string(999, 'a'))}}),
                         doctest::Contains("max_request_bytes"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(docs.create(json{{"text", std::string(2000, 'a')}}), doctest::Contains("max_request_bytes"),
                         std::invalid_argument);
    CHECK(t.count() == 0);
    t.reply_json(200, stored_record);
    docs.create_with_files(nullptr, {{"f", file_part::from_bytes("a", std::string(100, 'a'))}});
    CHECK(t.count() == 1);
}

TEST_CASE("file URLs: encoded segments, URLSearchParams query, empty when something is missing") {
    fake_transport t;
    fake_client pb("http://h:8090/base/", t);
    auto files = pb.files();
    using opts = bosbase::file_service::url_options;
    const json rec{{"id", "456"}, {"collectionId", "123"}, {"collectionName", "789"}};

    struct row {
        json record;
        std::string filename;
        opts options;
        std::string url;
    };
    const std::vector<row> table = {
        {rec, "demo.png", {}, "http://h:8090/base/api/files/123/456/demo.png"},
        {rec, "demo=", {{}, false, {}, {{"test", "abc"}}}, "http://h:8090/base/api/files/123/456/demo%3D?test=abc"},
        {{{"id", "456"}, {"collectionName", "my posts"}}, "a b.png", {},
         "http://h:8090/base/api/files/my%20posts/456/a%20b.png"},
        {{{"id", "4/5?6"}, {"collectionId", "c#1"}}, "ü'(x).png", {},
         "http://h:8090/base/api/files/c%231/4%2F5%3F6/%C3%BC'(x).png"},
        {rec, "p.png", {"100x100", false, {}, {}}, "http://h:8090/base/api/files/123/456/p.png?thumb=100x100"},
        {rec, "p.png", {"0x50", true, "tok en/+", {}},
         "http://h:8090/base/api/files/123/456/p.png?thumb=0x50&download=1&token=tok+en%2F%2B"},
        {rec, "p.png", {{}, false, {}, {{"a b", "c&d=e~'!"}, {"n", 2}, {"skip", nullptr}, {"arr", {1, "x y"}}}},
         "http://h:8090/base/api/files/123/456/p.png?a+b=c%26d%3De%7E%27%21&n=2&arr=1&arr=x+y"},
        {rec, "p.png", {{}, false, {}, {{"thumb", "1x1"}}}, "http://h:8090/base/api/files/123/456/p.png?thumb=1x1"},
        {rec, "p.png", {"2x2", false, {}, {{"thumb", "1x1"}}}, "http://h:8090/base/api/files/123/456/p.png?thumb=2x2"},
        // Missing pieces give "" as in the JS SDK.
        {{{"id", ""}, {"collectionId", "123"}}, "demo.png", {}, ""},
        {rec, "", {}, ""},
        {{{"id", "456"}}, "demo.png", {}, ""},
        {{{"id", 456}, {"collectionId", "123"}}, "demo.png", {}, ""},
        {json::array(), "demo.png", {}, ""},
        {nullptr, "demo.png", {}, ""},
    };
    for (const auto& r : table) {
        CAPTURE(r.url);
        CHECK(files.get_url(r.record, r.filename, r.options) == r.url);
    }
    const json named{{"id", "r"}, {"collectionId", "c"}, {"avatar", "a.png"}, {"many", {"x.png"}}, {"none", nullptr}};
    CHECK(files.get_url(named, named["avatar"]) == "http://h:8090/base/api/files/c/r/a.png");
    CHECK(files.get_url(named, named["many"][0]) == "http://h:8090/base/api/files/c/r/x.png");
    CHECK(files.get_url(named, named["many"]).empty());
    CHECK(files.get_url(named, named["none"]).empty());
    CHECK(files.get_url(named, std::string("s.png")) == "http://h:8090/base/api/files/c/r/s.png");
    CHECK_THROWS_AS(files.get_url(rec, "p.png", {{}, false, {}, {{"q", "\xff"}}}), std::invalid_argument);
    CHECK_THROWS_AS(files.get_url(rec, "p.png", {{}, false, {}, {{"\xc3", "v"}}}), std::invalid_argument);
    CHECK_THROWS_AS(files.get_url(rec, "p.png", {{}, false, "tok\xff", {}}), std::invalid_argument);
    CHECK_THROWS_AS(files.get_url(rec, "p.png", {{}, false, {}, {{"q", {{"k", "\xff"}}}}}), std::invalid_argument);
    CHECK(t.count() == 0);
}

TEST_CASE("file token: POST /api/files/token without a body returns the token, or \"\" when none came") {
    fake_transport t;
    fake_client pb("http://h", t);
    const std::string jwt = bosbase_test::sign_in(pb, t);
    t.reply_json(200, {{"token", "file.jwt.x"}});
    CHECK(pb.files().get_token() == "file.jwt.x");
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/files/token");
    CHECK(t.last().body.empty());
    CHECK(header(t.last(), "Authorization") == jwt);

    t.reply_json(200, json::object());
    CHECK(pb.files().get_token().empty());
    t.reply_json(401, {{"status", 401}, {"message", "The request requires valid record authorization token."}});
    CHECK_THROWS_AS(pb.files().get_token(), bosbase::ClientResponseError);
}

TEST_CASE("backups: upload sends the archive as multipart field `file` and download URLs carry the token") {
    fake_transport t;
    fake_client pb("http://h/p", t);
    t.reply(204);
    pb.backups().upload(file_part::from_bytes("pb_backup_1.zip", "PK\x03\x04", "application/zip"));
    const auto& req = t.last();
    CHECK(req.method == "POST");
    CHECK(req.target == "/p/api/backups/upload");
    CHECK(req.body == multipart(boundary_of(req), {{"form-data; name=\"file\"; filename=\"pb_backup_1.zip\"",
                                                    "application/zip", "PK\x03\x04"}}));
    CHECK(pb.backups().get_download_url("t k", "a b.zip") == "http://h/p/api/backups/a%20b.zip?token=t%20k");
}

// --- transports that may take the body -------------------------------------

namespace {

struct taking_transport {  // both overloads, like httplib_transport
    std::shared_ptr<std::vector<std::string>> calls = std::make_shared<std::vector<std::string>>();
    bosbase::http_response send(const bosbase::http_request& req) {
        calls->push_back("const:" + req.body);
        return {200, {}, "{}"};
    }
    bosbase::http_response send(bosbase::http_request& req) {
        calls->push_back("mutable:" + req.body);
        req.body.clear();  // taken
        return {200, {}, "{}"};
    }
};

struct only_taking_transport {  // only the mutable overload
    std::shared_ptr<std::vector<std::string>> calls = std::make_shared<std::vector<std::string>>();
    bosbase::http_response send(bosbase::http_request& req) {
        calls->push_back(std::move(req.body));
        return {200, {}, "{}"};
    }
};

}  // namespace

static_assert(bosbase::is_transport_v<taking_transport>);
static_assert(bosbase::is_transport_v<only_taking_transport>);
static_assert(bosbase::detail::has_mutable_send<taking_transport>::value);
static_assert(!bosbase::detail::has_mutable_send<fake_transport>::value);
static_assert(bosbase::detail::has_mutable_send<bosbase::httplib_transport>::value);

TEST_CASE("a transport with send(http_request&) gets the body to take, unless an after_send hook must see it") {
    taking_transport t;
    bosbase::basic_bosbase<taking_transport> pb("http://h", t);
    pb.send("POST", "/x", json{{"a", 1}});
    REQUIRE(t.calls->size() == 1);
    CHECK(t.calls->back() == "mutable:{\"a\":1}");

    std::string seen;
    pb.after_send([&](const bosbase::http_request& req, bosbase::http_response&) { seen = req.body; });
    pb.send("POST", "/x", json{{"a", 2}});
    CHECK(t.calls->back() == "const:{\"a\":2}");
    CHECK(seen == "{\"a\":2}");
}

TEST_CASE("a transport with only send(http_request&) works and an after_send hook then sees a kept body") {
    only_taking_transport t;
    bosbase::basic_bosbase<only_taking_transport> pb("http://h", t);
    pb.collection("docs").create_with_files(json{{"t", 1}}, {{"f", file_part::from_bytes("a", "A")}});
    REQUIRE(t.calls->size() == 1);
    CHECK(t.calls->back().find("filename=\"a\"") != std::string::npos);

    std::string seen;
    pb.after_send([&](const bosbase::http_request& req, bosbase::http_response&) { seen = req.body; });
    pb.send("POST", "/x", json{{"a", 3}});
    CHECK(t.calls->back() == "{\"a\":3}");
    CHECK(seen == "{\"a\":3}");
}
