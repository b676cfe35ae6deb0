// The real BosBase behind nginx terminating TLS, through the default transport with
// certificate verification on and the run's CA as its only trust: the custom-token flow,
// records, a 64 MiB file streamed up from a path and down to a path, and realtime (SSE).
// scripts/bosbase_server.sh --tls starts the proxy and exports BOSBASE_TLS_URL and
// BOSBASE_TLS_CA; label real_tls (tests/integration/CMakeLists.txt) runs this suite only
// there, and its cases are skipped everywhere else.
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <fake_stream_transport.hpp>  // mailbox

#include <bosbase.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using bosbase::json;
using bosbase_test::dev_accounts;

namespace {

std::string tls_env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        throw std::runtime_error(std::string("real_tls needs ") + name +
                                 ": run scripts/test_real_bosbase.sh, or scripts/bosbase_server.sh --tls -- ctest -L real_tls");
    }
    return v;
}

std::string tls_url() { return tls_env("BOSBASE_TLS_URL"); }

// Verification on (the default) and trust in the run's CA alone.
bosbase::httplib_transport tls_transport() {
    bosbase::httplib_transport_options o;
    o.verify_certificate = true;
    o.ca_cert_file = tls_env("BOSBASE_TLS_CA");
    return bosbase::httplib_transport(o);
}

bosbase::BosBase tls_client() { return bosbase::BosBase(tls_url(), tls_transport()); }

bosbase::BosBase tls_superuser() {
    auto admin = tls_client();
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    return admin;
}

// The proxy fronts one server for the whole run: names of this run's own.
std::string unique(const std::string& prefix) {
    std::random_device rd;
    return prefix + std::to_string(rd() % 1000000000u);
}

std::string sha256_of_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(ctx != nullptr);
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::vector<char> buf(std::size_t(1) << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
        EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

}  // namespace

TEST_SUITE("real_tls" * doctest::skip()) {

TEST_CASE("real_tls: an unverified certificate is refused; the custom-token flow works with the run's CA") {
    // The system's trust store has never heard of this run's CA.
    bosbase::BosBase untrusted(tls_url());
    try {
        (void)untrusted.health().check();
        FAIL("a certificate from an unknown CA was accepted");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::tls);
    }

    auto pb = tls_client();
    auto users = pb.collection("users");
    const std::string token = unique("tls-app-token-");
    users.bind_custom_token(dev_accounts::user_email, dev_accounts::user_password, token);
    const json auth = users.auth_with_token(token);
    CHECK(auth["record"]["email"] == dev_accounts::user_email);
    CHECK(pb.auth_store().token() == auth["token"]);
    const std::string id = auth["record"]["id"];
    CHECK(users.get_one(id)["email"] == dev_accounts::user_email);
    CHECK(users.auth_refresh()["record"]["id"] == id);

    users.unbind_custom_token(dev_accounts::user_email, dev_accounts::user_password, token);
    try {
        users.auth_with_token(token);
        FAIL("an unbound token signed in");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
    }
}

TEST_CASE("real_tls: records are created, listed, updated and deleted") {
    auto admin = tls_superuser();
    auto posts = admin.collection("posts");
    const std::string title = unique("tls-post-");
    const json created = posts.create({{"title", title}, {"body", "over TLS"}});
    const std::string id = created["id"];
    CHECK(posts.get_one(id)["body"] == "over TLS");
    bosbase::request_options by_title;
    by_title.filter = admin.filter("title = {:t}", {{"t", title}});
    const json page = posts.get_list(1, 10, by_title);
    CHECK(page["totalItems"] == 1);
    CHECK(posts.update(id, {{"body", "changed"}})["body"] == "changed");
    posts.remove(id);
    try {
        (void)posts.get_one(id);
        FAIL("a deleted record was found");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 404);
    }
}

