// One call shape: required arguments, then one request_options. What options.body adds to
// a request (and where it is refused), and async's options.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <chrono>
#include <future>
#include <sstream>
#include <stdexcept>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("options.body adds fields to the call's JSON body, and the call's own fields win") {
    fake_transport t;
    fake_client pb("http://h", t);
    bosbase::request_options o;
    o.body = {{"identity", "someone-else@x.io"}, {"password", "not-this"}, {"mfaId", "m1"}};

    t.reply_json(200, auth_response(valid_auth_token()));
    pb.collection("users").auth_with_password("u@x.io", "pw-123456", o);
    CHECK(json::parse(t.last().body) == json{{"identity", "u@x.io"}, {"mfaId", "m1"}, {"password", "pw-123456"}});

    // The seed calls keep their positional body; it wins over options.body, the call's fields over both.
    t.reply(204);
    o.body = {{"token", "other"}, {"note", "from options"}, {"extra", 2}};
    pb.collection("users").bind_custom_token("u@x.io", "pw-123456", "tok-123456", {{"note", "positional"}}, {}, o);
    CHECK(json::parse(t.last().body) == json{{"email", "u@x.io"}, {"password", "pw-123456"}, {"token", "tok-123456"},
                                             {"note", "positional"}, {"extra", 2}});

    t.reply_json(200, {{"id", "r1"}});
    o.body = {{"title", "not this"}, {"draft", true}};
    (void)pb.collection("posts").create(json{{"title", "Hello"}}, o);
    CHECK(json::parse(t.last().body) == json{{"title", "Hello"}, {"draft", true}});

    t.reply_json(200, {{"ok", true}});
    o.body = {{"x", 1}};
    (void)pb.send("POST", "/api/custom", nullptr, o);  // no body of its own: options.body is the body
    CHECK(t.last().content_type == "application/json");
    CHECK(json::parse(t.last().body) == json{{"x", 1}});
}

TEST_CASE("options.body reaches a record upload as form fields") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply_json(200, {{"id", "r1"}});
    bosbase::request_options o;
    o.body = {{"title", "not this"}, {"draft", true}};
    (void)pb.collection("docs").create_with_files(
        json{{"title", "Hello"}}, {{"file", bosbase::file_part::from_bytes("a.txt", "hi", "text/plain")}}, o);
    const std::string& body = t.last().body;
    const auto start = body.find("\r\n\r\n") + 4;
    CHECK(json::parse(body.substr(start, body.find("\r\n--", start) - start)) == json{{"title", "Hello"}, {"draft", true}});
}

TEST_CASE("options.body that cannot be added is refused before anything is sent") {
    fake_transport t;
    fake_client pb("http://h", t);
    bosbase::request_options o;

    o.body = json::array({1, 2});
    CHECK_THROWS_WITH_AS(pb.collection("users").auth_with_password("u@x.io", "pw-123456", o),
                         "bosbase: request_options.body must be a JSON object, got array", std::invalid_argument);

    o.body = {{"x", 1}};
    CHECK_THROWS_WITH_AS((void)pb.send("POST", "/api/custom", json::array({1}), o),
                         "bosbase: request_options.body adds fields to a JSON object, and this call's body is array",
                         std::invalid_argument);
    // Bodies that are not JSON: dropping the fields without a word would be a silent success.
    CHECK_THROWS_AS((void)pb.scripts().upload(bosbase::file_part::from_bytes("a.sh", "echo"), {}, o),
                    std::invalid_argument);
    std::ostringstream out;
    CHECK_THROWS_AS(pb.files().download(json{{"id", "p1"}, {"collectionName", "posts"}}, "a.txt", out, {}, o),
                    std::invalid_argument);
    CHECK(t.count() == 0);
}

TEST_CASE("async takes its cancel token in request_options, and refuses the options that belong to the calls") {
    fake_transport t;
    fake_client pb("http://h", t);
    bosbase::request_options job;
    job.cancel = bosbase::cancel_token();
    job.cancel->cancel();
    auto never = pb.async([](const fake_client& c) { return c.collection("posts").get_one("p1"); }, job);
    CHECK_THROWS_AS(never.get(), bosbase::ClientResponseError);

    t.reply_json(200, {{"id", "p1"}});
    CHECK(pb.async([](const fake_client& c) { return c.collection("posts").get_one("p1"); }, {}).get()["id"] == "p1");

    bosbase::request_options late;
    late.deadline = std::chrono::seconds(1);
    CHECK_THROWS_AS((void)pb.async([](const fake_client&) { return 1; }, late), std::invalid_argument);
    CHECK_THROWS_AS(pb.async_callback([](const fake_client&) { return 1; }, [](std::future<int>) {}, late),
                    std::invalid_argument);
    CHECK(t.count() == 1);
}

TEST_CASE("download takes plain request_options too, as every other call does") {
    fake_transport t;
    fake_client pb("http://h", t);
    t.reply(200, "hello");
    bosbase::request_options o;
    o.headers = {{"X-Trace", "7"}};
    std::ostringstream out;
    CHECK(pb.files().download(json{{"id", "p1"}, {"collectionName", "posts"}}, "a.txt", out, o) == 5);
    CHECK(out.str() == "hello");
    CHECK(t.last().target == "/api/files/posts/p1/a.txt");
    CHECK(header(t.last(), "X-Trace") == "7");

    t.reply(200, "zip");
    std::ostringstream backup;
    bosbase::download_options with_token;  // the backup's token given: no token call first
    with_token.token = "file-token-1";
    CHECK(pb.backups().download("b.zip", backup, bosbase::detail::joined(with_token, o)) == 3);
    CHECK(header(t.last(), "X-Trace") == "7");
    t.reply_json(200, {{"token", "file-token-2"}});
    t.reply(200, "zip");
    CHECK(pb.backups().download("b.zip", backup, o) == 3);  // request_options alone: fetches a token
    CHECK(t.last().target == "/api/backups/b.zip?token=file-token-2");
    CHECK(header(t.last(), "X-Trace") == "7");
}
