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
inline std::optional<json> jwt_payload(std::string_view token) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    auto decoded = detail::base64url_decode(token.substr(first + 1, second - first - 1));
    if (!decoded) {
        return std::nullopt;
    }
    // Real claims are flat; the cap only keeps a hostile token from nesting deep.
    auto payload = detail::parse_json(*decoded, 16);
    if (!payload || !payload->is_object()) {
        return std::nullopt;
    }
    return payload;
}

/// @brief True when the token is a JWT whose `exp` lies more than threshold_seconds
/// ahead. A JWT without `exp` counts as valid (it does not expire), as in the JS SDK.
inline bool is_token_valid(std::string_view token, std::int64_t threshold_seconds = 0) {
    const auto payload = jwt_payload(token);
    if (!payload) {
        return false;
    }
    const auto exp = payload->find("exp");
    if (exp == payload->end()) {
        return true;
    }
    if (!exp->is_number()) {
        return false;
    }
    const auto now = static_cast<double>(std::time(nullptr));
    return exp->get<double>() - static_cast<double>(threshold_seconds) > now;
}

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

    std::string token() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return token_;
    }

    json record() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return stored_record();
    }

    /// @brief True when the stored token is a JWT that has not expired.
    bool is_valid() const { return is_token_valid(token()); }

    /// @brief True when the token is an auth token of the _superusers collection.
    bool is_superuser() const {
        std::string tok;
        std::string collection_name;
        bool has_collection_name = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            tok = token_;
            const json& rec = stored_record();
            if (rec.is_object()) {
                auto it = rec.find("collectionName");
                has_collection_name = it != rec.end();
                if (has_collection_name && it->is_string()) collection_name = it->get<std::string>();
            }
        }
        const auto payload = jwt_payload(tok);
        if (!payload || string_claim(*payload, "type") != "auth") {
            return false;
        }
        if (has_collection_name) {
            return collection_name == "_superusers";
        }
        return string_claim(*payload, "collectionId") == superusers_collection_id;
    }

    /// @brief Replaces token and record. Throws std::invalid_argument when the token
    /// could not be sent as a header (CR, LF, NUL or other control bytes).
    void save(std::string token, json record) {
        require_sendable(token);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            token_ = std::move(token);
            record_ = std::move(record);
            response_.clear();
        }
        changed();
    }

    /// @brief Saves a sign-in: `token`, and `record` as parsed from `response`, the
    /// auth response's JSON text (parsed with max_json_depth). With no listener the
    /// store keeps the text instead of copying the record, and parses the record out
    /// of it only when something reads it: a sign-in then costs no copy at all.
    void save_auth_response(std::string token, const json& record, std::string response,
                            std::size_t max_json_depth) {
        require_sendable(token);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            token_ = std::move(token);
            if (listeners_.empty()) {
                record_ = nullptr;
                response_ = std::move(response);
                response_depth_ = max_json_depth;
            } else {
                record_ = record;  // read at once by the listeners anyway
                response_.clear();
            }
        }
        changed();
    }

    void clear() { save(std::string(), json(nullptr)); }

    /// @brief Registers a change listener; keep the id to remove it again.
    listener_id on_change(listener fn, bool fire_immediately = false) {
        auto fn_ptr = std::make_shared<listener>(std::move(fn));
        listener_id id = 0;
        std::string tok;
        json rec;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            id = ++last_id_;
            listeners_.emplace_back(id, fn_ptr);
            if (fire_immediately) {
                tok = token_;
                rec = stored_record();
            }
        }
        if (fire_immediately) {
            std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
            call(*fn_ptr, tok, rec);
        }
        return id;
    }

    /// @brief Removes a listener; returns false when the id is unknown. Waits for a
    /// notification in progress on another thread, so the listener is not called again.
    bool remove_listener(listener_id id) {
        std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it = std::find_if(listeners_.begin(), listeners_.end(),
                                     [id](const auto& entry) { return entry.first == id; });
        if (it == listeners_.end()) return false;
        listeners_.erase(it);
        return true;
    }

    /// @brief Merges `changes` into the stored record (as the JS SDK does, `expand`
    /// merged too) when the stored record has this id and belongs to `collection`
    /// (a name or id). Check and write are one step, so a concurrent sign-in is never undone.
    bool merge_record_if(std::string_view id, std::string_view collection, const json& changes) {
        if (!changes.is_object()) {
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!holds_record(id, collection)) {
                return false;
            }
            // holds_record() parsed any pending sign-in response into record_.
            json expand = record_.contains("expand") && record_["expand"].is_object() ? record_["expand"]
                                                                                     : json::object();
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                record_[it.key()] = it.value();
            }
            auto changed_expand = changes.find("expand");
            if (changed_expand != changes.end() && changed_expand->is_object()) {
                expand.update(*changed_expand);
            }
            if (!expand.empty()) {
                record_["expand"] = std::move(expand);
            }
        }
        changed();
        return true;
    }

    /// @brief Signs out when the stored record has this id and belongs to `collection`; atomic like merge_record_if.
    bool clear_if(std::string_view id, std::string_view collection) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!holds_record(id, collection)) {
                return false;
            }
            token_.clear();
            record_ = nullptr;
            response_.clear();
        }
        changed();
        return true;
    }

    /// @brief Keeps the session in `store` from now on, and first reads it back: a saved
    /// session replaces the one in memory (listeners are told); with none saved, the
    /// session in memory (if any) is saved. Every later change is saved (or, on sign-out,
    /// removed) before listeners run. `nullptr` stops saving.
    ///
    /// Never throws for what the store does: a saved session that cannot be read leaves
    /// the store as it was (signed out, at start), and a change that cannot be saved still
    /// stands in memory; either way `on_problem` is told and persist_problem() says what.
    void persist(std::shared_ptr<session_store> store, persist_handler on_problem = {}) {
        std::string problem;
        bool loaded = false;
        {
            std::lock_guard<std::mutex> persist_lock(persist_mutex_);
            persistence_ = std::move(store);
            on_problem_ = std::move(on_problem);
            has_persistence_.store(persistence_ != nullptr, std::memory_order_release);
            if (!persistence_) {
                set_problem({});
                return;
            }
            std::optional<saved_session> saved;
            try {
                saved = persistence_->load();
            } catch (const std::exception& e) {
                problem = e.what();
            } catch (...) {
                problem = "bosbase: the session store failed with a non-standard exception";
            }
            if (saved && !detail::is_header_value_safe(saved->token)) {
                problem = "bosbase: the saved session's token has control bytes and was not used";
                saved.reset();
            }
            if (saved) {
                std::lock_guard<std::mutex> lock(mutex_);
                token_ = std::move(saved->token);
                record_ = std::move(saved->record);
                response_.clear();
                loaded = true;
            } else if (problem.empty() && !token().empty()) {
                problem = write_session();
            }
            set_problem(problem);
        }
        if (!problem.empty()) report(problem);
        if (loaded) notify();
    }

    /// @brief persist() to a file_session_store at `path` (a std::filesystem::path or
    /// anything one is made from): one line to keep a sign-in across restarts. The file
    /// is created owner-only and replaced atomically. (A template so that a TU that never
    /// calls it never compiles the file store.)
    template <class Path, std::enable_if_t<std::is_constructible_v<std::filesystem::path, const Path&>, int> = 0>
    void persist_to(const Path& path, persist_handler on_problem = {}) {
        persist(std::make_shared<detail::basic_file_session_store<typename detail::deferred<json, Path>::type>>(path),
                std::move(on_problem));
    }

    /// @brief What went wrong the last time the session was read or saved; "" when it worked.
    std::string persist_problem() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return persist_problem_;
    }

