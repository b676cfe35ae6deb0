// pb.vectors(), pb.llm_documents(), pb.langchaingo() and pb.caches() against the real
// BosBase server (d8bc341). These routes are BosBase's own: the dev server (PocketBase
// plus the token routes) has none of them, so every test here does its work only when
// BOSBASE_TEST_SERVER=bosbase and returns at once on the dev server (ONLY_ON_REAL_BOSBASE).
// Not doctest::skip: CTest lists the test cases at build time, without that variable, and
// a skipped case would then be missing from the real-server run too.
//
// The model calls the server makes (embeddings, chat) go to fake_openai on 127.0.0.1,
// handed to the server process through its environment.
//
// Where BosBase d8bc341 is broken, the test asserts what it really does and says so,
// so that it turns red when the server is fixed.
#include <fake_openai.hpp>
#include <integration_helpers.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using bosbase_test::dev_accounts;
using bosbase_test::fake_openai;
using bosbase_test::status_of;
using bosbase_test::superuser;
using bosbase_test::test_server;

namespace {

// The routes exist only on the real BosBase server.
bool on_real_bosbase() { return bosbase_test::selected_server_kind() == bosbase_test::server_kind::bosbase; }

#define ONLY_ON_REAL_BOSBASE()                                                              \
    do {                                                                                    \
        if (!on_real_bosbase()) {                                                           \
            MESSAGE("a BosBase-only route: runs with BOSBASE_TEST_SERVER=bosbase, not here"); \
            return;                                                                         \
        }                                                                                   \
    } while (false)

bosbase::BosBase signed_in_user(const test_server& server) {
    bosbase::BosBase pb(server.url());
    pb.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
    return pb;
}

struct failure {
    int status = 0;
    std::string message;
    std::string what;
};

// How a call fails: status 0 when it does not.
template <class Call>
failure failure_of(Call&& call) {
    try {
        call();
    } catch (const bosbase::ClientResponseError& e) {
        return {e.status(), e.message(), e.what()};
    }
    return {};
}

#define CHECK_FAILS_WITH(call, status_, message_)      \
    do {                                               \
        const failure f_ = failure_of([&] { call; });  \
        CHECK(f_.status == (status_));                 \
        CHECK(f_.message == (message_));               \
    } while (false)

// What every superuser-only route answers others: 403 for a signed-in record, 401 anonymously.
template <class Call>
void check_superuser_only(const test_server& server, Call&& call) {
    const bosbase::BosBase user = signed_in_user(server);
    const failure as_user = failure_of([&] { call(user); });
    CHECK(as_user.status == 403);
    CHECK(as_user.message == "The authorized record is not allowed to perform this action.");
    const bosbase::BosBase anonymous(server.url());
    const failure as_anonymous = failure_of([&] { call(anonymous); });
    CHECK(as_anonymous.status == 401);
    CHECK(as_anonymous.message == "The request requires valid record authorization token.");
}

std::vector<std::string> names_of(const std::vector<bosbase::vector_collection_info>& list) {
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c.name);
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

TEST_SUITE("bosbase services (real server only)") {

TEST_CASE("vectors: collections are created, listed, changed and dropped") {
    ONLY_ON_REAL_BOSBASE();
    test_server server;
    const bosbase::BosBase pb = superuser(server);
    const auto vectors = pb.vectors();

    vectors.create_collection("sdk_vec_a", {3, std::string("cosine"), bosbase::json{{"owner", "tests"}}});
    vectors.create_collection("sdk_vec_b");  // the server's defaults: 384, cosine

    const auto list = vectors.list_collections();
    const auto a = std::find_if(list.begin(), list.end(), [](const auto& c) { return c.name == "sdk_vec_a"; });
    const auto b = std::find_if(list.begin(), list.end(), [](const auto& c) { return c.name == "sdk_vec_b"; });
    REQUIRE(a != list.end());
    REQUIRE(b != list.end());
    CHECK(a->dimension == 3);
    CHECK(a->distance == "cosine");
    CHECK(a->count == 0);
    CHECK_FALSE(a->id.empty());
    CHECK_FALSE(a->raw.contains("options"));  // stored, but never listed
    CHECK(b->dimension == 384);
    CHECK(b->distance == "cosine");

    CHECK_FAILS_WITH(vectors.create_collection("sdk_vec_a"), 400, "Collection already exists.");
    CHECK_FAILS_WITH(vectors.create_collection("sdk_vec_c", {3, std::string("manhattan"), nullptr}), 400,
                     "Invalid distance metric. Must be one of: [cosine l2 inner_product l1].");
    // A name that is no plain SQL identifier reaches PostgreSQL as it is.
    CHECK_FAILS_WITH(vectors.create_collection("sdk-vec-d"), 500, "Failed to create vector table.");

    vectors.update_collection("sdk_vec_a", {std::string("l2"), nullptr});
    CHECK_FAILS_WITH(vectors.update_collection("sdk_vec_a", {std::string("l2"), nullptr}), 400, "No fields to update.");
    vectors.update_collection("sdk_vec_a", {std::nullopt, bosbase::json{{"owner", "others"}}});
    const auto changed = vectors.list_collections();
    const auto a2 = std::find_if(changed.begin(), changed.end(), [](const auto& c) { return c.name == "sdk_vec_a"; });
    REQUIRE(a2 != changed.end());
    CHECK(a2->distance == "l2");
    CHECK_FAILS_WITH(vectors.update_collection("sdk_vec_nope", {std::string("l2"), nullptr}), 404,
                     "Collection not found.");

    vectors.delete_collection("sdk_vec_b");
    CHECK_FALSE(contains(names_of(vectors.list_collections()), "sdk_vec_b"));
    CHECK_FAILS_WITH(vectors.delete_collection("sdk_vec_b"), 404, "Collection not found.");

    check_superuser_only(server, [](const bosbase::BosBase& c) { (void)c.vectors().list_collections(); });
    check_superuser_only(server, [](const bosbase::BosBase& c) { c.vectors().create_collection("sdk_vec_x"); });
    check_superuser_only(server, [](const bosbase::BosBase& c) { c.vectors().delete_collection("sdk_vec_a"); });
    CHECK(contains(names_of(vectors.list_collections()), "sdk_vec_a"));
    CHECK_FALSE(contains(names_of(vectors.list_collections()), "sdk_vec_x"));

    // Refused before anything is sent.
    CHECK_THROWS_AS(vectors.create_collection(""), std::invalid_argument);
    CHECK_THROWS_AS(vectors.delete_collection(".."), std::invalid_argument);
}

TEST_CASE("vectors: documents are inserted, listed, changed, searched and deleted") {
    ONLY_ON_REAL_BOSBASE();
    test_server server;
    const bosbase::BosBase pb = superuser(server);
    const auto vectors = pb.vectors();
    vectors.create_collection("sdk_docs", {3, std::string("cosine"), nullptr});

    bosbase::vector_document first;
    first.id = "doc_first";
    first.vector = {1, 0, 0};
    first.metadata = {{"topic", "greeting"}, {"lang", "en"}};
    first.content = "hello";
    CHECK(vectors.insert("sdk_docs", first) == "doc_first");

    bosbase::vector_document unnamed;
    unnamed.vector = {0, 1, 0};
    const std::string generated = vectors.insert("sdk_docs", unnamed);
    CHECK(generated.size() == 15);

    bosbase::vector_document short_one;
    short_one.vector = {1, 0};
    CHECK_FAILS_WITH(vectors.insert("sdk_docs", short_one), 400, "Vector dimension mismatch. Expected 3, got 2.");
    CHECK_FAILS_WITH(vectors.insert("sdk_docs", bosbase::vector_document{}), 400, "Vector is required.");
    CHECK_FAILS_WITH(vectors.insert("sdk_nope", first), 404, "Collection not found.");

    // A document the server refuses only adds to `errors`.
    bosbase::vector_document second;
    second.id = "doc_second";
    second.vector = {0, 0, 1};
    const auto batch = vectors.batch_insert("sdk_docs", {second, short_one});
    CHECK(batch.inserted_count == 1);
    CHECK(batch.failed_count == 1);
    CHECK(batch.ids == std::vector<std::string>{"doc_second"});
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].rfind("Document 1: ", 0) == 0);
    // With skip_duplicates an existing id is left alone, yet counted as inserted.
    const auto again = vectors.batch_insert("sdk_docs", {second}, true);
    CHECK(again.inserted_count == 1);
    CHECK(again.failed_count == 0);
    CHECK(again.ids == std::vector<std::string>{"doc_second"});
    CHECK_FAILS_WITH((void)vectors.batch_insert("sdk_docs", {}), 400, "Documents array is required.");

