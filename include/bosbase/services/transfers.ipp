// bosbase-cpp: definitions of services/transfers.hpp (files of any size: downloads to a file or stream and uploads from disk, never whole in memory.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_TRANSFERS_IPP
#define BOSBASE_SERVICES_TRANSFERS_IPP

#include "transfers.hpp"
#include "../platform.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL transfer_cancel::transfer_cancel(const request_options& options)
    : opts(options) {
    if (options.cancel) {
        link = options.cancel->on_cancel([t = stop] { t.cancel(); });
    }
    opts.cancel = stop;
}

BOSBASE_DECL std::optional<std::uint64_t> declared_length(const header_list& headers, bool& conflicting) {
    conflicting = false;
    std::optional<std::uint64_t> length;
    bool unreadable = false;
    std::size_t seen = 0;
    for (const auto& h : headers) {
        // A decoded body has another length than the announced one.
        if (ascii_iequal(h.first, "Content-Encoding") || ascii_iequal(h.first, "Transfer-Encoding")) {
            conflicting = false;
            return std::nullopt;
        }
        if (ascii_iequal(h.first, "Content-Length")) {
            ++seen;
            char* end = nullptr;
            errno = 0;
            const unsigned long long n = std::strtoull(h.second.c_str(), &end, 10);
            if (end == h.second.c_str() || *end != '\0' || errno == ERANGE) {
                unreadable = true;
            } else if (length && *length != n) {
                conflicting = true;
            } else {
                length = n;
            }
        }
    }
    if (unreadable) {
        conflicting = conflicting || seen > 1;
        return std::nullopt;
    }
    return length;
}

BOSBASE_DECL std::uint64_t stream_download(client_core& core, std::string_view path,
                                           const request_options& options,
                                           std::optional<std::uint64_t> max_bytes, const piece_writer& write,
                                           call_secrets secrets) {
    transfer_cancel cancel(options);
    transfer io;
    io.max_body = max_bytes.value_or(std::numeric_limits<std::uint64_t>::max());
    const std::uint64_t cap = *io.max_body;
    const std::size_t error_cap = core.settings().max_response_bytes;
    const progress_callback& progress = options.progress;
    int status = 0;
    std::uint64_t done = 0;
    std::optional<std::uint64_t> total;
    auto ok = [&] { return status >= 200 && status <= 299; };
    auto too_large = [&](std::uint64_t limit, const char* what) {
        io.failure = transport_error(error_kind::too_large, "the download is larger than " + std::string(what) + " (" +
                                                                std::to_string(limit) + " bytes)");
        return false;
    };
    auto report = [&] {
        if (progress && !progress(done, total)) {
            cancel.stop.cancel();
            return false;
        }
        return true;
    };
    response_sink sink;
    sink.on_head = [&](int s, const header_list& headers) {
        status = s;
        if (!ok()) return true;
        bool conflicting = false;
        total = declared_length(headers, conflicting);
        if (conflicting) {
            io.failure = transport_error(error_kind::invalid_response,
                                         "the server announced Content-Lengths that disagree");
            return false;
        }
        if (total && *total > cap) return too_large(cap, "download_options::max_bytes");
        return report();
    };
    sink.on_body = [&](std::string_view piece) {
        if (!ok()) {
            if (piece.size() > error_cap - io.error_body.size()) return too_large(error_cap, "max_response_bytes");
            io.error_body.append(piece.data(), piece.size());
            return true;
        }
        if (piece.size() > cap - done) return too_large(cap, "download_options::max_bytes");
        if (total && piece.size() > *total - done) {
            io.failure = transport_error(error_kind::invalid_response,
                                         "the server sent more body bytes than its Content-Length announced");
            return false;
        }
        std::string failed = write(piece);
        if (!failed.empty()) {
            io.failure = transport_error(error_kind::other, failed);
            return false;
        }
        done += piece.size();
        return report();
    };
    io.sink = &sink;
    core.perform_transfer("GET", path, {}, cancel.opts, secrets, io);
    if (total && done != *total) {
        // The default transport reports a short body itself; another may not.
        throw ClientResponseError(core.error_url(path, cancel.opts), 0, json::object(), error_kind::receive,
                                  "the download ended after " + std::to_string(done) + " of the " +
                                      std::to_string(*total) + " bytes its Content-Length announced",
                                  secrets.to_vector());
    }
    return done;
}

BOSBASE_DECL std::uint64_t download_to_stream(client_core& core, std::string_view path,
                                              const request_options& options,
                                              std::optional<std::uint64_t> max_bytes, std::ostream& out,
                                              call_secrets secrets) {
    if (!out) {
        throw std::invalid_argument("bosbase: the stream to download into is already in a failed state");
    }
    const auto done = stream_download(
        core, path, options, max_bytes,
        [&out](std::string_view piece) -> std::string {
            out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
            return out ? std::string() : std::string("writing the download to the stream failed");
        },
        secrets);
    if (!out.flush()) {
        throw ClientResponseError(core.error_url(path, options), 0, json::object(), error_kind::other,
                                  "flushing the download to the stream failed", secrets.to_vector());
    }
    return done;
}

