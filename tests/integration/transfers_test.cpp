// Files of any size against the server: an upload from disk through the streamed path,
// files().download of it byte-exact (public and protected, to a path and a stream), and a
// backup created and downloaded as superuser with backups().download.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>

using bosbase::file_part;
using bosbase::json;
using bosbase_test::status_of;
using bosbase_test::superuser;
using bosbase_test::test_server;

namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

static_assert(bosbase::is_upload_transport_v<bosbase::httplib_transport>, "the streamed path is the one under test");

TEST_CASE("transfers: a 12 MiB upload streamed from disk downloads byte-exact, to a path and a stream") {
    test_server server;
    auto admin = superuser(server);
    admin.collections().create(
        {{"name", "bigdocs"},
         {"type", "base"},
         {"listRule", ""},
         {"viewRule", "@request.auth.id != ''"},
         {"fields",
          {{{"name", "title"}, {"type", "text"}},
           {{"name", "doc"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 64 << 20}},
           {{"name", "secret"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 1 << 20}, {"protected", true}}}}});

    char dir_pattern[] = "/tmp/bosbase-it-transfers-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    std::string big(std::size_t(12) << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131 + i / 4093) % 256);
    { std::ofstream(dir / "big.bin", std::ios::binary) << big; }

    std::uint64_t last_done = 0;
    std::optional<std::uint64_t> last_total;
    bosbase::request_options with_progress;
    with_progress.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
        last_done = done;
        last_total = total;
        return true;
    };
    const json rec = admin.collection("bigdocs").create_with_files(
        {{"title", "big"}},
        {{"doc", file_part::from_path((dir / "big.bin").string())},
         {"secret", file_part::from_bytes("secret.txt", "top secret", "text/plain")}},
        with_progress);
    REQUIRE(rec["doc"].is_string());
    // The progress of the streamed body reached its end, and the end is the whole body.
    REQUIRE(last_total.has_value());
    CHECK(last_done == *last_total);
    CHECK(*last_total > big.size());

    bosbase::BosBase guest(server.url());
    last_done = 0;
    CHECK(guest.files().download(rec, rec["doc"].get<std::string>(), dir / "copy.bin", {}, with_progress) == big.size());
    CHECK(last_done == big.size());
    CHECK(last_total == std::optional<std::uint64_t>(big.size()));
    const std::string copy = read_all(dir / "copy.bin");
    CHECK(copy.size() == big.size());
    CHECK(copy == big);

    // A cap below the file's size: too_large, and the earlier copy stays whole.
    bosbase::download_options capped;
    capped.max_bytes = 1 << 20;
    try {
        guest.files().download(rec, rec["doc"].get<std::string>(), dir / "copy.bin", capped);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.error_kind() == bosbase::error_kind::too_large);
    }
    CHECK(std::filesystem::file_size(dir / "copy.bin") == big.size());

    // A protected file: 404 without a token, the bytes with one, the token in no error.
    const std::string secret = rec["secret"].get<std::string>();
    std::ostringstream out;
    CHECK(status_of([&] { guest.files().download(rec, secret, out); }) == 404);
    bosbase::download_options with_token;
    with_token.token = admin.files().get_token();
    CHECK(guest.files().download(rec, secret, out, with_token) == 10);
    CHECK(out.str() == "top secret");
    try {
        guest.files().download(rec, "missing.txt", out, with_token);
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 404);
        CHECK(std::string(e.what()).find(with_token.token) == std::string::npos);
        CHECK(e.url().find(with_token.token) == std::string::npos);
    }

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("transfers: a backup created as superuser downloads with backups().download, token fetched itself") {
    test_server server;
    auto admin = superuser(server);
    auto backups = admin.backups();
    backups.create("transfers_test.zip");
    std::uint64_t listed = 0;
    for (const auto& b : backups.get_full_list()) {
        if (b["key"] == "transfers_test.zip") listed = b["size"].get<std::uint64_t>();
    }
    REQUIRE(listed > 0);

    char dir_pattern[] = "/tmp/bosbase-it-backup-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    CHECK(backups.download("transfers_test.zip", dir / "b.zip") == listed);
    const std::string zip = read_all(dir / "b.zip");
    CHECK(zip.size() == listed);
    CHECK(zip.compare(0, 2, "PK") == 0);

    // The same archive into a stream, and back up again from disk under a new name.
    std::ostringstream out;
    CHECK(backups.download("transfers_test.zip", out) == listed);
    CHECK(out.str() == zip);
    backups.upload(file_part::from_path((dir / "b.zip").string(), "transfers_copy.zip", "application/zip"));
    bool found = false;
    for (const auto& b : backups.get_full_list()) {
        if (b["key"] == "transfers_copy.zip") found = b["size"].get<std::uint64_t>() == listed;
    }
    CHECK(found);

    // Not a superuser: the token call is refused before any download.
    bosbase::BosBase guest(server.url());
    CHECK(status_of([&] { guest.backups().download("transfers_test.zip", dir / "x.zip"); }) == 401);
    CHECK(!std::filesystem::exists(dir / "x.zip"));

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
