// Uploads, file URLs, protected files, thumbs and backup upload against the dev server.
#include <test_server.hpp>
#include <integration_helpers.hpp>
#include <doctest/doctest.h>

#include <bosbase.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using bosbase::file_part;
using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;

using bosbase_test::status_of;
using bosbase_test::superuser;

namespace {

// GET of a URL get_url() built, through the client's own (default) transport.
bosbase::http_response download(const bosbase::BosBase& pb, const std::string& url) {
    const std::string base = pb.base_url();
    REQUIRE(url.rfind(base, 0) == 0);
    return pb.send_raw("GET", url.substr(base.size()));
}

// --- a tiny PNG, written by hand: stored (uncompressed) deflate, CRC-32, Adler-32 ----

std::uint32_t crc32(const std::string& data) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        c ^= byte;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string& png, const char* type, const std::string& data) {
    put32(png, static_cast<std::uint32_t>(data.size()));
    const std::string body = std::string(type) + data;
    png += body;
    put32(png, crc32(body));
}

// An 8x8 RGB image in four coloured quadrants.
std::string tiny_png() {
    const int size = 8;
    std::string raw;
    for (int y = 0; y < size; ++y) {
        raw += '\0';  // filter: none
        for (int x = 0; x < size; ++x) {
            raw += static_cast<char>(x < size / 2 ? 0xFF : 0x00);
            raw += static_cast<char>(y < size / 2 ? 0xFF : 0x00);
            raw += static_cast<char>(0x80);
        }
    }
    std::string zlib = "\x78\x01";
    zlib += '\x01';  // final stored block
    const auto len = static_cast<std::uint16_t>(raw.size());
    zlib += static_cast<char>(len & 0xFF);
    zlib += static_cast<char>(len >> 8);
    zlib += static_cast<char>(~len & 0xFF);
    zlib += static_cast<char>((~len >> 8) & 0xFF);
    zlib += raw;
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    put32(zlib, (b << 16) | a);

    std::string png = "\x89PNG\r\n\x1a\n";
    std::string ihdr;
    put32(ihdr, size);
    put32(ihdr, size);
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
    chunk(png, "IHDR", ihdr);
    chunk(png, "IDAT", zlib);
    chunk(png, "IEND", "");
    return png;
}

std::uint32_t png_dimension(const std::string& png, std::size_t offset) {
    REQUIRE(png.size() >= 24);
    REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[offset + i]);
    return v;
}