    const auto page = vectors.list("sdk_docs", 1, 2);
    CHECK(page.page == 1);
    CHECK(page.per_page == 2);
    CHECK(page.total_items == 3);
    CHECK(page.total_pages == 2);
    REQUIRE(page.items.size() == 2);
    for (const auto& d : page.items) {
        CHECK(d.vector.size() == 3);
        // BosBase d8bc341 never fills metadata and content in a list (its COALESCE columns
        // do not map): when this fails, the server got fixed.
        CHECK(d.metadata.empty());
        CHECK(d.content.empty());
    }
    CHECK_FAILS_WITH((void)vectors.list("sdk_nope"), 500, "Failed to count documents.");

    // BosBase d8bc341 answers 404 for every id, existing or not (its Scan of 4 columns
    // into one struct fails). When this fails, the server got fixed.
    CHECK_FAILS_WITH((void)vectors.get("sdk_docs", "doc_first"), 404, "Vector document not found.");

    bosbase::vector_document_update change;
    change.content = "hello again";
    change.metadata = bosbase::json{{"topic", "farewell"}};
    CHECK(vectors.update("sdk_docs", "doc_first", change) == "doc_first");
    CHECK_FAILS_WITH((void)vectors.update("sdk_docs", "doc_nope", change), 404, "Vector document not found.");
    CHECK_FAILS_WITH((void)vectors.update("sdk_docs", "doc_first", bosbase::vector_document_update{}), 400,
                     "No fields to update.");

