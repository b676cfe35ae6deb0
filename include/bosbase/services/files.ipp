// bosbase-cpp: definitions of services/files.hpp (file_service: file URLs and file tokens.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_FILES_IPP
#define BOSBASE_SERVICES_FILES_IPP

#include "files.hpp"

namespace bosbase {

BOSBASE_DECL std::string file_service::get_url(const json& record, std::string_view filename,
                                               const url_options& options) const {
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

BOSBASE_DECL std::string file_service::get_token(const request_options& options) const {
    const json reply =
        core().send_json("POST", "/api/files/token", nullptr, options, {});
    return string_field(reply, "token");
}

BOSBASE_DECL std::uint64_t file_service::download(const json& record, std::string_view filename,
                                                  const std::filesystem::path& to,
                                                  const download_options& options) const {
    return detail::download_to_path(core(), file_path(record, filename), with_download_query(options),
                                    options.max_bytes, to, {options.token});
}

BOSBASE_DECL std::uint64_t file_service::download(const json& record, std::string_view filename,
                                                  std::ostream& to, const download_options& options) const {
    return detail::download_to_stream(core(), file_path(record, filename), with_download_query(options),
                                      options.max_bytes, to, {options.token});
}

BOSBASE_DECL std::string file_service::file_path(const json& record, std::string_view filename) {
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

BOSBASE_DECL request_options file_service::with_download_query(const download_options& download) {
    request_options opts = download;
    if (!download.thumb.empty()) detail::assign_param(opts.query, "thumb", download.thumb);
    if (!download.token.empty()) detail::assign_param(opts.query, "token", download.token);
    return opts;
}

BOSBASE_DECL std::string file_service::string_field(const json& object, const char* key) {
    auto it = object.is_object() ? object.find(key) : object.end();
    return (it != object.end() && it->is_string()) ? it->template get<std::string>() : std::string();
}

BOSBASE_DECL std::string file_service::text_of(const json& v) {
    try {
        return detail::query_value_text(v);
    } catch (const bosbase::json::type_error&) {
        throw std::invalid_argument("bosbase: a file URL query value is not valid UTF-8");
    }
}

BOSBASE_DECL std::string file_service::form_encode(std::string_view in) {
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

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_FILES_IPP
