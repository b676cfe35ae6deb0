// bosbase-cpp: The WebSocket's byte stream: its socket as is (ws://) or through a TLS session (wss://) of cpp-httplib's TLS layer.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_WS_STREAM_HPP
#define BOSBASE_HTTPLIB_WS_STREAM_HPP

#include "../platform_socket.hpp"
#include "../transport.hpp"
#include "compat.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

// wss:// needs a TLS session on the WebSocket's own socket. BOSBASE_WS_TLS says whose:
//   1  cpp-httplib's TLS layer (httplib::tls: one set of calls over OpenSSL, Mbed TLS or wolfSSL),
//      which came after 0.11; a release with it also has httplib::ws (BOSBASE_HTTPLIB_HAS_WS),
//      which is how it is told apart. Checked on 0.41.0.
//   2  OpenSSL's own calls, when cpp-httplib is built with CPPHTTPLIB_OPENSSL_SUPPORT but has no
//      such layer (0.11.4, Debian 12's), whose header includes OpenSSL's.
//   0  none: wss:// is refused at once (error_kind::tls).
#ifndef BOSBASE_WS_TLS
#if defined(CPPHTTPLIB_SSL_ENABLED) && BOSBASE_HTTPLIB_HAS_WS
#define BOSBASE_WS_TLS 1
#elif defined(CPPHTTPLIB_OPENSSL_SUPPORT)
#define BOSBASE_WS_TLS 2
#else
#define BOSBASE_WS_TLS 0
#endif
#endif

namespace bosbase {

namespace detail {

/// What the default transport's TLS options say, for a wss:// connection.
struct ws_tls_settings {
    bool verify = true;
    std::string ca_cert_file;
    std::string ca_cert_dir;
    std::string ca_description;  // what a failed load says about the configured CA sources
};

/// @brief One connection's bytes, plain or through TLS. Every call is one non-blocking attempt;
/// the caller waits on the socket for what step says. Not thread-safe: one thread at a time
/// (default_websocket's owner) is inside it, which is what a TLS session requires.
class ws_stream {
public:
    using clock = std::chrono::steady_clock;
    enum class step { ok, want_read, want_write, closed };

    explicit ws_stream(websocket_socket_handle& socket) : socket_(socket) {}
    ws_stream(const ws_stream&) = delete;
    ws_stream& operator=(const ws_stream&) = delete;
    ~ws_stream() {
#if BOSBASE_WS_TLS == 1
        if (session_) httplib::tls::free_session(session_);
        if (context_) httplib::tls::free_context(context_);
#elif BOSBASE_WS_TLS == 2
        if (session_) SSL_free(session_);
        if (context_) SSL_CTX_free(context_);
#endif
    }

    bool secure() const noexcept {
#if BOSBASE_WS_TLS
        return session_ != nullptr;
#else
        return false;
#endif
    }

    /// The TLS handshake and the server's certificate check, within `deadline`. Throws
    /// transport_error: tls for every refusal, timeout, canceled (the socket shut).
    void start_tls(const std::string& host, const ws_tls_settings& settings, clock::time_point deadline) {
        const sigpipe_guard no_sigpipe;  // the handshake writes through OpenSSL (see write_some)
#if BOSBASE_WS_TLS == 1
        namespace tls = httplib::tls;
        context_ = tls::create_client_context();
        if (!context_) throw transport_error(error_kind::tls, "could not make a TLS context");
        if (settings.verify) {
            const bool loaded = !settings.ca_cert_file.empty() ? tls::load_ca_file(context_, settings.ca_cert_file.c_str())
                                : !settings.ca_cert_dir.empty() ? tls::load_ca_dir(context_, settings.ca_cert_dir.c_str())
                                                                : (tls::load_system_certs(context_), true);
            if (!loaded) throw transport_error(error_kind::tls, "could not load the CA certificates" + settings.ca_description);
        }
        const bool is_ip = httplib::detail::is_ip_address(host);
#if !defined(CPPHTTPLIB_OPENSSL_SUPPORT)
        // Mbed TLS and wolfSSL check during the handshake only when told to. cpp-httplib's own
        // client turns the check off for an IP address (which they cannot match to a name) and so
        // takes any certificate there; here the chain is always checked, the address below. (Mbed
        // TLS 3.6 refuses a required check without a host name: there use a host name, not an IP.)
        tls::set_verify_client(context_, settings.verify);
#endif
        session_ = tls::create_session(context_, socket_.native());
        if (!session_) throw transport_error(error_kind::tls, "could not start a TLS session");
        if (!is_ip && !tls::set_sni(session_, host.c_str())) {
            throw transport_error(error_kind::tls, "could not set the TLS server name");
        }
        for (;;) {
            const tls::TlsError err = tls::connect(session_);
            if (err.code == tls::ErrorCode::Success) break;
            if (err.code == tls::ErrorCode::WantRead || err.code == tls::ErrorCode::WantWrite) {
                wait_handshake(err.code == tls::ErrorCode::WantRead, deadline);
                continue;
            }
            if (socket_.was_shut()) throw transport_error(error_kind::canceled, "the WebSocket connect was cancelled");
            if (err.code == tls::ErrorCode::CertVerifyFailed || err.code == tls::ErrorCode::HostnameMismatch) {
                throw refusal(err.code == tls::ErrorCode::HostnameMismatch);
            }
            throw handshake_failed(err.code == tls::ErrorCode::PeerClosed || err.code == tls::ErrorCode::SyscallError,
                                   tls::error_string(err.backend_code));
        }
        if (!settings.verify) return;
        if (tls::get_verify_result(session_) != 0) throw refusal(false);
        const tls::cert_t cert = tls::get_peer_cert(session_);
        if (!cert) throw transport_error(error_kind::tls, "the server sent no certificate");
        const bool matches = tls::verify_hostname(cert, host.c_str());
        tls::free_cert(cert);
        if (!matches) throw refusal(true);
#elif BOSBASE_WS_TLS == 2
        start_openssl(host, settings, deadline);
#else
        (void)host;
        (void)settings;
        (void)deadline;
        throw transport_error(error_kind::tls,
                              "wss:// needs cpp-httplib built with TLS (CPPHTTPLIB_OPENSSL_SUPPORT, or 0.41.0's TLS layer "
                              "with CPPHTTPLIB_MBEDTLS_SUPPORT); use ws:// or a transport of your own");
#endif
    }

