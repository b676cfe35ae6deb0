// BosBase's own superuser services (Redis, GraphQL, SQL, collection schemas and SQL
// tables, the Apple client secret): the exact request of every call, and the decoding of
// every answer shape, wrong shapes included.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <string>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

namespace {

// A wrong shape in a 2xx answer: invalid_response with the status the server sent.
template <class F>
void check_invalid(fake_transport& t, int status, const std::string& body, F&& call) {
    CAPTURE(body);
    t.reply(status, body);
    try {
        call();
        FAIL("no error for a wrong shape");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == status);
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        CHECK(e.message().find("does not fit the requested type") != std::string::npos);
    }
}

void check_request(fake_transport& t, const std::string& method, const std::string& target,
                   const std::string& body = {}) {
    CHECK(t.last().method == method);
    CHECK(t.last().target == target);
    CHECK(t.last().body == body);
    CHECK(t.last().content_type == (body.empty() ? "" : "application/json"));
}

}  // namespace

TEST_CASE("redis: list_keys sends only the set query fields and decodes the key page") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"cursor", "0"}, {"items", json::array()}});
    auto page = pb.redis().list_keys();
    check_request(t, "GET", "/api/redis/keys");
    CHECK(page.done());
    CHECK(page.items.empty());

    t.reply_json(200, {{"cursor", "17"}, {"items", {{{"key", "session:1"}}, {{"key", "a b"}, {"extra", 1}}}}});
    bosbase::redis_list_options query;
    query.cursor = "5";
    query.pattern = "session:* x";
    query.count = 50;
    bosbase::request_options opts;
    opts.query = {{"count", 7}};  // the caller's query replaces a key in place
    page = pb.redis().list_keys(query, opts);
    check_request(t, "GET", "/api/redis/keys?cursor=5&pattern=session%3A*%20x&count=7");
    CHECK(page.cursor == "17");
    CHECK_FALSE(page.done());
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].key == "session:1");
    CHECK(page.items[1].raw["extra"] == 1);
    CHECK(page.raw["cursor"] == "17");
    CHECK_FALSE(page.raw.contains("items"));  // each item keeps its own raw

    for (const char* bad : {R"({"items":[]})", R"({"cursor":0,"items":[]})", R"({"cursor":"0"})",
                            R"({"cursor":"0","items":{}})", R"({"cursor":"0","items":[{"key":1}]})",
                            R"({"cursor":"0","items":["k"]})", R"([])", R"("text")"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.redis().list_keys(); });
    }
}