    // The same vector as a document lands in the same ivfflat list, so the approximate
    // search finds that document whatever the index's random centres are.
    bosbase::vector_search_request search;
    search.query_vector = {1, 0, 0};
    search.limit = 3;
    search.include_distance = true;
    search.include_content = true;
    const auto found = vectors.search("sdk_docs", search);
    REQUIRE_FALSE(found.results.empty());
    CHECK(found.results.size() <= 3);
    CHECK(found.results[0].document.id == "doc_first");
    CHECK(found.results[0].score == doctest::Approx(1.0));
    REQUIRE(found.results[0].distance.has_value());
    CHECK(*found.results[0].distance == doctest::Approx(1.0));  // for cosine the server puts the similarity here
    CHECK(found.results[0].document.content.empty());  // never filled at d8bc341, even with include_content
    CHECK(found.query_time.has_value());
    CHECK_FALSE(found.raw.contains("totalMatches"));

    // The metadata filter compares text: the updated topic matches, the old one does not.
    search.filter = {{"topic", "farewell"}};
    const auto filtered = vectors.search("sdk_docs", search);
    REQUIRE(filtered.results.size() == 1);
    CHECK(filtered.results[0].document.id == "doc_first");
    search.filter = {{"topic", "greeting"}};
    CHECK(vectors.search("sdk_docs", search).results.empty());

