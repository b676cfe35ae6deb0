// bosbase-cpp: definitions of client_core.hpp (the state one client and its services share, and the single path every request takes.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CLIENT_CORE_IPP
#define BOSBASE_CLIENT_CORE_IPP

#include "client_core.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL bool& pre_call_pause::paused() noexcept {
    static thread_local bool flag = false;
    return flag;
}

BOSBASE_DECL client_core::client_core(parsed_base_url u, client_options o, std::unique_ptr<transport_ops> t)
    : url_(std::move(u)), settings_(std::move(o)), transport_(std::move(t)) {
    require_headers(settings_.headers, "client_options.headers");
    require_header("Accept-Language", settings_.lang, "client_options.lang");
    if (settings_.max_json_depth == 0) {
        throw std::invalid_argument("bosbase: client_options.max_json_depth must be at least 1");
    }
    if (!transport_->supports_origin(url_.origin)) {
        throw std::invalid_argument("bosbase: the transport cannot reach '" + url_.origin +
                                    "' (its supports_origin() said no; for https:// the default "
                                    "transport needs cpp-httplib built with TLS)");
    }
}

BOSBASE_DECL client_core::client_core(const client_core& other)
    : std::enable_shared_from_this<client_core>(),  // a new object: its own owners
          url_(other.url_), settings_(other.settings_),
          transport_(copy_transport(*other.transport_, "a second identity (impersonate)")) {
    std::lock_guard<std::mutex> lock(other.hooks_mutex_);
    before_ = other.before_;
    after_ = other.after_;
    has_hooks_ = other.has_hooks_.load();
}

BOSBASE_DECL client_core::~client_core() {
    std::vector<std::shared_ptr<core_extension>> extensions;
    {
        std::lock_guard<std::mutex> lock(extensions_mutex_);
        extensions.swap(extensions_);
    }
    for (auto it = extensions.rbegin(); it != extensions.rend(); ++it) (*it)->shutdown();
}

BOSBASE_DECL void client_core::set_hooks(std::shared_ptr<const before_send_hook> before,
                                         std::shared_ptr<const after_send_hook> after, bool set_before,
                                         bool set_after) {
    std::lock_guard<std::mutex> lock(hooks_mutex_);
    if (set_before) before_ = std::move(before);
    if (set_after) after_ = std::move(after);
    has_hooks_ = before_ || after_;
}

BOSBASE_DECL void client_core::set_pre_call(std::shared_ptr<const pre_call_hook> hook, const void* owner) {
    std::lock_guard<std::mutex> lock(hooks_mutex_);
    pre_call_ = std::move(hook);
    pre_call_owner_ = pre_call_ ? owner : nullptr;
    has_pre_call_.store(pre_call_ != nullptr, std::memory_order_release);
}

BOSBASE_DECL void client_core::clear_pre_call(const void* owner) {
    std::lock_guard<std::mutex> lock(hooks_mutex_);
    if (pre_call_owner_ != owner) return;
    pre_call_ = nullptr;
    pre_call_owner_ = nullptr;
    has_pre_call_.store(false, std::memory_order_release);
}

BOSBASE_DECL json client_core::send_json(std::string_view method, std::string_view path, const json& body,
                                         const request_options& options, call_secrets secrets) {
    http_response res = perform(method, path, body, options, secrets);
    return parse_body(res, path, options, secrets);
}

BOSBASE_DECL http_response client_core::perform(std::string_view method, std::string_view path,
                                                const json& body, const request_options& options,
                                                call_secrets secrets) {
    return perform_impl(method, path, &body, nullptr, {}, options, secrets);
}

BOSBASE_DECL http_response client_core::perform_body(std::string_view method, std::string_view path,
                                                     std::string body, std::string_view content_type,
                                                     const request_options& options, call_secrets secrets) {
    return perform_impl(method, path, nullptr, &body, content_type, options, secrets);
}

BOSBASE_DECL http_response client_core::perform_transfer(std::string_view method, std::string_view path,
                                                         std::string_view content_type,
                                                         const request_options& options, call_secrets secrets,
                                                         transfer& io) {
    return perform_impl(method, path, nullptr, nullptr, content_type, options, secrets, &io);
}

BOSBASE_DECL json client_core::send_body_json(std::string_view method, std::string_view path,
                                              std::string body, std::string_view content_type,
                                              const request_options& options, call_secrets secrets) {
    http_response res = perform_body(method, path, std::move(body), content_type, options, secrets);
    return parse_body(res, path, options, secrets);
}

