// pb.vectors(): the exact request of every call, and every answer shape decoded or refused.
#include "ai_services_support.hpp"

#include <limits>

using bosbase::json;
using namespace bosbase_test;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinite = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("vectors: collection calls") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto vectors = pb.vectors();

    t.reply_json(200, json::array({{{"id", "c1"}, {"name", "docs"}, {"dimension", 3}, {"distance", "cosine"}, {"count", 2}},
                                   {{"id", "c2"}, {"name", "empty"}, {"dimension", 384}, {"distance", "l2"},
                                    {"count", 0}, {"extra", true}}}));
    const auto list = vectors.list_collections();
    check_sent(t, "GET", "/api/vectors/collections", "");
    REQUIRE(list.size() == 2);
    CHECK(list[0].id == "c1");
    CHECK(list[0].name == "docs");
    CHECK(list[0].dimension == 3);
    CHECK(list[0].distance == "cosine");
    CHECK(list[0].count == 2);
    CHECK(list[1].raw["extra"] == true);

    t.reply(201);
    vectors.create_collection("docs");
    check_sent(t, "POST", "/api/vectors/collections/docs", "{}");
    t.reply(201);
    vectors.create_collection("docs", {3, "l2", {{"lists", 10}}});
    check_sent(t, "POST", "/api/vectors/collections/docs", R"({"dimension":3,"distance":"l2","options":{"lists":10}})");

    t.reply(200);
    vectors.update_collection("docs", {std::string("inner_product"), nullptr});
    check_sent(t, "PATCH", "/api/vectors/collections/docs", R"({"distance":"inner_product"})");
    t.reply(200);
    vectors.update_collection("docs", {std::nullopt, {{"note", "x"}}});
    check_sent(t, "PATCH", "/api/vectors/collections/docs", R"({"options":{"note":"x"}})");

    t.reply(204);
    vectors.delete_collection("my docs");
    check_sent(t, "DELETE", "/api/vectors/collections/my%20docs", "");

    check_invalid(t, 200, json::object(), [&] { (void)vectors.list_collections(); });
    check_invalid(t, 200, json::array({{{"name", "x"}, {"dimension", "3"}, {"count", 0}}}),
                  [&] { (void)vectors.list_collections(); });
    check_invalid(t, 200, json::array({{{"dimension", 3}, {"count", 0}}}), [&] { (void)vectors.list_collections(); });
    check_invalid(t, 200, json::array({{{"name", "x"}, {"dimension", 3}, {"count", 1.5}}}),
                  [&] { (void)vectors.list_collections(); });
    check_invalid(t, 200, json::array({{{"name", "x"}, {"dimension", 1LL << 40}, {"count", 1}}}),
                  [&] { (void)vectors.list_collections(); });
    check_invalid(t, 200, json::array({1}), [&] { (void)vectors.list_collections(); });

    check_refused(t, [&] { vectors.create_collection(""); });
    check_refused(t, [&] { vectors.create_collection("..", {std::nullopt, std::nullopt, json::array()}); });
    check_refused(t, [&] { vectors.create_collection("docs", {std::nullopt, std::nullopt, json::array()}); });
    check_refused(t, [&] { vectors.update_collection("docs", {std::nullopt, "not an object"}); });
    check_refused(t, [&] { vectors.delete_collection("."); });
}

