// bosbase-cpp: pb.langchaingo(): completions, RAG and text-to-SQL through BosBase (/api/langchaingo).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_LANGCHAINGO_HPP
#define BOSBASE_SERVICES_LANGCHAINGO_HPP

#include "common.hpp"
#include "decode.hpp"
#include "llm_documents.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

/// @brief The chat model the server calls. Empty fields are left to the server, which
/// then uses its environment (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL).
struct langchaingo_model {
    std::string provider;  ///< "openai" (default) or "ollama"
    std::string model;     ///< default OPENAI_MODEL, else "gpt-4o-mini"; required for ollama
    std::string api_key;   ///< a secret: scrubbed from every error text of the call
    std::string base_url;  ///< OpenAI-compatible: including "/v1"; ollama: the server URL
};

struct langchaingo_message {
    std::string role;  ///< "system", "assistant" (or "ai"), "user" (or "human"); others count as user
    std::string content;
};

/// @brief POST /api/langchaingo/completions. Unset fields are not sent.
struct langchaingo_completion_request {
    langchaingo_model model;
    std::string prompt;                         ///< used when `messages` is empty
    std::vector<langchaingo_message> messages;
    std::optional<double> temperature;          ///< the server sends 0 when unset
    std::optional<int> max_tokens;              ///< reaches the model as max_completion_tokens
    std::optional<double> top_p;                ///< not forwarded to the model by BosBase d8bc341
    std::optional<int> candidate_count;         ///< not forwarded to the model by BosBase d8bc341
    std::vector<std::string> stop;
    bool json_mode = false;                     ///< "json": true, the model's JSON object mode
};

struct langchaingo_function_call {
    std::string name;
    std::string arguments;  ///< JSON text, as the model wrote it
};

struct langchaingo_tool_call {
    std::string id;
    std::string type;
    std::optional<langchaingo_function_call> function_call;
};

/// @brief The model's answer to a completion request.
struct langchaingo_completion {
    std::string content;
    std::string stop_reason;  ///< e.g. "stop", "length", "tool_calls"; empty when not sent
    json generation_info;     ///< langchaingo's map (PromptTokens, CompletionTokens, ...); {} when not sent
    std::optional<langchaingo_function_call> function_call;
    std::vector<langchaingo_tool_call> tool_calls;
    json raw;
};

/// @brief What rag() and query_documents() share: the collection to retrieve from
/// (an LLM document collection, see pb.llm_documents()) and how.
struct langchaingo_retrieval {
    langchaingo_model model;
    std::string collection;
    std::optional<int> top_k;               ///< default 4, at most 20
    std::optional<double> score_threshold;  ///< sources below this similarity are left out
    std::optional<llm_metadata> where;      ///< filters.where: metadata that must match
    std::optional<llm_metadata> where_document;  ///< filters.whereDocument
    /// A Go text/template with {{.context}} and {{.question}}; empty: the server's own.
    std::string prompt_template;
    bool return_sources = false;
};

/// @brief POST /api/langchaingo/rag: answer `question` from the collection's documents.
struct langchaingo_rag_request : langchaingo_retrieval {
    std::string question;
};

/// @brief POST /api/langchaingo/documents/query: the same, with the text named `query`.
struct langchaingo_document_query : langchaingo_retrieval {
    std::string query;
};

struct langchaingo_source {
    std::string content;
    llm_metadata metadata;
    std::optional<double> score;  ///< the similarity of the document to the question
};

/// @brief The answer of rag() and query_documents(). `sources` is filled with
/// return_sources, and left empty when no document matched.
struct langchaingo_rag_answer {
    std::string answer;
    std::vector<langchaingo_source> sources;
    json raw;
};

/// @brief POST /api/langchaingo/sql (superusers only: the server runs the SQL the model
/// writes as it is, with no read-only guard).
struct langchaingo_sql_request {
    langchaingo_model model;
    std::string query;                ///< the question in words
    std::vector<std::string> tables;  ///< collections to describe to the model; empty: all
    std::optional<int> top_k;         ///< rows at most (default 10, at most 100)
};

struct langchaingo_sql_result {
    std::string sql;     ///< the statement the model wrote and the server ran
    std::string answer;  ///< the model's answer in words
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;  ///< values as text ("NULL" for NULL)
    std::string raw_result;  ///< the server's summary, e.g. "completed with 2 returned row(s)"
    json raw;
};

