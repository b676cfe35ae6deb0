// The default transport behind a real HTTP proxy (Debian's tinyproxy, started here on a free
// loopback port): plain HTTP through it, https:// through its CONNECT tunnel, realtime's
// stream, a download; a proxy that asks for credentials (407) and one that is down; the
// proxy taken from the environment by curl's rules. scripts/install_deps.sh installs tinyproxy.
#include <doctest/doctest.h>
#include <error_of.hpp>
#include <local_server.hpp>
#include <tinyproxy.hpp>

#include <bosbase.hpp>

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
#include <test_certificate.hpp>
#endif

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using bosbase_test::error_of;
using bosbase_test::free_port;
using bosbase_test::tinyproxy;

namespace {

// The calls the tests make, answered by an in-process server that also tells whether a
// request came through tinyproxy (it adds "Via: 1.1 tinyproxy").
struct backend {
    std::mutex m;
    std::condition_variable cv;
    std::string via;
    bool subscribed = false;
    bool done = false;

    void serve(httplib::Server& server) {
        server.Post("/api/collections/users/auth-with-token", [this](const httplib::Request& req, httplib::Response& res) {
            note(req);
            res.set_content(R"({"token":"tok.en.x","record":{"id":"r1","collectionName":"users"}})", "application/json");
        });
        server.Get("/api/collections/posts/records/p1", [this](const httplib::Request& req, httplib::Response& res) {
            note(req);
            res.set_content(R"({"id":"p1","title":"through"})", "application/json");
        });
        server.Get("/api/files/posts/p1/a.bin", [this](const httplib::Request& req, httplib::Response& res) {
            note(req);
            res.set_content(std::string(300000, 'z'), "application/octet-stream");
        });
        server.Post("/api/realtime", [this](const httplib::Request& req, httplib::Response& res) {
            note(req);
            std::lock_guard<std::mutex> lock(m);
            subscribed = true;
            cv.notify_all();
            res.status = 204;
        });
        server.Get("/api/realtime", [this](const httplib::Request& req, httplib::Response& res) {
            note(req);
            res.set_chunked_content_provider("text/event-stream", [this](std::size_t offset, httplib::DataSink& sink) {
                if (offset == 0) {
                    const std::string connect = "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n";
                    sink.write(connect.data(), connect.size());
                    return true;
                }
                std::unique_lock<std::mutex> lock(m);
                if (!cv.wait_for(lock, std::chrono::milliseconds(100), [this] { return subscribed || done; })) return true;
                if (done) return false;
                subscribed = false;
                lock.unlock();
                const std::string event =
                    "event:posts/*\ndata:{\"action\":\"create\",\"record\":{\"id\":\"p2\",\"collectionName\":\"posts\"}}\n\n";
                sink.write(event.data(), event.size());
                return true;
            });
        });
    }
    void note(const httplib::Request& req) {
        std::lock_guard<std::mutex> lock(m);
        via = req.get_header_value("Via");
    }
    std::string last_via() {
        std::lock_guard<std::mutex> lock(m);
        return via;
    }
    void stop() {
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_all();
    }
};

bosbase::httplib_transport_options through(const tinyproxy& proxy, std::string user = {}, std::string password = {}) {
    bosbase::httplib_transport_options o;
    o.proxy = bosbase::http_proxy{"127.0.0.1", proxy.port(), std::move(user), std::move(password)};
    return o;
}

// Sets an environment variable for one test and puts back what was there.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~scoped_env() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("proxy: sign-in, a record, a download and realtime go through an HTTP proxy") {
    tinyproxy proxy;
    backend b;
    bosbase_test::local_server server;
    b.serve(*server);
    server.start();
    {
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(through(proxy)));
        pb.collection("users").auth_with_token("custom-token-1");
        CHECK(b.last_via().find("tinyproxy") != std::string::npos);
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");

        std::ostringstream file;
        CHECK(pb.files().download(bosbase::json{{"id", "p1"}, {"collectionName", "posts"}}, "a.bin", file) == 300000);
        CHECK(file.str() == std::string(300000, 'z'));

