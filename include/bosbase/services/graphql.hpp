// bosbase-cpp: graphql_service and sql_service: BosBase's superuser query routes (pb.graphql(), pb.sql()).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_GRAPHQL_HPP
#define BOSBASE_SERVICES_GRAPHQL_HPP

#include "shapes.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief Where in the query a GraphQL error is (1-based).
struct graphql_location {
    std::int64_t line = 0;
    std::int64_t column = 0;
};

/// @brief One entry of a GraphQL answer's `errors`.
struct graphql_error {
    std::string message;
    std::vector<graphql_location> locations;  ///< empty when the server sent none
    json path;                                ///< the field path (an array), or null
    json raw;                                 ///< the error as the server sent it (extensions etc.)
};

/// @brief A GraphQL answer. GraphQL reports its own errors inside a 200 answer, so
/// query() returns them here instead of throwing: check ok() (or errors) before
/// trusting data, which may be null or hold partial results next to errors.
struct graphql_result {
    json data;                         ///< null when the server sent none
    std::vector<graphql_error> errors;
    json extensions;                   ///< null when the server sent none
    json raw;                          ///< the answer as the server sent it, without `errors`

    /// @brief True when the answer has no errors.
    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// @brief What sql_service::execute returns. Every value is text: NULL comes back as
/// "NULL", times as RFC 3339.
struct sql_result {
    std::vector<std::string> columns;  ///< empty when the server sent none
    /// The rows; absent when a row-returning statement matched none. A statement that
    /// returns no rows gives one row with the affected count as text.
    std::optional<std::vector<std::vector<std::string>>> rows;
    std::optional<std::int64_t> rows_affected;  ///< set for statements that return no rows
    json raw;                                   ///< the answer as the server sent it
};

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, graphql_location& out) {
    const detail::object_reader<J> r(j, "a GraphQL error location");
    out.line = r.integer("line");
    out.column = r.integer("column");
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, graphql_error& out) {
    const detail::object_reader<J> r(j, "a GraphQL error");
    out.message = r.string("message");
    out.locations.clear();
    for (const auto& l : r.array("locations", false)) out.locations.push_back(l.template get<graphql_location>());
    const J* path = r.find("path");
    if (path != nullptr && !path->is_array()) r.fail("path", "an array");
    out.path = path != nullptr ? *path : J();
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, graphql_result& out) {
    const detail::object_reader<J> r(j, "a GraphQL answer");
    const J* data = r.find("data");
    out.data = data != nullptr ? *data : J();
    out.errors.clear();
    for (const auto& e : r.array("errors", false)) out.errors.push_back(e.template get<graphql_error>());
    const J* extensions = r.find("extensions");
    out.extensions = extensions != nullptr ? *extensions : J();
    out.raw = detail::raw_without(j, {"errors"});
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, sql_result& out) {
    const detail::object_reader<J> r(j, "an SQL result");
    out.columns = r.strings("columns");
    out.rows.reset();
    if (const J* rows = r.find("rows")) {
        if (!rows->is_array()) r.fail("rows", "an array");
        std::vector<std::vector<std::string>> all;
        all.reserve(rows->size());
        for (const auto& row : *rows) all.push_back(detail::string_array(row, "an SQL row"));
        out.rows = std::move(all);
    }
    out.rows_affected = r.optional_integer("rowsAffected");
    out.raw = j;
}

/// @brief GraphQL over the records (pb.graphql(); superusers only: any other caller,
/// anonymous included, gets 403). The schema has one query, `records(collection, page,
/// perPage, sort, filter, expand, skipTotal)`, and the mutations createRecord,
/// updateRecord and deleteRecord.
class graphql_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief POST /api/graphql {query, variables, operationName?}. GraphQL errors come
    /// back in the result (graphql_result::ok()), not as exceptions; HTTP errors (403,
    /// network, ...) throw ClientResponseError as every call does. `variables` must be
    /// a JSON object (null sends {}); an empty operation_name is left out.
    graphql_result query(std::string_view query, const json& variables = json::object(),
                                                std::string_view operation_name = {},
                                                const request_options& options = {}) const;
};

/// @brief Runs SQL on the server's database (pb.sql(); superusers only). Whatever the
/// statement is, the server runs it as it is.
class sql_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief POST /api/sql/execute {query}, the statement trimmed. An empty or
    /// whitespace-only statement is std::invalid_argument (as in the JS SDK). A statement
    /// the database refuses is 400 "Failed to execute SQL statement.".
    sql_result execute(std::string_view query, const request_options& options = {}) const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "graphql.ipp"
#endif

#endif  // BOSBASE_SERVICES_GRAPHQL_HPP
