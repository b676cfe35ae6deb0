// bosbase-cpp: An incremental parser for server-sent events with a per-event cap.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_SSE_PARSER_HPP
#define BOSBASE_REALTIME_SSE_PARSER_HPP

#include "../config.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <chrono>

namespace bosbase {

namespace detail {

/// One parsed server-sent event.
struct sse_event {
    std::string event = "message";
    std::string data;
    std::string id;  ///< the last event id at dispatch
};

/// Incremental SSE parser (HTML Living Standard, "event stream interpretation").
/// One per connection; it keeps no other state. Lines may end in CRLF, LF or CR,
/// and events may be split anywhere between feed() calls.
class sse_parser {
public:
    explicit sse_parser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

    /// Feeds bytes; on_event(const sse_event&) returns false to stop. Returns false
    /// when on_event stopped or an event outgrew the cap (error() says so).
    template <class OnEvent>
    bool feed(std::string_view chunk, OnEvent&& on_event) {
        if (!error_.empty()) {
            return false;
        }
        if (at_start_ && !chunk.empty()) {
            // A UTF-8 byte order mark may open the stream, possibly split across chunks.
            static constexpr std::string_view bom = "\xEF\xBB\xBF";
            const std::size_t want = bom.size() - bom_seen_;
            const std::size_t n = std::min(want, chunk.size());
            if (chunk.substr(0, n) == bom.substr(bom_seen_, n)) {
                bom_seen_ += n;
                chunk.remove_prefix(n);
                if (bom_seen_ < bom.size()) {
                    return true;
                }
            } else if (bom_seen_ > 0) {
                line_.assign(bom.substr(0, bom_seen_));  // not a BOM after all: those bytes are text
            }
            at_start_ = false;
        }
        while (!chunk.empty()) {
            if (after_cr_) {
                after_cr_ = false;
                if (chunk.front() == '\n') {  // the LF of a CRLF split across chunks
                    chunk.remove_prefix(1);
                    continue;
                }
            }
            const auto end = chunk.find_first_of("\r\n");
            if (end == std::string_view::npos) {
                if (!grow(line_.size() + chunk.size())) {
                    return false;
                }
                line_.append(chunk);
                return true;
            }
            after_cr_ = chunk[end] == '\r';
            bool keep_going = true;
            if (line_.empty()) {
                if (!grow(end)) {  // the same cap as for a line that came in pieces
                    return false;
                }
                keep_going = process_line(chunk.substr(0, end), on_event);
            } else {
                if (!grow(line_.size() + end)) {
                    return false;
                }
                line_.append(chunk.substr(0, end));
                std::string line = std::move(line_);
                line_.clear();
                keep_going = process_line(line, on_event);
            }
            chunk.remove_prefix(end + 1);
            if (!keep_going) {
                return false;
            }
        }
        return true;
    }

    /// Why feed() failed ("" when it did not).
    const std::string& error() const noexcept { return error_; }

    /// The last `retry:` value in milliseconds, if the server sent one.
    std::optional<std::chrono::milliseconds> retry() const noexcept { return retry_; }

private:
    bool grow(std::size_t line_size);

    template <class OnEvent>
    bool process_line(std::string_view line, OnEvent& on_event) {
        if (line.empty()) {
            return dispatch(on_event);
        }
        if (line.front() == ':') {
            return true;  // comment
        }
        std::string_view field = line;
        std::string_view value;
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            field = line.substr(0, colon);
            value = line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ') {
                value.remove_prefix(1);
            }
        }
        if (field == "data") {
            if (!grow(value.size() + 1)) {
                return false;
            }
            data_.append(value);
            data_ += '\n';
            has_data_ = true;
        } else if (field == "event") {
            event_.assign(value);
        } else if (field == "id") {
            if (value.find('\0') == std::string_view::npos) {
                last_id_.assign(value);
            }
        } else if (field == "retry") {
            const bool digits = !value.empty() && value.size() <= 9 &&
                                std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits) {
                retry_ = std::chrono::milliseconds(std::stol(std::string(value)));
            }
        }
        return true;  // other fields are ignored
    }

    template <class OnEvent>
    bool dispatch(OnEvent& on_event) {
        if (!has_data_) {
            event_.clear();
            return true;
        }
        sse_event ev;
        data_.pop_back();  // the LF after the last data line
        ev.data = std::move(data_);
        ev.event = event_.empty() ? std::string("message") : std::move(event_);
        ev.id = last_id_;
        data_.clear();
        event_.clear();
        has_data_ = false;
        return on_event(ev);
    }

    std::size_t max_event_bytes_;
    std::string line_;
    std::string data_;
    std::string event_;
    std::string last_id_;
    std::string error_;
    std::optional<std::chrono::milliseconds> retry_;
    std::size_t bom_seen_ = 0;
    bool has_data_ = false;
    bool after_cr_ = false;
    bool at_start_ = true;
};

}  // namespace detail

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "sse_parser.ipp"
#endif

#endif  // BOSBASE_REALTIME_SSE_PARSER_HPP
