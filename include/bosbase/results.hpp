// bosbase-cpp: Typed results of record calls.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_RESULTS_HPP
#define BOSBASE_RESULTS_HPP

#include "config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bosbase {

/// @brief A typed page of records (see record_service::get_list<T>).
template <class T>
struct list_result {
    std::vector<T> items;
    int page = 0;
    int per_page = 0;
    std::int64_t total_items = 0;  ///< -1 when the list was fetched with skip_total
    std::int64_t total_pages = 0;  ///< -1 when the list was fetched with skip_total
};

/// @brief BosBase vector similarity search on a collection's vector field
/// (record_service::vector_search). Unset fields are left to the server's defaults.
struct vector_search_options {
    std::string field;                ///< the vector field to search
    std::vector<double> query_vector;  ///< as long as the field's dimension
    std::optional<int> limit;         ///< server default 20, capped at 200
    std::optional<std::string> distance;  ///< "cosine", "l2", "inner_product" or "l1"
    std::optional<std::string> filter;    ///< a record filter applied before the ordering
    std::optional<bool> include_distance;  ///< add `_distance` and `_score` (server default true)
};

/// @brief One answer of a batch request, in request order.
struct batch_result {
    int status = 0;
    json body;  ///< null for a 204
};

}  // namespace bosbase

#endif  // BOSBASE_RESULTS_HPP
