// JWT decoding and the auth store with arbitrary tokens and records.
//
// Input: [flags][token length u16][token][record JSON text...]
//   flags bit 0: register a listener that throws (it must be swallowed)
//   flags bit 1: fire the counting listener immediately on registration
//   flags bits 2-7: is_token_valid threshold in seconds (0..63, shifted)
//
// Contract: jwt_payload / is_token_valid never throw; save() throws only
// std::invalid_argument, and only for tokens that could not go in a header
// (it must refuse CR, LF and NUL), leaving the store and listeners untouched;
// store readers never throw; a removed listener never runs again.
#include "fuzz_support.hpp"

namespace {

using bosbase::json;
using bosbase_fuzz::fail;

// The harness's own parse, capped like the SDK caps response parsing.
json parse_record(const std::string& text) {
    constexpr int max_depth = 64;
    bool too_deep = false;
    json::parser_callback_t limit = [&](int depth, json::parse_event_t event, json&) {
        if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
            depth >= max_depth) {
            too_deep = true;
        }
        return !too_deep;
    };
    json parsed = json::parse(text, limit, false);
    if (too_deep || parsed.is_discarded()) {
        return json(nullptr);
    }
    return parsed;
}

bool header_unsafe(const std::string& token) {
    for (char ch : token) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
    }
    return false;
}

// A superuser: an auth token, of the _superusers collection by the record's
// collectionName when the record has one, else by the token's collectionId claim.
bool expect_superuser(const std::optional<json>& payload, const json& record) {
    auto claim = [&](const char* key) {
        auto it = payload->find(key);
        return it != payload->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (!payload || claim("type") != "auth") return false;
    if (record.is_object() && record.contains("collectionName")) return record["collectionName"] == "_superusers";
    return claim("collectionId") == bosbase::auth_store::superusers_collection_id;
}

std::string base64url(const std::string& in, bool pad) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += table[(buffer >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += table[(buffer << (6 - bits)) & 0x3F];
    while (pad && out.size() % 4 != 0) out += '=';
    return out;
}

// Any JSON object put in a token's payload comes back out of jwt_payload.
void check_round_trip(const json& record) {
    if (!record.is_object()) return;
    const std::string body = record.dump();
    for (bool pad : {false, true}) {
        const auto decoded = bosbase::jwt_payload("e30." + base64url(body, pad) + ".c2ln");
        BOSBASE_FUZZ_CHECK_MSG(decoded && *decoded == record, "jwt_payload lost the payload " + body);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::uint8_t flags = in.byte();
        const std::string token = in.str16();
        const json record = parse_record(in.rest());

        const auto payload = bosbase::jwt_payload(token);
        BOSBASE_FUZZ_CHECK(!payload || payload->is_object());
        const bool valid = bosbase::is_token_valid(token, static_cast<std::int64_t>(flags >> 2) * 60);
        BOSBASE_FUZZ_CHECK_MSG(!valid || payload.has_value(), "a token that is not a JWT counted as valid");
        (void)bosbase::is_token_valid(token, -static_cast<std::int64_t>(flags));

        bosbase::auth_store store;
        std::size_t heard = 0;
        std::string heard_token;
        const auto counting = store.on_change(
            [&](const std::string& t, const json&) {
                ++heard;
                heard_token = t;
            },
            (flags & 2) != 0);
        const std::size_t heard_before_save = heard;
        if (flags & 1) {
            store.on_change([](const std::string&, const json&) { throw std::runtime_error("listener failed"); });
        }

        bool saved = false;
        try {
            store.save(token, record);
            saved = true;
        } catch (const std::invalid_argument& e) {
            BOSBASE_FUZZ_CHECK_MSG(header_unsafe(token), std::string("save() refused a header-safe token: ") + e.what());
            BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.what(), token), "save()'s message quotes the token");
            BOSBASE_FUZZ_CHECK_MSG(store.token().empty() && store.record().is_null(), "a refused save changed the store");
            BOSBASE_FUZZ_CHECK_MSG(heard == heard_before_save, "a refused save notified listeners");
        }
        if (saved) {
            BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::has_cr_lf_nul(token), "save() accepted a token with CR, LF or NUL");
            BOSBASE_FUZZ_CHECK(store.token() == token);
            BOSBASE_FUZZ_CHECK(store.record() == record);
            BOSBASE_FUZZ_CHECK_MSG(heard == heard_before_save + 1 && heard_token == token,
                               "the listener did not hear the save exactly once");
        }

        if (saved) {
            BOSBASE_FUZZ_CHECK(store.is_valid() == valid || (flags >> 2) != 0);
            BOSBASE_FUZZ_CHECK_MSG(store.is_superuser() == expect_superuser(payload, record),
                                   "is_superuser() disagrees with the token's claims and the record");
        } else {
            (void)store.is_valid();
            (void)store.is_superuser();
        }
        check_round_trip(record);
        (void)store.token();
        (void)store.record().dump();

        BOSBASE_FUZZ_CHECK(store.remove_listener(counting));
        BOSBASE_FUZZ_CHECK(!store.remove_listener(counting));
        const std::size_t heard_before_clear = heard;
        store.clear();
        BOSBASE_FUZZ_CHECK_MSG(heard == heard_before_clear, "a removed listener ran");
        BOSBASE_FUZZ_CHECK(store.token().empty() && !store.is_valid() && !store.is_superuser());
    });
}
