// bosbase-cpp: The state one client and its services share, and the single path every request takes.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CLIENT_CORE_HPP
#define BOSBASE_CLIENT_CORE_HPP

#include "transport.hpp"
#include "errors.hpp"
#include "detail/text.hpp"
#include "detail/json_parse.hpp"
#include "detail/base_url.hpp"
#include "auth_store.hpp"
#include "options.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

template <class Transport>
class basic_bosbase;

// Realtime (see the Realtime section further down).
class subscription;
struct subscribe_options;
struct realtime_event;
template <class Transport>
class realtime_service;

namespace detail {

/// The secrets one call carries (password, custom token, OTP, auth token): they
/// are scrubbed from every text an error of that call composes.
struct call_secrets {
    std::array<std::string_view, 4> items{};
    std::size_t count = 0;

    call_secrets() = default;
    call_secrets(std::initializer_list<std::string_view> list) {
        for (std::string_view s : list) add(s);
    }
    void add(std::string_view s) {
        if (!s.empty() && count < items.size()) items[count++] = s;
    }
    std::vector<std::string_view> to_vector() const { return {items.begin(), items.begin() + count}; }
};

}  // namespace detail

/// @brief Runs before every request reaches the transport; may change the method,
/// target, headers and body (they are checked again afterwards).
using before_send_hook = std::function<void(http_request&)>;
/// @brief Runs after every HTTP response, 2xx or not, before it is checked; may change it.
using after_send_hook = std::function<void(const http_request&, http_response&)>;

namespace detail {

template <class Transport>
class realtime_slot;

/// Everything one client is: base URL, options, transport, auth store and hooks.
/// Clients and the services they hand out share it, so none can dangle.
template <class Transport>
class client_core {
public:
    BOSBASE_SPLIT_NOINLINE client_core(parsed_base_url u, client_options o, Transport t)
        : url(std::move(u)), settings(std::move(o)), transport(std::move(t)) {
        require_headers(settings.headers, "client_options.headers");
        require_header("Accept-Language", settings.lang, "client_options.lang");
        if (settings.max_json_depth == 0) {
            throw std::invalid_argument("bosbase: client_options.max_json_depth must be at least 1");
        }
        if constexpr (has_supports_origin<Transport>::value) {
            if (!transport.supports_origin(url.origin)) {
                throw std::invalid_argument("bosbase: the transport cannot reach '" + url.origin +
                                            "' (its supports_origin() said no; for https:// the default "
                                            "transport needs cpp-httplib built with TLS)");
            }
        }
    }

    // A new identity on the same server: same URL, options, hooks and (shared) transport, empty store.
    BOSBASE_SPLIT_NOINLINE explicit client_core(const client_core& other)
        : url(other.url), settings(other.settings), transport(other.transport) {
        std::lock_guard<std::mutex> lock(other.hooks_mutex_);
        before_ = other.before_;
        after_ = other.after_;
        has_hooks_ = other.has_hooks_.load();
    }

    client_core& operator=(const client_core&) = delete;

    const parsed_base_url url;
    const client_options settings;
    Transport transport;
    auth_store store;

    BOSBASE_SPLIT_NOINLINE
    void set_hooks(std::shared_ptr<const before_send_hook> before, std::shared_ptr<const after_send_hook> after,
                   bool set_before, bool set_after) {
        std::lock_guard<std::mutex> lock(hooks_mutex_);
        if (set_before) before_ = std::move(before);
        if (set_after) after_ = std::move(after);
        has_hooks_ = before_ || after_;
    }

    BOSBASE_SPLIT_NOINLINE
    json send_json(std::string_view method, std::string_view path, const json& body, const request_options& options,
                   call_secrets secrets) {
        http_response res = perform(method, path, body, options, secrets);
        return parse_body(res, path, options, secrets);
    }

    BOSBASE_SPLIT_NOINLINE http_response perform(std::string_view method, std::string_view path, const json& body,
                          const request_options& options, call_secrets secrets) {
        return perform_impl(method, path, &body, nullptr, {}, options, secrets);
    }

