// A stand-in for the client API of current cpp-httplib releases (0.2x to 0.41),
// written for this test from their public declarations: set_path_encode instead
// of set_url_encode, TLS announced by CPPHTTPLIB_SSL_ENABLED (here as if built
// with mbedTLS), more Error values, set_max_timeout and set_payload_max_length
// on the client, set_proxy and set_proxy_basic_auth, Request::start_time_, and Request::content_provider_ with
// content_length_ (what Client::Post with a ContentProvider sets). Declarations
// only: the test compiles bosbase.hpp against it with -fsyntax-only.
#pragma once

// Like the real header, this pulls in what its thread pool and callbacks use.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <thread>

#define CPPHTTPLIB_MBEDTLS_SUPPORT
#define CPPHTTPLIB_SSL_ENABLED

// As in the real header: global, next to the platform includes.
using socket_t = int;

namespace httplib {

using Headers = std::multimap<std::string, std::string>;
using SocketOptions = std::function<void(socket_t sock)>;

struct Response {
    int status = -1;
    Headers headers;
    std::string body;
    bool has_header(const std::string& key) const;
    std::string get_header_value(const std::string& key, const char* def = "", std::size_t id = 0) const;
};

using ResponseHandler = std::function<bool(const Response& response)>;
using ContentReceiverWithProgress =
    std::function<bool(const char* data, std::size_t data_length, std::size_t offset, std::size_t total_length)>;

class DataSink {
public:
    std::function<bool(const char* data, std::size_t data_len)> write;
    std::function<bool()> is_writable;
    std::function<void()> done;
};

using ContentProvider = std::function<bool(std::size_t offset, std::size_t length, DataSink& sink)>;

struct Request {
    std::string method;
    std::string path;
    Headers headers;
    std::string body;
    ResponseHandler response_handler;
    ContentReceiverWithProgress content_receiver;
    std::size_t content_length_ = 0;
    ContentProvider content_provider_;
    std::chrono::time_point<std::chrono::steady_clock> start_time_ = (std::chrono::steady_clock::time_point::min)();
};

enum class Error {
    Success = 0, Unknown, Connection, BindIPAddress, Read, Write, ExceedRedirectCount, Canceled,
    SSLConnection, SSLLoadingCerts, SSLServerVerification, SSLServerHostnameVerification,
    UnsupportedMultipartBoundaryChars, Compression, ConnectionTimeout, ProxyConnection,
    ConnectionClosed, Timeout, ResourceExhaustion, TooManyFormDataFiles, ExceedMaxPayloadSize,
    ExceedUriMaxLength, ExceedMaxSocketDescriptorCount, InvalidRequestLine, InvalidHTTPMethod,
    InvalidHTTPVersion, InvalidHeaders, MultipartParsing, OpenFile, Listen, GetSockName,
    UnsupportedAddressFamily, HTTPParsing, InvalidRangeHeader,
};

std::string to_string(Error error);

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
    bool is_valid() const;
    Result send(const Request& req);
    Result Get(const std::string& path, const Headers& headers, ResponseHandler response_handler,
               ContentReceiver content_receiver, DownloadProgress progress = nullptr);
    bool send(Request& req, Response& res, Error& error);
    void stop();
    socket_t socket() const;
    void set_keep_alive(bool on);
    void set_follow_location(bool on);
    void set_decompress(bool on);
    void set_socket_options(SocketOptions socket_options);
    void set_max_timeout(time_t msec);
    void set_payload_max_length(std::size_t length);
    void set_tcp_nodelay(bool on);
    void set_path_encode(bool on);
    void set_connection_timeout(time_t sec, time_t usec = 0);
    void set_read_timeout(time_t sec, time_t usec = 0);
    void set_write_timeout(time_t sec, time_t usec = 0);
    void set_proxy(const std::string& host, int port);
    void set_proxy_basic_auth(const std::string& username, const std::string& password);
#ifdef CPPHTTPLIB_SSL_ENABLED
    void set_ca_cert_path(const std::string& ca_cert_file_path, const std::string& ca_cert_dir_path = std::string());
    void enable_server_certificate_verification(bool enabled);
#endif
};

}  // namespace httplib