namespace detail {

template <class J>
langchaingo_function_call function_call_from(const J& j, const char* what) {
    const object_reader<J> r(j, what);
    return {r.string_or_empty("name"), r.string_or_empty("arguments")};
}

}  // namespace detail

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, langchaingo_completion& c) {
    const detail::object_reader<J> r(j, "a LangChaingo completion");
    c.content = r.string_or_empty("content");
    c.stop_reason = r.string_or_empty("stopReason");
    c.generation_info = r.object_or_empty("generationInfo");
    c.function_call.reset();
    if (const J* call = r.find("functionCall")) c.function_call = detail::function_call_from(*call, "a function call");
    c.tool_calls.clear();
    for (const auto& t : r.array("toolCalls", false)) {
        const detail::object_reader<J> tool(t, "a tool call");
        langchaingo_tool_call out{tool.string_or_empty("id"), tool.string_or_empty("type"), std::nullopt};
        if (const J* call = tool.find("functionCall")) out.function_call = detail::function_call_from(*call, "a function call");
        c.tool_calls.push_back(std::move(out));
    }
    c.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, langchaingo_rag_answer& a) {
    const detail::object_reader<J> r(j, "a LangChaingo answer");
    a.answer = r.string_or_empty("answer");
    a.sources.clear();
    for (const auto& s : r.array("sources", false)) {
        const detail::object_reader<J> source(s, "a LangChaingo source");
        a.sources.push_back({source.string_or_empty("content"), source.string_map("metadata"),
                             source.optional_number("score")});
    }
    a.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, langchaingo_sql_result& s) {
    const detail::object_reader<J> r(j, "a LangChaingo SQL result");
    s.sql = r.string("sql");
    s.answer = r.string_or_empty("answer");
    s.columns = r.strings("columns");
    s.rows.clear();
    for (const auto& row : r.array("rows", false)) {
        if (!row.is_array()) r.fail("rows", "an array of arrays of strings");
        std::vector<std::string> values;
        values.reserve(row.size());
        for (const auto& v : row) {
            if (!v.is_string()) r.fail("rows", "an array of arrays of strings");
            values.push_back(v.template get<std::string>());
        }
        s.rows.push_back(std::move(values));
    }
    s.raw_result = r.string_or_empty("rawResult");
    s.raw = j;
}

/// @brief LangChaingo through BosBase (pb.langchaingo()): chat completions, answers
/// from an LLM document collection (RAG), and text-to-SQL. Any signed-in record may
/// call completions, rag and query_documents (anonymous callers get 401); sql is for
/// superusers (other records get 401 "The request requires a superuser auth record.").
///
/// The server calls the model; `model.api_key` travels in the request body and is
/// scrubbed from the texts of any error of the call. Questions and documents are
/// embedded with the server's own provider (see pb.llm_documents()), not `model`.
class langchaingo_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    langchaingo_completion completions(const langchaingo_completion_request& request,
                                                              const request_options& options = {}) const;

    /// @brief Answers `request.question` from the collection's most similar documents.
    /// 404 "Collection not found." for an unknown collection.
    langchaingo_rag_answer rag(const langchaingo_rag_request& request,
                                                      const request_options& options = {}) const;

    /// @brief rag() under the name `query` (POST /api/langchaingo/documents/query).
    langchaingo_rag_answer query_documents(const langchaingo_document_query& request,
                                                                  const request_options& options = {}) const;

    /// @brief Text to SQL: the model writes one statement from the tables' columns and
    /// sample rows, the server runs it and returns at most top_k rows.
    langchaingo_sql_result sql(const langchaingo_sql_request& request,
                                                      const request_options& options = {}) const;

private:
    template <class Result>
    Result call(const char* path, const json& body, const langchaingo_model& model,
                const request_options& options) const {
        const detail::json_reply reply = detail::fetch_json(core(), "POST", path, body, options, {model.api_key});
        return detail::decode_as<Result>(core(), reply.body, reply.status, path, options);
    }

    // {"model": {provider, model, apiKey, baseUrl}} with the fields that are set, or nothing.
    static void put_model(json& body, const langchaingo_model& m);

    static json retrieval_body(const langchaingo_retrieval& r);
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "langchaingo.ipp"
#endif

#endif  // BOSBASE_SERVICES_LANGCHAINGO_HPP