        std::mutex m;
        std::condition_variable cv;
        std::string got;
        auto sub = pb.realtime().subscribe("posts/*", [&](const bosbase::realtime_event& e) {
            std::lock_guard<std::mutex> lock(m);
            got = e.record.value("id", std::string());
            cv.notify_all();
        });
        std::unique_lock<std::mutex> lock(m);
        CHECK(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !got.empty(); }));
        CHECK(got == "p2");
        CHECK(b.last_via().find("tinyproxy") != std::string::npos);
        lock.unlock();
        b.stop();
    }
    CHECK(proxy.log().find("/api/realtime") != std::string::npos);
}

TEST_CASE("proxy: a host in no_proxy is reached directly") {
    tinyproxy proxy;
    backend b;
    bosbase_test::local_server server;
    b.serve(*server);
    server.start();
    auto options = through(proxy);
    options.no_proxy = "example.com, 127.0.0.0/8";
    bosbase::BosBase pb(server.url(), bosbase::httplib_transport(options));
    CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
    CHECK(b.last_via().empty());
}

TEST_CASE("proxy: one that asks for credentials is a clear error without them and works with them") {
    tinyproxy proxy("proxyuser proxy-secret-1");
    backend b;
    bosbase_test::local_server server;
    b.serve(*server);
    server.start();
    SUBCASE("no credentials: the proxy's 407") {
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(through(proxy)));
        const auto e = error_of([&] { (void)pb.collection("posts").get_one("p1"); });
        CHECK(e.status() == 407);
    }
    SUBCASE("wrong credentials: the proxy's 407, and they are not in the error") {
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(through(proxy, "proxyuser", "wrong-secret-2")));
        const auto e = error_of([&] { (void)pb.collection("posts").get_one("p1"); });
        CHECK((e.status() == 401 || e.status() == 407));  // tinyproxy answers a wrong password with 401
        CHECK(std::string(e.what()).find("wrong-secret-2") == std::string::npos);
        CHECK(e.response().dump().find("wrong-secret-2") == std::string::npos);
    }
    SUBCASE("the right credentials") {
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(through(proxy, "proxyuser", "proxy-secret-1")));
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
        CHECK(b.last_via().find("tinyproxy") != std::string::npos);
    }
}

