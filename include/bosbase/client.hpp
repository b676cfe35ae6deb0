// bosbase-cpp: basic_bosbase: the client, which hands out every service.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CLIENT_HPP
#define BOSBASE_CLIENT_HPP

#include "services/records.hpp"
#include "services/admin.hpp"
#include "services/files.hpp"
#include "services/batch.hpp"
#include "services/vectors.hpp"
#include "services/llm_documents.hpp"
#include "services/langchaingo.hpp"
#include "services/caches.hpp"
#include "services/redis.hpp"
#include "services/graphql.hpp"
#include "services/scripts.hpp"
#include "services/script_permissions.hpp"
#include "realtime/service.hpp"
#include "pubsub/service.hpp"
#include "typed.hpp"
#include "cancel.hpp"

#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <string_view>
#include <utility>

namespace bosbase {

/// @brief Everything a client does that does not depend on its transport's type: the
/// services, the hooks, send(). basic_bosbase<T> is one, with the transport's constructors,
/// transport() and async(); impersonate() hands out a client, which converts back to the
/// basic_bosbase<T> of the client it came from. Movable, not copyable.
class client {
public:
    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client() = default;

    /// @brief The service for one collection (name or id). It shares this client's
    /// state and stays usable after the client is gone.
    record_service collection(std::string name) const;

    /// @brief The record calls of T's collection (T::collection_name), typed: they take and
    /// return T (a struct bosbase-typegen wrote, or your own; see typed_collection).
    template <class T>
    [[nodiscard]] typed_collection<T> collection() const {
        return typed_collection<T>(collection(std::string(T::collection_name)));
    }

    class auth_store& auth_store() const { return core().store(); }

    /// @brief Realtime subscriptions (SSE); needs a streaming transport (see README, "Realtime").
    realtime_service realtime() const { return realtime_service(core_); }

    /// @brief BosBase pub/sub over a WebSocket (see README, "Pub/sub"); needs a transport with
    /// the WebSocket call, which the default transport has (BOSBASE_HTTPLIB_WEBSOCKET).
    [[nodiscard]] pubsub_service pubsub() const { return pubsub_service(checked_core()); }

    /// @brief The options the client was made with.
    const client_options& options() const { return core().settings(); }

    /// @brief The base URL without a trailing slash.
    std::string base_url() const { return core().url().origin + core().url().prefix; }

    /// @brief Absolute URL of an API path with an encoded query.
    std::string build_url(std::string_view path, const query_params& query = {}) const;

    /// @brief Absolute URL of an API path with the query a call with these options sends.
    std::string build_url(std::string_view path, const request_options& options) const;

    /// @brief Sends any API request and returns the parsed JSON (an empty object for an empty 2xx body).
    /// Throws ClientResponseError for anything but 2xx and for network failures.
    json send(std::string_view method, std::string_view path, const json& body = nullptr,
              const request_options& options = {}) const;

    /// @brief Like send() but returns the raw 2xx response (for files and other non-JSON bodies).
    http_response send_raw(std::string_view method, std::string_view path, const json& body = nullptr,
                           const request_options& options = {}) const;

    /// @brief GET /api/health.
    health_service health() const { return health_service(checked_core()); }

    /// @brief Superuser calls on collections (list, create, update, delete, truncate, import, scaffolds).
    collection_service collections() const { return collection_service(checked_core()); }

    /// @brief Superuser calls on the application settings.
    settings_service settings() const { return settings_service(checked_core()); }

    /// @brief Superuser access to the request logs.
    log_service logs() const { return log_service(checked_core()); }

    /// @brief Superuser calls on backups.
    backup_service backups() const { return backup_service(checked_core()); }

    /// @brief Superuser calls on cron jobs.
    cron_service crons() const { return cron_service(checked_core()); }

    /// @brief File URLs and file tokens.
    file_service files() const { return file_service(checked_core()); }

    /// @brief BosBase: Redis keys (superuser; the server needs REDIS_URL).
    [[nodiscard]] redis_service redis() const;

    /// @brief BosBase: GraphQL over the records (superuser).
    [[nodiscard]] graphql_service graphql() const;

    /// @brief BosBase: SQL on the server's database (superuser).
    [[nodiscard]] sql_service sql() const;

    /// @brief BosBase: stored scripts, commands, uploads and WASM, and waiting for their jobs.
    [[nodiscard]] scripts_service scripts() const;

    /// @brief BosBase: the stored execution permissions of scripts (superuser).
    [[nodiscard]] script_permissions_service script_permissions() const;

    /// @brief A new, empty batch of record writes (see batch_service).
    batch_service create_batch() const { return batch_service(checked_core()); }

    /// @brief BosBase's vector store: collections and documents (superusers).
    [[nodiscard]]
    vector_service vectors() const { return vector_service(checked_core()); }

