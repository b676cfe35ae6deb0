// What the guide's snippets (README.md and docs/services/) for records, filters, typed
// records, batch, account emails and superuser services do, run against a fake transport
// that answers every route with a plausible shape. That the guide's text itself compiles is
// checked by the build (scripts/readme_snippets.py); these are the same calls, written
// where they can run and be checked.
#include <doctest/doctest.h>
#include <fake_transport.hpp>
#include <temp_dir.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace readme {

struct post { std::string id, title; };
void from_json(const bosbase::json& j, post& p) { j.at("id").get_to(p.id); j.at("title").get_to(p.title); }
void to_json(bosbase::json& j, const post& p) { j = {{"title", p.title}}; }

template <class Client>
void records(Client& pb) {
    auto posts = pb.collection("posts");
    bosbase::request_options opts;
    opts.filter = pb.filter("title ~ {:word} && created > {:since}",
                            {{"word", "C++"}, {"since", std::chrono::system_clock::now() - std::chrono::hours(24)}});
    opts.sort = "-created";
    opts.skip_total = true;                                   // totalItems/totalPages come back as -1
    bosbase::json page = posts.get_list(1, 20, opts);         // {items, page, perPage, totalItems, totalPages}
    bosbase::json all = posts.get_full_list(500, opts);       // every match, 500 per request (skipTotal=1)
    bosbase::json first = posts.get_first_list_item("title = 'Hello'");   // 404 ClientResponseError if none
    std::int64_t n = posts.get_count("title ~ 'o'");          // BosBase: GET .../records/count
    CHECK(page["items"].size() == 1);
    CHECK(all.size() == 1);
    CHECK(first["title"] == "Hello");
    CHECK(n == 2);

    bosbase::vector_search_options search;
    search.field = "embedding";
    search.query_vector = {0.12, -0.5, 0.33};
    search.limit = 5;
    search.filter = "status = 'published'";
    bosbase::json nearest = pb.collection("documents").vector_search(search);   // items carry _distance, _score
    CHECK(nearest["items"].is_array());
}

template <class Client>
void typed(Client& pb) {
    auto posts = pb.collection("posts");
    post one = posts.template get_one<post>("RECORD_ID");
    bosbase::list_result<post> page = posts.template get_list<post>(1, 20);   // items, page, per_page, ...
    std::vector<post> all = posts.template get_full_list<post>();
    post made = posts.template create<post>(post{"", "Hello"});                // to_json in, from_json out
    post changed = posts.template update<post>(made.id, bosbase::json{{"title", "Hi"}});
    CHECK(one.title == "Hello");
    CHECK(page.items.size() == 1);
    CHECK(all.size() == 1);
    CHECK(changed.id == made.id);
}

template <class Client>
void files(Client& pb, const std::string& report_path) {
    // report_path: a file on disk
    auto docs = pb.collection("docs");
    bosbase::json doc = docs.create_with_files(
        {{"title", "Report"}, {"tags", {"q3", "draft"}}},                    // the @jsonPayload part
        {{"files", bosbase::file_part::from_path(report_path)},              // read once, straight into the body
         {"files", bosbase::file_part::from_bytes("notes.txt", "hello", "text/plain")}});
    const std::string first = doc["files"][0];                               // stored name, e.g. report_x1y2z3.pdf
    doc = docs.update_with_files(doc["id"].get<std::string>(), {{"files-", {first}}},   // remove by stored name ...
                      {{"files+", bosbase::file_part::from_bytes("more.txt", "more")}});   // ... and append
    std::string url = pb.files().get_url(doc, doc["files"][0], {"100x100", false, {}, {}});   // ?thumb=100x100
    bosbase::http_response file = pb.send_raw("GET", url.substr(pb.base_url().size()));      // the bytes
    std::string token = pb.files().get_token();         // protected fields: ?token=, valid for about 3 minutes
    std::string secret = pb.files().get_url(doc, doc["secret"], {{}, false, token, {}});
    CHECK(url == "http://127.0.0.1:8090/api/files/c1/RECORD_ID/report_x1y2z3.pdf?thumb=100x100");
    CHECK(file.body == "FILE BYTES");
    CHECK(secret == "http://127.0.0.1:8090/api/files/c1/RECORD_ID/secret_a1.txt?token=FILE_TOKEN");
}

