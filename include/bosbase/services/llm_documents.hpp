// bosbase-cpp: pb.llm_documents(): BosBase's LLM document store (/api/llm-documents, superusers).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_LLM_DOCUMENTS_HPP
#define BOSBASE_SERVICES_LLM_DOCUMENTS_HPP

#include "common.hpp"
#include "decode.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief Metadata of LLM documents and collections: text values only.
using llm_metadata = std::map<std::string, std::string>;

/// @brief An LLM document collection as GET /api/llm-documents/collections lists it.
struct llm_collection_info {
    std::string id;
    std::string name;
    llm_metadata metadata;
    std::int64_t count = 0;  ///< documents in the collection
    json raw;
};

/// @brief A document: what insert() sends and what get(), list() read back.
struct llm_document {
    std::string id;          ///< empty on insert: the server makes one (32 hex characters)
    std::string content;     ///< without an embedding, the server embeds it (OPENAI_* on the server)
    llm_metadata metadata;   ///< `where` filters of query() match these
    std::vector<double> embedding;  ///< stored normalized to unit length
    json raw;
};

/// @brief A partial update: only the fields that are set are sent. A new content
/// without an embedding is embedded again by the server.
struct llm_document_update {
    std::optional<std::string> content;
    std::optional<llm_metadata> metadata;  ///< replaces the whole metadata
    std::optional<std::vector<double>> embedding;
};

/// @brief Steers query() away from a text or embedding.
struct llm_negative_query {
    std::optional<std::string> text;
    std::optional<std::vector<double>> embedding;
    std::optional<std::string> mode;  ///< server default "subtract"
    std::optional<double> filter_threshold;
};

/// @brief A similarity query (query()): a text (embedded by the server) or an embedding.
struct llm_query_options {
    std::optional<std::string> query_text;
    std::optional<std::vector<double>> query_embedding;
    std::optional<int> limit;              ///< default 5, at most the number of documents
    std::optional<llm_metadata> where;     ///< metadata that must match exactly
    std::optional<llm_negative_query> negative;
};

/// @brief One query result, most similar first.
struct llm_query_result {
    std::string id;
    std::string content;
    llm_metadata metadata;
    double similarity = 0;
    json raw;
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, llm_collection_info& c) {
    const detail::object_reader<J> r(j, "an LLM document collection");
    c.id = r.string_or_empty("id");
    c.name = r.string("name");
    c.metadata = r.string_map("metadata");
    c.count = r.integer("count");
    c.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, llm_document& d) {
    const detail::object_reader<J> r(j, "an LLM document");
    d.id = r.string("id");
    d.content = r.string_or_empty("content");
    d.metadata = r.string_map("metadata");
    d.embedding = r.numbers("embedding", false);
    d.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, llm_query_result& q) {
    const detail::object_reader<J> r(j, "an LLM query result");
    q.id = r.string("id");
    q.content = r.string_or_empty("content");
    q.metadata = r.string_map("metadata");
    q.similarity = r.number("similarity");
    q.raw = j;
}

/// @brief BosBase's LLM document store (pb.llm_documents()): collections of text
/// documents with metadata and embeddings, queried by similarity. Superusers only.
///
/// Documents without an embedding, and text queries, are embedded by the server
/// through an OpenAI-compatible endpoint of its own environment (OPENAI_API_KEY,
/// OPENAI_BASE_URL; model text-embedding-3-small), never through anything in the
/// request. When that fails the server answers 500.
class llm_document_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    // --- collections -------------------------------------------------------

    /// @brief Every collection, sorted by name.
    [[nodiscard]] std::vector<llm_collection_info> list_collections(
        const request_options& options = {}) const;

    /// @brief Creates a collection (201); 400 "Collection already exists." when it does.
    void create_collection(std::string_view name, const llm_metadata& metadata = {},
                                                  const request_options& options = {}) const;

    /// @brief Deletes a collection and its documents (204, also for an unknown name).
    void delete_collection(std::string_view name, const request_options& options = {}) const;

    // --- documents ---------------------------------------------------------

    /// @brief Inserts a document (content or embedding, or both) and returns its id. A
    /// document with an existing id replaces it whole.
    std::string insert(std::string_view collection, const llm_document& document,
                                              const request_options& options = {}) const;

    /// @brief One page of documents, sorted by id (per_page at most 500). The page has
    /// no total_pages: the server sends none.
    [[nodiscard]] document_page<llm_document> list(std::string_view collection, int page = 1,
                                                                          int per_page = 50,
                                                                          const request_options& options = {}) const;

    /// @brief One document; 404 "Document not found." for an unknown id.
    [[nodiscard]] llm_document get(std::string_view collection, std::string_view id,
                                                          const request_options& options = {}) const;

    /// @brief The JS SDK's other name for get().
    [[nodiscard]] llm_document get_one(std::string_view collection, std::string_view id,
                                                              const request_options& options = {}) const;

    /// @brief Changes the fields that are set ({success: true}); 404 for an unknown id.
    void update(std::string_view collection, std::string_view id,
                                       const llm_document_update& update, const request_options& options = {}) const;

    /// @brief Deletes a document (204); 404 for an unknown id.
    void remove(std::string_view collection, std::string_view id,
                                       const request_options& options = {}) const;

    /// @brief The documents most similar to a text or an embedding. An empty collection
    /// gives no results; neither a text nor an embedding (or one of the wrong length)
    /// makes the server answer 500 "Failed to execute query.".
    [[nodiscard]] std::vector<llm_query_result> query(
        std::string_view collection, const llm_query_options& query, const request_options& options = {}) const;

private:
    static std::string collection_admin_path(std::string_view name);

    static std::string documents_path(std::string_view collection);

    static std::string document_path(std::string_view collection, std::string_view id);
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "llm_documents.ipp"
#endif

#endif  // BOSBASE_SERVICES_LLM_DOCUMENTS_HPP
