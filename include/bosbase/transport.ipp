// bosbase-cpp: definitions of transport.hpp (the transport policy: what a client hands a transport, what it gets back, and how a transport fails.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TRANSPORT_IPP
#define BOSBASE_TRANSPORT_IPP

#include "transport.hpp"

namespace bosbase {

BOSBASE_DECL const char* to_string(error_kind k) noexcept {
    switch (k) {
    case error_kind::none: return "none";
    case error_kind::connect: return "connect";
    case error_kind::resolve: return "resolve";
    case error_kind::timeout: return "timeout";
    case error_kind::deadline: return "deadline";
    case error_kind::tls: return "tls";
    case error_kind::send: return "send";
    case error_kind::receive: return "receive";
    case error_kind::canceled: return "canceled";
    case error_kind::too_large: return "too_large";
    case error_kind::invalid_response: return "invalid_response";
    case error_kind::other: return "other";
    }
    return "other";
}

}  // namespace bosbase

namespace bosbase {
namespace detail {

BOSBASE_DECL transport_fault current_transport_fault() {
    try {
        throw;
    } catch (const transport_error& e) {
        return {e.error_kind(), e.what()};
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        return {error_kind::other, e.what()};
    } catch (...) {
        return {error_kind::other, "the transport threw a non-standard exception"};
    }
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_TRANSPORT_IPP
