// bosbase-cpp: record_service: auth, custom tokens, CRUD and lists on one collection.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_RECORDS_HPP
#define BOSBASE_SERVICES_RECORDS_HPP

#include "common.hpp"
#include "../multipart.hpp"
#include "transfers.hpp"
#include "../realtime/events.hpp"
#include "oauth2_options.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief Calls on one collection. A light value that shares the client's state:
/// it stays valid after the client is moved or destroyed.
///
/// Exceptions, for every call: ClientResponseError when the server answers
/// anything but 2xx, sends an unusable response, or cannot be reached in time;
/// std::invalid_argument for input that cannot be sent (checked before any
/// request); std::bad_alloc. Nothing else.
class record_service : public detail::service_base {
    using detail::service_base::core;

public:
    record_service(std::shared_ptr<detail::client_core> core, std::string collection);

    const std::string& name() const noexcept { return collection_; }

    /// @brief "/api/collections/<encoded name>" for this collection.
    const std::string& base_path() const noexcept { return base_path_; }

    // --- custom tokens (BosBase) -------------------------------------------
    //
    // These three keep the seed's shape (…, body, query, options): `body` adds fields
    // to the JSON body, and `query` goes out before options.query under the one rule
    // of request_options (a key set again replaces the earlier value).

    /// @brief Binds `token` to the auth record with this email and password (2xx, usually 204).
    void bind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                           const json& body = json::object(), const query_params& query = {},
                           const request_options& options = {}) const;

    /// @brief Removes the binding of `token` from the record with this email and password.
    /// The server answers 204 even when nothing was bound.
    void unbind_custom_token(std::string_view email, std::string_view password, std::string_view token,
                             const json& body = json::object(), const query_params& query = {},
                             const request_options& options = {}) const;

    /// @brief Signs in with a bound custom token; saves {token, record} in the auth store
    /// and returns the answer ({token, record}). For MFA pass `{{"mfaId", id}}` as body.
    json auth_with_token(std::string_view token, const json& body = json::object(), const query_params& query = {},
                         const request_options& options = {}) const;

    // --- standard auth -----------------------------------------------------
    //
    // Extra fields of the request's JSON go in options.body (e.g. {"mfaId": id} for the
    // second factor); the call's own fields win on the same key.

    /// @brief Password sign-in (identity is usually the email).
    json auth_with_password(std::string_view identity, std::string_view password,
                                                   const request_options& options = {}) const;

    /// @brief Renews the stored auth. BosBase may hand back the very same token.
    json auth_refresh(const request_options& options = {}) const;

    /// @brief Asks the server to email a one-time password; returns {"otpId": ...}.
    json request_otp(std::string_view email, const request_options& options = {}) const;

    /// @brief Signs in with an OTP id and the emailed password.
    json auth_with_otp(std::string_view otp_id, std::string_view password, const request_options& options = {}) const;

    /// @brief Lists the auth methods this collection allows.
    [[nodiscard]] json list_auth_methods(const request_options& options = {}) const;

    /// @brief Superusers only: a new, independent client signed in as the record `id`
    /// (POST .../impersonate/{id}). It shares this client's transport and options;
    /// duration_seconds 0 means the collection's token duration.
    [[nodiscard]] client impersonate(std::string_view id, std::int64_t duration_seconds = 0,
                                     const request_options& options = {}) const;

    // --- records -----------------------------------------------------------
    //
    // Each call is one template: with T = json (the default) it returns the JSON the
    // server sent; with your own T it decodes with nlohmann's from_json (a page as
    // list_result<T>, a full list as std::vector<T>). Bodies may be JSON or any value
    // with to_json (Body defaults to T).

    /// @brief One page of records: {items, page, perPage, totalItems, totalPages}.
    /// The query is `page`, `perPage`, then options.query, then the named options
    /// (filter, sort, skip_total, expand, fields).
    template <class T = json>
    [[nodiscard]] typename detail::typed<T>::page get_list(
        int page = 1, int per_page = 30, const request_options& options = {}) const {
        const request_options opts = detail::list_request(page, per_page, options);
        detail::json_reply reply = detail::fetch_json(core(), "GET", records_path(), nullptr, opts);
        return detail::decode_page<T>(core(), reply, records_path(), opts);
    }

    /// @brief Every record, fetched `batch` at a time with skipTotal=1 (a JSON array, or
    /// std::vector<T>). Memory grows with the collection; each page is one call with its
    /// own deadline, and max_response_bytes holds for all pages together.
    template <class T = json>
    [[nodiscard]] typename detail::typed<T>::list get_full_list(
        int batch = 500, const request_options& options = {}) const {
        return detail::full_list<T>(core(), records_path(), batch, options);
    }

    /// @brief The first record matching `filter` (one page of one, skipTotal=1). When
    /// nothing matches: ClientResponseError 404 built on the client (url "", as the JS SDK).
    template <class T = json>
    [[nodiscard]] T get_first_list_item(std::string_view filter,
                                                              const request_options& options = {}) const {
        const request_options opts = detail::list_request(
            1, 1, detail::with_defaults({{"filter", std::string(filter)}, {"skipTotal", 1}}, options));
        detail::json_reply reply = detail::fetch_json(core(), "GET", records_path(), nullptr, opts);
        detail::items_of(core(), reply.body, records_path(), opts, reply.status);  // checks the shape
        json& items = reply.body["items"];
        if (items.empty()) {
            throw ClientResponseError(
                "", 404,
                json{{"code", 404}, {"message", "The requested resource wasn't found."}, {"data", json::object()}});
        }
        detail::json_reply first{std::move(items.front()), reply.status, reply.bytes};
        return detail::decode_reply<T>(core(), first, records_path(), opts);
    }

    /// @brief BosBase: how many records match `filter` (all visible ones when empty).
    /// -1 when options.skip_total is true.
    [[nodiscard]] std::int64_t get_count(std::string_view filter = {},
                                                              const request_options& options = {}) const;

    /// @brief BosBase vector search (POST .../records/search): records nearest to
    /// `search.query_vector`, as a list {items, page, perPage, totalItems, totalPages}.
    template <class T = json>
    [[nodiscard]] typename detail::typed<T>::page vector_search(
        const vector_search_options& search, const request_options& options = {}) const {
        const std::string path = records_path() + "/search";
        detail::json_reply reply = detail::fetch_json(core(), "POST", path, vector_search_body(search), options);
        return detail::decode_page<T>(core(), reply, path, options);
    }

    /// @brief One record by id.
    template <class T = json>
    [[nodiscard]] T get_one(std::string_view id, const request_options& options = {}) const {
        const std::string path = record_path(id);
        detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, options);
        return detail::decode_reply<T>(core(), reply, path, options);
    }

    /// @brief Creates a record from a JSON object (or any value with to_json) and returns
    /// the stored record.
    template <class T = json, class Body = T>
    T create(const Body& body, const request_options& options = {}) const {
        detail::json_reply reply =
            detail::fetch_json(core(), "POST", records_path(), merged_body(detail::encode_body(body)), options);
        return detail::decode_reply<T>(core(), reply, records_path(), options);
    }

    /// @brief Creates a record with files: one multipart request whose `@jsonPayload`
    /// part carries `body` (exact JSON types) and one part per file. A field may
    /// repeat; "field+" appends, "+field" prepends (see bosbase::file_list). A name of
    /// its own, so that `create(body, {})` can only mean options.
    template <class T = json, class Body = T>
    T create_with_files(const Body& body, const file_list& files,
                                               const request_options& options = {}) const {
        detail::json_reply reply = detail::fetch_multipart_json(core(), "POST", records_path(),
                                                                merged_body(detail::encode_body(body)), files, options);
        return detail::decode_reply<T>(core(), reply, records_path(), options);
    }

    /// @brief Updates a record. When it is the signed-in record, the returned fields
    /// are merged into the stored record (fields the response leaves out are kept).
    template <class T = json, class Body = T>
    T update(std::string_view id, const Body& body, const request_options& options = {}) const {
        const std::string path = record_path(id);
        detail::json_reply reply =
            detail::fetch_json(core(), "PATCH", path, merged_body(detail::encode_body(body)), options);
        core().store().merge_record_if(id, collection_, reply.body);
        return detail::decode_reply<T>(core(), reply, path, options);
    }

    /// @brief Updates a record with files (multipart, as create_with_files). Remove files
    /// by name with {"field-": ["name.png"]} in `body`; the stored record is merged as by update().
    template <class T = json, class Body = T>
    T update_with_files(std::string_view id, const Body& body, const file_list& files,
                                               const request_options& options = {}) const {
        const std::string path = record_path(id);
        detail::json_reply reply =
            detail::fetch_multipart_json(core(), "PATCH", path, merged_body(detail::encode_body(body)), files, options);
        core().store().merge_record_if(id, collection_, reply.body);
        return detail::decode_reply<T>(core(), reply, path, options);
    }

    /// @brief Deletes a record (204); signs out when it was the signed-in record.
    void remove(std::string_view id, const request_options& options = {}) const;

    // --- realtime (defined in the Realtime section) -------------------------

    /// @brief Subscribes to "*" (every record) or a record id of this collection; the options'
    /// filter, expand, fields, query and headers are the subscription's (its `?options=`), the
    /// rest bounds the call; see realtime_service::subscribe.
    [[nodiscard]] subscription subscribe(const std::string& topic, std::function<void(const realtime_event&)> callback,
                           const request_options& options = {}) const;

    /// @brief The earlier spelling, the subscription's options apart; a template only so that
    /// `subscribe(topic, cb, {})` means the overload above.
    template <class Options, std::enable_if_t<std::is_same_v<Options, subscribe_options>, int> = 0>
    [[nodiscard]] subscription subscribe(const std::string& topic, std::function<void(const realtime_event&)> callback,
                                         const Options& subscription_options, const request_options& options = {}) const {
        return subscribe_with(topic, std::move(callback), subscription_options, options);
    }

    /// @brief Ends the subscriptions to `topic` ("*" or a record id), or with "" all of this collection's.
    void unsubscribe(std::string_view topic = {}) const;
    // --- account flows -----------------------------------------------------

    /// @brief Emails a password-reset link (204; also for an unknown email).
    void request_password_reset(std::string_view email, const request_options& options = {}) const;

    /// @brief Sets a new password with the emailed reset token (204).
    void confirm_password_reset(std::string_view reset_token, std::string_view password,
                                std::string_view password_confirm,
                                const request_options& options = {}) const;

    /// @brief Emails a verification link (204).
    void request_verification(std::string_view email, const request_options& options = {}) const;

    /// @brief Verifies with the emailed token (204); marks the stored record verified
    /// when the token belongs to it.
    void confirm_verification(std::string_view verification_token,
                              const request_options& options = {}) const;

    /// @brief Emails a confirmation link to `new_email` (204; needs this collection's auth).
    void request_email_change(std::string_view new_email, const request_options& options = {}) const;

    /// @brief Confirms the change with the emailed token and the account password
    /// (204); signs out when the token belongs to the stored record, as the JS SDK.
    void confirm_email_change(std::string_view email_change_token, std::string_view password,
                              const request_options& options = {}) const;

    /// @brief Finishes an OAuth2 sign-in with the provider's code (POST auth-with-oauth2
    /// {provider, code, codeVerifier, redirectURL, createData}); stores {token, record}.
    /// `create_data` (a JSON object) fills a record created on first sign-in.
    json auth_with_oauth2_code(std::string_view provider, std::string_view code, std::string_view code_verifier,
                               std::string_view redirect_url, const json& create_data = nullptr,
                               const request_options& options = {}) const;

    /// @brief The whole OAuth2 sign-in for desktop and command-line apps (defined in
    /// services/oauth2.hpp; needs a streaming transport): the provider's URL goes to
    /// `url_callback`, the browser's redirect comes back over realtime, and the code is
    /// exchanged and the session stored. See README, section 'OAuth2 sign-in'.
    auto auth_with_oauth2(std::string_view provider, oauth2_url_callback url_callback,
                          const oauth2_options& options = {}) const -> json;

    /// @brief The earlier spelling, the OAuth2 fields apart from the request's.
    json auth_with_oauth2(std::string_view provider, oauth2_url_callback url_callback,
                                                 const oauth2_options& oauth2, const request_options& options) const;

    /// @brief With plain request_options, as every other call takes them: the provider's scopes.
    template <class Options, std::enable_if_t<std::is_same_v<Options, request_options>, int> = 0>
    json auth_with_oauth2(std::string_view provider, oauth2_url_callback url_callback, const Options& options) const {
        return auth_with_oauth2(provider, std::move(url_callback), detail::joined(oauth2_options(), options));
    }

    /// @brief The OAuth2 links of a record: records of `_externalAuths` with recordRef = id.
    json list_external_auths(std::string_view record_id, const request_options& options = {}) const;

    /// @brief Removes a record's link to an OAuth2 provider (finds it in `_externalAuths`,
    /// then deletes it). A 404 ClientResponseError when there is no such link.
    void unlink_external_auth(std::string_view record_id, std::string_view provider,
                              const request_options& options = {}) const;