template <class Client>
void batch(Client& pb) {
    pb.settings().update({{"batch", {{"enabled", true}}}});   // superuser; batch is off by default
    auto batch = pb.create_batch();
    batch.collection("posts").create({{"title", "a"}});
    batch.collection("posts").update("RECORD_ID", {{"title", "b"}});
    batch.collection("posts").upsert({{"id", "OTHER_ID"}, {"title", "c"}});
    batch.collection("posts").remove("OLD_ID");
    std::ostringstream out;
    for (const bosbase::batch_result& r : batch.send()) out << r.status << ' ' << r.body << '\n';
    CHECK(out.str() == "200 {\"id\":\"b1\"}\n");
}

template <class Client>
void account(Client& pb, const std::string& reset_token, const std::string& verification_token,
             const std::string& email_change_token, const std::string& code, const std::string& code_verifier,
             const std::string& user_id) {
    auto users = pb.collection("users");
    users.request_password_reset("user@example.com");                 // all six answer 204
    users.confirm_password_reset(reset_token, "new-password", "new-password");
    users.request_verification("user@example.com");
    users.confirm_verification(verification_token);                    // marks the stored record verified
    users.request_email_change("new@example.com");                     // needs the user's own auth
    users.confirm_email_change(email_change_token, "the-password");    // signs that user out here
    users.auth_with_oauth2_code("google", code, code_verifier, "https://app.example.com/callback");
    bosbase::json links = users.list_external_auths(user_id);         // records of _externalAuths
    users.unlink_external_auth(user_id, "google");
    CHECK(links.size() == 1);
}

template <class Client>
Client superuser_services(const std::string& url, typename Client::transport_type transport) {
    Client admin(url, transport);
    admin.collection("_superusers").auth_with_password("admin@example.com", "admin-password");
    admin.collections().create({{"name", "notes"}, {"type", "base"}, {"fields", {{{"name", "text"}, {"type", "text"}}}}});
    admin.backups().create("nightly.zip");
    Client as_user = admin.collection("users").impersonate("USER_ID", 3600);  // a second, independent client
    return as_user;
}

// "Redis, GraphQL, SQL, schemas and scripts (BosBase)".
template <class Client>
void data_services(Client& pb, const std::string& private_key_pem) {
    // Redis: values are any JSON; one SCAN step per list_keys call.
    pb.redis().create_key("session:42", {{"user", "u1"}}, 3600);      // 409 when it exists
    bosbase::redis_entry entry = pb.redis().get_key("session:42");    // entry.value, entry.ttl_seconds
    std::vector<std::string> keys;
    bosbase::redis_list_options scan;
    scan.pattern = "session:*";
    for (;;) {
        bosbase::redis_key_page page = pb.redis().list_keys(scan);
        for (const auto& k : page.items) keys.push_back(k.key);
        if (page.done()) break;
        scan.cursor = page.cursor;
    }

    // GraphQL: errors in a 200 answer come back in the result; HTTP errors throw.
    bosbase::graphql_result r = pb.graphql().query(
        "query($c: String!) { records(collection: $c) { items { id data } } }", {{"c", "posts"}});
    if (!r.ok()) std::cerr << r.errors[0].message << '\n';

    // SQL: every value comes back as text (NULL as "NULL").
    bosbase::sql_result rows = pb.sql().execute("SELECT id, title FROM posts LIMIT 5");

    // Schemas, and existing tables made into collections (the server adds created, updated,
    // createdBy and updatedBy columns to them).
    bosbase::collection_schema schema = pb.collections().get_schema("posts");
    bosbase::json added = pb.collections().register_sql_tables({"legacy_orders"});
    bosbase::sql_import_result imported =
        pb.collections().import_sql_tables({{"notes", "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)"}});
    std::string apple_secret = pb.settings().generate_apple_client_secret(
        "com.example.app", "TEAMID1234", "KEYID12345", private_key_pem, 15777000);
    CHECK(entry.value["user"] == "u1");
    CHECK(keys == std::vector<std::string>{"session:42"});
    CHECK(r.ok());
    CHECK(rows.columns.size() == 2);
    CHECK(schema.fields.size() == 1);
    CHECK(added.size() == 1);
    CHECK(imported.created.size() == 1);
    CHECK(apple_secret == "APPLE_JWT");
}

