// bosbase-cpp: definitions of errors.hpp (clientResponseError: the one exception type of failed calls.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_ERRORS_IPP
#define BOSBASE_ERRORS_IPP

#include "errors.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::string string_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

BOSBASE_DECL void scrub_secrets(std::string& text, const std::vector<std::string_view>& secrets) {
    for (std::string_view secret : secrets) {
        if (secret.size() < min_scrubbed_length) {
            continue;
        }
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
            text.replace(pos, secret.size(), "***");
        }
    }
}

}  // namespace detail
}  // namespace bosbase

namespace bosbase {

BOSBASE_DECL ClientResponseError::ClientResponseError(std::string url, int status, json response,
                                                      bosbase::error_kind kind, std::string original_error,
                                                      const std::vector<std::string_view>& secrets) {
    auto built = std::make_shared<state>();
    state& st = *built;
    st.url = std::move(url);
    st.status = status;
    st.kind = kind;
    st.original_error = std::move(original_error);
    st.response = response.is_object() ? std::move(response) : json::object();
    if (!secrets.empty()) {
        scrub(st.url, secrets);
        scrub(st.original_error, secrets);
        scrub_json(st.response, secrets, 0);
    }
    st.what = build_what(st);
    state_ = std::move(built);
}

BOSBASE_DECL bool ClientResponseError::is_network() const noexcept {
    switch (state_->kind) {
    case bosbase::error_kind::connect:
    case bosbase::error_kind::resolve:
    case bosbase::error_kind::timeout:
    case bosbase::error_kind::deadline:
    case bosbase::error_kind::tls:
    case bosbase::error_kind::send:
    case bosbase::error_kind::receive: return true;
    default: return false;
    }
}

BOSBASE_DECL bool ClientResponseError::is_mfa_required() const noexcept {
    if (state_->status != 401) return false;
    const auto it = state_->response.find("mfaId");
    return it != state_->response.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

BOSBASE_DECL std::string ClientResponseError::mfa_id() const {
    return state_->status == 401 ? detail::string_field(state_->response, "mfaId") : std::string();
}

BOSBASE_DECL void ClientResponseError::scrub(std::string& text, const std::vector<std::string_view>& secrets) {
    detail::scrub_secrets(text, secrets);
}

BOSBASE_DECL void ClientResponseError::scrub_json(json& value, const std::vector<std::string_view>& secrets,
                                                  std::size_t depth) {
    if (value.is_string()) {
        scrub(value.get_ref<std::string&>(), secrets);
    } else if (value.is_array()) {
        for (auto& item : value) scrub_json(item, secrets, depth + 1);
    } else if (value.is_object()) {
        json out = json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            std::string key = it.key();
            scrub(key, secrets);
            scrub_json(it.value(), secrets, depth + 1);
            out[key] = std::move(it.value());
        }
        value = std::move(out);
    }
}

BOSBASE_DECL std::string ClientResponseError::build_what(const state& st) {
    std::string out = "bosbase: ";
    if (st.status == 0) {
        // `other` is a failure of the call itself (a provider's refusal, a local file that
        // cannot be written), where the server may well have answered; the rest are the
        // connection's, which may have ended after some bytes (receive, too_large).
        if (st.kind == bosbase::error_kind::canceled) {
            out += "request was cancelled";
        } else if (st.kind == bosbase::error_kind::other) {
            out += "call failed";
        } else {
            out += "request failed without a usable response";
            if (st.kind != bosbase::error_kind::none) out += std::string(" [") + to_string(st.kind) + "]";
        }
        if (!st.original_error.empty()) {
            out += ": " + st.original_error;
        }
    } else {
        out += "HTTP " + std::to_string(st.status);
        std::string msg = detail::string_field(st.response, "message");
        if (st.status == 401 && !detail::string_field(st.response, "mfaId").empty()) {
            msg = "multi-factor authentication required; pass mfa_id() to a second auth call";
        }
        if (!msg.empty()) {
            out += ": " + msg;
        }
        append_field_errors(st.response, out);
    }
    if (!st.url.empty()) {
        out += " (" + st.url + ")";
    }
    return out;
}

BOSBASE_DECL void ClientResponseError::append_field_errors(const json& response, std::string& out) {
    auto data = response.find("data");
    if (data == response.end() || !data->is_object() || data->empty()) {
        return;
    }
    std::string fields;
    for (auto it = data->begin(); it != data->end(); ++it) {
        if (!it->is_object()) {
            continue;
        }
        auto m = it->find("message");
        if (m == it->end() || !m->is_string()) {
            continue;
        }
        fields += (fields.empty() ? "" : "; ") + it.key() + ": " + m->get<std::string>();
    }
    if (!fields.empty()) {
        out += " [" + fields + "]";
    }
}

}  // namespace bosbase

#endif  // BOSBASE_ERRORS_IPP