std::vector<std::string> names(const json& record, const char* field) {
    std::vector<std::string> out;
    for (const auto& n : record.at(field)) out.push_back(n.get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("files: upload from bytes and a path, download by URL, append, prepend, remove, protected, thumb") {
    test_server server;
    auto admin = superuser(server);
    admin.collections().create(
        {{"name", "docs"},
         {"type", "base"},
         {"listRule", ""},
         {"viewRule", "@request.auth.id != ''"},  // protected files need a token then; others never check
         {"fields",
          {{{"name", "title"}, {"type", "text"}},
           {{"name", "files"}, {"type", "file"}, {"maxSelect", 3}, {"maxSize", 10 << 20}, {"thumbs", {"50x50"}}},
           {{"name", "secret"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 1 << 20}, {"protected", true}}}}});

    char dir_pattern[] = "/tmp/bosbase-it-files-XXXXXX";
    REQUIRE(::mkdtemp(dir_pattern) != nullptr);
    const std::filesystem::path dir = dir_pattern;
    std::string big(3 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 253);
    std::ofstream(dir / "big data.bin", std::ios::binary) << big;

    const std::string text = "hello \"files\"\r\n--boundary?\r\n";
    const std::string binary("\0\x01\x02\xff\xfe", 5);
    const std::string png = tiny_png();
    auto docs = admin.collection("docs");
    json rec = docs.create_with_files({{"title", "0001"}},
                           {{"files", file_part::from_bytes("note \"1\".txt", text, "text/plain")},
                            {"files", file_part::from_bytes("raw.bin", binary)},
                            {"files", file_part::from_path((dir / "big data.bin").string())},
                            {"secret", file_part::from_bytes("secret.txt", "top secret")}});
    CHECK(rec["title"] == "0001");  // @jsonPayload: no type inference made it a number
    auto stored = names(rec, "files");
    REQUIRE(stored.size() == 3);
    // The server sanitises names and adds a suffix; the quotes arrived as %22, as from a browser.
    CHECK(stored[0].rfind("note_221_22_", 0) == 0);
    CHECK(stored[1].rfind("raw", 0) == 0);
    CHECK(stored[2].rfind("big_data", 0) == 0);

    // Download each one back through the default transport, by the URL get_url builds.
    bosbase::BosBase guest(server.url());
    const std::array<const std::string*, 3> contents{&text, &binary, &big};
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(stored[i]);
        const auto res = download(guest, guest.files().get_url(rec, stored[i]));
        CHECK(res.status == 200);
        CHECK(res.body == *contents[i]);
    }
    const auto attachment = download(guest, guest.files().get_url(rec, stored[0], {{}, true, {}, {}}));
    bool is_attachment = false;
    for (const auto& h : attachment.headers) {
        if (bosbase::detail::ascii_iequal(h.first, "Content-Disposition")) is_attachment = h.second.rfind("attachment", 0) == 0;
    }
    CHECK(is_attachment);

    // A fourth file is one too many; the error names the field.
    try {
        docs.update_with_files(rec["id"].get<std::string>(), nullptr, {{"files+", file_part::from_bytes("x.txt", "x")}});
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 400);
        CHECK(e.response()["data"].contains("files"));
    }

    // Remove by name (JSON part), then append and prepend in one request each.
    const std::string id = rec["id"].get<std::string>();
    rec = docs.update_with_files(id, {{"files-", {stored[1]}}}, {{"files+", file_part::from_bytes("appended.txt", "A")}});
    auto now = names(rec, "files");
    REQUIRE(now.size() == 3);
    CHECK(now[0] == stored[0]);
    CHECK(now[1] == stored[2]);
    CHECK(now[2].rfind("appended", 0) == 0);
    rec = docs.update_with_files(id, {{"files-", {stored[0]}}}, {{"+files", file_part::from_bytes("first.png", png, "image/png")}});
    now = names(rec, "files");
    REQUIRE(now.size() == 3);
    CHECK(now[0].rfind("first", 0) == 0);
    CHECK(now[1] == stored[2]);
    CHECK(download(guest, guest.files().get_url(rec, now[2])).body == "A");
    CHECK(status_of([&] { download(guest, guest.files().get_url(rec, stored[1])); }) == 404);  // gone

    // A thumb of a listed size is a new PNG of that size; the original stays as it was.
    const auto original = download(guest, guest.files().get_url(rec, now[0]));
    CHECK(original.body == png);
    const auto thumb = download(guest, guest.files().get_url(rec, now[0], {"50x50", false, {}, {}}));
    CHECK(thumb.status == 200);
    CHECK(png_dimension(thumb.body, 16) == 50);
    CHECK(png_dimension(thumb.body, 20) == 50);

    // A protected file needs a file token; without one the server answers 404.
    const std::string secret = rec["secret"].get<std::string>();
    CHECK(status_of([&] { download(guest, guest.files().get_url(rec, secret)); }) == 404);
    CHECK(status_of([&] { guest.files().get_token(); }) == 401);
    const std::string token = admin.files().get_token();
    CHECK_FALSE(token.empty());
    const std::string url = guest.files().get_url(rec, secret, {{}, false, token, {}});
    CHECK(url.find("token=") != std::string::npos);
    CHECK(download(guest, url).body == "top secret");

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("files: a backup downloaded by URL uploads again under a new name") {
    test_server server;
    auto admin = superuser(server);
    auto backups = admin.backups();
    backups.create("files_test.zip");
    const auto zip = download(admin, backups.get_download_url(admin.files().get_token(), "files_test.zip"));
    REQUIRE(zip.status == 200);
    REQUIRE(zip.body.compare(0, 2, "PK") == 0);

    backups.upload(file_part::from_bytes("uploaded_copy.zip", zip.body, "application/zip"));
    bool found = false;
    for (const auto& b : backups.get_full_list()) {
        if (b["key"] == "uploaded_copy.zip") {
            found = true;
            CHECK(b["size"] == zip.body.size());
        }
    }
    CHECK(found);
    // The server checks the archive type itself.
    CHECK(status_of([&] { backups.upload(file_part::from_bytes("not_a_zip.zip", "plain text", "application/zip")); }) ==
          400);
}
