// bosbase-cpp: the optional transport calls for bodies that never sit whole in memory: upload and download.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TRANSFER_HPP
#define BOSBASE_TRANSFER_HPP

#include "transport.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bosbase {

/// @brief A request body produced in pieces, of a length known before it is sent.
struct body_source {
    /// Exactly how many bytes read() produces in all (sent as Content-Length).
    std::uint64_t size = 0;
    /// Copies up to `capacity` bytes of the body, starting at `offset`, into `buffer` and
    /// returns how many. A transport reads forward, but may start again at 0 (a retry).
    /// 0 before `size` ends the call (a cancel); a failure throws, and the transport ends
    /// the call and lets the exception through.
    std::function<std::size_t(std::uint64_t offset, char* buffer, std::size_t capacity)> read;
};

/// @brief Where a transport's download() hands a response as it arrives.
struct response_sink {
    /// Once, with the status and headers, before any body byte; false ends the call.
    std::function<bool(int status, const header_list& headers)> on_head;
    /// Each piece of the body, whatever the status; false ends the call.
    std::function<bool(std::string_view piece)> on_body;
};

namespace detail {

template <class T, class = void>
struct has_upload : std::false_type {};

template <class T>
struct has_upload<T, std::void_t<decltype(std::declval<T&>().upload(std::declval<const http_request&>(),
                                                                    std::declval<body_source&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().upload(std::declval<const http_request&>(),
                                                             std::declval<body_source&>())),
                          http_response> {};

template <class T, class = void>
struct has_download : std::false_type {};

template <class T>
struct has_download<T, std::void_t<decltype(std::declval<T&>().download(std::declval<const http_request&>(),
                                                                        std::declval<response_sink&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().download(std::declval<const http_request&>(),
                                                               std::declval<response_sink&>())),
                          http_response> {};

}  // namespace detail

/// @brief True when T can send a body it reads piece by piece:
/// `http_response upload(const http_request&, body_source&)`, like send() but with the
/// body (req.body is empty) taken from the source as it goes out. Without it, uploads
/// of files from disk are read into memory first.
template <class T>
inline constexpr bool is_upload_transport_v = detail::has_upload<T>::value;

/// @brief True when T can hand a response body over piece by piece:
/// `http_response download(const http_request&, response_sink&)`, like send() (deadline,
/// cancel, max_response_bytes as the cap on the body) but every body byte goes to the
/// sink and the returned body is empty. When the sink returns false it returns what it
/// has (status and headers). Without it, downloads are held in memory first, within
/// client_options::max_response_bytes.
template <class T>
inline constexpr bool is_download_transport_v = detail::has_download<T>::value;

namespace detail {

/// One call's streamed body or streamed answer, set up by a service for client_core.
struct transfer {
    body_source* source = nullptr;   ///< the request body, when it is streamed
    response_sink* sink = nullptr;   ///< where the answer goes, when it is streamed
    /// The body cap of a streamed answer (max_response_bytes otherwise).
    std::optional<std::uint64_t> max_body;
    /// Set by a source or sink that ended the call for a reason of its own.
    std::optional<transport_error> failure;
    /// A non-2xx answer collected by the sink (the error JSON), within max_response_bytes.
    std::string error_body;
};

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_TRANSFER_HPP
