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
    std::string get_url(const json& record, std::string_view filename, const url_options& options = {}) const {
        const std::string collection = [&] {
            std::string id = string_field(record, "collectionId");
            return id.empty() ? string_field(record, "collectionName") : id;
        }();
        const std::string id = string_field(record, "id");
        if (filename.empty() || id.empty() || collection.empty()) {
            return {};
        }
        std::string url = core().url().origin + core().url().prefix + "/api/files/" +
                          detail::encode_uri_component(collection) + "/" + detail::encode_uri_component(id) + "/" +
                          detail::encode_uri_component(filename);
        query_params query = options.query;
        if (!options.thumb.empty()) detail::assign_param(query, "thumb", options.thumb);
        if (options.download) detail::assign_param(query, "download", "1");
        if (!options.token.empty()) detail::assign_param(query, "token", options.token);
        std::string qs;
        for (const auto& param : query) {
            auto emit = [&](const json& v) {
                if (v.is_null()) return;
                const std::string text = text_of(v);
                // As in every other query: the server reads it as UTF-8.
                if (!detail::is_valid_utf8(param.first) || !detail::is_valid_utf8(text)) {
                    throw std::invalid_argument("bosbase: a file URL query key or value is not valid UTF-8");
                }
                qs += qs.empty() ? "?" : "&";
                qs += form_encode(param.first) + "=" + form_encode(text);
            };
            if (param.second.is_array()) {
                for (const auto& item : param.second) emit(item);
            } else {
                emit(param.second);
            }
        }
        return url + qs;
    }

    /// @brief get_url() with the file name as JSON, e.g. record["avatar"]; "" unless it is a string.
    template <class Name, std::enable_if_t<std::is_same_v<Name, json>, int> = 0>
    std::string get_url(const json& record, const Name& filename, const url_options& options = {}) const {
        return filename.is_string() ? get_url(record, filename.template get_ref<const std::string&>(), options)
                                    : std::string();
    }

    /// @brief A short-lived token for protected files (POST /api/files/token); needs auth.
    /// Returns "" when the server sends none, as the JS SDK.
    std::string get_token(const request_options& options = {}) const {
        const json reply =
            core().send_json("POST", "/api/files/token", nullptr, options, {});
        return string_field(reply, "token");
    }

    /// @brief Downloads a record's file into `to`, never holding it in memory: the bytes go
    /// to a new file beside `to`, which replaces `to` only once complete, so a failed or
    /// cancelled download leaves `to` untouched. Returns the bytes written. Sizes,
    /// cancel and progress (request_options::progress) as in the README, "Files of any size".
    std::uint64_t download(const json& record, std::string_view filename, const std::filesystem::path& to,
                           const download_options& options = {}) const {
        return detail::download_to_path(core(), file_path(record, filename), with_download_query(options),
                                        options.max_bytes, to, {options.token});
    }

    /// @brief download() into a caller's stream, written piece by piece as it arrives; on
    /// failure the stream holds what arrived before it. Returns the bytes written.
    std::uint64_t download(const json& record, std::string_view filename, std::ostream& to,
                           const download_options& options = {}) const {
        return detail::download_to_stream(core(), file_path(record, filename), with_download_query(options),
                                          options.max_bytes, to, {options.token});
    }

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
    static std::string file_path(const json& record, std::string_view filename) {
        std::string collection = string_field(record, "collectionId");
        if (collection.empty()) collection = string_field(record, "collectionName");
        const std::string id = string_field(record, "id");
        if (filename.empty() || id.empty() || collection.empty()) {
            throw std::invalid_argument(
                "bosbase: files().download needs a file name and a record with an id and a collectionId or "
                "collectionName");
        }
        return "/api/files/" + detail::encode_uri_component(collection) + "/" + detail::encode_uri_component(id) +
               "/" + detail::encode_uri_component(filename);
    }

    static request_options with_download_query(const download_options& download) {
        request_options opts = download;
        if (!download.thumb.empty()) detail::assign_param(opts.query, "thumb", download.thumb);
        if (!download.token.empty()) detail::assign_param(opts.query, "token", download.token);
        return opts;
    }

    static std::string string_field(const json& object, const char* key) {
        auto it = object.is_object() ? object.find(key) : object.end();
        return (it != object.end() && it->is_string()) ? it->template get<std::string>() : std::string();
    }

    static std::string text_of(const json& v) {
        try {
            return detail::query_value_text(v);
        } catch (const bosbase::json::type_error&) {
            throw std::invalid_argument("bosbase: a file URL query value is not valid UTF-8");
        }
    }

    // application/x-www-form-urlencoded as URLSearchParams writes it: only
    // A-Z a-z 0-9 * - . _ stay, a space becomes '+'.
    static std::string form_encode(std::string_view in) {
        static const char hex[] = "0123456789ABCDEF";
        std::string out;
        out.reserve(in.size());
        for (char ch : in) {
            const auto c = static_cast<unsigned char>(ch);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' || c == '-' ||
                c == '.' || c == '_') {
                out += ch;
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 0x0F];
            }
        }
        return out;
    }
};

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_FILES_HPP
