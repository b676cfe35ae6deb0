// bosbase-cpp: the state one client and its services share, and the single path every request takes.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CLIENT_CORE_HPP
#define BOSBASE_CLIENT_CORE_HPP

#include "auth_store.hpp"
#include "cancel.hpp"
#include "detail/base_url.hpp"
#include "detail/json_parse.hpp"
#include "detail/request.hpp"
#include "detail/text.hpp"
#include "detail/transport_ops.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "transfer.hpp"
#include "transport.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

template <class Transport>
class basic_bosbase;
class client;

/// @brief Runs before every request reaches the transport; may change the method,
/// target, headers and body (they are checked again afterwards).
using before_send_hook = std::function<void(http_request&)>;
/// @brief Runs after every HTTP response, 2xx or not, before it is checked; may change it.
using after_send_hook = std::function<void(const http_request&, http_response&)>;

namespace detail {

/// Runs before a call takes the stored token (the auto-refresh of services/records.hpp),
/// with the call's options; it may make calls of its own, which do not run it again.
using pre_call_hook = std::function<void(const request_options&)>;

/// While one lives on a thread, that thread's calls skip the pre-call hook: inside the
/// hook (so it never recurses) and around sign-ins (which replace the token anyway).
class pre_call_pause {
public:
    pre_call_pause() noexcept : previous_(paused()) { paused() = true; }
    pre_call_pause(const pre_call_pause&) = delete;
    pre_call_pause& operator=(const pre_call_pause&) = delete;
    ~pre_call_pause() { paused() = previous_; }

    static bool& paused() noexcept;

private:
    bool previous_;
};

/// Something an upper layer (realtime, the async executor) keeps in a client core.
/// The core knows nothing else of it: it shuts every extension down first thing in
/// its destructor, while all the core's members are still whole.
class core_extension {
public:
    virtual ~core_extension() = default;
    /// Stops what the extension runs (threads, connections); must not throw.
    virtual void shutdown() noexcept = 0;
};

// One address per extension type: a key without RTTI.
template <class Extension>
struct extension_key {
    static constexpr char id = 0;
};

/// Everything one client is: base URL, options, transport, auth store and hooks.
/// Clients and the services they hand out share it, so none can dangle. Its
/// interface is all the services see: the request path, and the store and settings.
/// An extension that outlives a call (realtime's thread) keeps weak_from_this(), which
/// works however the caller reached the core (the async views hold it unowned).
class client_core : public std::enable_shared_from_this<client_core> {
public:
    client_core(parsed_base_url u, client_options o, std::unique_ptr<transport_ops> t);

    // A new identity on the same server: same URL, options, hooks and (shared) transport, empty store.
    explicit client_core(const client_core& other);

    client_core& operator=(const client_core&) = delete;

    ~client_core();

    const parsed_base_url& url() const noexcept { return url_; }
    const client_options& settings() const noexcept { return settings_; }
    transport_ops& transport() noexcept { return *transport_; }
    auth_store& store() noexcept { return store_; }

