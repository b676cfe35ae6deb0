// Query encoding: build_url(path, query) with arbitrary keys and JSON values.
//
// Input: [param count][params...][path...]; each param is [key length][key][value]
// and a value is [type][payload] (see read_value). Nesting is capped at 4.
//
// Contract: only std::invalid_argument escapes (for a path that is not
// percent-encoded, or a key or value holding non-UTF-8 text); the URL starts with
// the base URL and is printable ASCII without spaces or '#'; its last query
// parts, percent-decoded, are exactly the parameters in order: arrays repeat the
// key, nulls are skipped, strings as they are, everything else as JSON text.
#include "fuzz_support.hpp"

#include <cstring>
#include <optional>

namespace {

using bosbase::json;

constexpr const char* base = "http://127.0.0.1:8090/pfx";

json read_value(bosbase_fuzz::byte_reader& in, int depth) {
    const std::uint8_t type = in.byte();
    switch (depth >= 4 ? type % 5 : type % 8) {
    case 0: return json(nullptr);
    case 1: return json(in.str());
    case 2: return json(static_cast<std::int64_t>(static_cast<std::int16_t>(in.u16())) * in.byte());
    case 3: {
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | in.byte();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return json(d);
    }
    case 4: return json((type & 0x80) != 0);
    case 5: {
        json arr = json::array();
        for (int n = in.byte() % 5; n > 0; --n) arr.push_back(read_value(in, depth + 1));
        return arr;
    }
    case 6: {
        json obj = json::object();
        for (int n = in.byte() % 5; n > 0; --n) {
            std::string key = in.str();
            obj[key] = read_value(in, depth + 1);
        }
        return obj;
    }
    default: return json(static_cast<std::uint64_t>(in.u16()) << (in.byte() % 48));
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The key=value pairs the query should carry; nullopt when a key or value is not
// UTF-8 (the SDK refuses those like JSON does; nlohmann's dump is the independent judge).
std::optional<std::vector<std::pair<std::string, std::string>>> expected_pairs(const bosbase::query_params& q) {
    std::vector<std::pair<std::string, std::string>> out;
    try {
        for (const auto& [key, value] : q) {
            auto emit = [&, &k = key](const json& v) {
                if (v.is_null()) return;
                out.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
                (void)json(out.back().first).dump();   // throws type_error when not UTF-8
                (void)json(out.back().second).dump();
            };
            if (value.is_array()) {
                for (const auto& item : value) emit(item);
            } else {
                emit(value);
            }
        }
    } catch (const json::type_error&) {
        return std::nullopt;
    }
    return out;
}

bool path_is_encoded(std::string_view path) { return bosbase_fuzz::is_wire_safe_target(path); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        bosbase::query_params query;
        for (int n = in.byte() % 8; n > 0; --n) {
            std::string key = in.str();
            query.emplace_back(std::move(key), read_value(in, 0));
        }
        const std::string path = in.rest();

        bosbase::basic_bosbase<bosbase_fuzz::scripted_transport> pb(base, bosbase_fuzz::scripted_transport{});
        const auto expected = expected_pairs(query);
        std::string url;
        try {
            url = pb.build_url(path, query);
        } catch (const std::invalid_argument&) {
            BOSBASE_FUZZ_CHECK_MSG(!expected || !path_is_encoded(path),
                               "build_url refused an encoded path with UTF-8 values");
            return;
        }
        BOSBASE_FUZZ_CHECK_MSG(expected.has_value(), "build_url accepted a value that is not UTF-8");
        BOSBASE_FUZZ_CHECK_MSG(url.rfind(base, 0) == 0, url);
        BOSBASE_FUZZ_CHECK_MSG(bosbase_fuzz::is_wire_safe_target(url), "unsafe byte in " + url);

        const auto qmark = url.find('?');
        if (expected->empty()) return;
        BOSBASE_FUZZ_CHECK_MSG(qmark != std::string::npos, "no query in " + url);
        std::vector<std::string> parts;
        for (std::size_t pos = qmark + 1;;) {
            const auto amp = url.find('&', pos);
            parts.push_back(url.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos));
            if (amp == std::string::npos) break;
            pos = amp + 1;
        }
        BOSBASE_FUZZ_CHECK_MSG(parts.size() >= expected->size(), url);
        const std::size_t first = parts.size() - expected->size();
        for (std::size_t i = 0; i < expected->size(); ++i) {
            const std::string& part = parts[first + i];
            const auto eq = part.find('=');
            BOSBASE_FUZZ_CHECK_MSG(eq != std::string::npos, "no '=' in " + part);
            BOSBASE_FUZZ_CHECK_MSG(percent_decode(part.substr(0, eq)) == (*expected)[i].first, "key of " + part);
            BOSBASE_FUZZ_CHECK_MSG(percent_decode(part.substr(eq + 1)) == (*expected)[i].second, "value of " + part);
        }
    });
}
