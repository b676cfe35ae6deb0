// The whole response path: fixed, valid calls answered by a fuzzed server.
//
// Input: [op 1][op 2][flags][step 1][step 2]
//   op % op_count picks the call (see make_call; 12-22 are BosBase's AI/data services,
//   23 and up its admin side: Redis, GraphQL, SQL, schemas, scripts; 38 bosbase-typegen's reader); flags:
//     bits 0-1 what the auth store holds before (see seed_store)
//     bits 2-3 max_json_depth = 4 << n;  bit 4: max_response_bytes 256 instead of 2048
//     bit 5 a listener that throws;      bit 6: make the second call too
//     bit 7 a before_send hook that rewrites the request: after the steps come
//           [method][target][header name][header value][content type] (length-prefixed,
//           empty = leave as is); std::invalid_argument is then allowed, but only
//           when what the hook made could not go on the wire
//   a step is [mode] then, for mode < 0xF0, an HTTP response
//     [status int16][header count % 8]([name length][name][value length][value])*[body length u16][body]
//   and otherwise a transport failure [message length][message]:
//     mode & 0x0F < 12: transport_error of that error_kind; 12: std::runtime_error;
//     13: std::bad_alloc (must reach the caller as it is); 14-15: a non-std throw
//   Steps past the end of the input answer 200 with an empty object.
//
// Contract: only ClientResponseError escapes (and from bosbase-typegen's reader its schema_error,
// which the harness turns into a result) (the caller's input is valid, so
// never std::invalid_argument). A call succeeds only on a 2xx response within
// max_response_bytes whose JSON nests no deeper than max_json_depth. A failed call
// reports the status the server sent (even a 2xx it could not use), or status 0 and
// the transport's error_kind; its what(), url(), original_error() and response()
// (which always dumps) never contain the call's secrets; it leaves the auth store
// as it was. Whatever the store holds never has CR, LF or NUL, and every request
// the transport sees could go on the wire unchanged.
#include "fuzz_support.hpp"
#include "../../tools/typegen/emit.hpp"
#include "../../tools/typegen/schema.hpp"

namespace {

using bosbase::json;
using bosbase_fuzz::fail;
using client = bosbase::basic_bosbase<bosbase_fuzz::scripted_transport>;

constexpr const char* origin = "http://127.0.0.1:8090";
constexpr const char* password = "Pw-9sEcret!";
constexpr const char* custom_token = "Ct-7tOken#x";
constexpr const char* otp_password = "Otp-5pAss$q";
constexpr const char* model_key = "Ak-3kEy%z";  // a LangChaingo model.api_key, sent in the body
constexpr const char* apple_key = "-----BEGIN PRIVATE KEY-----\nPk-8pRiv^k\n-----END PRIVATE KEY-----\n";
// {"type":"auth","id":"r1","collectionId":"_pb_users_auth_","refreshable":false,"exp":4102444800}
constexpr const char* stored_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0eXBlIjoiYXV0aCIsImlkIjoicjEiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJyZWZyZXNoYWJsZSI6ZmFsc2UsImV4"
    "cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";

enum op : int {
    bind, unbind, auth_with_token, auth_with_password, get_list, get_one,
    update, remove, send, list_auth_methods, auth_refresh, auth_with_otp,
    // BosBase's own services, decoded into typed results
    vector_batch_insert, vector_search, vector_list, vector_list_collections, llm_get, llm_query,
    langchaingo_completions, langchaingo_rag, langchaingo_sql, cache_get_entry, cache_list,
    // BosBase's admin-side services, decoded into typed results:
    redis_list_keys, redis_get_key, graphql_query, sql_execute, collection_get_schema, collection_all_schemas,
    register_sql_tables, import_sql_tables, apple_client_secret, scripts_list, script_execute, script_job_status,
    script_upload, script_wasm, script_permission_get,
    // bosbase-typegen's schema reader (tools/typegen) on the collections list the server sends
    typegen_schema, op_count
};
// tests/fuzz/make_corpus.py numbers the seeds so (ADMIN = 23).
static_assert(vector_batch_insert == 12 && redis_list_keys == 23, "the corpus's op numbers changed");

bool is_auth_call(int o) {
    return o == auth_with_token || o == auth_with_password || o == auth_refresh || o == auth_with_otp;
}

// What a before_send hook writes into the request (empty fields are left alone).
struct hook_edit {
    std::string method, target, header_name, header_value, content_type;

