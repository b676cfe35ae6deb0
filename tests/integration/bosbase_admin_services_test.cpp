// BosBase's own admin-side services against the real server: Redis, GraphQL, SQL, collection
// schemas and SQL tables, the Apple client secret, scripts and script permissions.
// scripts/test_real_bosbase.sh gives the servers REDIS_URL and EXECUTE_PATH; FUNCTION_URL is
// a fake_function_service per test.
//
// The dev server (PocketBase stand-in, the default kind) has none of these routes except the
// Apple secret (upstream PocketBase's). There each test checks that its route is missing and
// stops, rather than being skipped: doctest leaves skipped cases out of --list-test-cases, so
// CTest, which registers the cases when the tests are built (without BOSBASE_TEST_SERVER),
// would never run them against the real server either.
//
// Statuses and messages are what BosBase d8bc341 answers (../shared/docs/bosbase-services.md).
// Where the server is broken, the test asserts what it does and says why, so it turns red
// when the server is fixed.
#include <error_of.hpp>
#include <fake_function_service.hpp>
#include <integration_helpers.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::error_of;
using bosbase_test::status_of;
using bosbase_test::superuser;
using bosbase_test::test_server;
using namespace std::chrono_literals;

namespace {

// True on the dev server, after checking that it lacks the route (a test then stops there).
bool dev_server_lacks_route(const test_server& server, const char* method, const char* path) {
    if (server.is_bosbase()) return false;
    bosbase::BosBase pb = superuser(server);
    CHECK(status_of([&] { (void)pb.send(method, path); }) == 404);
    return true;
}

using bosbase_test::admin_services_user;
using bosbase_test::check_admin_error;
using bosbase_test::check_admin_route_su_only;

// The servers of one run share one Redis and one EXECUTE_PATH: names of a test carry its port.
std::string admin_test_port(const test_server& server) { return server.url().substr(server.url().rfind(':') + 1); }

std::string admin_execute_path() {
    const char* p = std::getenv("EXECUTE_PATH");
    return p != nullptr ? p : "";
}

}  // namespace

TEST_CASE("redis: keys are created once, read, replaced, scanned and deleted, superuser only") {
    test_server server;
    if (dev_server_lacks_route(server, "GET", "/api/redis/keys")) return;
    bosbase::BosBase pb = superuser(server);
    auto redis = pb.redis();
    const std::string prefix = "bbcpp:" + admin_test_port(server) + ":";

    const auto created = redis.create_key(prefix + "a", json{{"n", 1}}, 600);
    CHECK(created.key == prefix + "a");
    CHECK(created.value == json{{"n", 1}});
    REQUIRE(created.ttl_seconds.has_value());
    CHECK(*created.ttl_seconds > 590);
    CHECK(*created.ttl_seconds <= 600);
    check_admin_error(409, "Key already exists.", [&] { (void)redis.create_key(prefix + "a", 2); });
    (void)redis.create_key(prefix + "b", "text");

    const auto got = redis.get_key(prefix + "b");
    CHECK(got.value == "text");
    CHECK_FALSE(got.ttl_seconds.has_value());  // no TTL: the key does not expire

    // No TTL keeps the one it has; 0 makes the key persistent.
    auto updated = redis.update_key(prefix + "a", json::array({1, 2}));
    CHECK(updated.value == json::array({1, 2}));
    CHECK(updated.ttl_seconds.has_value());
    updated = redis.update_key(prefix + "a", 3, 0);
    CHECK(updated.value == 3);
    CHECK_FALSE(updated.ttl_seconds.has_value());
    check_admin_error(404, "Key not found.", [&] { (void)redis.update_key(prefix + "missing", 1); });  // no upsert

    // SCAN until the cursor is back at "0": both keys, whatever the steps.
    std::vector<std::string> seen;
    bosbase::redis_list_options query;
    query.pattern = prefix + "*";
    query.count = 1;
    for (int step = 0; step < 1000; ++step) {
        const auto page = redis.list_keys(query);
        for (const auto& item : page.items) seen.push_back(item.key);
        if (page.done()) break;
        query.cursor = page.cursor;
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::string>{prefix + "a", prefix + "b"});

    bosbase::redis_list_options bad;
    bad.count = 0;
    check_admin_error(400, "Invalid count value.", [&] { (void)redis.list_keys(bad); });
    bad = {};
    bad.cursor = "x";
    check_admin_error(400, "Invalid cursor value.", [&] { (void)redis.list_keys(bad); });
    check_admin_error(400, "Key is required.", [&] { (void)redis.create_key("", 1); });

    redis.delete_key(prefix + "a");
    check_admin_error(404, "Key not found.", [&] { redis.delete_key(prefix + "a"); });
    check_admin_error(404, "Key not found.", [&] { (void)redis.get_key(prefix + "a"); });
    CHECK_THROWS_AS(redis.get_key(""), std::invalid_argument);

    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.redis().get_key(prefix + "b"); });
    redis.delete_key(prefix + "b");
}

