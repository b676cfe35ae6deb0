// An OpenAI-compatible stand-in on 127.0.0.1 for the model calls the real BosBase server
// makes (LLM documents, LangChaingo): POST /v1/embeddings and POST /v1/chat/completions,
// deterministic, recording every request so a test can check what reached the model.
//
// The server is pointed at it per test:
//   fake_openai model;
//   test_server server({"OPENAI_BASE_URL=" + model.base_url(), "OPENAI_API_KEY=test-key"});
// and, for chat, `model.base_url` in the request (langchaingo_model::base_url).
//
// Embeddings: a bag of words. Each word of the input (lower-cased letters and digits, a few
// stop words left out) adds 1 to one of 1536 dimensions (the size of text-embedding-3-small)
// chosen by its hash; the sum is scaled to unit length. Texts that share words are close, so
// a question retrieves the documents that use its words, and always the same ones.
//
// Chat answers, by what the request looks like:
//   - the text-to-SQL prompt ("You are a PostgreSQL expert"): {"sql": sql(), "answer": ...}
//     as JSON text, the way the server asks for it;
//   - the RAG prompt (BosBase's fixed system message): "From the context: <first line of
//     the content of Source 1>", or "I don't know." when the server retrieved nothing;
//   - response_format json_object: {"reply": "<last user message>"} as JSON text;
//   - a last user message containing "[[tool]]": a tool call get_weather({"city":"Paris"});
//   - anything else: "Echo: <last user message>".
// With max_completion_tokens the reply keeps at most that many words (finish_reason
// "length"). usage counts words.
#pragma once

#include <local_server.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace bosbase_test {

class fake_openai {
public:
    static constexpr std::size_t embedding_dimension = 1536;
    static constexpr const char* rag_system_prompt =
        "You are a knowledgeable assistant that only answers using the supplied context.";

    struct request {
        std::string path;           // "/v1/embeddings" or "/v1/chat/completions"
        std::string authorization;  // the Authorization header as sent
        nlohmann::json body;        // the parsed JSON body (null when it was not JSON)
    };

    fake_openai() {
        server_->Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
            const nlohmann::json body = record(req);
            int fail = 0;
            {
                std::lock_guard<std::mutex> lock(m_);
                std::swap(fail, fail_embeddings_);
            }
            if (fail != 0) return error(res, fail);
            if (!body.is_object() || !body.contains("input") || !body["input"].is_string()) return error(res, 400);
            nlohmann::json out{{"object", "list"},
                               {"model", body.value("model", "")},
                               {"data", {{{"object", "embedding"}, {"index", 0}, {"embedding", embedding_of(body["input"])}}}},
                               {"usage", {{"prompt_tokens", words(body["input"]).size()}, {"total_tokens", words(body["input"]).size()}}}};
            res.set_content(out.dump(), "application/json");
        });
        server_->Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
            const nlohmann::json body = record(req);
            int fail = 0;
            {
                std::lock_guard<std::mutex> lock(m_);
                std::swap(fail, fail_chats_);
            }
            if (fail != 0) return error(res, fail);
            if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) return error(res, 400);
            res.set_content(chat_answer(body).dump(), "application/json");
        });
        server_.start();
    }

    fake_openai(const fake_openai&) = delete;
    fake_openai& operator=(const fake_openai&) = delete;

    /// What OPENAI_BASE_URL and langchaingo_model::base_url take: with /v1.
    std::string base_url() const { return server_.url() + "/v1"; }

    std::vector<request> requests() const {
        std::lock_guard<std::mutex> lock(m_);
        return requests_;
    }

    std::vector<request> requests_to(const std::string& path) const {
        std::vector<request> out;
        for (auto& r : requests()) {
            if (r.path == path) out.push_back(std::move(r));
        }
        return out;
    }
    std::vector<request> chats() const { return requests_to("/v1/chat/completions"); }
    std::vector<request> embeddings() const { return requests_to("/v1/embeddings"); }

    void clear() {
        std::lock_guard<std::mutex> lock(m_);
        requests_.clear();
    }

    /// The statement the text-to-SQL answer carries.
    void set_sql(std::string sql) {
        std::lock_guard<std::mutex> lock(m_);
        sql_ = std::move(sql);
    }

    /// The next chat (or embeddings) request gets this HTTP status and OpenAI's error body.
    void fail_next_chat(int status) {
        std::lock_guard<std::mutex> lock(m_);
        fail_chats_ = status;
    }
    void fail_next_embedding(int status) {
        std::lock_guard<std::mutex> lock(m_);
        fail_embeddings_ = status;
    }

    /// The words the fake counts and embeds.
    static std::vector<std::string> words(const std::string& text) {
        static const std::set<std::string> stop = {"a",   "an", "the", "is",  "are", "was", "what", "which", "who",
                                                   "in",  "of", "to",  "and", "for", "on",  "with", "it",    "does",
                                                   "do",  "how", "by", "its", "be",  "as",  "at",   "this",  "that"};
        std::vector<std::string> out;
        std::string word;
        auto flush = [&] {
            if (!word.empty() && stop.count(word) == 0) out.push_back(word);
            word.clear();
        };
        for (unsigned char c : text) {
            if (std::isalnum(c)) {
                word += static_cast<char>(std::tolower(c));
            } else {
                flush();
            }
        }
        flush();
        return out;
    }

    static std::vector<double> embedding_of(const std::string& text) {
        std::vector<double> v(embedding_dimension, 0.0);
        for (const auto& w : words(text)) {
            std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
            for (unsigned char c : w) h = (h ^ c) * 1099511628211ULL;
            v[h % embedding_dimension] += 1.0;
        }
        double norm = 0;
        for (double x : v) norm += x * x;
        if (norm == 0) {
            v[0] = 1.0;
            return v;
        }
        norm = std::sqrt(norm);
        for (double& x : v) x /= norm;
        return v;
    }

