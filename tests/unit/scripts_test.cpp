// pb.scripts() and pb.script_permissions(): the exact request of every call, the answer
// shapes, wait() (polls, deadline over the whole wait, cancel during a pause) and
// execute_sse over the streaming call.
#include <doctest/doctest.h>
#include <error_of.hpp>
#include <fake_transport.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using bosbase::json;
using namespace bosbase_test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

template <class F>
void check_bad_script_answer(fake_transport& t, int status, const std::string& body, F&& call) {
    CAPTURE(body);
    t.reply(status, body);
    const auto e = error_of(call);
    CHECK(e.status() == status);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
}

void check_script_request(fake_transport& t, const std::string& method, const std::string& target,
                   const std::string& body = {}) {
    CHECK(t.last().method == method);
    CHECK(t.last().target == target);
    CHECK(t.last().body == body);
}

const json script_json{{"id", "s1"},        {"name", "greet"},      {"content", "def main(*args):\n    return 'hi'\n"},
                       {"version", 1},      {"created", "2026-01-01 10:00:00.000Z"},
                       {"updated", "2026-01-01 10:00:00.000Z"}};

json running(const std::string& id) { return {{"id", id}, {"status", "running"}, {"startedAt", "2026-01-01T10:00:00Z"}}; }

// Signals from the transport's thread to the test's: a bounded wait, never a sleep.
struct beacon {
    std::mutex m;
    std::condition_variable cv;
    int count = 0;
    void fire() {
        std::lock_guard<std::mutex> lock(m);
        ++count;
        cv.notify_all();
    }
    bool wait_for(int n, std::chrono::milliseconds limit = 5000ms) {
        std::unique_lock<std::mutex> lock(m);
        return cv.wait_for(lock, limit, [&] { return count >= n; });
    }
};

}  // namespace

