// bosbase-cpp: definitions of websocket.hpp (the optional WebSocket call of a transport, which pub/sub uses.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_WEBSOCKET_IPP
#define BOSBASE_WEBSOCKET_IPP

#include "websocket.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::string websocket_origin(const std::string& origin) {
    if (origin.compare(0, 8, "https://") == 0) return "wss://" + origin.substr(8);
    if (origin.compare(0, 7, "http://") == 0) return "ws://" + origin.substr(7);
    return origin;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_WEBSOCKET_IPP
