// bosbase-cpp: definitions of services/vectors.hpp (pb.vectors(): BosBase's pgvector document store (/api/vectors, superusers).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_VECTORS_IPP
#define BOSBASE_SERVICES_VECTORS_IPP

#include "vectors.hpp"

namespace bosbase {

BOSBASE_DECL std::vector<vector_collection_info> vector_service::list_collections(const request_options& options) const {
    const std::string path = "/api/vectors/collections";
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
    return detail::decode_array<vector_collection_info>(core(), reply, path, options);
}

BOSBASE_DECL void vector_service::create_collection(std::string_view name,
                                                    const vector_collection_config& config,
                                                    const request_options& options) const {
    json body = json::object();
    if (config.dimension) body["dimension"] = *config.dimension;
    if (config.distance) body["distance"] = *config.distance;
    if (!config.options.is_null()) body["options"] = detail::object_body(config.options, "vector collection options");
    core().perform("POST", collection_admin_path(name), body, options, {});
}

BOSBASE_DECL void vector_service::update_collection(std::string_view name,
                                                    const vector_collection_update& update,
                                                    const request_options& options) const {
    json body = json::object();
    if (update.distance) body["distance"] = *update.distance;
    if (!update.options.is_null()) body["options"] = detail::object_body(update.options, "vector collection options");
    core().perform("PATCH", collection_admin_path(name), body, options, {});
}

BOSBASE_DECL void vector_service::delete_collection(std::string_view name, const request_options& options) const {
    core().perform("DELETE", collection_admin_path(name), nullptr, options, {});
}

BOSBASE_DECL std::string vector_service::insert(std::string_view collection, const vector_document& document,
                                                const request_options& options) const {
    const std::string path = documents_path(collection);
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, document_body(document), options);
    return id_of(reply, path, options);
}

BOSBASE_DECL vector_batch_insert_result vector_service::batch_insert(std::string_view collection,
                                                                     const std::vector<vector_document>& documents,
                                                                     bool skip_duplicates,
                                                                     const request_options& options) const {
    json list = json::array();
    for (const auto& d : documents) list.push_back(document_body(d));
    json body{{"documents", std::move(list)}};
    if (skip_duplicates) body["skipDuplicates"] = true;
    const std::string path = documents_path(collection) + "/documents/batch";
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options);
    return detail::decode_as<vector_batch_insert_result>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL document_page<vector_document> vector_service::list(std::string_view collection, int page,
                                                                 int per_page, const request_options& options) const {
    const std::string path = documents_path(collection);
    const request_options opts = detail::list_request(page, per_page, options);
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, opts);
    return detail::decode_as<document_page<vector_document>>(core(), reply.body, reply.status, path, opts);
}

BOSBASE_DECL vector_document vector_service::get(std::string_view collection, std::string_view id,
                                                 const request_options& options) const {
    const std::string path = document_path(collection, id);
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
    return detail::decode_as<vector_document>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL std::string vector_service::update(std::string_view collection, std::string_view id,
                                                const vector_document_update& update,
                                                const request_options& options) const {
    json body = json::object();
    if (update.vector) {
        // An empty vector, like an empty content, is silently ignored by the server.
        if (update.vector->empty()) {
            throw std::invalid_argument("bosbase: a vector document update's vector must not be empty");
        }
        detail::require_finite(*update.vector, "vector document");
        body["vector"] = *update.vector;
    }
    if (update.metadata) body["metadata"] = detail::object_body(*update.metadata, "vector document metadata");
    if (update.content) {
        if (update.content->empty()) {
            throw std::invalid_argument(
                "bosbase: a vector document's content cannot be cleared (the server ignores an empty content)");
        }
        body["content"] = *update.content;
    }
    const std::string path = document_path(collection, id);
    const detail::json_reply reply = detail::fetch_json(core(), "PATCH", path, body, options);
    return id_of(reply, path, options);
}

BOSBASE_DECL void vector_service::remove(std::string_view collection, std::string_view id,
                                         const request_options& options) const {
    core().perform("DELETE", document_path(collection, id), nullptr, options, {});
}

BOSBASE_DECL vector_search_result vector_service::search(std::string_view collection,
                                                         const vector_search_request& search,
                                                         const request_options& options) const {
    detail::require_finite(search.query_vector, "vector search query_vector");
    json body{{"queryVector", search.query_vector}};
    if (search.limit) body["limit"] = *search.limit;
    if (!search.filter.is_null()) body["filter"] = detail::object_body(search.filter, "a vector search filter");
    if (search.min_score) body["minScore"] = detail::finite_number(*search.min_score, "vector search min_score");
    if (search.max_distance) body["maxDistance"] = detail::finite_number(*search.max_distance, "vector search max_distance");
    if (search.include_distance) body["includeDistance"] = *search.include_distance;
    if (search.include_content) body["includeContent"] = *search.include_content;
    const std::string path = documents_path(collection) + "/documents/search";
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options);
    return detail::decode_as<vector_search_result>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL std::string vector_service::collection_admin_path(std::string_view name) {
    detail::require_path_segment(name, "vector collection name");
    return "/api/vectors/collections/" + detail::encode_uri_component(name);
}

BOSBASE_DECL std::string vector_service::documents_path(std::string_view collection) {
    detail::require_path_segment(collection, "vector collection name");
    return "/api/vectors/" + detail::encode_uri_component(collection);
}

BOSBASE_DECL std::string vector_service::document_path(std::string_view collection, std::string_view id) {
    detail::require_path_segment(id, "vector document id");
    return documents_path(collection) + "/" + detail::encode_uri_component(id);
}

BOSBASE_DECL json vector_service::document_body(const vector_document& d) {
    detail::require_finite(d.vector, "vector document");
    json body = json::object();
    if (!d.id.empty()) body["id"] = d.id;
    body["vector"] = d.vector;
    const json metadata = detail::object_body(d.metadata, "vector document metadata");
    if (!metadata.empty()) body["metadata"] = metadata;
    if (!d.content.empty()) body["content"] = d.content;
    return body;
}

BOSBASE_DECL std::string vector_service::id_of(const detail::json_reply& reply, const std::string& path,
                                               const request_options& options) const {
    auto it = reply.body.is_object() ? reply.body.find("id") : reply.body.end();
    if (it == reply.body.end() || !it->is_string()) {
        throw detail::invalid_response(core(), path, options, reply.status,
                                       "The server's response has no string 'id'.");
    }
    return it->template get<std::string>();
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_VECTORS_IPP
