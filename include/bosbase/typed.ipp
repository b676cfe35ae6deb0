// bosbase-cpp: definitions of typed.hpp (typed records: pb.collection<T>(), typed realtime events, and the field reading)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TYPED_IPP
#define BOSBASE_TYPED_IPP

#include "typed.hpp"

namespace bosbase {
namespace record_io {
namespace detail_io {

BOSBASE_DECL int digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') {
            ok = false;
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

BOSBASE_DECL std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

BOSBASE_DECL void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

}  // namespace detail_io
}  // namespace record_io
}  // namespace bosbase

namespace bosbase {
namespace record_io {

BOSBASE_DECL std::optional<record_time> parse_time(std::string_view s) {
    bool ok = s.size() >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' &&
              s[16] == ':';
    if (!ok) return std::nullopt;
    const int year = detail_io::digits(s, 0, 4, ok);
    const int month = detail_io::digits(s, 5, 2, ok);
    const int day = detail_io::digits(s, 8, 2, ok);
    const int hour = detail_io::digits(s, 11, 2, ok);
    const int minute = detail_io::digits(s, 14, 2, ok);
    const int second = detail_io::digits(s, 17, 2, ok);
    std::size_t at = 19;
    int millis = 0;
    if (at < s.size() && s[at] == '.') {
        ++at;
        int scale = 100;
        const std::size_t first = at;
        for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
            millis += (s[at] - '0') * scale;
            scale /= 10;
        }
        ok = ok && at > first;
    }
    if (at < s.size() && s[at] == 'Z') ++at;
    static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!ok || at != s.size() || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || hour > 23 ||
        minute > 59 || second > 59) {
        return std::nullopt;
    }
    const std::int64_t days = detail_io::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t ms = ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
    return record_time(std::chrono::milliseconds(ms));
}

BOSBASE_DECL std::string format_time(record_time t) {
    const std::int64_t ms = t.time_since_epoch().count();
    std::int64_t days = ms / 86400000;
    std::int64_t rest = ms % 86400000;
    if (rest < 0) {
        rest += 86400000;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    detail_io::civil_from_days(days, y, m, d);
    // By hand rather than with snprintf: mingw's printf family does not know every length modifier.
    std::string out;
    auto put = [&out](std::int64_t v, int width) {
        std::string digits;
        for (; v > 0 || static_cast<int>(digits.size()) < width; v /= 10) digits.insert(0, 1, char('0' + v % 10));
        out += digits;
    };
    if (y < 0) {
        out += '-';
        y = -y;
    }
    put(y, 4);
    out += '-';
    put(m, 2);
    out += '-';
    put(d, 2);
    out += ' ';
    put(rest / 3600000, 2);
    out += ':';
    put(rest / 60000 % 60, 2);
    out += ':';
    put(rest / 1000 % 60, 2);
    out += '.';
    put(rest % 1000, 3);
    out += 'Z';
    return out;
}

}  // namespace record_io
}  // namespace bosbase

#endif  // BOSBASE_TYPED_IPP