TEST_CASE("scripts: list, create, get, update and remove") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"items", {script_json, {{"id", "s2"}, {"name", "b"}, {"content", "x"}, {"version", 3},
                                                 {"description", "d"}}}}});
    auto all = pb.scripts().list();
    check_script_request(t, "GET", "/api/scripts");
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "greet");
    CHECK(all[0].description.empty());
    CHECK(all[0].created == "2026-01-01 10:00:00.000Z");
    CHECK(all[1].version == 3);
    CHECK(all[1].description == "d");
    CHECK(all[1].raw["id"] == "s2");

    t.reply_json(201, script_json);
    auto made = pb.scripts().create("greet", "def main(*args):\n    return 'hi'\n");
    check_script_request(t, "POST", "/api/scripts",
                  R"({"content":"def main(*args):\n    return 'hi'\n","description":"","name":"greet"})");
    CHECK(made.id == "s1");
    CHECK(made.version == 1);

    t.reply_json(201, script_json);
    (void)pb.scripts().create("greet", "x", "says hi");
    check_script_request(t, "POST", "/api/scripts", R"({"content":"x","description":"says hi","name":"greet"})");

    t.reply_json(200, script_json);
    (void)pb.scripts().get("my script");
    check_script_request(t, "GET", "/api/scripts/my%20script");

    t.reply_json(200, script_json);
    bosbase::script_update changes;
    changes.description = "new";
    (void)pb.scripts().update("greet", changes);
    check_script_request(t, "PATCH", "/api/scripts/greet", R"({"description":"new"})");
    changes.content = "c";
    t.reply_json(200, script_json);
    (void)pb.scripts().update("greet", changes);
    check_script_request(t, "PATCH", "/api/scripts/greet", R"({"content":"c","description":"new"})");
    t.reply_json(400, {{"status", 400}, {"message", "At least one of content or description must be provided."}});
    CHECK(error_of([&] { (void)pb.scripts().update("greet", {}); }).status() == 400);  // the server decides
    check_script_request(t, "PATCH", "/api/scripts/greet", "{}");

    t.reply(204);
    pb.scripts().remove("greet");
    check_script_request(t, "DELETE", "/api/scripts/greet");

    for (const char* bad : {R"({"name":"a","content":"c","version":1})", R"({"id":"i","content":"c","version":1})",
                            R"({"id":"i","name":"a","version":1})", R"({"id":"i","name":"a","content":"c"})",
                            R"({"id":"i","name":"a","content":"c","version":"1"})",
                            R"({"id":"i","name":"a","content":"c","version":1,"description":5})"}) {
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.scripts().get("a"); });
        check_bad_script_answer(t, 200, std::string(R"({"items":[)") + bad + "]}", [&] { (void)pb.scripts().list(); });
    }
    check_bad_script_answer(t, 200, R"({"items":{}})", [&] { (void)pb.scripts().list(); });
    check_bad_script_answer(t, 200, R"([])", [&] { (void)pb.scripts().list(); });

    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.scripts().get(""), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().update("..", {}), std::invalid_argument);
    CHECK_THROWS_AS(pb.scripts().remove("."), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().execute(""), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().execute_async(".."), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().execute_async_status(""), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().wasm_async_status(""), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().command_status(".."), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().create("a", std::string("\xc3")), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("scripts: execute, the async starts and their status routes") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"output", "hello"}});
    auto out = pb.scripts().execute("greet");
    check_script_request(t, "POST", "/api/scripts/greet/execute", "{}");
    CHECK(out.output == "hello");

    t.reply_json(200, {{"output", "{\"n\":2}"}});
    out = pb.scripts().execute("greet", {"a", "b c"}, "stats");
    check_script_request(t, "POST", "/api/scripts/greet/execute", R"({"arguments":["a","b c"],"function_name":"stats"})");
    CHECK(out.output == "{\"n\":2}");

    t.reply_json(202, {{"id", "job-1"}, {"status", "running"}});
    auto job = pb.scripts().execute_async("greet", {"x"});
    check_script_request(t, "POST", "/api/scripts/async/greet/execute", R"({"arguments":["x"]})");
    CHECK(job.id == "job-1");
    CHECK(job.status == "running");
    CHECK(job.kind == bosbase::script_job_kind::execute);

    const json done{{"id", "job-1"},         {"scriptName", "greet"},          {"status", "done"},
                    {"output", "hi x"},      {"startedAt", "2026-01-01T10:00:00Z"}, {"finishedAt", "2026-01-01T10:00:01Z"}};
    t.reply_json(200, done);
    auto status = pb.scripts().execute_async_status("job-1");
    check_script_request(t, "GET", "/api/scripts/async/job-1");
    CHECK(status.finished());
    CHECK_FALSE(status.failed());
    CHECK(status.output == "hi x");
    CHECK(status.script_name == "greet");
    CHECK(status.started_at == "2026-01-01T10:00:00Z");
    CHECK(status.finished_at == "2026-01-01T10:00:01Z");
    CHECK(status.raw == done);

    t.reply_json(200, {{"output", "x\n"}});
    out = pb.scripts().command("echo x");
    check_script_request(t, "POST", "/api/scripts/command", R"({"command":"echo x"})");
    CHECK(out.output == "x\n");

    t.reply_json(200, {{"id", "cmd-1"}, {"status", "running"}});  // 200, not 202, for commands
    job = pb.scripts().command_async("sleep 1");
    check_script_request(t, "POST", "/api/scripts/command", R"({"async":true,"command":"sleep 1"})");
    CHECK(job.kind == bosbase::script_job_kind::command);

    t.reply_json(200, {{"id", "cmd-1"}, {"status", "error"}, {"command", "sleep 1"}, {"output", "o"},
                       {"error", "exit status 3"}, {"startedAt", "s"}, {"finishedAt", "f"}});
    status = pb.scripts().command_status("cmd/1");
    check_script_request(t, "GET", "/api/scripts/command/cmd%2F1");
    CHECK(status.failed());
    CHECK(status.command == "sleep 1");
    CHECK(status.error == "exit status 3");

    t.reply_json(200, {{"output", "3"}, {"stdout", ""}, {"stderr", "warn"}, {"duration", "1.2ms"}});
    auto w = pb.scripts().wasm("--func=add", "math.wasm", "1 2");
    check_script_request(t, "POST", "/api/scripts/wasm", R"({"options":"--func=add","params":"1 2","wasm":"math.wasm"})");
    CHECK(w.output == "3");
    CHECK(w.stderr_text == "warn");
    CHECK(w.duration == "1.2ms");

    t.reply_json(202, {{"id", "w-1"}, {"status", "running"}});
    job = pb.scripts().wasm_async("", "math.wasm");
    check_script_request(t, "POST", "/api/scripts/wasm/async", R"({"options":"","params":"","wasm":"math.wasm"})");
    CHECK(job.kind == bosbase::script_job_kind::wasm);

    t.reply_json(200, {{"id", "w-1"}, {"wasmName", "math.wasm"}, {"status", "done"}, {"function", "add"},
                       {"options", "--func=add"}, {"parameters", "1 2"}, {"output", "3"}, {"stdout", "3"},
                       {"stderr", ""}, {"duration", "2ms"}, {"startedAt", "s"}});
    status = pb.scripts().wasm_async_status("w-1");
    check_script_request(t, "GET", "/api/scripts/wasm/async/w-1");
    CHECK(status.wasm_name == "math.wasm");
    CHECK(status.function == "add");
    CHECK(status.parameters == "1 2");
    CHECK(status.stdout_text == "3");
    CHECK(status.duration == "2ms");

    for (const char* bad : {R"({})", R"({"output":1})", R"([])"}) {
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.scripts().execute("a"); });
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.scripts().command("a"); });
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.scripts().wasm("", "a"); });
    }
    for (const char* bad : {R"({"status":"running"})", R"({"id":"j"})", R"({"id":1,"status":"running"})"}) {
        check_bad_script_answer(t, 202, bad, [&] { (void)pb.scripts().execute_async("a"); });
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.scripts().execute_async_status("j"); });
    }
    check_bad_script_answer(t, 200, R"({"id":"j","status":"done","output":5})", [&] { (void)pb.scripts().command_status("j"); });
    check_bad_script_answer(t, 200, R"({"output":"o","stdout":1})", [&] { (void)pb.scripts().wasm("", "a"); });
}