TEST_CASE("vectors: insert, batch insert and update send only what is set") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto vectors = pb.vectors();

    t.reply_json(200, {{"id", "gen123456789012"}, {"success", true}});
    bosbase::vector_document doc;
    doc.vector = {0.5, -1, 2.25};
    CHECK(vectors.insert("docs", doc) == "gen123456789012");
    check_sent(t, "POST", "/api/vectors/docs", R"({"vector":[0.5,-1.0,2.25]})");

    doc.id = "d/1";
    doc.metadata = {{"lang", "en"}, {"n", 2}};
    doc.content = "hello";
    t.reply_json(200, {{"id", "d/1"}, {"success", true}});
    CHECK(vectors.insert("docs", doc) == "d/1");
    check_sent(t, "POST", "/api/vectors/docs",
               R"({"content":"hello","id":"d/1","metadata":{"lang":"en","n":2},"vector":[0.5,-1.0,2.25]})");

    bosbase::vector_document second;
    second.vector = {1, 2, 3};
    t.reply_json(200, {{"insertedCount", 1}, {"failedCount", 1}, {"ids", {"d/1"}}, {"errors", {"Document 1: bad"}}});
    const auto batch = vectors.batch_insert("docs", {doc, second}, true);
    check_sent(t, "POST", "/api/vectors/docs/documents/batch",
               R"({"documents":[{"content":"hello","id":"d/1","metadata":{"lang":"en","n":2},"vector":[0.5,-1.0,2.25]},)"
               R"({"vector":[1.0,2.0,3.0]}],"skipDuplicates":true})");
    CHECK(batch.inserted_count == 1);
    CHECK(batch.failed_count == 1);
    CHECK(batch.ids == std::vector<std::string>{"d/1"});
    CHECK(batch.errors == std::vector<std::string>{"Document 1: bad"});
    CHECK(batch.raw["insertedCount"] == 1);

    // Nothing inserted: Go writes the nil id list as null and leaves out the errors.
    t.reply_json(200, {{"insertedCount", 0}, {"failedCount", 0}, {"ids", nullptr}});
    const auto none = vectors.batch_insert("docs", {});
    check_sent(t, "POST", "/api/vectors/docs/documents/batch", R"({"documents":[]})");
    CHECK(none.ids.empty());
    CHECK(none.errors.empty());

    t.reply_json(200, {{"id", "d/1"}, {"success", true}});
    CHECK(vectors.update("docs", "d/1", {std::vector<double>{0, 1, 0}, json{{"k", "v"}}, std::string("new")}) == "d/1");
    check_sent(t, "PATCH", "/api/vectors/docs/d%2F1", R"({"content":"new","metadata":{"k":"v"},"vector":[0.0,1.0,0.0]})");
    t.reply_json(200, {{"id", "d/1"}, {"success", true}});
    (void)vectors.update("docs", "d/1", {});
    check_sent(t, "PATCH", "/api/vectors/docs/d%2F1", "{}");

    t.reply(204);
    vectors.remove("docs", "d/1");
    check_sent(t, "DELETE", "/api/vectors/docs/d%2F1", "");

    check_invalid(t, 200, {{"success", true}}, [&] { (void)vectors.insert("docs", doc); });
    check_invalid(t, 200, {{"id", 7}}, [&] { (void)vectors.update("docs", "d", {}); });
    check_invalid(t, 200, {{"insertedCount", "1"}, {"failedCount", 0}}, [&] { (void)vectors.batch_insert("docs", {doc}); });
    check_invalid(t, 200, {{"insertedCount", 1}, {"failedCount", 0}, {"ids", {1}}},
                  [&] { (void)vectors.batch_insert("docs", {doc}); });
    check_invalid(t, 200, {{"insertedCount", 1}, {"failedCount", 0}, {"errors", "x"}},
                  [&] { (void)vectors.batch_insert("docs", {doc}); });

    // What cannot be sent, or what the server would silently ignore.
    bosbase::vector_document bad = doc;
    bad.vector = {1, not_a_number};
    check_refused(t, [&] { (void)vectors.insert("docs", bad); });
    check_refused(t, [&] { (void)vectors.batch_insert("docs", {doc, bad}); });
    bad.vector = {1};
    bad.metadata = json::array();
    check_refused(t, [&] { (void)vectors.insert("docs", bad); });
    check_refused(t, [&] { (void)vectors.insert("", doc); });
    check_refused(t, [&] { (void)vectors.update("docs", "d", {std::vector<double>{infinite}, std::nullopt, std::nullopt}); });
    check_refused(t, [&] { (void)vectors.update("docs", "d", {std::vector<double>{}, std::nullopt, std::nullopt}); });
    check_refused(t, [&] { (void)vectors.update("docs", "d", {std::nullopt, std::nullopt, std::string()}); });
    check_refused(t, [&] { (void)vectors.update("docs", "d", {std::nullopt, json(3), std::nullopt}); });
    check_refused(t, [&] { (void)vectors.update("docs", "", {}); });
    check_refused(t, [&] { vectors.remove("docs", ".."); });
}

