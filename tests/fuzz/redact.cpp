// URL redaction, the SDK's guard against credentials in URLs reaching error text.
//
// Input: the URL, byte for byte.
//
// Contract of bosbase::detail::redact_url, checked against this file's own reading of the
// URL: it never throws; with a "scheme://" before any '?' or '#', user-info (up to the last
// '@' before the first '/', '?' or '#' after the host) becomes the marker and the rest of the
// authority and path is kept; without one, everything up to the first '?' or '#' is kept.
// The query (split on '&', ending at the first '#') and the fragment (split on '&') keep their
// number of parts; a part "<key>=<value>" whose percent-decoded, lower-cased key is a secret
// name (exactly otp, code, state, key, apikey, sig, auth, jwt, session or pass; or containing
// token, password, secret, signature, credential, api_key or authorization) or whose value is
// a JWT (starts "eyJ", two dots, base64url and '%' '=' only, 10 bytes or more) becomes
// "<key>=<marker>", where the marker is the same for every value (learned once from a probe);
// every other part is unchanged; redacting twice changes nothing more.
#include "fuzz_support.hpp"

#include <algorithm>
#include <cctype>

namespace {

std::string lower_decoded(std::string_view key) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < key.size(); ++i) {
        char c = key[i];
        if (c == '%' && i + 2 < key.size() && hex(key[i + 1]) >= 0 && hex(key[i + 2]) >= 0) {
            c = static_cast<char>(hex(key[i + 1]) * 16 + hex(key[i + 2]));
            i += 2;
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_secret_key(std::string_view key) {
    const std::string k = lower_decoded(key);
    for (const char* s : {"otp", "code", "state", "key", "apikey", "sig", "auth", "jwt", "session", "pass"}) {
        if (k == s) return true;
    }
    for (const char* s : {"token", "password", "secret", "signature", "credential", "api_key", "authorization"}) {
        if (k.find(s) != std::string::npos) return true;
    }
    return false;
}

bool is_jwt(std::string_view v) {
    if (v.size() < 10 || v.substr(0, 3) != "eyJ") return false;
    std::size_t dots = 0;
    for (const char c : v) {
        if (c == '.') {
            ++dots;
        } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '%' && c != '=') {
            return false;
        }
    }
    return dots == 2;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (true) {
        const auto amp = text.find('&', pos);
        parts.push_back(text.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos));
        if (amp == std::string::npos) return parts;
        pos = amp + 1;
    }
}

const std::string& marker() {
    static const std::string m = [] {
        const std::string out = bosbase::detail::redact_url("/p?token=probe-value");
        const std::string head = "/p?token=";
        if (out.rfind(head, 0) != 0 || out.size() == head.size() ||
            out.find("probe-value") != std::string::npos) {
            bosbase_fuzz::fail("redact_url does not redact the probe URL", out);
        }
        return out.substr(head.size());
    }();
    return m;
}

// What redact_url must make of a query or fragment text (without its '?' or '#').
std::string expected_parts(const std::string& text) {
    std::string out;
    bool first = true;
    for (const std::string& part : split(text)) {
        if (!first) out += '&';
        first = false;
        const auto eq = part.find('=');
        const bool secret = eq != std::string::npos &&
                            (is_secret_key(std::string_view(part).substr(0, eq)) || is_jwt(std::string_view(part).substr(eq + 1)));
        out += secret ? part.substr(0, eq + 1) + marker() : part;
    }
    return out;
}

std::string expected(const std::string& url) {
    const auto mark = url.find_first_of("?#");
    const std::string head = url.substr(0, mark);
    std::string out = head;
    const auto scheme = head.find("://");
    if (scheme != std::string::npos) {
        const auto host = scheme + 3;
        const auto authority_end = std::min(head.find('/', host), head.size());
        const auto at = head.substr(0, authority_end).rfind('@');
        if (at != std::string::npos && at >= host) out = head.substr(0, host) + marker() + head.substr(at);
    }
    if (mark == std::string::npos) return out;
    const auto hash = url.find('#', mark);
    if (url[mark] == '?') {
        out += '?' + expected_parts(url.substr(mark + 1, hash == std::string::npos ? std::string::npos : hash - mark - 1));
    }
    if (hash != std::string::npos) out += '#' + expected_parts(url.substr(hash + 1));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        const std::string url(reinterpret_cast<const char*>(data), size);
        const std::string out = bosbase::detail::redact_url(url);
        BOSBASE_FUZZ_CHECK_MSG(out == expected(url), "'" + url + "' became '" + out + "', expected '" + expected(url) + "'");
        BOSBASE_FUZZ_CHECK_MSG(bosbase::detail::redact_url(out) == out, "redacting twice changed the URL again");
    });
}