    step read_some(char* out, std::size_t size, std::size_t& got) {
        ++calls_;
#if BOSBASE_WS_TLS
        std::optional<sigpipe_guard> no_sigpipe;  // a read may write an alert (see write_some)
        if (session_) no_sigpipe.emplace();
#endif
#if BOSBASE_WS_TLS == 2
        if (session_) {
            ERR_clear_error();
            const int n = SSL_read(session_, out, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
            if (n > 0) {
                got = static_cast<std::size_t>(n);
                return step::ok;
            }
            return openssl_step(n);
        }
#elif BOSBASE_WS_TLS
        if (session_) {
            httplib::tls::TlsError err;
            const auto n = httplib::tls::read(session_, out, size, err);
            if (n > 0) {
                got = static_cast<std::size_t>(n);
                return step::ok;
            }
            return tls_step(err);
        }
#endif
        switch (socket_.try_receive(out, size, got)) {
        case websocket_socket_handle::io::ok: return step::ok;
        case websocket_socket_handle::io::would_block: return step::want_read;
        default: return step::closed;
        }
    }

    step write_some(const char* data, std::size_t size, std::size_t& sent) {
        ++calls_;
#if BOSBASE_WS_TLS
        // OpenSSL writes to the socket itself, without MSG_NOSIGNAL (an alert can go out
        // from a read too): a peer that closed must fail the call, not raise SIGPIPE.
        std::optional<sigpipe_guard> no_sigpipe;
        if (session_) no_sigpipe.emplace();
#endif
#if BOSBASE_WS_TLS == 2
        if (session_) {
            ERR_clear_error();
            const int n = SSL_write(session_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
            if (n > 0) {
                sent = static_cast<std::size_t>(n);
                return step::ok;
            }
            return openssl_step(n);
        }
#elif BOSBASE_WS_TLS
        if (session_) {
            httplib::tls::TlsError err;
            const auto n = httplib::tls::write(session_, data, size, err);
            if (n > 0) {
                sent = static_cast<std::size_t>(n);
                return step::ok;
            }
            return tls_step(err);
        }
#endif
        switch (socket_.try_send(data, size, sent)) {
        case websocket_socket_handle::io::ok: return step::ok;
        case websocket_socket_handle::io::would_block: return step::want_write;
        default: return step::closed;
        }
    }

private:
#if BOSBASE_WS_TLS
    // Both TLS backends' handshakes wait and fail alike.
    void wait_handshake(bool want_read, clock::time_point deadline) {
        const auto r = socket_.wait(want_read, !want_read, nullptr, deadline);
        if (socket_.was_shut()) throw transport_error(error_kind::canceled, "the WebSocket connect was cancelled");
        if (r.timed_out) {
            throw transport_error(error_kind::timeout, "the TLS handshake of the WebSocket did not finish within connect_timeout");
        }
    }

    static transport_error not_accepted(bool wrong_name, const std::string& why) {
        if (wrong_name) return transport_error(error_kind::tls, "the server's certificate is not for this host name");
        return transport_error(error_kind::tls, "the server's certificate was not accepted (" + why +
                                                    "); pass its CA as ca_cert_file or ca_cert_dir");
    }

    static transport_error handshake_failed(bool closed, const std::string& why) {
        return transport_error(error_kind::tls,
                               closed ? std::string("the server closed the connection during the TLS handshake (is it a "
                                                    "TLS server? ws:// is the plain one)")
                                      : "the TLS handshake failed (is it a TLS server? ws:// is the plain one): " + why);
    }
#endif

#if BOSBASE_WS_TLS == 1
    static step tls_step(const httplib::tls::TlsError& err) {
        if (err.code == httplib::tls::ErrorCode::WantRead) return step::want_read;
        if (err.code == httplib::tls::ErrorCode::WantWrite) return step::want_write;
        return step::closed;
    }

    transport_error refusal(bool wrong_name) const {
        const long code = httplib::tls::get_verify_result(session_);
        return not_accepted(wrong_name, code != 0 ? httplib::tls::verify_error_string(code) : std::string("verification failed"));
    }

    httplib::tls::ctx_t context_ = nullptr;
    httplib::tls::session_t session_ = nullptr;
#elif BOSBASE_WS_TLS == 2
    // As the TLS layer does it, with OpenSSL's calls: verification (chain and name) during the
    // handshake, so a refusal ends it with the reason in SSL_get_verify_result.
    void start_openssl(const std::string& host, const ws_tls_settings& settings, clock::time_point deadline) {
        context_ = SSL_CTX_new(TLS_client_method());
        if (!context_) throw transport_error(error_kind::tls, "could not make a TLS context");
        SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
        if (settings.verify) {
            const bool loaded = settings.ca_cert_file.empty() && settings.ca_cert_dir.empty()
                                    ? (SSL_CTX_set_default_verify_paths(context_), true)
                                    : SSL_CTX_load_verify_locations(context_,
                                                                    settings.ca_cert_file.empty() ? nullptr : settings.ca_cert_file.c_str(),
                                                                    settings.ca_cert_dir.empty() ? nullptr : settings.ca_cert_dir.c_str()) == 1;
            if (!loaded) throw transport_error(error_kind::tls, "could not load the CA certificates" + settings.ca_description);
        }
        session_ = SSL_new(context_);
        if (!session_ || SSL_set_fd(session_, static_cast<int>(socket_.native())) != 1) {
            throw transport_error(error_kind::tls, "could not start a TLS session");
        }
        const bool is_ip = host.find(':') != std::string::npos || host.find_first_not_of("0123456789.") == std::string::npos;
        // SSL_set_tlsext_host_name is a macro with a C cast; its call, as cpp-httplib makes it.
        if (!is_ip && SSL_ctrl(session_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                               static_cast<void*>(const_cast<char*>(host.c_str()))) != 1) {
            throw transport_error(error_kind::tls, "could not set the TLS server name");
        }
        if (settings.verify) {
            X509_VERIFY_PARAM* param = SSL_get0_param(session_);
            const int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
            if (named != 1) throw transport_error(error_kind::tls, "could not set the host name to verify");
            SSL_set_verify(session_, SSL_VERIFY_PEER, nullptr);
        }
        for (;;) {
            ERR_clear_error();
            const int r = SSL_connect(session_);
            if (r == 1) return;
            const int e = SSL_get_error(session_, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                wait_handshake(e == SSL_ERROR_WANT_READ, deadline);
                continue;
            }
            if (socket_.was_shut()) throw transport_error(error_kind::canceled, "the WebSocket connect was cancelled");
            const long verified = SSL_get_verify_result(session_);
            if (settings.verify && verified != X509_V_OK) {
                throw not_accepted(verified == X509_V_ERR_HOSTNAME_MISMATCH || verified == X509_V_ERR_IP_ADDRESS_MISMATCH,
                                   X509_verify_cert_error_string(verified));
            }
            char why[256] = "";
            ERR_error_string_n(ERR_peek_last_error(), why, sizeof why);
            throw handshake_failed(e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN, why);
        }
    }

    step openssl_step(int result) const {
        const int e = SSL_get_error(session_, result);
        if (e == SSL_ERROR_WANT_READ) return step::want_read;
        if (e == SSL_ERROR_WANT_WRITE) return step::want_write;
        return step::closed;
    }

    SSL_CTX* context_ = nullptr;
    SSL* session_ = nullptr;
#endif
    websocket_socket_handle& socket_;
    // Counted in plain memory on purpose: two threads inside the session without an order
    // between them (which TLS forbids) is then a data race ThreadSanitizer reports, even though
    // the TLS library itself is not instrumented (tests/fault/wss_test.cpp).
    std::size_t calls_ = 0;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_WS_STREAM_HPP