    void apply(bosbase::http_request& req) const {
        if (!method.empty()) req.method = method;
        if (!target.empty()) req.target = target;
        if (!header_name.empty()) req.headers.emplace_back(header_name, header_value);
        if (!content_type.empty()) req.content_type = content_type;
    }

    // The SDK's rules for caller input: a token method, a target starting with '/'
    // and without spaces, '#', controls or non-ASCII, header values without controls.
    bool acceptable() const {
        auto no_controls = [](const std::string& v) {
            return std::none_of(v.begin(), v.end(), [](char ch) {
                const auto c = static_cast<unsigned char>(ch);
                return (c < 0x20 && c != '\t') || c == 0x7F;
            });
        };
        return (method.empty() || bosbase_fuzz::is_token(method)) &&
               (target.empty() || (target.front() == '/' && bosbase_fuzz::is_wire_safe_target(target))) &&
               (header_name.empty() || (bosbase_fuzz::is_token(header_name) && no_controls(header_value))) &&
               no_controls(content_type);
    }
};

// The calls whose result is the server's JSON as it was sent (for the typed ones: their `raw`).
bool returns_body(int o) {
    switch (o) {
    case bind: case unbind: case remove:
    case vector_search: case vector_list: case vector_list_collections: case llm_query: case cache_list:
    case redis_list_keys: case graphql_query: case collection_get_schema: case collection_all_schemas:
    case apple_client_secret: case scripts_list: case typegen_schema:
        return false;
    default: return true;
    }
}

bosbase_fuzz::scripted_step read_step(bosbase_fuzz::byte_reader& in) {
    bosbase_fuzz::scripted_step step;
    const std::uint8_t mode = in.byte();
    if (mode >= 0xF0) {
        const int k = mode & 0x0F;
        using what = bosbase_fuzz::scripted_step::what;
        step.action = k < 12 ? what::transport_error : k == 12 ? what::std_exception
                    : k == 13 ? what::bad_alloc : what::non_std_exception;
        step.kind = static_cast<bosbase::error_kind>(k < 12 ? k : 11);
        step.message = in.str();
        return step;
    }
    step.response.status = static_cast<std::int16_t>(in.u16());
    for (int n = in.byte() % 8; n > 0; --n) {
        std::string name = in.str();
        step.response.headers.emplace_back(std::move(name), in.str());
    }
    step.response.body = in.str16();
    return step;
}

void seed_store(bosbase::auth_store& store, int variant) {
    switch (variant) {
    case 1:
        store.save(stored_token,
                   {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"collectionName", "users"}, {"email", "u@x.io"}});
        break;
    case 2:  // a server may have handed back a record whose id is not a string
        store.save(stored_token, {{"id", 42}, {"collectionId", "_pb_users_auth_"}, {"collectionName", "users"}});
        break;
    case 3:
        store.save(stored_token, {{"id", "r1"}, {"collectionId", 7}, {"collectionName", nullptr}});
        break;
    default: break;
    }
}