TEST_CASE("scripts: upload sends the file and the optional path as multipart") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"output", "uploaded tools/run.sh to /pb/functions"}, {"path", "/pb/functions/tools/run.sh"}});
    auto up = pb.scripts().upload(bosbase::file_part::from_bytes("run.sh", "echo hi\n", "text/x-sh"), "tools/run.sh");
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/scripts/upload");
    const std::string& ct = t.last().content_type;
    REQUIRE(ct.rfind("multipart/form-data; boundary=", 0) == 0);
    const std::string boundary = ct.substr(std::string("multipart/form-data; boundary=").size());
    CHECK(t.last().body == "--" + boundary + "\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n" +
                               R"({"path":"tools/run.sh"})" + "\r\n--" + boundary +
                               "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"run.sh\"\r\n"
                               "Content-Type: text/x-sh\r\n\r\necho hi\n\r\n--" + boundary + "--\r\n");
    CHECK(up.output == "uploaded tools/run.sh to /pb/functions");
    CHECK(up.path == "/pb/functions/tools/run.sh");

    t.reply_json(200, {{"output", "uploaded run.sh to /pb/functions"}});
    up = pb.scripts().upload(bosbase::file_part::from_bytes("run.sh", "x"));
    CHECK(t.last().body.find("@jsonPayload") == std::string::npos);  // no path: the server takes the file's name
    CHECK(up.path.empty());

    check_bad_script_answer(t, 200, R"({"path":"/x"})", [&] { (void)pb.scripts().upload(bosbase::file_part::from_bytes("a", "b")); });
}

