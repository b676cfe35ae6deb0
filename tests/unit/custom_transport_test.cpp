// A user-written transport (not the default one) carries a whole
// bind / auth-with-token / unbind flow. This one is a tiny in-memory server.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <map>

using bosbase::json;

namespace {

// Knows one account per collection and keeps token bindings per collection,
// answering the way the protocol sheet says the real server does.
class in_memory_server {
public:
    bosbase::http_response send(const bosbase::http_request& req) {
        ++calls;
        const std::string prefix = "/api/collections/";
        if (req.method != "POST" || req.target.rfind(prefix, 0) != 0) return error(404, "Not found.");
        const auto rest = req.target.substr(prefix.size());
        const auto slash = rest.find('/');
        const std::string collection = rest.substr(0, slash);
        const std::string action = rest.substr(slash + 1);
        const auto account = accounts.find(collection);
        if (account == accounts.end()) return error(404, "Missing or invalid collection context.");
        const json body = json::parse(req.body);

        if (action == "bind-token" || action == "unbind-token") {
            const bool bind = action == "bind-token";
            if (body.value("email", "") != account->second.first || body.value("password", "") != account->second.second) {
                return error(400, bind ? "Failed to bind token." : "Failed to unbind token.");
            }
            if (bind) bindings[collection][body["token"]] = body["email"];
            else bindings[collection].erase(body["token"].get<std::string>());
            return {204, {}, ""};
        }
        if (action == "auth-with-token") {
            auto& bound = bindings[collection];
            auto it = bound.find(body.value("token", ""));
            if (it == bound.end()) return error(400, "Failed to authenticate.");
            const std::string id = collection == "_superusers" ? "pbc_3142635823" : "_pb_users_auth_";
            json record = {{"id", "r-" + collection}, {"collectionId", id}, {"collectionName", collection}, {"email", it->second}};
            return {200, {{"Content-Type", "application/json"}}, json{{"record", record}, {"token", bosbase_test::valid_auth_token(id)}}.dump()};
        }
        return error(404, "Not found.");
    }

    std::map<std::string, std::pair<std::string, std::string>> accounts{
        {"users", {"user@example.com", "user-password"}}, {"_superusers", {"admin@example.com", "admin-password"}}};
    std::map<std::string, std::map<std::string, std::string>> bindings;
    int calls = 0;

private:
    static bosbase::http_response error(int status, const std::string& message) {
        return {status, {}, json{{"data", json::object()}, {"message", message}, {"status", status}}.dump()};
    }
};

static_assert(bosbase::is_transport_v<in_memory_server>);
static_assert(!bosbase::is_transport_v<int>);

}  // namespace

TEST_CASE("a custom transport carries bind, auth-with-token and unbind") {
    bosbase::basic_bosbase<in_memory_server> pb("http://bosbase.invalid");

    pb.collection("users").bind_custom_token("user@example.com", "user-password", "my-app-token", {}, {});
    pb.collection("_superusers").bind_custom_token("admin@example.com", "admin-password", "my-app-token", {}, {});

    auto auth = pb.collection("users").auth_with_token("my-app-token", {}, {}, std::nullopt);
    CHECK(auth["record"]["email"] == "user@example.com");
    CHECK_FALSE(pb.auth_store().is_superuser());

    auth = pb.collection("_superusers").auth_with_token("my-app-token");
    CHECK(auth["record"]["email"] == "admin@example.com");
    CHECK(pb.auth_store().is_superuser());

    pb.collection("users").unbind_custom_token("user@example.com", "user-password", "my-app-token", {}, {});
    try {
        pb.collection("users").auth_with_token("my-app-token");
        FAIL("unbound token still signs in");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.message() == "Failed to authenticate.");
    }
    // The superuser binding of the same token value is independent.
    CHECK(pb.collection("_superusers").auth_with_token("my-app-token")["record"]["email"] == "admin@example.com");
    CHECK(pb.transport().calls == 7);

    CHECK_THROWS_AS(pb.collection("users").bind_custom_token("user@example.com", "wrong", "t"), bosbase::ClientResponseError);
}

