// bosbase-cpp: What record_service::auth_with_oauth2 takes besides the provider (the flow is in oauth2.hpp).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_OAUTH2_OPTIONS_HPP
#define BOSBASE_SERVICES_OAUTH2_OPTIONS_HPP

#include "../options.hpp"
#include "../transport.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace bosbase {

/// @brief Hands the provider's sign-in URL to the app, which opens it in the system
/// browser (or follows it some other way) and returns. It runs on the calling thread;
/// what it throws ends the sign-in and reaches the caller unchanged.
using oauth2_url_callback = std::function<void(const std::string& url)>;

/// @brief Options of auth_with_oauth2: the request's own (deadline, cancel, headers; they
/// bound and cancel the whole sign-in) and the OAuth2 ones.
struct oauth2_options : request_options {
    /// Replaces the provider's scopes (sent as `scope`, space-separated) when not empty.
    std::vector<std::string> scopes;
    /// Fields of a record created on the first sign-in (a JSON object, or null for none).
    json create_data = nullptr;
    /// The longest the whole sign-in may take, the user's time in the browser included,
    /// when request_options::deadline is not set.
    std::chrono::milliseconds default_deadline = std::chrono::minutes(5);
};

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_OAUTH2_OPTIONS_HPP
