// What the unit tests of the vector, LLM document, LangChaingo and cache services share:
// the exact request a call sent, and the error an unusable answer becomes.
#pragma once

#include <doctest/doctest.h>
#include <error_of.hpp>  // error_of: the ClientResponseError a call ends with
#include <fake_transport.hpp>

#include <functional>
#include <string>

namespace bosbase_test {

// The last request, byte for byte: method, target (with query) and JSON body ("" = none).
inline void check_sent(const fake_transport& t, const std::string& method, const std::string& target,
                       const std::string& body) {
    const bosbase::http_request& req = t.last();
    CHECK(req.method == method);
    CHECK(req.target == target);
    CHECK(req.body == body);
    CHECK(req.content_type == (body.empty() ? "" : "application/json"));
}


// An answer of the wrong shape: invalid_response with the status the server sent.
inline void check_invalid(fake_transport& t, int status, const bosbase::json& body,
                          const std::function<void()>& call) {
    CAPTURE(body.dump());
    t.reply_json(status, body);
    const auto e = error_of(call);
    CHECK(e.status() == status);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
}

// Bad input: std::invalid_argument, and nothing reached the transport.
inline void check_refused(const fake_transport& t, const std::function<void()>& call) {
    const auto sent = t.count();
    CHECK_THROWS_AS(call(), std::invalid_argument);
    CHECK(t.count() == sent);
}

}  // namespace bosbase_test
