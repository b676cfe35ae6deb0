// bosbase-cpp: definitions of multipart.hpp (files for uploads and the multipart/form-data bodies that carry them.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_MULTIPART_IPP
#define BOSBASE_MULTIPART_IPP

#include "multipart.hpp"

#include <random>
#include <thread>
#include "platform.hpp"

namespace bosbase {

BOSBASE_DECL file_part file_part::from_bytes(std::string filename, std::string bytes,
                                             std::string content_type) {
    file_part part;
    part.filename_ = std::move(filename);
    part.content_type_ = std::move(content_type);
    part.bytes_ = std::move(bytes);
    part.check();
    return part;
}

BOSBASE_DECL file_part file_part::from_path(const std::filesystem::path& path, std::string filename,
                                            std::string content_type) {
    if (path.empty() || path.native().find(std::filesystem::path::value_type()) != std::string::npos) {
        throw std::invalid_argument("bosbase: file_part::from_path: the path is empty or contains a NUL byte");
    }
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw std::invalid_argument("bosbase: file_part::from_path: '" + detail::path_text(path) + "' does not exist" +
                                    (ec ? " or cannot be examined (" + ec.message() + ")" : std::string()));
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw std::invalid_argument("bosbase: file_part::from_path: '" + detail::path_text(path) +
                                    "' is not a regular file");
    }
    file_part part;
    part.path_ = path;
    const std::string last = detail::path_text(path.filename());
    part.filename_ = filename.empty() ? last : std::move(filename);
    part.content_type_ = content_type.empty() ? guess_content_type(last) : std::move(content_type);
    part.check();
    return part;
}

BOSBASE_DECL file_part file_part::from_path(const std::string& utf8_path, std::string filename,
                                            std::string content_type) {
    if (utf8_path.empty() || utf8_path.find('\0') != std::string::npos) {
        throw std::invalid_argument("bosbase: file_part::from_path: the path is empty or contains a NUL byte");
    }
    return from_path(detail::path_from_utf8(utf8_path), std::move(filename), std::move(content_type));
}

BOSBASE_DECL file_part file_part::from_path(const char* utf8_path, std::string filename,
                                            std::string content_type) {
    return from_path(std::string(utf8_path != nullptr ? utf8_path : ""), std::move(filename),
                     std::move(content_type));
}

BOSBASE_DECL std::string file_part::guess_content_type(std::string_view filename) {
    static const std::pair<const char*, const char*> types[] = {
        {"png", "image/png"},        {"jpg", "image/jpeg"},        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},        {"webp", "image/webp"},       {"svg", "image/svg+xml"},
        {"avif", "image/avif"},      {"ico", "image/x-icon"},      {"bmp", "image/bmp"},
        {"txt", "text/plain"},       {"csv", "text/csv"},          {"html", "text/html"},
        {"htm", "text/html"},        {"css", "text/css"},          {"md", "text/markdown"},
        {"js", "text/javascript"},   {"json", "application/json"}, {"xml", "application/xml"},
        {"pdf", "application/pdf"},  {"zip", "application/zip"},   {"gz", "application/gzip"},
        {"mp3", "audio/mpeg"},       {"wav", "audio/wav"},         {"mp4", "video/mp4"},
        {"webm", "video/webm"},
    };
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos) {
        return "application/octet-stream";
    }
    const std::string_view ext = filename.substr(dot + 1);
    for (const auto& t : types) {
        if (detail::ascii_iequal(ext, t.first)) return t.second;
    }
    return "application/octet-stream";
}

BOSBASE_DECL void file_part::check() const {
    if (filename_.empty() || filename_.find('\0') != std::string::npos) {
        throw std::invalid_argument("bosbase: file_part: the file name is empty or contains a NUL byte");
    }
    if (content_type_.empty() || !detail::is_header_value_safe(content_type_)) {
        throw std::invalid_argument(
            "bosbase: file_part: the content type is empty or contains CR, LF, NUL or other control bytes");
    }
}

}  // namespace bosbase