    /// A request whose body is already built (multipart uploads); it is moved, never copied.
    BOSBASE_SPLIT_NOINLINE http_response perform_body(std::string_view method, std::string_view path, std::string body,
                               std::string_view content_type, const request_options& options, call_secrets secrets) {
        return perform_impl(method, path, nullptr, &body, content_type, options, secrets);
    }

    BOSBASE_SPLIT_NOINLINE json send_body_json(std::string_view method, std::string_view path, std::string body,
                        std::string_view content_type, const request_options& options, call_secrets secrets) {
        http_response res = perform_body(method, path, std::move(body), content_type, options, secrets);
        return parse_body(res, path, options, secrets);
    }

    // Every request goes through here: input checks, hooks, the transport, and the
    // mapping of everything that can go wrong onto ClientResponseError. The body is
    // either JSON (json_body) or prebuilt bytes (raw_body, taken by move).
    BOSBASE_SPLIT_NOINLINE
    http_response perform_impl(std::string_view method, std::string_view path, const json* json_body,
                               std::string* raw_body, std::string_view raw_content_type,
                               const request_options& options, call_secrets secrets) {
        require_headers(options.headers, "request_options.headers");

        http_request req;
        req.method = std::string(method);
        req.origin = url.origin;
        req.connect_timeout = settings.connect_timeout;
        req.read_timeout = options.timeout.value_or(settings.timeout);
        req.write_timeout = req.read_timeout;
        const auto started = http_request::clock::now();
        req.deadline = started + options.deadline.value_or(settings.deadline);
        req.max_response_bytes = settings.max_response_bytes;
        req.decompress = settings.decompress;
        req.target = target_for(path, collect_query(options));
        if (json_body != nullptr && !json_body->is_null()) {
            req.body = dump_json(*json_body);
            req.content_type = "application/json";
        } else if (raw_body != nullptr && !raw_body->empty()) {
            req.body = std::move(*raw_body);
            req.content_type = std::string(raw_content_type);
        }
        req.headers = build_headers(options);

        std::shared_ptr<const before_send_hook> before;
        std::shared_ptr<const after_send_hook> after;
        if (has_hooks_.load(std::memory_order_acquire)) {
            std::lock_guard<std::mutex> lock(hooks_mutex_);
            before = before_;
            after = after_;
        }
        if (before) {
            (*before)(req);
            check_request(req);  // what a hook hands back is checked like caller input
        } else if (!is_header_name_safe(req.method)) {
            // Everything else was checked as it was built: call headers above, client
            // headers and lang at construction, the stored token when it was saved.
            throw std::invalid_argument("bosbase: the HTTP method must be a token such as GET or POST");
        }
        if (req.body.size() > settings.max_request_bytes) {
            throw std::invalid_argument("bosbase: the request body has " + std::to_string(req.body.size()) +
                                        " bytes, more than client_options::max_request_bytes (" +
                                        std::to_string(settings.max_request_bytes) + ")");
        }
        for (const auto& h : req.headers) {
            if (ascii_iequal(h.first, "Authorization")) secrets.add(h.second);
        }

        http_response res;
        try {
            res = send_to_transport(req, after != nullptr);
        } catch (const transport_error& e) {
            if (e.error_kind() == error_kind::deadline) {
                // The transport only sees a point in time; the caller set a duration.
                throw transport_failure(req, error_kind::deadline, deadline_text(req, options, started), secrets);
            }
            throw transport_failure(req, e.error_kind(), e.what(), secrets);
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            throw transport_failure(req, error_kind::other, e.what(), secrets);
        } catch (...) {
            throw transport_failure(req, error_kind::other, "the transport threw a non-standard exception", secrets);
        }
        if (after) {
            (*after)(req, res);
        }
        // The default transport stops at the limit; a custom one may not.
        if (res.body.size() > req.max_response_bytes) {
            throw transport_failure(req, error_kind::too_large,
                                    "the response body is larger than max_response_bytes (" +
                                        std::to_string(req.max_response_bytes) + " bytes)",
                                    secrets);
        }
        if (res.status < 200 || res.status > 299) {
            const auto secret_list = secrets.to_vector();
            throw ClientResponseError(redact_url(url.origin + req.target), res.status,
                                      error_body(res, settings.max_json_depth, secret_list), error_kind::none, {},
                                      secret_list);
        }
        return res;
    }

