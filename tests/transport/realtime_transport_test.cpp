// httplib_transport::stream and realtime over it, against an in-process
// cpp-httplib server that behaves like the realtime endpoint.
#include <doctest/doctest.h>
#include <fake_stream_transport.hpp>  // mailbox
#include <local_server.hpp>

#include <bosbase.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

using bosbase_test::local_server;
using bosbase_test::mailbox;
using ms = std::chrono::milliseconds;

namespace {

// A stream that sends `first` and then holds the connection open (silent) until released.
struct held_stream {
    std::mutex m;
    std::condition_variable cv;
    bool released = false;

    void serve(httplib::Server& server, std::string first) {
        server.Get("/api/realtime", [this, first](const httplib::Request&, httplib::Response& res) {
            res.set_chunked_content_provider("text/event-stream", [this, first](std::size_t offset,
                                                                                httplib::DataSink& sink) {
                if (offset == 0) {
                    sink.write(first.data(), first.size());
                    return true;
                }
                std::unique_lock<std::mutex> lock(m);
                cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return released; });
                if (released) {
                    sink.done();
                    return false;
                }
                return true;
            });
        });
    }

    void release() {
        std::lock_guard<std::mutex> lock(m);
        released = true;
        cv.notify_all();
    }
};

// POST /api/realtime handlers that take the set and answer only once released (or
// after 20 s): a server that never confirms the subscription.
struct held_posts {
    std::mutex m;
    std::condition_variable cv;
    bool released = false;
    int answer_first = 0;  // POSTs answered at once before the holding starts
    mailbox<std::string> bodies;

    void serve(httplib::Server& server) {
        server.Post("/api/realtime", [this](const httplib::Request& req, httplib::Response& res) {
            bodies.put(req.body);
            std::unique_lock<std::mutex> lock(m);
            if (answer_first > 0) {
                --answer_first;
            } else {
                cv.wait_for(lock, std::chrono::seconds(20), [&] { return released; });
            }
            res.status = 204;
        });
    }

    void release() {
        std::lock_guard<std::mutex> lock(m);
        released = true;
        cv.notify_all();
    }
};


using bosbase_test::check_prompt_abort;

bosbase::request_options with(const bosbase::cancel_token& token) {
    bosbase::request_options o;
    o.cancel = token;
    return o;
}

}  // namespace

TEST_CASE("httplib_transport::stream hands over chunks as they arrive and a cancel ends a silent read at once") {
    held_stream held;  // before the server, whose destructor joins the handler that uses it
    local_server server;
    held.serve(*server, "data:hello\n\n");
    server.start();

    bosbase::httplib_transport transport;
    bosbase::http_request req;
    req.method = "GET";
    req.origin = server.url();
    req.target = "/api/realtime";
    req.read_timeout = std::chrono::milliseconds(60000);
    bosbase::cancel_token cancel;
    req.cancel = cancel;
    mailbox<std::string> chunks;
    mailbox<std::string> outcome;
    std::thread reader([&] {
        try {
            transport.stream(req, [&](std::string_view c) { chunks.put(std::string(c)); return true; });
            outcome.put("returned");
        } catch (const bosbase::transport_error& e) {
            outcome.put(bosbase::to_string(e.error_kind()));
        }
    });
    REQUIRE(chunks.wait_count(1));
    CHECK(chunks.items()[0] == "data:hello\n\n");
    const auto started = std::chrono::steady_clock::now();
    cancel.cancel();
    REQUIRE(outcome.wait_count(1, std::chrono::milliseconds(5000)));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    CHECK(outcome.items()[0] == "canceled");
    reader.join();
    held.release();
}

TEST_CASE("httplib_transport::stream returns the status and body of a refused stream") {
    local_server server;
    server->Get("/api/realtime", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content(R"({"status":404,"message":"nope"})", "application/json");
    });
    server.start();
    bosbase::httplib_transport transport;
    bosbase::http_request req;
    req.method = "GET";
    req.origin = server.url();
    req.target = "/api/realtime";
    bool called = false;
    const auto res = transport.stream(req, [&](std::string_view) { return called = true; });
    CHECK(res.status == 404);
    CHECK(res.body.find("nope") != std::string::npos);
    CHECK_FALSE(called);
}

