// The default transport against a real cpp-httplib server on 127.0.0.1.
#include <doctest/doctest.h>
#include <local_server.hpp>

#include <bosbase.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using bosbase::json;
using bosbase_test::local_server;

TEST_CASE("keep-alive: many calls share one connection") {
    local_server server;
    std::mutex m;
    std::set<int> client_ports;
    int requests = 0;
    server->Post("/api/collections/users/bind-token", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(m);
        client_ports.insert(req.remote_port);
        ++requests;
        res.status = 204;
    });
    server->set_keep_alive_max_count(100);  // httplib's server closes after 5 by default
    server.start();

    bosbase::BosBase pb(server.url());
    for (int i = 0; i < 25; ++i) {
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok-" + std::to_string(i));
    }
    std::lock_guard<std::mutex> lock(m);
    CHECK(requests == 25);
    CHECK(client_ports.size() == 1);
}

TEST_CASE("clients built from copies of one transport keep their own identities on one shared connection") {
    local_server server;
    std::mutex m;
    std::set<int> client_ports;
    std::vector<std::string> authorizations;  // of the GET calls, in order
    server->Post("/api/collections/users/auth-with-token", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(m);
        client_ports.insert(req.remote_port);
        const auto who = json::parse(req.body)["token"].get<std::string>();
        res.set_content(json{{"token", "auth-" + who}, {"record", {{"id", who}, {"collectionName", "users"}}}}.dump(),
                        "application/json");
    });
    server->Get("/api/collections/users/records/r1", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(m);
        client_ports.insert(req.remote_port);
        authorizations.push_back(req.get_header_value("Authorization"));
        res.set_content(R"({"id":"r1"})", "application/json");
    });
    server->set_keep_alive_max_count(100);
    server.start();

    bosbase::httplib_transport transport;
    bosbase::BosBase alice(server.url(), transport);
    bosbase::BosBase bob(server.url(), transport);
    alice.collection("users").auth_with_token("alice");
    bob.collection("users").auth_with_token("bob");
    (void)alice.collection("users").get_one("r1");
    (void)bob.collection("users").get_one("r1");

    CHECK(alice.auth_store().token() == "auth-alice");
    CHECK(bob.auth_store().token() == "auth-bob");
    std::lock_guard<std::mutex> lock(m);
    CHECK(authorizations == std::vector<std::string>{"auth-alice", "auth-bob"});
    CHECK(client_ports.size() == 1);  // four calls, two clients, one kept-alive connection
}

TEST_CASE("clients with transports of their own do not share connections") {
    // The counterpart of the test above: the port count does tell connections apart.
    local_server server;
    std::mutex m;
    std::set<int> client_ports;
    server->Get("/api/collections/users/records/r1", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(m);
        client_ports.insert(req.remote_port);
        res.set_content(R"({"id":"r1"})", "application/json");
    });
    server.start();

    bosbase::BosBase a(server.url());
    bosbase::BosBase b(server.url());
    (void)a.collection("users").get_one("r1");
    (void)b.collection("users").get_one("r1");
    std::lock_guard<std::mutex> lock(m);
    CHECK(client_ports.size() == 2);
}

TEST_CASE("the request reaches the server as built: method, path, headers, body") {
    local_server server;
    httplib::Request seen;
    std::string collection;  // matches point into the server's request, so copy the text
    server->Post(R"(/pb/api/collections/(.+)/auth-with-token)", [&](const httplib::Request& req, httplib::Response& res) {
        seen = req;
        collection = req.matches[1].str();
        res.set_content(R"({"record":{"id":"r1","collectionName":"users"},"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"})",
                        "application/json");
    });
    server.start();

    bosbase::BosBase pb(server.url() + "/pb/");
    pb.auth_store().save("prior-token", json::object());
    auto auth = pb.collection("my users/ü").auth_with_token("tok", {}, {{"q", "a b"}});

    CHECK(auth["record"]["id"] == "r1");
    CHECK(seen.method == "POST");
    // cpp-httplib 0.41 re-encodes the query (a space becomes '+'); the path goes out as built.
    CHECK(seen.target.substr(0, seen.target.find('?')) == "/pb/api/collections/my%20users%2F%C3%BC/auth-with-token");
    CHECK((seen.target.substr(seen.target.find('?')) == "?q=a%20b" || seen.target.substr(seen.target.find('?')) == "?q=a+b"));
    CHECK(collection == "my users/ü");  // the server decodes it back into one segment
    CHECK(seen.get_param_value("q") == "a b");
    CHECK(seen.get_header_value("Content-Type") == "application/json");
    CHECK(seen.get_header_value("Authorization") == "prior-token");
    CHECK_FALSE(seen.has_header("Accept-Language"));  // only when client_options::lang is set
    CHECK(json::parse(seen.body) == json{{"token", "tok"}});
}