// The calls of BosBase's admin-side services. A typed result whose `raw` is not the whole
// answer gives an object with its sizes instead (returns_body() says which).
json make_admin_service_call(client& pb, int o) {
    switch (o) {
    case redis_list_keys: {
        bosbase::redis_list_options q;
        q.pattern = "session:*";
        const auto page = pb.redis().list_keys(q);
        return {{"cursor", page.cursor}, {"items", page.items.size()}};
    }
    case redis_get_key: return pb.redis().get_key("session:1").raw;
    case graphql_query: {
        const auto r = pb.graphql().query("query($c: String!) { records(collection: $c) { totalItems } }",
                                          {{"c", "posts"}}, "Q");
        return {{"errors", r.errors.size()}, {"data", r.data}};
    }
    case sql_execute: return pb.sql().execute("SELECT 1").raw;
    case collection_get_schema: return {{"fields", pb.collections().get_schema("posts").fields.size()}};
    case collection_all_schemas: return {{"collections", pb.collections().get_all_schemas().size()}};
    case register_sql_tables: return pb.collections().register_sql_tables({"legacy"});
    case import_sql_tables: return pb.collections().import_sql_tables({{"notes", "CREATE TABLE notes (id TEXT)"}}).raw;
    case apple_client_secret:
        return {{"secret", pb.settings().generate_apple_client_secret("com.x", "TEAM123456", "KEY1234567", apple_key,
                                                                        60)}};
    case scripts_list: return {{"scripts", pb.scripts().list().size()}};
    case script_execute: return pb.scripts().execute("greet", {"a"}, "main").raw;
    case script_job_status: return pb.scripts().execute_async_status("job-1").raw;
    case script_upload: return pb.scripts().upload(bosbase::file_part::from_bytes("a.txt", "x"), "in/a.txt").raw;
    case script_wasm: return pb.scripts().wasm("--func=add", "math.wasm", "1 2").raw;
    case typegen_schema: {
        // One page of the collections list, as the program reads it (it reads every page), into
        // the model and the header. A schema it cannot use is a schema_error, never anything else.
        const json page = pb.collections().get_list(1, 500);
        try {
            const auto model = bosbase_typegen::read_schema(page);
            const std::string header = bosbase_typegen::emit_header(model);
            BOSBASE_FUZZ_CHECK_MSG(header.find("namespace bosbase_types {") != std::string::npos, "no namespace");
            return {{"collections", model.collections.size()}, {"bytes", header.size()}};
        } catch (const bosbase_typegen::schema_error& e) {
            BOSBASE_FUZZ_CHECK_MSG(std::string(e.what()).rfind("bosbase-typegen: ", 0) == 0,
                                   std::string("a schema error that does not say where it is from: ") + e.what());
            return {{"schema_error", true}};
        }
    }
    default: return pb.script_permissions().get("greet").raw;
    }
}

// The calls of BosBase's own services. A typed result whose `raw` is not the whole answer
// gives an object with its sizes instead (returns_body() says which).
json make_service_call(client& pb, int o) {
    bosbase::langchaingo_model model;
    model.api_key = model_key;
    switch (o) {
    case vector_batch_insert: {
        bosbase::vector_document d;
        d.vector = {1, 0, 0.5};
        return pb.vectors().batch_insert("docs", {d, d}).raw;
    }
    case vector_search: {
        bosbase::vector_search_request q;
        q.query_vector = {1, 0, 0.5};
        q.include_distance = true;
        const auto r = pb.vectors().search("docs", q);
        return {{"results", r.results.size()}};
    }
    case vector_list: return {{"items", pb.vectors().list("docs").items.size()}};
    case vector_list_collections: return {{"collections", pb.vectors().list_collections().size()}};
    case llm_get: return pb.llm_documents().get("notes", "n1").raw;
    case llm_query: {
        bosbase::llm_query_options q;
        q.query_text = "rivers";
        return {{"results", pb.llm_documents().query("notes", q).size()}};
    }
    case langchaingo_completions: {
        bosbase::langchaingo_completion_request r;
        r.model = model;
        r.prompt = "hi";
        return pb.langchaingo().completions(r).raw;
    }
    case langchaingo_rag: {
        bosbase::langchaingo_rag_request r;
        r.model = model;
        r.collection = "notes";
        r.question = "why?";
        r.return_sources = true;
        return pb.langchaingo().rag(r).raw;
    }
    case langchaingo_sql: {
        bosbase::langchaingo_sql_request r;
        r.model = model;
        r.query = "how many?";
        return pb.langchaingo().sql(r).raw;
    }
    case cache_get_entry: return pb.caches().get_entry("answers", "k1").raw;
    default: return {{"caches", pb.caches().list().size()}};
    }
}

// Runs one call; returns its JSON result (an empty object for calls returning void).
json make_call(client& pb, int o) {
    if (o >= redis_list_keys) return make_admin_service_call(pb, o);
    auto users = pb.collection("users");
    switch (o) {
    case bind: users.bind_custom_token("u@x.io", password, custom_token); return json::object();
    case unbind: users.unbind_custom_token("u@x.io", password, custom_token); return json::object();
    case auth_with_token: return users.auth_with_token(custom_token);
    case auth_with_password: return users.auth_with_password("u@x.io", password);
    case get_list: return users.get_list(2, 10);
    case get_one: return users.get_one("r1");
    case update: return users.update("r1", {{"name", "n"}});
    case remove: users.remove("r1"); return json::object();
    case send: return pb.send("GET", "/api/custom");
    case list_auth_methods: return users.list_auth_methods();
    case auth_refresh: return users.auth_refresh();
    case auth_with_otp: return users.auth_with_otp("otp-id-1", otp_password);
    default: return make_service_call(pb, o);
    }
}