TEST_CASE("proxy: one that is down is error_kind::connect naming the proxy, never its credentials") {
    const int port = free_port();  // nothing listens there
    backend b;
    bosbase_test::local_server server;
    b.serve(*server);
    server.start();
    bosbase::httplib_transport_options o;
    o.proxy = bosbase::http_proxy{"127.0.0.1", port, "proxyuser", "down-secret-3"};
    bosbase::BosBase pb(server.url(), bosbase::httplib_transport(o));
    const auto e = error_of([&] { (void)pb.collection("posts").get_one("p1"); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::connect);
    CHECK(e.original_error().find("the proxy 127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(std::string(e.what()).find("down-secret-3") == std::string::npos);
}

TEST_CASE("proxy: taken from the environment only when asked, by curl's rules") {
    tinyproxy proxy;
    backend b;
    bosbase_test::local_server server;
    b.serve(*server);
    server.start();
    const std::string url = "http://127.0.0.1:" + std::to_string(proxy.port());
    scoped_env http_proxy("http_proxy", url.c_str());
    scoped_env no_proxy_upper("NO_PROXY", nullptr);
    SUBCASE("not asked: direct") {
        bosbase::BosBase pb(server.url());
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
        CHECK(b.last_via().empty());
    }
    SUBCASE("asked: through the proxy") {
        bosbase::httplib_transport_options o;
        o.proxy_from_environment = true;
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(o));
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
        CHECK(b.last_via().find("tinyproxy") != std::string::npos);
    }
    SUBCASE("asked, but the host is in no_proxy: direct") {
        scoped_env no_proxy("no_proxy", "localhost,127.0.0.1");
        bosbase::httplib_transport_options o;
        o.proxy_from_environment = true;
        bosbase::BosBase pb(server.url(), bosbase::httplib_transport(o));
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
        CHECK(b.last_via().empty());
    }
}

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
namespace {
struct tls_backend {
    bosbase_test::test_certificate certificate;
    backend b;
    bosbase_test::local_server server{std::make_unique<httplib::SSLServer>(certificate.cert(), certificate.key())};
    tls_backend() {
        b.serve(*server);
        server.start();
    }
};
}  // namespace

TEST_CASE("proxy: https:// is refused up front where cpp-httplib would hang on a refused tunnel") {
    if (bosbase::detail::httplib_compat::proxy_tunnel_usable) return;  // the tunnel tests below run instead
    tinyproxy proxy;
    tls_backend t;
    auto o = through(proxy);
    o.ca_cert_file = t.certificate.pem_path();
    bosbase::BosBase pb(t.server.url("https"), bosbase::httplib_transport(o));
    const auto e = error_of([&] { (void)pb.collection("posts").get_one("p1"); });
    CHECK(e.status() == 0);
    CHECK(e.original_error().find("https:// through a proxy needs") != std::string::npos);
    CHECK(proxy.log().find("CONNECT 127.0.0.1:") == std::string::npos);  // nothing was tried
}

TEST_CASE("proxy: the CONNECT tunnel of one that asks for credentials") {
    if (!bosbase::detail::httplib_compat::proxy_tunnel_usable) return;  // refused up front: the test above
    tinyproxy proxy("proxyuser proxy-secret-1");
    tls_backend t;
    SUBCASE("without them: the proxy's 407 at once, as for a plain request") {
        auto o = through(proxy);
        o.ca_cert_file = t.certificate.pem_path();
        bosbase::BosBase pb(t.server.url("https"), bosbase::httplib_transport(o));
        const auto e = error_of([&] { (void)pb.collection("posts").get_one("p1"); });
        CHECK(e.status() == 407);
        CHECK(t.b.last_via().empty());  // nothing reached the server
    }
    SUBCASE("with them") {
        auto o = through(proxy, "proxyuser", "proxy-secret-1");
        o.ca_cert_file = t.certificate.pem_path();
        bosbase::BosBase pb(t.server.url("https"), bosbase::httplib_transport(o));
        CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
    }
}

TEST_CASE("proxy: https:// goes through the proxy's CONNECT tunnel, with the certificate still verified") {
    if (!bosbase::detail::httplib_compat::proxy_tunnel_usable) return;
    tinyproxy proxy;
    tls_backend t;
    auto o = through(proxy);
    o.ca_cert_file = t.certificate.pem_path();
    bosbase::BosBase pb(t.server.url("https"), bosbase::httplib_transport(o));
    CHECK(pb.collection("posts").get_one("p1")["title"] == "through");
    CHECK(t.b.last_via().empty());  // a tunnel: the proxy never sees the request
    CHECK(proxy.log().find("CONNECT 127.0.0.1:" + std::to_string(t.server.port())) != std::string::npos);

    // An untrusted certificate at the end of the tunnel is still a TLS failure.
    bosbase::BosBase other(t.server.url("https"), bosbase::httplib_transport(through(proxy)));
    const auto e = error_of([&] { (void)other.collection("posts").get_one("p1"); });
    CHECK(e.error_kind() == bosbase::error_kind::tls);
}
#endif

#if BOSBASE_HTTPLIB_WEBSOCKET && BOSBASE_HTTPLIB_HAS_WS  // its servers are cpp-httplib's (0.33.0 on)
// Pub/sub's and execute_ws's WebSocket is the SDK's own socket: it opens the CONNECT tunnel itself.
namespace {

void echo_websocket(httplib::Server& server) {
    server.set_websocket_ping_interval(0);
    server.WebSocket("/ws", [](const httplib::Request&, httplib::ws::WebSocket& ws) {
        std::string message;
        while (ws.read(message) == httplib::ws::ReadResult::Text && ws.send(message)) {
        }
    });
}

bosbase::websocket_request ws_request(const std::string& url) {
    bosbase::websocket_request req;
    req.url = url;
    req.connect_timeout = std::chrono::seconds(10);
    return req;
}

std::string echoed(bosbase::websocket_connection& ws, const std::string& text) {
    REQUIRE(ws.send_text(text));
    std::string got;
    REQUIRE(ws.read(got) == bosbase::websocket_frame::text);
    return got;
}

}  // namespace

TEST_CASE("proxy: a WebSocket goes through the proxy's CONNECT tunnel, ws:// and wss://") {
    tinyproxy proxy;
    bosbase_test::local_server plain;
    echo_websocket(*plain);
    plain.start();
    bosbase::httplib_transport t(through(proxy));
    auto ws = t.connect_websocket(ws_request("ws://127.0.0.1:" + std::to_string(plain.port()) + "/ws"));
    CHECK(echoed(*ws, "through the tunnel") == "through the tunnel");
    CHECK(proxy.log().find("CONNECT 127.0.0.1:" + std::to_string(plain.port())) != std::string::npos);

#if BOSBASE_WS_TLS && defined(CPPHTTPLIB_OPENSSL_SUPPORT)
    bosbase_test::test_certificate certificate;
    bosbase_test::local_server secure(std::make_unique<httplib::SSLServer>(certificate.cert(), certificate.key()));
    echo_websocket(*secure);
    secure.start();
    auto o = through(proxy);
    o.ca_cert_file = certificate.pem_path();
    bosbase::httplib_transport tls(o);
    auto wss = tls.connect_websocket(ws_request("wss://127.0.0.1:" + std::to_string(secure.port()) + "/ws"));
    CHECK(echoed(*wss, "TLS inside the tunnel") == "TLS inside the tunnel");
    CHECK(proxy.log().find("CONNECT 127.0.0.1:" + std::to_string(secure.port())) != std::string::npos);
    // The certificate at the end of the tunnel is still checked.
    bosbase::httplib_transport untrusting(through(proxy));
    try {
        (void)untrusting.connect_websocket(ws_request("wss://127.0.0.1:" + std::to_string(secure.port()) + "/ws"));
        FAIL("an untrusted certificate was taken through the tunnel");
    } catch (const bosbase::transport_error& e) {
        CHECK(e.error_kind() == bosbase::error_kind::tls);
    }
#endif
}

TEST_CASE("proxy: a WebSocket through a proxy that refuses (407) or is down is a clear error without its credentials") {
    tinyproxy proxy("proxyuser proxy-secret-2");
    bosbase_test::local_server plain;
    echo_websocket(*plain);
    plain.start();
    const std::string url = "ws://127.0.0.1:" + std::to_string(plain.port()) + "/ws";
    {
        bosbase::httplib_transport t(through(proxy, "proxyuser", "wrong-secret-3"));
        try {
            (void)t.connect_websocket(ws_request(url));
            FAIL("a proxy that refused the tunnel was taken for the server");
        } catch (const bosbase::websocket_refused& e) {
            // tinyproxy answers wrong credentials with 401 (no credentials with 407): its status.
            CHECK(e.status() == 401);
            CHECK(std::string(e.what()).find("proxy") != std::string::npos);
            CHECK(std::string(e.what()).find("wrong-secret-3") == std::string::npos);
        }
    }
    bosbase::httplib_transport t(through(proxy, "proxyuser", "proxy-secret-2"));
    auto ws = t.connect_websocket(ws_request(url));
    CHECK(echoed(*ws, "with credentials") == "with credentials");

    const int down = free_port();
    bosbase::httplib_transport_options o;
    o.proxy = bosbase::http_proxy{"127.0.0.1", down, "proxyuser", "proxy-secret-4"};
    bosbase::httplib_transport nowhere(o);
    try {
        (void)nowhere.connect_websocket(ws_request(url));
        FAIL("connected through a proxy that is down");
    } catch (const bosbase::transport_error& e) {
        CHECK(e.error_kind() == bosbase::error_kind::connect);
        CHECK(std::string(e.what()).find("proxy") != std::string::npos);
        CHECK(std::string(e.what()).find("proxy-secret-4") == std::string::npos);
    }
}
#endif  // BOSBASE_HTTPLIB_WEBSOCKET
