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
BOSBASE_DECL std::string string_field(const json& object, const char* key);

// Real secrets are long (PocketBase passwords and OTPs have 8+ characters,
// tokens far more); scrubbing shorter ones would mangle ordinary words.
constexpr std::size_t min_scrubbed_length = 6;

/// Replaces every occurrence of each secret (of at least min_scrubbed_length bytes) with "***".
BOSBASE_DECL void scrub_secrets(std::string& text, const std::vector<std::string_view>& secrets);

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
                        std::string original_error = {}, const std::vector<std::string_view>& secrets = {});

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
    [[nodiscard]] bool is_network() const noexcept;
    /// @brief The server answered 404 (no such record, collection or route).
    [[nodiscard]] bool is_not_found() const noexcept { return state_->status == 404; }
    /// @brief The server answered 401 or 403: not signed in, or not allowed.
    [[nodiscard]] bool is_unauthorized() const noexcept { return state_->status == 401 || state_->status == 403; }
    /// @brief The server wants a second factor: pass mfa_id() to the next sign-in.
    [[nodiscard]] bool is_mfa_required() const noexcept;
    /// @brief Description of the underlying failure (status 0 only).
    const std::string& original_error() const noexcept { return state_->original_error; }

    /// @brief The server's message, or "" when it sent none.
    std::string message() const { return detail::string_field(state_->response, "message"); }

    /// @brief The MFA session id when the server asked for a second factor, else "".
    std::string mfa_id() const;

private:
    struct state {
        std::string url;
        int status = 0;
        bosbase::error_kind kind = bosbase::error_kind::none;
        json response;
        std::string original_error;
        std::string what;
    };

    static void scrub(std::string& text, const std::vector<std::string_view>& secrets);

    // The server may echo a secret anywhere (a message, a field error, a key).
    static void scrub_json(json& value, const std::vector<std::string_view>& secrets, std::size_t depth);

    static std::string build_what(const state& st);

    // Validation failures carry per-field reasons; they name fields, never values.
    static void append_field_errors(const json& response, std::string& out);

    std::shared_ptr<const state> state_;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "errors.ipp"
#endif

#endif  // BOSBASE_ERRORS_HPP