namespace {
struct http_only_transport {
    bool supports_origin(const std::string& origin) const { return origin.rfind("http://", 0) == 0; }
    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, ""}; }
};
}  // namespace

TEST_CASE("a transport that cannot reach an origin is refused when the client is made") {
    // This is how the default transport refuses https:// when cpp-httplib has no TLS.
    CHECK_THROWS_WITH_AS(bosbase::basic_bosbase<http_only_transport>("https://example.test"),
                         "bosbase: the transport cannot reach 'https://example.test' (its supports_origin() said "
                         "no; for https:// the default transport needs cpp-httplib built with TLS)",
                         std::invalid_argument);
    bosbase::basic_bosbase<http_only_transport> pb("http://example.test");
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
}

namespace {
// Only send(), counting what reaches it: the calls that need more must refuse before.
struct counting_send_only_transport {
    std::shared_ptr<int> sent = std::make_shared<int>(0);
    bosbase::http_response send(const bosbase::http_request&) {
        ++*sent;
        return {200, {}, "{}"};
    }
};
struct no_copy_stream_transport {
    no_copy_stream_transport() = default;
    no_copy_stream_transport(const no_copy_stream_transport&) = delete;
    no_copy_stream_transport(no_copy_stream_transport&&) = default;
    bosbase::http_response send(const bosbase::http_request&) { return {200, {}, "{}"}; }
    bosbase::http_response stream(const bosbase::http_request&, const bosbase::stream_handler&) {
        return {204, {}, {}};
    }
};
}  // namespace

// A service does not know its client's transport type, so these are run-time checks
// (pb.realtime() and pb.pubsub() still refuse such a transport at compile time).
TEST_CASE("calls that need a transport's optional call refuse at once when it lacks it, sending nothing") {
    counting_send_only_transport t;
    bosbase::basic_bosbase<counting_send_only_transport> pb("http://127.0.0.1:8090", t);
    CHECK_THROWS_WITH_AS((void)pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {}),
                         doctest::Contains("realtime needs a transport with the streaming call"), std::logic_error);
    CHECK_THROWS_WITH_AS((void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) {}),
                         doctest::Contains("auth_with_oauth2 needs a transport with the streaming call"),
                         std::logic_error);
    CHECK_THROWS_WITH_AS((void)pb.scripts().execute_sse("hello"),
                         doctest::Contains("execute_sse needs a transport with the streaming call"), std::logic_error);
    CHECK_THROWS_WITH_AS((void)pb.scripts().execute_ws("hello"),
                         doctest::Contains("execute_ws needs a transport with the WebSocket call"), std::logic_error);
    const bosbase::client& plain = pb;
    CHECK_THROWS_WITH_AS((void)plain.pubsub().publish("chat", {{"text", "hi"}}),
                         doctest::Contains("pub/sub needs a transport with the WebSocket call"), std::logic_error);
    CHECK(*t.sent == 0);
}

TEST_CASE("realtime on a transport that cannot be copied is a logic_error, not a crash") {
    bosbase::basic_bosbase<no_copy_stream_transport> pb("http://127.0.0.1:8090", no_copy_stream_transport{});
    CHECK_THROWS_WITH_AS((void)pb.realtime().subscribe("posts/*", [](const bosbase::realtime_event&) {}),
                         doctest::Contains("needs a copyable transport"), std::logic_error);
}

TEST_CASE("impersonate's client converts back to its own basic_bosbase and refuses another") {
    // The answer of POST .../impersonate/{id}: a token and a record.
    struct auth_transport {
        bosbase::http_response send(const bosbase::http_request&) {
            return {200, {}, R"({"token":"tok","record":{"id":"u1"}})"};
        }
    };
    bosbase::basic_bosbase<auth_transport> pb("http://127.0.0.1:8090", auth_transport{});
    bosbase::basic_bosbase<auth_transport> as_user = pb.collection("users").impersonate("u1");
    CHECK(as_user.auth_store().token() == "tok");
    CHECK(pb.auth_store().token().empty());
    CHECK_THROWS_AS(bosbase::basic_bosbase<http_only_transport>(pb.collection("users").impersonate("u1")),
                    std::logic_error);
}