TEST_CASE("realtime over httplib_transport: events arrive, and the client's destructor returns promptly") {
    held_stream held;  // before the server, whose destructor joins the handlers that use them
    mailbox<std::string> posts;
    local_server server;
    held.serve(*server, "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n");
    server->Post("/api/realtime", [&](const httplib::Request& req, httplib::Response& res) {
        posts.put(req.body);
        res.status = 204;
    });
    server.start();

    std::chrono::steady_clock::time_point started;
    {
        bosbase::subscription sub;  // outlives the client: the client's destructor alone stops the stream
        bosbase::BosBase pb(server.url());
        sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
        REQUIRE(posts.wait_count(1));
        CHECK(bosbase::json::parse(posts.items()[0]) ==
              bosbase::json{{"clientId", "c1"}, {"subscriptions", {"posts/*"}}});
        CHECK(pb.realtime().is_connected());
        started = std::chrono::steady_clock::now();
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    held.release();
}

TEST_CASE("realtime over httplib_transport: a subscribe cancelled while the stream never sends PB_CONNECT") {
    // Declared before the server, whose destructor joins the handlers that use them.
    held_stream held;
    mailbox<std::string> opened;
    held_posts posts;
    local_server server;
    held.serve(*server, ": no PB_CONNECT will follow\n\n");
    server->set_pre_routing_handler([&](const httplib::Request& req, httplib::Response&) {
        if (req.method == "GET") opened.put(req.path);
        return httplib::Server::HandlerResponse::Unhandled;
    });
    posts.serve(*server);
    server.start();
    {
        bosbase::BosBase pb(server.url());
        check_prompt_abort(bosbase_test::cancel_while_running(
            [&](const bosbase::cancel_token& token) {
                (void)pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {}, with(token));
            },
            [&] { return opened.wait_count(1); }));
        CHECK(pb.realtime().topics().empty());
        CHECK(posts.bodies.size() == 0);
    }
    held.release();
}

TEST_CASE("realtime over httplib_transport: a subscribe cancelled while the server does not confirm the set") {
    SUBCASE("the first subscription: the realtime thread's POST is stopped with it") {
        held_stream held;
        held_posts posts;
        local_server server;
        held.serve(*server, "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n");
        posts.serve(*server);
        server.start();
        std::chrono::steady_clock::time_point destroying;
        {
            bosbase::BosBase pb(server.url());
            check_prompt_abort(bosbase_test::cancel_while_running(
                [&](const bosbase::cancel_token& token) {
                    (void)pb.realtime().subscribe("topic", [](const bosbase::realtime_event&) {}, with(token));
                },
                [&] { return posts.bodies.wait_count(1); }));
            CHECK(pb.realtime().topics().empty());
            CHECK_FALSE(pb.realtime().is_connected());
            destroying = std::chrono::steady_clock::now();
        }
        // Nothing of the subscription is still waiting on the server: the client goes at once.
        CHECK(std::chrono::steady_clock::now() - destroying < ms(500));
        posts.release();
        held.release();
    }
    SUBCASE("a later subscription: the caller's own POST is stopped, the first one stays") {
        held_stream held;
        held_posts posts;
        local_server server;
        held.serve(*server, "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n");
        posts.answer_first = 1;
        posts.serve(*server);
        server.start();
        {
            bosbase::BosBase pb(server.url());
            auto first = pb.realtime().subscribe("first", [](const bosbase::realtime_event&) {});
            check_prompt_abort(bosbase_test::cancel_while_running(
                [&](const bosbase::cancel_token& token) {
                    (void)pb.realtime().subscribe("second", [](const bosbase::realtime_event&) {}, with(token));
                },
                [&] { return posts.bodies.wait_count(2); }));
            CHECK(pb.realtime().topics() == std::vector<std::string>{"first"});
            CHECK(pb.realtime().is_connected());
            posts.release();
        }
        held.release();
    }
}
