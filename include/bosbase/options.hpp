// bosbase-cpp: Client-wide and per-call options.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_OPTIONS_HPP
#define BOSBASE_OPTIONS_HPP

#include "cancel.hpp"
#include "config.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace bosbase {

/// @brief Called as a file goes up or down: bytes so far and the total when known.
/// Returning false cancels the call (ClientResponseError::is_abort()).
using progress_callback = std::function<bool(std::uint64_t done, std::optional<std::uint64_t> total)>;

/// @brief Client-wide settings.
struct client_options {
    /// Sent as Accept-Language when not empty. The server ignores it, so by default
    /// nothing is sent (the JS SDK sends "en-US").
    std::string lang;
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds timeout{30000};   ///< per socket read or write of each call
    std::chrono::milliseconds deadline{60000};  ///< the whole call, connect to last body byte
    header_list headers;                        ///< added to every request
    /// Largest response body accepted, counted after any decompression.
    std::size_t max_response_bytes = std::size_t(64) << 20;
    /// Deepest JSON nesting accepted in a response; deeper documents are refused.
    std::size_t max_json_depth = 128;
    /// Ask for and undo gzip/deflate; off by default so a compression bomb costs nothing.
    bool decompress = false;
    /// Largest request body the client builds or sends (uploads included): bigger ones are
    /// std::invalid_argument before any file is read. The server has its own limits
    /// (PocketBase: 32 MiB for JSON, the file fields' maxSize for uploads).
    std::size_t max_request_bytes = std::size_t(256) << 20;
    /// Threads of the client's executor for async calls (pb.async()), started on the
    /// first one. Calls beyond it wait in order.
    std::size_t async_threads = 2;
};

/// @brief Per-call settings, the last parameter of every call; every field is optional.
/// `{}` and `std::nullopt` both mean "no options". The query goes out as: the call's
/// own parameters (page, perPage, ...), then `query`, then the named fields below; a
/// key set again replaces the earlier value in place, so each key is sent once. `body`
/// adds to the JSON the call sends in the same way: the call's own fields first.
struct request_options {
    request_options() = default;
    /// The seed API passed `std::nullopt` for "no options"; it still means that.
    request_options(std::nullopt_t) {}

    std::optional<std::string> expand;  ///< `?expand=` relations to expand
    std::optional<std::string> fields;  ///< `?fields=` projection
    std::optional<std::string> filter;  ///< `?filter=` (see bosbase::filter for safe parameters)
    std::optional<std::string> sort;    ///< `?sort=`, e.g. "-created,title"
    std::optional<bool> skip_total;     ///< `?skipTotal=true|false`: skip counting (totals are then -1)
    query_params query;                 ///< more query parameters
    /// More fields of the call's JSON body, as the JS SDK's `options.body` (e.g.
    /// `{"mfaId": id}` for a second factor): a JSON object, whose keys the call's own
    /// fields win over. Record create/update with files send them as form fields. A call
    /// whose body is not a JSON object (other uploads, downloads) refuses it as
    /// std::invalid_argument rather than drop it.
    json body;
    header_list headers;                ///< more headers; they win over the client's own
    std::optional<std::chrono::milliseconds> timeout;   ///< per-read/write timeout of this call
    std::optional<std::chrono::milliseconds> deadline;  ///< whole-call deadline of this call
    /// Ends the call (is_abort()) when cancelled, from any thread, at any stage.
    std::optional<cancel_token> cancel;
    /// Read only by auth_with_password() and auth_with_token() of `_superusers`, as the JS
    /// SDK's autoRefreshThreshold: from then on, before each call of the client, a stored
    /// token that expires within this many seconds is refreshed (auth-refresh), and one
    /// that is expired or refused is replaced by signing in again the same way. Stops when
    /// the client signs out or someone else signs in. Other calls ignore it.
    std::optional<std::chrono::seconds> auto_refresh_threshold;
    /// Read by the calls that stream a file (files().download, backups().download, and
    /// uploads of file_part::from_path files): called on the calling thread as bytes go.
    progress_callback progress;
};

namespace detail {

// The earlier spelling of calls whose options now build on request_options: a call's own
// options and the request's given apart, `(…, own, options)`, as one struct.
template <class Options>
Options joined(Options own, const request_options& options) {
    static_cast<request_options&>(own) = options;
    return own;
}

}  // namespace detail

}  // namespace bosbase

#endif  // BOSBASE_OPTIONS_HPP
