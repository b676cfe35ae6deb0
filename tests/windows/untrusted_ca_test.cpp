// https:// on Windows (cpp-httplib 0.41.0 with Mbed TLS) refuses a server whose certificate no
// trusted CA signed, at once and as error_kind::tls with status 0: with the system's store (which
// never heard of the run's CA) and with another CA's file. The server is the TLS terminator in
// front of a running BosBase, at an IP address (https://127.0.0.1:<port>, BOSBASE_URL), whose
// certificate the run's CA signed; BOSBASE_UNTRUSTED_CA_FILE is the PEM file of a second CA.
// scripts/test_windows.sh runs this suite (--no-skip) only there.
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

namespace {

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    REQUIRE_MESSAGE((value != nullptr && *value != '\0'), "set " << name << " (scripts/test_windows.sh does)");
    return value;
}

void check_refused(const std::string& what, const bosbase::httplib_transport_options& tls) {
    const std::string url = required_env("BOSBASE_URL");
    REQUIRE(url.rfind("https://", 0) == 0);
    bosbase::BosBase pb(url, bosbase::httplib_transport(tls));
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)pb.health().check();
        FAIL(what << ": the server's certificate was accepted");
    } catch (const bosbase::ClientResponseError& e) {
        INFO(what << ": " << std::string(e.what()));
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::tls);
        // Refused for its certificate, not for want of a TLS backend (also error_kind::tls).
        CHECK(std::string(e.what()).find("certificate of https://") != std::string::npos);
    }
    // At once: a refused handshake, not a wait for some timeout.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

}  // namespace

TEST_SUITE("https" * doctest::skip()) {

TEST_CASE("https: a certificate from a CA the system's store does not hold is refused") {
    check_refused("no ca_cert_file", bosbase::httplib_transport_options{});
}

TEST_CASE("https: a certificate from another CA than ca_cert_file's is refused") {
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = required_env("BOSBASE_UNTRUSTED_CA_FILE");
    check_refused("ca_cert_file of another CA", tls);
}

}  // TEST_SUITE