private:
    // A stored token goes out as a header on every call.
    static void require_sendable(const std::string& token) {
        if (!detail::is_header_value_safe(token)) {
            throw std::invalid_argument(
                "bosbase: an auth token must not contain CR, LF, NUL or other control bytes");
        }
    }

    static std::string string_claim(const json& object, const char* key) {
        auto it = object.find(key);
        return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
    }

    bool holds_record(std::string_view id, std::string_view collection) const {
        const json& rec = stored_record();
        if (!rec.is_object()) {
            return false;
        }
        return string_claim(rec, "id") == id &&
               (string_claim(rec, "collectionId") == collection || string_claim(rec, "collectionName") == collection);
    }

    // The record, parsed out of a pending sign-in response first. Call with mutex_ held.
    // The text parsed once already with the same depth cap, so it parses again.
    const json& stored_record() const {
        if (!response_.empty()) {
            auto parsed = detail::parse_json(response_, response_depth_);
            if (parsed && parsed->is_object()) {
                auto it = parsed->find("record");
                if (it != parsed->end()) record_ = std::move(*it);
            }
            response_ = std::string();  // releases the text, not just empties it
        }
        return record_;
    }

    static void call(const listener& fn, const std::string& tok, const json& rec) noexcept {
        try {
            fn(tok, rec);
        } catch (...) {  // a listener must not turn a completed sign-in into a failed call
        }
    }

    // After every change: save it, then tell the listeners.
    void changed() {
        if (has_persistence_.load(std::memory_order_acquire)) {
            std::string problem;
            {
                // Each write takes the state as it is when the write starts, and writes run
                // one at a time: whichever runs last writes the latest state.
                std::lock_guard<std::mutex> persist_lock(persist_mutex_);
                if (persistence_) {
                    problem = write_session();
                    set_problem(problem);
                }
            }
            if (!problem.empty()) report(problem);
        }
        notify();
    }

    // Call with persist_mutex_ held. Returns the problem, "" when saved.
    std::string write_session() {
        saved_session session;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            session.token = token_;
            if (!session.token.empty()) session.record = stored_record();
        }
        try {
            if (session.token.empty()) {
                persistence_->remove();
            } else {
                persistence_->save(session);
            }
        } catch (const std::exception& e) {
            return e.what();
        } catch (...) {
            return "bosbase: the session store failed with a non-standard exception";
        }
        return {};
    }

    void set_problem(std::string problem) {
        std::lock_guard<std::mutex> lock(mutex_);
        persist_problem_ = std::move(problem);
    }

    void report(const std::string& problem) noexcept {
        try {
            persist_handler handler;
            {
                std::lock_guard<std::mutex> persist_lock(persist_mutex_);
                handler = on_problem_;
            }
            if (handler) handler(problem);
        } catch (...) {  // as with listeners: a diagnostic must not fail a finished sign-in
        }
    }

    // Snapshot under the data lock, call outside it, so a listener may read the store.
    void notify() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (listeners_.empty()) {
                return;  // the common case: no copies at all
            }
        }
        std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
        std::vector<std::shared_ptr<listener>> fns;
        std::string tok;
        json rec;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (listeners_.empty()) {
                return;
            }
            fns.reserve(listeners_.size());
            for (const auto& entry : listeners_) fns.push_back(entry.second);
            tok = token_;
            rec = stored_record();
        }
        for (std::size_t i = 0; i < fns.size(); ++i) {
            // A listener removed by an earlier one in this round is skipped.
            if (i > 0 && !still_registered(fns[i])) {
                continue;
            }
            call(*fns[i], tok, rec);
        }
    }

    bool still_registered(const std::shared_ptr<listener>& fn) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& e) { return e.second == fn; });
    }

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

#endif  // BOSBASE_AUTH_STORE_HPP
