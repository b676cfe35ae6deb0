// bosbase-cpp: definitions of session_store.hpp (sessions that survive a restart: the session_store interface and the file-backed store.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SESSION_STORE_IPP
#define BOSBASE_SESSION_STORE_IPP

#include "session_store.hpp"

#include <fstream>
#include "platform.hpp"

namespace bosbase {

BOSBASE_DECL file_session_store::file_session_store(const std::string& utf8_path, std::size_t max_json_depth)
    : file_session_store(detail::path_from_utf8(utf8_path), max_json_depth) {}

BOSBASE_DECL file_session_store::file_session_store(std::filesystem::path path, std::size_t max_json_depth)
    : path_(std::move(path)), max_json_depth_(max_json_depth) {
    if (path_.empty() || path_.filename().empty()) {
        throw std::invalid_argument("bosbase: file_session_store needs the path of a file");
    }
}

BOSBASE_DECL std::optional<saved_session> file_session_store::load() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(path_, ec);
    if (!fs::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory) problem("cannot be examined: " + ec.message());
        return std::nullopt;
    }
    if (!fs::is_regular_file(status)) problem("is not a regular file");
    const auto size = fs::file_size(path_, ec);
    if (ec) problem("cannot be examined: " + ec.message());
    if (size > max_file_bytes) problem("is larger than a session file can be (" + std::to_string(size) + " bytes)");
    using text_type = std::string;
    std::basic_ifstream<typename text_type::value_type> in(path_, std::ios::binary);
    if (!in) problem("cannot be opened for reading");
    text_type text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) problem("could not be read");
    // The text holds the token: nothing of it goes into a message.
    auto parsed = detail::parse_json(text, max_json_depth_);
    if (!parsed || !parsed->is_object()) problem("is not a bosbase session file (not a JSON object)");
    const auto fmt = parsed->find("format");
    if (fmt == parsed->end() || *fmt != format) problem("is not a bosbase session file (no \"format\": \"" +
                                                        std::string(format) + "\")");
    auto token = parsed->find("token");
    auto record = parsed->find("record");
    if (token == parsed->end() || !token->is_string() || token->template get_ref<const std::string&>().empty() ||
        (record != parsed->end() && !record->is_object() && !record->is_null())) {
        problem("is a damaged session file (no token, or a record that is not an object)");
    }
    if (!detail::is_header_value_safe(token->template get_ref<const std::string&>())) {
        problem("holds a token with control bytes, which cannot be sent");
    }
    saved_session session;
    session.token = std::move(token->template get_ref<std::string&>());
    if (record != parsed->end()) session.record = std::move(*record);
    return session;
}

BOSBASE_DECL void file_session_store::save(const saved_session& session) {
    json doc{{"format", format}, {"token", session.token}, {"record", session.record}};
    std::string text;
    try {
        text = doc.dump();
    } catch (const json::type_error&) {
        problem("was not written: the record holds text that is not UTF-8");
    }
    const std::string failed = detail::replace_file_atomically(path_, text);
    if (!failed.empty()) {
        throw std::runtime_error("bosbase: the session file '" + detail::path_text(path_) + "' was not written: " + failed);
    }
}

BOSBASE_DECL void file_session_store::remove() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) problem("is a directory and was left alone");
    std::filesystem::remove(path_, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) problem("could not be deleted: " + ec.message());
}

BOSBASE_DECL void file_session_store::problem(const std::string& what) const {
    throw std::runtime_error("bosbase: the session file '" + detail::path_text(path_) + "' " + what);
}

}  // namespace bosbase

#endif  // BOSBASE_SESSION_STORE_IPP