private:
    nlohmann::json record(const httplib::Request& req) {
        nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
        if (body.is_discarded()) body = nullptr;
        std::lock_guard<std::mutex> lock(m_);
        requests_.push_back({req.path, req.get_header_value("Authorization"), body});
        return body;
    }

    static void error(httplib::Response& res, int status) {
        res.status = status;
        res.set_content(nlohmann::json{{"error", {{"message", "fake_openai: refused"}, {"type", "invalid_request_error"}}}}.dump(),
                        "application/json");
    }

    static std::string message_text(const nlohmann::json& m) {
        const auto it = m.find("content");
        if (it == m.end()) return {};
        if (it->is_string()) return *it;
        // Multi-part content: [{type: "text", text: ...}, ...]
        std::string out;
        if (it->is_array()) {
            for (const auto& part : *it) {
                if (part.is_object() && part.value("type", "") == "text") out += part.value("text", "");
            }
        }
        return out;
    }

    // The first line of Source 1's content in a RAG prompt: after the header and any
    // metadata lines ("Metadata:", "- key: value").
    static std::string first_source_line(const std::string& prompt) {
        const auto at = prompt.find("Source 1 (score ");
        if (at == std::string::npos) return {};
        std::istringstream lines(prompt.substr(at));
        std::string line;
        std::getline(lines, line);  // the header
        bool in_metadata = false;
        while (std::getline(lines, line)) {
            if (line == "Metadata:") {
                in_metadata = true;
                continue;
            }
            if (in_metadata && line.rfind("- ", 0) == 0) continue;
            return line;
        }
        return {};
    }

    nlohmann::json chat_answer(const nlohmann::json& body) const {
        std::string system;
        std::string last_user;
        std::size_t prompt_words = 0;
        for (const auto& m : body["messages"]) {
            const std::string text = message_text(m);
            prompt_words += words(text).size();
            const std::string role = m.value("role", "");
            if (role == "system" && system.empty()) system = text;
            if (role == "user") last_user = text;
        }
        std::string sql;
        {
            std::lock_guard<std::mutex> lock(m_);
            sql = sql_;
        }
        nlohmann::json message{{"role", "assistant"}};
        std::string reply;
        std::string finish = "stop";
        const bool json_mode = body.contains("response_format") && body["response_format"].is_object() &&
                               body["response_format"].value("type", "") == "json_object";
        if (system.rfind("You are a PostgreSQL expert", 0) == 0) {
            reply = nlohmann::json{{"sql", sql}, {"answer", "Here is what the database says."}}.dump();
        } else if (system == rag_system_prompt) {
            const std::string first = first_source_line(last_user);
            reply = last_user.find("No relevant documents were retrieved.") != std::string::npos || first.empty()
                        ? "I don't know."
                        : "From the context: " + first;
        } else if (json_mode) {
            reply = nlohmann::json{{"reply", last_user}}.dump();
        } else if (last_user.find("[[tool]]") != std::string::npos) {
            message["tool_calls"] = {{{"id", "call_fake_1"},
                                      {"type", "function"},
                                      {"function", {{"name", "get_weather"}, {"arguments", R"({"city":"Paris"})"}}}}};
            finish = "tool_calls";
        } else {
            reply = "Echo: " + last_user;
        }
        if (body.contains("max_completion_tokens") && body["max_completion_tokens"].is_number_integer()) {
            const auto limit = body["max_completion_tokens"].get<std::size_t>();
            std::istringstream in(reply);
            std::string word, kept;
            std::size_t n = 0;
            while (in >> word) {
                if (n == limit) {
                    finish = "length";
                    break;
                }
                kept += (n++ ? " " : "") + word;
            }
            reply = kept;
        }
        message["content"] = reply;
        const std::size_t completion_words = words(reply).size();
        return {{"id", "chatcmpl-fake"},
                {"object", "chat.completion"},
                {"created", 1700000000},
                {"model", body.value("model", "")},
                {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", finish}}}},
                {"usage",
                 {{"prompt_tokens", prompt_words},
                  {"completion_tokens", completion_words},
                  {"total_tokens", prompt_words + completion_words}}}};
    }

    mutable std::mutex m_;
    std::vector<request> requests_;
    std::string sql_ = "SELECT 1 AS one";
    int fail_chats_ = 0;
    int fail_embeddings_ = 0;
    local_server server_;
};

}  // namespace bosbase_test
