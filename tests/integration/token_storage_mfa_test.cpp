// Server-side facts a client relies on: only a hash is stored, and MFA applies to token sign-in.
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <integration_helpers.hpp>
#include <openssl/evp.h>

#include <bosbase.hpp>

#include <fstream>
#include <iterator>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;
using bosbase_test::require_mfa_for_users;

namespace {

std::string sha256_hex(const std::string& in) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(EVP_Digest(in.data(), in.size(), digest, &len, EVP_sha256(), nullptr) == 1);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0F];
    }
    return out;
}

// Binds `token` for the seeded user and signs in with it; returns the mfaId of the 401.
std::string token_first_factor(bosbase::BosBase& pb, const std::string& token) {
    auto users = pb.collection("users");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, token);
    try {
        users.auth_with_token(token);
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 401);
        CHECK(std::string(e.what()).find("multi-factor authentication required") != std::string::npos);
        return e.mfa_id();
    }
    FAIL("token sign-in skipped MFA");
    return "";
}

// A fresh server whose users collection requires MFA, and a client that has
// passed the first factor with a custom token.
struct mfa_session {
    explicit mfa_session(const std::string& token) {
        require_mfa_for_users(server);
        mfa_id = token_first_factor(pb, token);
        REQUIRE_FALSE(mfa_id.empty());
    }
    test_server server;
    bosbase::BosBase pb{server.url()};
    bosbase::record_service users = pb.collection("users");
    std::string mfa_id;
    bosbase_test::otp_inbox inbox{server};
};

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the server stores only the SHA-256 of a bound token, never the token") {
    test_server server;
    bosbase::BosBase pb(server.url());
    const std::string token = "raw-token-must-not-be-stored-7f3a";
    pb.collection("users").bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, token);

    // The same table on both servers: SQLite for the dev server, PostgreSQL for BosBase.
    CHECK(server.query("SELECT \"tokenHash\" FROM _token_bindings") == sha256_hex(token) + "\n");
    const std::string dump = server.dump();
    CHECK(dump.find(sha256_hex(token)) != std::string::npos);  // the dump does show stored values
    CHECK(dump.find(token) == std::string::npos);

    if (!server.is_bosbase()) {
        // SQLite's files too (the write-ahead log holds recent writes).
        const std::string db = server.data_dir() + "/data.db";
        for (const char* suffix : {"", "-wal"}) {
            CHECK(file_bytes(db + suffix).find(token) == std::string::npos);
        }
    }
}

TEST_CASE("MFA: token sign-in is a first factor and the mfaId completes it with a password") {
    mfa_session session("mfa-token");
    auto& pb = session.pb;
    auto& users = session.users;
    const std::string& mfa_id = session.mfa_id;
    CHECK(pb.auth_store().token().empty());

    SUBCASE("the same method twice is refused") {
        try {
            users.auth_with_token("mfa-token", {{"mfaId", mfa_id}});
            FAIL("token + token passed MFA");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 400);
            CHECK(e.message() == "A different authentication method is required.");
        }
    }
    SUBCASE("a password second factor completes the sign-in") {
        bosbase::request_options second;
        second.body = {{"mfaId", mfa_id}};
        auto auth = users.auth_with_password(dev_accounts::user_email, dev_accounts::user_password, second);
        CHECK(auth["record"]["email"] == dev_accounts::user_email);
        CHECK(pb.auth_store().is_valid());
        CHECK(users.get_one(auth["record"]["id"].get<std::string>())["email"] == dev_accounts::user_email);
    }
    SUBCASE("mfaId may also travel as a query parameter") {
        bosbase::request_options query;
        query.query = {{"mfaId", mfa_id}};
        auto auth = users.auth_with_password(dev_accounts::user_email, dev_accounts::user_password, query);
        CHECK(auth["record"]["email"] == dev_accounts::user_email);
    }
}

TEST_CASE("MFA: an emailed OTP with the mfaId completes a token sign-in") {
    mfa_session session("otp-token");
    auto& pb = session.pb;
    auto& users = session.users;
    const std::string& mfa_id = session.mfa_id;

    auto otp = users.request_otp(dev_accounts::user_email);
    REQUIRE(otp["otpId"].is_string());
    const std::string otp_id = otp["otpId"];
    bosbase::request_options second;
    second.body = {{"mfaId", mfa_id}};

    SUBCASE("a wrong code is refused") {
        try {
            users.auth_with_otp(otp_id, "not-the-code", second);
            FAIL("a wrong OTP signed in");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 400);
        }
        CHECK(pb.auth_store().token().empty());
    }
    SUBCASE("the emailed code signs in") {
        const std::string code = session.inbox.code_for(dev_accounts::user_email);
        REQUIRE_FALSE(code.empty());
        auto auth = users.auth_with_otp(otp_id, code, second);
        CHECK(auth["record"]["email"] == dev_accounts::user_email);
        CHECK(pb.auth_store().is_valid());
    }
}