template <class Client>
void scripts_tour(Client& pb) {
    auto scripts = pb.scripts();
    scripts.create("greet", "def main(name):\n    return 'hello ' + name\n");
    std::string text = scripts.execute("greet", {"world"}).output;         // "hello world"
    bosbase::request_options within;
    within.deadline = std::chrono::minutes(2);
    bosbase::script_job_status done = scripts.wait(scripts.execute_async("greet", {"you"}),
                                                   std::chrono::milliseconds(250), within);
    if (done.failed()) std::cerr << done.error << '\n';
    bosbase::script_output streamed = scripts.execute_sse("greet", {"sse"});   // one event over SSE
    scripts.upload(bosbase::file_part::from_bytes("data.csv", "a,b\n1,2\n"), "input/data.csv");
    std::string listing = scripts.command("ls input").output;                  // stdout and stderr
    bosbase::script_job_status cmd = scripts.wait(scripts.command_async("sleep 1; echo ok"));
    pb.script_permissions().create("greet", "user");   // stored; d8bc341 does not apply it yet
    CHECK(text == "hello world");
    CHECK(done.status == "done");
    CHECK(streamed.output == "hello sse");
    CHECK(listing == "data.csv\n");
    CHECK(cmd.output == "ok\n");
}

// The README's snippets must compile for the client people use.
[[maybe_unused]] void compile_for_bosbase(bosbase::BosBase& pb) {
    records(pb);
    typed(pb);
    files(pb, "");
    batch(pb);
    account(pb, "", "", "", "", "", "");
    (void)superuser_services<bosbase::BosBase>("http://127.0.0.1:8090", bosbase::httplib_transport{});
    data_services(pb, "");
    scripts_tour(pb);
}

// "Retry on a stale connection": the snippet builds a real client; it sends nothing.
inline bosbase::BosBase no_stale_retry(const std::string& url) {
    bosbase::httplib_transport_options transport_options;
    transport_options.retry_stale_connections = false;
    bosbase::BosBase pb(url, bosbase::httplib_transport(transport_options));
    return pb;
}

}  // namespace readme

