// bosbase-cpp: httplib_call: what one call of the cpp-httplib transport has seen, and the checks on it.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_HTTPLIB_CALL_HPP
#define BOSBASE_HTTPLIB_CALL_HPP

#include "../platform.hpp"
#include "../transfer.hpp"
#include "../transport.hpp"
#include "compat.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#ifndef BOSBASE_NO_HTTPLIB

#include <httplib.h>

namespace bosbase {

namespace detail {

/// What one call of httplib_transport has seen so far: its timing, its body or download sink,
/// and the checks on what arrived. cpp-httplib's callbacks run it on the calling thread.
struct httplib_call {
    using clock = std::chrono::steady_clock;

    httplib_call(const http_request& r, clock::time_point first_attempt)
        : req(r), started(clock::now()), last_activity(started), first_attempt(first_attempt) {}
    explicit httplib_call(const http_request& r) : httplib_call(r, clock::now()) {}

    const http_request& req;
    const clock::time_point started;  // of this attempt
    clock::time_point last_activity;  // request sent out, headers or a body chunk seen
    std::chrono::milliseconds read_timeout{};   // as configured: at most the time left
    std::chrono::milliseconds write_timeout{};
    std::chrono::milliseconds connect_timeout{};
    std::string body;
    bool content_encoded = false;
    bool stopped = false;  // the watchdog shut the connection down
    bool answer_seen = false;  // a status line and headers arrived
    const clock::time_point first_attempt;  // a retry shares its call's deadline
    std::optional<transport_error> failure;
    std::exception_ptr caught;
    response_sink* sink = nullptr;  // a download: the body goes here, not into `body`
    http_response head;             // a download's status and headers
    std::uint64_t received = 0;
    bool sink_stopped = false;
    std::optional<std::uint64_t> announced;  // Content-Length, when it is the size of the bytes handed over
    // A plain-HTTP download's client, whose socket is asked for bytes beyond the announced ones.
    const httplib::Client* surplus_probe = nullptr;

    // RFC 9110 8.6, RFC 9112 6.3: with Content-Length values that disagree no one can tell
    // where the body ends. `lengths` is equal_range("Content-Length") of cpp-httplib's
    // Headers (a multimap in 0.11, an unordered multimap in 0.41, both case-insensitive).
    template <class Range>
    static bool lengths_disagree(const Range& lengths) {
        if (lengths.first == lengths.second) return false;
        for (auto it = std::next(lengths.first); it != lengths.second; ++it) {
            if (it->second != lengths.first->second) return true;
        }
        return false;
    }

    bool canceled() const noexcept { return req.cancel && req.cancel->is_canceled(); }

    transport_error canceled_error() const {
        return {transport_error::kind::canceled, req.method + " " + req.origin + " was cancelled"};
    }

    bool on_headers(const httplib::Response& r) {
        last_activity = clock::now();
        answer_seen = true;
        if (canceled()) return false;
        if (auto bad = check_header_count(r.headers.size())) {
            failure = std::move(bad);
            return false;
        }
        if (auto bad = check_status(r.status)) {
            failure = std::move(bad);
            return false;
        }
        // One lookup where has_header() + get_header_value() make two.
        const auto lengths = r.headers.equal_range("Content-Length");
        if (lengths_disagree(lengths)) {  // 0.41 fails such headers before this handler runs
            failure = conflicting_lengths();
            return false;
        }
        if (last_activity >= req.deadline) {
            failure = deadline_exceeded();
            return false;
        }
        content_encoded = req.decompress && r.has_header("Content-Encoding");
        if (content_encoded && !httplib_compat::decodable(r.get_header_value("Content-Encoding"))) {
            // 0.11 would pass such a body on still encoded, 0.41 fails it as a read error.
            failure = transport_error(transport_error::kind::invalid_response,
                                      "the response from " + req.origin +
                                          " uses a Content-Encoding this build of cpp-httplib cannot decode");
            return false;
        }
        if (sink != nullptr) {
            head.status = r.status;
            for (const auto& h : r.headers) head.headers.emplace_back(h.first, h.second);
        }
        const std::string* declared =
            content_encoded || lengths.first == lengths.second ? nullptr : &lengths.first->second;
        if (declared != nullptr) {
            // A declared length over the cap fails before any body byte is read.
            const std::string& value = *declared;
            char* end = nullptr;
            const unsigned long long length = std::strtoull(value.c_str(), &end, 10);
            // A download's sink makes this check itself, naming the caller's cap.
            if (end != value.c_str() && *end == '\0' && length > req.max_response_bytes && sink == nullptr) {
                failure = too_large();
                return false;
            }
            if (end != value.c_str() && *end == '\0') {
                announced = length;
                // Reserve only a little: the length is the server's word, not yet bytes.
                if (sink == nullptr) {
                    body.reserve(static_cast<std::size_t>(std::min<unsigned long long>(length, 256u << 10)));
                }
            }
        }
        return sink == nullptr || to_sink([&] { return sink->on_head(head.status, head.headers); });
    }

