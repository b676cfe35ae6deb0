// https:// through the default transport against an in-process TLS server with
// a certificate made for the test: verification is on by default and a
// configured CA makes it pass.
#include <doctest/doctest.h>
#include <local_server.hpp>

#include <bosbase.hpp>

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {

// A self-signed certificate, also usable as its own CA: by default for IP 127.0.0.1 and valid
// for an hour; `san` and `valid_for` make one for another name or one that has expired.
class test_certificate {
public:
    explicit test_certificate(const char* san = "IP:127.0.0.1", long valid_for = 3600) {
        key_ = EVP_EC_gen("P-256");
        REQUIRE(key_ != nullptr);
        cert_ = X509_new();
        X509_set_version(cert_, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert_), valid_for > 0 ? -60 : 2 * valid_for);
        X509_gmtime_adj(X509_getm_notAfter(cert_), valid_for);
        X509_set_pubkey(cert_, key_);
        X509_NAME* name = X509_get_subject_name(cert_);
        // The common name repeats the one subject alternative name: a client that falls back to
        // the common name must not find another match there.
        const std::string common_name = std::string(san).substr(std::string(san).find(':') + 1);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                   -1, -1, 0);
        X509_set_issuer_name(cert_, name);
        add_extension(NID_subject_alt_name, san);
        add_extension(NID_basic_constraints, "critical,CA:TRUE");
        REQUIRE(X509_sign(cert_, key_, EVP_sha256()) > 0);

        char dir[] = "/tmp/bosbase-tls-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        pem_path_ = dir_ + "/ca.pem";
        FILE* f = std::fopen(pem_path_.c_str(), "w");
        REQUIRE(f != nullptr);
        PEM_write_X509(f, cert_);
        std::fclose(f);
    }
    ~test_certificate() {
        X509_free(cert_);
        EVP_PKEY_free(key_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    test_certificate(const test_certificate&) = delete;
    test_certificate& operator=(const test_certificate&) = delete;

    X509* cert() const { return cert_; }
    EVP_PKEY* key() const { return key_; }
    const std::string& pem_path() const { return pem_path_; }

private:
    void add_extension(int nid, const char* value) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert_, cert_, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        REQUIRE(ext != nullptr);
        X509_add_ext(cert_, ext, -1);
        X509_EXTENSION_free(ext);
    }

    EVP_PKEY* key_ = nullptr;
    X509* cert_ = nullptr;
    std::string dir_;
    std::string pem_path_;
};

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