namespace {

using bosbase::json;
using namespace bosbase_test;

// Answers every route the snippets call with the shape the server would send.
bosbase::http_response plausible(const bosbase::http_request& req) {
    const std::string path = req.target.substr(0, req.target.find('?'));
    const json record{{"id", "RECORD_ID"}, {"title", "Hello"}, {"collectionId", "c1"}, {"collectionName", "x"}};
    auto ok = [](const json& body) { return bosbase::http_response{200, {}, body.dump()}; };
    if (req.method != "GET" && (path.find("request-") != std::string::npos || path.find("confirm-") != std::string::npos ||
                                req.method == "DELETE" || path == "/api/backups")) {
        return {204, {}, ""};
    }
    if (path.find("/auth-with-") != std::string::npos || path.find("/impersonate/") != std::string::npos) {
        return ok(auth_response(valid_auth_token()));
    }
    if (path.size() > 6 && path.compare(path.size() - 6, 6, "/count") == 0) return ok({{"count", 2}});
    if (path == "/api/files/token") return ok({{"token", "FILE_TOKEN"}});
    if (path.rfind("/api/files/", 0) == 0) return {200, {}, "FILE BYTES"};
    if (path.rfind("/api/collections/docs/records", 0) == 0) {
        json doc = record;
        doc["files"] = {"report_x1y2z3.pdf", "notes_q9.txt"};
        doc["secret"] = "secret_a1.txt";
        return ok(doc);
    }
    if (path == "/api/batch") return ok(json::array({{{"status", 200}, {"body", {{"id", "b1"}}}}}));
    if (req.method == "GET" && path.size() > 8 && path.compare(path.size() - 8, 8, "/records") == 0) {
        return ok({{"items", {record}}, {"page", 1}, {"perPage", 500}, {"totalItems", -1}, {"totalPages", -1}});
    }
    if (path.size() > 7 && path.compare(path.size() - 7, 7, "/search") == 0) {
        return ok({{"items", json::array()}, {"page", 1}, {"perPage", 5}, {"totalItems", -1}, {"totalPages", -1}});
    }
    return ok(record);
}

fake_transport answering() {
    fake_transport t;
    for (int i = 0; i < 64; ++i) t.s->script.push_back(plausible);
    return t;
}

// Answers the routes of the BosBase services snippets.
bosbase::http_response service_answer(const bosbase::http_request& req) {
    const std::string path = req.target.substr(0, req.target.find('?'));
    auto ok = [](const json& body) { return bosbase::http_response{200, {}, body.dump()}; };
    const json job{{"id", "JOB"}, {"status", "running"}};
    if (path.rfind("/api/redis/keys", 0) == 0 && req.method != "GET") {
        return ok({{"key", "session:42"}, {"value", {{"user", "u1"}}}, {"ttlSeconds", 3600}});
    }
    if (path == "/api/redis/keys") return ok({{"cursor", "0"}, {"items", {{{"key", "session:42"}}}}});
    if (path.rfind("/api/redis/keys/", 0) == 0) return ok({{"key", "session:42"}, {"value", {{"user", "u1"}}}});
    if (path == "/api/graphql") return ok({{"data", {{"records", {{"items", json::array()}}}}}});
    if (path == "/api/sql/execute") return ok({{"columns", {"id", "title"}}, {"rows", json::array({json::array({"r1", "Hello"})})}});
    if (path == "/api/collections/posts/schema") {
        return ok({{"name", "posts"}, {"type", "base"}, {"fields", {{{"name", "title"}, {"type", "text"}}}}});
    }
    if (path == "/api/collections/sql/tables") return ok(json::array({{{"name", "legacy_orders"}}}));
    if (path == "/api/collections/sql/import") return ok({{"created", {{{"name", "notes"}}}}, {"skipped", json::array()}});
    if (path == "/api/settings/apple/generate-client-secret") return ok({{"secret", "APPLE_JWT"}});
    if (path == "/api/scripts/greet/execute") return ok({{"output", "hello world"}});
    if (path == "/api/scripts/async/greet/execute") return {202, {}, job.dump()};
    if (path == "/api/scripts/async/JOB") return ok({{"id", "JOB"}, {"status", "done"}, {"output", "hello you"}});
    if (path == "/api/scripts/upload") return ok({{"output", "uploaded"}, {"path", "/pb/functions/input/data.csv"}});
    if (path == "/api/scripts/command") {
        return req.body.find("async") != std::string::npos ? ok(job) : ok({{"output", "data.csv\n"}});
    }
    if (path == "/api/scripts/command/JOB") return ok({{"id", "JOB"}, {"status", "done"}, {"output", "ok\n"}});
    if (path == "/api/scripts") {
        return {201, {}, json{{"id", "s1"}, {"name", "greet"}, {"content", "x"}, {"version", 1}}.dump()};
    }
    if (path == "/api/script-permissions") {
        return {201, {}, json{{"id", "p1"}, {"scriptName", "greet"}, {"content", "user"}, {"version", 1}}.dump()};
    }
    return {404, {}, R"({"status":404,"message":"unexpected","data":{}})"};
}

// fake_transport with the streaming call, for execute_sse.
struct streaming_fake : fake_transport {
    bosbase::http_response stream(const bosbase::http_request& req, const bosbase::stream_handler& on_data) {
        s->requests.push_back(req);
        (void)on_data("data:{\"output\":\"hello sse\"}\n\n");
        return {200, {{"Content-Type", "text/event-stream"}}, ""};
    }
};

}  // namespace

