// bosbase-cpp: The auth store: the signed-in token and record, thread-safe, with listeners.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_AUTH_STORE_HPP
#define BOSBASE_AUTH_STORE_HPP

#include "detail/text.hpp"
#include "detail/json_parse.hpp"
#include "session_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief Decodes a JWT's payload without checking its signature; nullopt when it is not a JWT.
BOSBASE_DECL std::optional<json> jwt_payload(std::string_view token);

/// @brief True when the token is a JWT whose `exp` lies more than threshold_seconds
/// ahead. A JWT without `exp` counts as valid (it does not expire), as in the JS SDK.
BOSBASE_DECL bool is_token_valid(std::string_view token, std::int64_t threshold_seconds = 0);

/// @brief Holds the current auth token and record. All members are thread-safe.
///
/// Listeners run on the thread that changed the store, after the data lock is
/// released, one notification at a time. A listener that throws is skipped: the
/// exception is swallowed, the other listeners still run and the change stands.
/// Once remove_listener() returns, that listener never runs again (unless called
/// from inside the listener itself, which finishes its current run).
class auth_store {
public:
    using listener = std::function<void(const std::string& token, const json& record)>;
    using listener_id = std::uint64_t;
    /// Told what went wrong with the saved session (persist()); the text never holds the token.
    using persist_handler = std::function<void(const std::string& problem)>;

    /// @brief The _superusers collection id, fixed by the server.
    static constexpr const char* superusers_collection_id = "pbc_3142635823";

    auth_store() = default;
    auth_store(const auth_store&) = delete;
    auth_store& operator=(const auth_store&) = delete;

    std::string token() const;

    json record() const;

    /// @brief True when the stored token is a JWT that has not expired.
    bool is_valid() const { return is_token_valid(token()); }

    /// @brief True when the token is an auth token of the _superusers collection.
    bool is_superuser() const;

    /// @brief Replaces token and record. Throws std::invalid_argument when the token
    /// could not be sent as a header (CR, LF, NUL or other control bytes).
    void save(std::string token, json record);

    /// @brief Saves a sign-in: `token`, and `record` as parsed from `response`, the
    /// auth response's JSON text (parsed with max_json_depth). With no listener the
    /// store keeps the text instead of copying the record, and parses the record out
    /// of it only when something reads it: a sign-in then costs no copy at all.
    void save_auth_response(std::string token, const json& record, std::string response,
                            std::size_t max_json_depth);

    void clear() { save(std::string(), json(nullptr)); }

    /// @brief Registers a change listener; keep the id to remove it again.
    listener_id on_change(listener fn, bool fire_immediately = false);

    /// @brief Removes a listener; returns false when the id is unknown. Waits for a
    /// notification in progress on another thread, so the listener is not called again.
    bool remove_listener(listener_id id);

    /// @brief Merges `changes` into the stored record (as the JS SDK does, `expand`
    /// merged too) when the stored record has this id and belongs to `collection`
    /// (a name or id). Check and write are one step, so a concurrent sign-in is never undone.
    bool merge_record_if(std::string_view id, std::string_view collection, const json& changes);

    /// @brief Signs out when the stored record has this id and belongs to `collection`; atomic like merge_record_if.
    bool clear_if(std::string_view id, std::string_view collection);

    /// @brief Keeps the session in `store` from now on, and first reads it back: a saved
    /// session replaces the one in memory (listeners are told); with none saved, the
    /// session in memory (if any) is saved. Every later change is saved (or, on sign-out,
    /// removed) before listeners run. `nullptr` stops saving.
    ///
    /// Never throws for what the store does: a saved session that cannot be read leaves
    /// the store as it was (signed out, at start), and a change that cannot be saved still
    /// stands in memory; either way `on_problem` is told and persist_problem() says what.
    void persist(std::shared_ptr<session_store> store, persist_handler on_problem = {});

    /// @brief persist() to a file_session_store at `path` (a std::filesystem::path or
    /// anything one is made from): one line to keep a sign-in across restarts. The file
    /// is created owner-only and replaced atomically.
    template <class Path, std::enable_if_t<std::is_constructible_v<std::filesystem::path, const Path&>, int> = 0>
    void persist_to(const Path& path, persist_handler on_problem = {}) {
        persist(std::make_shared<file_session_store>(path), std::move(on_problem));
    }

    /// @brief What went wrong the last time the session was read or saved; "" when it worked.
    std::string persist_problem() const;

private:
    // A stored token goes out as a header on every call.
    static void require_sendable(const std::string& token);

    static std::string string_claim(const json& object, const char* key);

    bool holds_record(std::string_view id, std::string_view collection) const;

    // The record, parsed out of a pending sign-in response first. Call with mutex_ held.
    // The text parsed once already with the same depth cap, so it parses again.
    const json& stored_record() const;

    static void call(const listener& fn, const std::string& tok, const json& rec) noexcept;

    // After every change: save it, then tell the listeners.
    void changed();

    // Call with persist_mutex_ held. Returns the problem, "" when saved.
    std::string write_session();

    void set_problem(std::string problem);

    void report(const std::string& problem) noexcept;

    // Snapshot under the data lock, call outside it, so a listener may read the store.
    void notify();

    bool still_registered(const std::shared_ptr<listener>& fn) const;

    mutable std::mutex mutex_;
    // Held for a whole notification round; recursive so a listener may save or remove listeners.
    std::recursive_mutex dispatch_mutex_;
    std::string token_;
    // Either record_ holds the record, or response_ holds a sign-in response it is
    // still to be parsed from (stored_record()); both change only under mutex_.
    mutable json record_;
    mutable std::string response_;
    std::size_t response_depth_ = 0;
    // In the order added (ids only grow); an app has a few listeners, and a map would
    // be one more tree instantiated in every program that includes the header.
    std::vector<std::pair<listener_id, std::shared_ptr<listener>>> listeners_;
    listener_id last_id_ = 0;

    // Held while the session store runs, so writes happen one at a time and in order.
    std::mutex persist_mutex_;
    std::atomic<bool> has_persistence_{false};  // lets changes skip persist_mutex_ when nothing is saved
    std::shared_ptr<session_store> persistence_;
    persist_handler on_problem_;
    std::string persist_problem_;  // under mutex_
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "auth_store.ipp"
#endif

#endif  // BOSBASE_AUTH_STORE_HPP
