// Compiled with -fsyntax-only against newer_httplib/httplib.h: the default
// transport must build with the current cpp-httplib API as well as Debian's 0.11.
#include <bosbase.hpp>

#ifndef BOSBASE_HTTPLIB_TLS
#error "CPPHTTPLIB_SSL_ENABLED must count as TLS support"
#endif

int main() {
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = "/etc/ssl/certs/ca-certificates.crt";
    bosbase::BosBase pb("https://example.test", bosbase::httplib_transport(tls));
    pb.collection("users").auth_with_token("token");
}
