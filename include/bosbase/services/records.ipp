// bosbase-cpp: definitions of services/records.hpp (record_service: auth, custom tokens, CRUD and lists on one collection.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_RECORDS_IPP
#define BOSBASE_SERVICES_RECORDS_IPP

#include "records.hpp"

namespace bosbase {

BOSBASE_DECL record_service::record_service(std::shared_ptr<detail::client_core> core, std::string collection)
    : detail::service_base(std::move(core)), collection_(std::move(collection)) {
    detail::require_path_segment(collection_, "collection name or id");
    base_path_ = "/api/collections/" + detail::encode_uri_component(collection_);
}

BOSBASE_DECL void record_service::bind_custom_token(std::string_view email, std::string_view password,
                                                    std::string_view token, const json& body,
                                                    const query_params& query, const request_options& options) const {
    core().perform("POST", base_path_ + "/bind-token", credentials_body(body, email, password, token),
                   detail::with_defaults(query, options), {password, token});
}

BOSBASE_DECL void record_service::unbind_custom_token(std::string_view email, std::string_view password,
                                                      std::string_view token, const json& body,
                                                      const query_params& query,
                                                      const request_options& options) const {
    core().perform("POST", base_path_ + "/unbind-token", credentials_body(body, email, password, token),
                   detail::with_defaults(query, options), {password, token});
}

BOSBASE_DECL json record_service::auth_with_token(std::string_view token, const json& body,
                                                  const query_params& query, const request_options& options) const {
    require_auto_refresh(options);
    json payload = merged_body(body);
    payload["token"] = std::string(token);
    json response = auth_call("auth-with-token", payload, detail::with_defaults(query, options), {token});
    if (options.auto_refresh_threshold) {
        keep_alive(*options.auto_refresh_threshold,
                   [token = std::string(token), body = json(body), query, options](
                       const record_service& self, const request_options& call) {
                       self.auth_with_token(token, body, query, for_renewal(options, call));
                   });
    }
    return response;
}

BOSBASE_DECL json record_service::auth_with_password(std::string_view identity, std::string_view password,
                                                     const request_options& options) const {
    require_auto_refresh(options);
    json payload{{"identity", std::string(identity)}, {"password", std::string(password)}};
    json response = auth_call("auth-with-password", payload, options, {password});
    if (options.auto_refresh_threshold) {
        // The password stays in memory for as long as the session is kept alive, as in the JS SDK.
        keep_alive(*options.auto_refresh_threshold,
                   [identity = std::string(identity), password = std::string(password), options](
                       const record_service& self, const request_options& call) {
                       self.auth_with_password(identity, password, for_renewal(options, call));
                   });
    }
    return response;
}

BOSBASE_DECL json record_service::auth_refresh(const request_options& options) const {
    return auth_call("auth-refresh", json::object(), options, {});
}

BOSBASE_DECL json record_service::request_otp(std::string_view email, const request_options& options) const {
    return core().send_json("POST", base_path_ + "/request-otp", json{{"email", std::string(email)}}, options, {});
}

BOSBASE_DECL json record_service::auth_with_otp(std::string_view otp_id, std::string_view password,
                                                const request_options& options) const {
    json payload{{"otpId", std::string(otp_id)}, {"password", std::string(password)}};
    return auth_call("auth-with-otp", payload, options, {password});
}

BOSBASE_DECL json record_service::list_auth_methods(const request_options& options) const {
    return core().send_json("GET", base_path_ + "/auth-methods", nullptr, options, {});
}

BOSBASE_DECL std::int64_t record_service::get_count(std::string_view filter, const request_options& options) const {
    query_params first;
    if (!filter.empty()) first.emplace_back("filter", std::string(filter));
    const request_options opts = detail::with_defaults(std::move(first), options);
    const std::string path = records_path() + "/count";
    const detail::json_reply reply = detail::fetch_json(core(), "GET", path, nullptr, opts);
    return detail::integer_field(core(), reply.body, "count", path, opts, reply.status);
}

BOSBASE_DECL void record_service::remove(std::string_view id, const request_options& options) const {
    core().perform("DELETE", record_path(id), nullptr, options, {});
    core().store().clear_if(id, collection_);
}

BOSBASE_DECL void record_service::request_password_reset(std::string_view email,
                                                         const request_options& options) const {
    core().perform("POST", base_path_ + "/request-password-reset", json{{"email", std::string(email)}},
                   options, {});
}

BOSBASE_DECL void record_service::confirm_password_reset(std::string_view reset_token,
                                                         std::string_view password,
                                                         std::string_view password_confirm,
                                                         const request_options& options) const {
    core().perform("POST", base_path_ + "/confirm-password-reset",
                   json{{"token", std::string(reset_token)},
                        {"password", std::string(password)},
                        {"passwordConfirm", std::string(password_confirm)}},
                   options, {reset_token, password, password_confirm});
}

BOSBASE_DECL void record_service::request_verification(std::string_view email, const request_options& options) const {
    core().perform("POST", base_path_ + "/request-verification", json{{"email", std::string(email)}},
                   options, {});
}

BOSBASE_DECL void record_service::confirm_verification(std::string_view verification_token,
                                                       const request_options& options) const {
    core().perform("POST", base_path_ + "/confirm-verification",
                   json{{"token", std::string(verification_token)}}, options,
                   {verification_token});
    std::string id;
    std::string collection_id;
    if (token_owner(verification_token, id, collection_id)) {
        const json record = core().store().record();
        if (record.is_object() && record.value("verified", json(false)) != json(true)) {
            core().store().merge_record_if(id, collection_id, json{{"verified", true}});
        }
    }
}

BOSBASE_DECL void record_service::request_email_change(std::string_view new_email,
                                                       const request_options& options) const {
    core().perform("POST", base_path_ + "/request-email-change", json{{"newEmail", std::string(new_email)}},
                   options, {});
}

BOSBASE_DECL void record_service::confirm_email_change(std::string_view email_change_token,
                                                       std::string_view password,
                                                       const request_options& options) const {
    core().perform("POST", base_path_ + "/confirm-email-change",
                   json{{"token", std::string(email_change_token)}, {"password", std::string(password)}},
                   options, {email_change_token, password});
    std::string id;
    std::string collection_id;
    if (token_owner(email_change_token, id, collection_id)) {
        core().store().clear_if(id, collection_id);
    }
}

BOSBASE_DECL json record_service::auth_with_oauth2_code(std::string_view provider, std::string_view code,
                                                        std::string_view code_verifier,
                                                        std::string_view redirect_url,
                                                        const json& create_data,
                                                        const request_options& options) const {
    return exchange_oauth2_code(provider, code, code_verifier, redirect_url, create_data, options,
                                {code, code_verifier});
}

BOSBASE_DECL json record_service::auth_with_oauth2(std::string_view provider,
                                                   oauth2_url_callback url_callback,
                                                   const oauth2_options& oauth2,
                                                   const request_options& options) const {
    return auth_with_oauth2(provider, std::move(url_callback), detail::joined(oauth2, options));
}

BOSBASE_DECL json record_service::list_external_auths(std::string_view record_id,
                                                      const request_options& options) const {
    detail::require_path_segment(record_id, "record id");
    request_options opts = options;
    opts.filter = bosbase::filter("recordRef = {:id}", {{"id", record_id}});
    return record_service(this->core_ptr(), "_externalAuths").get_full_list(500, opts);
}

BOSBASE_DECL void record_service::unlink_external_auth(std::string_view record_id, std::string_view provider,
                                                       const request_options& options) const {
    detail::require_path_segment(record_id, "record id");
    record_service external(this->core_ptr(), "_externalAuths");
    const json link = external.get_first_list_item(bosbase::filter(
        "recordRef = {:recordId} && provider = {:provider}", {{"recordId", record_id}, {"provider", provider}}));
    auto id = link.find("id");
    if (id == link.end() || !id->is_string()) {
        throw detail::invalid_response(core(), external.records_path(), request_options{}, 200,
                                       "The server's external auth record has no string 'id'.");
    }
    external.remove(id->template get<std::string>(), options);
}

BOSBASE_DECL std::string record_service::record_path(std::string_view id) const {
    detail::require_path_segment(id, "record id");
    return base_path_ + "/records/" + detail::encode_uri_component(id);
}

BOSBASE_DECL json record_service::vector_search_body(const vector_search_options& search) {
    for (double v : search.query_vector) {
        if (!std::isfinite(v)) {
            throw std::invalid_argument("bosbase: vector_search: query_vector values must be finite numbers");
        }
    }
    json body{{"field", search.field}, {"queryVector", search.query_vector}};
    if (search.limit) body["limit"] = *search.limit;
    if (search.distance) body["distance"] = *search.distance;
    if (search.filter) body["filter"] = *search.filter;
    if (search.include_distance) body["includeDistance"] = *search.include_distance;
    return body;
}

BOSBASE_DECL bool record_service::token_owner(std::string_view token, std::string& id,
                                              std::string& collection_id) {
    const auto payload = jwt_payload(token);
    if (!payload) return false;
    auto i = payload->find("id");
    auto c = payload->find("collectionId");
    if (i == payload->end() || c == payload->end() || !i->is_string() || !c->is_string()) return false;
    id = i->template get<std::string>();
    collection_id = c->template get<std::string>();
    return !id.empty();
}

BOSBASE_DECL json record_service::credentials_body(const json& body, std::string_view email,
                                                   std::string_view password, std::string_view token) {
    json payload = merged_body(body);
    payload["email"] = std::string(email);
    payload["password"] = std::string(password);
    payload["token"] = std::string(token);
    return payload;
}

BOSBASE_DECL void record_service::require_auto_refresh(const request_options& options) const {
    if (!options.auto_refresh_threshold) return;
    if (options.auto_refresh_threshold->count() < 0) {
        throw std::invalid_argument("bosbase: auto_refresh_threshold must not be negative");
    }
    if (collection_ != "_superusers" && collection_ != auth_store::superusers_collection_id) {
        throw std::invalid_argument("bosbase: auto_refresh_threshold is only for _superusers sign-ins, not '" +
                                    collection_ + "'");
    }
}

BOSBASE_DECL request_options record_service::for_renewal(const request_options& sign_in,
                                                         const request_options& call) {
    request_options o = sign_in;
    o.auto_refresh_threshold.reset();
    o.cancel = call.cancel;
    o.timeout = call.timeout ? call.timeout : sign_in.timeout;
    o.deadline = call.deadline ? call.deadline : sign_in.deadline;
    return o;
}

BOSBASE_DECL std::string record_service::claim_of(const std::optional<json>& payload, const char* key) {
    if (!payload) return {};
    auto it = payload->find(key);
    return it != payload->end() && it->is_string() ? it->template get<std::string>() : std::string();
}

BOSBASE_DECL json record_service::exchange_oauth2_code(std::string_view provider, std::string_view code,
                                                       std::string_view code_verifier,
                                                       std::string_view redirect_url, const json& create_data,
                                                       const request_options& options,
                                                       detail::call_secrets secrets) const {
    json payload{{"provider", std::string(provider)},
                 {"code", std::string(code)},
                 {"codeVerifier", std::string(code_verifier)},
                 {"redirectURL", std::string(redirect_url)}};
    if (!create_data.is_null()) {
        payload["createData"] = detail::object_body(create_data, "OAuth2 create_data");
    }
    return auth_call("auth-with-oauth2", payload, options, secrets);
}

BOSBASE_DECL json record_service::auth_call(const std::string& action, const json& payload,
                                            const request_options& options, detail::call_secrets secrets,
                                            detail::client_core* sender) const {
    const detail::pre_call_pause pause;  // a sign-in replaces the token; refreshing it first is waste
    const std::string path = base_path_ + "/" + action;
    http_response res = (sender ? *sender : core()).perform("POST", path, payload, options, secrets);
    json response = core().parse_body(res, path, options, secrets);
    auto fail = [&](const char* why) {
        return ClientResponseError(core().error_url(path, options), res.status,
                                   json{{"status", res.status}, {"message", why}, {"data", json::object()}},
                                   error_kind::invalid_response, {}, secrets.to_vector());
    };
    if (!response.is_object()) {
        throw fail("The server answered without a token and record.");
    }
    auto token = response.find("token");
    auto record = response.find("record");
    if (token == response.end() || !token->is_string() || token->template get_ref<const std::string&>().empty() ||
        record == response.end() || !record->is_object()) {
        throw fail("The server answered without a token and record.");
    }
    if (!detail::is_header_value_safe(token->template get_ref<const std::string&>())) {
        throw fail("The server returned an auth token with control bytes (CR, LF, NUL); it was not stored.");
    }
    core().store().save_auth_response(token->template get<std::string>(), *record, std::move(res.body),
                                    core().settings().max_json_depth);
    return response;
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_RECORDS_IPP