std::vector<std::string> secrets_of(int o, const std::string& token_sent) {
    std::vector<std::string> out;
    if (o == bind || o == unbind || o == auth_with_password) out.emplace_back(password);
    if (o == bind || o == unbind || o == auth_with_token) out.emplace_back(custom_token);
    if (o == auth_with_otp) out.emplace_back(otp_password);
    if (o == langchaingo_completions || o == langchaingo_rag || o == langchaingo_sql) out.emplace_back(model_key);
    if (o == apple_client_secret) out.emplace_back(apple_key);
    if (token_sent == stored_token) out.emplace_back(stored_token);  // sent as Authorization
    return out;
}

void check_failure(const bosbase::ClientResponseError& e, const bosbase_fuzz::scripted_step& step,
                   const bosbase::client_options& settings, const std::vector<std::string>& secrets) {
    const char* what = e.what();
    BOSBASE_FUZZ_CHECK(what != nullptr);
    std::string dumped;
    try {
        dumped = e.response().dump();
    } catch (const std::exception& x) {
        fail("response().dump() threw", std::string(typeid(x).name()) + ": " + x.what());
    }
    BOSBASE_FUZZ_CHECK(e.response().is_object());
    (void)e.message();
    (void)e.mfa_id();

    const auto& res = step.response;
    const int status = res.status;
    if (step.action != bosbase_fuzz::scripted_step::what::respond) {
        BOSBASE_FUZZ_CHECK_MSG(e.status() == 0, "a transport failure reported HTTP " + std::to_string(e.status()));
        if (step.action == bosbase_fuzz::scripted_step::what::transport_error && step.kind != bosbase::error_kind::none) {
            BOSBASE_FUZZ_CHECK_MSG(e.error_kind() == step.kind, std::string("kind ") + bosbase::to_string(e.error_kind()));
        }
    } else if (status >= 100 && res.body.size() <= settings.max_response_bytes) {
        // Also for a 2xx the call could not use (not JSON, no token): the real status, not a made-up 200.
        BOSBASE_FUZZ_CHECK_MSG(e.status() == status, "server sent " + std::to_string(status) + ", error says " +
                                                         std::to_string(e.status()) + ": " + what);
    }
    if (step.action == bosbase_fuzz::scripted_step::what::respond && status >= 300 && status <= 399 &&
        res.body.size() <= settings.max_response_bytes) {
        const bool has_location = std::any_of(res.headers.begin(), res.headers.end(), [](const auto& h) {
            return bosbase::detail::ascii_iequal(h.first, "Location");
        });
        const auto location = e.response().find("location");
        BOSBASE_FUZZ_CHECK_MSG(!has_location || (location != e.response().end() && location->is_string()),
                               "a redirect's Location is missing from response(): " + dumped);
    }
    for (const auto& secret : secrets) {
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(what, secret), std::string("secret in what(): ") + what);
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.url(), secret), "secret in url(): " + e.url());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.original_error(), secret), "secret in original_error()");
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(dumped, secret), "secret in response(): " + dumped);
    }
}

