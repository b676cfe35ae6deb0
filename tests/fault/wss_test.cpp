// wss:// through the default transport against an in-process TLS WebSocket server (cpp-httplib's
// SSLServer, a certificate made for the test): verification, every refusal as tls at once, and four
// threads sending while the reader takes the echoes, which ThreadSanitizer watches in the
// tsan-current tree (the real TLS code: one thread at a time inside the session). Built where the
// default transport has its WebSocket and cpp-httplib has its own WebSocket server (0.41.0, with OpenSSL).
#include <doctest/doctest.h>
#include <local_server.hpp>

#include <bosbase.hpp>

#if BOSBASE_HTTPLIB_WEBSOCKET && BOSBASE_WS_TLS && BOSBASE_HTTPLIB_HAS_WS && defined(CPPHTTPLIB_OPENSSL_SUPPORT) && !defined(_WIN32)

#include <test_certificate.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Echoes every text message back, and counts the WebSocket sessions it served.
struct wss_server {
    bosbase_test::test_certificate certificate;
    bosbase_test::local_server server{std::make_unique<httplib::SSLServer>(certificate.cert(), certificate.key())};
    std::atomic<int> sessions{0};

    explicit wss_server(const char* san = "IP:127.0.0.1", long valid_for = 3600) : certificate(san, valid_for) {
        server->set_websocket_ping_interval(0);  // its ping thread would share the server's session
        server->WebSocket("/ws", [this](const httplib::Request&, httplib::ws::WebSocket& ws) {
            ++sessions;
            std::string message;
            while (ws.read(message) == httplib::ws::ReadResult::Text) {
                if (!ws.send(message)) break;
            }
        });
        server.start();
    }

    std::string url() const { return "wss://127.0.0.1:" + std::to_string(server.port()) + "/ws"; }
};

bosbase::websocket_request request_for(const std::string& url) {
    bosbase::websocket_request req;
    req.url = url;
    req.connect_timeout = 10s;
    req.read_timeout = 30s;
    req.write_timeout = 30s;
    return req;
}

bosbase::httplib_transport trusting(const bosbase_test::test_certificate& c) {
    bosbase::httplib_transport_options o;
    o.ca_cert_file = c.pem_path();
    return bosbase::httplib_transport(o);
}

// The transport_error connecting throws (kind none when it connected).
bosbase::transport_error connect_error(bosbase::httplib_transport& t, const bosbase::websocket_request& req) {
    try {
        (void)t.connect_websocket(req);
    } catch (const bosbase::transport_error& e) {
        return e;
    }
    return bosbase::transport_error(bosbase::error_kind::none, "connected");
}

}  // namespace

TEST_CASE("wss: a message goes out and comes back through a verified TLS session") {
    wss_server s;
    auto t = trusting(s.certificate);
    auto ws = t.connect_websocket(request_for(s.url()));
    REQUIRE(ws->send_text("hello over TLS"));
    std::string got;
    REQUIRE(ws->read(got) == bosbase::websocket_frame::text);
    CHECK(got == "hello over TLS");
    // A message over 16 KiB spans TLS records and reads alike.
    const std::string big(200000, 'x');
    REQUIRE(ws->send_text(big));
    REQUIRE(ws->read(got) == bosbase::websocket_frame::text);
    CHECK((got == big));
}

TEST_CASE("wss: an untrusted CA, a wrong host name, an expired certificate and a missing CA file are tls, at once") {
    {
        wss_server s;  // trusted by nobody
        bosbase::httplib_transport t;
        const auto e = connect_error(t, request_for(s.url()));
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        CHECK(std::string(e.what()).find("certificate") != std::string::npos);
        CHECK(s.sessions == 0);
    }
    {
        wss_server s("DNS:elsewhere.example");
        auto t = trusting(s.certificate);
        const auto e = connect_error(t, request_for(s.url()));
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        CHECK(std::string(e.what()).find("host name") != std::string::npos);
    }
    {
        wss_server s("IP:127.0.0.1", -3600);
        auto t = trusting(s.certificate);
        const auto e = connect_error(t, request_for(s.url()));
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        CHECK(std::string(e.what()).find("expired") != std::string::npos);
    }
    {
        wss_server s;
        bosbase::httplib_transport_options o;
        o.ca_cert_file = "/nonexistent/bosbase-ca.pem";
        bosbase::httplib_transport t(o);
        const auto e = connect_error(t, request_for(s.url()));
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        CHECK(std::string(e.what()).find("/nonexistent/bosbase-ca.pem") != std::string::npos);
    }
}

TEST_CASE("wss: verification off is explicit and then any certificate is taken") {
    wss_server s("DNS:elsewhere.example", -3600);
    bosbase::httplib_transport_options o;
    o.verify_certificate = false;
    bosbase::httplib_transport t(o);
    auto ws = t.connect_websocket(request_for(s.url()));
    REQUIRE(ws->send_text("unverified"));
    std::string got;
    REQUIRE(ws->read(got) == bosbase::websocket_frame::text);
    CHECK(got == "unverified");
}

TEST_CASE("wss: ws:// to a TLS server points to wss://, and wss:// to a plain server is tls") {
    wss_server s;
    auto t = trusting(s.certificate);
    const auto plain_to_tls = connect_error(t, request_for("ws://127.0.0.1:" + std::to_string(s.server.port()) + "/ws"));
    // OpenSSL closes on plain text without an alert, so the kind is what happened to the bytes.
    CHECK(plain_to_tls.error_kind() == bosbase::error_kind::receive);
    CHECK(std::string(plain_to_tls.what()).find("wss://") != std::string::npos);

    bosbase_test::local_server plain;
    plain->WebSocket("/ws", [](const httplib::Request&, httplib::ws::WebSocket&) {});
    plain.start();
    const auto tls_to_plain = connect_error(t, request_for("wss://127.0.0.1:" + std::to_string(plain.port()) + "/ws"));
    CHECK(tls_to_plain.error_kind() == bosbase::error_kind::tls);
}

TEST_CASE("wss: four threads send 10,000 messages while the echoes are read: none lost, none reordered per thread") {
    wss_server s;
    auto t = trusting(s.certificate);
    auto ws = t.connect_websocket(request_for(s.url()));
    constexpr int senders = 4;
    constexpr int each = 2500;
    std::map<int, int> next;  // sender -> the sequence number its next echo must carry
    int received = 0;
    bool in_order = true;
    std::thread reader([&] {
        std::string message;
        while (received < senders * each && ws->read(message) == bosbase::websocket_frame::text) {
            const auto colon = message.find(':');
            const int who = std::stoi(message.substr(0, colon));
            const int seq = std::stoi(message.substr(colon + 1));
            if (seq != next[who]) in_order = false;
            next[who] = seq + 1;
            ++received;
        }
    });
    std::atomic<int> failed_sends{0};
    std::vector<std::thread> threads;
    for (int who = 0; who < senders; ++who) {
        threads.emplace_back([&, who] {
            for (int seq = 0; seq < each; ++seq) {
                if (!ws->send_text(std::to_string(who) + ":" + std::to_string(seq))) ++failed_sends;
            }
        });
    }
    for (auto& th : threads) th.join();
    reader.join();
    CHECK(failed_sends == 0);
    CHECK(received == senders * each);
    CHECK(in_order);
    for (int who = 0; who < senders; ++who) CHECK(next[who] == each);
}

#endif
