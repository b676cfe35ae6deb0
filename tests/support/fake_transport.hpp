// A transport that records every request and answers from a script, so unit
// tests can assert the exact method, target, headers and body of each call.
#pragma once

#include <bosbase.hpp>
#include <bosbase_internals.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bosbase_test {

struct fake_transport {
    using responder = std::function<bosbase::http_response(const bosbase::http_request&)>;

    struct state {
        std::vector<bosbase::http_request> requests;
        std::deque<responder> script;
    };

    // Shared so the test keeps a handle after the client takes its copy.
    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        s->requests.push_back(req);
        if (s->script.empty()) {
            throw std::logic_error("fake_transport: unexpected request " + req.method + " " + req.target);
        }
        auto next = std::move(s->script.front());
        s->script.pop_front();
        return next(req);
    }

    void reply(int status, std::string body = {}) {
        s->script.push_back([status, body](const bosbase::http_request&) {
            return bosbase::http_response{status, {}, body};
        });
    }

    void reply_json(int status, const bosbase::json& body) { reply(status, body.dump()); }

    void fail(bosbase::transport_error::kind k, std::string message) {
        s->script.push_back([k, message](const bosbase::http_request&) -> bosbase::http_response {
            throw bosbase::transport_error(k, message);
        });
    }

    const bosbase::http_request& last() const { return s->requests.back(); }
    std::size_t count() const { return s->requests.size(); }
};

using fake_client = bosbase::basic_bosbase<fake_transport>;

inline std::string header(const bosbase::http_request& req, const std::string& name) {
    for (const auto& h : req.headers) {
        if (bosbase::detail::ascii_iequal(h.first, name)) return h.second;
    }
    return "<absent>";
}

inline std::size_t header_count(const bosbase::http_request& req, const std::string& name) {
    std::size_t n = 0;
    for (const auto& h : req.headers) {
        if (bosbase::detail::ascii_iequal(h.first, name)) ++n;
    }
    return n;
}

inline std::string base64url(const std::string& in) {
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
    return out;
}

// An unsigned JWT-shaped token; the SDK never checks signatures.
inline std::string make_jwt(const bosbase::json& payload) {
    return base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(payload.dump()) + ".c2lnbmF0dXJl";
}

inline std::string valid_auth_token(const std::string& collection_id = "_pb_users_auth_") {
    return make_jwt({{"type", "auth"}, {"id", "r1"}, {"collectionId", collection_id}, {"refreshable", false},
                     {"exp", 4102444800}});  // 2100-01-01
}

inline bosbase::json auth_response(const std::string& token, const std::string& collection = "users") {
    const std::string id = collection == "_superusers" ? "pbc_3142635823" : "_pb_users_auth_";
    return {{"record",
             {{"collectionId", id}, {"collectionName", collection}, {"id", "r1"}, {"email", "u@x.io"}}},
            {"token", token}};
}

// Signs the client in through the fake transport; returns the stored auth token.
inline std::string sign_in(fake_client& pb, fake_transport& t) {
    const std::string jwt = valid_auth_token();
    t.reply_json(200, auth_response(jwt));
    pb.collection("users").auth_with_token("tok");
    return jwt;
}

// Misuse (a moved-from client) is a std::logic_error, and deliberately not a
// std::invalid_argument: the arguments are fine, the object is not.
template <class F>
std::string misuse_error(F&& call) {
    try {
        call();
    } catch (const std::invalid_argument& e) {
        return std::string("invalid_argument: ") + e.what();
    } catch (const std::logic_error& e) {
        return "logic_error";
    }
    return "no exception";
}

}  // namespace bosbase_test
