// https:// through the default transport against an in-process TLS server with
// a certificate made for the test: verification is on by default and a
// configured CA makes it pass.
#include <doctest/doctest.h>
#include <local_server.hpp>

#include <bosbase.hpp>

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT

#include <test_certificate.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {

using bosbase_test::test_certificate;

struct tls_fixture {
    test_certificate certificate;
    bosbase_test::local_server server{std::make_unique<httplib::SSLServer>(certificate.cert(), certificate.key())};
    explicit tls_fixture(const char* san = "IP:127.0.0.1", long valid_for = 3600) : certificate(san, valid_for) {
        server->Post("/api/collections/users/bind-token", [](const httplib::Request&, httplib::Response& res) {
            res.status = 204;
        });
        server.start();
    }
};

}  // namespace

TEST_CASE("https: an untrusted certificate is refused by default with status 0") {
    tls_fixture f;
    bosbase::BosBase pb(f.server.url("https"));
    try {
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
        FAIL("an unverified certificate was accepted");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.original_error() == "certificate of " + f.server.url("https") + " could not be verified");
    }
}

TEST_CASE("https: trusting the CA file makes the same call succeed") {
    tls_fixture f;
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = f.certificate.pem_path();
    bosbase::BosBase pb(f.server.url("https"), bosbase::httplib_transport(tls));
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok2");  // and again, on the kept connection
}

TEST_CASE("https: verification can be switched off explicitly") {
    tls_fixture f;
    bosbase::httplib_transport_options tls;
    tls.verify_certificate = false;
    bosbase::BosBase pb(f.server.url("https"), bosbase::httplib_transport(tls));
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
}

TEST_CASE("https: a plain-http server behind an https URL fails the handshake with status 0") {
    bosbase_test::local_server plain;
    plain.start();
    bosbase::BosBase pb(plain.url("https"));
    try {
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        CHECK(e.original_error().find("TLS") != std::string::npos);
    }
}

// Every way the server's certificate or the caller's CA can be wrong ends the call with
// error_kind::tls on its first attempt, with a message that says which.
TEST_CASE("https: certificate and CA failures are error_kind::tls, each with its own reason") {
    struct failing {
        const char* name;
        const char* san;
        long valid_for;
        std::string ca_file;  // "" trusts nothing but the system's store; "<cert>" the test's certificate
        std::string says;
    };
    const std::string missing = "/nonexistent/bosbase-ca-" + std::to_string(::getpid()) + ".pem";
    for (const failing& c : {failing{"untrusted", "IP:127.0.0.1", 3600, "", "could not be verified"},
                             failing{"wrong host name", "DNS:other.example", 3600, "<cert>", "certificate of"},
                             failing{"expired", "IP:127.0.0.1", -3600, "<cert>", "could not be verified"},
                             failing{"missing CA file", "IP:127.0.0.1", 3600, missing,
                                     "ca_cert_file '" + missing + "': no such file or directory"}}) {
        CAPTURE(std::string(c.name));
        tls_fixture f(c.san, c.valid_for);
        bosbase::httplib_transport_options tls;
        tls.ca_cert_file = c.ca_file == "<cert>" ? f.certificate.pem_path() : c.ca_file;
        bosbase::BosBase pb(f.server.url("https"), bosbase::httplib_transport(tls));
        try {
            pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
            FAIL("the call succeeded");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 0);
            CHECK(e.error_kind() == bosbase::error_kind::tls);
            CHECK_MESSAGE(e.original_error().find(c.says) != std::string::npos, e.original_error());
        }
    }
}

TEST_CASE("https: a TLS server asked over http:// is a clear error, not a hang") {
    tls_fixture f;
    bosbase::BosBase pb(f.server.url("http"));
    try {
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
        FAIL("no throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() != bosbase::error_kind::timeout);
        CHECK_MESSAGE(e.original_error().find("use an https:// URL") != std::string::npos, e.original_error());
    }
}

#else

TEST_CASE("https: without TLS support an https URL is refused up front") {
    CHECK_THROWS_WITH_AS(bosbase::BosBase("https://127.0.0.1:1"),
                         "bosbase: this transport cannot reach 'https://127.0.0.1:1' (for https:// build cpp-httplib "
                         "with CPPHTTPLIB_OPENSSL_SUPPORT)",
                         std::invalid_argument);
}

#endif