    bosbase::vector_search_request short_query;
    short_query.query_vector = {1, 0};
    const failure mismatch = failure_of([&] { (void)vectors.search("sdk_docs", short_query); });
    CHECK(mismatch.status == 400);
    CHECK(mismatch.message.rfind("Query vector dimension mismatch", 0) == 0);
    CHECK_FAILS_WITH((void)vectors.search("sdk_docs", bosbase::vector_search_request{}), 400, "Query vector is required.");
    CHECK_FAILS_WITH((void)vectors.search("sdk_nope", search), 404, "Collection not found.");

    vectors.remove("sdk_docs", generated);
    vectors.remove("sdk_docs", "doc_never_was");  // 204 as well
    CHECK(vectors.list("sdk_docs").total_items == 2);
    CHECK_FAILS_WITH(vectors.remove("sdk_nope", "x"), 500, "Failed to delete vector.");

    check_superuser_only(server, [&](const bosbase::BosBase& c) { (void)c.vectors().insert("sdk_docs", first); });
    check_superuser_only(server, [&](const bosbase::BosBase& c) { (void)c.vectors().search("sdk_docs", search); });
    check_superuser_only(server, [](const bosbase::BosBase& c) { c.vectors().remove("sdk_docs", "doc_first"); });
    CHECK(vectors.list("sdk_docs").total_items == 2);

    bosbase::vector_document not_finite;
    not_finite.vector = {1, std::nan(""), 0};
    CHECK_THROWS_AS((void)vectors.insert("sdk_docs", not_finite), std::invalid_argument);
    CHECK_THROWS_AS((void)vectors.get("sdk_docs", ""), std::invalid_argument);
}

