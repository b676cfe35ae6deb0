// pb.caches(): the exact request of every call, and every answer shape decoded or refused.
#include "ai_services_support.hpp"

using bosbase::json;
using namespace bosbase_test;

namespace {

json summary(const std::string& name) {
    return {{"name", name}, {"sizeBytes", 8388608}, {"defaultTTLSeconds", 300}, {"readTimeoutMs", 25},
            {"created", "2026-01-02 03:04:05.678Z"}, {"updated", "2026-01-02 03:04:05.678Z"}};
}

struct answer {
    std::string text;
    int votes = 0;
};
void to_json(json& j, const answer& a) { j = {{"text", a.text}, {"votes", a.votes}}; }

}  // namespace

TEST_CASE("caches: list, create, update, delete") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto caches = pb.caches();

    json with_stats = summary("answers");
    with_stats.update({{"entryCount", 2}, {"hitRate", 0.5}, {"hitCount", 1}, {"missCount", 1}, {"databaseEntryCount", 2}});
    t.reply_json(200, {{"items", {with_stats, summary("plain")}}});
    const auto list = caches.list();
    check_sent(t, "GET", "/api/cache", "");
    REQUIRE(list.size() == 2);
    CHECK(list[0].name == "answers");
    CHECK(list[0].size_bytes == 8388608);
    CHECK(list[0].default_ttl_seconds == 300);
    CHECK(list[0].read_timeout_ms == 25);
    CHECK(list[0].created == "2026-01-02 03:04:05.678Z");
    CHECK(list[0].entry_count == 2);
    CHECK(list[0].hit_rate == 0.5);
    CHECK(list[0].hit_count == 1);
    CHECK(list[0].miss_count == 1);
    CHECK(list[0].database_entry_count == 2);
    CHECK_FALSE(list[1].entry_count.has_value());
    CHECK_FALSE(list[1].hit_rate.has_value());

    t.reply_json(201, summary("answers"));
    auto made = caches.create("answers");
    check_sent(t, "POST", "/api/cache", R"({"name":"answers"})");
    CHECK(made.name == "answers");
    CHECK(made.raw == summary("answers"));
    t.reply_json(201, summary("answers"));
    (void)caches.create("answers", {1 << 20, 0, 100});
    check_sent(t, "POST", "/api/cache", R"({"defaultTTLSeconds":0,"name":"answers","readTimeoutMs":100,"sizeBytes":1048576})");

    t.reply_json(200, summary("answers"));
    (void)caches.update("answers", {std::nullopt, 60, std::nullopt});
    check_sent(t, "PATCH", "/api/cache/answers", R"({"defaultTTLSeconds":60})");
    t.reply_json(200, summary("answers"));
    (void)caches.update("answers", {});
    check_sent(t, "PATCH", "/api/cache/answers", "{}");

    t.reply(204);
    caches.remove("a.b-c");
    check_sent(t, "DELETE", "/api/cache/a.b-c", "");

    check_invalid(t, 200, json::array(), [&] { (void)caches.list(); });
    check_invalid(t, 200, {{"items", {1}}}, [&] { (void)caches.list(); });
    json bad = summary("x");
    bad["sizeBytes"] = "big";
    check_invalid(t, 201, bad, [&] { (void)caches.create("xyz"); });
    bad = summary("x");
    bad.erase("name");
    check_invalid(t, 200, bad, [&] { (void)caches.update("xyz", {1, 1, 1}); });
    bad = summary("x");
    bad["hitRate"] = "half";
    check_invalid(t, 200, {{"items", {bad}}}, [&] { (void)caches.list(); });

    check_refused(t, [&] { (void)caches.create("xyz", {-1, std::nullopt, std::nullopt}); });
    check_refused(t, [&] { (void)caches.update("xyz", {std::nullopt, -1, std::nullopt}); });
    check_refused(t, [&] { (void)caches.update("xyz", {std::nullopt, std::nullopt, -5}); });
    check_refused(t, [&] { (void)caches.update("", {1, 1, 1}); });
    check_refused(t, [&] { caches.remove(".."); });
}

