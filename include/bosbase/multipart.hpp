// bosbase-cpp: Files for uploads and the multipart/form-data bodies that carry them.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_MULTIPART_HPP
#define BOSBASE_MULTIPART_HPP

#include "detail/text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief One file to upload (record_service::create/update with files, backup_service::upload).
///
/// from_bytes() holds the bytes; from_path() holds only the path and checks it now:
/// the file is read when the request is built, straight into the request body (one
/// read, no further copy), so its size counts against client_options::max_request_bytes.
/// Both throw std::invalid_argument for a name, type or path that cannot be sent.
class file_part {
public:
    /// @param filename the name the server sees (it stores a sanitised name with a random suffix)
    static file_part from_bytes(std::string filename, std::string bytes,
                                std::string content_type = "application/octet-stream");

    /// @param path the file, as the platform names it (wide on Windows: e.g. L"Grüße.txt", or a
    ///        std::filesystem::path from a directory listing)
    /// @param filename defaults to the path's last component, as UTF-8
    /// @param content_type defaults to a guess from the path's extension, else application/octet-stream
    static file_part from_path(const std::filesystem::path& path, std::string filename = {},
                               std::string content_type = {});

    /// @brief The same with the path as UTF-8 text, the SDK's encoding for every string (on
    /// Windows it is converted to the wide form, so any name works; see detail::path_from_utf8).
    static file_part from_path(const std::string& utf8_path, std::string filename = {},
                               std::string content_type = {});
    static file_part from_path(const char* utf8_path, std::string filename = {}, std::string content_type = {});

    const std::string& filename() const noexcept { return filename_; }
    const std::string& content_type() const noexcept { return content_type_; }
    /// @brief The file's path for from_path(), else empty.
    const std::filesystem::path& path() const noexcept { return path_; }
    /// @brief The bytes for from_bytes(), else "" (a path is read when the request is built).
    const std::string& bytes() const noexcept { return bytes_; }

    /// @brief A content type from the file name's extension (the common web types), else application/octet-stream.
    static std::string guess_content_type(std::string_view filename);

private:
    file_part() = default;

    void check() const;

    std::string filename_;
    std::string content_type_;
    std::string bytes_;
    std::filesystem::path path_;
};

/// @brief Files of one request, in order: {field, part}. A field may repeat (several
/// files); `field+` appends to the record's files, `+field` prepends, a plain `field`
/// replaces them. To remove files by name put `{"field-": ["name.png"]}` in the JSON body.
using file_list = std::vector<std::pair<std::string, file_part>>;