    /// The extension of this type, made by `make` on first use.
    template <class Extension, class Make>
    std::shared_ptr<Extension> extension(Make&& make) {
        std::lock_guard<std::mutex> lock(extensions_mutex_);
        const void* key = &extension_key<Extension>::id;
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i] == key) return std::static_pointer_cast<Extension>(extensions_[i]);
        }
        std::shared_ptr<Extension> made = make();
        keys_.push_back(key);
        extensions_.push_back(made);
        return made;
    }

    /// The extension of this type if it was ever made, else null.
    template <class Extension>
    std::shared_ptr<Extension> existing_extension() const {
        std::lock_guard<std::mutex> lock(extensions_mutex_);
        const void* key = &extension_key<Extension>::id;
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i] == key) return std::static_pointer_cast<Extension>(extensions_[i]);
        }
        return nullptr;
    }

    void set_hooks(std::shared_ptr<const before_send_hook> before, std::shared_ptr<const after_send_hook> after,
                   bool set_before, bool set_after);

    /// Sets (or, with nullptr, clears) the pre-call hook; `owner` names who set it.
    void set_pre_call(std::shared_ptr<const pre_call_hook> hook, const void* owner);

    /// Clears the pre-call hook if `owner` set it (a later one stays).
    void clear_pre_call(const void* owner);

    json send_json(std::string_view method, std::string_view path, const json& body, const request_options& options,
                   call_secrets secrets);

    http_response perform(std::string_view method, std::string_view path, const json& body,
                          const request_options& options, call_secrets secrets);

    /// A request whose body is already built (multipart uploads); it is moved, never copied.
    http_response perform_body(std::string_view method, std::string_view path, std::string body,
                               std::string_view content_type, const request_options& options, call_secrets secrets);

    /// A request whose body, answer or both are streamed (see transfer.hpp): through the
    /// transport's upload() or download() when it has them, else held in memory.
    http_response perform_transfer(std::string_view method, std::string_view path,
                                                          std::string_view content_type, const request_options& options,
                                                          call_secrets secrets, transfer& io);

    json send_body_json(std::string_view method, std::string_view path, std::string body,
                        std::string_view content_type, const request_options& options, call_secrets secrets);

    // Every request goes through here: input checks, hooks, the transport, and the
    // mapping of everything that can go wrong onto ClientResponseError. The body is
    // either JSON (json_body) or prebuilt bytes (raw_body, taken by move).
    http_response perform_impl(std::string_view method, std::string_view path, const json* json_body,
                               std::string* raw_body, std::string_view raw_content_type,
                               const request_options& options, call_secrets secrets, transfer* io = nullptr);

    json parse_body(const http_response& res, std::string_view path, const request_options& options,
                    const call_secrets& secrets) const;

    // Only failed calls pay for building and redacting the URL.
    std::string error_url(std::string_view path, const request_options& options) const;

    std::string target_for(std::string_view path, const query_params& query) const;

private:
    // The call's own token, else the one of the async job it runs in. With both, a
    // token that either cancels (made only then).
    struct cancel_scope {
        explicit cancel_scope(const request_options& options);
        std::optional<cancel_token> token;
        cancel_token::registration links[2];
    };

    void run_pre_call(const request_options& options);

    ClientResponseError canceled(std::string_view method, std::string_view path, const request_options& options,
                                 const call_secrets& secrets) const;

    // A transport with send(http_request&) may take the body rather than copy it. An
    // after_send hook is promised the request as it was sent, so then the body stays.
    http_response send_to_transport(http_request& req, bool keep_request);

    // A transport without upload() gets the body read into memory (within
    // max_request_bytes, checked before); one without download() reads the answer into
    // memory, within max_response_bytes, before the sink sees it.
    http_response transfer_with_transport(http_request& req, transfer& io);

    std::string deadline_text(const http_request& req, const request_options& options,
                              http_request::clock::time_point started) const;

    ClientResponseError transport_failure(const http_request& req, error_kind kind, const std::string& what,
                                          const call_secrets& secrets) const;

    // Only what the JS SDK sends: the server needs no Accept header (it always answers JSON).
    header_list build_headers(const request_options& options) const;

    const parsed_base_url url_;
    const client_options settings_;
    std::unique_ptr<transport_ops> transport_;
    auth_store store_;

    mutable std::mutex hooks_mutex_;
    std::atomic<bool> has_hooks_{false};  // lets calls skip the mutex when no hook is set
    std::shared_ptr<const before_send_hook> before_;
    std::shared_ptr<const after_send_hook> after_;
    std::atomic<bool> has_pre_call_{false};
    std::shared_ptr<const pre_call_hook> pre_call_;
    const void* pre_call_owner_ = nullptr;

    mutable std::mutex extensions_mutex_;
    std::vector<const void*> keys_;
    std::vector<std::shared_ptr<core_extension>> extensions_;
};

/// Base of every service: a handle on the client's shared state.
class service_base {
public:
    explicit service_base(std::shared_ptr<client_core> core) : core_(std::move(core)) {}

protected:
    client_core& core() const;

    const std::shared_ptr<client_core>& core_ptr() const noexcept { return core_; }

private:
    std::shared_ptr<client_core> core_;
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "client_core.ipp"
#endif

#endif  // BOSBASE_CLIENT_CORE_HPP
