// bosbase-cpp: record_service::auth_with_oauth2: the OAuth2 sign-in of desktop and command-line apps.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_OAUTH2_HPP
#define BOSBASE_SERVICES_OAUTH2_HPP

#include "oauth2_options.hpp"
#include "records.hpp"
#include "../cancel.hpp"
#include "../realtime/service.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// The JS SDK's _replaceQueryParams: the query is decoded, each key in `replacements`
/// replaces its value in place (or is appended), and every key and value is encoded
/// again as encodeURIComponent does. The server's authURL ends in "redirect_uri=", so
/// the redirect URL appended to it is encoded here.
BOSBASE_DECL std::string oauth2_replace_query(std::string_view url,
                                        const std::vector<std::pair<std::string, std::string>>& replacements);

/// A provider's `error` is text from the browser's redirect: shown only when it is a
/// short printable ASCII word list (RFC 6749 error codes are), so it cannot smuggle
/// anything into logs.
BOSBASE_DECL std::string oauth2_printable_error(const json& message);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "oauth2.ipp"
#endif

#endif  // BOSBASE_SERVICES_OAUTH2_HPP
