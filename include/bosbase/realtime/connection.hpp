// bosbase-cpp: One realtime connection: the stream request, reading it, how it ended, and the delay before the next.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_CONNECTION_HPP
#define BOSBASE_REALTIME_CONNECTION_HPP

#include "events.hpp"
#include "sse_parser.hpp"
#include "../detail/base_url.hpp"
#include "../detail/json_parse.hpp"
#include "../detail/text.hpp"
#include "../detail/transport_ops.hpp"
#include "../errors.hpp"
#include "../options.hpp"
#include "../stream.hpp"
#include "../transport.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace bosbase {

namespace detail {

/// How one connection ended, for the state machine and on_disconnect.
struct realtime_connection_end {
    bool subscribed = false;  // the set was on the server: a lost connection, not a failed attempt
    realtime_disconnect info;
    std::optional<ClientResponseError> error;  // why an attempt failed
    std::optional<std::chrono::milliseconds> retry;  // the server's SSE `retry:`
    std::string stop_reason;  // set by the event handler when it ends the stream itself
};

/// The GET that opens a stream, without the per-connection read timeout and cancel.
/// Like EventSource: no Authorization (the POST carries it) and no hooks.
BOSBASE_DECL http_request realtime_stream_request(const parsed_base_url& url, std::string target,
                                            const client_options& settings);

/// Opens the stream through `transport` and feeds `on_event(const sse_event&,
/// realtime_connection_end&) -> bool` until the stream ends, fails, or on_event returns
/// false; then says why. Never throws (what the transport throws is the reason).
template <class OnEvent>
realtime_connection_end run_realtime_stream(transport_ops& transport, const http_request& req,
                                            std::size_t max_event_bytes, OnEvent&& on_event) {
    realtime_connection_end end;
    sse_parser parser(max_event_bytes);
    const std::string url = redact_url(req.origin + req.target);
    try {
        const http_response res = transport.stream(req, [&](std::string_view chunk) {
            return parser.feed(chunk, [&](const sse_event& ev) { return on_event(ev, end); });
        });
        if (res.status < 200 || res.status > 299) {
            end.error.emplace(url, res.status, json{{"status", res.status},
                                                    {"message", "The realtime stream was refused."},
                                                    {"data", json::object()}});
            end.info.reason = "GET /api/realtime answered HTTP " + std::to_string(res.status);
        } else if (!parser.error().empty()) {
            end.info.reason = parser.error();
            end.info.kind = error_kind::too_large;
        } else if (!end.stop_reason.empty()) {
            end.info.reason = end.stop_reason;
        } else {
            end.info.reason = "the server closed the stream";
        }
    } catch (const std::bad_alloc&) {
        // This runs on the connection's own thread, where nothing may escape.
        end.info.kind = error_kind::other;
        end.info.reason = "out of memory";
    } catch (...) {
        transport_fault fault = current_transport_fault();
        end.info.kind = fault.kind;
        end.info.reason = std::move(fault.what);
    }
    if (!end.subscribed && !end.error) {
        end.error.emplace(url, 0, json::object(), end.info.kind == error_kind::none ? error_kind::receive : end.info.kind,
                          "realtime connection failed: " + end.info.reason);
    }
    end.retry = parser.retry();
    return end;
}

/// The client id a PB_CONNECT event carries ("" when none).
BOSBASE_DECL std::string realtime_client_id(const sse_event& ev);

/// What the callbacks of `ev.event` get: data that is not JSON becomes {} (as in the JS SDK).
BOSBASE_DECL realtime_event to_realtime_event(const sse_event& ev, std::size_t max_json_depth);

/// Exponential with "equal jitter": half fixed, half random, so many clients that lost
/// the same server do not come back in step. The server's `retry:` may lengthen the
/// first delay up to max_reconnect_delay but never shorten it below reconnect_delay:
/// `retry: 0` from a server that closes every stream at once would otherwise reconnect
/// as fast as the network allows.
BOSBASE_DECL std::chrono::milliseconds realtime_backoff(std::size_t attempt, const realtime_options& opts,
                                                  std::optional<std::chrono::milliseconds> server_retry,
                                                  std::minstd_rand& rng);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "connection.ipp"
#endif

#endif  // BOSBASE_REALTIME_CONNECTION_HPP
