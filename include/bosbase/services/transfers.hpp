// bosbase-cpp: Files of any size: downloads to a file or stream and uploads from disk, never whole in memory.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_TRANSFERS_HPP
#define BOSBASE_SERVICES_TRANSFERS_HPP

#include "common.hpp"
#include "../multipart.hpp"
#include "../transfer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace bosbase {

/// @brief Options of files().download() and backups().download(): the request's own
/// (deadline, cancel, progress, headers, ...) and the download's.
struct download_options : request_options {
    /// Largest body accepted, in bytes (error_kind::too_large, before any byte when the
    /// server announces more). Unset: no cap, since the bytes go to the caller's file or
    /// stream, not to memory; bound the time with request_options::deadline instead.
    std::optional<std::uint64_t> max_bytes;
    /// File token (files().get_token()) for protected files; sent in the query, never shown
    /// in errors. backups().download() fetches one itself when it is empty.
    std::string token;
    std::string thumb;  ///< files only: "WxH" etc., as file_service::url_options::thumb
};

namespace detail {

// The caller's cancel, plus one that a progress callback returning false pulls.
struct transfer_cancel {
    explicit transfer_cancel(const request_options& options);
    cancel_token stop;
    request_options opts;
    cancel_token::registration link;
};

// `conflicting` is set when the headers announce more than one length (values that differ,
// or one that is no number beside another): such framing is invalid (RFC 9112, 6.3), and
// checking the body against only one of them would let a body the other contradicts through.
BOSBASE_DECL std::optional<std::uint64_t> declared_length(const header_list& headers, bool& conflicting);

/// Writes one piece of a 2xx body; returns "" or why it failed (no secrets).
using piece_writer = std::function<std::string(std::string_view piece)>;

// GET `path` with the body going to `write` piece by piece: counted against the cap,
// checked against Content-Length, reported to options.progress. Returns the bytes written.
BOSBASE_DECL std::uint64_t stream_download(client_core& core, std::string_view path, const request_options& options,
                              std::optional<std::uint64_t> max_bytes, const piece_writer& write,
                              call_secrets secrets);

BOSBASE_DECL std::uint64_t download_to_stream(client_core& core, std::string_view path, const request_options& options,
                                 std::optional<std::uint64_t> max_bytes, std::ostream& out, call_secrets secrets);

// Into a new file beside `target`, renamed over it only once complete and flushed, so a
// failed download leaves `target` as it was and no partial file behind.
BOSBASE_DECL std::uint64_t download_to_path(client_core& core, std::string_view path, const request_options& options,
                               std::optional<std::uint64_t> max_bytes, const std::filesystem::path& target,
                               call_secrets secrets);

// A multipart request whose files from disk are read as they are sent, when the
// transport can (is_upload_transport_v); otherwise built in memory as before.
BOSBASE_DECL json_reply fetch_multipart_json(client_core& core, std::string_view method, std::string_view path,
                                const json& fields, const file_list& files, const request_options& options);

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "transfers.ipp"
#endif

#endif  // BOSBASE_SERVICES_TRANSFERS_HPP
