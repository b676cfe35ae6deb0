// auth_with_oauth2 end to end: the server (BosBase, or the dev server's PocketBase) signs a
// user in through a small OpenID Connect provider on 127.0.0.1 that this test runs and
// configures as the users collection's "oidc" provider. The provider "logs in" without a
// browser: its authorize endpoint redirects at once, and the test's url_callback follows
// the redirects with plain GETs, as a browser would.
#include <integration_helpers.hpp>
#include <local_server.hpp>
#include <test_server.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <httplib.h>
#include <openssl/sha.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;

namespace {

std::string random_hex(std::size_t bytes) {
    static const char digits[] = "0123456789abcdef";
    std::random_device rd;
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        const auto b = static_cast<unsigned>(rd() & 0xff);
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

std::string base64url(const unsigned char* data, std::size_t size) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += table[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += table[(buffer << (6 - bits)) & 0x3f];
    return out;
}

std::string base64(const std::string& in) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
        out += i + 2 < in.size() ? table[n & 63] : '=';
    }
    return out;
}

// RFC 7636 S256: BASE64URL(SHA256(verifier)), unpadded.
std::string s256(const std::string& verifier) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
    return base64url(digest, sizeof digest);
}

// An OpenID Connect provider with one user. authorize answers 302 to the redirect_uri with
// a fresh code and the same state (or with `error` when deny is set); token checks the
// client's credentials, the code, the redirect_uri and the PKCE verifier; userinfo
// answers for the access token it handed out.
class fake_oidc {
public:
    static constexpr const char* client_id = "bosbase-cpp-test";
    const std::string client_secret = random_hex(16);
    std::string email = dev_accounts::user_email;
    std::atomic<bool> deny{false};

    fake_oidc() {
        auto& s = *server_;
        // The server's Go client keeps its connection alive, and a stop() would wait out the
        // keep-alive timeout (5 s) for it: one request per connection.
        s.set_keep_alive_max_count(1);
        s.Get("/authorize", [this](const httplib::Request& req, httplib::Response& res) {
            const std::string redirect = req.get_param_value("redirect_uri");
            if (req.get_param_value("client_id") != client_id || req.get_param_value("response_type") != "code" ||
                redirect.empty()) {
                res.status = 400;
                return;
            }
            const std::string sep = redirect.find('?') == std::string::npos ? "?" : "&";
            const std::string state = "state=" + bosbase::detail::encode_uri_component(req.get_param_value("state"));
            if (deny) {
                res.set_redirect(redirect + sep + "error=access_denied&" + state, 302);
                return;
            }
            const std::string code = random_hex(16);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                grants_[code] = {redirect, req.get_param_value("code_challenge"),
                                 req.get_param_value("code_challenge_method")};
                ++authorized;
            }
            res.set_redirect(redirect + sep + "code=" + code + "&" + state, 302);
        });
        s.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(mutex_);
            const bool basic = req.get_header_value("Authorization") ==
                               "Basic " + base64(std::string(client_id) + ":" + client_secret);
            const bool in_body = req.get_param_value("client_id") == client_id &&
                                 req.get_param_value("client_secret") == client_secret;
            auto grant = grants_.find(req.get_param_value("code"));
            if (!(basic || in_body) || req.get_param_value("grant_type") != "authorization_code" ||
                grant == grants_.end() || grant->second.redirect_uri != req.get_param_value("redirect_uri") ||
                grant->second.method != "S256" || s256(req.get_param_value("code_verifier")) != grant->second.challenge) {
                ++refused;
                res.status = 400;
                res.set_content(R"({"error":"invalid_grant"})", "application/json");
                return;
            }
            grants_.erase(grant);  // a code works once
            access_token_ = random_hex(16);
            ++exchanged;
            res.set_content(json{{"access_token", access_token_}, {"token_type", "Bearer"}, {"expires_in", 3600}}.dump(),
                            "application/json");
        });
        s.Get("/userinfo", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (access_token_.empty() || req.get_header_value("Authorization") != "Bearer " + access_token_) {
                res.status = 401;
                return;
            }
            res.set_content(json{{"sub", "oidc-user-1"},
                                 {"name", "OIDC User"},
                                 {"preferred_username", "oidcuser"},
                                 {"email", email},
                                 {"email_verified", true}}
                                .dump(),
                            "application/json");
        });
        server_.start();
    }

    std::string url() const { return server_.url(); }

    // The provider config of a collection's oauth2.providers.
    json provider_config() const {
        return {{"name", "oidc"},
                {"clientId", client_id},
                {"clientSecret", client_secret},
                {"authURL", url() + "/authorize"},
                {"tokenURL", url() + "/token"},
                {"userInfoURL", url() + "/userinfo"},
                {"displayName", "Test OIDC"}};
    }

    std::atomic<int> authorized{0};
    std::atomic<int> exchanged{0};
    std::atomic<int> refused{0};

private:
    struct grant {
        std::string redirect_uri;
        std::string challenge;
        std::string method;
    };
    bosbase_test::local_server server_;
    std::mutex mutex_;
    std::map<std::string, grant> grants_;
    std::string access_token_;
};