TEST_CASE("caches: entries") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto caches = pb.caches();
    const json entry{{"cache", "answers"}, {"key", "q/1"}, {"value", {{"text", "42"}}}, {"source", "cache"},
                     {"expiresAt", "2026-01-02 03:09:05.000Z"}};

    t.reply_json(200, entry);
    auto e = caches.set_entry("answers", "q/1", json{{"text", "42"}});
    check_sent(t, "PUT", "/api/cache/answers/entries/q%2F1", R"({"value":{"text":"42"}})");
    CHECK(e.cache == "answers");
    CHECK(e.key == "q/1");
    CHECK(e.value == json{{"text", "42"}});
    CHECK(e.source == "cache");
    CHECK(e.expires_at == "2026-01-02 03:09:05.000Z");
    CHECK(e.raw == entry);

    t.reply_json(200, entry);
    (void)caches.set_entry("answers", "q/1", answer{"42", 3}, 0);
    check_sent(t, "PUT", "/api/cache/answers/entries/q%2F1", R"({"ttlSeconds":0,"value":{"text":"42","votes":3}})");
    t.reply_json(200, entry);
    (void)caches.set_entry("answers", "k", nullptr, 90);
    check_sent(t, "PUT", "/api/cache/answers/entries/k", R"({"ttlSeconds":90,"value":null})");
    t.reply_json(200, entry);
    (void)caches.set_entry("answers", "k", "text");
    check_sent(t, "PUT", "/api/cache/answers/entries/k", R"({"value":"text"})");

    json no_expiry = entry;
    no_expiry.erase("expiresAt");
    no_expiry["value"] = nullptr;
    no_expiry["source"] = "database";
    t.reply_json(200, no_expiry);
    e = caches.get_entry("answers", "k");
    check_sent(t, "GET", "/api/cache/answers/entries/k", "");
    CHECK(e.value.is_null());
    CHECK(e.source == "database");
    CHECK_FALSE(e.expires_at.has_value());

    t.reply_json(200, entry);
    (void)caches.renew_entry("answers", "k");
    check_sent(t, "PATCH", "/api/cache/answers/entries/k", "{}");
    t.reply_json(200, entry);
    (void)caches.renew_entry("answers", "k", 600);
    check_sent(t, "PATCH", "/api/cache/answers/entries/k", R"({"ttlSeconds":600})");

    t.reply(204);
    caches.delete_entry("answers", "a b");
    check_sent(t, "DELETE", "/api/cache/answers/entries/a%20b", "");

    for (const char* missing : {"cache", "key", "value"}) {
        json bad = entry;
        bad.erase(missing);
        check_invalid(t, 200, bad, [&] { (void)caches.get_entry("answers", "k"); });
    }
    json bad = entry;
    bad["expiresAt"] = 5;
    check_invalid(t, 200, bad, [&] { (void)caches.get_entry("answers", "k"); });
    check_invalid(t, 200, json::array(), [&] { (void)caches.renew_entry("answers", "k"); });

    check_refused(t, [&] { (void)caches.set_entry("answers", "k", 1, -1); });
    check_refused(t, [&] { (void)caches.renew_entry("answers", "k", -3600); });
    check_refused(t, [&] { (void)caches.set_entry("answers", "", 1); });
    check_refused(t, [&] { (void)caches.get_entry("", "k"); });
    check_refused(t, [&] { caches.delete_entry("answers", ".."); });
}

TEST_CASE("services of a moved-from client refuse clearly, and outlive their client") {
    fake_transport t;
    auto pb = std::make_unique<fake_client>("http://127.0.0.1:8090", t);
    auto caches = pb->caches();
    fake_client other(std::move(*pb));
    CHECK(misuse_error([&] { (void)pb->vectors(); }) == "logic_error");  // NOLINT(bugprone-use-after-move)
    CHECK(misuse_error([&] { (void)pb->llm_documents(); }) == "logic_error");
    CHECK(misuse_error([&] { (void)pb->langchaingo(); }) == "logic_error");
    CHECK(misuse_error([&] { (void)pb->caches(); }) == "logic_error");
    pb.reset();
    t.reply(204);
    caches.remove("answers");
    CHECK(t.last().target == "/api/cache/answers");
}