namespace bosbase {
namespace detail {

BOSBASE_DECL std::string random_boundary() {
    thread_local std::mt19937_64 engine = [] {
        std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        try {
            std::random_device device;
            seed ^= (std::uint64_t(device()) << 32) ^ device();
        } catch (...) {  // std::random_device may throw where no entropy source exists
        }
        std::seed_seq seq{seed, static_cast<std::uint64_t>(std::hash<std::thread::id>()(std::this_thread::get_id()))};
        return std::mt19937_64(seq);
    }();
    static const char hex[] = "0123456789abcdef";
    std::string out = "bosbase-";
    for (int word = 0; word < 2; ++word) {
        std::uint64_t bits = engine();
        for (int i = 0; i < 16; ++i, bits >>= 4) out += hex[bits & 0xF];
    }
    return out;
}

BOSBASE_DECL void require_boundary(std::string_view boundary) {
    const bool ok = !boundary.empty() && boundary.size() <= 70 &&
                    std::all_of(boundary.begin(), boundary.end(), [](char ch) {
                        const auto c = static_cast<unsigned char>(ch);
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '-' || c == '_' || c == '.';
                    });
    if (!ok) {
        throw std::invalid_argument("bosbase: a multipart boundary must be 1-70 letters, digits, '-', '_' or '.'");
    }
}

BOSBASE_DECL std::string disposition_param(std::string_view value, const char* what) {
    if (value.find('\0') != std::string_view::npos) {
        throw std::invalid_argument(std::string("bosbase: a multipart ") + what + " must not contain a NUL byte");
    }
    std::string out = "\"";
    out.reserve(value.size() + 2);
    for (char c : value) {
        switch (c) {
        case '"': out += "%22"; break;
        case '\r': out += "%0D"; break;
        case '\n': out += "%0A"; break;
        case '\\': out += "\\\\"; break;
        default: out += c;
        }
    }
    return out + "\"";
}

BOSBASE_DECL void require_file_field(std::string_view field) {
    if (field.empty() || field == "+") {
        throw std::invalid_argument("bosbase: a file needs a field name (e.g. \"avatar\", \"avatar+\" or \"+avatar\")");
    }
    if (field.back() == '-') {
        throw std::invalid_argument(
            "bosbase: '" + std::string(field) +
            "' cannot carry a file: remove files by name in the JSON body, e.g. {\"avatar-\": [\"old.png\"]}");
    }
}

BOSBASE_DECL void read_file_into(std::string& body, const std::filesystem::path& path, std::size_t size) {
    std::unique_ptr<std::FILE, file_closer> file(open_file_for_reading(path));
    if (!file) {
        throw std::invalid_argument("bosbase: cannot open '" + path_text(path) + "': " +
                                    std::generic_category().message(errno));
    }
    const std::size_t start = body.size();
    body.resize(start + size);  // within the capacity reserved for the whole body
    const std::size_t got = size == 0 ? 0 : std::fread(&body[start], 1, size, file.get());
    if (std::ferror(file.get())) {
        throw std::invalid_argument("bosbase: '" + path_text(path) + "' could not be read");
    }
    if (got != size || std::fgetc(file.get()) != EOF) {
        throw std::invalid_argument("bosbase: '" + path_text(path) + "' changed size while it was being read");
    }
}

BOSBASE_DECL std::size_t count_occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

BOSBASE_DECL std::string multipart_payload(const json& fields) {
    if (!fields.is_null() && !fields.is_object()) {
        throw std::invalid_argument("bosbase: the fields of a multipart body must be a JSON object");
    }
    if (!fields.is_object() || fields.empty()) return {};
    try {
        return fields.dump();
    } catch (const json::type_error&) {
        throw std::invalid_argument("bosbase: a request value is not valid UTF-8; JSON bodies must be UTF-8");
    }
}

BOSBASE_DECL std::vector<multipart_part> multipart_parts(const std::string& payload, const file_list& files,
                                                         std::uint64_t max_bytes) {
    std::vector<multipart_part> parts;
    parts.reserve(files.size() + 1);
    if (!payload.empty()) {
        parts.push_back({"Content-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n", &payload, nullptr,
                         payload.size()});
    }
    for (const auto& entry : files) {
        require_file_field(entry.first);
        const file_part& file = entry.second;
        multipart_part p{"Content-Disposition: form-data; name=" + disposition_param(entry.first, "field name") +
                             "; filename=" + disposition_param(file.filename(), "file name") +
                             "\r\nContent-Type: " + file.content_type() + "\r\n\r\n",
                         &file.bytes(), nullptr, file.bytes().size()};
        if (!file.path().empty()) {
            std::error_code ec;
            const std::uint64_t size = std::filesystem::file_size(file.path(), ec);
            if (ec) {
                throw std::invalid_argument("bosbase: cannot read the size of '" + path_text(file.path()) + "': " +
                                            ec.message());
            }
            if (size > max_bytes) {
                throw std::invalid_argument("bosbase: '" + path_text(file.path()) + "' has " + std::to_string(size) +
                                            " bytes, more than client_options::max_request_bytes (" +
                                            std::to_string(max_bytes) + ")");
            }
            p.bytes = nullptr;
            p.path = &file.path();
            p.size = size;
        }
        parts.push_back(std::move(p));
    }
    return parts;
}

BOSBASE_DECL std::uint64_t multipart_size(const std::vector<multipart_part>& parts, std::size_t boundary_size,
                                          std::uint64_t max_bytes) {
    const std::uint64_t delimiter = 2 + boundary_size + 2;  // "--" boundary CRLF
    std::uint64_t total = 0;
    auto add = [&](std::uint64_t n) {
        if (n > max_bytes - total) {
            throw std::invalid_argument("bosbase: the upload is larger than client_options::max_request_bytes (" +
                                        std::to_string(max_bytes) + " bytes)");
        }
        total += n;
    };
    add(delimiter + 2);  // the closing "--" boundary "--" CRLF
    for (const auto& p : parts) {
        add(delimiter + p.head.size() + 2);  // with the content's trailing CRLF
        add(p.size);
    }
    return total;
}

BOSBASE_DECL std::string drawn_boundary(const boundary_source& next_boundary) {
    std::string boundary = next_boundary();
    require_boundary(boundary);
    return boundary;
}

BOSBASE_DECL multipart_body build_multipart(const json& fields, const file_list& files, std::size_t max_bytes,
                                            const boundary_source& next_boundary) {
    const std::string payload = multipart_payload(fields);
    const std::vector<multipart_part> parts = multipart_parts(payload, files, max_bytes);
    std::string boundary = drawn_boundary(next_boundary);
    multipart_body out;
    struct writer {
        std::string& body;
        std::vector<std::size_t> marks;  // where each copy of the boundary starts
        void text(std::string_view bytes) { body += bytes; }
        void boundary(const std::string& b) {
            marks.push_back(body.size());
            body += b;
        }
        // Within max_bytes, so within size_t.
        void file(const std::filesystem::path& path, std::uint64_t size) {
            read_file_into(body, path, static_cast<std::size_t>(size));
        }
    } sink{out.bytes, {}};
    out.bytes.reserve(static_cast<std::size_t>(multipart_size(parts, boundary.size(), max_bytes)));
    write_multipart(parts, boundary, sink);
    settle_boundary(
        boundary, next_boundary, [&] { return count_occurrences(out.bytes, boundary) != sink.marks.size(); },
        [&](const std::string& next) {
            for (std::size_t at : sink.marks) out.bytes.replace(at, next.size(), next);
        });
    out.content_type = "multipart/form-data; boundary=" + boundary;
    return out;
}

BOSBASE_DECL multipart_plan plan_multipart(const json& fields, const file_list& files,
                                           std::uint64_t max_bytes, const boundary_source& next_boundary) {
    const std::string payload = multipart_payload(fields);
    const std::vector<multipart_part> parts = multipart_parts(payload, files, max_bytes);
    multipart_plan plan;
    plan.boundary = drawn_boundary(next_boundary);
    plan.size = multipart_size(parts, plan.boundary.size(), max_bytes);
    struct writer {
        std::vector<multipart_plan::piece>& pieces;
        std::vector<std::pair<std::size_t, std::size_t>> marks;  // {piece, offset} of each copy of the boundary
        std::string& memory() {
            if (pieces.empty() || !pieces.back().path.empty()) pieces.emplace_back();
            return pieces.back().bytes;
        }
        void text(std::string_view bytes) { memory() += bytes; }
        void boundary(const std::string& b) {
            std::string& piece = memory();
            marks.emplace_back(pieces.size() - 1, piece.size());
            piece += b;
        }
        void file(const std::filesystem::path& path, std::uint64_t size) { pieces.push_back({{}, path, size}); }
    } sink{plan.pieces, {}};
    write_multipart(parts, plan.boundary, sink);
    for (auto& piece : plan.pieces) {
        if (piece.path.empty()) piece.size = piece.bytes.size();
    }
    settle_boundary(
        plan.boundary, next_boundary,
        [&] {
            std::size_t copies = 0;
            for (const auto& piece : plan.pieces) copies += count_occurrences(piece.bytes, plan.boundary);
            return copies != sink.marks.size();
        },
        [&](const std::string& next) {
            for (const auto& mark : sink.marks) plan.pieces[mark.first].bytes.replace(mark.second, next.size(), next);
        });
    plan.content_type = "multipart/form-data; boundary=" + plan.boundary;
    return plan;
}

BOSBASE_DECL std::size_t multipart_reader::read(std::uint64_t offset, char* buffer, std::size_t capacity) {
    std::uint64_t start = 0;
    for (std::size_t i = 0; i < plan_.pieces.size(); ++i) {
        const auto& piece = plan_.pieces[i];
        if (offset >= start + piece.size) {
            start += piece.size;
            continue;
        }
        const std::uint64_t at = offset - start;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(capacity, piece.size - at));
        if (piece.path.empty()) {
            std::copy_n(piece.bytes.data() + at, n, buffer);
            return n;
        }
        return read_file(i, at, buffer, n);
    }
    return 0;
}

BOSBASE_DECL std::size_t multipart_reader::read_file(std::size_t index, std::uint64_t at, char* buffer,
                                                     std::size_t n) {
    const auto& piece = plan_.pieces[index];
    if (index != open_index_ || at != position_) {
        file_.close();
        file_.clear();
        file_.open(piece.path, std::ios::binary);
        if (!file_ || !file_.seekg(static_cast<std::streamoff>(at))) {
            throw std::runtime_error("bosbase: cannot read '" + path_text(piece.path) + "' for the upload");
        }
        open_index_ = index;
        carry_.clear();
    }
    file_.read(buffer, static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(file_.gcount()) != n) {
        throw std::runtime_error("bosbase: '" + path_text(piece.path) + "' changed size while it was being uploaded");
    }
    position_ = at + n;
    if (position_ == piece.size && file_.peek() != std::char_traits<char>::eof()) {
        throw std::runtime_error("bosbase: '" + path_text(piece.path) + "' changed size while it was being uploaded");
    }
    // The boundary may straddle two reads: the end of the last one is searched too.
    const std::string_view data(buffer, n);
    const std::size_t keep = plan_.boundary.size() - 1;
    carry_.append(data.substr(0, std::min(n, keep)));
    if (carry_.find(plan_.boundary) != std::string::npos || data.find(plan_.boundary) != std::string_view::npos) {
        throw std::runtime_error("bosbase: '" + path_text(piece.path) +
                                 "' contains the multipart boundary; the upload was abandoned");
    }
    if (n >= keep) {
        carry_.assign(data.substr(n - keep));
    } else {  // all of data was appended: keep the tail
        carry_.erase(0, carry_.size() - std::min(carry_.size(), keep));
    }
    return n;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_MULTIPART_IPP
