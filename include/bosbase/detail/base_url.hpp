// bosbase-cpp: Parsing the client's base URL into origin and path prefix.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_BASE_URL_HPP
#define BOSBASE_DETAIL_BASE_URL_HPP

#include "text.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace bosbase {

namespace detail {

/// Parses "scheme://host[:port][/prefix]" into origin and a path prefix without a trailing slash.
struct parsed_base_url {
    std::string scheme;
    std::string origin;
    std::string prefix;
};

// The URL is never quoted in these messages: it may carry user info or a token.
BOSBASE_DECL parsed_base_url parse_base_url(std::string_view url);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "base_url.ipp"
#endif

#endif  // BOSBASE_DETAIL_BASE_URL_HPP