private:
    subscription subscribe_with(const std::string& topic, std::function<void(const realtime_event&)> callback,
                                const subscribe_options& subscription_options, const request_options& options) const;

    std::string records_path() const { return base_path_ + "/records"; }

    std::string record_path(std::string_view id) const;

    static json vector_search_body(const vector_search_options& search);

    // The id and collection a verification or email-change token was issued for.
    static bool token_owner(std::string_view token, std::string& id, std::string& collection_id);

    static json merged_body(const json& body) { return detail::object_body(body, "an extra request body"); }

    static json credentials_body(const json& body, std::string_view email, std::string_view password,
                                 std::string_view token);

    // --- auto-refresh of superuser sessions (request_options::auto_refresh_threshold) ---

    void require_auto_refresh(const request_options& options) const;

    // The sign-in's own options for signing in again: without the threshold (the session
    // is kept alive already) or its cancel token (long done), with the triggering call's.
    static request_options for_renewal(const request_options& sign_in, const request_options& call);

    static std::string claim_of(const std::optional<json>& payload, const char* key);

    // Registers the client's pre-call hook for the session just stored. Before each call
    // it runs one at a time (a mutex; the calls it makes skip it, see pre_call_pause): a
    // token further than `threshold` from expiry is left alone, a nearer one refreshed,
    // and an expired one, or one auth-refresh refuses, replaced by `sign_in_again`. A
    // sign-out or another identity's token ends it, as in the JS SDK.
    template <class SignIn>
    void keep_alive(std::chrono::seconds threshold, SignIn sign_in_again) const {
        const auto claims = jwt_payload(core().store().token());
        auto one_at_a_time = std::make_shared<std::mutex>();
        const void* owner = one_at_a_time.get();
        detail::client_core* raw = &core();  // the hook lives in the core: never dangles
        auto hook = std::make_shared<const detail::pre_call_hook>(
            [raw, owner, threshold, one_at_a_time, sign_in_again = std::move(sign_in_again),
             name = collection_, id = claim_of(claims, "id"),
             collection_id = claim_of(claims, "collectionId")](const request_options& call) {
                std::lock_guard<std::mutex> lock(*one_at_a_time);
                const std::string token = raw->store().token();
                const auto payload = jwt_payload(token);
                if (!payload || claim_of(payload, "id") != id || claim_of(payload, "collectionId") != collection_id) {
                    raw->clear_pre_call(owner);
                    return;
                }
                if (is_token_valid(token, threshold.count())) return;
                // A service on the core without owning it, as the async views do.
                const record_service self(
                    std::shared_ptr<detail::client_core>(std::shared_ptr<void>(), raw), name);
                const request_options renewal = for_renewal(request_options(), call);
                if (is_token_valid(token)) {
                    try {
                        self.auth_refresh(renewal);
                        return;
                    } catch (const ClientResponseError& e) {
                        if (e.is_abort()) throw;  // cancelled: not a reason to sign in again
                    }
                }
                sign_in_again(self, call);
            });
        core().set_pre_call(std::move(hook), owner);
    }

    // auth_with_oauth2_code with the call's secrets: auth_with_oauth2 adds its state, which
    // the server knows (its realtime client id) and may repeat in an error.
    json exchange_oauth2_code(std::string_view provider, std::string_view code, std::string_view code_verifier,
                              std::string_view redirect_url, const json& create_data, const request_options& options,
                              detail::call_secrets secrets) const;

    // Sends an auth request and stores {token, record}. Anything but a 2xx JSON
    // object with a sendable token and a record is an error, and the store is
    // left as it was.
    // `sender` is the client whose identity makes the request (impersonate sends
    // as the superuser and stores into the new client).
    json auth_call(const std::string& action, const json& payload, const request_options& options,
                   detail::call_secrets secrets, detail::client_core* sender = nullptr) const;

    std::string collection_;
    std::string base_path_;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "records.ipp"
#endif

#endif  // BOSBASE_SERVICES_RECORDS_HPP
