// bosbase-cpp: definitions of proxy.hpp (hTTP proxies: the settings, proxy URLs, and curl's rules for the proxy environment variables.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PROXY_IPP
#define BOSBASE_PROXY_IPP

#include "proxy.hpp"
#include "platform.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::optional<std::string> process_environment(const char* name) { return environment_variable(name); }

BOSBASE_DECL http_proxy parse_proxy_url(std::string_view url, std::string_view setting) {
    auto refuse = [&](const std::string& why) {
        return std::invalid_argument("bosbase: the proxy in " + std::string(setting) + " " + why);
    };
    std::string_view rest = url;
    const auto scheme_end = rest.find("://");
    if (scheme_end != std::string_view::npos) {
        const std::string_view scheme = rest.substr(0, scheme_end);
        // A "://" in a password or a path puts user info before it: only a scheme's letters are quoted.
        constexpr std::string_view scheme_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";
        const bool is_scheme = !scheme.empty() && scheme_chars.substr(0, 52).find(scheme.front()) != std::string_view::npos &&
                               scheme.find_first_not_of(scheme_chars) == std::string_view::npos;
        if (!is_scheme) throw refuse("has \"://\" after something that is not a scheme (percent-encode it in a password)");
        if (!ascii_iequal(scheme, "http")) {
            throw refuse("has the scheme '" + std::string(scheme) +
                         "'; only http:// proxies are supported (an HTTPS server is still reached through them "
                         "by a CONNECT tunnel)");
        }
        rest.remove_prefix(scheme_end + 3);
    }
    const auto path = rest.find_first_of("/?#");
    if (path != std::string_view::npos) {
        if (rest.find_first_not_of('/', path) != std::string_view::npos) throw refuse("must not have a path");
        rest = rest.substr(0, path);
    }
    http_proxy proxy;
    const auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view user_info = rest.substr(0, at);
        const auto colon = user_info.find(':');
        proxy.username = percent_decode(user_info.substr(0, colon));
        if (colon != std::string_view::npos) proxy.password = percent_decode(user_info.substr(colon + 1));
        rest.remove_prefix(at + 1);
    }
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
        const auto close = rest.find(']');
        if (close == std::string_view::npos) throw refuse("has an unclosed '[' in its host");
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') throw refuse("has something after its IPv6 address that is not a port");
            port = rest.substr(close + 2);
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) throw refuse("has no host");
    for (const char c : host) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) throw refuse("has a space or a control byte in its host");
    }
    proxy.host = std::string(host);
    if (!port.empty()) {
        int value = 0;
        for (const char c : port) {
            if (c < '0' || c > '9' || value > 65535) throw refuse("has a port that is not a number from 1 to 65535");
            value = value * 10 + (c - '0');
        }
        if (value < 1 || value > 65535) throw refuse("has a port that is not a number from 1 to 65535");
        proxy.port = value;
    }
    return proxy;
}

BOSBASE_DECL std::optional<std::uint32_t> ipv4_value(std::string_view text) {
    std::uint32_t value = 0;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
        unsigned part = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
            part = part * 10 + static_cast<unsigned>(text[i++] - '0');
            ++digits;
        }
        if (part > 255 || digits > 3) return std::nullopt;
        value = (value << 8) | part;
        if (++parts < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return value;
}

BOSBASE_DECL bool bypasses_proxy(std::string_view host, std::string_view no_proxy) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    const auto host_ip = ipv4_value(host);
    std::size_t pos = 0;
    while (pos <= no_proxy.size()) {
        auto comma = no_proxy.find(',', pos);
        if (comma == std::string_view::npos) comma = no_proxy.size();
        std::string_view entry = trim(no_proxy.substr(pos, comma - pos));
        pos = comma + 1;
        if (entry.empty()) continue;
        if (entry == "*") return true;
        if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
        if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
            const auto base = ipv4_value(entry.substr(0, slash));
            const std::string_view bits_text = entry.substr(slash + 1);
            if (!base || !host_ip || bits_text.empty() || bits_text.size() > 2) continue;
            int bits = 0;
            for (const char c : bits_text) bits = (c >= '0' && c <= '9') ? bits * 10 + (c - '0') : 99;
            if (bits > 32) continue;
            const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t(0) << (32 - bits);
            if ((*base & mask) == (*host_ip & mask)) return true;
            continue;
        }
        if (entry.front() == '.') entry.remove_prefix(1);
        if (!entry.empty() && entry.back() == '.') entry.remove_suffix(1);
        if (entry.empty()) continue;
        if (ascii_iequal(host, entry)) return true;
        if (!host_ip && host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
            ascii_iequal(host.substr(host.size() - entry.size()), entry)) {
            return true;
        }
    }
    return false;
}

BOSBASE_DECL std::string_view origin_host(std::string_view origin) {
    const auto scheme_end = origin.find("://");
    std::string_view rest = scheme_end == std::string_view::npos ? origin : origin.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    if (!rest.empty() && rest.front() == '[') return rest.substr(1, rest.find(']') - 1);
    return rest.substr(0, rest.rfind(':'));
}

BOSBASE_DECL std::optional<http_proxy> proxy_from_environment(std::string_view origin,
                                                              environment_lookup lookup) {
    auto get = [lookup](const char* lower, const char* upper) -> std::optional<std::pair<std::string, const char*>> {
        if (lower != nullptr) {
            if (auto v = lookup(lower); v && !v->empty()) return std::make_pair(*v, lower);
        }
        if (upper != nullptr) {
            if (auto v = lookup(upper); v && !v->empty()) return std::make_pair(*v, upper);
        }
        return std::nullopt;
    };
    if (const auto no = get("no_proxy", "NO_PROXY"); no && bypasses_proxy(origin_host(origin), no->first)) {
        return std::nullopt;
    }
    const bool tls = origin.size() >= 8 && ascii_iequal(origin.substr(0, 8), "https://");
    auto chosen = tls ? get("https_proxy", "HTTPS_PROXY") : get("http_proxy", nullptr);
    if (!chosen) chosen = get("all_proxy", "ALL_PROXY");
    if (!chosen) return std::nullopt;
    return parse_proxy_url(chosen->first, std::string("the environment variable ") + chosen->second);
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_PROXY_IPP