TEST_CASE("llm documents: collections and documents, embedded by the server's model") {
    ONLY_ON_REAL_BOSBASE();
    fake_openai model;
    test_server server({"OPENAI_BASE_URL=" + model.base_url(), "OPENAI_API_KEY=sdk-test-embeddings-key"});
    const bosbase::BosBase pb = superuser(server);
    const auto llm = pb.llm_documents();

    llm.create_collection("sdk_notes", {{"owner", "tests"}});
    CHECK_FAILS_WITH(llm.create_collection("sdk_notes"), 400, "Collection already exists.");
    const auto collections = llm.list_collections();
    const auto notes = std::find_if(collections.begin(), collections.end(), [](const auto& c) { return c.name == "sdk_notes"; });
    REQUIRE(notes != collections.end());
    CHECK(notes->metadata == bosbase::llm_metadata{{"owner", "tests"}});
    CHECK(notes->count == 0);

    bosbase::llm_document doc;
    doc.id = "note-rivers";
    doc.content = "The Danube flows through Vienna and Budapest.";
    doc.metadata = {{"kind", "geography"}};
    CHECK(llm.insert("sdk_notes", doc) == "note-rivers");
    // The content was embedded by the server through OPENAI_BASE_URL with its own key.
    const auto embedded = model.embeddings();
    REQUIRE(embedded.size() == 1);
    CHECK(embedded[0].authorization == "Bearer sdk-test-embeddings-key");
    CHECK(embedded[0].body["input"] == doc.content);
    CHECK(embedded[0].body["model"] == "text-embedding-3-small");

    bosbase::llm_document other;
    other.content = "Bread is baked from flour, water and yeast.";
    other.metadata = {{"kind", "cooking"}};
    const std::string other_id = llm.insert("sdk_notes", other);
    CHECK(other_id.size() == 32);

    CHECK_FAILS_WITH((void)llm.insert("sdk_notes", bosbase::llm_document{}), 400, "Either content or embedding is required.");
    CHECK_FAILS_WITH((void)llm.insert("sdk_nope", doc), 404, "Collection not found.");
    bosbase::llm_document wrong_length;
    wrong_length.embedding = {1, 0, 0};
    CHECK_FAILS_WITH((void)llm.insert("sdk_notes", wrong_length), 500, "Failed to insert document.");
    model.fail_next_embedding(503);
    CHECK_FAILS_WITH((void)llm.insert("sdk_notes", other), 500, "Failed to insert document.");

    const auto got = llm.get("sdk_notes", "note-rivers");
    CHECK(got.id == "note-rivers");
    CHECK(got.content == doc.content);
    CHECK(got.metadata == doc.metadata);
    CHECK(got.embedding.size() == fake_openai::embedding_dimension);
    CHECK_FAILS_WITH((void)llm.get("sdk_notes", "note-nope"), 404, "Document not found.");

    const auto page = llm.list("sdk_notes", 1, 1);
    CHECK(page.total_items == 2);
    CHECK(page.per_page == 1);
    CHECK_FALSE(page.total_pages.has_value());  // the server sends none
    REQUIRE(page.items.size() == 1);

    bosbase::llm_query_options query;
    query.query_text = "Which city does the Danube flow through?";
    query.limit = 2;
    const auto results = llm.query("sdk_notes", query);
    REQUIRE(results.size() == 2);
    CHECK(results[0].id == "note-rivers");
    CHECK(results[0].similarity > results[1].similarity);
    query.where = bosbase::llm_metadata{{"kind", "cooking"}};
    const auto cooking = llm.query("sdk_notes", query);
    REQUIRE(cooking.size() == 1);
    CHECK(cooking[0].id == other_id);
    CHECK_FAILS_WITH((void)llm.query("sdk_notes", bosbase::llm_query_options{}), 500, "Failed to execute query.");

    bosbase::llm_document_update change;
    change.metadata = bosbase::llm_metadata{{"kind", "rivers"}};
    llm.update("sdk_notes", "note-rivers", change);
    CHECK(llm.get("sdk_notes", "note-rivers").metadata == bosbase::llm_metadata{{"kind", "rivers"}});
    CHECK_FAILS_WITH(llm.update("sdk_notes", "note-nope", change), 404, "Document not found.");

    llm.remove("sdk_notes", other_id);
    CHECK_FAILS_WITH(llm.remove("sdk_notes", other_id), 404, "Document not found.");
    CHECK(llm.list("sdk_notes").total_items == 1);

    check_superuser_only(server, [](const bosbase::BosBase& c) { (void)c.llm_documents().list_collections(); });
    check_superuser_only(server, [&](const bosbase::BosBase& c) { (void)c.llm_documents().query("sdk_notes", query); });

    llm.delete_collection("sdk_notes");
    llm.delete_collection("sdk_notes");  // 204 again: unknown names are not an error
    const auto after = llm.list_collections();
    CHECK(std::none_of(after.begin(), after.end(), [](const auto& c) { return c.name == "sdk_notes"; }));
}

