// bosbase-cpp: Sessions that survive a restart: the session_store interface and the file-backed store.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SESSION_STORE_HPP
#define BOSBASE_SESSION_STORE_HPP

#include "config.hpp"
#include "detail/json_parse.hpp"
#include "detail/text.hpp"
#include "platform.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace bosbase {

/// @brief A signed-in session as a session_store keeps it.
struct saved_session {
    std::string token;
    json record;  ///< the auth record (an object), or null
};

/// @brief Where an auth_store keeps its session between runs (auth_store::persist()).
/// Implement it to keep the session in a keychain, a database or Qt settings.
///
/// The auth_store calls it one call at a time, in the order of the changes, on the
/// thread that changed the store; it must not change the auth_store itself. What it
/// throws (any std::exception) becomes the auth_store's diagnostic, so keep secrets
/// out of the message.
class session_store {
public:
    virtual ~session_store() = default;
    /// @brief The saved session, or nullopt when none is saved. Throws when something
    /// is saved that cannot be read (the auth_store then starts signed out).
    virtual std::optional<saved_session> load() = 0;
    /// @brief Replaces the saved session (a sign-in, a refresh, a changed record).
    virtual void save(const saved_session& session) = 0;
    /// @brief Forgets the saved session (sign-out); nothing saved is not an error.
    virtual void remove() = 0;
};

namespace detail {

/// @brief The file store; use it as bosbase::file_session_store. A template only so that a
/// TU that never makes one never compiles it (Json is always bosbase::json).
template <class Json>
class basic_file_session_store;

}  // namespace detail

/// @brief A session_store in one JSON file (see detail::basic_file_session_store).
using file_session_store = detail::basic_file_session_store<json>;

namespace detail {

/// @brief A session_store in one JSON file, written atomically
/// (detail::replace_file_atomically: a crash leaves the old or the new session, never
/// a torn one) and created owner-only (0600 on POSIX). Processes sharing the file never
/// corrupt it: each write replaces the whole file, so it always holds one complete
/// session, the one written last ("last writer wins"). A process reads the file only
/// when it attaches (auth_store::persist_to()); it does not see another's later sign-in.
template <class Json>
class basic_file_session_store final : public session_store {
public:
    /// Bigger files are not sessions (a record is a few KiB).
    static constexpr std::uintmax_t max_file_bytes = std::uintmax_t(4) << 20;
    /// What the file says it is, so another program's JSON is never taken for a session.
    static constexpr const char* format = "bosbase-session/1";

    /// @param max_json_depth deepest nesting accepted in the file
    explicit basic_file_session_store(std::filesystem::path path, std::size_t max_json_depth = 128)
        : path_(std::move(path)), max_json_depth_(max_json_depth) {
        if (path_.empty() || path_.filename().empty()) {
            throw std::invalid_argument("bosbase: file_session_store needs the path of a file");
        }
    }

    /// @brief The same with the path as UTF-8 text, the SDK's encoding for every string (on
    /// Windows converted to the wide native form, so any name works).
    explicit basic_file_session_store(const std::string& utf8_path, std::size_t max_json_depth = 128)
        : basic_file_session_store(detail::path_from_utf8(utf8_path), max_json_depth) {}
    explicit basic_file_session_store(const char* utf8_path, std::size_t max_json_depth = 128)
        : basic_file_session_store(std::string(utf8_path != nullptr ? utf8_path : ""), max_json_depth) {}

    const std::filesystem::path& path() const noexcept { return path_; }

    /// @brief nullopt when there is no file; throws std::runtime_error when the path is
    /// not a readable file or the file is not a session this SDK wrote.
    std::optional<saved_session> load() override {
        namespace fs = std::filesystem;
        std::error_code ec;
        const auto status = fs::status(path_, ec);
        if (!fs::exists(status)) {
            if (ec && ec != std::errc::no_such_file_or_directory) problem("cannot be examined: " + ec.message());
            return std::nullopt;
        }
        if (!fs::is_regular_file(status)) problem("is not a regular file");
        const auto size = fs::file_size(path_, ec);
        if (ec) problem("cannot be examined: " + ec.message());
        if (size > max_file_bytes) problem("is larger than a session file can be (" + std::to_string(size) + " bytes)");
        // Spelt through Json so that the body is only compiled where a file store is made.
        using text_type = typename Json::string_t;
        std::basic_ifstream<typename text_type::value_type> in(path_, std::ios::binary);
        if (!in) problem("cannot be opened for reading");
        text_type text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad()) problem("could not be read");
        // The text holds the token: nothing of it goes into a message.
        auto parsed = detail::parse_json(text, max_json_depth_);
        if (!parsed || !parsed->is_object()) problem("is not a bosbase session file (not a JSON object)");
        const auto fmt = parsed->find("format");
        if (fmt == parsed->end() || *fmt != format) problem("is not a bosbase session file (no \"format\": \"" +
                                                            std::string(format) + "\")");
        auto token = parsed->find("token");
        auto record = parsed->find("record");
        if (token == parsed->end() || !token->is_string() || token->template get_ref<const std::string&>().empty() ||
            (record != parsed->end() && !record->is_object() && !record->is_null())) {
            problem("is a damaged session file (no token, or a record that is not an object)");
        }
        if (!detail::is_header_value_safe(token->template get_ref<const std::string&>())) {
            problem("holds a token with control bytes, which cannot be sent");
        }
        saved_session session;
        session.token = std::move(token->template get_ref<std::string&>());
        if (record != parsed->end()) session.record = std::move(*record);
        return session;
    }

    /// @brief Replaces the file; throws std::runtime_error (naming the path and the OS's reason) when it cannot.
    void save(const saved_session& session) override {
        Json doc{{"format", format}, {"token", session.token}, {"record", session.record}};
        std::string text;
        try {
            text = doc.dump();
        } catch (const typename Json::type_error&) {
            problem("was not written: the record holds text that is not UTF-8");
        }
        const std::string failed = detail::replace_file_atomically(path_, text);
        if (!failed.empty()) {
            throw std::runtime_error("bosbase: the session file '" + detail::path_text(path_) + "' was not written: " + failed);
        }
    }

    /// @brief Deletes the file; throws std::runtime_error when it exists and cannot be deleted.
    void remove() override {
        std::error_code ec;
        if (std::filesystem::is_directory(path_, ec)) problem("is a directory and was left alone");
        std::filesystem::remove(path_, ec);
        if (ec && ec != std::errc::no_such_file_or_directory) problem("could not be deleted: " + ec.message());
    }

private:
    [[noreturn]] void problem(const std::string& what) const {
        throw std::runtime_error("bosbase: the session file '" + detail::path_text(path_) + "' " + what);
    }

    std::filesystem::path path_;
    std::size_t max_json_depth_;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_SESSION_STORE_HPP
