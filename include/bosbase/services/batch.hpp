// bosbase-cpp: batch_service: several record writes in one transaction.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_BATCH_HPP
#define BOSBASE_SERVICES_BATCH_HPP

#include "common.hpp"
#include "../multipart.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief A batch of record writes sent as one transaction (pb.create_batch()).
/// Queue requests per collection, then send(). The server must have batch
/// enabled (settings "batch.enabled"); otherwise send() throws ClientResponseError
/// 403 "Batch requests are not allowed.". Not thread-safe; sending does not clear it.
class batch_service : public detail::service_base {
    using detail::service_base::core;

    // The queued requests, and the files of all of them, each already named
    // `requests.{index}.{field}` as the server reads them (so sending copies no file).
    struct queue {
        std::vector<json> requests;
        file_list files;
    };

public:
    /// @brief Queues requests for one collection of the batch it came from.
    class collection_batch {
    public:
        collection_batch(std::shared_ptr<queue> queued, std::string_view collection) : queue_(std::move(queued)) {
            detail::require_path_segment(collection, "collection name or id");
            records_url_ = "/api/collections/" + detail::encode_uri_component(collection) + "/records";
        }

        /// @brief POST .../records. Only options' query, named query fields and headers apply.
        void create(const json& body, const request_options& options = {}) {
            add("POST", records_url_, body, options);
        }

        /// @brief PUT .../records: updates the record `body["id"]` names, or creates it.
        void upsert(const json& body, const request_options& options = {}) {
            add("PUT", records_url_, body, options);
        }

        void update(std::string_view id, const json& body, const request_options& options = {}) {
            add("PATCH", record_url(id), body, options);
        }

        void remove(std::string_view id, const request_options& options = {}) {
            add("DELETE", record_url(id), json::object(), options);
        }

        /// @brief create() with files. Any request with files makes send() one multipart
        /// request, as record_service::create_with_files; `field+`, `+field` work as there.
        void create_with_files(const json& body, const file_list& files, const request_options& options = {}) {
            add("POST", records_url_, body, options, &files);
        }

        /// @brief upsert() with files (see create_with_files).
        void upsert_with_files(const json& body, const file_list& files, const request_options& options = {}) {
            add("PUT", records_url_, body, options, &files);
        }

        /// @brief update() with files (see create_with_files); remove files with {"field-": [names]} in `body`.
        void update_with_files(std::string_view id, const json& body, const file_list& files,
                               const request_options& options = {}) {
            add("PATCH", record_url(id), body, options, &files);
        }

    private:
        std::string record_url(std::string_view id) const {
            detail::require_path_segment(id, "record id");
            return records_url_ + "/" + detail::encode_uri_component(id);
        }

        void add(const char* method, std::string url, const json& body, const request_options& options,
                 const file_list* files = nullptr) {
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

        std::shared_ptr<queue> queue_;
        std::string records_url_;
    };

    explicit batch_service(std::shared_ptr<detail::client_core> core)
        : detail::service_base(std::move(core)), queue_(std::make_shared<queue>()) {}

    collection_batch collection(std::string_view name) const { return collection_batch(queue_, name); }

    /// @brief How many requests are queued.
    std::size_t size() const noexcept { return queue_->requests.size(); }

    /// @brief POST /api/batch with a JSON body {"requests": [...]}; the answers in order.
    /// With files queued it is one multipart/form-data request instead, as the JS SDK
    /// sends it: a `@jsonPayload` part with {"requests": [...]} and one part per file
    /// named `requests.{index}.{field}`; the whole body counts against max_request_bytes.
    /// Any failed request rolls back all of them: ClientResponseError 400 "Batch
    /// transaction failed." with response()["data"]["requests"][<index>].
    std::vector<batch_result> send(const request_options& options = {}) const {
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

private:
    std::shared_ptr<queue> queue_;
};

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_BATCH_HPP
