// bosbase-cpp: definitions of auth_store.hpp (the auth store: the signed-in token and record, thread-safe, with listeners.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_AUTH_STORE_IPP
#define BOSBASE_AUTH_STORE_IPP

#include "auth_store.hpp"

namespace bosbase {

BOSBASE_DECL std::optional<json> jwt_payload(std::string_view token) {
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

BOSBASE_DECL bool is_token_valid(std::string_view token, std::int64_t threshold_seconds) {
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

BOSBASE_DECL std::string auth_store::token() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return token_;
}

BOSBASE_DECL json auth_store::record() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stored_record();
}

BOSBASE_DECL bool auth_store::is_superuser() const {
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

BOSBASE_DECL void auth_store::save(std::string token, json record) {
    require_sendable(token);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        token_ = std::move(token);
        record_ = std::move(record);
        response_.clear();
    }
    changed();
}

BOSBASE_DECL void auth_store::save_auth_response(std::string token, const json& record, std::string response,
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

BOSBASE_DECL auto auth_store::on_change(listener fn, bool fire_immediately) -> listener_id {
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

BOSBASE_DECL bool auth_store::remove_listener(listener_id id) {
    std::lock_guard<std::recursive_mutex> dispatch(dispatch_mutex_);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = std::find_if(listeners_.begin(), listeners_.end(),
                                 [id](const auto& entry) { return entry.first == id; });
    if (it == listeners_.end()) return false;
    listeners_.erase(it);
    return true;
}

BOSBASE_DECL bool auth_store::merge_record_if(std::string_view id, std::string_view collection,
                                              const json& changes) {
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

BOSBASE_DECL bool auth_store::clear_if(std::string_view id, std::string_view collection) {
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

BOSBASE_DECL void auth_store::persist(std::shared_ptr<session_store> store, persist_handler on_problem) {
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

BOSBASE_DECL std::string auth_store::persist_problem() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return persist_problem_;
}

BOSBASE_DECL void auth_store::require_sendable(const std::string& token) {
    if (!detail::is_header_value_safe(token)) {
        throw std::invalid_argument(
            "bosbase: an auth token must not contain CR, LF, NUL or other control bytes");
    }
}

BOSBASE_DECL std::string auth_store::string_claim(const json& object, const char* key) {
    auto it = object.find(key);
    return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

BOSBASE_DECL bool auth_store::holds_record(std::string_view id, std::string_view collection) const {
    const json& rec = stored_record();
    if (!rec.is_object()) {
        return false;
    }
    return string_claim(rec, "id") == id &&
           (string_claim(rec, "collectionId") == collection || string_claim(rec, "collectionName") == collection);
}

BOSBASE_DECL const json& auth_store::stored_record() const {
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

BOSBASE_DECL void auth_store::call(const listener& fn, const std::string& tok, const json& rec) noexcept {
    try {
        fn(tok, rec);
    } catch (...) {  // a listener must not turn a completed sign-in into a failed call
    }
}

BOSBASE_DECL void auth_store::changed() {
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

BOSBASE_DECL std::string auth_store::write_session() {
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

BOSBASE_DECL void auth_store::set_problem(std::string problem) {
    std::lock_guard<std::mutex> lock(mutex_);
    persist_problem_ = std::move(problem);
}

BOSBASE_DECL void auth_store::report(const std::string& problem) noexcept {
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

BOSBASE_DECL void auth_store::notify() {
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

BOSBASE_DECL bool auth_store::still_registered(const std::shared_ptr<listener>& fn) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& e) { return e.second == fn; });
}

}  // namespace bosbase

#endif  // BOSBASE_AUTH_STORE_IPP
