// A fresh directory under /tmp, removed with everything in it when the test ends.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>
#include <iterator>

namespace bosbase_test {

struct temp_dir {
    std::filesystem::path path;

    temp_dir() {
        char pattern[] = "/tmp/bosbase-test-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        path = pattern;
    }
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

// The permission bits of a file (st_mode & 0777).
inline unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 0777);
}

}  // namespace bosbase_test
