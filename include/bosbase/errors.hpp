// bosbase-cpp: ClientResponseError: the one exception type of failed calls.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_ERRORS_HPP
#define BOSBASE_ERRORS_HPP

#include "transport.hpp"
#include "detail/text.hpp"

#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase {

namespace detail {

/// The string member `key` of a JSON object; "" when it is missing, not a string, or
/// `object` is no object.
inline std::string string_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

// Real secrets are long (PocketBase passwords and OTPs have 8+ characters,
// tokens far more); scrubbing shorter ones would mangle ordinary words.
constexpr std::size_t min_scrubbed_length = 6;

/// Replaces every occurrence of each secret (of at least min_scrubbed_length bytes) with "***".
inline void scrub_secrets(std::string& text, const std::vector<std::string_view>& secrets) {
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

/// @brief Thrown by every failed request. status() is 0 when no HTTP response
/// was received (network failure, timeout, TLS error, cancellation).
///
/// @code
/// try { pb.collection("users").auth_with_token(token); }
/// catch (const bosbase::ClientResponseError& e) {
///     if (!e.mfa_id().empty()) { /* second factor */ }
///     std::cerr << e.what() << '\n';   // never contains secrets
/// }
/// @endcode
class ClientResponseError : public std::exception {
public:
    /// @param secrets strings of this call (password, token, ...) to scrub from every text
    ClientResponseError(std::string url, int status, json response, error_kind kind = error_kind::none,
                        std::string original_error = {}, const std::vector<std::string_view>& secrets = {}) {
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

    // Copies share one immutable state, so copying never throws (like std::runtime_error).
    ClientResponseError(const ClientResponseError&) noexcept = default;
    ClientResponseError& operator=(const ClientResponseError&) noexcept = default;
    ~ClientResponseError() override = default;

    const char* what() const noexcept override { return state_->what.c_str(); }

    /// @brief The request URL (query values of secret-looking keys are redacted).
    const std::string& url() const noexcept { return state_->url; }
    /// @brief HTTP status, or 0 when no response was received.
    int status() const noexcept { return state_->status; }
    /// @brief Why no usable response came (error_kind::none when status() is an HTTP status).
    bosbase::error_kind error_kind() const noexcept { return state_->kind; }
    /// @brief The server's JSON ({status, message, data}); always an object.
    const json& response() const noexcept { return state_->response; }
    /// @brief Alias of response(), as in the JS SDK.
    const json& data() const noexcept { return state_->response; }
    /// @brief True when the call was cancelled (request_options::cancel, an async call's
    /// token, or its client going away).
    [[nodiscard]] bool is_abort() const noexcept { return state_->kind == bosbase::error_kind::canceled; }
    /// @brief True when no usable HTTP answer came because of the network or the peer:
    /// connect, resolve, timeout, deadline, tls, send or receive. Such a call may not
    /// have reached the server, or may have been done there; a cancel is not one.
    [[nodiscard]] bool is_network() const noexcept {
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
    /// @brief The server answered 404 (no such record, collection or route).
    [[nodiscard]] bool is_not_found() const noexcept { return state_->status == 404; }
    /// @brief The server answered 401 or 403: not signed in, or not allowed.
    [[nodiscard]] bool is_unauthorized() const noexcept { return state_->status == 401 || state_->status == 403; }
    /// @brief The server wants a second factor: pass mfa_id() to the next sign-in.
    [[nodiscard]] bool is_mfa_required() const noexcept {
        if (state_->status != 401) return false;
        const auto it = state_->response.find("mfaId");
        return it != state_->response.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
    }
    /// @brief Description of the underlying failure (status 0 only).
    const std::string& original_error() const noexcept { return state_->original_error; }

    /// @brief The server's message, or "" when it sent none.
    std::string message() const { return detail::string_field(state_->response, "message"); }

    /// @brief The MFA session id when the server asked for a second factor, else "".
    std::string mfa_id() const {
        return state_->status == 401 ? detail::string_field(state_->response, "mfaId") : std::string();
    }

private:
    struct state {
        std::string url;
        int status = 0;
        bosbase::error_kind kind = bosbase::error_kind::none;
        json response;
        std::string original_error;
        std::string what;
    };

    static void scrub(std::string& text, const std::vector<std::string_view>& secrets) {
        detail::scrub_secrets(text, secrets);
    }

    // The server may echo a secret anywhere (a message, a field error, a key).
    static void scrub_json(json& value, const std::vector<std::string_view>& secrets, std::size_t depth) {
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

    static std::string build_what(const state& st) {
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

    // Validation failures carry per-field reasons; they name fields, never values.
    static void append_field_errors(const json& response, std::string& out) {
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

    std::shared_ptr<const state> state_;
};

}  // namespace bosbase

#endif  // BOSBASE_ERRORS_HPP