TEST_CASE("README snippets: records, filters, vector search") {
    auto t = answering();
    fake_client pb("http://127.0.0.1:8090", t);
    readme::records(pb);
    CHECK(t.count() == 5);
    CHECK(t.s->requests[0].target.find("filter=title%20~%20'C%2B%2B'%20%26%26%20created%20%3E%20'") !=
          std::string::npos);
}

TEST_CASE("README snippets: typed records and batch") {
    auto t = answering();
    fake_client pb("http://127.0.0.1:8090", t);
    readme::typed(pb);
    readme::batch(pb);
    CHECK(t.last().target == "/api/batch");
}

TEST_CASE("README snippets: files") {
    const auto dir = bosbase_test::make_temp_dir("bosbase-readme");
    const std::string report = bosbase::detail::path_text(dir / "report.pdf");
    std::ofstream(report, std::ios::binary) << "%PDF-1.4 tiny";
    auto t = answering();
    fake_client pb("http://127.0.0.1:8090", t);
    readme::files(pb, report);
    REQUIRE(t.count() == 4);
    CHECK(t.s->requests[0].content_type.rfind("multipart/form-data; boundary=", 0) == 0);
    CHECK(t.s->requests[0].body.find("filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 tiny\r\n") !=
          std::string::npos);
    CHECK(t.s->requests[1].body.find(R"({"files-":["report_x1y2z3.pdf"]})") != std::string::npos);
    CHECK(t.s->requests[3].target == "/api/files/token");
    std::filesystem::remove_all(dir);
}

TEST_CASE("README snippets: account emails, OAuth2, external auths, superuser services") {
    auto t = answering();
    fake_client pb("http://127.0.0.1:8090", t);
    readme::account(pb, "reset-token", "verify-token", "change-token", "oauth-code", "code-verifier", "USER_ID");
    CHECK(t.last().method == "DELETE");
    CHECK(t.last().target == "/api/collections/_externalAuths/records/RECORD_ID");

    auto as_user = readme::superuser_services<fake_client>("http://127.0.0.1:8090", t);
    CHECK(t.last().target == "/api/collections/users/impersonate/USER_ID");
    CHECK(as_user.auth_store().token() == valid_auth_token());
}

TEST_CASE("README snippets: turning off the stale-connection retry") {
    auto pb = readme::no_stale_retry("http://127.0.0.1:8090");
    CHECK_FALSE(pb.transport().retries_stale_connections());
}

TEST_CASE("README snippets: BosBase Redis, GraphQL, SQL, schemas and scripts") {
    streaming_fake t;
    for (int i = 0; i < 64; ++i) t.s->script.push_back(service_answer);
    bosbase::basic_bosbase<streaming_fake> pb("http://127.0.0.1:8090", t);
    readme::data_services(pb, "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n");
    CHECK(t.last().target == "/api/settings/apple/generate-client-secret");
    readme::scripts_tour(pb);
    CHECK(t.last().target == "/api/script-permissions");
}

