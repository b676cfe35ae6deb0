// A stand-in for the client API of current cpp-httplib releases (0.2x and later),
// written for this test from their public declarations: set_path_encode instead
// of set_url_encode, TLS announced by CPPHTTPLIB_SSL_ENABLED (here as if built
// with mbedTLS), and more Error values. Declarations only: the test compiles
// bosbase.hpp against it with -fsyntax-only.
#pragma once

#include <cstddef>
#include <ctime>
#include <functional>
#include <map>
#include <string>

#define CPPHTTPLIB_MBEDTLS_SUPPORT
#define CPPHTTPLIB_SSL_ENABLED

namespace httplib {

using Headers = std::multimap<std::string, std::string>;

struct Request {
    std::string method;
    std::string path;
    Headers headers;
    std::string body;
};

struct Response {
    int status = -1;
    Headers headers;
    std::string body;
};

enum class Error {
    Success = 0, Unknown, Connection, BindIPAddress, Read, Write, ExceedRedirectCount, Canceled,
    SSLConnection, SSLLoadingCerts, SSLServerVerification, SSLServerHostnameVerification,
    UnsupportedMultipartBoundaryChars, Compression, ConnectionTimeout, ProxyConnection,
    ConnectionClosed, Timeout,
};

std::string to_string(Error error);

using ResponseHandler = std::function<bool(const Response& response)>;
using ContentReceiver = std::function<bool(const char* data, size_t data_length)>;
using DownloadProgress = std::function<bool(size_t current, size_t total)>;

class Result {
public:
    explicit operator bool() const;
    Response* operator->();
    const Response* operator->() const;
    Error error() const;
};

class Client {
public:
    explicit Client(const std::string& scheme_host_port);
    Result send(const Request& req);
    Result Get(const std::string& path, const Headers& headers, ResponseHandler response_handler,
               ContentReceiver content_receiver, DownloadProgress progress = nullptr);
    bool is_valid() const;
    void stop();
    void set_decompress(bool on);
    void set_keep_alive(bool on);
    void set_tcp_nodelay(bool on);
    void set_path_encode(bool on);
    void set_connection_timeout(time_t sec, time_t usec = 0);
    void set_read_timeout(time_t sec, time_t usec = 0);
    void set_write_timeout(time_t sec, time_t usec = 0);
#ifdef CPPHTTPLIB_SSL_ENABLED
    void set_ca_cert_path(const std::string& ca_cert_file_path, const std::string& ca_cert_dir_path = std::string());
    void enable_server_certificate_verification(bool enabled);
#endif
};

}  // namespace httplib
