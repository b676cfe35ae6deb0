// pb.langchaingo(): the exact request of every call, every answer shape, and the API key
// kept out of error texts.
#include "ai_services_support.hpp"

#include <limits>

using bosbase::json;
using namespace bosbase_test;

namespace {

const char* const api_key = "sk-test-SECRET-4f2a9c";

}  // namespace

TEST_CASE("langchaingo: completions send only what is set and decode the answer") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto lc = pb.langchaingo();

    bosbase::langchaingo_completion_request req;
    req.prompt = "Say hi";
    t.reply_json(200, {{"content", "hi"}});
    auto c = lc.completions(req);
    check_sent(t, "POST", "/api/langchaingo/completions", R"({"prompt":"Say hi"})");
    CHECK(c.content == "hi");
    CHECK(c.stop_reason.empty());
    CHECK(c.generation_info == json::object());
    CHECK_FALSE(c.function_call.has_value());
    CHECK(c.tool_calls.empty());

    req.model = {"openai", "gpt-4o-mini", api_key, "http://127.0.0.1:9/v1"};
    req.messages = {{"system", "Be brief."}, {"", "Hello"}};
    req.temperature = 0.2;
    req.max_tokens = 64;
    req.top_p = 0.9;
    req.candidate_count = 1;
    req.stop = {"\n\n"};
    req.json_mode = true;
    t.reply_json(200, {{"content", "{}"},
                       {"stopReason", "tool_calls"},
                       {"generationInfo", {{"PromptTokens", 5}, {"TotalTokens", 9}}},
                       {"functionCall", {{"name", "lookup"}, {"arguments", "{\"q\":1}"}}},
                       {"toolCalls", {{{"id", "call_1"}, {"type", "function"},
                                       {"functionCall", {{"name", "lookup"}, {"arguments", "{\"q\":1}"}}}},
                                      {{"id", "call_2"}, {"type", "function"}}}}});
    c = lc.completions(req);
    check_sent(t, "POST", "/api/langchaingo/completions",
               R"({"candidateCount":1,"json":true,"maxTokens":64,)"
               R"("messages":[{"content":"Be brief.","role":"system"},{"content":"Hello"}],)"
               R"("model":{"apiKey":"sk-test-SECRET-4f2a9c","baseUrl":"http://127.0.0.1:9/v1","model":"gpt-4o-mini","provider":"openai"},)"
               R"("prompt":"Say hi","stop":["\n\n"],"temperature":0.2,"topP":0.9})");
    CHECK(c.stop_reason == "tool_calls");
    CHECK(c.generation_info["TotalTokens"] == 9);
    REQUIRE(c.function_call.has_value());
    CHECK(c.function_call->name == "lookup");
    CHECK(c.function_call->arguments == "{\"q\":1}");
    REQUIRE(c.tool_calls.size() == 2);
    CHECK(c.tool_calls[0].id == "call_1");
    CHECK(c.tool_calls[0].type == "function");
    CHECK(c.tool_calls[0].function_call->name == "lookup");
    CHECK_FALSE(c.tool_calls[1].function_call.has_value());

    for (const json& bad : {json::array(), json{{"content", 1}}, json{{"generationInfo", "x"}},
                            json{{"functionCall", "f"}}, json{{"functionCall", {{"name", 1}}}},
                            json{{"toolCalls", {1}}}, json{{"toolCalls", {{{"functionCall", 2}}}}},
                            json{{"stopReason", false}}}) {
        check_invalid(t, 200, bad, [&] { (void)lc.completions(req); });
    }
    req.temperature = std::numeric_limits<double>::quiet_NaN();
    check_refused(t, [&] { (void)lc.completions(req); });
    req.temperature.reset();
    req.top_p = std::numeric_limits<double>::infinity();
    check_refused(t, [&] { (void)lc.completions(req); });
}