// Turns the users collection's OAuth2 on with the fake provider, and back to what it was.
class oauth2_enabled {
public:
    oauth2_enabled(bosbase::BosBase& admin, const fake_oidc& idp)
        : admin_(admin), saved_(admin.collections().get_one("users").value("oauth2", json::object())) {
        json oauth2 = saved_;
        oauth2["enabled"] = true;
        oauth2["providers"] = json::array({idp.provider_config()});
        admin_.collections().update("users", {{"oauth2", oauth2}});
    }
    oauth2_enabled(const oauth2_enabled&) = delete;
    oauth2_enabled& operator=(const oauth2_enabled&) = delete;
    ~oauth2_enabled() {
        try {
            admin_.collections().update("users", {{"oauth2", saved_}});
        } catch (const std::exception& e) {
            MESSAGE("could not restore the users collection's oauth2: " << e.what());
        }
    }
    const json& saved() const { return saved_; }

private:
    bosbase::BosBase& admin_;
    json saved_;
};

// The browser: GET the provider's URL, then the redirect to the server, without following
// the server's own redirect to its admin UI (the page that says "you may close this").
struct browser {
    std::string server_location;  // where the server sent the browser at the end
    int provider_status = 0;
    int server_status = 0;

    void open(const std::string& url) {
        const auto origin_end = url.find('/', url.find("://") + 3);
        httplib::Client provider(url.substr(0, origin_end));
        auto first = provider.Get(url.substr(origin_end));
        REQUIRE(first);
        provider_status = first->status;
        const std::string location = first->get_header_value("Location");
        REQUIRE(!location.empty());
        const auto end = location.find('/', location.find("://") + 3);
        httplib::Client server(location.substr(0, end));
        auto second = server.Get(location.substr(end));
        REQUIRE(second);
        server_status = second->status;
        server_location = second->get_header_value("Location");
    }
};

}  // namespace

TEST_CASE("oauth2 (real server): auth_with_oauth2 signs in through an OIDC provider and stores the session") {
    test_server server;
    fake_oidc idp;
    auto admin = bosbase_test::superuser(server);
    oauth2_enabled enabled(admin, idp);

    bosbase::BosBase pb(server.url());
    browser b;
    std::string handed_over;
    bosbase::request_options options;
    options.deadline = std::chrono::seconds(30);
    const json auth = pb.collection("users").auth_with_oauth2(
        "oidc",
        [&](const std::string& url) {
            handed_over = url;
            b.open(url);
        },
        {}, options);

    CHECK(handed_over.rfind(idp.url() + "/authorize?", 0) == 0);
    CHECK(handed_over.find("redirect_uri=" + bosbase::detail::encode_uri_component(server.url() +
                                                                                    "/api/oauth2-redirect")) !=
          std::string::npos);
    CHECK(b.provider_status == 302);
    CHECK(b.server_status / 100 == 3);
    CHECK(b.server_location.find("oauth2-redirect-success") != std::string::npos);
    CHECK(idp.authorized == 1);
    CHECK(idp.exchanged == 1);
    CHECK(idp.refused == 0);

    REQUIRE(auth["token"].is_string());
    const std::string token = auth["token"];
    CHECK_FALSE(token.empty());
    CHECK(auth["record"]["email"] == dev_accounts::user_email);
    CHECK(auth["record"]["collectionName"] == "users");
    CHECK(auth["meta"]["email"] == dev_accounts::user_email);  // what the provider said about the user
    CHECK(pb.auth_store().token() == token);
    CHECK(pb.auth_store().record()["id"] == auth["record"]["id"]);
    CHECK(pb.auth_store().is_valid());

    // The session works, and the server linked the provider's user to the record.
    CHECK(pb.collection("users").get_one(auth["record"]["id"].get<std::string>())["email"] == dev_accounts::user_email);
    const json links = admin.collection("users").list_external_auths(auth["record"]["id"].get<std::string>());
    REQUIRE(links.size() == 1);
    CHECK(links[0]["provider"] == "oidc");
    CHECK(links[0]["providerId"] == "oidc-user-1");
    // The sign-in's realtime connection is gone; the client's own realtime never started.
    CHECK_FALSE(pb.realtime().is_connected());
}

TEST_CASE("oauth2 (real server): a provider that refuses ends the sign-in with its error, and no session") {
    test_server server;
    fake_oidc idp;
    idp.deny = true;
    auto admin = bosbase_test::superuser(server);
    oauth2_enabled enabled(admin, idp);

    bosbase::BosBase pb(server.url());
    browser b;
    bosbase::request_options options;
    options.deadline = std::chrono::seconds(30);
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string& url) { b.open(url); }, {},
                                                       options);
    });
    CHECK(std::string(e.what()).find("the OAuth2 provider refused the sign-in: access_denied") != std::string::npos);
    CHECK(b.server_location.find("oauth2-redirect-failure") != std::string::npos);
    CHECK(idp.exchanged == 0);
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("oauth2 (real server): the collection's oauth2 settings are restored after a test") {
    test_server server;
    fake_oidc idp;
    auto admin = bosbase_test::superuser(server);
    json before;
    {
        oauth2_enabled enabled(admin, idp);
        before = enabled.saved();
        CHECK(admin.collections().get_one("users")["oauth2"]["enabled"] == true);
    }
    const json after = admin.collections().get_one("users")["oauth2"];
    CHECK(after["enabled"] == before.value("enabled", false));
    CHECK(after["providers"].size() == before.value("providers", json::array()).size());
}
