// bosbase-cpp: Sessions that survive a restart: the session_store interface and the file-backed store.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SESSION_STORE_HPP
#define BOSBASE_SESSION_STORE_HPP

#include "config.hpp"
#include "detail/json_parse.hpp"
#include "detail/text.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
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

/// @brief A session_store in one JSON file, written atomically
/// (detail::replace_file_atomically: a crash leaves the old or the new session, never
/// a torn one) and created owner-only (0600 on POSIX). Processes sharing the file never
/// corrupt it: each write replaces the whole file, so it always holds one complete
/// session, the one written last ("last writer wins"). A process reads the file only
/// when it attaches (auth_store::persist_to()); it does not see another's later sign-in.
class file_session_store final : public session_store {
public:
    /// Bigger files are not sessions (a record is a few KiB).
    static constexpr std::uintmax_t max_file_bytes = std::uintmax_t(4) << 20;
    /// What the file says it is, so another program's JSON is never taken for a session.
    static constexpr const char* format = "bosbase-session/1";

    /// @param max_json_depth deepest nesting accepted in the file
    explicit file_session_store(std::filesystem::path path, std::size_t max_json_depth = 128);

    /// @brief The same with the path as UTF-8 text, the SDK's encoding for every string (on
    /// Windows converted to the wide native form, so any name works).
    explicit file_session_store(const std::string& utf8_path, std::size_t max_json_depth = 128);
    explicit file_session_store(const char* utf8_path, std::size_t max_json_depth = 128)
        : file_session_store(std::string(utf8_path != nullptr ? utf8_path : ""), max_json_depth) {}

    const std::filesystem::path& path() const noexcept { return path_; }

    /// @brief nullopt when there is no file; throws std::runtime_error when the path is
    /// not a readable file or the file is not a session this SDK wrote.
    std::optional<saved_session> load() override;

    /// @brief Replaces the file; throws std::runtime_error (naming the path and the OS's reason) when it cannot.
    void save(const saved_session& session) override;

    /// @brief Deletes the file; throws std::runtime_error when it exists and cannot be deleted.
    void remove() override;

private:
    [[noreturn]] void problem(const std::string& what) const;

    std::filesystem::path path_;
    std::size_t max_json_depth_;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "session_store.ipp"
#endif

#endif  // BOSBASE_SESSION_STORE_HPP
