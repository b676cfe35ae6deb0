// bosbase-cpp: definitions of pubsub/service.hpp (pubsub_service: pb.pubsub(), publish and subscribe over BosBase's WebSocket.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PUBSUB_SERVICE_IPP
#define BOSBASE_PUBSUB_SERVICE_IPP

#include "service.hpp"
#include "state.hpp"

namespace bosbase {

BOSBASE_DECL void pubsub_service::set_options(const pubsub_options& options) const {
    state()->set_options(options);
}

BOSBASE_DECL std::function<void(const pubsub_message&, const char*)> pubsub_service::decode_failure_reporter() const {
    std::weak_ptr<detail::pubsub_state> weak = state();
    return [weak](const pubsub_message& m, const char* why) {
        if (auto s = weak.lock()) s->report_decode_failure(m, why);
    };
}

BOSBASE_DECL publish_ack pubsub_service::publish(const std::string& topic, const json& data,
                                                 const request_options& options) const {
    return state()->publish(topic, data, options);
}

BOSBASE_DECL subscription pubsub_service::subscribe(const std::string& topic, pubsub_callback callback,
                                                    const request_options& options) const {
    return state()->subscribe(topic, std::move(callback), options);
}

BOSBASE_DECL publish_ack pubsub_service::realtime_publish(const std::string& topic, const std::string& event,
                                                          const json& payload, std::string ref,
                                                          const request_options& options) const {
    if (event.empty()) throw std::invalid_argument("bosbase: a realtime_publish event must not be empty");
    if (ref.empty()) ref = random_ref();
    return publish(topic, json{{"event", event}, {"payload", payload}, {"ref", ref}}, options);
}

BOSBASE_DECL subscription pubsub_service::realtime_subscribe(const std::string& topic,
                                                             std::function<void(const pubsub_realtime_message&)> callback,
                                                             const request_options& options) const {
    if (!callback) throw std::invalid_argument("bosbase: a pub/sub callback must not be empty");
    return subscribe(
        topic, [callback = std::move(callback)](const pubsub_message& m) { callback(detail::to_realtime_message(m)); },
        options);
}

BOSBASE_DECL void pubsub_service::unsubscribe(const std::string& topic) const {
    if (auto s = existing_state()) s->unsubscribe(topic);
}

BOSBASE_DECL void pubsub_service::disconnect() const {
    if (auto s = existing_state()) s->disconnect();
}

BOSBASE_DECL void pubsub_service::on_connect(std::function<void(const connection_event&)> fn) const {
    state()->set_callback(state()->on_connect_, std::move(fn));
}

BOSBASE_DECL void pubsub_service::on_reconnect(std::function<void(const connection_event&)> fn) const {
    state()->set_callback(state()->on_reconnect_, std::move(fn));
}

BOSBASE_DECL void pubsub_service::on_disconnect(std::function<void(const disconnect_event&)> fn) const {
    state()->set_callback(state()->on_disconnect_, std::move(fn));
}

BOSBASE_DECL void pubsub_service::on_error(std::function<void(const ClientResponseError&)> fn) const {
    state()->set_callback(state()->on_error_, std::move(fn));
}

BOSBASE_DECL bool pubsub_service::is_connected() const {
    auto s = existing_state();
    return s && s->is_connected();
}

BOSBASE_DECL std::string pubsub_service::client_id() const {
    auto s = existing_state();
    return s ? s->client_id() : std::string();
}

BOSBASE_DECL std::vector<std::string> pubsub_service::topics() const {
    auto s = existing_state();
    return s ? s->topics() : std::vector<std::string>();
}

BOSBASE_DECL std::shared_ptr<detail::pubsub_state> pubsub_service::state() const {
    auto& core = this->core();
    if (!core.transport().can_websocket()) {
        throw std::logic_error(
            "bosbase: pub/sub needs a transport with the WebSocket call `std::unique_ptr<bosbase::"
            "websocket_connection> connect_websocket(const bosbase::websocket_request&)`; the default "
            "transport has it unless BOSBASE_HTTPLIB_WEBSOCKET is 0 (see README, section 'Pub/sub')");
    }
    return core.template extension<detail::pubsub_state>(
        [&core] { return detail::pubsub_state::make(core); });
}

BOSBASE_DECL std::shared_ptr<detail::pubsub_state> pubsub_service::existing_state() const {
    return this->core().template existing_extension<detail::pubsub_state>();
}

BOSBASE_DECL std::string pubsub_service::random_ref() {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < 16; ++i) out += digits[rng() % 36];
    return out;
}

}  // namespace bosbase

#endif  // BOSBASE_PUBSUB_SERVICE_IPP