// "Vectors, LLM documents, LangChaingo and caches (BosBase)".
namespace readme {

template <class Client>
void ai_services(Client& pb) {
    auto vectors = pb.vectors();
    vectors.create_collection("products", {3, std::string("cosine"), nullptr});   // dimension, metric, options
    bosbase::vector_document doc{"p1", {0.9, 0.1, 0.0}, {{"kind", "fruit"}}, "An apple.", nullptr};
    std::string id = vectors.insert("products", doc);                              // upsert: an existing id is replaced
    bosbase::vector_search_request search;
    search.query_vector = {0.9, 0.1, 0.0};
    search.limit = 5;
    search.filter = {{"kind", "fruit"}};                                           // metadata equality, as text
    for (const auto& hit : vectors.search("products", search).results) std::cout << hit.document.id << ' ' << hit.score << '\n';
    CHECK(id == "p1");

    auto llm = pb.llm_documents();
    llm.create_collection("manual", {{"product", "bosbase"}});
    bosbase::llm_document page;
    page.content = "BosBase stores vectors in PostgreSQL with pgvector.";
    page.metadata = {{"chapter", "storage"}};
    std::string page_id = llm.insert("manual", page);                              // the server embeds the content
    bosbase::llm_query_options query;
    query.query_text = "Where are vectors stored?";
    query.limit = 3;
    for (const auto& r : llm.query("manual", query)) std::cout << r.similarity << ' ' << r.content << '\n';
    CHECK(page_id == "p1");

    bosbase::langchaingo_rag_request rag;
    rag.collection = "manual";
    rag.question = "Where does BosBase store vectors?";
    rag.top_k = 2;
    rag.return_sources = true;
    // rag.model.api_key = "...";   // optional: otherwise the server's OPENAI_API_KEY; scrubbed from error texts
    bosbase::langchaingo_rag_answer answer = pb.langchaingo().rag(rag);
    std::cout << answer.answer << " (" << answer.sources.size() << " sources)\n";

    auto caches = pb.caches();
    caches.create("answers", bosbase::cache_settings{std::nullopt, 3600, std::nullopt});   // size, TTL (s), read timeout (ms)
    caches.set_entry("answers", "where-vectors", answer.answer);         // the cache's TTL; 0 = no expiry
    bosbase::cache_entry hit = caches.get_entry("answers", "where-vectors");   // 404 once it expired
    std::cout << hit.value << " from " << hit.source << '\n';             // "cache" (memory) or "database"
    CHECK(hit.value == "In PostgreSQL.");
}

[[maybe_unused]] void compile_ai_services_for_bosbase(bosbase::BosBase& pb) { ai_services(pb); }

}  // namespace readme

TEST_CASE("README snippets: vectors, LLM documents, LangChaingo and caches") {
    const bosbase::json summary{{"name", "answers"}, {"sizeBytes", 8388608}, {"defaultTTLSeconds", 3600},
                                {"readTimeoutMs", 25}};
    const bosbase::json entry{{"cache", "answers"}, {"key", "where-vectors"}, {"value", "In PostgreSQL."}, {"source", "cache"}};
    fake_transport t;
    t.reply(201);
    t.reply_json(200, {{"id", "p1"}, {"success", true}});
    t.reply_json(200, {{"results", {{{"document", {{"id", "p1"}, {"vector", {0.9, 0.1, 0.0}}}}, {"score", 1.0}}}}, {"queryTime", 1}});
    t.reply_json(201, {{"id", "c1"}, {"name", "manual"}});
    t.reply_json(200, {{"id", "p1"}, {"success", true}});
    t.reply_json(200, {{"results", {{{"id", "p1"}, {"content", "x"}, {"metadata", {{"chapter", "storage"}}}, {"similarity", 0.8}}}}});
    t.reply_json(200, {{"answer", "In PostgreSQL."}, {"sources", {{{"content", "x"}, {"score", 0.8}}}}});
    t.reply_json(201, summary);
    t.reply_json(200, entry);
    t.reply_json(200, entry);
    fake_client pb("http://127.0.0.1:8090", t);
    readme::ai_services(pb);
    REQUIRE(t.count() == 10);
    CHECK(t.s->requests[6].target == "/api/langchaingo/rag");
    CHECK(t.last().target == "/api/cache/answers/entries/where-vectors");
}
