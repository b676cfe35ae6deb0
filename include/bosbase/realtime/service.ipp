// bosbase-cpp: definitions of realtime/service.hpp (realtime_service: pb.realtime(), subscriptions over server-sent events.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_SERVICE_IPP
#define BOSBASE_REALTIME_SERVICE_IPP

#include "service.hpp"
#include "state.hpp"

namespace bosbase {

BOSBASE_DECL void realtime_service::set_options(const realtime_options& options) const {
    state()->set_options(options);
}

BOSBASE_DECL subscription realtime_service::subscribe_key(const std::string& key, realtime_callback callback,
                                                          const request_options& options) const {
    return state()->subscribe(this->core(), key, std::move(callback), options);
}

BOSBASE_DECL subscription realtime_service::subscribe(const std::string& topic, realtime_callback callback,
                                                      const request_options& options) const {
    auto split = detail::split_subscribe_options(options);
    return state()->subscribe(this->core(), detail::realtime_topic_key(topic, split.first), std::move(callback),
                              split.second);
}

BOSBASE_DECL void realtime_service::unsubscribe(std::string_view topic) const {
    if (topic.empty()) {
        unsubscribe_by_prefix("");
        return;
    }
    const std::string prefix = topic.find('?') == std::string_view::npos ? std::string(topic) + "?"
                                                                           : std::string(topic);
    if (auto s = existing_state()) s->remove_by_prefix(this->core(), prefix);
}

BOSBASE_DECL void realtime_service::unsubscribe_by_prefix(std::string_view prefix) const {
    if (auto s = existing_state()) s->remove_by_prefix(this->core(), prefix);
}

BOSBASE_DECL void realtime_service::disconnect() const {
    if (auto s = existing_state()) s->remove_by_prefix(this->core(), "", "disconnect() was called");
}

BOSBASE_DECL void realtime_service::on_connect(std::function<void(const connection_event&)> fn) const {
    state()->set_on_connect(std::move(fn));
}

BOSBASE_DECL void realtime_service::on_reconnect(std::function<void(const connection_event&)> fn) const {
    state()->set_on_reconnect(std::move(fn));
}

BOSBASE_DECL void realtime_service::on_disconnect(std::function<void(const disconnect_event&)> fn) const {
    state()->set_on_disconnect(std::move(fn));
}

BOSBASE_DECL void realtime_service::on_error(std::function<void(const ClientResponseError&)> fn) const {
    state()->set_on_error(std::move(fn));
}

BOSBASE_DECL bool realtime_service::is_connected() const {
    auto s = existing_state();
    return s && s->is_connected();
}

BOSBASE_DECL std::string realtime_service::client_id() const {
    auto s = existing_state();
    return s ? s->client_id() : std::string();
}

BOSBASE_DECL std::vector<std::string> realtime_service::topics() const {
    auto s = existing_state();
    return s ? s->topics() : std::vector<std::string>();
}

BOSBASE_DECL std::shared_ptr<detail::realtime_state> realtime_service::state() const {
    auto& core = this->core();
    if (!core.transport().can_stream()) {
        throw std::logic_error(
            "bosbase: realtime needs a transport with the streaming call `bosbase::http_response "
            "stream(const bosbase::http_request&, const bosbase::stream_handler&)` "
            "(see README, section 'Realtime')");
    }
    return core.template extension<detail::realtime_state>(
        [&core] { return detail::realtime_state::make(core); });
}

BOSBASE_DECL std::shared_ptr<detail::realtime_state> realtime_service::existing_state() const {
    return this->core().template existing_extension<detail::realtime_state>();
}

BOSBASE_DECL subscription record_service::subscribe(const std::string& topic,
                                                    std::function<void(const realtime_event&)> callback,
                                                    const request_options& options) const {
    if (topic.empty()) {
        throw std::invalid_argument("bosbase: a record subscription needs a topic: \"*\" or a record id");
    }
    return realtime_service(this->core_ptr())
        .subscribe(collection_ + "/" + topic, std::move(callback), options);
}

BOSBASE_DECL subscription record_service::subscribe_with(const std::string& topic,
                                                         std::function<void(const realtime_event&)> callback,
                                                         const subscribe_options& subscription_options,
                                                         const request_options& options) const {
    if (topic.empty()) {
        throw std::invalid_argument("bosbase: a record subscription needs a topic: \"*\" or a record id");
    }
    return realtime_service(this->core_ptr())
        .subscribe(collection_ + "/" + topic, std::move(callback), subscription_options, options);
}

// Unlike the JS SDK, "" ends only this collection's topics, not those of every
// collection whose name starts with this one's.
BOSBASE_DECL void record_service::unsubscribe(std::string_view topic) const {
    realtime_service rt(this->core_ptr());
    if (topic.empty()) {
        rt.unsubscribe_by_prefix(collection_ + "/");
    } else {
        rt.unsubscribe(collection_ + "/" + std::string(topic));
    }
}

}  // namespace bosbase

#endif  // BOSBASE_REALTIME_SERVICE_IPP