TEST_CASE("redis: create, get, update and delete a key") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const json entry{{"key", "user/1"}, {"value", {{"n", 1}}}, {"ttlSeconds", 60}};

    t.reply_json(201, entry);
    auto created = pb.redis().create_key("user/1", {{"n", 1}}, 60);
    check_request(t, "POST", "/api/redis/keys", R"({"key":"user/1","ttlSeconds":60,"value":{"n":1}})");
    CHECK(created.key == "user/1");
    CHECK(created.value == json{{"n", 1}});
    CHECK(created.ttl_seconds == 60);
    CHECK(created.raw == entry);

    t.reply_json(201, {{"key", "k"}, {"value", nullptr}});
    created = pb.redis().create_key("k", nullptr);  // a JSON null is a value like any other
    check_request(t, "POST", "/api/redis/keys", R"({"key":"k","value":null})");
    CHECK(created.value.is_null());
    CHECK_FALSE(created.ttl_seconds.has_value());

    t.reply_json(200, entry);
    auto got = pb.redis().get_key("user/1");
    check_request(t, "GET", "/api/redis/keys/user%2F1");
    CHECK(got.ttl_seconds == 60);

    t.reply_json(200, {{"key", "user/1"}, {"value", "v2"}, {"ttlSeconds", nullptr}});
    auto updated = pb.redis().update_key("user/1", "v2");
    check_request(t, "PUT", "/api/redis/keys/user%2F1", R"({"value":"v2"})");
    CHECK(updated.value == "v2");
    CHECK_FALSE(updated.ttl_seconds.has_value());

    t.reply_json(200, {{"key", "user/1"}, {"value", "v3"}});
    (void)pb.redis().update_key("user/1", "v3", 0);
    check_request(t, "PUT", "/api/redis/keys/user%2F1", R"({"ttlSeconds":0,"value":"v3"})");

    t.reply(204);
    pb.redis().delete_key("a b");
    check_request(t, "DELETE", "/api/redis/keys/a%20b");

    for (const char* bad : {R"({"value":1})", R"({"key":"k"})", R"({"key":1,"value":1})",
                            R"({"key":"k","value":1,"ttlSeconds":"60"})", R"({"key":"k","value":1,"ttlSeconds":1.5})",
                            R"({"key":"k","value":1,"ttlSeconds":18446744073709551615})", R"([1])"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.redis().get_key("k"); });
    }
    check_invalid(t, 201, "{}", [&] { (void)pb.redis().create_key("k", 1); });

    t.reply_json(409, {{"status", 409}, {"message", "Key already exists."}, {"data", json::object()}});
    try {
        (void)pb.redis().create_key("k", 1);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 409);
        CHECK(e.message() == "Key already exists.");
    }

    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.redis().get_key(""), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.redis().update_key("..", 1), std::invalid_argument);
    CHECK_THROWS_AS(pb.redis().delete_key("."), std::invalid_argument);
    CHECK_THROWS_AS((void)pb.redis().create_key("k", std::string("\xff")), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("graphql: query sends {query, variables, operationName?} and keeps GraphQL errors in the result") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"data", {{"records", {{"totalItems", 2}}}}}});
    auto result = pb.graphql().query("{ records(collection:\"posts\") { totalItems } }");
    check_request(t, "POST", "/api/graphql", R"({"query":"{ records(collection:\"posts\") { totalItems } }","variables":{}})");
    CHECK(result.ok());
    CHECK(result.data["records"]["totalItems"] == 2);
    CHECK(result.extensions.is_null());

    // GraphQL errors come with a 200: a result, not an exception.
    const json with_errors{
        {"data", nullptr},
        {"errors",
         {{{"message", "Cannot query field \"nope\" on type \"Query\"."}, {"locations", {{{"line", 1}, {"column", 3}}}}},
          {{"message", "Missing collection context."}, {"path", {"records", 0}}, {"extensions", {{"code", "X"}}}}}},
        {"extensions", {{"cost", 1}}}};
    t.reply_json(200, with_errors);
    result = pb.graphql().query("query Q($c: String!) { records(collection: $c) { page } }", {{"c", "posts"}}, "Q");
    check_request(t, "POST", "/api/graphql",
                  R"({"operationName":"Q","query":"query Q($c: String!) { records(collection: $c) { page } }",)"
                  R"("variables":{"c":"posts"}})");
    CHECK_FALSE(result.ok());
    CHECK(result.data.is_null());
    REQUIRE(result.errors.size() == 2);
    CHECK(result.errors[0].message == "Cannot query field \"nope\" on type \"Query\".");
    REQUIRE(result.errors[0].locations.size() == 1);
    CHECK(result.errors[0].locations[0].line == 1);
    CHECK(result.errors[0].locations[0].column == 3);
    CHECK(result.errors[0].path.is_null());
    CHECK(result.errors[1].path == json{"records", 0});
    CHECK(result.errors[1].raw["extensions"]["code"] == "X");
    CHECK(result.extensions["cost"] == 1);
    CHECK(result.raw == bosbase::detail::raw_without(with_errors, {"errors"}));  // each error keeps its own

    t.reply_json(200, json::object());
    (void)pb.graphql().query("{ x }", nullptr);  // null variables go out as {}
    check_request(t, "POST", "/api/graphql", R"({"query":"{ x }","variables":{}})");

    // HTTP errors throw as everywhere else.
    t.reply_json(403, {{"status", 403}, {"message", "Only superusers can access the GraphQL API."}, {"data", json::object()}});
    try {
        (void)pb.graphql().query("{ x }");
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 403);
        CHECK(e.is_unauthorized());
    }

    for (const char* bad : {R"({"errors":{}})", R"({"errors":[{"locations":[]}]})", R"({"errors":["boom"]})",
                            R"({"errors":[{"message":"m","locations":{}}]})",
                            R"({"errors":[{"message":"m","locations":[{"line":"1","column":2}]}]})",
                            R"({"errors":[{"message":"m","path":"records"}]})", R"([])"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.graphql().query("{ x }"); });
    }
    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.graphql().query("{ x }", json::array()), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("sql: execute trims the statement, refuses an empty one and decodes the three answer shapes") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply(200, R"({"columns":["one","n"],"rows":[["1","NULL"]]})");
    auto rows = pb.sql().execute("  SELECT 1 AS one, NULL AS n\n");
    check_request(t, "POST", "/api/sql/execute", R"({"query":"SELECT 1 AS one, NULL AS n"})");
    CHECK(rows.columns == std::vector<std::string>{"one", "n"});
    REQUIRE(rows.rows.has_value());
    CHECK((*rows.rows)[0] == std::vector<std::string>{"1", "NULL"});
    CHECK_FALSE(rows.rows_affected.has_value());

    t.reply_json(200, {{"columns", {"x"}}});  // no rows matched: `rows` is left out
    rows = pb.sql().execute("SELECT 1 AS x WHERE false");
    CHECK_FALSE(rows.rows.has_value());

    t.reply_json(200, {{"columns", {"rows_affected"}}, {"rows", {{"2"}}}, {"rowsAffected", 2}});
    rows = pb.sql().execute("UPDATE t SET a = 1");
    CHECK(rows.rows_affected == 2);

    t.reply_json(200, json::object());  // a statement with no columns at all
    rows = pb.sql().execute("SELECT");
    CHECK(rows.columns.empty());

    const auto sent = t.count();
    for (const char* empty : {"", "   ", "\n\t \r"}) {
        CHECK_THROWS_AS((void)pb.sql().execute(empty), std::invalid_argument);
    }
    CHECK(t.count() == sent);

    for (const char* bad : {R"({"columns":"a"})", R"({"columns":[1]})", R"({"rows":[["1",2]]})", R"({"rows":["1"]})",
                            R"({"rows":{}})", R"({"rowsAffected":"2"})", R"(null)"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.sql().execute("SELECT 1"); });
    }
}