void run_call(client& pb, bosbase_fuzz::scripted_transport& transport, const bosbase::client_options& settings,
              int o, const std::vector<bosbase_fuzz::scripted_step>& steps, const std::optional<hook_edit>& hook) {
    auto& store = pb.auth_store();
    const std::string token_before = store.token();
    const json record_before = store.record();
    const std::size_t index = transport.s->calls;
    const bosbase_fuzz::scripted_step step =
        index < steps.size() ? steps[index] : bosbase_fuzz::scripted_step{{}, {}, {}, {200, {}, "{}"}};

    try {
        const json result = make_call(pb, o);
        BOSBASE_FUZZ_CHECK_MSG(transport.s->calls == index + 1, "a call did not reach the transport exactly once");
        BOSBASE_FUZZ_CHECK_MSG(step.action == bosbase_fuzz::scripted_step::what::respond,
                           "a call succeeded although the transport failed");
        const int status = step.response.status;
        BOSBASE_FUZZ_CHECK_MSG(status >= 200 && status <= 299, "a call succeeded on HTTP " + std::to_string(status));
        BOSBASE_FUZZ_CHECK_MSG(step.response.body.size() <= settings.max_response_bytes,
                           "a call succeeded with a body over max_response_bytes");
        BOSBASE_FUZZ_CHECK_MSG(bosbase_fuzz::json_depth(result) <= settings.max_json_depth,
                           "a result nests deeper than max_json_depth");
        if (returns_body(o)) {
            // The caller gets the server's JSON as it was sent.
            const auto sent = json::parse(step.response.body.empty() ? "{}" : step.response.body, nullptr, false);
            BOSBASE_FUZZ_CHECK_MSG(result == sent, "the result differs from the body: " + step.response.body);
        }
        if (is_auth_call(o)) {
            BOSBASE_FUZZ_CHECK(result.is_object() && result.contains("token") && result["token"].is_string());
            BOSBASE_FUZZ_CHECK_MSG(store.token() == result["token"].get<std::string>(), "the store missed the sign-in");
            BOSBASE_FUZZ_CHECK_MSG(store.record() == result["record"], "the stored record is not the one returned");
        } else if (o != update && o != remove) {
            BOSBASE_FUZZ_CHECK_MSG(store.token() == token_before && store.record() == record_before,
                               "a call that is not about auth changed the store");
        }
    } catch (const bosbase::ClientResponseError& e) {
        BOSBASE_FUZZ_CHECK_MSG(step.action != bosbase_fuzz::scripted_step::what::bad_alloc,
                               std::string("std::bad_alloc became a ClientResponseError: ") + e.what());
        BOSBASE_FUZZ_CHECK_MSG(transport.s->calls == index + 1, std::string("failed before the transport: ") + e.what());
        check_failure(e, step, settings, secrets_of(o, token_before));
        BOSBASE_FUZZ_CHECK_MSG(store.token() == token_before && store.record() == record_before,
                           "a failed call changed the auth store");
    } catch (const std::invalid_argument& e) {
        BOSBASE_FUZZ_CHECK_MSG(hook && !hook->acceptable(), std::string("std::invalid_argument for valid input: ") + e.what());
        BOSBASE_FUZZ_CHECK_MSG(transport.s->calls == index, "refused after reaching the transport");
        BOSBASE_FUZZ_CHECK(store.token() == token_before && store.record() == record_before);
    } catch (const std::bad_alloc&) {
        if (step.action != bosbase_fuzz::scripted_step::what::bad_alloc) throw;  // a real one
        BOSBASE_FUZZ_CHECK(store.token() == token_before && store.record() == record_before);
    }
    BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::has_cr_lf_nul(store.token()), "the auth store holds a token with CR, LF or NUL");
    BOSBASE_FUZZ_CHECK_MSG(bosbase_fuzz::json_depth(store.record()) <= settings.max_json_depth,
                       "the auth store holds a record deeper than max_json_depth");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const int op1 = in.byte() % op_count;
        const int op2 = in.byte() % op_count;
        const std::uint8_t flags = in.byte();
        std::vector<bosbase_fuzz::scripted_step> steps;
        steps.push_back(read_step(in));
        steps.push_back(read_step(in));
        std::optional<hook_edit> hook;
        if (flags & 0x80) {
            hook_edit h;
            h.method = in.str();
            h.target = in.str();
            h.header_name = in.str();
            h.header_value = in.str();
            h.content_type = in.str();
            hook = std::move(h);
        }

        bosbase::client_options options;
        options.max_json_depth = std::size_t(4) << ((flags >> 2) & 3);
        options.max_response_bytes = (flags & 0x10) ? 256 : 2048;
        bosbase_fuzz::scripted_transport transport;
        transport.s->expected_origin = origin;
        transport.s->script.assign(steps.begin(), steps.end());
        client pb(origin, transport, options);
        seed_store(pb.auth_store(), flags & 3);
        if (flags & 0x20) {
            pb.auth_store().on_change([](const std::string&, const json&) { throw std::runtime_error("listener"); });
        }

        if (hook) {
            pb.before_send([edit = *hook](bosbase::http_request& req) { edit.apply(req); });
        }

        run_call(pb, transport, options, op1, steps, hook);
        if (flags & 0x40) {
            run_call(pb, transport, options, op2, steps, hook);
        }
    });
}
