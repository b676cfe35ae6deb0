// pb.llm_documents(): the exact request of every call, and every answer shape decoded or refused.
#include "ai_services_support.hpp"

#include <limits>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("llm_documents: collections") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto llm = pb.llm_documents();

    t.reply_json(200, json::array({{{"id", "i1"}, {"name", "kb"}, {"metadata", {{"owner", "docs"}}}, {"count", 3}},
                                   {{"id", "i2"}, {"name", "empty"}, {"metadata", nullptr}, {"count", 0}}}));
    const auto list = llm.list_collections();
    check_sent(t, "GET", "/api/llm-documents/collections", "");
    REQUIRE(list.size() == 2);
    CHECK(list[0].id == "i1");
    CHECK(list[0].name == "kb");
    CHECK(list[0].metadata == bosbase::llm_metadata{{"owner", "docs"}});
    CHECK(list[0].count == 3);
    CHECK(list[1].metadata.empty());
    CHECK(list[1].raw["metadata"].is_null());

    t.reply_json(201, {{"id", "i3"}, {"name", "kb 2"}});
    llm.create_collection("kb 2");
    check_sent(t, "POST", "/api/llm-documents/collections/kb%202", "{}");
    t.reply_json(201, {{"id", "i3"}, {"name", "kb"}});
    llm.create_collection("kb", {{"topic", "c++"}});
    check_sent(t, "POST", "/api/llm-documents/collections/kb", R"({"metadata":{"topic":"c++"}})");
    t.reply(204);
    llm.delete_collection("kb");
    check_sent(t, "DELETE", "/api/llm-documents/collections/kb", "");

    check_invalid(t, 200, {{"items", json::array()}}, [&] { (void)llm.list_collections(); });
    check_invalid(t, 200, json::array({{{"name", "kb"}, {"count", 1}, {"metadata", {{"n", 1}}}}}),
                  [&] { (void)llm.list_collections(); });
    check_invalid(t, 200, json::array({{{"name", "kb"}}}), [&] { (void)llm.list_collections(); });
    check_refused(t, [&] { llm.create_collection(""); });
    check_refused(t, [&] { llm.delete_collection(".."); });
}

TEST_CASE("llm_documents: documents") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto llm = pb.llm_documents();

    bosbase::llm_document doc;
    doc.content = "BosBase is a PocketBase fork.";
    t.reply_json(200, {{"id", "0123456789abcdef0123456789abcdef"}, {"success", true}});
    CHECK(llm.insert("kb", doc) == "0123456789abcdef0123456789abcdef");
    check_sent(t, "POST", "/api/llm-documents/kb", R"({"content":"BosBase is a PocketBase fork."})");

    doc.id = "doc-1";
    doc.metadata = {{"lang", "en"}};
    doc.embedding = {1, 0, 0.1};
    t.reply_json(200, {{"id", "doc-1"}, {"success", true}});
    (void)llm.insert("kb", doc);
    check_sent(t, "POST", "/api/llm-documents/kb",
               R"({"content":"BosBase is a PocketBase fork.","embedding":[1.0,0.0,0.1],"id":"doc-1","metadata":{"lang":"en"}})");

    t.reply_json(200, {{"items", {{{"id", "doc-1"}, {"content", "c"}, {"metadata", {{"lang", "en"}}},
                                   {"embedding", {0.995, 0, 0.0995}}}}},
                       {"page", 1}, {"perPage", 50}, {"totalItems", 1}});
    const auto page = llm.list("kb");
    check_sent(t, "GET", "/api/llm-documents/kb?page=1&perPage=50", "");
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].metadata.at("lang") == "en");
    CHECK(page.items[0].embedding.size() == 3);
    CHECK_FALSE(page.total_pages.has_value());
    CHECK(page.raw == json{{"page", 1}, {"perPage", 50}, {"totalItems", 1}});

    t.reply_json(200, {{"id", "a/b"}, {"content", ""}, {"metadata", json::object()}, {"embedding", nullptr}});
    auto one = llm.get("kb", "a/b");
    check_sent(t, "GET", "/api/llm-documents/kb/a%2Fb", "");
    CHECK(one.id == "a/b");
    CHECK(one.embedding.empty());
    t.reply_json(200, {{"id", "a/b"}});
    one = llm.get_one("kb", "a/b");
    check_sent(t, "GET", "/api/llm-documents/kb/a%2Fb", "");

    t.reply_json(200, {{"success", true}});
    llm.update("kb", "doc-1", {std::string("new text"), bosbase::llm_metadata{}, std::vector<double>{0, 1}});
    check_sent(t, "PATCH", "/api/llm-documents/kb/doc-1", R"({"content":"new text","embedding":[0.0,1.0],"metadata":{}})");
    t.reply_json(200, {{"success", true}});
    llm.update("kb", "doc-1", {});
    check_sent(t, "PATCH", "/api/llm-documents/kb/doc-1", "{}");

    t.reply(204);
    llm.remove("kb", "doc-1");
    check_sent(t, "DELETE", "/api/llm-documents/kb/doc-1", "");

    check_invalid(t, 200, {{"success", true}}, [&] { (void)llm.insert("kb", doc); });
    check_invalid(t, 200, {{"id", "a"}, {"metadata", {{"n", 1}}}}, [&] { (void)llm.get("kb", "a"); });
    check_invalid(t, 200, {{"id", "a"}, {"embedding", {"x"}}}, [&] { (void)llm.get("kb", "a"); });
    check_invalid(t, 200, {{"items", json::array()}, {"page", 1}, {"perPage", 50}}, [&] { (void)llm.list("kb"); });

    doc.embedding = {std::numeric_limits<double>::infinity()};
    check_refused(t, [&] { (void)llm.insert("kb", doc); });
    check_refused(t, [&] {
        llm.update("kb", "d", {std::nullopt, std::nullopt, std::vector<double>{std::numeric_limits<double>::quiet_NaN()}});
    });
    check_refused(t, [&] { (void)llm.get("", "d"); });
    check_refused(t, [&] { llm.remove("kb", "."); });
}

