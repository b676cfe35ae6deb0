// Base URL parsing through the client constructor.
//
// Input: the base URL, byte for byte.
//
// Contract: only std::invalid_argument escapes, and its text never depends on the
// URL's user info (user:password@), checked by comparing with the message for the
// same URL whose user info is replaced by other letters. An accepted URL gives a
// base_url() with no control bytes or spaces, an origin "http(s)://host[:port]"
// with a port in 1..65535, build_url() = base_url() + path, and a request whose
// origin and target could go on the wire unchanged.
#include "fuzz_support.hpp"

namespace {

using client = bosbase::basic_bosbase<bosbase_fuzz::scripted_transport>;

// The message the constructor throws, or nullopt when it accepts the URL.
std::optional<std::string> construct_error(const std::string& url) {
    try {
        client pb(url, bosbase_fuzz::scripted_transport{});
        return std::nullopt;
    } catch (const std::invalid_argument& e) {
        return std::string(e.what());
    }
}

// [start, end) of the user info when the authority has an '@', else nullopt.
std::optional<std::pair<std::size_t, std::size_t>> user_info_span(const std::string& url) {
    const auto sep = url.find("://");
    if (sep == std::string::npos) return std::nullopt;
    const std::size_t start = sep + 3;
    const std::size_t end_of_authority = std::min(url.find_first_of("/?#", start), url.size());
    const auto at = url.rfind('@', end_of_authority == 0 ? 0 : end_of_authority - 1);
    if (at == std::string::npos || at < start) return std::nullopt;
    return std::make_pair(start, at);
}

// Same length, same structure-bearing bytes, every other byte changed.
std::string replace_user_info(std::string url, std::size_t start, std::size_t end) {
    for (std::size_t i = start; i < end; ++i) {
        const char c = url[i];
        if (std::string_view(":@/?#[]% \t\r\n", 13).find(c) != std::string_view::npos ||
            static_cast<unsigned char>(c) < 0x20) {
            continue;
        }
        url[i] = c == 'u' ? 'v' : 'u';
    }
    return url;
}

void check_accepted(const std::string& url) {
    bosbase_fuzz::scripted_transport transport;
    client pb(url, transport);
    const std::string base = pb.base_url();
    for (char ch : base) {
        const auto c = static_cast<unsigned char>(ch);
        BOSBASE_FUZZ_CHECK_MSG(c > 0x20 && c != 0x7F, "base_url() has a control byte or space: " + base);
    }
    const std::size_t scheme_end = base.rfind("https://", 0) == 0 ? 8 : base.rfind("http://", 0) == 0 ? 7 : 0;
    BOSBASE_FUZZ_CHECK_MSG(scheme_end != 0, "base_url() does not start with http:// or https://: " + base);
    const std::size_t path_start = std::min(base.find('/', scheme_end), base.size());
    const std::string origin = base.substr(0, path_start);
    const std::string authority = origin.substr(scheme_end);
    BOSBASE_FUZZ_CHECK_MSG(!authority.empty() && authority.find_first_of("@?#") == std::string::npos,
                       "bad authority: " + base);
    const auto close = authority.rfind(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
        const std::string port = authority.substr(colon + 1);
        const bool digits = !port.empty() && port.size() <= 5 &&
                            port.find_first_not_of("0123456789") == std::string::npos;
        BOSBASE_FUZZ_CHECK_MSG(digits && std::stol(port) >= 1 && std::stol(port) <= 65535,
                           "accepted a base URL with port '" + port + "'");
    }

    const std::string api = pb.build_url("/api/x");
    BOSBASE_FUZZ_CHECK_MSG(api == base + "/api/x", api + " vs " + base);

    transport.s->expected_origin = origin;
    (void)pb.send("GET", "/api/health");  // the transport checks the request line and headers
    BOSBASE_FUZZ_CHECK(transport.s->calls == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        const std::string url(reinterpret_cast<const char*>(data), size);
        const auto error = construct_error(url);
        if (!error) {
            check_accepted(url);
            return;
        }
        if (const auto span = user_info_span(url); span && span->second > span->first) {
            const auto other = construct_error(replace_user_info(url, span->first, span->second));
            BOSBASE_FUZZ_CHECK_MSG(other.has_value(), "accepted once the user info changed");
            BOSBASE_FUZZ_CHECK_MSG(*other == *error, "the error text depends on the user info:\n  " + *error);
        }
    });
}