TEST_CASE("langchaingo: rag and documents/query") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto lc = pb.langchaingo();

    bosbase::langchaingo_rag_request rag;
    rag.collection = "kb";
    rag.question = "What is BosBase?";
    t.reply_json(200, {{"answer", "A backend."}});
    auto a = lc.rag(rag);
    check_sent(t, "POST", "/api/langchaingo/rag", R"({"collection":"kb","question":"What is BosBase?"})");
    CHECK(a.answer == "A backend.");
    CHECK(a.sources.empty());

    rag.model.base_url = "http://127.0.0.1:9/v1";
    rag.top_k = 2;
    rag.score_threshold = 0.1;
    rag.where = bosbase::llm_metadata{{"lang", "en"}};
    rag.where_document = bosbase::llm_metadata{{"$contains", "fork"}};
    rag.prompt_template = "{{.context}} / {{.question}}";
    rag.return_sources = true;
    t.reply_json(200, {{"answer", "A fork."},
                       {"sources", {{{"content", "BosBase is a fork."}, {"metadata", {{"lang", "en"}}}, {"score", 0.8}},
                                    {{"content", "no metadata"}}}}});
    a = lc.rag(rag);
    check_sent(t, "POST", "/api/langchaingo/rag",
               R"({"collection":"kb","filters":{"where":{"lang":"en"},"whereDocument":{"$contains":"fork"}},)"
               R"("model":{"baseUrl":"http://127.0.0.1:9/v1"},"promptTemplate":"{{.context}} / {{.question}}",)"
               R"("question":"What is BosBase?","returnSources":true,"scoreThreshold":0.1,"topK":2})");
    REQUIRE(a.sources.size() == 2);
    CHECK(a.sources[0].content == "BosBase is a fork.");
    CHECK(a.sources[0].metadata.at("lang") == "en");
    CHECK(a.sources[0].score == 0.8);
    CHECK(a.sources[1].metadata.empty());
    CHECK_FALSE(a.sources[1].score.has_value());

    bosbase::langchaingo_document_query q;
    q.collection = "kb";
    q.query = "fork";
    q.where = bosbase::llm_metadata{};
    t.reply_json(200, {{"answer", "x"}});
    (void)lc.query_documents(q);
    check_sent(t, "POST", "/api/langchaingo/documents/query", R"({"collection":"kb","filters":{"where":{}},"query":"fork"})");

    for (const json& bad : {json{{"answer", 1}}, json{{"sources", "x"}}, json{{"sources", {1}}},
                            json{{"sources", {{{"score", "high"}}}}}, json{{"sources", {{{"metadata", {{"n", 1}}}}}}}}) {
        check_invalid(t, 200, bad, [&] { (void)lc.rag(rag); });
    }
    rag.score_threshold = std::numeric_limits<double>::quiet_NaN();
    check_refused(t, [&] { (void)lc.rag(rag); });
}

TEST_CASE("langchaingo: sql") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto lc = pb.langchaingo();

    bosbase::langchaingo_sql_request req;
    req.query = "How many posts?";
    t.reply_json(200, {{"sql", "SELECT 1"}, {"answer", "one"}});
    auto r = lc.sql(req);
    check_sent(t, "POST", "/api/langchaingo/sql", R"({"query":"How many posts?"})");
    CHECK(r.sql == "SELECT 1");
    CHECK(r.answer == "one");
    CHECK(r.columns.empty());
    CHECK(r.rows.empty());
    CHECK(r.raw_result.empty());

    req.tables = {"posts", "users"};
    req.top_k = 3;
    req.model.model = "m";
    t.reply_json(200, {{"sql", "SELECT id, title FROM posts"}, {"answer", "two"}, {"columns", {"id", "title"}},
                       {"rows", json::array({json::array({"a", "Hello"}), json::array({"b", "NULL"})})}, {"rawResult", "completed with 2 returned row(s)"}});
    r = lc.sql(req);
    check_sent(t, "POST", "/api/langchaingo/sql",
               R"({"model":{"model":"m"},"query":"How many posts?","tables":["posts","users"],"topK":3})");
    CHECK(r.columns == std::vector<std::string>{"id", "title"});
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[1] == std::vector<std::string>{"b", "NULL"});
    CHECK(r.raw_result == "completed with 2 returned row(s)");

    for (const json& bad : {json{{"answer", "x"}}, json{{"sql", "s"}, {"rows", {"a"}}},
                            json{{"sql", "s"}, {"rows", {{1}}}}, json{{"sql", "s"}, {"columns", {1}}},
                            json{{"sql", "s"}, {"rawResult", 1}}}) {
        check_invalid(t, 200, bad, [&] { (void)lc.sql(req); });
    }
}

TEST_CASE("langchaingo: the API key never appears in an error's texts") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    bosbase::langchaingo_sql_request req;
    req.query = "q";
    req.model.api_key = api_key;
    // A server (or proxy) that echoes the request in its error.
    t.reply_json(400, {{"status", 400},
                       {"message", std::string("Unsupported key ") + api_key},
                       {"data", {{"apiKey", {{"code", "invalid"}, {"message", api_key}}}}}});
    const auto e = error_of([&] { (void)pb.langchaingo().sql(req); });
    CHECK(e.status() == 400);
    CHECK(std::string(e.what()).find(api_key) == std::string::npos);
    CHECK(e.response().dump().find(api_key) == std::string::npos);
    CHECK(e.message() == "Unsupported key ***");

    t.fail(bosbase::transport_error::kind::send, std::string("reset while sending ") + api_key);
    const auto n = error_of([&] { (void)pb.langchaingo().sql(req); });
    CHECK(n.status() == 0);
    CHECK(std::string(n.what()).find(api_key) == std::string::npos);
    CHECK(n.original_error().find(api_key) == std::string::npos);
}