BOSBASE_DECL std::uint64_t download_to_path(client_core& core, std::string_view path,
                                            const request_options& options,
                                            std::optional<std::uint64_t> max_bytes,
                                            const std::filesystem::path& target, call_secrets secrets) {
    namespace fs = std::filesystem;
    if (target.empty() || !target.has_filename()) {
        throw std::invalid_argument("bosbase: the download target must be a file path");
    }
    std::error_code ec;
    if (fs::is_directory(target, ec)) {
        throw std::invalid_argument("bosbase: the download target '" + path_text(target) + "' is a directory");
    }
    auto fail = [&](const std::string& why) {
        return ClientResponseError(core.error_url(path, options), 0, json::object(), error_kind::other, why,
                                   secrets.to_vector());
    };
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // Closed before it is removed: Windows removes no open file.
    struct temp_file {
        fs::path path;
        std::FILE* file = nullptr;
        std::unique_ptr<char[]> buffer;  // the file's; freed after the file is closed
        bool keep = false;
        ~temp_file() {
            if (file != nullptr) std::fclose(file);
            std::error_code ignored;
            if (!keep && !path.empty()) fs::remove(path, ignored);
        }
    } temp;
    for (int attempt = 0; attempt < 16 && temp.file == nullptr; ++attempt) {
        fs::path name = dir / ".";
        name += target.filename();
        name += ".part-" + random_boundary().substr(8, 16);
        errno = 0;
        // Created new or not at all, so no one else's file is ever written.
        temp.file = create_file_for_writing(name);
        const int err = errno;
        if (temp.file != nullptr) temp.path = name;
        if (temp.file == nullptr && err != EEXIST) {
            throw fail("cannot create a file in '" + path_text(dir) + "' for the download: " +
                       std::generic_category().message(err));
        }
    }
    if (temp.file == nullptr) throw fail("cannot create a temporary file in '" + path_text(dir) + "' for the download");
    // cpp-httplib hands the body over in pieces of a few KiB; a larger buffer makes one
    // write of many (with glibc's 4 KiB one, every piece was a write of its own). 64 KiB
    // stays in the CPU's cache: 512 KiB measured slower, 2 GiB at 220-500 MiB/s against
    // 700-800 (bench_files.sh). glibc ignores the size unless it is given the buffer.
    temp.buffer.reset(new char[std::size_t(64) << 10]);
    std::setvbuf(temp.file, temp.buffer.get(), _IOFBF, std::size_t(64) << 10);
    const std::string shown = path_text(temp.path);
    const auto done = stream_download(
        core, path, options, max_bytes,
        [&](std::string_view piece) -> std::string {
            errno = 0;
            if (std::fwrite(piece.data(), 1, piece.size(), temp.file) == piece.size()) return {};
            return "writing '" + shown + "' failed: " + std::generic_category().message(errno);
        },
        secrets);
    errno = 0;
    const bool flushed = std::fflush(temp.file) == 0;
    const int flush_error = errno;
    errno = 0;
    const bool closed = std::fclose(temp.file) == 0;
    const int close_error = errno;
    temp.file = nullptr;
    if (!flushed || !closed) {
        throw fail("writing '" + shown + "' failed: " + std::generic_category().message(flushed ? close_error : flush_error));
    }
    fs::rename(temp.path, target, ec);
    if (ec) throw fail("moving the download to '" + path_text(target) + "' failed: " + ec.message());
    temp.keep = true;
    return done;
}

BOSBASE_DECL json_reply fetch_multipart_json(client_core& core, std::string_view method,
                                             std::string_view path, const json& fields,
                                             const file_list& files, const request_options& options) {
    if (!options.body.is_null()) {
        // options.body reaches a form as fields, as it reaches a JSON body: the call's win.
        request_options rest = options;
        rest.body = nullptr;
        return fetch_multipart_json(core, method, path, with_body_fields(fields, options.body), files, rest);
    }
    bool from_disk = false;
    for (const auto& f : files) from_disk = from_disk || !f.second.path().empty();
    if (!core.transport().can_upload() || !from_disk) {
        return fetch_body_json(core, method, path, build_multipart(fields, files, core.settings().max_request_bytes),
                               options);
    }
    transfer_cancel cancel(options);
    multipart_plan plan = plan_multipart(fields, files, core.settings().max_request_bytes);
    const std::string content_type = plan.content_type;
    multipart_reader reader(std::move(plan));
    body_source source;
    source.size = reader.size();
    std::uint64_t done = 0;
    source.read = [&](std::uint64_t offset, char* buffer, std::size_t capacity) -> std::size_t {
        const std::size_t got = reader.read(offset, buffer, capacity);
        done = std::max(done, offset + got);
        if (options.progress && !options.progress(done, reader.size())) {
            cancel.stop.cancel();
            return 0;
        }
        return got;
    };
    transfer io;
    io.source = &source;
    http_response res = core.perform_transfer(method, path, content_type, cancel.opts, {}, io);
    json parsed = core.parse_body(res, path, options, {});
    return {std::move(parsed), res.status, res.body.size()};
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_SERVICES_TRANSFERS_IPP