    /// @brief BosBase's LLM document store: collections, documents, similarity queries (superusers).
    [[nodiscard]] llm_document_service llm_documents() const;

    /// @brief LangChaingo through BosBase: completions, RAG, text-to-SQL (signed-in records).
    [[nodiscard]]
    langchaingo_service langchaingo() const { return langchaingo_service(checked_core()); }

    /// @brief BosBase's managed caches and their entries (superusers).
    [[nodiscard]]
    cache_service caches() const { return cache_service(checked_core()); }

    /// @brief bosbase::filter(): a filter expression with safely escaped `{:name}` parameters.
    static std::string filter(std::string_view raw, const filter_params& params);

    /// @brief Sets (or, with nullptr, clears) the hook run before every request.
    /// Exceptions thrown by a hook propagate unchanged.
    void before_send(before_send_hook hook) const;

    /// @brief Sets (or clears) the hook run after every HTTP response, error statuses included.
    void after_send(after_send_hook hook) const;

    /// @brief A client on the same shared state (for impersonate and the async views):
    /// not for direct use.
    explicit client(std::shared_ptr<detail::client_core> core) : core_(std::move(core)) {}

protected:
    // basic_bosbase<T>'s constructor: all but the transport's holder is made here, so
    // what a file that makes a client compiles does not grow with the client.
    client(std::string_view base_url, client_options options, std::unique_ptr<detail::transport_ops> transport);

    detail::client_core& core() const;

    const std::shared_ptr<detail::client_core>& checked_core() const;

    // Runs `run` on the client's executor with an unowned handle on the core (the core
    // joins the executor before it goes, so a running job never outlives it), or `abandon`
    // when it never runs. Not a template: the executor's threads stay out of user TUs.
    void submit_job(std::function<void(std::shared_ptr<detail::client_core>)> run,
                    std::function<void(std::exception_ptr)> abandon, std::optional<cancel_token> cancel) const;

    std::shared_ptr<detail::client_core> core_;
};

/// @brief The BosBase client, templated on a transport policy (see README
/// "Custom transports"). Safe to share between threads, which then share one
/// signed-in identity; for several identities make one client each (copies of
/// one transport share its connection pool). Movable, not copyable.
template <class Transport>
class basic_bosbase : public client {
    static_assert(is_transport_v<Transport>,
                  "bosbase: a Transport must have a member `bosbase::http_response send(const "
                  "bosbase::http_request&)` or `bosbase::http_response send(bosbase::http_request&)` (see README, "
                  "section 'Custom transports')");

public:
    using transport_type = Transport;

    /// @brief Connects to base_url ("http://127.0.0.1:8090", may carry a path prefix).
    template <class T = Transport, std::enable_if_t<std::is_default_constructible_v<T>, int> = 0>
    explicit basic_bosbase(std::string_view base_url, client_options options = {})
        : basic_bosbase(base_url, Transport{}, std::move(options)) {}

    basic_bosbase(std::string_view base_url, Transport transport, client_options options = {})
        : client(base_url, std::move(options),
                 std::make_unique<detail::transport_holder<Transport>>(std::move(transport))) {}

    /// @brief The client impersonate() made from a basic_bosbase<Transport>; any other is
    /// std::logic_error (its transport is of another type).
    basic_bosbase(client&& other)  // NOLINT(google-explicit-constructor): `BosBase b = ....impersonate(id)`
        : client(std::move(other)) {
        if (core_ && core_->transport().type_key() != &detail::transport_type_key<Transport>::id) {
            throw std::logic_error("bosbase: this client's transport is not of the requested basic_bosbase's type");
        }
    }

    basic_bosbase(basic_bosbase&&) noexcept = default;
    basic_bosbase& operator=(basic_bosbase&&) noexcept = default;
    basic_bosbase(const basic_bosbase&) = delete;
    basic_bosbase& operator=(const basic_bosbase&) = delete;

    Transport& transport() const { return *static_cast<Transport*>(core().transport().get()); }

    /// @brief Realtime subscriptions (SSE); needs a streaming transport (see README, "Realtime").
    template <class T = Transport>
    [[nodiscard]] realtime_service realtime() const {
        static_assert(is_streaming_transport_v<T>,
                      "bosbase: realtime needs a transport with the streaming call `bosbase::http_response "
                      "stream(const bosbase::http_request&, const bosbase::stream_handler&)` "
                      "(see README, section 'Realtime')");
        return client::realtime();
    }