TEST_CASE("graphql: data and GraphQL errors come back in a 200 without throwing, anyone but a superuser gets 403") {
    test_server server;
    if (dev_server_lacks_route(server, "POST", "/api/graphql")) return;
    bosbase::BosBase pb = superuser(server);
    (void)pb.collection("posts").create(json{{"title", "first"}});

    const auto listed = pb.graphql().query(
        "query Posts($c: String!) { records(collection: $c, perPage: 5) { totalItems items { id data } } }",
        {{"c", "posts"}}, "Posts");
    CHECK(listed.ok());
    CHECK(listed.data["records"]["totalItems"] == 1);
    CHECK(listed.data["records"]["items"][0]["data"]["title"] == "first");

    const auto created = pb.graphql().query(
        R"(mutation Add($d: JSON!) { createRecord(collection: "posts", data: $d) { id data } })",
        {{"d", {{"title", "second"}}}}, "Add");
    CHECK(created.ok());
    CHECK(created.data["createRecord"]["data"]["title"] == "second");

    // A GraphQL error: status 200, the error in the result, nothing thrown.
    const auto wrong = pb.graphql().query("{ nope }");
    CHECK_FALSE(wrong.ok());
    REQUIRE(wrong.errors.size() == 1);
    CHECK(wrong.errors[0].message.find("nope") != std::string::npos);
    CHECK_FALSE(wrong.errors[0].locations.empty());

    // Not the usual SU answers: the handler refuses everyone else itself, anonymous included.
    const std::string refused = "Only superusers can access the GraphQL API.";
    bosbase::BosBase anonymous(server.url());
    check_admin_error(403, refused, [&] { (void)anonymous.graphql().query("{ __typename }"); });
    bosbase::BosBase user = admin_services_user(server);
    check_admin_error(403, refused, [&] { (void)user.graphql().query("{ __typename }"); });
    CHECK_THROWS_AS(pb.graphql().query("{ x }", json::array()), std::invalid_argument);
}

TEST_CASE("sql: rows as text, the affected count, refused statements, superuser only") {
    test_server server;
    if (dev_server_lacks_route(server, "POST", "/api/sql/execute")) return;
    bosbase::BosBase pb = superuser(server);
    auto sql = pb.sql();

    const auto ddl = sql.execute("CREATE TABLE bbcpp_sql (id INTEGER PRIMARY KEY, name TEXT, at TIMESTAMPTZ)");
    CHECK(ddl.columns == std::vector<std::string>{"rows_affected"});
    CHECK(ddl.rows_affected == 0);

    const auto inserted = sql.execute(
        "  INSERT INTO bbcpp_sql VALUES (1, 'one', '2026-01-02T03:04:05Z'), (2, NULL, NULL)  \n");
    CHECK(inserted.rows_affected == 2);
    REQUIRE(inserted.rows.has_value());
    CHECK(*inserted.rows == std::vector<std::vector<std::string>>{{"2"}});

    const auto selected = sql.execute("SELECT id, name, at FROM bbcpp_sql ORDER BY id");
    CHECK(selected.columns == std::vector<std::string>{"id", "name", "at"});
    CHECK_FALSE(selected.rows_affected.has_value());
    REQUIRE(selected.rows.has_value());
    REQUIRE(selected.rows->size() == 2);
    CHECK((*selected.rows)[0][0] == "1");
    CHECK((*selected.rows)[0][1] == "one");
    CHECK((*selected.rows)[0][2].rfind("2026-01-02T03:04:05", 0) == 0);
    CHECK((*selected.rows)[1] == std::vector<std::string>{"2", "NULL", "NULL"});

    // No row matched: `rows` is left out.
    const auto none = sql.execute("SELECT id FROM bbcpp_sql WHERE id > 5");
    CHECK(none.columns == std::vector<std::string>{"id"});
    CHECK_FALSE(none.rows.has_value());

    check_admin_error(400, "Failed to execute SQL statement.", [&] { (void)sql.execute("SELEC 1"); });
    CHECK_THROWS_AS(sql.execute(" \n\t"), std::invalid_argument);
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.sql().execute("SELECT 1"); });
}

