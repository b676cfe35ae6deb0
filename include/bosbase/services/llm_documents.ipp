// bosbase-cpp: definitions of services/llm_documents.hpp (pb.llm_documents(): BosBase's LLM document store (/api/llm-documents, superusers).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_LLM_DOCUMENTS_IPP
#define BOSBASE_SERVICES_LLM_DOCUMENTS_IPP

#include "llm_documents.hpp"

namespace bosbase {

BOSBASE_DECL std::vector<llm_collection_info> llm_document_service::list_collections(const request_options& options) const {
    const std::string path = "/api/llm-documents/collections";
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
    return detail::decode_array<llm_collection_info>(core(), reply, path, options);
}

BOSBASE_DECL void llm_document_service::create_collection(std::string_view name, const llm_metadata& metadata,
                                                          const request_options& options) const {
    json body = json::object();
    if (!metadata.empty()) body["metadata"] = metadata;
    core().perform("POST", collection_admin_path(name), body, options, {});
}

BOSBASE_DECL void llm_document_service::delete_collection(std::string_view name,
                                                          const request_options& options) const {
    core().perform("DELETE", collection_admin_path(name), nullptr, options, {});
}

BOSBASE_DECL std::string llm_document_service::insert(std::string_view collection,
                                                      const llm_document& document,
                                                      const request_options& options) const {
    detail::require_finite(document.embedding, "LLM document embedding");
    json body = json::object();
    if (!document.id.empty()) body["id"] = document.id;
    if (!document.content.empty()) body["content"] = document.content;
    if (!document.metadata.empty()) body["metadata"] = document.metadata;
    if (!document.embedding.empty()) body["embedding"] = document.embedding;
    const std::string path = documents_path(collection);
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options);
    auto it = reply.body.is_object() ? reply.body.find("id") : reply.body.end();
    if (it == reply.body.end() || !it->is_string()) {
        throw detail::invalid_response(core(), path, options, reply.status,
                                       "The server's response has no string 'id'.");
    }
    return it->template get<std::string>();
}

BOSBASE_DECL document_page<llm_document> llm_document_service::list(std::string_view collection, int page,
                                                                    int per_page,
                                                                    const request_options& options) const {
    const std::string path = documents_path(collection);
    const request_options opts = detail::list_request(page, per_page, options);
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, opts);
    return detail::decode_as<document_page<llm_document>>(core(), reply.body, reply.status, path, opts);
}

BOSBASE_DECL llm_document llm_document_service::get(std::string_view collection, std::string_view id,
                                                    const request_options& options) const {
    const std::string path = document_path(collection, id);
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
    return detail::decode_as<llm_document>(core(), reply.body, reply.status, path, options);
}

BOSBASE_DECL llm_document llm_document_service::get_one(std::string_view collection, std::string_view id,
                                                        const request_options& options) const {
    return get(collection, id, options);
}

BOSBASE_DECL void llm_document_service::update(std::string_view collection, std::string_view id,
                                               const llm_document_update& update,
                                               const request_options& options) const {
    json body = json::object();
    if (update.content) body["content"] = *update.content;
    if (update.metadata) body["metadata"] = *update.metadata;
    if (update.embedding) {
        detail::require_finite(*update.embedding, "LLM document embedding");
        body["embedding"] = *update.embedding;
    }
    core().perform("PATCH", document_path(collection, id), body, options, {});
}

BOSBASE_DECL void llm_document_service::remove(std::string_view collection, std::string_view id,
                                               const request_options& options) const {
    core().perform("DELETE", document_path(collection, id), nullptr, options, {});
}

BOSBASE_DECL std::vector<llm_query_result> llm_document_service::query(std::string_view collection,
                                                                       const llm_query_options& query,
                                                                       const request_options& options) const {
    json body = json::object();
    if (query.query_text) body["queryText"] = *query.query_text;
    if (query.query_embedding) {
        detail::require_finite(*query.query_embedding, "LLM query_embedding");
        body["queryEmbedding"] = *query.query_embedding;
    }
    if (query.limit) body["limit"] = *query.limit;
    if (query.where) body["where"] = *query.where;
    if (query.negative) {
        const llm_negative_query& n = *query.negative;
        json negative = json::object();
        if (n.text) negative["text"] = *n.text;
        if (n.embedding) {
            detail::require_finite(*n.embedding, "LLM negative query embedding");
            negative["embedding"] = *n.embedding;
        }
        if (n.mode) negative["mode"] = *n.mode;
        if (n.filter_threshold) {
            negative["filterThreshold"] = detail::finite_number(*n.filter_threshold, "LLM negative filter_threshold");
        }
        body["negative"] = std::move(negative);
    }
    const std::string path = documents_path(collection) + "/documents/query";
    const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options);
    return detail::decode_results<llm_query_result>(core(), reply, path, options);
}

BOSBASE_DECL std::string llm_document_service::collection_admin_path(std::string_view name) {
    detail::require_path_segment(name, "LLM document collection name");
    return "/api/llm-documents/collections/" + detail::encode_uri_component(name);
}

BOSBASE_DECL std::string llm_document_service::documents_path(std::string_view collection) {
    detail::require_path_segment(collection, "LLM document collection name");
    return "/api/llm-documents/" + detail::encode_uri_component(collection);
}

BOSBASE_DECL std::string llm_document_service::document_path(std::string_view collection, std::string_view id) {
    detail::require_path_segment(id, "LLM document id");
    return documents_path(collection) + "/" + detail::encode_uri_component(id);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_LLM_DOCUMENTS_IPP
