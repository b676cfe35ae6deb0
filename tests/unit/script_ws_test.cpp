// scripts().execute_ws through a fake WebSocket transport that plays the server of
// GET /api/scripts/{name}/execute/ws: the URL and headers of the upgrade, the first
// message, each kind of answer, the HTTP fallback for a refused upgrade, and a cancel.
#include <doctest/doctest.h>
#include <cancel_while_running.hpp>
#include <error_of.hpp>

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

namespace {

struct script_ws_transport {
    struct state {
        std::mutex m;
        std::condition_variable cv;
        std::vector<bosbase::websocket_request> connects;
        std::vector<std::string> sent;
        std::vector<bosbase::http_request> http;  // requests over plain HTTP
        std::deque<std::pair<bosbase::websocket_frame, std::string>> answers;
        bool refuse_upgrade = false;  // connect fails as when the server answers the upgrade with an error
        bool refuse_connect = false;  // connect fails as when nothing listens
        int refuse_status = 0;        // connect throws websocket_refused with this status and refuse_body
        std::string refuse_body;
        bool hold = false;            // read() blocks until shutdown
        int shutdowns = 0;
        bosbase::http_response http_answer{404, {}, R"({"status":404,"message":"Script not found.","data":{}})"};
    };

    class connection final : public bosbase::websocket_connection {
    public:
        explicit connection(std::shared_ptr<state> s) : s_(std::move(s)) {}
        bosbase::websocket_frame read(std::string& message) override {
            std::unique_lock<std::mutex> lock(s_->m);
            s_->cv.wait(lock, [&] { return shut_ || !s_->hold; });
            if (shut_ || s_->answers.empty()) return bosbase::websocket_frame::closed;
            auto front = std::move(s_->answers.front());
            s_->answers.pop_front();
            message = std::move(front.second);
            return front.first;
        }
        bool send_text(std::string_view message) override {
            std::lock_guard<std::mutex> lock(s_->m);
            if (shut_) return false;
            s_->sent.emplace_back(message);
            s_->cv.notify_all();
            return true;
        }
        void shutdown() noexcept override {
            std::lock_guard<std::mutex> lock(s_->m);
            if (!shut_) ++s_->shutdowns;
            shut_ = true;
            s_->cv.notify_all();
        }

    private:
        std::shared_ptr<state> s_;
        bool shut_ = false;
    };

    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        std::lock_guard<std::mutex> lock(s->m);
        s->http.push_back(req);
        return s->http_answer;
    }

    std::unique_ptr<bosbase::websocket_connection> connect_websocket(const bosbase::websocket_request& req) {
        std::lock_guard<std::mutex> lock(s->m);
        s->connects.push_back(req);
        if (s->refuse_upgrade) {
            throw bosbase::transport_error(bosbase::error_kind::invalid_response, "no 101 Switching Protocols");
        }
        if (s->refuse_connect) throw bosbase::transport_error(bosbase::error_kind::connect, "refused");
        if (s->refuse_status != 0) {
            throw bosbase::websocket_refused(s->refuse_status, s->refuse_body, "refused with a status");
        }
        return std::make_unique<connection>(s);
    }

    void answer(std::string text, bosbase::websocket_frame frame = bosbase::websocket_frame::text) {
        std::lock_guard<std::mutex> lock(s->m);
        s->answers.emplace_back(frame, std::move(text));
    }
};

using client = bosbase::basic_bosbase<script_ws_transport>;

// A superuser session whose token the call must carry in Authorization, never in the URL.
const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDAsInR5cGUiOiJhdXRoIn0.c2lnbmF0dXJl";

client signed_in(script_ws_transport& t, const std::string& url = "http://127.0.0.1:8090") {
    client pb(url, t);
    pb.auth_store().save(jwt, json{{"id", "su1"}, {"collectionName", "_superusers"}});
    return pb;
}

}  // namespace

TEST_CASE("scripts execute_ws: the upgrade carries the token in a header, the arguments go first") {
    script_ws_transport t;
    auto pb = signed_in(t);
    t.answer(R"({"output":"hello world"})");
    const bosbase::script_output out = pb.scripts().execute_ws("greet", {"world", "!"}, "main");
    CHECK(out.output == "hello world");
    REQUIRE(t.s->connects.size() == 1);
    const auto& req = t.s->connects[0];
    CHECK(req.url == "ws://127.0.0.1:8090/api/scripts/greet/execute/ws");
    CHECK(req.url.find(jwt) == std::string::npos);
    CHECK(bosbase::detail::has_header(req.headers, "Authorization"));
    for (const auto& h : req.headers) {
        if (h.first == "Authorization") CHECK(h.second == jwt);
    }
    REQUIRE(t.s->sent.size() == 1);
    CHECK(json::parse(t.s->sent[0]) == json{{"arguments", {"world", "!"}}, {"function_name", "main"}});
    CHECK(t.s->shutdowns == 1);
    CHECK(t.s->http.empty());
}

TEST_CASE("scripts execute_ws: no arguments send an empty object, https and a path prefix give wss and the prefix") {
    script_ws_transport t;
    auto pb = signed_in(t, "https://example.com/pb/");
    t.answer(R"({"output":"ok"})");
    CHECK(pb.scripts().execute_ws("a b").output == "ok");
    REQUIRE(t.s->connects.size() == 1);
    CHECK(t.s->connects[0].url == "wss://example.com/pb/api/scripts/a%20b/execute/ws");
    REQUIRE(t.s->sent.size() == 1);
    CHECK(t.s->sent[0] == "{}");
}

