// Shared pieces of the libFuzzer harnesses: a byte reader that turns fuzz input
// into values, the "only documented exceptions" guard, and a scripted transport
// that checks every request it is handed could go on the wire unchanged.
//
// A broken contract ends in std::abort() with a line on stderr, which libFuzzer
// reports as a crash (and the corpus replay test as a failure).
#pragma once

#include <bosbase.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <vector>

namespace bosbase_fuzz {

[[noreturn]] inline void fail(const char* check, const std::string& detail = {}) {
    std::fprintf(stderr, "\n==bosbase fuzz== contract broken: %s%s%s\n", check, detail.empty() ? "" : "\n  ",
                 detail.c_str());
    std::fflush(stderr);
    std::abort();
}

// A private folder for a harness that writes files: made at its first use, removed at exit.
class scratch_folder {
public:
    explicit scratch_folder(const std::string& name) {
        std::error_code ec;
        path_ = std::filesystem::temp_directory_path(ec) /
                ("bosbase-fuzz-" + name + "-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path_, ec);
        if (ec) fail("the fuzz scratch folder could not be created", ec.message());
    }
    scratch_folder(const scratch_folder&) = delete;
    scratch_folder& operator=(const scratch_folder&) = delete;
    ~scratch_folder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The detail text is built only when the check fails.
#define BOSBASE_FUZZ_CHECK(cond)                  \
    do {                                          \
        if (!(cond)) ::bosbase_fuzz::fail(#cond); \
    } while (0)
#define BOSBASE_FUZZ_CHECK_MSG(cond, detail)                           \
    do {                                                               \
        if (!(cond)) ::bosbase_fuzz::fail(#cond, std::string(detail)); \
    } while (0)

// Runs one fuzz iteration. std::bad_alloc may escape the SDK by contract; real
// memory blow-ups are caught by libFuzzer's -rss_limit_mb / -malloc_limit_mb.
template <class Body>
int guarded(Body&& body) {
    try {
        body();
    } catch (const std::bad_alloc&) {
    } catch (const std::exception& e) {
        fail("only documented exceptions may escape", std::string(typeid(e).name()) + ": " + e.what());
    } catch (...) {
        fail("only documented exceptions may escape", "a non-std exception");
    }
    return 0;
}

// Reads fuzz input front to back; past the end every read yields zeros/empties,
// so any input is a valid script. Layout helpers in make_corpus.py mirror these.
class byte_reader {
public:
    byte_reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool empty() const { return pos_ >= size_; }
    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    std::uint16_t u16() {  // big-endian
        const std::uint16_t hi = byte();
        return static_cast<std::uint16_t>((hi << 8) | byte());
    }
    std::string bytes(std::size_t n) {
        n = std::min(n, size_ - std::min(pos_, size_));
        std::string out(reinterpret_cast<const char*>(data_) + pos_, n);
        pos_ += n;
        return out;
    }
    std::string str() { return bytes(byte()); }     // one length byte, then the bytes
    std::string str16() { return bytes(u16()); }    // two length bytes, then the bytes
    std::string rest() { return bytes(size_ - std::min(pos_, size_)); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

inline bool contains(std::string_view haystack, std::string_view needle) {
    return !needle.empty() && haystack.find(needle) != std::string_view::npos;
}

inline bool has_cr_lf_nul(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// What may appear in a request target: printable ASCII except space and '#'.
inline bool is_wire_safe_target(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || c == '#') return false;
    }
    return true;
}

inline bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

// Nesting depth as max_json_depth counts it: a scalar is 0, [] and {} are 1.
inline std::size_t json_depth(const bosbase::json& v) {
    std::size_t deepest = 0;
    std::vector<std::pair<const bosbase::json*, std::size_t>> todo{{&v, 0}};
    while (!todo.empty()) {
        auto [node, depth] = todo.back();
        todo.pop_back();
        if (!node->is_structured()) continue;
        deepest = std::max(deepest, depth + 1);
        for (const auto& child : *node) todo.emplace_back(&child, depth + 1);
    }
    return deepest;
}

// One scripted answer: an HTTP response, or a transport failure.
struct scripted_step {
    enum class what { respond, transport_error, std_exception, bad_alloc, non_std_exception } action = what::respond;
    bosbase::error_kind kind = bosbase::error_kind::other;
    std::string message;
    bosbase::http_response response;
};

// A transport that answers from a script and aborts when a request carries bytes
// that would change the request line or headers on the wire.
struct scripted_transport {
    struct state {
        std::string expected_origin;
        std::deque<scripted_step> script;
        std::size_t calls = 0;
    };
    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        ++s->calls;
        BOSBASE_FUZZ_CHECK_MSG(req.origin == s->expected_origin, req.origin);
        BOSBASE_FUZZ_CHECK_MSG(is_token(req.method), req.method);
        BOSBASE_FUZZ_CHECK_MSG(!req.target.empty() && req.target.front() == '/', req.target);
        BOSBASE_FUZZ_CHECK_MSG(is_wire_safe_target(req.target), req.target);
        for (const auto& h : req.headers) {
            BOSBASE_FUZZ_CHECK_MSG(is_token(h.first), h.first);
            BOSBASE_FUZZ_CHECK_MSG(!has_cr_lf_nul(h.second), h.first + " header has CR, LF or NUL");
        }
        BOSBASE_FUZZ_CHECK(!has_cr_lf_nul(req.content_type));
        if (s->script.empty()) {
            return bosbase::http_response{200, {}, "{}"};
        }
        scripted_step step = std::move(s->script.front());
        s->script.pop_front();
        switch (step.action) {
        case scripted_step::what::transport_error: throw bosbase::transport_error(step.kind, step.message);
        case scripted_step::what::std_exception: throw std::runtime_error(step.message);
        case scripted_step::what::bad_alloc: throw std::bad_alloc();
        case scripted_step::what::non_std_exception: throw 42;
        case scripted_step::what::respond: break;
        }
        return std::move(step.response);
    }
};

}  // namespace bosbase_fuzz
