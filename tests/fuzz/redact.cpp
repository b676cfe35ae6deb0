// URL redaction, the SDK's guard against `?token=` and friends reaching error text.
//
// Input: the URL, byte for byte.
//
// Contract of bosbase::detail::redact_url: it never throws; everything up to the
// first '?' is kept; the query splits on '&' into as many parts as before; a part
// whose key (text before its first '=', compared case-insensitively) is token,
// password, passwordConfirm, oldPassword or otp becomes "<key>=<marker>", where
// the marker is the same for every value (learned once from a probe URL); every
// other part is unchanged; redacting twice changes nothing more.
#include "fuzz_support.hpp"

namespace {

const char* const secret_keys[] = {"token", "password", "passwordConfirm", "oldPassword", "otp"};

bool is_secret_key(std::string_view key) {
    for (const char* s : secret_keys) {
        if (bosbase::detail::ascii_iequal(key, s)) return true;
    }
    return false;
}

std::vector<std::string> split_query(const std::string& query) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (true) {
        const auto amp = query.find('&', pos);
        parts.push_back(query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos));
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        const std::string url(reinterpret_cast<const char*>(data), size);
        const std::string out = bosbase::detail::redact_url(url);

        const auto q = url.find('?');
        if (q == std::string::npos) {
            BOSBASE_FUZZ_CHECK_MSG(out == url, "a URL without a query changed");
            return;
        }
        BOSBASE_FUZZ_CHECK_MSG(out.size() > q && out.compare(0, q + 1, url, 0, q + 1) == 0, "the path changed: " + out);
        const auto in_parts = split_query(url.substr(q + 1));
        const auto out_parts = split_query(out.substr(q + 1));
        BOSBASE_FUZZ_CHECK_MSG(in_parts.size() == out_parts.size(), "the number of query parts changed: " + out);
        for (std::size_t i = 0; i < in_parts.size(); ++i) {
            const std::string& part = in_parts[i];
            const auto eq = part.find('=');
            if (eq != std::string::npos && is_secret_key(std::string_view(part).substr(0, eq))) {
                BOSBASE_FUZZ_CHECK_MSG(out_parts[i] == part.substr(0, eq + 1) + marker(),
                                   "secret value not replaced: '" + part + "' became '" + out_parts[i] + "'");
            } else {
                BOSBASE_FUZZ_CHECK_MSG(out_parts[i] == part, "'" + part + "' became '" + out_parts[i] + "'");
            }
        }
        BOSBASE_FUZZ_CHECK_MSG(bosbase::detail::redact_url(out) == out, "redacting twice changed the URL again");
    });
}
