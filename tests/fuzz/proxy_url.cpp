// Proxy URLs from options and the environment (proxy.hpp, detail::parse_proxy_url).
//
// Input: [mode][rest]
//   mode even: [setting: s8][rest: the URL as it is].
//   mode odd:  a URL built from parts: [flags][scheme kind][scheme: s8][user: s8][password: s8]
//              [host: s8][port: 2 bytes][path: s8]; scheme kind % 4: none, "http", "HTTP", the
//              scheme bytes; flags & 1 user info, & 2 a password (behind a marker), & 4 user and
//              password percent-encoded byte by byte, & 8 a port, & 16 the path bytes after the host.
//
// Contract: it throws nothing but std::invalid_argument (and std::bad_alloc), whose text names
// the setting and never quotes user info (no '@' after the setting's name, nothing quoted with a
// ':' or '@', never the password);
// a proxy it returns has a host that is not empty and has no space or control byte, and a port
// from 1 to 65535. A URL of clean parts (an http scheme or none, a host name, a port from 1 to
// 65535 or none, no path but '/') is taken, and its parts come back (the credentials decoded).
#include "fuzz_support.hpp"

// Not in the umbrella without cpp-httplib, the only transport that takes a proxy.
#include <bosbase/proxy.hpp>

namespace {

using bosbase::detail::parse_proxy_url;

// Every built password starts with it (a raw one; "%5A%71..." percent-encoded).
constexpr std::string_view marker = "Zq9pW";

std::optional<bosbase::http_proxy> parse_checked(const std::string& url, const std::string& setting,
                                                 std::string_view password_text) {
    try {
        auto proxy = parse_proxy_url(url, setting);
        BOSBASE_FUZZ_CHECK(!proxy.host.empty());
        for (const char c : proxy.host) {
            BOSBASE_FUZZ_CHECK_MSG(static_cast<unsigned char>(c) > 0x20 && c != 0x7f, "a space or control byte in the host");
        }
        BOSBASE_FUZZ_CHECK_MSG(proxy.port >= 1 && proxy.port <= 65535, std::to_string(proxy.port));
        return proxy;
    } catch (const std::invalid_argument& e) {
        const std::string_view text = e.what();
        const std::string start = "bosbase: the proxy in " + setting + " ";
        BOSBASE_FUZZ_CHECK_MSG(text.substr(0, start.size()) == start, e.what());
        BOSBASE_FUZZ_CHECK_MSG(text.find('@', start.size()) == std::string_view::npos, e.what());
        // What it quotes (a scheme) holds no user info: neither its ':' nor its '@'.
        if (const auto open = text.find('\'', start.size()); open != std::string_view::npos) {
            const auto close = text.find('\'', open + 1);
            BOSBASE_FUZZ_CHECK_MSG(close != std::string_view::npos, e.what());
            BOSBASE_FUZZ_CHECK_MSG(text.substr(open + 1, close - open - 1).find_first_of(":@") == std::string_view::npos,
                                   e.what());
        }
        const std::string_view said = text.substr(start.size());  // past the setting, which may hold anything
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(said, password_text), e.what());
        return std::nullopt;
    }
}

bool all_of(std::string_view s, std::string_view allowed) {
    return s.find_first_not_of(allowed) == std::string_view::npos;
}

std::string encoded(std::string_view s) {
    static const char* const digits = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        out += '%';
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

void built(bosbase_fuzz::byte_reader& in) {
    const std::uint8_t flags = in.byte();
    const std::uint8_t scheme_kind = in.byte() % 4;
    // No 'Z' or '%' but the password's: its text (raw or encoded) can come from nowhere else.
    auto no_z = [](std::string s) {
        std::replace(s.begin(), s.end(), 'Z', 'z');
        std::replace(s.begin(), s.end(), '%', '_');
        return s;
    };
    const std::string scheme_bytes = no_z(in.str());
    const std::string user = no_z(in.str());
    const std::string password = std::string(marker) + in.str();
    const std::string host = no_z(in.str());
    const unsigned port = in.u16();
    const std::string path = no_z(in.str());

    const std::string scheme = scheme_kind == 1 ? "http" : scheme_kind == 2 ? "HTTP" : scheme_bytes;
    const bool encode = (flags & 4) != 0;
    std::string url = scheme_kind == 0 ? "" : scheme + "://";
    std::string password_text;
    if (flags & 1) {
        url += encode ? encoded(user) : user;
        if (flags & 2) {
            password_text = encode ? encoded(password) : password;
            url += ":" + password_text;
        }
        url += "@";
    }
    url += host;
    if (flags & 8) url += ":" + std::to_string(port);
    if (flags & 16) url += path;

    const auto proxy = parse_checked(url, "HTTPS_PROXY", password_text);
    constexpr std::string_view name_bytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
    const bool clean = scheme_kind != 3 && !host.empty() &&
                       all_of(host, name_bytes) && (!(flags & 8) || port >= 1) &&
                       (!(flags & 16) || all_of(path, "/")) && (!(flags & 1) || encode || (all_of(user, name_bytes) && all_of(password, name_bytes)));
    if (!clean) return;
    BOSBASE_FUZZ_CHECK_MSG(proxy.has_value(), "a clean proxy URL was refused");
    BOSBASE_FUZZ_CHECK(proxy->host == host);
    BOSBASE_FUZZ_CHECK(proxy->port == ((flags & 8) ? static_cast<int>(port) : 1080));
    if (flags & 1) {
        BOSBASE_FUZZ_CHECK(proxy->username == user);
        BOSBASE_FUZZ_CHECK(proxy->password == ((flags & 2) ? password : ""));
    } else {
        BOSBASE_FUZZ_CHECK(proxy->username.empty() && proxy->password.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        if (in.byte() % 2 == 1) {
            built(in);
            return;
        }
        // The setting is the SDK's own words ("options", a variable's name): never a NUL, which would end what().
        std::string setting = in.str();
        setting.erase(std::remove(setting.begin(), setting.end(), '\0'), setting.end());
        (void)parse_checked(in.rest(), setting, {});
    });
}
