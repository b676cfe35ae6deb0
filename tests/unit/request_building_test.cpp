// URLs: base URL parsing, path prefixes, percent-encoding of names and query values.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("collection names and ids are encoded as one path segment") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply(204);
    pb.collection("../settings").bind_custom_token("a@b.io", "pw", "tok");
    CHECK(t.last().target == "/api/collections/..%2Fsettings/bind-token");

    t.reply(204);
    pb.collection("a b?c#d&é").bind_custom_token("a@b.io", "pw", "tok");
    CHECK(t.last().target == "/api/collections/a%20b%3Fc%23d%26%C3%A9/bind-token");

    CHECK_THROWS_AS(pb.collection(""), std::invalid_argument);
}

TEST_CASE("base URLs: path prefixes and trailing slashes") {
    for (const auto& base_and_target : std::vector<std::pair<std::string, std::string>>{
             {"http://127.0.0.1:8090", "/api/collections/users/bind-token"},
             {"http://127.0.0.1:8090/", "/api/collections/users/bind-token"},
             {"https://example.test/pb/", "/pb/api/collections/users/bind-token"},
             {"HTTP://example.test/a/b//", "/a/b/api/collections/users/bind-token"}}) {
        const std::string& base = base_and_target.first;
        const std::string& target = base_and_target.second;
        CAPTURE(base);
        fake_transport t;
        fake_client pb(base, t);
        t.reply(204);
        pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
        CHECK(t.last().target == target);
    }
    fake_transport t;
    CHECK(fake_client("https://example.test/pb/", t).base_url() == "https://example.test/pb");
    CHECK(fake_client("https://example.test/pb/", t).build_url("/api/health") == "https://example.test/pb/api/health");
}

TEST_CASE("malformed base URLs are rejected with a clear message") {
    fake_transport t;
    CHECK_THROWS_WITH_AS(fake_client("127.0.0.1:8090", t),
                         "bosbase: invalid base URL: it must start with http:// or https://",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(fake_client("ftp://host", t), "bosbase: invalid base URL: the scheme must be http or https",
                         std::invalid_argument);
    CHECK_THROWS_AS(fake_client("http://", t), std::invalid_argument);
    CHECK_THROWS_AS(fake_client("http://user:pw@host", t), std::invalid_argument);
    CHECK_THROWS_AS(fake_client("http://host/?x=1", t), std::invalid_argument);
}

TEST_CASE("query values follow the JS SDK's serialisation") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, json::object());
    bosbase::request_options opts;
    opts.query = {{"s", "a b&c=d/é"},
                  {"n", 2},
                  {"f", 1.5},
                  {"b", true},
                  {"skip", nullptr},
                  {"arr", json::array({"x", nullptr, 3})},
                  {"obj", {{"k", "v"}}},
                  {"mark", "-_.!~*'()"}};
    pb.send("GET", "/api/x", nullptr, opts);
    CHECK(t.last().target ==
          "/api/x?s=a%20b%26c%3Dd%2F%C3%A9&n=2&f=1.5&b=true&arr=x&arr=3&obj=%7B%22k%22%3A%22v%22%7D&mark=-_.!~*'()");
    CHECK(t.last().content_type.empty());
    CHECK(t.last().body.empty());
}

TEST_CASE("client options: language, default headers and timeouts") {
    fake_transport t;
    bosbase::client_options options;
    options.lang = "de-DE";
    options.headers = {{"X-App", "demo"}};
    options.connect_timeout = std::chrono::milliseconds(250);
    options.timeout = std::chrono::milliseconds(900);
    fake_client pb("http://127.0.0.1:8090", t, options);
    t.reply(204);
    pb.collection("users").bind_custom_token("a@b.io", "pw", "tok");
    CHECK(header(t.last(), "Accept-Language") == "de-DE");
    CHECK(header(t.last(), "X-App") == "demo");
    CHECK(t.last().connect_timeout == std::chrono::milliseconds(250));
    CHECK(t.last().read_timeout == std::chrono::milliseconds(900));
}

TEST_CASE("encode_uri_component matches JS encodeURIComponent") {
    using bosbase::detail::encode_uri_component;
    CHECK(encode_uri_component("") == "");
    CHECK(encode_uri_component("AZaz09-_.!~*'()") == "AZaz09-_.!~*'()");
    CHECK(encode_uri_component(" /?#[]@$&+,;=%\"") == "%20%2F%3F%23%5B%5D%40%24%26%2B%2C%3B%3D%25%22");
    CHECK(encode_uri_component(std::string("\0\x7f\xff", 3)) == "%00%7F%FF");
}