TEST_CASE("langchaingo: completions, RAG and text-to-SQL through the server") {
    ONLY_ON_REAL_BOSBASE();
    fake_openai model;
    test_server server({"OPENAI_BASE_URL=" + model.base_url(), "OPENAI_API_KEY=sdk-test-key", "OPENAI_MODEL=fake-chat"});
    const bosbase::BosBase admin = superuser(server);
    const bosbase::BosBase user = signed_in_user(server);

    // Any signed-in record may ask for a completion.
    bosbase::langchaingo_completion_request ask;
    ask.messages = {{"system", "Be brief."}, {"user", "hello there"}};
    ask.max_tokens = 2;
    ask.temperature = 0.5;
    const auto reply = user.langchaingo().completions(ask);
    CHECK(reply.content == "Echo: hello");
    CHECK(reply.stop_reason == "length");
    CHECK(reply.generation_info.contains("CompletionTokens"));
    const auto chats = model.chats();
    REQUIRE(chats.size() == 1);
    CHECK(chats[0].body["model"] == "fake-chat");
    CHECK(chats[0].body["max_completion_tokens"] == 2);
    CHECK(chats[0].body["temperature"] == 0.5);
    CHECK(chats[0].authorization == "Bearer sdk-test-key");

    bosbase::langchaingo_completion_request tool;
    tool.prompt = "[[tool]] weather please";
    const auto called = user.langchaingo().completions(tool);
    CHECK(called.stop_reason == "tool_calls");
    REQUIRE(called.tool_calls.size() == 1);
    REQUIRE(called.tool_calls[0].function_call.has_value());
    CHECK(called.tool_calls[0].function_call->name == "get_weather");
    CHECK(called.tool_calls[0].function_call->arguments == R"({"city":"Paris"})");

    CHECK_FAILS_WITH((void)user.langchaingo().completions({}), 400, "Prompt or messages is required.");
    bosbase::langchaingo_completion_request odd;
    odd.prompt = "hi";
    odd.model.provider = "foo";
    CHECK_FAILS_WITH((void)user.langchaingo().completions(odd), 400, "Unsupported provider \"foo\".");
    const failure anonymous =
        failure_of([&] { (void)bosbase::BosBase(server.url()).langchaingo().completions(tool); });
    CHECK(anonymous.status == 401);

    // A key given in the request is sent to the model and kept out of the error texts.
    model.fail_next_chat(500);
    bosbase::langchaingo_completion_request secret;
    secret.prompt = "hi";
    secret.model.api_key = "sk-request-secret-4711";
    secret.model.base_url = model.base_url();
    const failure upstream = failure_of([&] { (void)user.langchaingo().completions(secret); });
    CHECK(upstream.status == 500);
    CHECK(upstream.message == "Failed to generate completion.");
    CHECK(upstream.what.find("sk-request-secret-4711") == std::string::npos);
    CHECK(model.chats().back().authorization == "Bearer sk-request-secret-4711");

    // RAG over an LLM document collection.
    const auto llm = admin.llm_documents();
    llm.create_collection("sdk_kb");
    bosbase::llm_document fact;
    fact.content = "BosBase keeps vectors in PostgreSQL with pgvector.";
    fact.metadata = {{"source", "manual"}};
    (void)llm.insert("sdk_kb", fact);
    bosbase::llm_document noise;
    noise.content = "Penguins live in the southern hemisphere.";
    (void)llm.insert("sdk_kb", noise);

    bosbase::langchaingo_rag_request rag;
    rag.collection = "sdk_kb";
    rag.question = "Where does BosBase keep vectors?";
    rag.top_k = 1;
    rag.return_sources = true;
    const auto answer = user.langchaingo().rag(rag);
    CHECK(answer.answer == "From the context: " + fact.content);
    REQUIRE(answer.sources.size() == 1);
    CHECK(answer.sources[0].content == fact.content);
    CHECK(answer.sources[0].metadata == bosbase::llm_metadata{{"source", "manual"}});
    REQUIRE(answer.sources[0].score.has_value());
    CHECK(*answer.sources[0].score > 0);
    CHECK(model.chats().back().body["messages"][0]["content"] == fake_openai::rag_system_prompt);

    bosbase::langchaingo_document_query query;
    query.collection = "sdk_kb";
    query.query = "penguins southern hemisphere";
    query.top_k = 1;
    const auto queried = user.langchaingo().query_documents(query);
    CHECK(queried.answer == "From the context: " + noise.content);
    CHECK(queried.sources.empty());  // only with return_sources

    // Nothing retrieved: the model is told so, and `sources` is left out.
    rag.where = bosbase::llm_metadata{{"source", "nowhere"}};
    const auto nothing = user.langchaingo().rag(rag);
    CHECK(nothing.answer == "I don't know.");
    CHECK(nothing.sources.empty());
    CHECK_FALSE(nothing.raw.contains("sources"));

    rag.collection = "sdk_kb_nope";
    CHECK_FAILS_WITH((void)user.langchaingo().rag(rag), 404, "Collection not found.");
    rag.collection = "sdk_kb";
    rag.question.clear();
    CHECK_FAILS_WITH((void)user.langchaingo().rag(rag), 400, "Question is required.");
    query.query.clear();
    CHECK_FAILS_WITH((void)user.langchaingo().query_documents(query), 400, "Query is required.");
    rag.question = "anything";
    rag.prompt_template = "{{.context";
    CHECK_FAILS_WITH((void)user.langchaingo().rag(rag), 400, "Invalid prompt template.");

    // Text to SQL: superusers only, and the server runs what the model wrote.
    model.set_sql("SELECT title FROM posts ORDER BY title LIMIT 1");
    bosbase::langchaingo_sql_request sql;
    sql.query = "The first post title?";
    sql.tables = {"posts"};
    const failure as_user = failure_of([&] { (void)user.langchaingo().sql(sql); });
    CHECK(as_user.status == 401);
    CHECK(as_user.message == "The request requires a superuser auth record.");
    (void)admin.collection("posts").create(bosbase::json{{"title", "alpha"}, {"body", "first"}});
    const auto rows = admin.langchaingo().sql(sql);
    CHECK(rows.sql == "SELECT title FROM posts ORDER BY title LIMIT 1");
    CHECK(rows.answer == "Here is what the database says.");
    CHECK(rows.columns == std::vector<std::string>{"title"});
    CHECK(rows.rows == std::vector<std::vector<std::string>>{{"alpha"}});
    sql.tables = {"nope"};
    CHECK_FAILS_WITH((void)admin.langchaingo().sql(sql), 400, "Table \"nope\" not found.");
}

