// bosbase-cpp: definitions of services/graphql.hpp (graphql_service and sql_service: BosBase's superuser query routes (pb.graphql(), pb.sql()).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_GRAPHQL_IPP
#define BOSBASE_SERVICES_GRAPHQL_IPP

#include "graphql.hpp"

namespace bosbase {

BOSBASE_DECL graphql_result graphql_service::query(std::string_view query, const json& variables,
                                                   std::string_view operation_name,
                                                   const request_options& options) const {
    json body{{"query", std::string(query)}, {"variables", detail::object_body(variables, "GraphQL variables")}};
    if (!operation_name.empty()) body["operationName"] = std::string(operation_name);
    return detail::fetch_as<graphql_result>(core(), "POST", "/api/graphql", body, options);
}

BOSBASE_DECL sql_result sql_service::execute(std::string_view query, const request_options& options) const {
    const auto first = query.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos) {
        throw std::invalid_argument("bosbase: the SQL query must not be empty");
    }
    const auto last = query.find_last_not_of(" \t\r\n\f\v");
    const json body{{"query", std::string(query.substr(first, last - first + 1))}};
    return detail::fetch_as<sql_result>(core(), "POST", "/api/sql/execute", body, options);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_GRAPHQL_IPP
