// bosbase-cpp: definitions of client.hpp (basic_bosbase: the client, which hands out every service.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CLIENT_IPP
#define BOSBASE_CLIENT_IPP

#include "client.hpp"
#include "async.hpp"

namespace bosbase {

BOSBASE_DECL client::client(std::string_view base_url, client_options options,
                            std::unique_ptr<detail::transport_ops> transport)
    : core_(std::make_shared<detail::client_core>(detail::parse_base_url(base_url), std::move(options),
                                                  std::move(transport))) {}

BOSBASE_DECL void client::submit_job(std::function<void(std::shared_ptr<detail::client_core>)> run,
                                     std::function<void(std::exception_ptr)> abandon,
                                     std::optional<cancel_token> cancel) const {
    auto& c = core();
    auto executor = c.extension<detail::async_executor>(
        [&c] { return std::make_shared<detail::async_executor>(c.settings().async_threads); });
    detail::async_executor::job job;
    job.token = cancel ? std::move(*cancel) : cancel_token();
    detail::client_core* raw = &c;
    job.run = [run = std::move(run), raw]() mutable {
        run(std::shared_ptr<detail::client_core>(std::shared_ptr<void>(), raw));
    };
    job.abandon = [abandon = std::move(abandon), token = job.token]() mutable { abandon(detail::job_not_run(token)); };
    executor->submit(std::move(job));
}

BOSBASE_DECL record_service client::collection(std::string name) const {
    return record_service(core_, std::move(name));
}

BOSBASE_DECL std::string client::build_url(std::string_view path, const query_params& query) const {
    return core().url().origin + core().target_for(path, query);
}

BOSBASE_DECL std::string client::build_url(std::string_view path, const request_options& options) const {
    return build_url(path, detail::collect_query(options));
}

BOSBASE_DECL json client::send(std::string_view method, std::string_view path, const json& body,
                               const request_options& options) const {
    return core().send_json(method, path, body, options, {});
}

BOSBASE_DECL http_response client::send_raw(std::string_view method, std::string_view path, const json& body,
                                            const request_options& options) const {
    return core().perform(method, path, body, options, {});
}

BOSBASE_DECL redis_service client::redis() const {
    return redis_service(checked_core());
}

BOSBASE_DECL graphql_service client::graphql() const {
    return graphql_service(checked_core());
}

BOSBASE_DECL sql_service client::sql() const {
    return sql_service(checked_core());
}

BOSBASE_DECL scripts_service client::scripts() const {
    return scripts_service(checked_core());
}

BOSBASE_DECL script_permissions_service client::script_permissions() const {
    return script_permissions_service(checked_core());
}

BOSBASE_DECL llm_document_service client::llm_documents() const {
    return llm_document_service(checked_core());
}

BOSBASE_DECL std::string client::filter(std::string_view raw, const filter_params& params) {
    return bosbase::filter(raw, params);
}

BOSBASE_DECL void client::before_send(before_send_hook hook) const {
    core().set_hooks(hook ? std::make_shared<const before_send_hook>(std::move(hook)) : nullptr, nullptr, true,
                     false);
}

BOSBASE_DECL void client::after_send(after_send_hook hook) const {
    core().set_hooks(nullptr, hook ? std::make_shared<const after_send_hook>(std::move(hook)) : nullptr, false,
                     true);
}

BOSBASE_DECL detail::client_core& client::core() const {
    if (!core_) {
        throw std::logic_error("bosbase: this client was moved from");
    }
    return *core_;
}

BOSBASE_DECL const std::shared_ptr<detail::client_core>& client::checked_core() const {
    core();
    return core_;
}

// Here, not in records.hpp: it returns a client, which needs every service first.
BOSBASE_DECL client record_service::impersonate(std::string_view id, std::int64_t duration_seconds,
                                                const request_options& options) const {
    if (duration_seconds < 0) {
        throw std::invalid_argument("bosbase: impersonate duration must not be negative");
    }
    detail::require_path_segment(id, "record id");
    auto other = std::make_shared<detail::client_core>(core());
    record_service service(other, collection_);
    service.auth_call("impersonate/" + detail::encode_uri_component(id), json{{"duration", duration_seconds}},
                      options, {}, &core());
    return client(std::move(other));
}

}  // namespace bosbase

#endif  // BOSBASE_CLIENT_IPP