TEST_CASE("collections: schemas and SQL tables") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const json posts{{"name", "posts"},
                     {"type", "base"},
                     {"fields",
                      {{{"name", "id"}, {"type", "text"}, {"required", true}, {"system", true}},
                       {{"name", "title"}, {"type", "text"}},
                       {{"name", "secret"}, {"type", "text"}, {"hidden", true}}}}};

    t.reply_json(200, posts);
    auto schema = pb.collections().get_schema("my posts");
    check_request(t, "GET", "/api/collections/my%20posts/schema");
    CHECK(schema.name == "posts");
    CHECK(schema.type == "base");
    REQUIRE(schema.fields.size() == 3);
    CHECK(schema.fields[0].required);
    CHECK(schema.fields[0].system);
    CHECK_FALSE(schema.fields[0].hidden);
    CHECK_FALSE(schema.fields[1].required);
    CHECK(schema.fields[2].hidden);
    CHECK(schema.raw == bosbase::detail::raw_without(posts, {"fields"}));  // each field keeps its own

    t.reply_json(200, {{"collections", {posts, {{"name", "users"}, {"type", "auth"}, {"fields", json::array()}}}}});
    auto all = pb.collections().get_all_schemas();
    check_request(t, "GET", "/api/collections/schemas");
    REQUIRE(all.size() == 2);
    CHECK(all[1].type == "auth");

    t.reply_json(200, json::array({{{"name", "ext_items"}, {"externalTable", true}}}));
    auto registered = pb.collections().register_sql_tables({"ext_items", "ext_more"});
    check_request(t, "POST", "/api/collections/sql/tables", R"({"tables":["ext_items","ext_more"]})");
    CHECK(registered[0]["externalTable"] == true);

    t.reply_json(200, {{"created", {{{"name", "ext_new"}}}}, {"skipped", {"ext_items"}}});
    auto imported = pb.collections().import_sql_tables(
        {{"ext_new", "CREATE TABLE ext_new (id TEXT PRIMARY KEY)"}, {"ext_items", ""}});
    check_request(t, "POST", "/api/collections/sql/import",
                  R"x({"tables":[{"name":"ext_new","sql":"CREATE TABLE ext_new (id TEXT PRIMARY KEY)"},)x"
                  R"({"name":"ext_items"}]})");
    CHECK(imported.created.size() == 1);
    CHECK(imported.skipped == std::vector<std::string>{"ext_items"});

    for (const char* bad : {R"({"name":"p","type":"base"})", R"({"name":"p","type":"base","fields":{}})",
                            R"({"name":"p","type":"base","fields":[{"name":"a"}]})",
                            R"({"name":"p","type":"base","fields":[{"name":"a","type":"text","required":"yes"}]})",
                            R"({"type":"base","fields":[]})"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.collections().get_schema("posts"); });
        check_invalid(t, 200, std::string(R"({"collections":[)") + bad + "]}",
                      [&] { (void)pb.collections().get_all_schemas(); });
    }
    for (const char* bad : {R"({})", R"({"collections":{}})", R"([])"}) {
        t.reply(200, bad);
        try {
            (void)pb.collections().get_all_schemas();
            FAIL("no error");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
            CHECK(e.status() == 200);
        }
    }
    for (const char* bad : {R"({})", R"({"created":{}})", R"({"created":[],"skipped":[1]})"}) {
        check_invalid(t, 200, bad, [&] { (void)pb.collections().import_sql_tables({{"a", ""}}); });
    }
    t.reply(200, R"({"created":[]})");
    try {
        (void)pb.collections().register_sql_tables({"a"});
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
    }
    const auto sent = t.count();
    CHECK_THROWS_AS((void)pb.collections().get_schema(""), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("settings: generate_apple_client_secret returns the secret and never shows the private key") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----";

    t.reply_json(200, {{"secret", "eyJhbGciOiJFUzI1NiJ9.e30.sig"}});
    const std::string secret =
        pb.settings().generate_apple_client_secret("com.example.app", "TEAM123456", "KEY1234567", key, 3600);
    CHECK(secret == "eyJhbGciOiJFUzI1NiJ9.e30.sig");
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/settings/apple/generate-client-secret");
    CHECK(json::parse(t.last().body) == json{{"clientId", "com.example.app"},
                                             {"teamId", "TEAM123456"},
                                             {"keyId", "KEY1234567"},
                                             {"privateKey", key},
                                             {"duration", 3600}});

    // A server that echoes the key: it is scrubbed from every text of the error.
    t.reply_json(400, {{"status", 400}, {"message", "Failed to generate client secret. Raw error: \n" + key},
                       {"data", {{"privateKey", {{"code", "x"}, {"message", key}}}}}});
    try {
        (void)pb.settings().generate_apple_client_secret("c", "TEAM123456", "KEY1234567", key, 10);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(std::string(e.what()).find("BEGIN PRIVATE KEY-----\nMIG") == std::string::npos);
        CHECK(e.response().dump().find("MIGHAgEAMBMG") == std::string::npos);
        CHECK(e.message().find("***") != std::string::npos);
    }
    for (const char* bad : {R"({})", R"({"secret":1})", R"([])"}) {
        t.reply(200, bad);
        try {
            (void)pb.settings().generate_apple_client_secret("c", "TEAM123456", "KEY1234567", key, 10);
            FAIL("no error");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
            CHECK(std::string(e.what()).find("MIGHAgEAMBMG") == std::string::npos);
        }
    }
}

TEST_CASE("the typed shapes decode outside a call too, and say what is wrong") {
    const json page{{"cursor", "0"}, {"items", {{{"key", "k"}}}}};
    CHECK(page.get<bosbase::redis_key_page>().items.at(0).key == "k");
    try {
        (void)json{{"cursor", 3}}.get<bosbase::redis_key_page>();
        FAIL("no error");
    } catch (const bosbase::detail::response_shape_error& e) {
        CHECK(std::string(e.what()) == "a Redis key page: 'cursor' is missing or not a string");
    }
}
