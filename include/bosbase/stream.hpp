// bosbase-cpp: the optional streaming call of a transport, which realtime uses.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_STREAM_HPP
#define BOSBASE_STREAM_HPP

#include "transport.hpp"

#include <functional>
#include <string_view>
#include <type_traits>

namespace bosbase {

/// @brief Receives the body of a streamed response chunk by chunk; false stops reading.
using stream_handler = std::function<bool(std::string_view chunk)>;

namespace detail {

template <class T, class = void>
struct has_stream : std::false_type {};

template <class T>
struct has_stream<T, std::void_t<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                                    std::declval<const stream_handler&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().stream(std::declval<const http_request&>(),
                                                             std::declval<const stream_handler&>())),
                          http_response> {};

}  // namespace detail

/// @brief True when T also has the optional streaming call that realtime needs:
/// `http_response stream(const http_request&, const stream_handler&)`. It returns when
/// the server ends the body or the handler returns false, and ends promptly with
/// transport_error(error_kind::canceled) once http_request::cancel is cancelled.
template <class T>
inline constexpr bool is_streaming_transport_v = detail::has_stream<T>::value;

}  // namespace bosbase

#endif  // BOSBASE_STREAM_HPP