TEST_CASE("script permissions: create, get, update and remove with snake_case bodies") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const json perm{{"id", "p1"}, {"scriptId", "s1"}, {"scriptName", "greet"}, {"content", "user"}, {"version", 1},
                    {"created", "c"}, {"updated", "u"}};

    t.reply_json(201, perm);
    auto made = pb.script_permissions().create("greet", "user");
    check_script_request(t, "POST", "/api/script-permissions", R"({"content":"user","script_name":"greet"})");
    CHECK(made.script_id == "s1");
    CHECK(made.script_name == "greet");
    CHECK(made.content == "user");
    CHECK(made.version == 1);

    t.reply_json(201, {{"id", "p2"}, {"scriptName", "later"}, {"content", "anonymous"}, {"version", 1}});
    made = pb.script_permissions().create("later", "anonymous", "s9");
    check_script_request(t, "POST", "/api/script-permissions", R"({"content":"anonymous","script_id":"s9","script_name":"later"})");
    CHECK(made.script_id.empty());

    t.reply_json(200, perm);
    (void)pb.script_permissions().get("my script");
    check_script_request(t, "GET", "/api/script-permissions/my%20script");

    t.reply_json(200, perm);
    bosbase::script_permission_update changes;
    changes.content = "superuser";
    changes.script_name = "greet2";
    changes.script_id = "";
    (void)pb.script_permissions().update("greet", changes);
    check_script_request(t, "PATCH", "/api/script-permissions/greet",
                  R"({"content":"superuser","script_id":"","script_name":"greet2"})");

    t.reply(204);
    pb.script_permissions().remove("greet");
    check_script_request(t, "DELETE", "/api/script-permissions/greet");

    for (const char* bad : {R"({"scriptName":"a","content":"user","version":1})", R"({"id":"p","content":"user","version":1})",
                            R"({"id":"p","scriptName":"a","version":1})", R"({"id":"p","scriptName":"a","content":"user"})",
                            R"({"id":"p","scriptName":"a","content":"user","version":1,"scriptId":2})"}) {
        check_bad_script_answer(t, 200, bad, [&] { (void)pb.script_permissions().get("a"); });
    }
    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.script_permissions().get(""), std::invalid_argument);
    CHECK_THROWS_AS(pb.script_permissions().remove(".."), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("scripts: wait polls the job's own status route until it is done or error") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    struct kind_case {
        bosbase::script_job_kind kind;
        std::string route;
    };
    for (const auto& k : {kind_case{bosbase::script_job_kind::execute, "/api/scripts/async/j%201"},
                          kind_case{bosbase::script_job_kind::wasm, "/api/scripts/wasm/async/j%201"},
                          kind_case{bosbase::script_job_kind::command, "/api/scripts/command/j%201"}}) {
        CAPTURE(k.route);
        const auto before = t.count();
        t.reply_json(200, running("j 1"));
        t.reply_json(200, running("j 1"));
        t.reply_json(200, {{"id", "j 1"}, {"status", "done"}, {"output", "ok"}});
        bosbase::script_job job;
        job.id = "j 1";
        job.kind = k.kind;
        const auto status = pb.scripts().wait(job, 1ms);
        CHECK(status.status == "done");
        CHECK(status.output == "ok");
        REQUIRE(t.count() == before + 3);
        for (std::size_t i = before; i < t.count(); ++i) {
            CHECK(t.s->requests[i].method == "GET");
            CHECK(t.s->requests[i].target == k.route);
        }
    }

    // An "error" ends the wait as a result, and a status it does not know keeps it going.
    t.reply_json(200, {{"id", "j"}, {"status", "queued"}});
    t.reply_json(200, {{"id", "j"}, {"status", "error"}, {"error", "boom"}, {"output", ""}});
    bosbase::script_job job;
    job.id = "j";
    const auto failed = pb.scripts().wait(job, 1ms);
    CHECK(failed.failed());
    CHECK(failed.error == "boom");

    // Errors of a poll end the wait as they are.
    t.reply_json(404, {{"status", 404}, {"message", "Job not found."}, {"data", json::object()}});
    CHECK(error_of([&] { (void)pb.scripts().wait(job, 1ms); }).status() == 404);
    check_bad_script_answer(t, 200, R"({"id":"j"})", [&] { (void)pb.scripts().wait(job, 1ms); });

    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.scripts().wait(job, 0ms), std::invalid_argument);
    job.id = "";
    CHECK_THROWS_AS((void)pb.scripts().wait(job), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("scripts: the call's deadline bounds the whole wait, not one poll") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    for (int i = 0; i < 1000; ++i) t.reply_json(200, running("j"));
    bosbase::script_job job;
    job.id = "j";
    job.kind = bosbase::script_job_kind::command;
    bosbase::request_options options;
    options.deadline = 300ms;
    const auto started = clock_type::now();
    const auto e = error_of([&] { (void)pb.scripts().wait(job, 40ms, options); });
    const auto took = clock_type::now() - started;
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK(e.status() == 0);
    CHECK(e.is_network());
    CHECK(std::string(e.what()).find("waiting for the command job j exceeded its deadline of 300 ms") !=
          std::string::npos);
    CHECK(took >= 300ms);
    CHECK(took < 3s);
    // Several polls fit in the budget; one poll's own deadline is what is left of it.
    CHECK(t.count() >= 3);
    CHECK(t.count() <= 9);
    CHECK(t.s->requests[0].deadline > started + 250ms);
    for (const auto& poll : t.s->requests) CHECK(poll.deadline <= started + 300ms + 50ms);
}