TEST_CASE("server errors come back as ClientResponseError with the JSON body") {
    local_server server;
    server->Post("/api/collections/users/bind-token", [](const httplib::Request&, httplib::Response& res) {
        res.status = 400;
        res.set_content(R"({"data":{},"message":"Failed to bind token.","status":400})" "\n", "application/json");
    });
    server.start();
    bosbase::BosBase pb(server.url());
    try {
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.message() == "Failed to bind token.");
        CHECK(e.url() == server.url() + "/api/collections/users/bind-token");
    }
}

TEST_CASE("a read timeout fires and reports status 0") {
    // Declared before the server, so they outlive it: the handler still waits on them
    // after the client has given up, until the server's destructor joins it.
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    local_server server;
    server->Post("/api/collections/users/auth-with-token", [&](const httplib::Request&, httplib::Response& res) {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return release; });  // held until the client has given up
        res.status = 204;
    });
    server.start();

    bosbase::BosBase pb(server.url());
    bosbase::request_options opts;
    opts.timeout = std::chrono::milliseconds(200);
    try {
        pb.collection("users").auth_with_token("tok", {}, {}, opts);
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.original_error() == "no response from " + server.url() + " within 200 ms (read timeout)");
    }
    {
        std::lock_guard<std::mutex> lock(m);
        release = true;
    }
    cv.notify_all();
}

TEST_CASE("connection refused reports status 0 and names the cause") {
    int port = 0;
    {
        local_server closed;
        port = closed.start();
    }  // stopped: nothing listens there any more
    bosbase::BosBase pb("http://127.0.0.1:" + std::to_string(port));
    try {
        pb.collection("users").bind_custom_token("a@b.io", "secret-pw", "secret-tok");
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(std::string(e.what()).find("could not connect to http://127.0.0.1:" + std::to_string(port)) !=
              std::string::npos);
        CHECK(std::string(e.what()).find("secret") == std::string::npos);
    }
}

TEST_CASE("a server that closes the connection is reported, and the next call reconnects") {
    local_server server;
    int calls = 0;
    server->Post("/api/collections/users/bind-token", [&](const httplib::Request&, httplib::Response& res) {
        ++calls;
        res.status = 204;
        res.set_header("Connection", "close");
    });
    server.start();
    bosbase::BosBase pb(server.url());
    pb.collection("users").bind_custom_token("a@b.io", "pw", "t1");
    pb.collection("users").bind_custom_token("a@b.io", "pw", "t2");
    CHECK(calls == 2);
}

TEST_CASE("calls from several threads share one client safely") {
    local_server server;
    std::mutex m;
    int requests = 0;
    server->Post("/api/collections/users/bind-token", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(m);
        ++requests;
        res.status = 204;
    });
    // One server worker, one request per connection: the concurrency under test is
    // the client's. (Debian's prebuilt httplib server races between its own
    // workers, which TSan reports.)
    server->new_task_queue = [] { return new httplib::ThreadPool(1); };
    server->set_keep_alive_max_count(1);
    server.start();
    bosbase::BosBase pb(server.url());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            for (int n = 0; n < 20; ++n) {
                try {
                    pb.collection("users").bind_custom_token("a@b.io", "pw", "t");
                } catch (...) {
                    ++failures;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    CHECK(requests == 80);
}
