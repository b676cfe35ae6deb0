// Batch, health and the superuser services: exact method, path, query and body.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

using bosbase::json;
using namespace bosbase_test;

namespace {

struct wire_call {
    std::function<void()> call;
    std::string method;
    std::string target;
    json body;  // null: no body
};

void check_calls(fake_transport& t, const std::vector<wire_call>& calls) {
    for (const auto& c : calls) {
        CAPTURE(c.target);
        c.call();
        CHECK(t.last().method == c.method);
        CHECK(t.last().target == c.target);
        if (c.body.is_null()) {
            CHECK(t.last().body.empty());
        } else {
            CHECK(t.last().content_type == "application/json");
            CHECK(json::parse(t.last().body) == c.body);
        }
    }
}

}  // namespace

TEST_CASE("batch: one JSON POST /api/batch with the queued requests in order") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto batch = pb.create_batch();
    batch.collection("posts").create({{"title", "a"}});
    bosbase::request_options opts;
    opts.expand = "author";
    opts.headers = {{"X-Trace", "1"}};
    batch.collection("posts").update("p/1", {{"title", "b"}}, opts);
    batch.collection("my posts").upsert({{"id", "p2"}, {"title", "c"}});
    batch.collection("posts").remove("p3");
    CHECK(batch.size() == 4);

    t.reply_json(200, json::array({{{"status", 200}, {"body", {{"id", "n1"}}}},
                                   {{"status", 200}, {"body", {{"id", "p/1"}}}},
                                   {{"status", 200}, {"body", {{"id", "p2"}}}},
                                   {{"status", 204}, {"body", nullptr}}}));
    const auto results = batch.send();
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/batch");
    CHECK(t.last().content_type == "application/json");
    CHECK(json::parse(t.last().body) ==
          json{{"requests",
                {{{"method", "POST"}, {"url", "/api/collections/posts/records"}, {"body", {{"title", "a"}}}},
                 {{"method", "PATCH"},
                  {"url", "/api/collections/posts/records/p%2F1?expand=author"},
                  {"headers", {{"X-Trace", "1"}}},
                  {"body", {{"title", "b"}}}},
                 {{"method", "PUT"},
                  {"url", "/api/collections/my%20posts/records"},
                  {"body", {{"id", "p2"}, {"title", "c"}}}},
                 {{"method", "DELETE"}, {"url", "/api/collections/posts/records/p3"}, {"body", json::object()}}}}});
    REQUIRE(results.size() == 4);
    CHECK(results[0].status == 200);
    CHECK(results[0].body["id"] == "n1");
    CHECK(results[3].status == 204);
    CHECK(results[3].body.is_null());
}

TEST_CASE("batch: bad input is refused before anything is queued, odd answers are invalid_response") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto batch = pb.create_batch();
    CHECK_THROWS_AS(batch.collection(""), std::invalid_argument);
    CHECK_THROWS_AS(batch.collection("posts").update("..", {}), std::invalid_argument);
    CHECK_THROWS_AS(batch.collection("posts").create(json::array()), std::invalid_argument);
    bosbase::request_options bad_header;
    bad_header.headers = {{"X-A", "a\r\nInjected: 1"}};
    CHECK_THROWS_AS(batch.collection("posts").create({}, bad_header), std::invalid_argument);
    CHECK(batch.size() == 0);

    batch.collection("posts").create({{"title", "a"}});
    for (const json& bad : {json{{"status", 200}}, json::array({{{"body", {}}}}), json::array({1}),
                            json::array({{{"status", "200"}}})}) {
        t.reply_json(200, bad);
        try {
            batch.send();
            FAIL("no error");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 200);
            CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        }
    }

    t.reply_json(403, {{"data", json::object()}, {"message", "Batch requests are not allowed."}, {"status", 403}});
    try {
        batch.send();
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 403);
        CHECK(std::string(e.what()) ==
              "bosbase: HTTP 403: Batch requests are not allowed. (http://127.0.0.1:8090/api/batch)");
    }
}