TEST_CASE("proxy URLs as curl takes them, anything but http:// refused without quoting the URL") {
    using bosbase::detail::parse_proxy_url;
    auto p = parse_proxy_url("http://user%40corp:p%3Ass@proxy.corp:3128/", "options");
    CHECK(p.host == "proxy.corp");
    CHECK(p.port == 3128);
    CHECK(p.username == "user@corp");
    CHECK(p.password == "p:ss");
    p = parse_proxy_url("10.0.0.1", "options");
    CHECK(p.host == "10.0.0.1");
    CHECK(p.port == 1080);
    CHECK(p.username.empty());
    p = parse_proxy_url("HTTP://[::1]:8080", "options");
    CHECK(p.host == "::1");
    CHECK(p.port == 8080);
    for (const char* bad : {"socks5://u:secret-pw@h:1080", "https://h:443", "http://u:secret-pw@:3128", "http://h:0",
                            "http://h:65536", "http://h:12a", "http://h/path", "http://[::1", "http://h h:1",
                            // Found by the proxy_url fuzz harness: what came before a "://" was quoted as the scheme.
                            "u:secret-pw@h/x://y", "u:secret-pw://x@h:1"}) {
        CAPTURE(std::string(bad));
        try {
            (void)parse_proxy_url(bad, "HTTPS_PROXY");
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find("HTTPS_PROXY") != std::string::npos);
            CHECK(std::string(e.what()).find("secret-pw") == std::string::npos);
        }
    }
}

TEST_CASE("no_proxy by curl's rules: names and their subdomains, addresses, IPv4 ranges, '*'") {
    using bosbase::detail::bypasses_proxy;
    CHECK(bypasses_proxy("example.com", "example.com"));
    CHECK(bypasses_proxy("api.example.com", " other.org , .example.com"));
    CHECK(bypasses_proxy("API.Example.COM.", "example.com"));
    CHECK_FALSE(bypasses_proxy("badexample.com", "example.com"));
    CHECK_FALSE(bypasses_proxy("example.com", "api.example.com"));
    CHECK(bypasses_proxy("10.1.2.3", "10.0.0.0/8"));
    CHECK_FALSE(bypasses_proxy("11.1.2.3", "10.0.0.0/8"));
    CHECK(bypasses_proxy("127.0.0.1", "127.0.0.1"));
    CHECK_FALSE(bypasses_proxy("127.0.0.2", "127.0.0.1"));
    CHECK(bypasses_proxy("::1", "[::1]"));
    CHECK(bypasses_proxy("anything", "*"));
    CHECK_FALSE(bypasses_proxy("anything", ""));
    CHECK_FALSE(bypasses_proxy("anything", ",, ,"));
    CHECK_FALSE(bypasses_proxy("10.1.2.3", "10.0.0.0/33"));
}

TEST_CASE("the proxy from the environment: which variable for which scheme, no_proxy first") {
    using bosbase::detail::proxy_from_environment;
    static std::map<std::string, std::string> env;
    auto lookup = [](const char* name) -> std::optional<std::string> {
        const auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
    env = {{"HTTP_PROXY", "http://upper:1"}};
    CHECK_FALSE(proxy_from_environment("http://h", lookup));  // curl ignores the upper-case one for http
    env = {{"http_proxy", "http://lower:2"}, {"HTTPS_PROXY", "http://secure:3"}};
    CHECK(proxy_from_environment("http://h", lookup)->host == "lower");
    CHECK(proxy_from_environment("https://h:8443", lookup)->host == "secure");
    env = {{"https_proxy", "http://a:1"}, {"HTTPS_PROXY", "http://b:1"}};
    CHECK(proxy_from_environment("https://h", lookup)->host == "a");
    env = {{"ALL_PROXY", "http://all:4"}, {"NO_PROXY", "h,.internal"}};
    CHECK(proxy_from_environment("http://x", lookup)->host == "all");
    CHECK_FALSE(proxy_from_environment("http://h:8090", lookup));
    CHECK_FALSE(proxy_from_environment("https://db.internal", lookup));
    env = {{"http_proxy", ""}};
    CHECK_FALSE(proxy_from_environment("http://h", lookup));
    env = {{"http_proxy", "socks5://x:1"}};
    CHECK_THROWS_AS(proxy_from_environment("http://h", lookup), std::invalid_argument);
}