TEST_CASE("scripts execute_ws: a refused upgrade reports the server's own answer to the route") {
    script_ws_transport t;
    auto pb = signed_in(t);
    t.s->refuse_upgrade = true;
    const auto e = error_of([&] { (void)pb.scripts().execute_ws("nope"); });
    CHECK(e.status() == 404);
    CHECK(e.is_not_found());
    CHECK(e.response()["message"] == "Script not found.");
    REQUIRE(t.s->http.size() == 1);
    CHECK(t.s->http[0].method == "GET");
    CHECK(t.s->http[0].target == "/api/scripts/nope/execute/ws");
    CHECK(std::string(e.what()).find(jwt) == std::string::npos);

    // A route that answers over HTTP after all: the refusal itself is the error.
    t.s->http_answer = {200, {}, "{}"};
    const auto odd = error_of([&] { (void)pb.scripts().execute_ws("odd"); });
    CHECK(odd.status() == 0);
    CHECK(odd.error_kind() == bosbase::error_kind::invalid_response);

    // A connect that fails before any answer is asked over HTTP too, which fails alike.
    t.s->refuse_upgrade = false;
    t.s->refuse_connect = true;
    t.s->http_answer = {404, {}, R"({"status":404,"message":"Script not found.","data":{}})"};
    CHECK(error_of([&] { (void)pb.scripts().execute_ws("gone"); }).status() == 404);
}

TEST_CASE("scripts execute_ws: an upgrade refused with a status is that status and JSON at once, not asked again") {
    script_ws_transport t;
    auto pb = signed_in(t);
    for (int status : {401, 403, 404, 503}) {
        CAPTURE(status);
        t.s->refuse_status = status;
        t.s->refuse_body = R"({"status":)" + std::to_string(status) + R"(,"message":"No.","data":{"x":1}})";
        const auto e = error_of([&] { (void)pb.scripts().execute_ws("nope"); });
        CHECK(e.status() == status);
        CHECK(e.error_kind() == bosbase::error_kind::none);
        CHECK(e.response()["message"] == "No.");
        CHECK(e.response()["data"]["x"] == 1);
        CHECK(std::string(e.what()).find(jwt) == std::string::npos);
    }
    // A body that is not JSON is wrapped, as for execute().
    t.s->refuse_status = 502;
    t.s->refuse_body = "<html>bad gateway</html>";
    const auto e = error_of([&] { (void)pb.scripts().execute_ws("nope"); });
    CHECK(e.status() == 502);
    CHECK(e.response()["body"] == "<html>bad gateway</html>");
    CHECK(t.s->http.empty());
}

TEST_CASE("scripts execute_ws: the server's failure message, a close, a binary or a non-JSON answer") {
    script_ws_transport t;
    auto pb = signed_in(t);

    t.answer(R"({"status":500,"message":"Script execution failed.","data":{}})");
    auto e = error_of([&] { (void)pb.scripts().execute_ws("boom"); });
    CHECK(e.status() == 500);
    CHECK(e.response()["message"] == "Script execution failed.");
    CHECK(e.error_kind() == bosbase::error_kind::none);

    e = error_of([&] { (void)pb.scripts().execute_ws("silent"); });  // closed without an answer
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::receive);

    t.answer("\x01\x02", bosbase::websocket_frame::binary);
    e = error_of([&] { (void)pb.scripts().execute_ws("binary"); });
    CHECK(e.status() == 101);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);

    t.answer("not json");
    e = error_of([&] { (void)pb.scripts().execute_ws("text"); });
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);

    t.answer(R"({"output":42})");  // output must be text
    e = error_of([&] { (void)pb.scripts().execute_ws("number"); });
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
}

TEST_CASE("scripts execute_ws: an answer over max_response_bytes is too_large") {
    script_ws_transport t;
    bosbase::client_options o;
    o.max_response_bytes = 64;
    client pb("http://127.0.0.1:8090", t, o);
    t.answer(R"({"output":")" + std::string(100, 'x') + "\"}");
    const auto e = error_of([&] { (void)pb.scripts().execute_ws("big"); });
    CHECK(e.error_kind() == bosbase::error_kind::too_large);

    // A transport that read past it says so, and the message stays empty.
    t.answer("", bosbase::websocket_frame::too_large);
    const auto skipped = error_of([&] { (void)pb.scripts().execute_ws("big"); });
    CHECK(skipped.error_kind() == bosbase::error_kind::too_large);
    CHECK(std::string(skipped.what()).find("max_response_bytes") != std::string::npos);
}

TEST_CASE("scripts execute_ws: a cancel ends a call waiting for the answer, so does the deadline") {
    script_ws_transport t;
    auto pb = signed_in(t);
    t.s->hold = true;
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            bosbase::request_options o;
            o.cancel = token;
            (void)pb.scripts().execute_ws("slow", {}, {}, o);
        },
        [&] {
            std::unique_lock<std::mutex> lock(t.s->m);
            return t.s->cv.wait_for(lock, std::chrono::seconds(10), [&] { return !t.s->sent.empty(); });
        }));
    CHECK(t.s->shutdowns == 1);

    bosbase::request_options o;
    o.deadline = std::chrono::milliseconds(50);
    const auto e = error_of([&] { (void)pb.scripts().execute_ws("slow", {}, {}, o); });
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK(e.is_abort() == false);
}