namespace detail {

struct multipart_body {
    std::string bytes;
    std::string content_type;  ///< multipart/form-data; boundary=...
};

/// Makes a multipart boundary; each call must give one of the same length.
using boundary_source = std::function<std::string()>;

// 128 random bits. Predictability would not matter for safety (every boundary is
// checked against the parts), so a missing random device only weakens the seed.
BOSBASE_DECL std::string random_boundary();

// RFC 2046 allows 1-70 characters; this keeps to the ones that need no quoting.
BOSBASE_DECL void require_boundary(std::string_view boundary);

// A quoted Content-Disposition parameter, escaped as browsers do (" CR LF as %22 %0D
// %0A, WHATWG HTML form encoding) and a backslash as \\, which is how Go's
// mime.ParseMediaType (the server's parser) reads a quoted-string. NUL is refused.
BOSBASE_DECL std::string disposition_param(std::string_view value, const char* what);

BOSBASE_DECL void require_file_field(std::string_view field);

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Appends exactly `size` bytes (the size the body was planned with) of the file, read
// straight into the body's reserved space.
BOSBASE_DECL void read_file_into(std::string& body, const std::filesystem::path& path, std::size_t size);

BOSBASE_DECL std::size_t count_occurrences(std::string_view text, std::string_view needle);

// The `@jsonPayload` part's text: the JSON object `fields`, or "" when there are none.
BOSBASE_DECL std::string multipart_payload(const json& fields);

// One part of a multipart body, checked and measured before a boundary is drawn.
struct multipart_part {
    std::string head;                             // the part's header lines and the blank line
    const std::string* bytes = nullptr;           // the content when it is in memory
    const std::filesystem::path* path = nullptr;  // else the file to read, of `size` bytes
    std::uint64_t size = 0;
};

// The parts of a body: `payload` (multipart_payload(); it must outlive them) as the
// `@jsonPayload` part, left out when empty (the server unmarshals it without type
// inference), then each file. A file larger than max_bytes on its own is named.
BOSBASE_DECL std::vector<multipart_part> multipart_parts(const std::string& payload, const file_list& files,
                                                   std::uint64_t max_bytes);

// The body's size with a boundary of `boundary_size` characters; above max_bytes it is
// refused, before any file is read.
BOSBASE_DECL std::uint64_t multipart_size(const std::vector<multipart_part>& parts, std::size_t boundary_size,
                                    std::uint64_t max_bytes);

// The layout of a multipart body, written once for build_multipart() and plan_multipart():
// `out.text(bytes)` for what is in memory, `out.boundary(boundary)` for each copy of the
// boundary, `out.file(path, size)` for a file's content.
template <class Out>
void write_multipart(const std::vector<multipart_part>& parts, const std::string& boundary, Out& out) {
    for (const auto& p : parts) {
        out.text("--");
        out.boundary(boundary);
        out.text("\r\n");
        out.text(p.head);
        if (p.path != nullptr) {
            out.file(*p.path, p.size);
        } else {
            out.text(*p.bytes);
        }
        out.text("\r\n");
    }
    out.text("--");
    out.boundary(boundary);
    out.text("--\r\n");
}

BOSBASE_DECL std::string drawn_boundary(const boundary_source& next_boundary);

// A part that happens to contain the boundary would end early. While `collides()`, this
// draws another of the same length and has `rewrite(next)` write it over each copy of
// the old one, so nothing is laid out or read twice.
template <class Collides, class Rewrite>
void settle_boundary(std::string& boundary, const boundary_source& next_boundary, Collides&& collides,
                     Rewrite&& rewrite) {
    for (int attempt = 0; collides(); ++attempt) {
        if (attempt == 16) {
            throw std::invalid_argument("bosbase: no multipart boundary could be found that occurs in none of the parts");
        }
        std::string next = drawn_boundary(next_boundary);
        if (next.size() != boundary.size()) {
            throw std::invalid_argument("bosbase: the multipart boundary source changed the boundary's length");
        }
        rewrite(next);
        boundary = std::move(next);
    }
}

/// Builds a multipart/form-data body: the JSON object `fields` as one `@jsonPayload`
/// part (left out when empty), then each file. Path parts are read straight into the
/// body, which is allocated once at its exact size; a total above max_bytes is refused
/// before any file is read.
BOSBASE_DECL multipart_body build_multipart(const json& fields, const file_list& files, std::size_t max_bytes,
                                      const boundary_source& next_boundary = random_boundary);

/// A multipart body as build_multipart() would make it, but not read: pieces in memory
/// and files, read only as the body is sent (multipart_reader).
struct multipart_plan {
    struct piece {
        std::string bytes;  ///< in memory, when path is empty
        std::filesystem::path path;  ///< else the file, of `size` bytes
        std::uint64_t size = 0;
    };
    std::vector<piece> pieces;
    std::string boundary;
    std::string content_type;
    std::uint64_t size = 0;
};

// What build_multipart() writes, with each file left as a piece to read later. The
// boundary is checked here against what is in memory; files are searched as they are read.
BOSBASE_DECL multipart_plan plan_multipart(const json& fields, const file_list& files, std::uint64_t max_bytes,
                                     const boundary_source& next_boundary = random_boundary);

/// Reads a planned body at any offset (a body_source's read): memory pieces are copied,
/// files read from disk in place. A file that changed size since the plan, or that holds
/// the boundary, ends the upload with an exception.
class multipart_reader {
public:
    explicit multipart_reader(multipart_plan plan) : plan_(std::move(plan)) {}

    std::uint64_t size() const noexcept { return plan_.size; }

    std::size_t read(std::uint64_t offset, char* buffer, std::size_t capacity);

private:
    std::size_t read_file(std::size_t index, std::uint64_t at, char* buffer, std::size_t n);

    multipart_plan plan_;
    std::ifstream file_;
    std::size_t open_index_ = static_cast<std::size_t>(-1);
    std::uint64_t position_ = 0;
    std::string carry_;  // the last bytes read of the file, up to the boundary's length - 1
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "multipart.ipp"
#endif

#endif  // BOSBASE_MULTIPART_HPP