// The cancel lands during the first poll or in the pause after it (the canceller cannot tell
// which): either way the wait ends at once, with the same answer.
TEST_CASE("scripts: a cancel during a poll or the pause between polls ends the wait at once") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    beacon polled;
    for (int i = 0; i < 4; ++i) {
        t.s->script.push_back([&polled](const bosbase::http_request&) {
            polled.fire();
            return bosbase::http_response{200, {}, running("j").dump()};
        });
    }
    bosbase::script_job job;
    job.id = "j";
    bosbase::cancel_token cancel;
    bosbase::request_options options;
    options.cancel = cancel;
    options.deadline = 60s;
    clock_type::time_point cancelled_at;
    std::thread canceller([&] {
        REQUIRE(polled.wait_for(1));
        cancelled_at = clock_type::now();
        cancel.cancel();
    });
    const auto e = error_of([&] { (void)pb.scripts().wait(job, 30s, options); });  // a long pause: cancelled in it
    const auto returned = clock_type::now();
    canceller.join();
    CHECK(e.is_abort());
    CHECK(std::string(e.what()).find("waiting for the script job j was cancelled") != std::string::npos);
    CHECK(returned - cancelled_at < 2s);
    CHECK(t.count() == 1);

    // A token cancelled before the wait: no poll at all.
    const auto e2 = error_of([&] { (void)pb.scripts().wait(job, 1ms, options); });
    CHECK(e2.is_abort());
    CHECK(t.count() == 1);

    // Cancelled inside a poll (the transport cancels it): the wait's own answer too.
    bosbase::cancel_token inside;
    options.cancel = inside;
    t.s->script.clear();
    t.s->script.push_back([inside](const bosbase::http_request&) mutable {
        inside.cancel();
        return bosbase::http_response{200, {}, running("j").dump()};
    });
    const auto e3 = error_of([&] { (void)pb.scripts().wait(job, 30s, options); });
    CHECK(e3.is_abort());
    CHECK(std::string(e3.what()).find("waiting for the script job j was cancelled") != std::string::npos);
    CHECK(t.count() == 2);
}

TEST_CASE("scripts: wait inside pb.async() obeys the job's token") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    beacon polled;
    for (int i = 0; i < 4; ++i) {
        t.s->script.push_back([&polled](const bosbase::http_request&) {
            polled.fire();
            return bosbase::http_response{200, {}, running("j").dump()};
        });
    }
    bosbase::cancel_token token;
    auto future = pb.async(
        [](const fake_client& c) {
            bosbase::script_job job;
            job.id = "j";
            bosbase::request_options options;
            options.deadline = 60s;
            return c.scripts().wait(job, 30s, options);
        },
        token);
    REQUIRE(polled.wait_for(1));
    token.cancel();
    REQUIRE(future.wait_for(5s) == std::future_status::ready);
    const auto e = error_of([&] { (void)future.get(); });
    CHECK(e.is_abort());
}

namespace {

// A transport with the streaming call, for execute_sse: each stream() runs the test's handler.
struct sse_transport {
    using handler = std::function<bosbase::http_response(const bosbase::http_request&, const bosbase::stream_handler&)>;
    struct state {
        std::vector<bosbase::http_request> streams;
        handler on_stream;
    };
    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        throw std::logic_error("sse_transport: unexpected send of " + req.target);
    }
    bosbase::http_response stream(const bosbase::http_request& req, const bosbase::stream_handler& on_data) {
        s->streams.push_back(req);
        return s->on_stream(req, on_data);
    }
};
using sse_client = bosbase::basic_bosbase<sse_transport>;

// Feeds `chunks` and answers `status` (the body then being the error's).
sse_transport::handler chunks_then(std::vector<std::string> chunks, int status = 200, std::string body = {}) {
    return [chunks, status, body](const bosbase::http_request&, const bosbase::stream_handler& on_data) {
        if (status >= 200 && status <= 299) {
            for (const auto& c : chunks) {
                if (!on_data(c)) break;
            }
        }
        return bosbase::http_response{status, {{"Content-Type", "text/event-stream"}}, body};
    };
}