TEST_CASE("collections: schemas, and SQL tables registered or imported as collections, superuser only") {
    test_server server;
    if (dev_server_lacks_route(server, "GET", "/api/collections/posts/schema")) return;
    bosbase::BosBase pb = superuser(server);
    auto collections = pb.collections();

    const auto posts = collections.get_schema("posts");
    CHECK(posts.name == "posts");
    CHECK(posts.type == "base");
    const auto id = std::find_if(posts.fields.begin(), posts.fields.end(), [](const auto& f) { return f.name == "id"; });
    REQUIRE(id != posts.fields.end());
    CHECK(id->type == "text");
    CHECK(id->system);
    const auto title =
        std::find_if(posts.fields.begin(), posts.fields.end(), [](const auto& f) { return f.name == "title"; });
    CHECK(title != posts.fields.end());
    check_admin_error(404, "The requested resource wasn't found.", [&] { (void)collections.get_schema("nope"); });

    const auto all = collections.get_all_schemas();
    CHECK(std::any_of(all.begin(), all.end(), [](const auto& s) { return s.name == "users" && s.type == "auth"; }));
    CHECK(std::any_of(all.begin(), all.end(), [](const auto& s) { return s.name == "posts"; }));

    (void)pb.sql().execute("CREATE TABLE bbcpp_plain (id TEXT PRIMARY KEY, label TEXT)");
    const json registered = collections.register_sql_tables({"bbcpp_plain"});
    REQUIRE(registered.size() == 1);
    CHECK(registered[0]["name"] == "bbcpp_plain");
    CHECK(registered[0]["listRule"] == "");
    // Registered already: left out.
    CHECK(collections.register_sql_tables({"bbcpp_plain"}) == json::array());
    // The server adds its bookkeeping columns to the table.
    const auto columns = collections.get_schema("bbcpp_plain");
    for (const char* name : {"created", "updated", "createdBy", "updatedBy"}) {
        CAPTURE(name);
        CHECK(std::any_of(columns.fields.begin(), columns.fields.end(),
                          [&](const auto& f) { return f.name == name; }));
    }
    check_admin_error(400, "At least one table name must be provided.", [&] { (void)collections.register_sql_tables({}); });
    {
        const auto e = error_of([&] { (void)collections.register_sql_tables({"bbcpp_missing"}); });
        CHECK(e.status() == 400);
        CHECK(e.message().rfind("Failed to register SQL tables", 0) == 0);
    }

    const auto imported = collections.import_sql_tables(
        {{"bbcpp_imported", "CREATE TABLE bbcpp_imported (id TEXT PRIMARY KEY, n INTEGER)"}, {"bbcpp_plain", ""}});
    REQUIRE(imported.created.size() == 1);
    CHECK(imported.created[0]["name"] == "bbcpp_imported");
    CHECK(imported.skipped == std::vector<std::string>{"bbcpp_plain"});
    (void)pb.collection("bbcpp_imported").get_list(1, 1);  // a collection now
    {
        // Its sql does not create the table `name`: nothing remains.
        const auto e = error_of([&] {
            (void)collections.import_sql_tables({{"bbcpp_other", "CREATE TABLE bbcpp_stray (id TEXT PRIMARY KEY)"}});
        });
        CHECK(e.status() == 400);
        CHECK(e.message().rfind("Failed to import SQL tables", 0) == 0);
        const auto stray = pb.sql().execute("SELECT to_regclass('bbcpp_stray')::text");
        REQUIRE(stray.rows.has_value());
        CHECK((*stray.rows)[0][0] == "NULL");
    }

    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.collections().get_schema("posts"); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.collections().get_all_schemas(); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) {
        (void)c.collections().register_sql_tables({"bbcpp_plain"});
    });
}