    BOSBASE_SPLIT_NOINLINE
    json parse_body(const http_response& res, std::string_view path, const request_options& options,
                    const call_secrets& secrets) const {
        if (res.body.empty()) {
            return json::object();
        }
        auto parsed = parse_json(res.body, settings.max_json_depth);
        if (!parsed) {
            throw ClientResponseError(
                error_url(path, options), res.status,
                json{{"status", res.status},
                     {"message", "The server's response is not JSON, or nests deeper than max_json_depth (" +
                                     std::to_string(settings.max_json_depth) + ")."},
                     {"data", json::object()}},
                error_kind::invalid_response, {}, secrets.to_vector());
        }
        return std::move(*parsed);
    }

    // Only failed calls pay for building and redacting the URL.
    BOSBASE_SPLIT_NOINLINE std::string error_url(std::string_view path, const request_options& options) const {
        try {
            return redact_url(url.origin + target_for(path, collect_query(options)));
        } catch (const std::invalid_argument&) {
            return url.origin;
        }
    }

    BOSBASE_SPLIT_NOINLINE static query_params collect_query(const request_options& options) {
        query_params q = options.query;
        if (options.filter) assign_param(q, "filter", *options.filter);
        if (options.sort) assign_param(q, "sort", *options.sort);
        if (options.skip_total) assign_param(q, "skipTotal", *options.skip_total);
        if (options.expand) assign_param(q, "expand", *options.expand);
        if (options.fields) assign_param(q, "fields", *options.fields);
        return q;
    }

    BOSBASE_SPLIT_NOINLINE std::string target_for(std::string_view path, const query_params& query) const {
        if (!is_target_safe(path)) {
            throw std::invalid_argument(
                "bosbase: the request path must be percent-encoded (no spaces, '#', control or non-ASCII bytes)");
        }
        std::string target = url.prefix;
        if (path.empty() || path.front() != '/') {
            target += '/';
        }
        target += path;
        std::string qs;
        try {
            append_query(qs, query);
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: a query value is not valid UTF-8");
        }
        if (!qs.empty()) {
            target += (target.find('?') == std::string::npos ? "?" : "&") + qs;
        }
        return target;
    }

private:
    // A transport with send(http_request&) may take the body rather than copy it. An
    // after_send hook is promised the request as it was sent, so then the body stays.
    http_response send_to_transport(http_request& req, bool keep_request) {
        if constexpr (has_mutable_send<Transport>::value && has_send<Transport>::value) {
            return keep_request ? transport.send(static_cast<const http_request&>(req)) : transport.send(req);
        } else if constexpr (has_mutable_send<Transport>::value) {
            if (keep_request) {
                http_request copy = req;
                return transport.send(copy);
            }
            return transport.send(req);
        } else {
            return transport.send(static_cast<const http_request&>(req));
        }
    }

    // What a before_send hook hands back is checked like caller input.
    static void check_request(const http_request& req) {
        if (!is_header_name_safe(req.method)) {
            throw std::invalid_argument("bosbase: the HTTP method must be a token such as GET or POST");
        }
        if (!is_target_safe(req.target) || req.target.empty() || req.target.front() != '/') {
            throw std::invalid_argument(
                "bosbase: the request target must start with '/' and be percent-encoded (no spaces, '#', control "
                "or non-ASCII bytes)");
        }
        require_headers(req.headers, "request headers");
        if (!is_header_value_safe(req.content_type)) {
            throw std::invalid_argument("bosbase: the content type must not contain control bytes");
        }
    }