// Holds the stream open until its cancel token fires (bounded), like a script that runs long.
sse_transport::handler hold_until_cancelled(beacon& opened) {
    return [&opened](const bosbase::http_request& req, const bosbase::stream_handler&) -> bosbase::http_response {
        auto done = std::make_shared<beacon>();
        bosbase::cancel_token::registration r;
        if (req.cancel) r = req.cancel->on_cancel([done] { done->fire(); });
        opened.fire();
        if (!done->wait_for(1, 10s)) throw std::logic_error("never cancelled");
        throw bosbase::transport_error(bosbase::error_kind::canceled, "stream cancelled");
    };
}

}  // namespace

TEST_CASE("scripts: execute_sse sends the arguments and ?token= and returns the one {output} event") {
    sse_transport t;
    sse_client pb("http://127.0.0.1:8090", t, [] {
        bosbase::client_options o;
        o.headers = {{"X-App", "1"}};
        return o;
    }());
    const std::string token = valid_auth_token();
    pb.auth_store().save(token, {{"id", "r1"}, {"collectionId", "pbc_3142635823"}, {"collectionName", "_superusers"}});

    t.s->on_stream = chunks_then({"da", "ta:{\"output\":\"hi a\"}\n", "\n", "data:{\"output\":\"second\"}\n\n"});
    auto out = pb.scripts().execute_sse("greet", {"a", "b c"}, "main");
    CHECK(out.output == "hi a");
    REQUIRE(t.s->streams.size() == 1);
    const auto& req = t.s->streams[0];
    CHECK(req.method == "GET");
    CHECK(req.target == "/api/scripts/greet/execute/sse?arguments=a&arguments=b%20c&function_name=main&token=" + token);
    CHECK(header(req, "Accept") == "text/event-stream");
    CHECK(header(req, "X-App") == "1");
    CHECK(header(req, "Authorization") == "<absent>");
    CHECK(req.body.empty());
    REQUIRE(req.cancel.has_value());

    // No arguments and no token: nothing but the path; a caller's own token wins.
    pb.auth_store().clear();
    t.s->on_stream = chunks_then({"data: {\"output\":\"\"}\n\n"});
    out = pb.scripts().execute_sse("greet");
    CHECK(t.s->streams.back().target == "/api/scripts/greet/execute/sse");
    CHECK(out.output.empty());
    bosbase::request_options own;
    own.query = {{"token", "mine"}};
    pb.auth_store().save(token, {{"id", "r1"}});
    t.s->on_stream = chunks_then({"data:{\"output\":\"x\"}\n\n"});
    (void)pb.scripts().execute_sse("greet", {}, {}, own);
    CHECK(t.s->streams.back().target == "/api/scripts/greet/execute/sse?token=mine");
}

TEST_CASE("scripts: execute_sse errors: HTTP, no event, not JSON, too large, the token never shows") {
    sse_transport t;
    bosbase::client_options o;
    o.max_response_bytes = 256;
    sse_client pb("http://127.0.0.1:8090", t, o);
    const std::string token = valid_auth_token();
    pb.auth_store().save(token, {{"id", "r1"}});

    t.s->on_stream = chunks_then({}, 404, R"({"status":404,"message":"Script not found.","data":{}})");
    auto e = error_of([&] { (void)pb.scripts().execute_sse("nope"); });
    CHECK(e.status() == 404);
    CHECK(e.message() == "Script not found.");
    CHECK(e.url().find(token) == std::string::npos);
    CHECK(e.url().find("token=REDACTED") != std::string::npos);

    t.s->on_stream = chunks_then({}, 500, "upstream " + token);
    e = error_of([&] { (void)pb.scripts().execute_sse("a"); });
    CHECK(e.status() == 500);
    CHECK(e.response().dump().find(token) == std::string::npos);

    t.s->on_stream = chunks_then({": comment\n\n"});
    e = error_of([&] { (void)pb.scripts().execute_sse("a"); });
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
    CHECK(e.message() == "The script's event stream ended without an event.");

    for (const char* bad : {"data:not json\n\n", "data:{\"output\":3}\n\n", "data:[]\n\n"}) {
        t.s->on_stream = chunks_then({bad});
        e = error_of([&] { (void)pb.scripts().execute_sse("a"); });
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        CHECK(e.status() == 200);
    }

    t.s->on_stream = chunks_then({std::string(300, ':') + "\n", "data:{\"output\":\"late\"}\n\n"});
    e = error_of([&] { (void)pb.scripts().execute_sse("a"); });
    CHECK(e.error_kind() == bosbase::error_kind::too_large);

    t.s->on_stream = [token](const bosbase::http_request&, const bosbase::stream_handler&) -> bosbase::http_response {
        throw bosbase::transport_error(bosbase::error_kind::connect, "refused, token " + token);
    };
    e = error_of([&] { (void)pb.scripts().execute_sse("a"); });
    CHECK(e.error_kind() == bosbase::error_kind::connect);
    CHECK(std::string(e.what()).find(token) == std::string::npos);

    const auto streams = t.s->streams.size();
    bosbase::request_options bad_header;
    bad_header.headers = {{"X-A", "1\r\nX-B: 2"}};
    CHECK_THROWS_AS((void)pb.scripts().execute_sse("a", {}, {}, bad_header), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.scripts().execute_sse(""), std::invalid_argument);
    CHECK(t.s->streams.size() == streams);
}

