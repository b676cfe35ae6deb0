// bosbase-cpp: definitions of platform.hpp (platform calls: files by path, replacing a file atomically; for the default transport SIGPIPE, socket readiness, bytes pending, kernel socket facts (the WebSocket's socket: platform_socket.hpp).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_PLATFORM_IPP
#define BOSBASE_PLATFORM_IPP

#include "platform.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::string path_text(const std::filesystem::path& path) {
#if defined(__cpp_char8_t) && __cpp_char8_t >= 201811L
    const std::u8string text = path.u8string();
    return std::string(text.begin(), text.end());
#else
    return path.u8string();
#endif
}

BOSBASE_DECL std::filesystem::path path_from_utf8(std::string_view utf8) {
#if defined(__cpp_char8_t) && __cpp_char8_t >= 201811L
    return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
#else
    return std::filesystem::u8path(utf8.begin(), utf8.end());
#endif
}

BOSBASE_DECL std::optional<std::string> environment_variable(const char* name) {
#if defined(_MSC_VER)
    char* value = nullptr;
    std::size_t size = 0;
    if (_dupenv_s(&value, &size, name) != 0 || value == nullptr) return std::nullopt;
    std::string out(value);
    std::free(value);
    return out;
#else
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
#endif
}

BOSBASE_DECL std::FILE* open_file_for_reading(const std::filesystem::path& path) {
#ifdef _WIN32
    return ::_wfopen(path.c_str(), L"rb");
#else
    return std::fopen(path.c_str(), "rb");
#endif
}

BOSBASE_DECL std::FILE* create_file_for_writing(const std::filesystem::path& path) {
#ifdef _WIN32
    // _wsopen_s rather than _wfopen's "x": msvcrt.dll (mingw-w64's default runtime) has no "x".
    int fd = -1;
    const errno_t err = ::_wsopen_s(&fd, path.c_str(), _O_CREAT | _O_EXCL | _O_WRONLY | _O_BINARY, _SH_DENYNO,
                                    _S_IREAD | _S_IWRITE);
    if (err != 0) {
        errno = err;
        return nullptr;
    }
    std::FILE* file = ::_fdopen(fd, "wb");
    if (file == nullptr) ::_close(fd);
    return file;
#else
    return std::fopen(path.c_str(), "wbx");  // C11's "x" (O_EXCL): glibc, macOS, the BSDs
#endif
}

BOSBASE_DECL std::string replace_file_atomically(const std::filesystem::path& target, std::string_view bytes) {
    namespace fs = std::filesystem;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // Unique among this process's writers by the counter and among processes by the
    // pid; a file left by a crashed process with a reused pid is stepped over (O_EXCL).
    static std::atomic<unsigned long> counter{0};
#ifdef _WIN32
    const unsigned long pid = static_cast<unsigned long>(::_getpid());
#else
    const unsigned long pid = static_cast<unsigned long>(::getpid());
#endif
    auto os_text = [](int err) { return std::generic_category().message(err); };
    fs::path temp;
    int fd = -1;
    for (int attempt = 0; attempt < 64 && fd < 0; ++attempt) {
        temp = dir / ".";
        temp += target.filename();  // as a path: a name's text is native, wide on Windows
        temp += ".tmp-" + std::to_string(pid) + "-" + std::to_string(counter.fetch_add(1));
#ifdef _WIN32
        if (::_wsopen_s(&fd, temp.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _SH_DENYRW,
                        _S_IREAD | _S_IWRITE) != 0) {
            fd = -1;
        }
#else
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
#endif
        if (fd < 0 && errno != EEXIST) {
            return "cannot create a file in '" + path_text(dir) + "': " + os_text(errno);
        }
    }
    if (fd < 0) {
        return "cannot create a temporary file in '" + path_text(dir) + "': too many left over";
    }
    auto fail = [&](const char* step, int err) {
#ifdef _WIN32
        ::_close(fd);
        ::_wunlink(temp.c_str());
#else
        ::close(fd);
        ::unlink(temp.c_str());
#endif
        return std::string(step) + " '" + path_text(temp) + "' failed: " + os_text(err);
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const std::size_t chunk = std::min<std::size_t>(bytes.size() - done, std::size_t(1) << 30);
#ifdef _WIN32
        const int n = ::_write(fd, bytes.data() + done, static_cast<unsigned>(chunk));
#else
        const ::ssize_t n = ::write(fd, bytes.data() + done, chunk);
#endif
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail("writing", errno);
        }
        done += static_cast<std::size_t>(n);
    }
#ifdef _WIN32
    if (::_commit(fd) != 0) return fail("flushing", errno);
    if (::_close(fd) != 0) {
        const int err = errno;
        ::_wunlink(temp.c_str());
        return "closing '" + path_text(temp) + "' failed: " + os_text(err);
    }
    // MSVC's std::filesystem::rename is MoveFileExW with MOVEFILE_REPLACE_EXISTING: one
    // step, as rename(2) is, without <windows.h> in every including TU.
    std::error_code renamed;
    fs::rename(temp, target, renamed);
    if (renamed) {
        ::_wunlink(temp.c_str());
        return "replacing '" + path_text(target) + "' failed: " + renamed.message();
    }
#else
    if (::fsync(fd) != 0) return fail("flushing", errno);
    // Network file systems may report a failed write only here.
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return "closing '" + path_text(temp) + "' failed: " + os_text(err);
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return "replacing '" + path_text(target) + "' failed: " + os_text(err);
    }
    // The rename is an entry in the directory: flushing the directory makes it survive a power loss.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
#endif
    return {};
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_PLATFORM_IPP