TEST_CASE("settings: generate_apple_client_secret signs an ES256 JWT, bad input is 400, superuser only") {
    test_server server;
    bosbase::BosBase pb = superuser(server);
    // A P-256 key made for this test only.
    const std::string key =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjwK9yciv+0J6c0eR\n"
        "k3BsoII/kyiVDxKV3/yUhMdBizChRANCAASw5Y62f/pqRVgLzb41+6YgL7v+C6ym\n"
        "SLmvrNCzH6TkifN6IsH6cc9rUCQKzeHBLt4dpyBh+6CSxRieJ+YvZm09\n"
        "-----END PRIVATE KEY-----\n";
    const std::string secret =
        pb.settings().generate_apple_client_secret("com.example.app", "TEAM123456", "KEY1234567", key, 3600);
    // The header, read as if it were the payload of a JWT.
    const auto header = bosbase::jwt_payload("x." + secret.substr(0, secret.find('.')) + ".y");
    REQUIRE(header.has_value());
    CHECK((*header)["alg"] == "ES256");
    CHECK((*header)["kid"] == "KEY1234567");
    const auto claims = bosbase::jwt_payload(secret);
    REQUIRE(claims.has_value());
    CHECK((*claims)["iss"] == "TEAM123456");
    CHECK((*claims)["sub"] == "com.example.app");
    CHECK((*claims)["aud"] == json::array({"https://appleid.apple.com"}));  // an array, as Go's jwt library writes it
    CHECK((*claims)["exp"].get<std::int64_t>() - (*claims)["iat"].get<std::int64_t>() == 3600);

    // A team id that is not 10 characters: a validation error on teamId; the key is not echoed.
    const auto e = error_of([&] {
        (void)pb.settings().generate_apple_client_secret("com.example.app", "TEAM", "KEY1234567", key, 3600);
    });
    CHECK(e.status() == 400);
    CHECK(e.message() == "Invalid client secret data.");
    CHECK(e.data()["data"].contains("teamId"));
    CHECK(std::string(e.what()).find("MIGHAgEAMBMG") == std::string::npos);
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) {
        (void)c.settings().generate_apple_client_secret("com.example.app", "TEAM123456", "KEY1234567", key, 60);
    });
}