TEST_CASE("caches: caches and entries") {
    ONLY_ON_REAL_BOSBASE();
    test_server server;
    const bosbase::BosBase pb = superuser(server);
    const auto caches = pb.caches();

    bosbase::cache_settings settings;
    settings.default_ttl_seconds = 120;
    const auto created = caches.create("sdk_answers", settings);
    CHECK(created.name == "sdk_answers");
    CHECK(created.default_ttl_seconds == 120);
    CHECK(created.size_bytes == 8388608);
    CHECK(created.read_timeout_ms == 25);
    CHECK_FALSE(created.entry_count.has_value());  // statistics only in list()
    CHECK_FAILS_WITH((void)caches.create("sdk_answers"), 400, "Failed to create cache.");
    CHECK_FAILS_WITH((void)caches.create("c1"), 400, "Failed to create cache.");
    CHECK_FAILS_WITH((void)caches.create(""), 400, "Cache name is required.");

    bosbase::cache_settings bigger;
    bigger.read_timeout_ms = 100;
    CHECK(caches.update("sdk_answers", bigger).read_timeout_ms == 100);
    CHECK_FAILS_WITH((void)caches.update("sdk_answers", {}), 400, "At least one field must be provided for update.");

    const auto entry = caches.set_entry("sdk_answers", "question-1", bosbase::json{{"answer", 42}});
    CHECK(entry.cache == "sdk_answers");
    CHECK(entry.key == "question-1");
    CHECK(entry.value == bosbase::json{{"answer", 42}});
    CHECK(entry.source == "cache");
    CHECK(entry.expires_at.has_value());
    const auto forever = caches.set_entry("sdk_answers", "question-2", "plain text", 0);
    CHECK_FALSE(forever.expires_at.has_value());
    CHECK(caches.get_entry("sdk_answers", "question-1").value == bosbase::json{{"answer", 42}});
    CHECK(caches.renew_entry("sdk_answers", "question-2", 60).expires_at.has_value());

    const std::string too_big(9000, 'x');
    CHECK_FAILS_WITH((void)caches.set_entry("sdk_answers", "big", too_big), 400,
                     "The provided value exceeds the cache entry size limit.");
    CHECK_FAILS_WITH((void)caches.get_entry("sdk_answers", "question-nope"), 404, "Cache entry not found.");
    CHECK_FAILS_WITH((void)caches.renew_entry("sdk_answers", "question-nope"), 404, "Cache entry not found.");

    const auto list = caches.list();
    const auto listed = std::find_if(list.begin(), list.end(), [](const auto& c) { return c.name == "sdk_answers"; });
    REQUIRE(listed != list.end());
    CHECK(listed->entry_count.has_value());
    CHECK(listed->hit_rate.has_value());
    CHECK(listed->database_entry_count == 2);

    caches.delete_entry("sdk_answers", "question-1");
    CHECK_FAILS_WITH(caches.delete_entry("sdk_answers", "question-1"), 404, "Cache entry not found.");

    // An entry call on an unknown (valid) name makes that cache, rather than a 404.
    CHECK_FAILS_WITH((void)caches.get_entry("sdk_made_on_the_fly", "k"), 404, "Cache entry not found.");
    const auto now = caches.list();
    CHECK(std::any_of(now.begin(), now.end(), [](const auto& c) { return c.name == "sdk_made_on_the_fly"; }));

    check_superuser_only(server, [](const bosbase::BosBase& c) { (void)c.caches().list(); });
    check_superuser_only(server, [](const bosbase::BosBase& c) { (void)c.caches().get_entry("sdk_answers", "question-2"); });

    caches.remove("sdk_answers");
    CHECK_FAILS_WITH(caches.remove("sdk_answers"), 404, "Cache not found.");
    CHECK_THROWS_AS((void)caches.set_entry("sdk_answers", "k", 1, -1), std::invalid_argument);
}

