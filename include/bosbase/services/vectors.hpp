// bosbase-cpp: pb.vectors(): BosBase's pgvector document store (/api/vectors, superusers).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_VECTORS_HPP
#define BOSBASE_SERVICES_VECTORS_HPP

#include "common.hpp"
#include "decode.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief A vector collection as GET /api/vectors/collections lists it.
struct vector_collection_info {
    std::string id;
    std::string name;
    int dimension = 0;
    std::string distance;    ///< "cosine", "l2", "inner_product" or "l1"
    std::int64_t count = 0;  ///< documents in the collection
    json raw;                ///< the object as the server sent it
};

/// @brief A new collection (create_collection). Unset fields are the server's defaults.
struct vector_collection_config {
    std::optional<int> dimension;         ///< default 384; fixed once the collection exists
    std::optional<std::string> distance;  ///< "cosine" (default), "l2", "inner_product" or "l1"
    json options;                         ///< a JSON object stored with the collection; null: none
};

/// @brief What update_collection may change: the metric (the index is rebuilt) and the options.
struct vector_collection_update {
    std::optional<std::string> distance;
    json options;  ///< a JSON object that replaces the stored one; null: unchanged
};

/// @brief A document of a vector collection: what insert() sends and what the server reads back.
struct vector_document {
    std::string id;               ///< empty on insert: the server makes one (15 characters)
    std::vector<double> vector;   ///< exactly the collection's dimension
    json metadata = json::object();  ///< a JSON object; search filters compare its values as text
    std::string content;
    json raw;                     ///< as the server sent it (empty for documents you build)
};

/// @brief A partial update: only the fields that are set are sent.
struct vector_document_update {
    std::optional<std::vector<double>> vector;
    std::optional<json> metadata;  ///< replaces the whole metadata object
    std::optional<std::string> content;  ///< not empty: the server ignores an empty content
};

/// @brief What batch_insert() reports. With skip_duplicates the documents left alone are
/// still counted in inserted_count and listed in ids (the server counts them so).
struct vector_batch_insert_result {
    std::int64_t inserted_count = 0;
    std::int64_t failed_count = 0;
    std::vector<std::string> ids;
    std::vector<std::string> errors;  ///< one text per failed document ("Document 2: ...")
    json raw;
};

/// @brief A similarity search (search()). Unset fields are the server's defaults.
struct vector_search_request {
    std::vector<double> query_vector;  ///< exactly the collection's dimension
    std::optional<int> limit;          ///< default 10, at most 100
    json filter;                       ///< {key: value}: metadata equality, compared as text; null: none
    std::optional<double> min_score;
    std::optional<double> max_distance;  ///< for cosine, compared with the similarity (the server's rule)
    std::optional<bool> include_distance;
    std::optional<bool> include_content;
};

/// @brief One search result. `score` depends on the metric: cosine 1 - distance,
/// l2 and l1 1/(1+d), inner_product pgvector's raw `<#>` value.
struct vector_search_hit {
    vector_document document;
    double score = 0;
    std::optional<double> distance;  ///< with include_distance
    json raw;                        ///< the hit without `document` (which has its own raw)
};

struct vector_search_result {
    std::vector<vector_search_hit> results;  ///< nearest first
    std::optional<std::int64_t> query_time;  ///< milliseconds, as the server measured them
    json raw;                                ///< the answer without `results`
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, vector_collection_info& c) {
    const detail::object_reader<J> r(j, "a vector collection");
    c.id = r.string_or_empty("id");
    c.name = r.string("name");
    c.dimension = r.small_integer("dimension");
    c.distance = r.string_or_empty("distance");
    c.count = r.integer("count");
    c.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, vector_document& d) {
    const detail::object_reader<J> r(j, "a vector document");
    d.id = r.string("id");
    // A vector the server failed to parse back comes as null.
    d.vector = r.numbers("vector", false);
    d.metadata = r.object_or_empty("metadata");
    d.content = r.string_or_empty("content");
    d.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, vector_batch_insert_result& b) {
    const detail::object_reader<J> r(j, "a vector batch insert result");
    b.inserted_count = r.integer("insertedCount");
    b.failed_count = r.integer("failedCount");
    b.ids = r.strings("ids");  // null when nothing was inserted
    b.errors = r.strings("errors");
    b.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, vector_search_hit& h) {
    const detail::object_reader<J> r(j, "a vector search hit");
    const J* document = r.find("document");
    if (document == nullptr) r.fail("document", "a vector document");
    h.document = document->template get<vector_document>();
    h.score = r.number("score");
    h.distance = r.optional_number("distance");
    h.raw = detail::raw_without(j, {"document"});
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, vector_search_result& s) {
    const detail::object_reader<J> r(j, "a vector search result");
    const J& results = r.array("results", true);
    s.results.clear();
    s.results.reserve(results.size());
    for (const auto& hit : results) s.results.push_back(hit.template get<vector_search_hit>());
    s.query_time = r.optional_integer("queryTime");
    s.raw = detail::raw_without(j, {"results"});
}