TEST_CASE("scripts: stored scripts, run through the function service (plain, async with wait, SSE), superuser only") {
    bosbase_test::fake_function_service functions;
    test_server server({"FUNCTION_URL=" + functions.url()});
    if (dev_server_lacks_route(server, "GET", "/api/scripts")) return;
    bosbase::BosBase pb = superuser(server);
    auto scripts = pb.scripts();

    const std::string source = "def main(*args):\n    return list(args)\n";
    const auto created = scripts.create("bbcpp_greet", source, "says hello");
    CHECK(created.name == "bbcpp_greet");
    CHECK(created.version == 1);
    CHECK(created.description == "says hello");
    check_admin_error(400, "Script already exists.", [&] { (void)scripts.create("bbcpp_greet", source); });
    check_admin_error(400, "Script content is required.", [&] { (void)scripts.create("bbcpp_empty", ""); });
    const auto listed = scripts.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].content == source);

    bosbase::script_update change;
    change.description = "greets";
    const auto updated = scripts.update("bbcpp_greet", change);
    CHECK(updated.version == 2);
    CHECK(updated.content == source);
    CHECK(scripts.get("bbcpp_greet").description == "greets");
    check_admin_error(400, "At least one of content or description must be provided.",
                [&] { (void)scripts.update("bbcpp_greet", {}); });
    check_admin_error(404, "Script not found.", [&] { (void)scripts.get("bbcpp_nope"); });

    // The server writes the content to EXECUTE_PATH/scripts/<name>.py and calls the service.
    const auto out = scripts.execute("bbcpp_greet", {"a", "b c"});
    const json result = json::parse(out.output);  // not a string: the server JSON-encodes it
    CHECK(result["function"] == "main");
    CHECK(result["args"] == json::array({"a", "b c"}));
    CHECK(result["source"] == source);
    CHECK(scripts.execute("bbcpp_greet", {"x", "y"}, "text").output == "x y");
    check_admin_error(500, "Script execution failed.", [&] { (void)scripts.execute("bbcpp_greet", {}, "fail"); });
    check_admin_error(404, "Script not found.", [&] { (void)scripts.execute("bbcpp_nope"); });

    // Async: running until the service answers, then done; wait() polls it there.
    const auto job = scripts.execute_async("bbcpp_greet", {"q"}, "hold");
    CHECK(job.status == "running");
    CHECK(job.kind == bosbase::script_job_kind::execute);
    const auto first = scripts.execute_async_status(job.id);
    CHECK(first.status == "running");
    CHECK(first.script_name == "bbcpp_greet");
    {
        // Held by the service: the wait runs out of its deadline.
        bosbase::request_options short_wait;
        short_wait.deadline = 300ms;
        const auto e = error_of([&] { (void)scripts.wait(job, 50ms, short_wait); });
        CHECK(e.error_kind() == bosbase::error_kind::deadline);
    }
    functions.release();
    bosbase::request_options bounded;
    bounded.deadline = 30s;
    const auto done = scripts.wait(job, 50ms, bounded);
    CHECK(done.status == "done");
    CHECK(json::parse(done.output)["args"] == json::array({"q"}));
    CHECK_FALSE(done.finished_at.empty());
    const auto failed = scripts.wait(scripts.execute_async("bbcpp_greet", {}, "fail"), 50ms, bounded);
    CHECK(failed.failed());
    CHECK(failed.error == "boom");
    check_admin_error(404, "Job not found.", [&] { (void)scripts.execute_async_status("no-such-job"); });

    // SSE: one {output} event, authenticated by ?token=.
    CHECK(scripts.execute_sse("bbcpp_greet", {"s", "t"}, "text").output == "s t");
    check_admin_error(404, "Script not found.", [&] { (void)scripts.execute_sse("bbcpp_nope"); });

    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().list(); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().execute("bbcpp_greet"); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().execute_sse("bbcpp_greet"); });

    scripts.remove("bbcpp_greet");
    check_admin_error(404, "Script not found.", [&] { scripts.remove("bbcpp_greet"); });
}

