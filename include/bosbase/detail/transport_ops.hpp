// bosbase-cpp: the one place that knows the transport's type: its calls behind a small interface.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_TRANSPORT_OPS_HPP
#define BOSBASE_DETAIL_TRANSPORT_OPS_HPP

#include "../stream.hpp"
#include "../transfer.hpp"
#include "../transport.hpp"
#include "../websocket.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace bosbase {
namespace detail {

/// Every call the client makes of a transport, with what the transport can do. The client's
/// core, its services, realtime and pub/sub are ordinary classes that reach the transport
/// only through this; `basic_bosbase<T>` fills it in (transport_holder<T>), so a transport
/// stays a compile-time policy without every service becoming a template on it.
class transport_ops {
public:
    virtual ~transport_ops() = default;

    /// send() that may take the body when `keep_request` is false (a transport with
    /// send(http_request&)); an after_send hook is promised the request as it was sent.
    virtual http_response send(http_request& req, bool keep_request) = 0;

    virtual bool can_upload() const noexcept = 0;
    virtual http_response upload(const http_request& req, body_source& source) = 0;
    virtual bool can_download() const noexcept = 0;
    virtual http_response download(const http_request& req, response_sink& sink) = 0;
    virtual bool can_stream() const noexcept = 0;
    virtual http_response stream(const http_request& req, const stream_handler& on_chunk) = 0;
    virtual bool can_websocket() const noexcept = 0;
    virtual std::unique_ptr<websocket_connection> connect_websocket(const websocket_request& req) = 0;

    /// False only when the transport says it cannot reach this origin.
    virtual bool supports_origin(const std::string& origin) const = 0;

    /// A copy of the transport (copies share what the transport keeps, as the default
    /// one's connection pool), for a thread that must not share the caller's; null when
    /// the transport cannot be copied.
    virtual std::unique_ptr<transport_ops> copy() const = 0;

    /// The transport object and a key of its type, for basic_bosbase<T>::transport().
    virtual void* get() noexcept = 0;
    virtual const void* type_key() const noexcept = 0;
};

template <class T>
struct transport_type_key {
    static constexpr char id = 0;
};

template <class T>
class transport_holder final : public transport_ops {
public:
    explicit transport_holder(T transport) : transport_(std::move(transport)) {}

    http_response send(http_request& req, bool keep_request) override {
        if constexpr (has_mutable_send<T>::value && has_send<T>::value) {
            return keep_request ? transport_.send(static_cast<const http_request&>(req)) : transport_.send(req);
        } else if constexpr (has_mutable_send<T>::value) {
            if (keep_request) {
                http_request copy = req;
                return transport_.send(copy);
            }
            return transport_.send(req);
        } else if constexpr (has_send<T>::value) {
            return transport_.send(static_cast<const http_request&>(req));
        } else {
            // basic_bosbase<T> refuses such a T at compile time; a holder alone (a test
            // of one optional call) may still be made.
            (void)req, (void)keep_request;
            throw std::logic_error("bosbase: this transport has no send()");
        }
    }

    bool can_upload() const noexcept override { return has_upload<T>::value; }
    http_response upload(const http_request& req, body_source& source) override {
        if constexpr (has_upload<T>::value) {
            return transport_.upload(req, source);
        } else {
            (void)req, (void)source;
            throw std::logic_error("bosbase: this transport has no upload()");
        }
    }

    bool can_download() const noexcept override { return has_download<T>::value; }
    http_response download(const http_request& req, response_sink& sink) override {
        if constexpr (has_download<T>::value) {
            return transport_.download(req, sink);
        } else {
            (void)req, (void)sink;
            throw std::logic_error("bosbase: this transport has no download()");
        }
    }

    bool can_stream() const noexcept override { return has_stream<T>::value; }
    http_response stream(const http_request& req, const stream_handler& on_chunk) override {
        if constexpr (has_stream<T>::value) {
            return transport_.stream(req, on_chunk);
        } else {
            (void)req, (void)on_chunk;
            throw std::logic_error("bosbase: this transport has no stream()");
        }
    }

    bool can_websocket() const noexcept override { return has_websocket<T>::value; }
    std::unique_ptr<websocket_connection> connect_websocket(const websocket_request& req) override {
        if constexpr (has_websocket<T>::value) {
            return transport_.connect_websocket(req);
        } else {
            (void)req;
            throw std::logic_error("bosbase: this transport has no connect_websocket()");
        }
    }

    bool supports_origin(const std::string& origin) const override {
        if constexpr (has_supports_origin<T>::value) {
            return transport_.supports_origin(origin);
        } else {
            (void)origin;
            return true;
        }
    }

    std::unique_ptr<transport_ops> copy() const override {
        if constexpr (std::is_copy_constructible_v<T>) {
            return std::make_unique<transport_holder>(transport_);
        } else {
            return nullptr;
        }
    }

    void* get() noexcept override { return &transport_; }
    const void* type_key() const noexcept override { return &transport_type_key<T>::id; }

private:
    T transport_;
};

/// A copy of `ops` for a thread of its own, or std::logic_error naming who needs it.
BOSBASE_DECL std::unique_ptr<transport_ops> copy_transport(const transport_ops& ops, const char* who);

}  // namespace detail
}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "transport_ops.ipp"
#endif

#endif  // BOSBASE_DETAIL_TRANSPORT_OPS_HPP
