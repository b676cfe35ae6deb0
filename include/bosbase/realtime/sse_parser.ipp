// bosbase-cpp: definitions of realtime/sse_parser.hpp (an incremental parser for server-sent events with a per-event cap.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_REALTIME_SSE_PARSER_IPP
#define BOSBASE_REALTIME_SSE_PARSER_IPP

#include "sse_parser.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL bool sse_parser::grow(std::size_t line_size) {
    if (line_size + data_.size() + event_.size() > max_event_bytes_) {
        error_ = "an event is larger than max_event_bytes (" + std::to_string(max_event_bytes_) + " bytes)";
        line_.clear();
        data_.clear();
        return false;
    }
    return true;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_REALTIME_SSE_PARSER_IPP