TEST_CASE("real_tls: a 64 MiB file streamed up from a path comes back byte-exact, streamed to a path") {
    auto admin = tls_superuser();
    const std::string collection = unique("tls_files_");
    admin.collections().create({{"name", collection},
                                {"type", "base"},
                                {"listRule", ""},
                                {"viewRule", ""},
                                {"fields",
                                 {{{"name", "title"}, {"type", "text"}},
                                  {{"name", "doc"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 100 << 20}}}}});

    char dir_pattern[] = "/tmp/bosbase-it-tls-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    constexpr std::size_t size = std::size_t(64) << 20;
    {
        // Written a MiB at a time: the test never holds the file either.
        std::ofstream out(dir / "big.bin", std::ios::binary);
        std::string chunk(std::size_t(1) << 20, '\0');
        for (std::size_t at = 0; at < size; at += chunk.size()) {
            for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(((at + i) * 131 + (at + i) / 4093) % 256);
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        }
    }

    std::uint64_t sent = 0;
    bosbase::request_options upload;
    upload.progress = [&](std::uint64_t done, std::optional<std::uint64_t>) {
        sent = done;
        return true;
    };
    const json rec = admin.collection(collection).create_with_files(
        {{"title", "big"}}, {{"doc", bosbase::file_part::from_path((dir / "big.bin").string())}}, upload);
    REQUIRE(rec["doc"].is_string());
    CHECK(sent > size);  // the multipart body, all of it through the streamed path

    auto guest = tls_client();
    CHECK(guest.files().download(rec, rec["doc"].get<std::string>(), dir / "copy.bin") == size);
    CHECK(std::filesystem::file_size(dir / "copy.bin") == size);
    CHECK(sha256_of_file(dir / "copy.bin") == sha256_of_file(dir / "big.bin"));

    admin.collections().remove(collection);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("real_tls: a realtime subscription receives a create event") {
    auto admin = tls_superuser();
    auto pb = tls_client();
    bosbase_test::mailbox<bosbase::realtime_event> got;
    const std::string title = unique("tls-live-");
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) {
        if (e.record.value("title", std::string()) == title) got.put(e);
    });
    REQUIRE(pb.realtime().is_connected());

    const std::string id = admin.collection("posts").create({{"title", title}})["id"];
    REQUIRE(got.wait_count(1, std::chrono::milliseconds(10000)));
    const auto items = got.items();
    CHECK(items[0].action == "create");
    CHECK(items[0].record["id"] == id);
    CHECK(items[0].topic == "posts/*");
    admin.collection("posts").remove(id);
}

#if BOSBASE_HTTPLIB_WEBSOCKET && BOSBASE_WS_TLS
TEST_CASE("real_tls: pub/sub over wss:// with the run's CA, and refused as tls without it") {
    auto ann = tls_client();
    auto bob = tls_client();
    ann.collection("users").auth_with_password(dev_accounts::user_email, dev_accounts::user_password);
    bob.collection("users").auth_with_password(dev_accounts::other_email, dev_accounts::other_password);
    const std::string topic = unique("tls-topic-");
    bosbase_test::mailbox<bosbase::pubsub_message> got;
    auto sub = bob.pubsub().subscribe(topic, [&](const bosbase::pubsub_message& m) { got.put(m); });
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(ann.pubsub().publish(topic, json{{"n", i}}).id);
    REQUIRE(got.wait_count(5, std::chrono::milliseconds(10000)));
    const auto items = got.items();
    for (int i = 0; i < 5; ++i) {
        CHECK(items[static_cast<std::size_t>(i)].data == json{{"n", i}});
        CHECK(items[static_cast<std::size_t>(i)].id == ids[static_cast<std::size_t>(i)]);
    }

    bosbase::BosBase stranger(tls_url());  // the system's store, which has no idea of the run's CA
    try {
        (void)stranger.pubsub().publish(topic, "x");
        FAIL("a publish over an unverified wss:// connection succeeded");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 0);
        CHECK(e.error_kind() == bosbase::error_kind::tls);
    }
}
#endif

}  // TEST_SUITE
