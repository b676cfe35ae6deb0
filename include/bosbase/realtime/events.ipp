// bosbase-cpp: definitions of realtime/events.hpp (what realtime hands the app: events, disconnect reasons, options, subscription handles.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_EVENTS_IPP
#define BOSBASE_REALTIME_EVENTS_IPP

#include "events.hpp"

namespace bosbase {

BOSBASE_DECL subscription& subscription::operator=(subscription&& other) noexcept {
    if (this != &other) {
        unsubscribe();
        topic_ = std::move(other.topic_);
        remove_ = std::exchange(other.remove_, nullptr);
    }
    return *this;
}

BOSBASE_DECL void subscription::unsubscribe() noexcept {
    auto remove = std::exchange(remove_, nullptr);
    if (remove) {
        try {
            remove();
        } catch (...) {
        }
    }
}

}  // namespace bosbase

#endif  // BOSBASE_REALTIME_EVENTS_IPP
