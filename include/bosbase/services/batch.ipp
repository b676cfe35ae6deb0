// bosbase-cpp: definitions of services/batch.hpp (batch_service: several record writes in one transaction.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_BATCH_IPP
#define BOSBASE_SERVICES_BATCH_IPP

#include "batch.hpp"

namespace bosbase {

BOSBASE_DECL batch_service::collection_batch::collection_batch(std::shared_ptr<queue> queued,
                                                               std::string_view collection)
    : queue_(std::move(queued)) {
    detail::require_path_segment(collection, "collection name or id");
    records_url_ = "/api/collections/" + detail::encode_uri_component(collection) + "/records";
}

BOSBASE_DECL void batch_service::collection_batch::create(const json& body, const request_options& options) {
    add("POST", records_url_, body, options);
}

BOSBASE_DECL void batch_service::collection_batch::upsert(const json& body, const request_options& options) {
    add("PUT", records_url_, body, options);
}

BOSBASE_DECL void batch_service::collection_batch::update(std::string_view id, const json& body,
                                                          const request_options& options) {
    add("PATCH", record_url(id), body, options);
}

BOSBASE_DECL void batch_service::collection_batch::remove(std::string_view id, const request_options& options) {
    add("DELETE", record_url(id), json::object(), options);
}

BOSBASE_DECL void batch_service::collection_batch::create_with_files(const json& body, const file_list& files,
                                                                     const request_options& options) {
    add("POST", records_url_, body, options, &files);
}

BOSBASE_DECL void batch_service::collection_batch::upsert_with_files(const json& body, const file_list& files,
                                                                     const request_options& options) {
    add("PUT", records_url_, body, options, &files);
}

BOSBASE_DECL void batch_service::collection_batch::update_with_files(std::string_view id, const json& body,
                                                                     const file_list& files,
                                                                     const request_options& options) {
    add("PATCH", record_url(id), body, options, &files);
}

BOSBASE_DECL std::string batch_service::collection_batch::record_url(std::string_view id) const {
    detail::require_path_segment(id, "record id");
    return records_url_ + "/" + detail::encode_uri_component(id);
}

BOSBASE_DECL void batch_service::collection_batch::add(const char* method, std::string url, const json& body,
                                                       const request_options& options, const file_list* files) {
    const request_options opts = options;
    if (files != nullptr) {
        for (const auto& f : *files) detail::require_file_field(f.first);
    }
    detail::require_headers(opts.headers, "request_options.headers");
    std::string qs;
    try {
        detail::append_query(qs, detail::collect_query(opts));
    } catch (const bosbase::json::type_error&) {
        throw std::invalid_argument("bosbase: a query value is not valid UTF-8");
    }
    if (!qs.empty()) url += "?" + qs;
    json request{{"method", method}, {"url", std::move(url)}};
    if (!opts.headers.empty()) {
        json headers = json::object();
        for (const auto& h : opts.headers) headers[h.first] = h.second;
        request["headers"] = std::move(headers);
    }
    request["body"] = detail::object_body(body, "a batch request body");
    if (files != nullptr && !files->empty()) {
        const std::string prefix = "requests." + std::to_string(queue_->requests.size()) + ".";
        queue_->files.reserve(queue_->files.size() + files->size());
        for (const auto& f : *files) queue_->files.emplace_back(prefix + f.first, f.second);
    }
    queue_->requests.push_back(std::move(request));
}

BOSBASE_DECL std::vector<batch_result> batch_service::send(const request_options& options) const {
    const request_options opts = options;
    json payload{{"requests", queue_->requests}};
    const detail::json_reply reply =
        queue_->files.empty()
            ? detail::fetch_json(core(), "POST", "/api/batch", payload, opts)
            : detail::fetch_body_json(core(), "POST", "/api/batch",
                                      detail::build_multipart(payload, queue_->files,
                                                              core().settings().max_request_bytes),
                                      opts);
    if (!reply.body.is_array()) {
        throw detail::invalid_response(core(), "/api/batch", opts, reply.status,
                                       "The server's batch response is not an array.");
    }
    std::vector<batch_result> results;
    results.reserve(reply.body.size());
    for (const auto& item : reply.body) {
        auto status = item.is_object() ? item.find("status") : item.end();
        if (status == item.end() || !status->is_number_integer() || status->template get<std::int64_t>() < 0 ||
            status->template get<std::int64_t>() > 999) {
            throw detail::invalid_response(core(), "/api/batch", opts, reply.status,
                                           "A batch answer has no HTTP status.");
        }
        auto body = item.find("body");
        results.push_back({status->template get<int>(), body == item.end() ? json(nullptr) : *body});
    }
    return results;
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_BATCH_IPP