BOSBASE_DECL http_response client_core::perform_impl(std::string_view method, std::string_view path,
                                                     const json* json_body, std::string* raw_body,
                                                     std::string_view raw_content_type,
                                                     const request_options& options, call_secrets secrets,
                                                     transfer* io) {
    require_headers(options.headers, "request_options.headers");
    const cancel_scope cancel(options);
    if (cancel.token && cancel.token->is_canceled()) {
        throw canceled(method, path, options, secrets);
    }

    if (has_pre_call_.load(std::memory_order_acquire) && !pre_call_pause::paused()) {
        run_pre_call(options);
    }

    http_request req;
    req.method = std::string(method);
    req.origin = url_.origin;
    req.connect_timeout = settings_.connect_timeout;
    req.read_timeout = options.timeout.value_or(settings_.timeout);
    req.write_timeout = req.read_timeout;
    const auto started = http_request::clock::now();
    req.deadline = started + options.deadline.value_or(settings_.deadline);
    req.max_response_bytes = settings_.max_response_bytes;
    req.decompress = settings_.decompress;
    req.target = target_for(path, collect_query(options));
    req.cancel = cancel.token;
    if (!options.body.is_null()) {
        if (json_body == nullptr) {
            throw std::invalid_argument("bosbase: request_options.body adds fields to a JSON body, and " +
                                        std::string(method) + " " + std::string(path) + " sends none");
        }
        req.body = dump_json(with_body_fields(*json_body, options.body));
        req.content_type = "application/json";
    } else if (json_body != nullptr && !json_body->is_null()) {
        req.body = dump_json(*json_body);
        req.content_type = "application/json";
    } else if (raw_body != nullptr && !raw_body->empty()) {
        req.body = std::move(*raw_body);
        req.content_type = std::string(raw_content_type);
    }
    if (io != nullptr) {
        if (io->source != nullptr) req.content_type = std::string(raw_content_type);
        if (io->sink != nullptr && io->max_body) {
            req.max_response_bytes = static_cast<std::size_t>(
                std::min<std::uint64_t>(*io->max_body, std::numeric_limits<std::size_t>::max()));
        }
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
    const std::uint64_t body_size = io != nullptr && io->source != nullptr ? io->source->size : req.body.size();
    if (body_size > settings_.max_request_bytes) {
        throw std::invalid_argument("bosbase: the request body has " + std::to_string(body_size) +
                                    " bytes, more than client_options::max_request_bytes (" +
                                    std::to_string(settings_.max_request_bytes) + ")");
    }
    for (const auto& h : req.headers) {
        if (ascii_iequal(h.first, "Authorization")) secrets.add(h.second);
    }

    http_response res;
    try {
        res = io != nullptr ? transfer_with_transport(req, *io) : send_to_transport(req, after != nullptr);
        // A transport that knows no cancellation may still have answered; the call
        // is over for the caller all the same, and nothing of it is kept.
        if (cancel.token && cancel.token->is_canceled()) {
            throw transport_error(error_kind::canceled, req.method + " " + url_.origin + " was cancelled");
        }
        if (io != nullptr && io->failure) throw transport_error(*io->failure);
    } catch (...) {
        const transport_fault fault = current_transport_fault();
        // A connection stopped by a cancel may fail in any way; the cancel is what happened.
        if (cancel.token && cancel.token->is_canceled()) {
            throw transport_failure(req, error_kind::canceled, req.method + " " + url_.origin + " was cancelled",
                                    secrets);
        }
        if (fault.kind == error_kind::deadline) {
            // The transport only sees a point in time; the caller set a duration.
            throw transport_failure(req, error_kind::deadline, deadline_text(req, options, started), secrets);
        }
        throw transport_failure(req, fault.kind, fault.what, secrets);
    }
    if (io != nullptr && io->sink != nullptr && (res.status < 200 || res.status > 299)) {
        res.body = std::move(io->error_body);
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
        throw ClientResponseError(redact_url(url_.origin + req.target), res.status,
                                  error_body(res, settings_.max_json_depth, secret_list), error_kind::none, {},
                                  secret_list);
    }
    return res;
}

BOSBASE_DECL json client_core::parse_body(const http_response& res, std::string_view path,
                                          const request_options& options, const call_secrets& secrets) const {
    if (res.body.empty()) {
        return json::object();
    }
    auto parsed = parse_json(res.body, settings_.max_json_depth);
    if (!parsed) {
        throw ClientResponseError(
            error_url(path, options), res.status,
            json{{"status", res.status},
                 {"message", "The server's response is not JSON, or nests deeper than max_json_depth (" +
                                 std::to_string(settings_.max_json_depth) + ")."},
                 {"data", json::object()}},
            error_kind::invalid_response, {}, secrets.to_vector());
    }
    return std::move(*parsed);
}

BOSBASE_DECL std::string client_core::error_url(std::string_view path, const request_options& options) const {
    try {
        return redact_url(url_.origin + target_for(path, collect_query(options)));
    } catch (const std::invalid_argument&) {
        return url_.origin;
    }
}

BOSBASE_DECL std::string client_core::target_for(std::string_view path, const query_params& query) const {
    if (!is_target_safe(path)) {
        throw std::invalid_argument(
            "bosbase: the request path must be percent-encoded (no spaces, '#', control or non-ASCII bytes)");
    }
    std::string target = url_.prefix;
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

BOSBASE_DECL client_core::cancel_scope::cancel_scope(const request_options& options) {
    const cancel_token* ambient = current_job_cancel();
    if (options.cancel && ambient && *options.cancel != *ambient) {
        token.emplace();
        links[0] = options.cancel->on_cancel([t = *token] { t.cancel(); });
        links[1] = ambient->on_cancel([t = *token] { t.cancel(); });
    } else if (options.cancel) {
        token = options.cancel;
    } else if (ambient) {
        token = *ambient;
    }
}

BOSBASE_DECL void client_core::run_pre_call(const request_options& options) {
    std::shared_ptr<const pre_call_hook> hook;
    {
        std::lock_guard<std::mutex> lock(hooks_mutex_);
        hook = pre_call_;
    }
    if (!hook) return;
    const pre_call_pause pause;
    (*hook)(options);
}

BOSBASE_DECL ClientResponseError client_core::canceled(std::string_view method, std::string_view path,
                                                       const request_options& options,
                                                       const call_secrets& secrets) const {
    return ClientResponseError(error_url(path, options), 0, json::object(), error_kind::canceled,
                               std::string(method) + " " + url_.origin + " was cancelled before it was sent",
                               secrets.to_vector());
}

BOSBASE_DECL http_response client_core::send_to_transport(http_request& req, bool keep_request) {
    return transport_->send(req, keep_request);
}

BOSBASE_DECL http_response client_core::transfer_with_transport(http_request& req, transfer& io) {
    if (io.source != nullptr) {
        if (transport_->can_upload()) {
            return transport_->upload(static_cast<const http_request&>(req), *io.source);
        } else {
            req.body.resize(static_cast<std::size_t>(io.source->size));
            for (std::size_t at = 0; at < req.body.size();) {
                const std::size_t got = io.source->read(at, &req.body[at], req.body.size() - at);
                if (got == 0) {
                    throw transport_error(error_kind::canceled, req.method + " " + url_.origin + " was cancelled");
                }
                at += got;
            }
        }
    }
    if (io.sink == nullptr) return send_to_transport(req, true);
    if (transport_->can_download()) {
        return transport_->download(static_cast<const http_request&>(req), *io.sink);
    } else {
        req.max_response_bytes = std::min(req.max_response_bytes, settings_.max_response_bytes);
        http_response res = send_to_transport(req, true);
        if (io.sink->on_head(res.status, res.headers) && !res.body.empty()) io.sink->on_body(res.body);
        res.body.clear();
        return res;
    }
}

BOSBASE_DECL std::string client_core::deadline_text(const http_request& req, const request_options& options,
                                                    http_request::clock::time_point started) const {
    using std::chrono::milliseconds;
    const auto took = std::chrono::duration_cast<milliseconds>(http_request::clock::now() - started);
    return req.method + " " + url_.origin + " exceeded its deadline of " +
           std::to_string(options.deadline.value_or(settings_.deadline).count()) + " ms (stopped after " +
           std::to_string(took.count()) + " ms)";
}

BOSBASE_DECL ClientResponseError client_core::transport_failure(const http_request& req, error_kind kind,
                                                                const std::string& what,
                                                                const call_secrets& secrets) const {
    return ClientResponseError(redact_url(url_.origin + req.target), 0, json::object(), kind, what,
                               secrets.to_vector());
}

BOSBASE_DECL header_list client_core::build_headers(const request_options& options) const {
    header_list headers;
    headers.reserve(options.headers.size() + settings_.headers.size() + 2);
    headers = options.headers;
    auto add_default = [&](const char* name, std::string value) {
        if (!value.empty() && !has_header(headers, name)) {
            headers.emplace_back(name, std::move(value));
        }
    };
    for (const auto& h : settings_.headers) {
        if (!h.second.empty() && !has_header(headers, h.first)) headers.push_back(h);
    }
    add_default("Accept-Language", settings_.lang);
    add_default("Authorization", store_.token());
    return headers;
}

BOSBASE_DECL client_core& service_base::core() const {
    if (!core_) {
        throw std::logic_error("bosbase: this service came from a moved-from client");
    }
    return *core_;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_CLIENT_CORE_IPP
