// A file with a non-ASCII name, uploaded from its path to a running server and downloaded back
// byte for byte, into memory and to a path of the same name: what a Windows user's files go through. scripts/test_windows.sh runs it under wine
// against the dev server and the real BosBase (BOSBASE_URL; BOSBASE_ADMIN_EMAIL and
// BOSBASE_ADMIN_PASSWORD for the superuser, defaults the seeded dev-server account's), and over
// https:// through the TLS terminator, trusting BOSBASE_CA_FILE (a PEM file) when it is set.
#include <doctest/doctest.h>
#include <temp_dir.hpp>

#include <bosbase.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

constexpr const char* collection = "unicode_file_roundtrip";

struct remove_collection_at_exit {
    const bosbase::BosBase& pb;
    ~remove_collection_at_exit() {
        try {
            pb.collections().remove(collection);
        } catch (const bosbase::ClientResponseError&) {
        }
    }
};

bosbase::http_response download(const bosbase::BosBase& pb, const std::string& url) {
    const std::string base = pb.base_url();
    REQUIRE(url.rfind(base, 0) == 0);
    return pb.send_raw("GET", url.substr(base.size()));
}

}  // namespace

TEST_CASE("server round trip: a file with a non-ASCII name uploads from its path and downloads byte-exact") {
    const char* url = std::getenv("BOSBASE_URL");
    REQUIRE_MESSAGE(url != nullptr, "set BOSBASE_URL to a running server");
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = env_or("BOSBASE_CA_FILE", "");
    bosbase::BosBase pb(url, bosbase::httplib_transport(tls));
    pb.collection("_superusers")
        .auth_with_password(env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com"),
                            env_or("BOSBASE_ADMIN_PASSWORD", "admin-password"));
    try {
        pb.collections().remove(collection);  // left over from an interrupted run
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 404) throw;
    }
    pb.collections().create({{"name", collection},
                             {"type", "base"},
                             {"listRule", ""},
                             {"viewRule", ""},
                             {"fields",
                              {{{"name", "title"}, {"type", "text"}},
                               {{"name", "attachment"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 1 << 20}}}}});
    remove_collection_at_exit cleanup{pb};

    // "Grüße-файл-文件.bin": Latin, Cyrillic and CJK, in no single ANSI code page.
    const std::string name = "Gr\xc3\xbc\xc3\x9f" "e-\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb-\xe6\x96\x87\xe4\xbb\xb6.bin";
    const auto dir = bosbase_test::make_temp_dir("bosbase-roundtrip");
    const std::filesystem::path path = dir / bosbase::detail::path_from_utf8(name);
    std::string content;
    for (int round = 0; round < 64; ++round) {
        for (int byte = 0; byte < 256; ++byte) content += static_cast<char>((byte * 31 + round) & 0xFF);
    }
    content += "\r\n\x1a\n";  // CR LF and Ctrl-Z: a text-mode read on Windows would change them
    std::ofstream(path, std::ios::binary) << content;
    REQUIRE(std::filesystem::file_size(path) == content.size());

    // Once by the path itself (wide on Windows), once by its UTF-8 text.
    for (const auto& part : {bosbase::file_part::from_path(path),
                             bosbase::file_part::from_path(bosbase::detail::path_text(path))}) {
        CHECK(part.filename() == name);
        const bosbase::json record =
            pb.collection(collection).create_with_files({{"title", "unicode"}}, {{"attachment", part}});
        const std::string stored = record["attachment"].get<std::string>();
        CHECK(stored.size() > 4);
        CHECK(stored.substr(stored.size() - 4) == ".bin");
        const bosbase::http_response file = download(pb, pb.files().get_url(record, stored));
        CHECK(file.status == 200);
        CHECK(file.body.size() == content.size());
        CHECK(file.body == content);

        // files().download to a target with the same non-ASCII name, in another folder: the
        // temporary file and the rename go through the wide path too.
        const auto target_dir = dir / "downloads";
        std::filesystem::create_directories(target_dir);
        const std::filesystem::path target = target_dir / bosbase::detail::path_from_utf8(name);
        std::filesystem::remove(target);
        CHECK(pb.files().download(record, stored, target) == content.size());
        std::ifstream in(target, std::ios::binary);
        const std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(saved == content);
        CHECK(std::distance(std::filesystem::directory_iterator(target_dir), std::filesystem::directory_iterator()) == 1);
    }
    std::filesystem::remove_all(dir);
}