TEST_CASE("llm_documents: query") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto llm = pb.llm_documents();

    bosbase::llm_query_options q;
    q.query_text = "fork";
    t.reply_json(200, {{"results", {{{"id", "d1"}, {"content", "c"}, {"metadata", {{"k", "v"}}}, {"similarity", 0.75}}}}});
    const auto results = llm.query("kb", q);
    check_sent(t, "POST", "/api/llm-documents/kb/documents/query", R"({"queryText":"fork"})");
    REQUIRE(results.size() == 1);
    CHECK(results[0].id == "d1");
    CHECK(results[0].content == "c");
    CHECK(results[0].metadata.at("k") == "v");
    CHECK(results[0].similarity == 0.75);
    CHECK(results[0].raw["similarity"] == 0.75);

    q.query_text.reset();
    q.query_embedding = std::vector<double>{0.5, 0.5};
    q.limit = 2;
    q.where = bosbase::llm_metadata{{"lang", "en"}};
    q.negative = bosbase::llm_negative_query{std::string("python"), std::vector<double>{1, 0}, std::string("filter"), 0.25};
    t.reply_json(200, {{"results", json::array()}});
    CHECK(llm.query("kb", q).empty());
    check_sent(t, "POST", "/api/llm-documents/kb/documents/query",
               R"({"limit":2,"negative":{"embedding":[1.0,0.0],"filterThreshold":0.25,"mode":"filter","text":"python"},)"
               R"("queryEmbedding":[0.5,0.5],"where":{"lang":"en"}})");
    t.reply_json(200, {{"results", json::array()}});
    (void)llm.query("kb", {});
    check_sent(t, "POST", "/api/llm-documents/kb/documents/query", "{}");

    check_invalid(t, 200, json::array(), [&] { (void)llm.query("kb", {}); });
    check_invalid(t, 200, {{"results", {{{"id", "d1"}}}}}, [&] { (void)llm.query("kb", {}); });
    check_invalid(t, 200, {{"results", {{{"id", "d1"}, {"similarity", "0.5"}}}}}, [&] { (void)llm.query("kb", {}); });

    q.negative->filter_threshold = std::numeric_limits<double>::quiet_NaN();
    check_refused(t, [&] { (void)llm.query("kb", q); });
    q.negative.reset();
    q.query_embedding = std::vector<double>{std::numeric_limits<double>::infinity()};
    check_refused(t, [&] { (void)llm.query("kb", q); });
}