TEST_CASE("vectors: list, get and search decode typed documents") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto vectors = pb.vectors();

    // BosBase d8bc341 lists id and vector only.
    t.reply_json(200, {{"items", {{{"id", "a"}, {"vector", {1, 0}}}, {{"id", "b"}, {"vector", nullptr}}}},
                       {"page", 2}, {"perPage", 2}, {"totalItems", 5}, {"totalPages", 3}});
    bosbase::request_options opts;
    opts.query = {{"perPage", 3}, {"x", "y"}};
    const auto page = vectors.list("docs", 2, 2, opts);
    check_sent(t, "GET", "/api/vectors/docs?page=2&perPage=3&x=y", "");
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].id == "a");
    CHECK(page.items[0].vector == std::vector<double>{1, 0});
    CHECK(page.items[0].metadata == json::object());
    CHECK(page.items[0].content.empty());
    CHECK(page.items[1].vector.empty());
    CHECK(page.page == 2);
    CHECK(page.per_page == 2);
    CHECK(page.total_items == 5);
    CHECK(page.total_pages == 3);
    CHECK(page.raw == json{{"page", 2}, {"perPage", 2}, {"totalItems", 5}, {"totalPages", 3}});
    t.reply_json(200, {{"items", json::array()}, {"page", 1}, {"perPage", 100}, {"totalItems", 0}, {"totalPages", 0}});
    (void)vectors.list("docs");
    check_sent(t, "GET", "/api/vectors/docs?page=1&perPage=100", "");

    t.reply_json(200, {{"id", "a b"}, {"vector", {0.25}}, {"metadata", {{"k", 1}}}, {"content", "text"}});
    const auto one = vectors.get("docs", "a b");
    check_sent(t, "GET", "/api/vectors/docs/a%20b", "");
    CHECK(one.id == "a b");
    CHECK(one.vector == std::vector<double>{0.25});
    CHECK(one.metadata == json{{"k", 1}});
    CHECK(one.content == "text");
    CHECK(one.raw["content"] == "text");

    bosbase::vector_search_request search;
    search.query_vector = {0.1, 0.2};
    t.reply_json(200, {{"results", {{{"document", {{"id", "a"}, {"vector", {0.1, 0.2}}}}, {"score", 0.99}}}},
                       {"queryTime", 3}});
    auto found = vectors.search("docs", search);
    check_sent(t, "POST", "/api/vectors/docs/documents/search", R"({"queryVector":[0.1,0.2]})");
    REQUIRE(found.results.size() == 1);
    CHECK(found.results[0].document.id == "a");
    CHECK(found.results[0].score == 0.99);
    CHECK_FALSE(found.results[0].distance.has_value());
    CHECK(found.results[0].raw == json{{"score", 0.99}});
    CHECK(found.query_time == 3);
    CHECK(found.raw == json{{"queryTime", 3}});

    search.limit = 5;
    search.filter = {{"lang", "en"}};
    search.min_score = 0.5;
    search.max_distance = 2;
    search.include_distance = true;
    search.include_content = false;
    t.reply_json(200, {{"results", {{{"document", {{"id", "a"}, {"vector", {0.1, 0.2}}}}, {"score", -0.5},
                                     {"distance", 1.5}}}}});
    found = vectors.search("docs", search);
    check_sent(t, "POST", "/api/vectors/docs/documents/search",
               R"({"filter":{"lang":"en"},"includeContent":false,"includeDistance":true,"limit":5,)"
               R"("maxDistance":2.0,"minScore":0.5,"queryVector":[0.1,0.2]})");
    CHECK(found.results[0].distance == 1.5);
    CHECK_FALSE(found.query_time.has_value());

    for (const json& bad :
         {json::array(), json{{"items", {{{"id", "a"}, {"vector", {1}}}}}, {"page", 1}, {"perPage", 1}},
          json{{"items", {{{"id", 1}, {"vector", {1}}}}}, {"page", 1}, {"perPage", 1}, {"totalItems", 1}},
          json{{"items", {{{"id", "a"}, {"vector", {"1"}}}}}, {"page", 1}, {"perPage", 1}, {"totalItems", 1}},
          json{{"items", {{{"id", "a"}, {"metadata", 1}}}}, {"page", 1}, {"perPage", 1}, {"totalItems", 1}},
          json{{"items", {1}}, {"page", 1}, {"perPage", 1}, {"totalItems", 1}},
          json{{"items", json::array()}, {"page", 1}, {"perPage", 1}, {"totalItems", 1}, {"totalPages", "1"}}}) {
        check_invalid(t, 200, bad, [&] { (void)vectors.list("docs"); });
    }
    check_invalid(t, 200, {{"vector", {1}}}, [&] { (void)vectors.get("docs", "a"); });
    check_invalid(t, 200, {{"id", "a"}, {"vector", 1}}, [&] { (void)vectors.get("docs", "a"); });
    check_invalid(t, 200, {{"id", "a"}, {"content", 5}}, [&] { (void)vectors.get("docs", "a"); });
    search = {};
    search.query_vector = {1};
    for (const json& bad : {json::object(), json{{"results", {{{"score", 1}}}}},
                            json{{"results", {{{"document", {{"id", "a"}}}}}}},
                            json{{"results", {{{"document", {{"id", "a"}}}, {"score", 1}, {"distance", "x"}}}}},
                            json{{"results", {{{"document", 1}, {"score", 1}}}}},
                            json{{"results", json::array()}, {"queryTime", 0.5}}}) {
        check_invalid(t, 200, bad, [&] { (void)vectors.search("docs", search); });
    }

    search.query_vector = {not_a_number};
    check_refused(t, [&] { (void)vectors.search("docs", search); });
    search.query_vector = {1};
    search.min_score = infinite;
    check_refused(t, [&] { (void)vectors.search("docs", search); });
    search.min_score.reset();
    search.max_distance = -infinite;
    check_refused(t, [&] { (void)vectors.search("docs", search); });
    search.max_distance.reset();
    search.filter = json::array({"lang"});
    check_refused(t, [&] { (void)vectors.search("docs", search); });
    check_refused(t, [&] { (void)vectors.get("docs", "."); });
    check_refused(t, [&] { (void)vectors.list(""); });
}

TEST_CASE("vectors: an error answer is a ClientResponseError with the server's message") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(404, {{"status", 404}, {"message", "Vector document not found."}, {"data", json::object()}});
    const auto e = error_of([&] { (void)pb.vectors().get("docs", "x"); });
    CHECK(e.status() == 404);
    CHECK(e.is_not_found());
    CHECK(std::string(e.what()) ==
          "bosbase: HTTP 404: Vector document not found. (http://127.0.0.1:8090/api/vectors/docs/x)");
}