/// @brief BosBase's vector store (pb.vectors()): collections of documents with a
/// pgvector embedding, JSON metadata and text content. Superusers only (others get
/// 403, anonymous callers 401).
///
/// A collection name becomes a PostgreSQL table name and part of an index name:
/// use letters, digits and '_' (other names make the server answer 500 "Failed to
/// create vector table."). Exceptions as for every call: ClientResponseError,
/// std::invalid_argument for input that cannot be sent (checked before any request).
class vector_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    // --- collections -------------------------------------------------------

    [[nodiscard]] std::vector<vector_collection_info> list_collections(
        const request_options& options = {}) const;

    /// @brief Creates a collection (201); 400 "Collection already exists." when it does.
    void create_collection(std::string_view name, const vector_collection_config& config = {},
                                                  const request_options& options = {}) const;

    /// @brief Changes the metric or the options. The server answers 400 "No fields to
    /// update." when nothing changes (the same metric and no options).
    void update_collection(std::string_view name, const vector_collection_update& update,
                                                  const request_options& options = {}) const;

    /// @brief Drops the collection and its documents (204).
    void delete_collection(std::string_view name, const request_options& options = {}) const;

    // --- documents ---------------------------------------------------------

    /// @brief Inserts a document and returns its id. A document with an existing id
    /// replaces it (upsert).
    std::string insert(std::string_view collection, const vector_document& document,
                                              const request_options& options = {}) const;

    /// @brief Inserts several documents in one request. A document the server refuses
    /// (a wrong dimension, say) only adds to `errors`; the rest are inserted. Existing
    /// ids are replaced, or with skip_duplicates left alone.
    vector_batch_insert_result batch_insert(std::string_view collection,
                                                                   const std::vector<vector_document>& documents,
                                                                   bool skip_duplicates = false,
                                                                   const request_options& options = {}) const;

    /// @brief One page of documents, newest first (per_page at most 1000). At BosBase
    /// d8bc341 the items carry id and vector only: metadata and content are never filled.
    [[nodiscard]] document_page<vector_document> list(
        std::string_view collection, int page = 1, int per_page = 100, const request_options& options = {}) const;

    /// @brief One document. At BosBase d8bc341 the server answers 404 "Vector document
    /// not found." for every id, existing or not (its query does not map the row).
    [[nodiscard]] vector_document get(std::string_view collection, std::string_view id,
                                                             const request_options& options = {}) const;

    /// @brief Changes the fields that are set and returns the id; 404 for an unknown id.
    std::string update(std::string_view collection, std::string_view id,
                                              const vector_document_update& update,
                                              const request_options& options = {}) const;

    /// @brief Deletes a document (204, also for an id that does not exist).
    void remove(std::string_view collection, std::string_view id,
                                       const request_options& options = {}) const;

    /// @brief The documents nearest to `search.query_vector`. The search is approximate
    /// (an ivfflat index with pgvector's default probes), so it can miss rows; at BosBase
    /// d8bc341 the documents carry id and vector only, even with include_content.
    [[nodiscard]] vector_search_result search(std::string_view collection,
                                                                     const vector_search_request& search,
                                                                     const request_options& options = {}) const;

private:
    static std::string collection_admin_path(std::string_view name);

    static std::string documents_path(std::string_view collection);

    static std::string document_path(std::string_view collection, std::string_view id);

    // Only what is set goes out: the server treats an absent id, metadata or content
    // as "none" and an empty one alike.
    static json document_body(const vector_document& d);

    // {id, success}: the id of the document written.
    std::string id_of(const detail::json_reply& reply, const std::string& path, const request_options& options) const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "vectors.ipp"
#endif

#endif  // BOSBASE_SERVICES_VECTORS_HPP