TEST_CASE("scripts: commands, async commands with wait, uploads into EXECUTE_PATH, and WASM without WasmEdge") {
    test_server server;
    if (dev_server_lacks_route(server, "POST", "/api/scripts/command")) return;
    bosbase::BosBase pb = superuser(server);
    auto scripts = pb.scripts();
    const std::string root = admin_execute_path();
    REQUIRE_FALSE(root.empty());

    const std::string name = "bbcpp-" + admin_test_port(server) + ".txt";
    const auto uploaded = scripts.upload(bosbase::file_part::from_bytes(name, "uploaded bytes\n"));
    CHECK(uploaded.path == (std::filesystem::path(root) / name).string());
    CHECK(uploaded.output.find(name) != std::string::npos);
    const auto nested = scripts.upload(bosbase::file_part::from_bytes("x.txt", "nested\n"), "bbcpp-dir/" + name);
    CHECK(nested.path == (std::filesystem::path(root) / "bbcpp-dir" / name).string());
    check_admin_error(400, "Invalid path.",
                [&] { (void)scripts.upload(bosbase::file_part::from_bytes("x.txt", "x"), "../escape.txt"); });

    // Commands run in EXECUTE_PATH.
    CHECK(scripts.command("cat " + name).output == "uploaded bytes\n");
    CHECK(scripts.command("echo out; echo err >&2").output == "out\nerr\n");
    check_admin_error(500, "Failed to execute command.", [&] { (void)scripts.command("exit 3"); });
    check_admin_error(400, "Command is required.", [&] { (void)scripts.command(""); });

    const auto job = scripts.command_async("cat bbcpp-dir/" + name);
    CHECK(job.status == "running");
    CHECK(job.kind == bosbase::script_job_kind::command);
    bosbase::request_options bounded;
    bounded.deadline = 30s;
    const auto done = scripts.wait(job, 20ms, bounded);
    CHECK(done.status == "done");
    CHECK(done.output == "nested\n");
    CHECK(done.command == "cat bbcpp-dir/" + name);
    const auto failed = scripts.wait(scripts.command_async("exit 4"), 20ms, bounded);
    CHECK(failed.failed());
    CHECK_FALSE(failed.error.empty());
    CHECK(scripts.command_status(job.id).status == "done");
    check_admin_error(404, "Command not found.", [&] { (void)scripts.command_status("no-such-command"); });

    // This build has no WasmEdge (CGO_ENABLED=0): both WASM routes fail before they run.
    check_admin_error(500, "Failed to get WASM manager.", [&] { (void)scripts.wasm("", "mod.wasm"); });
    check_admin_error(500, "Failed to get WASM manager.", [&] { (void)scripts.wasm_async("", "mod.wasm"); });
    check_admin_error(400, "Wasm is required.", [&] { (void)scripts.wasm("", ""); });
    check_admin_error(404, "Job not found.", [&] { (void)scripts.wasm_async_status("no-such-job"); });

    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().command("true"); });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) {
        (void)c.scripts().upload(bosbase::file_part::from_bytes("x.txt", "x"));
    });
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().wasm("", "mod.wasm"); });
    std::filesystem::remove(std::filesystem::path(root) / name);
    std::filesystem::remove_all(std::filesystem::path(root) / "bbcpp-dir");
}

TEST_CASE("script permissions: stored and versioned, but without effect at d8bc341, superuser only") {
    bosbase_test::fake_function_service functions;
    test_server server({"FUNCTION_URL=" + functions.url()});
    if (dev_server_lacks_route(server, "GET", "/api/script-permissions/x")) return;
    bosbase::BosBase pb = superuser(server);
    auto permissions = pb.script_permissions();

    // The script need not exist yet; scriptId is filled in on read once it does.
    const auto created = permissions.create("bbcpp_open", "user");
    CHECK(created.script_name == "bbcpp_open");
    CHECK(created.content == "user");
    CHECK(created.version == 1);
    CHECK(created.script_id.empty());
    check_admin_error(400, "Permission already exists for this script.",
                [&] { (void)permissions.create("bbcpp_open", "anonymous"); });
    check_admin_error(400, "Invalid content value.", [&] { (void)permissions.create("bbcpp_other", "everyone"); });
    check_admin_error(400, "Script_name is required.", [&] { (void)permissions.create("", "user"); });

    const auto script = pb.scripts().create("bbcpp_open", "def main():\n    return 'ok'\n");
    CHECK(permissions.get("bbcpp_open").script_id == script.id);

    bosbase::script_permission_update change;
    change.content = "anonymous";
    const auto updated = permissions.update("bbcpp_open", change);
    CHECK(updated.content == "anonymous");
    CHECK(updated.version == 2);
    check_admin_error(400, "At least one field must be provided.", [&] { (void)permissions.update("bbcpp_open", {}); });
    check_admin_error(404, "Permission not found.", [&] { (void)permissions.get("bbcpp_nope"); });

    // The server ignores the stored permission: "anonymous" still gets the generic SU answers
    // (the shared /scripts group requires a superuser). Turns red when permissions apply.
    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.scripts().execute("bbcpp_open"); });
    CHECK(json::parse(pb.scripts().execute("bbcpp_open").output)["source"] == "def main():\n    return 'ok'\n");

    check_admin_route_su_only(server, [&](const bosbase::BosBase& c) { (void)c.script_permissions().get("bbcpp_open"); });
    permissions.remove("bbcpp_open");
    check_admin_error(404, "Permission not found.", [&] { permissions.remove("bbcpp_open"); });
}
