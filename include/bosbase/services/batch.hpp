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
        collection_batch(std::shared_ptr<queue> queued, std::string_view collection);

        /// @brief POST .../records. Only options' query, named query fields and headers apply.
        void create(const json& body, const request_options& options = {});

        /// @brief PUT .../records: updates the record `body["id"]` names, or creates it.
        void upsert(const json& body, const request_options& options = {});

        void update(std::string_view id, const json& body, const request_options& options = {});

        void remove(std::string_view id, const request_options& options = {});

        /// @brief create() with files. Any request with files makes send() one multipart
        /// request, as record_service::create_with_files; `field+`, `+field` work as there.
        void create_with_files(const json& body, const file_list& files, const request_options& options = {});

        /// @brief upsert() with files (see create_with_files).
        void upsert_with_files(const json& body, const file_list& files, const request_options& options = {});

        /// @brief update() with files (see create_with_files); remove files with {"field-": [names]} in `body`.
        void update_with_files(std::string_view id, const json& body, const file_list& files,
                               const request_options& options = {});

    private:
        std::string record_url(std::string_view id) const;

        void add(const char* method, std::string url, const json& body, const request_options& options,
                 const file_list* files = nullptr);

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
    std::vector<batch_result> send(const request_options& options = {}) const;

private:
    std::shared_ptr<queue> queue_;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "batch.ipp"
#endif

#endif  // BOSBASE_SERVICES_BATCH_HPP
