// bosbase-cpp: file_service: file URLs and file tokens.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_FILES_HPP
#define BOSBASE_SERVICES_FILES_HPP

#include "common.hpp"
#include "transfers.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bosbase {

/// @brief Query of a file URL (file_service::get_url); unset fields are left out.
// Outside the class: a nested struct with default member initialisers cannot be a
// default argument of its own class's members.
struct file_url_options {
    std::string thumb;      ///< "WxH", "WxHt", "WxHb", "WxHf", "0xH" or "Wx0" (images only)
    bool download = false;  ///< ask for Content-Disposition: attachment
    std::string token;      ///< file token for protected fields (see get_token())
    query_params query;     ///< more query parameters, sent first
};

/// @brief File URLs and file tokens (pb.files()), as the JS SDK's FileService.
class file_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief Query of a file URL (file_url_options).
    using url_options = file_url_options;

    /// @brief `<base>/api/files/<collectionId or collectionName>/<id>/<filename>[?query]`,
    /// each segment encoded like encodeURIComponent, the query form-encoded like JS
    /// URLSearchParams (space as '+'). "" when the filename, the record's id or both
    /// collectionId and collectionName are missing (as the JS SDK). A URL with a token
    /// carries that token: do not log it.
    std::string get_url(const json& record, std::string_view filename, const url_options& options = {}) const;

    /// @brief get_url() with the file name as JSON, e.g. record["avatar"]; "" unless it is a string.
    template <class Name, std::enable_if_t<std::is_same_v<Name, json>, int> = 0>
    std::string get_url(const json& record, const Name& filename, const url_options& options = {}) const {
        return filename.is_string() ? get_url(record, filename.template get_ref<const std::string&>(), options)
                                    : std::string();
    }

    /// @brief A short-lived token for protected files (POST /api/files/token); needs auth.
    /// Returns "" when the server sends none, as the JS SDK.
    std::string get_token(const request_options& options = {}) const;

    /// @brief Downloads a record's file into `to`, never holding it in memory: the bytes go
    /// to a new file beside `to`, which replaces `to` only once complete, so a failed or
    /// cancelled download leaves `to` untouched. Returns the bytes written. Sizes,
    /// cancel and progress (request_options::progress) as in the README, "Files of any size".
    std::uint64_t download(const json& record, std::string_view filename, const std::filesystem::path& to,
                           const download_options& options = {}) const;

    /// @brief download() into a caller's stream, written piece by piece as it arrives; on
    /// failure the stream holds what arrived before it. Returns the bytes written.
    std::uint64_t download(const json& record, std::string_view filename, std::ostream& to,
                           const download_options& options = {}) const;

    /// @brief The earlier spelling, the download's fields apart from the request's.
    template <class To>
    std::uint64_t download(const json& record, std::string_view filename, To&& to, const download_options& own,
                           const request_options& options) const {
        return download(record, filename, std::forward<To>(to), detail::joined(own, options));
    }

    /// @brief With plain request_options, as every other call takes them: no cap, token or thumbnail.
    /// (A template, so `{}` still means download_options.)
    template <class To, class Options, std::enable_if_t<std::is_same_v<Options, request_options>, int> = 0>
    std::uint64_t download(const json& record, std::string_view filename, To&& to, const Options& options) const {
        return download(record, filename, std::forward<To>(to), detail::joined(download_options(), options));
    }

private:
    static std::string file_path(const json& record, std::string_view filename);

    static request_options with_download_query(const download_options& download);

    static std::string string_field(const json& object, const char* key);

    static std::string text_of(const json& v);

    // application/x-www-form-urlencoded as URLSearchParams writes it: only
    // A-Z a-z 0-9 * - . _ stay, a space becomes '+'.
    static std::string form_encode(std::string_view in);
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "files.ipp"
#endif

#endif  // BOSBASE_SERVICES_FILES_HPP
