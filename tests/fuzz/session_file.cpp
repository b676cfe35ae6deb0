// A session file as anything on disk may leave it: another program's JSON, a torn or
// hand-edited file, a token with control bytes.
//
// Input: [max depth - 1: byte][file bytes...].
//
// Contract of file_session_store::load() on a regular file: it returns a session or throws
// std::runtime_error, nothing else; a session has a non-empty token that could go in a
// header and a record that is an object or null, and it is what the file says (its
// "token" and "record"); the message of a refusal never holds the file's token. A session
// it returned saves and loads back the same. An auth_store attached to the file (persist())
// never throws for what is in it: it starts signed out with a problem, or signed in with
// the file's token.
#include "fuzz_support.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

namespace {

namespace fs = std::filesystem;

// One folder per process, removed at exit; each iteration rewrites the same file.
const fs::path& folder() {
    static const bosbase_fuzz::scratch_folder scratch("session");
    return scratch.path();
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) bosbase_fuzz::fail("the fuzz input could not be written to the scratch file");
}

// The file's own token, when it has one worth looking for in a message.
std::string file_token(const std::string& text) {
    const auto parsed = bosbase::json::parse(text, nullptr, false);
    if (!parsed.is_object()) return {};
    const auto it = parsed.find("token");
    if (it == parsed.end() || !it->is_string()) return {};
    const auto& token = it->get_ref<const std::string&>();
    // Short tokens can occur in a message by chance ("a", "is").
    return token.size() >= 8 ? token : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::size_t depth = 1 + in.byte() % 64;
        const std::string text = in.rest();
        const fs::path path = folder() / "session.json";
        write_file(path, text);
        const std::string secret = file_token(text);

        bosbase::file_session_store store(path, depth);
        std::optional<bosbase::saved_session> loaded;
        try {
            loaded = store.load();
        } catch (const std::runtime_error& e) {
            const std::string message = e.what();
            BOSBASE_FUZZ_CHECK_MSG(secret.empty() || message.find(secret) == std::string::npos, message);
            BOSBASE_FUZZ_CHECK(message.rfind("bosbase: the session file '", 0) == 0);
        }

        if (loaded) {
            BOSBASE_FUZZ_CHECK(!loaded->token.empty());
            BOSBASE_FUZZ_CHECK(bosbase::detail::is_header_value_safe(loaded->token));
            BOSBASE_FUZZ_CHECK(loaded->record.is_object() || loaded->record.is_null());
            const auto reference = bosbase::json::parse(text, nullptr, false);
            BOSBASE_FUZZ_CHECK(reference.is_object());
            BOSBASE_FUZZ_CHECK(reference.at("token") == loaded->token);
            BOSBASE_FUZZ_CHECK(reference.value("record", bosbase::json()) == loaded->record);

            // What was read writes back and reads the same (unless the record holds text
            // that is not UTF-8, which save() refuses with runtime_error).
            bosbase::file_session_store copy(folder() / "copy.json", depth + 2);
            bool saved = true;
            try {
                copy.save(*loaded);
            } catch (const std::runtime_error&) {
                saved = false;
            }
            if (saved) {
                const auto again = copy.load();
                BOSBASE_FUZZ_CHECK(again && again->token == loaded->token && again->record == loaded->record);
            }
        }

        // The store attached to a client's auth_store: no exception, whatever the file holds.
        bosbase::auth_store auth;
        auth.persist(std::make_shared<bosbase::file_session_store>(path, depth));
        if (loaded) {
            BOSBASE_FUZZ_CHECK(auth.token() == loaded->token);
            BOSBASE_FUZZ_CHECK(auth.persist_problem().empty());
        } else {
            BOSBASE_FUZZ_CHECK(auth.token().empty());
        }
        const std::string problem = auth.persist_problem();
        BOSBASE_FUZZ_CHECK_MSG(secret.empty() || problem.find(secret) == std::string::npos, problem);
        auth.persist(nullptr);
    });
}