    /// @brief BosBase pub/sub over a WebSocket (see README, "Pub/sub"); needs a transport with
    /// the WebSocket call, which the default transport has (BOSBASE_HTTPLIB_WEBSOCKET).
    template <class T = Transport>
    [[nodiscard]] pubsub_service pubsub() const {
        static_assert(is_websocket_transport_v<T>,
                      "bosbase: pub/sub needs a transport with the WebSocket call `std::unique_ptr<bosbase::"
                      "websocket_connection> connect_websocket(const bosbase::websocket_request&)`; the default "
                      "transport has it unless BOSBASE_HTTPLIB_WEBSOCKET is 0 (see README, section 'Pub/sub')");
        return client::pubsub();
    }

    // --- async ---------------------------------------------------------------

    /// @brief Runs `fn(client)` on the client's executor (client_options::async_threads
    /// threads, started on first use) and returns its result as a std::future. Every
    /// call `fn` makes obeys `options.cancel`, as if each had it in its own options (the
    /// other fields belong to the calls `fn` makes: set, they are std::invalid_argument);
    /// `fn` gets a view of this client, valid while `fn` runs. Destroying the client
    /// cancels what is running, fails what has not started (is_abort()) and waits for
    /// the executor's threads. Exceptions of `fn` arrive through the future.
    ///
    /// @code
    /// std::future<bosbase::json> page = pb.async([](const bosbase::BosBase& c) {
    ///     return c.collection("posts").get_list(1, 50);
    /// });
    /// @endcode
    template <class F>
    [[nodiscard]] std::future<std::invoke_result_t<F&, const basic_bosbase&>> async(
        F fn, const request_options& options = {}) const {
        using R = std::invoke_result_t<F&, const basic_bosbase&>;
        detail::require_only_cancel(options, "async");
        auto promise = std::make_shared<std::promise<R>>();
        std::future<R> future = promise->get_future();
        submit([fn = std::move(fn), promise](const basic_bosbase& view) mutable { fulfil(*promise, fn, view); },
               [promise](std::exception_ptr e) { promise->set_exception(std::move(e)); }, options.cancel);
        return future;
    }

    /// @brief The earlier spelling, `async(fn, token)`: the same as options.cancel = token.
    /// (A template, so `async(fn, {})` can only mean the options.)
    template <class F, class Token, std::enable_if_t<std::is_same_v<Token, cancel_token>, int> = 0>
    [[nodiscard]] std::future<std::invoke_result_t<F&, const basic_bosbase&>> async(F fn, Token cancel) const {
        request_options options;
        options.cancel = std::move(cancel);
        return async(std::move(fn), options);
    }

    /// @brief Like async(), but hands the finished result to `done(std::future<R>)` on the
    /// executor thread instead of returning it; `future.get()` returns or rethrows. An
    /// exception `done` throws is dropped. `done` is also called, with a failed future,
    /// when the call never runs (cancelled first, or the client destroyed).
    template <class F, class Done>
    void async_callback(F fn, Done done, const request_options& options = {}) const {
        using R = std::invoke_result_t<F&, const basic_bosbase&>;
        detail::require_only_cancel(options, "async_callback");
        auto shared_done = std::make_shared<Done>(std::move(done));
        auto deliver = [shared_done](std::promise<R>& promise) {
            try {
                (*shared_done)(promise.get_future());
            } catch (...) {
                // The caller's callback; nothing above it could handle this.
            }
        };
        submit(
            [fn = std::move(fn), deliver](const basic_bosbase& view) mutable {
                std::promise<R> promise;
                fulfil(promise, fn, view);
                deliver(promise);
            },
            [deliver](std::exception_ptr e) {
                std::promise<R> promise;
                promise.set_exception(std::move(e));
                deliver(promise);
            },
            options.cancel);
    }

    /// @brief The earlier spelling, `async_callback(fn, done, token)`.
    template <class F, class Done, class Token, std::enable_if_t<std::is_same_v<Token, cancel_token>, int> = 0>
    void async_callback(F fn, Done done, Token cancel) const {
        request_options options;
        options.cancel = std::move(cancel);
        async_callback(std::move(fn), std::move(done), options);
    }

    /// @brief A client on the same shared state (for the async views): not for direct use.
    explicit basic_bosbase(std::shared_ptr<detail::client_core> core) : client(std::move(core)) {}

private:
    template <class R, class F>
    static void fulfil(std::promise<R>& promise, F& fn, const basic_bosbase& view) {
        try {
            if constexpr (std::is_void_v<R>) {
                fn(view);
                promise.set_value();
            } else {
                promise.set_value(fn(view));
            }
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
    }

    template <class Run, class Abandon>
    void submit(Run run, Abandon abandon, std::optional<cancel_token> cancel) const {
        submit_job(
            [run = std::move(run)](std::shared_ptr<detail::client_core> core) mutable {
                const basic_bosbase view(std::move(core));
                run(view);
            },
            std::move(abandon), std::move(cancel));
    }
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "client.ipp"
#endif

#endif  // BOSBASE_CLIENT_HPP