#ifdef BOSBASE_EXAMPLE_VECTORS_AND_AI
TEST_CASE("examples/vectors_and_ai searches, asks with RAG, and answers from the cache the second time") {
    ONLY_ON_REAL_BOSBASE();
    fake_openai model;
    test_server server({"OPENAI_BASE_URL=" + model.base_url(), "OPENAI_API_KEY=sdk-example-key"});
    const std::string command = std::string(BOSBASE_EXAMPLE_VECTORS_AND_AI) + " " + server.url() + " 2>&1";

    const auto first = bosbase_test::run_command(command);
    CAPTURE(first.output);
    CHECK(first.exit_code == 0);
    CHECK(first.output.find("  inserted 3, failed 0\n") != std::string::npos);
    CHECK(first.output.find("  fruit_apple score 1\n") != std::string::npos);
    CHECK(first.output.find("tool_hammer") == std::string::npos);  // filtered out by kind
    CHECK(first.output.find("  answer: From the context: BosBase stores vectors in PostgreSQL with the pgvector "
                            "extension.\n") != std::string::npos);
    CHECK(first.output.find("  cached in 'vectors_and_ai_answers' until ") != std::string::npos);
    CHECK(first.output.find("\nDone.\n") != std::string::npos);
    CHECK(model.chats().size() == 1);

    // The second run takes the answer from the cache: the model is not asked again.
    const auto second = bosbase_test::run_command(command);
    CAPTURE(second.output);
    CHECK(second.exit_code == 0);
    CHECK(second.output.find("Answer from the cache (cache): From the context: BosBase stores vectors") !=
          std::string::npos);
    CHECK(model.chats().size() == 1);

    // What it made is gone again; the cache entry stays.
    const bosbase::BosBase pb = superuser(server);
    const auto vectors = pb.vectors().list_collections();
    CHECK(std::none_of(vectors.begin(), vectors.end(), [](const auto& c) { return c.name == "vectors_and_ai_demo"; }));
    const auto kbs = pb.llm_documents().list_collections();
    CHECK(std::none_of(kbs.begin(), kbs.end(), [](const auto& c) { return c.name == "vectors_and_ai_kb"; }));
    CHECK(pb.caches().get_entry("vectors_and_ai_answers", "where-vectors").value.is_string());
}
#endif

}  // TEST_SUITE
