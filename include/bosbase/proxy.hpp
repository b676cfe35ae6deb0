// bosbase-cpp: HTTP proxies: the settings, proxy URLs, and curl's rules for the proxy environment variables.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PROXY_HPP
#define BOSBASE_PROXY_HPP

#include "detail/text.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace bosbase {

/// @brief An HTTP proxy: plain HTTP goes through it as absolute-form requests, https:// through a
/// CONNECT tunnel (the TLS session is still end to end with the server). The credentials, when
/// set, go to the proxy as Basic authentication and never appear in errors.
struct http_proxy {
    std::string host;  ///< name or address of the proxy
    int port = 1080;   ///< curl's default when a proxy URL names none
    std::string username;
    std::string password;
};

namespace detail {

/// A proxy URL as curl takes it: `[http://][user[:password]@]host[:port][/]`. Only HTTP
/// proxies (the scheme cpp-httplib speaks to a proxy); anything else is std::invalid_argument,
/// whose message never quotes the URL (it may hold the password).
BOSBASE_DECL http_proxy parse_proxy_url(std::string_view url, std::string_view setting);

BOSBASE_DECL std::optional<std::uint32_t> ipv4_value(std::string_view text);

/// Whether `host` (a name, an IPv4 address, or an IPv6 address without brackets) is one that
/// `no_proxy` sends directly, by curl's rules: entries split on commas (spaces around them
/// ignored), "*" alone matches every host, a name matches itself and every name under it
/// (a leading '.' is ignored: ".example.com" and "example.com" alike), an address matches
/// itself, and an IPv4 range in CIDR form ("10.0.0.0/8") every address in it. Names are
/// compared case-blind, and a trailing '.' of either side does not count.
BOSBASE_DECL bool bypasses_proxy(std::string_view host, std::string_view no_proxy);

/// The host of an origin ("https://h:1", "http://[::1]:8090"), without brackets or port.
BOSBASE_DECL std::string_view origin_host(std::string_view origin);

/// The environment a proxy is taken from, as a function so tests can give their own.
using environment_lookup = std::optional<std::string> (*)(const char*);

/// The proxy for `origin` from the environment, by curl's rules: NO_PROXY (or no_proxy) first;
/// then for http:// only the lower-case http_proxy (the upper-case one can be set by a web
/// server's request header in CGI programs, so curl ignores it), for https:// HTTPS_PROXY or
/// https_proxy; then ALL_PROXY or all_proxy. The lower-case spelling wins where both are set.
/// An empty value counts as unset.
BOSBASE_DECL std::optional<http_proxy> proxy_from_environment(std::string_view origin, environment_lookup lookup);

BOSBASE_DECL std::optional<std::string> process_environment(const char* name);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "proxy.ipp"
#endif

#endif  // BOSBASE_PROXY_HPP