TEST_CASE("scripts: execute_sse obeys the deadline and the cancel token for the whole stream") {
    sse_transport t;
    sse_client pb("http://127.0.0.1:8090", t);
    beacon opened;
    t.s->on_stream = hold_until_cancelled(opened);

    bosbase::request_options options;
    options.deadline = 200ms;
    auto started = clock_type::now();
    auto e = error_of([&] { (void)pb.scripts().execute_sse("slow", {}, {}, options); });
    auto took = clock_type::now() - started;
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK(std::string(e.what()).find("exceeded its deadline of 200 ms") != std::string::npos);
    CHECK(took >= 200ms);
    CHECK(took < 5s);

    bosbase::cancel_token cancel;
    bosbase::request_options cancellable;
    cancellable.cancel = cancel;
    cancellable.deadline = 60s;
    std::thread canceller([&] {
        REQUIRE(opened.wait_for(2));
        cancel.cancel();
    });
    started = clock_type::now();
    e = error_of([&] { (void)pb.scripts().execute_sse("slow", {}, {}, cancellable); });
    canceller.join();
    CHECK(e.is_abort());
    CHECK(clock_type::now() - started < 5s);

    // Cancelled before: nothing is opened.
    const auto streams = t.s->streams.size();
    e = error_of([&] { (void)pb.scripts().execute_sse("slow", {}, {}, cancellable); });
    CHECK(e.is_abort());
    CHECK(t.s->streams.size() == streams);
}

TEST_CASE("scripts: execute_sse whose stream ends without an event at or after its deadline is deadline") {
    sse_transport t;
    sse_client pb("http://127.0.0.1:8090", t);
    bosbase::request_options options;

    // The stream returns as if the server had closed it, once the SDK's own timer has
    // fired (its cancel token says so).
    t.s->on_stream = [](const bosbase::http_request& req, const bosbase::stream_handler&) {
        auto done = std::make_shared<beacon>();
        bosbase::cancel_token::registration r;
        if (req.cancel) r = req.cancel->on_cancel([done] { done->fire(); });
        if (!done->wait_for(1, 10s)) throw std::logic_error("never cancelled");
        return bosbase::http_response{200, {{"Content-Type", "text/event-stream"}}, {}};
    };
    options.deadline = 50ms;
    auto e = error_of([&] { (void)pb.scripts().execute_sse("silent", {}, {}, options); });
    CHECK(e.status() == 0);
    CHECK_MESSAGE(e.error_kind() == bosbase::error_kind::deadline, std::string(e.what()));
    CHECK(std::string(e.what()).find("exceeded its deadline of 50 ms") != std::string::npos);

    // The transport's own timer ended it at the deadline, perhaps before the SDK's fired.
    t.s->on_stream = [](const bosbase::http_request& req, const bosbase::stream_handler&) {
        while (clock_type::now() < req.deadline) std::this_thread::yield();
        return bosbase::http_response{200, {{"Content-Type", "text/event-stream"}}, {}};
    };
    options.deadline = 1ms;
    e = error_of([&] { (void)pb.scripts().execute_sse("silent", {}, {}, options); });
    CHECK(e.status() == 0);
    CHECK_MESSAGE(e.error_kind() == bosbase::error_kind::deadline, std::string(e.what()));
}
