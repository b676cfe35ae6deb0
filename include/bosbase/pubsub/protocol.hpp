// bosbase-cpp: The /api/pubsub wire format: frames out, frames in, and the socket URL.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_PROTOCOL_HPP
#define BOSBASE_PUBSUB_PROTOCOL_HPP

#include "events.hpp"
#include "../detail/base_url.hpp"
#include "../detail/json_parse.hpp"
#include "../detail/text.hpp"
#include "../transport.hpp"
#include "../websocket.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>

namespace bosbase {

namespace detail {

/// One server frame, as apis/pubsub.go's serverEnvelope has it. Fields the frame lacks stay empty.
struct pubsub_frame {
    std::string type;  // ready, message, published, subscribed, unsubscribed, pong, error
    std::string request_id;
    std::string client_id;
    std::string id;
    std::string topic;
    std::string created;
    std::string message;  // of an error frame
    json data;            // null when absent
};

/// Parses one text frame; nullopt when it is not a JSON object with a string `type`, or
/// nests deeper than `max_depth`. Members of the wrong type read as absent (the server
/// omits empty ones), so no frame can make this throw (but std::bad_alloc).
BOSBASE_DECL std::optional<pubsub_frame> parse_pubsub_frame(const std::string& text, std::size_t max_depth);

/// `{"type":…,"topic":…,"requestId":…}` (and `data` for publish), as the JS SDK sends them.
BOSBASE_DECL std::string pubsub_request_frame(std::string_view type, const std::string* topic, const std::string& request_id,
                                        const std::string* data_json = nullptr);

/// ws(s)://host/prefix/api/pubsub for the base URL (http → ws, https → wss). The token
/// goes in the Authorization header, which the server reads first: unlike ?token= (what
/// browsers must use) it stays out of access logs, and cpp-httplib's WebSocket client
/// before 0.47.0 drops a URL's query string.
BOSBASE_DECL std::string pubsub_url(const parsed_base_url& url);

/// A topic the server would take: not blank (it trims), valid UTF-8.
BOSBASE_DECL void check_pubsub_topic(const std::string& topic);

/// A final answer to the upgrade (the same request gets it again): the calls waiting end with it.
/// Other statuses (5xx, 429, a proxy's 502) and network failures are retried.
inline bool pubsub_refusal_is_final(int status) { return status == 401 || status == 403 || status == 404 || status == 407; }

/// The ids of the last `capacity` messages delivered, to deliver each id at most once.
///
/// The server may send a message again, and not only across a reconnect: its poller (without
/// REDIS_URL) binds the cursor of the newest stored row with milliseconds (types.DateTime's
/// text) against a column with microseconds, so a new server process re-sends the newest row
/// stored before it, every 350 ms, until a newer row is stored; a subscriber that reconnects
/// to it after a restart gets the last message again, behind newer ones. The protocol has no
/// cursor of the client's to correct (the client sends type, topic, data and requestId only),
/// so the SDK drops repeats by id. Memory is bounded; 1024 ids cover what is repeated, which
/// is only ever the newest stored message, and only until any newer one is stored.
class pubsub_recent_ids {
public:
    static constexpr std::size_t capacity = 1024;

    bool contains(const std::string& id) const { return !id.empty() && ids_.count(id) != 0; }

    void add(const std::string& id);

private:
    std::unordered_set<std::string> ids_;
    std::deque<std::string> order_;  // oldest first
};

/// The JS SDK's realtimeSubscribe normalisation of one message.
BOSBASE_DECL pubsub_realtime_message to_realtime_message(const pubsub_message& m);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "protocol.ipp"
#endif

#endif  // BOSBASE_PUBSUB_PROTOCOL_HPP
