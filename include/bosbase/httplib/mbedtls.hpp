// bosbase-cpp: Two faults of cpp-httplib's Mbed TLS backend, worked around for the default transport.
// SPDX-License-Identifier: MIT
//
// cpp-httplib built with CPPHTTPLIB_MBEDTLS_SUPPORT (the Windows stage's TLS backend; Debian 12's
// mbedtls 2.28 cross-compiled for mingw-w64) has, in 0.41.0:
//
// - No chain check for a host given as an IP address. Mbed TLS can match a certificate only to a
//   host name, so for https://127.0.0.1 cpp-httplib turns its verification off (VERIFY_NONE) and
//   then reads a verify result that nothing computed: any certificate that names the address was
//   accepted, whoever signed it. With a verify callback registered it asks for VERIFY_OPTIONAL
//   instead: Mbed TLS checks the chain, and cpp-httplib refuses a failed one after the handshake
//   (its own check of the address against the certificate follows as before). Fixed upstream in
//   0.47.0 ("Fix TLS chain verification bypass for IP hosts on Mbed TLS and wolfSSL").
// - The first byte of an answer lost. After writing a request cpp-httplib asks whether the server
//   closed the connection by reading one byte through Mbed TLS (which has no peek) and drops it:
//   when the answer is already there, its "H" of "HTTP/1.1" is gone and the call fails as an
//   unreadable answer, one call in three under wine. Fixed upstream in 0.51.0. Here the
//   session's I/O goes through two callbacks of the transport's that hand cpp-httplib's own ones
//   the socket as cpp-httplib does, except that the first read after a write reports "nothing
//   yet": the probe takes that for alive and reads nothing, and a real read (cpp-httplib's read
//   loop tries again on "nothing yet") gets the whole answer. A server that closed the connection
//   is then found by the read, as on a plain connection.
//
// Only the transport's connections get these (websocket.hpp opens its own).
#ifndef BOSBASE_HTTPLIB_MBEDTLS_HPP
#define BOSBASE_HTTPLIB_MBEDTLS_HPP

#include <cstddef>
#include <memory>
#include <utility>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

#include "compat.hpp"

namespace bosbase {
namespace detail {
namespace httplib_mbedtls {

// Only where cpp-httplib has its TLS layer (httplib::tls), which a release with httplib::ws has:
// the API-shape check's stand-in for newer releases announces Mbed TLS but declares no layer.
#if defined(CPPHTTPLIB_MBEDTLS_SUPPORT) && BOSBASE_HTTPLIB_HAS_WS

// The state of one connection's I/O; the client's session verifier owns it, so it lives as long
// as the httplib::Client whose sessions use it (including the close_notify its destructor sends).
struct session_io {
    using socket_type = decltype(httplib::tls::impl::MbedTlsSession::sock);
    socket_type* sock = nullptr;  // the session's own, which cpp-httplib's callbacks take
    bool wrote_since_read = false;

    static int send(void* self, const unsigned char* data, std::size_t size) {
        auto& io = *static_cast<session_io*>(self);
        const int sent = httplib::tls::impl::mbedtls_net_send_cb(io.sock, data, size);
        if (sent > 0) io.wrote_since_read = true;
        return sent;
    }

    static int receive(void* self, unsigned char* data, std::size_t size) {
        auto& io = *static_cast<session_io*>(self);
        if (io.wrote_since_read) {
            io.wrote_since_read = false;
            return MBEDTLS_ERR_SSL_WANT_READ;
        }
        return httplib::tls::impl::mbedtls_net_recv_cb(io.sock, data, size);
    }
};

inline void apply(httplib::Client& client, bool verify_certificate) {
    if (verify_certificate) {
        // Registering a callback is what marks the client's context for VERIFY_OPTIONAL. cpp-httplib
        // keeps the callback itself in a thread_local of the calling thread, for every client there:
        // that one is put back as it was, and with none Mbed TLS's verdict stands as it is, so a
        // failed chain ends the call after the handshake as SSLServerVerification (error_kind::tls).
        auto& thread_callback = httplib::tls::impl::get_verify_callback();
        auto saved = std::move(thread_callback);
        client.set_server_certificate_verifier([](const httplib::tls::VerifyContext&) { return false; });
        thread_callback = std::move(saved);
    }
    auto io = std::make_shared<session_io>();
    // Runs after each handshake, before the first request goes out on the new session.
    client.set_session_verifier([io](httplib::tls::session_t session) {
        auto* mbed = static_cast<httplib::tls::impl::MbedTlsSession*>(session);
        io->sock = &mbed->sock;
        io->wrote_since_read = false;
        mbedtls_ssl_set_bio(&mbed->ssl, io.get(), &session_io::send, &session_io::receive, nullptr);
        return httplib::SSLVerifierResponse::NoDecisionMade;
    });
}

#else

inline void apply(httplib::Client&, bool) {}

#endif  // CPPHTTPLIB_MBEDTLS_SUPPORT && BOSBASE_HTTPLIB_HAS_WS

}  // namespace httplib_mbedtls
}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_MBEDTLS_HPP