TEST_CASE("batch with files: one multipart POST, @jsonPayload with the requests, files as requests.{i}.{field}") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto batch = pb.create_batch();
    batch.collection("posts").create({{"title", "no files"}});
    batch.collection("docs").create_with_files(
        {{"title", "two files"}, {"n", 7}},
        {{"files", bosbase::file_part::from_bytes("a.txt", "alpha", "text/plain")},
         {"files+", bosbase::file_part::from_bytes("b.bin", std::string("b\0\r\n", 4))}});
    batch.collection("docs").update_with_files("d1", {{"files-", {"old.png"}}},
                                               {{"+cover", bosbase::file_part::from_bytes("c.png", "PNG", "image/png")}});
    batch.collection("docs").upsert_with_files({{"id", "d2"}}, {});  // no files: plain JSON in the payload
    CHECK(batch.size() == 4);

    t.reply_json(200, json::array({{{"status", 200}, {"body", {{"id", "p"}}}},
                                   {{"status", 200}, {"body", {{"id", "d"}}}},
                                   {{"status", 200}, {"body", {{"id", "d1"}}}},
                                   {{"status", 200}, {"body", {{"id", "d2"}}}}}));
    const auto results = batch.send();
    REQUIRE(results.size() == 4);
    CHECK(results[2].body["id"] == "d1");

    const auto& req = t.last();
    CHECK(req.method == "POST");
    CHECK(req.target == "/api/batch");
    const std::string prefix = "multipart/form-data; boundary=";
    REQUIRE(req.content_type.rfind(prefix, 0) == 0);
    const std::string b = req.content_type.substr(prefix.size());
    const json payload{
        {"requests",
         {{{"method", "POST"}, {"url", "/api/collections/posts/records"}, {"body", {{"title", "no files"}}}},
          {{"method", "POST"}, {"url", "/api/collections/docs/records"}, {"body", {{"n", 7}, {"title", "two files"}}}},
          {{"method", "PATCH"}, {"url", "/api/collections/docs/records/d1"}, {"body", {{"files-", {"old.png"}}}}},
          {{"method", "PUT"}, {"url", "/api/collections/docs/records"}, {"body", {{"id", "d2"}}}}}}};
    const std::string expected =
        "--" + b + "\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n" + payload.dump() + "\r\n" +
        "--" + b + "\r\nContent-Disposition: form-data; name=\"requests.1.files\"; filename=\"a.txt\"\r\n" +
        "Content-Type: text/plain\r\n\r\nalpha\r\n" +
        "--" + b + "\r\nContent-Disposition: form-data; name=\"requests.1.files+\"; filename=\"b.bin\"\r\n" +
        "Content-Type: application/octet-stream\r\n\r\n" + std::string("b\0\r\n", 4) + "\r\n" +
        "--" + b + "\r\nContent-Disposition: form-data; name=\"requests.2.+cover\"; filename=\"c.png\"\r\n" +
        "Content-Type: image/png\r\n\r\nPNG\r\n" +
        "--" + b + "--\r\n";
    CHECK(req.body == expected);

    SUBCASE("a batch without files stays JSON") {
        auto plain = pb.create_batch();
        plain.collection("posts").create_with_files({{"title", "x"}}, {});
        t.reply_json(200, json::array({{{"status", 200}, {"body", nullptr}}}));
        CHECK(plain.send().size() == 1);
        CHECK(t.last().content_type == "application/json");
    }
    SUBCASE("a file field that cannot carry a file is refused when queued") {
        auto bad = pb.create_batch();
        const auto f = bosbase::file_part::from_bytes("x", "x");
        CHECK_THROWS_AS(bad.collection("docs").create_with_files({}, {{"files-", f}}), std::invalid_argument);
        CHECK_THROWS_AS(bad.collection("docs").create_with_files({}, {{"", f}}), std::invalid_argument);
        CHECK(bad.size() == 0);
    }
    SUBCASE("the multipart body counts against max_request_bytes before anything is sent") {
        bosbase::client_options small;
        small.max_request_bytes = 256;
        fake_client tight("http://127.0.0.1:8090", t, small);
        auto big = tight.create_batch();
        big.collection("docs").create_with_files({}, {{"files", bosbase::file_part::from_bytes("x", std::string(300, 'x'))}});
        const auto sent = t.count();
        CHECK_THROWS_AS(big.send(), std::invalid_argument);
        CHECK(t.count() == sent);
    }
}

