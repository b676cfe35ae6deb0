// A fresh directory under /tmp (Windows: the temporary folder), removed with everything in it when the test ends.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <random>
#else
#include <unistd.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>
#include <iterator>

namespace bosbase_test {

// Whether files have POSIX permission bits (owner-only 0600 and the like); Windows has ACLs.
constexpr bool posix_modes =
#ifdef _WIN32
    false;
#else
    true;
#endif

// Root reads and writes any file whatever its mode.
inline bool running_as_root() {
#ifdef _WIN32
    return false;
#else
    return ::geteuid() == 0;
#endif
}

// A new, empty directory named <prefix>-<random> in the system's temporary folder.
inline std::filesystem::path make_temp_dir(const std::string& prefix) {
#ifdef _WIN32
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(random()));
        std::error_code ec;
        if (std::filesystem::create_directory(candidate, ec)) return candidate;
    }
    FAIL("cannot create a temporary directory");
    return {};
#else
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    REQUIRE(::mkdtemp(&pattern[0]) != nullptr);
    return pattern;
#endif
}

struct temp_dir {
    std::filesystem::path path = make_temp_dir("bosbase-test");

    temp_dir() = default;
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);  // a test may make it read-only
        std::filesystem::remove_all(path, ec);
    }

    std::filesystem::path operator/(const std::string& name) const { return path / name; }

    // Every name in the directory, sorted.
    std::string listing() const {
        std::string out;
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(path)) names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
        return out;
    }
};

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

// The permission bits of a file (st_mode & 0777); on Windows (no such bits, see posix_modes)
// 0600, what the tests expect there.
inline unsigned mode_of(const std::filesystem::path& p) {
#ifdef _WIN32
    REQUIRE(std::filesystem::exists(p));
    return 0600;
#else
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 0777);
#endif
}

}  // namespace bosbase_test