    // A sink that throws or says stop ends the call without unwinding through cpp-httplib.
    template <class F>
    bool to_sink(F&& f) {
        try {
            sink_stopped = !f();
        } catch (...) {
            caught = std::current_exception();
            return false;
        }
        return !sink_stopped;
    }

    bool on_body(const char* data, std::size_t n) {
        last_activity = clock::now();
        if (canceled()) return false;
        if (sink != nullptr) {
            if (n > req.max_response_bytes - received) {
                failure = too_large();
                return false;
            }
            if (last_activity >= req.deadline) {
                failure = deadline_exceeded();
                return false;
            }
            received += n;
            if (!to_sink([&] { return sink->on_body(std::string_view(data, n)); })) return false;
            // Bytes beyond the announced ones arrive with the last of them. They are looked for
            // now, while the socket is open: on a Connection: close answer cpp-httplib closes
            // it before the call returns (the one after-the-call check sees only kept-alive
            // connections). Bytes cpp-httplib has already buffered stay unseen.
            if (surplus_probe != nullptr && announced && received == *announced &&
                bytes_pending(surplus_probe->socket())) {
                failure = surplus();
                return false;
            }
            return true;
        }
        if (n > req.max_response_bytes - body.size()) {
            failure = too_large();
            return false;
        }
        if (last_activity >= req.deadline) {
            failure = deadline_exceeded();
            return false;
        }
        try {
            body.append(data, n);
        } catch (...) {
            // Unwinding through cpp-httplib would leave its connection marked busy.
            caught = std::current_exception();
            return false;
        }
        return true;
    }

    // cpp-httplib 0.41 stops at 100 header lines; 0.11 has no limit, so the same
    // cap is applied here once the headers are in.
    std::optional<transport_error> check_header_count(std::size_t count) const {
        constexpr std::size_t max_headers = 100;
        if (count <= max_headers) {
            return std::nullopt;
        }
        return transport_error(transport_error::kind::too_large,
                               "the response from " + req.origin + " has more than " +
                                   std::to_string(max_headers) + " header lines");
    }

    std::optional<transport_error> check_status(int status) const {
        if (status >= 100 && status < 200) {
            return transport_error(
                transport_error::kind::invalid_response,
                "server sent an interim 1xx response (" + std::to_string(status) + ") that cpp-httplib returns as final; " +
                    req.method + " " + req.origin + " abandoned");
        }
        if (status < 100) {
            return transport_error(transport_error::kind::invalid_response,
                                   "server sent an invalid status code (" + std::to_string(status) + ") to " +
                                       req.method + " " + req.origin);
        }
        return std::nullopt;
    }

    transport_error deadline_exceeded() const {
        const auto budget = req.deadline > first_attempt
                                ? std::chrono::ceil<std::chrono::milliseconds>(req.deadline - first_attempt)
                                : std::chrono::milliseconds(0);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - first_attempt);
        return {transport_error::kind::deadline, req.method + " " + req.origin + " exceeded its deadline of " +
                                                     std::to_string(budget.count()) + " ms (stopped after " +
                                                     std::to_string(took.count()) + " ms)"};
    }

    transport_error conflicting_lengths() const {
        return {transport_error::kind::invalid_response,
                "the response from " + req.origin + " has Content-Length headers that disagree"};
    }

    transport_error surplus() const {
        return {transport_error::kind::invalid_response,
                "the response from " + req.origin + " has more body bytes than its Content-Length announced"};
    }

    transport_error too_large() const {
        return {transport_error::kind::too_large, "the response from " + req.origin +
                                                      " is larger than the limit of " +
                                                      std::to_string(req.max_response_bytes) +
                                                      " bytes (max_response_bytes)"};
    }
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB
#endif  // BOSBASE_HTTPLIB_CALL_HPP
