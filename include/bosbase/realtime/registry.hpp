// bosbase-cpp: The subscriptions of one realtime connection: topic strings, callbacks, what the server holds.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_REGISTRY_HPP
#define BOSBASE_REALTIME_REGISTRY_HPP

#include "events.hpp"
#include "../detail/text.hpp"
#include "../options.hpp"
#include "../transport.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// The subscription string for a topic and options, byte for byte as the JS SDK
/// builds it: `topic?options=<encodeURIComponent(JSON.stringify({query, headers}))>`.
/// A subscribe call's request_options apart: filter, expand, fields, query and headers are the
/// subscription's own (none of them: no `?options=`), the rest bounds the call.
BOSBASE_DECL std::pair<std::optional<subscribe_options>, request_options> split_subscribe_options(const request_options& o);

BOSBASE_DECL std::string realtime_topic_key(const std::string& topic, const std::optional<subscribe_options>& options);

/// One callback of one topic. The subscription handle reaches it through a weak_ptr,
/// so its address is its identity and no id counter is needed.
struct realtime_listener {
    realtime_listener(std::string k, realtime_callback f) : key(std::move(k)), fn(std::move(f)) {}
    const std::string key;
    const realtime_callback fn;
    bool removed = false;  // guarded by the lock of the registry's owner
};

/// The topics of one client in first-subscribe order (the order the POST lists them
/// in, like the JS SDK), their callbacks, and how the local set relates to the one
/// the server holds for the current connection. Not synchronised: realtime_state
/// calls it under its one lock. Removed listeners are handed back to the caller,
/// which destroys them after unlocking (a callback's captures may own the client).
class realtime_registry {
public:
    static constexpr std::size_t max_topic_bytes = 2500;  // the server's limit per subscription
    static constexpr std::size_t max_topics = 1000;       // and per client

    using listener_ptr = std::shared_ptr<realtime_listener>;

    static void check_key(const std::string& key);

    bool empty() const noexcept { return topics_.empty(); }

    /// Adds a callback; a new topic is neither on the server nor on its way there.
    listener_ptr add(const std::string& key, realtime_callback fn);

    /// Removes one listener (moved into `dropped`). True when its topic went away
    /// while the server may still hold it: the server's set is then larger than ours.
    bool remove(const realtime_listener* l, std::vector<listener_ptr>& dropped);

    /// Removes every topic whose string + "?" starts with `prefix` (the JS SDK's
    /// unsubscribeByPrefix). True as for remove().
    bool remove_by_prefix(std::string_view prefix, std::vector<listener_ptr>& dropped);

    std::vector<listener_ptr> listeners(const std::string& topic) const;

    std::vector<std::string> keys() const;

    /// The server confirmed a set that held this topic (on the current connection).
    bool on_server(const std::string& key) const;

    /// The server's set is not (or may not be) ours: something to POST.
    bool dirty() const;

    /// The whole set for a POST; every topic in it is on its way to the server.
    json begin_post();

    /// The POST begun last ended. Accepted: what it carried is on the server. Failed:
    /// the server kept its old set or took the new one; topics confirmed before are in
    /// both, but it may hold topics we have dropped since.
    void end_post(bool accepted);

    /// A new connection: the server holds nothing for it yet.
    void connection_lost();

private:
    struct topic {
        std::string key;
        bool in_flight;  // in the POST under way
        bool on_server;  // in a set the server accepted on this connection
        std::vector<listener_ptr> listeners;
    };

    typename std::vector<topic>::iterator find(const std::string& key);
    typename std::vector<topic>::const_iterator find(const std::string& key) const;

    bool erase_topic(typename std::vector<topic>::iterator& it);

    std::vector<topic> topics_;  // a linear search: at most max_topics, usually a handful
    bool stale_ = false;         // the server may hold topics that are no longer here
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "registry.ipp"
#endif

#endif  // BOSBASE_REALTIME_REGISTRY_HPP