TEST_CASE("health, collections, settings, logs, backups and crons use the JS SDK's routes and bodies") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto reply_object = [&] { t.reply_json(200, {{"ok", true}}); };
    auto reply_array = [&] { t.reply_json(200, json::array()); };
    auto reply_204 = [&] { t.reply(204); };
    bosbase::request_options filtered;
    filtered.filter = "level > 0";

    check_calls(t, {
        {[&] { reply_object(); CHECK(pb.health().check()["ok"] == true); }, "GET", "/api/health", nullptr},

        {[&] { reply_object(); pb.collections().get_list(2, 10, filtered); }, "GET",
         "/api/collections?page=2&perPage=10&filter=level%20%3E%200", nullptr},
        {[&] { t.reply_json(200, {{"items", json::array({{{"name", "c"}}})}, {"perPage", 500}});
               CHECK(pb.collections().get_full_list().size() == 1); }, "GET",
         "/api/collections?page=1&perPage=500&skipTotal=1", nullptr},
        {[&] { reply_object(); pb.collections().get_one("my posts"); }, "GET", "/api/collections/my%20posts", nullptr},
        {[&] { reply_object(); pb.collections().create({{"name", "notes"}, {"type", "base"}}); }, "POST",
         "/api/collections", json{{"name", "notes"}, {"type", "base"}}},
        {[&] { reply_object(); pb.collections().update("notes", {{"listRule", ""}}); }, "PATCH",
         "/api/collections/notes", json{{"listRule", ""}}},
        {[&] { reply_204(); pb.collections().remove("notes"); }, "DELETE", "/api/collections/notes", nullptr},
        {[&] { reply_204(); pb.collections().truncate("notes"); }, "DELETE", "/api/collections/notes/truncate",
         nullptr},
        {[&] { reply_204(); pb.collections().import_collections(json::array({{{"name", "a"}}}), true); }, "PUT",
         "/api/collections/import", json{{"collections", {{{"name", "a"}}}}, {"deleteMissing", true}}},
        {[&] { reply_object(); pb.collections().get_scaffolds(); }, "GET", "/api/collections/meta/scaffolds",
         nullptr},

        {[&] { reply_object(); pb.settings().get_all(); }, "GET", "/api/settings", nullptr},
        {[&] { reply_object(); pb.settings().update({{"batch", {{"enabled", true}}}}); }, "PATCH", "/api/settings",
         json{{"batch", {{"enabled", true}}}}},
        {[&] { reply_204(); pb.settings().test_s3(); }, "POST", "/api/settings/test/s3",
         json{{"filesystem", "storage"}}},
        {[&] { reply_204(); pb.settings().test_s3("backups"); }, "POST", "/api/settings/test/s3",
         json{{"filesystem", "backups"}}},
        {[&] { reply_204(); pb.settings().test_email("users", "a@b.io", "verification"); }, "POST",
         "/api/settings/test/email", json{{"email", "a@b.io"}, {"template", "verification"}, {"collection", "users"}}},

        {[&] { reply_object(); pb.logs().get_list(1, 20, filtered); }, "GET",
         "/api/logs?page=1&perPage=20&filter=level%20%3E%200", nullptr},
        {[&] { reply_object(); pb.logs().get_one("log 1"); }, "GET", "/api/logs/log%201", nullptr},
        {[&] { reply_array(); pb.logs().get_stats(filtered); }, "GET", "/api/logs/stats?filter=level%20%3E%200",
         nullptr},

        {[&] { reply_array(); pb.backups().get_full_list(); }, "GET", "/api/backups", nullptr},
        {[&] { reply_204(); pb.backups().create("nightly.zip"); }, "POST", "/api/backups",
         json{{"name", "nightly.zip"}}},
        {[&] { reply_204(); pb.backups().restore("nightly.zip"); }, "POST", "/api/backups/nightly.zip/restore",
         nullptr},
        {[&] { reply_204(); pb.backups().remove("a b.zip"); }, "DELETE", "/api/backups/a%20b.zip", nullptr},

        {[&] { reply_array(); pb.crons().get_full_list(); }, "GET", "/api/crons", nullptr},
        {[&] { reply_204(); pb.crons().run("__pbLogsCleanup__"); }, "POST", "/api/crons/__pbLogsCleanup__",
         nullptr},
    });

    CHECK(pb.backups().download_url("file-token", "a b.zip") ==
          "http://127.0.0.1:8090/api/backups/a%20b.zip?token=file-token");
    CHECK_THROWS_AS(pb.collections().get_one(""), std::invalid_argument);
    CHECK_THROWS_AS(pb.collections().truncate(".."), std::invalid_argument);
    CHECK_THROWS_AS(pb.collections().import_collections(json::object()), std::invalid_argument);
    CHECK_THROWS_AS(pb.logs().get_one(""), std::invalid_argument);
    CHECK_THROWS_AS(pb.backups().remove("."), std::invalid_argument);
    CHECK_THROWS_AS(pb.crons().run(""), std::invalid_argument);
    CHECK_THROWS_AS(pb.settings().update(json::array()), std::invalid_argument);
}

TEST_CASE("services of a moved-from client refuse clearly, services outlive their client") {
    fake_transport t;
    auto pb = std::make_unique<fake_client>("http://127.0.0.1:8090", t);
    auto health = pb->health();
    auto batch = pb->create_batch();
    fake_client other(std::move(*pb));
    CHECK(misuse_error([&] { (void)pb->health(); }) == "logic_error");  // NOLINT(bugprone-use-after-move)
    CHECK(misuse_error([&] { (void)pb->create_batch(); }) == "logic_error");
    pb.reset();
    t.reply_json(200, {{"code", 200}});
    CHECK(health.check()["code"] == 200);
}