    std::string deadline_text(const http_request& req, const request_options& options,
                              http_request::clock::time_point started) const {
        using std::chrono::milliseconds;
        const auto took = std::chrono::duration_cast<milliseconds>(http_request::clock::now() - started);
        return req.method + " " + url.origin + " exceeded its deadline of " +
               std::to_string(options.deadline.value_or(settings.deadline).count()) + " ms (stopped after " +
               std::to_string(took.count()) + " ms)";
    }

    ClientResponseError transport_failure(const http_request& req, error_kind kind, const std::string& what,
                                          const call_secrets& secrets) const {
        return ClientResponseError(redact_url(url.origin + req.target), 0, json::object(), kind, what,
                                   secrets.to_vector());
    }

    // nlohmann's own message would quote the offending byte, which may belong to a secret.
    static std::string dump_json(const json& value) {
        try {
            return value.dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument(
                "bosbase: a request value is not valid UTF-8; JSON bodies and JSON query values must be UTF-8");
        }
    }

    // Only what the JS SDK sends: the server needs no Accept header (it always answers JSON).
    header_list build_headers(const request_options& options) const {
        header_list headers;
        headers.reserve(options.headers.size() + settings.headers.size() + 2);
        headers = options.headers;
        auto add_default = [&](const char* name, std::string value) {
            if (!value.empty() && !has_header(headers, name)) {
                headers.emplace_back(name, std::move(value));
            }
        };
        for (const auto& h : settings.headers) {
            if (!h.second.empty() && !has_header(headers, h.first)) headers.push_back(h);
        }
        add_default("Accept-Language", settings.lang);
        add_default("Authorization", store.token());
        return headers;
    }

    // The server's envelope is kept as is; anything else is wrapped so response() is
    // always an object that dump() can write (raw bytes are made valid UTF-8 first).
    // `secrets` are scrubbed from a raw body before it is cut, so no part of one survives.
    static json error_body(const http_response& res, std::size_t max_depth,
                           const std::vector<std::string_view>& secrets) {
        json out;
        auto parsed = res.body.empty() ? std::nullopt : parse_json(res.body, max_depth);
        if (parsed && parsed->is_object()) {
            out = std::move(*parsed);
        } else {
            constexpr std::size_t max_body = 512;
            const char* message = res.body.empty() ? "The server sent an empty error response."
                                                   : "The server sent a non-JSON error response.";
            if (res.status < 200) {
                message = "The server sent an interim (1xx) response as its final answer.";
            } else if (res.status >= 300 && res.status < 400) {
                message = "The server answered with a redirect, which the SDK does not follow.";
            }
            out = json{{"status", res.status}, {"message", message}, {"data", json::object()}};
            if (!res.body.empty()) {
                std::string raw = res.body;
                scrub_secrets(raw, secrets);
                out["body"] = to_valid_utf8(std::string_view(raw).substr(0, max_body));
            }
        }
        if (res.status >= 300 && res.status < 400) {
            for (const auto& h : res.headers) {
                if (ascii_iequal(h.first, "Location")) {
                    out["location"] = redact_url(to_valid_utf8(h.second));
                }
            }
        }
        return out;
    }

    mutable std::mutex hooks_mutex_;
    std::atomic<bool> has_hooks_{false};  // lets calls skip the mutex when no hook is set
    std::shared_ptr<const before_send_hook> before_;
    std::shared_ptr<const after_send_hook> after_;

public:
    // Keep last: members die in reverse order, so the realtime thread is stopped
    // and joined while everything it uses is still whole.
    realtime_slot<Transport> realtime{this};
};

/// Base of every service: a handle on the client's shared state.
template <class Transport>
class service_base {
public:
    BOSBASE_SPLIT_NOINLINE
    explicit service_base(std::shared_ptr<client_core<Transport>> core) : core_(std::move(core)) {}

protected:
    client_core<Transport>& core() const {
        if (!core_) {
            throw std::invalid_argument("bosbase: this service came from a moved-from client");
        }
        return *core_;
    }

    const std::shared_ptr<client_core<Transport>>& core_ptr() const noexcept { return core_; }

private:
    std::shared_ptr<client_core<Transport>> core_;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_CLIENT_CORE_HPP
