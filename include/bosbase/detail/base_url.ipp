// bosbase-cpp: definitions of detail/base_url.hpp (parsing the client's base URL into origin and path prefix.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_BASE_URL_IPP
#define BOSBASE_DETAIL_BASE_URL_IPP

#include "base_url.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL parsed_base_url parse_base_url(std::string_view url) {
    auto fail = [](const std::string& why) -> parsed_base_url {
        throw std::invalid_argument("bosbase: invalid base URL: " + why);
    };
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) {
        return fail("it must start with http:// or https://");
    }
    parsed_base_url out;
    for (char c : url.substr(0, sep)) {
        out.scheme += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    if (out.scheme != "http" && out.scheme != "https") {
        return fail("the scheme must be http or https");
    }
    const auto rest = url.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return fail("it must not contain a query or fragment");
    }
    const auto slash = rest.find('/');
    const auto authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) {
        return fail("user info (user:password@) is not supported; sign in through the API instead");
    }
    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {  // IPv6 literal
        const auto close = host.find(']');
        if (close == std::string_view::npos) {
            return fail("an IPv6 host must be written as [address]");
        }
        if (close + 1 < host.size()) {
            if (host[close + 1] != ':') {
                return fail("unexpected characters after the IPv6 host");
            }
            port = host.substr(close + 2);
        }
        host = host.substr(0, close + 1);
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    const bool host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '[' || c == ']' || c == ':' || c == '%';
    });
    if (!host_ok) {
        return fail("the host is empty or has characters a host name cannot have");
    }
    if (authority.find(':') != std::string_view::npos && (host.front() != '[' || !port.empty() ||
                                                          authority.back() == ':')) {
        const bool digits = !port.empty() && port.size() <= 5 &&
                            std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        const long value = digits ? std::stol(std::string(port)) : 0;
        if (!digits || value < 1 || value > 65535) {
            return fail("the port must be a number from 1 to 65535");
        }
    }
    out.origin = out.scheme + "://" + std::string(authority);
    if (slash != std::string_view::npos) {
        out.prefix = std::string(rest.substr(slash));
        while (!out.prefix.empty() && out.prefix.back() == '/') {
            out.prefix.pop_back();
        }
        if (!is_target_safe(out.prefix)) {
            return fail("the path must be percent-encoded (no spaces, control or non-ASCII bytes)");
        }
    }
    return out;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_DETAIL_BASE_URL_IPP
