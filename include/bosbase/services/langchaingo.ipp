// bosbase-cpp: definitions of services/langchaingo.hpp (pb.langchaingo(): completions, RAG and text-to-SQL through BosBase (/api/langchaingo).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_LANGCHAINGO_IPP
#define BOSBASE_SERVICES_LANGCHAINGO_IPP

#include "langchaingo.hpp"

namespace bosbase {

BOSBASE_DECL langchaingo_completion langchaingo_service::completions(const langchaingo_completion_request& request,
                                                                     const request_options& options) const {
    json body = json::object();
    put_model(body, request.model);
    if (!request.prompt.empty()) body["prompt"] = request.prompt;
    if (!request.messages.empty()) {
        json messages = json::array();
        for (const auto& m : request.messages) {
            json message{{"content", m.content}};
            if (!m.role.empty()) message["role"] = m.role;
            messages.push_back(std::move(message));
        }
        body["messages"] = std::move(messages);
    }
    if (request.temperature) body["temperature"] = detail::finite_number(*request.temperature, "temperature");
    if (request.max_tokens) body["maxTokens"] = *request.max_tokens;
    if (request.top_p) body["topP"] = detail::finite_number(*request.top_p, "top_p");
    if (request.candidate_count) body["candidateCount"] = *request.candidate_count;
    if (!request.stop.empty()) body["stop"] = request.stop;
    if (request.json_mode) body["json"] = true;
    return call<langchaingo_completion>("/api/langchaingo/completions", body, request.model, options);
}

BOSBASE_DECL langchaingo_rag_answer langchaingo_service::rag(const langchaingo_rag_request& request,
                                                             const request_options& options) const {
    json body = retrieval_body(request);
    body["question"] = request.question;
    return call<langchaingo_rag_answer>("/api/langchaingo/rag", body, request.model, options);
}

BOSBASE_DECL langchaingo_rag_answer langchaingo_service::query_documents(const langchaingo_document_query& request,
                                                                         const request_options& options) const {
    json body = retrieval_body(request);
    body["query"] = request.query;
    return call<langchaingo_rag_answer>("/api/langchaingo/documents/query", body, request.model, options);
}

BOSBASE_DECL langchaingo_sql_result langchaingo_service::sql(const langchaingo_sql_request& request,
                                                             const request_options& options) const {
    json body = json::object();
    put_model(body, request.model);
    body["query"] = request.query;
    if (!request.tables.empty()) body["tables"] = request.tables;
    if (request.top_k) body["topK"] = *request.top_k;
    return call<langchaingo_sql_result>("/api/langchaingo/sql", body, request.model, options);
}

BOSBASE_DECL void langchaingo_service::put_model(json& body, const langchaingo_model& m) {
    json model = json::object();
    if (!m.provider.empty()) model["provider"] = m.provider;
    if (!m.model.empty()) model["model"] = m.model;
    if (!m.api_key.empty()) model["apiKey"] = m.api_key;
    if (!m.base_url.empty()) model["baseUrl"] = m.base_url;
    if (!model.empty()) body["model"] = std::move(model);
}

BOSBASE_DECL json langchaingo_service::retrieval_body(const langchaingo_retrieval& r) {
    json body = json::object();
    put_model(body, r.model);
    body["collection"] = r.collection;
    if (r.top_k) body["topK"] = *r.top_k;
    if (r.score_threshold) body["scoreThreshold"] = detail::finite_number(*r.score_threshold, "score_threshold");
    if (r.where || r.where_document) {
        json filters = json::object();
        if (r.where) filters["where"] = *r.where;
        if (r.where_document) filters["whereDocument"] = *r.where_document;
        body["filters"] = std::move(filters);
    }
    if (!r.prompt_template.empty()) body["promptTemplate"] = r.prompt_template;
    if (r.return_sources) body["returnSources"] = true;
    return body;
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_LANGCHAINGO_IPP
