// bosbase-cpp: definitions of filter.hpp (filter expressions with safely escaped parameters, and the query-building helpers they share.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_FILTER_IPP
#define BOSBASE_FILTER_IPP

#include "filter.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::string js_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
    if (v == 0) return "0";  // also -0, as in JS
    const std::string sign = v < 0 ? "-" : "";
    const double a = std::fabs(v);
    std::string digits;
    int exponent = 0;
    for (int precision = 1; precision <= 17; ++precision) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*e", precision - 1, a);
        if (precision < 17 && std::strtod(buf, nullptr) != a) {
            continue;
        }
        // Digits and exponent only: the decimal separator depends on the locale.
        const char* e = std::strchr(buf, 'e');
        for (const char* c = buf; c != e; ++c) {
            if (*c >= '0' && *c <= '9') digits += *c;
        }
        exponent = std::atoi(e + 1);
        break;
    }
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // value = 0.digits * 10^n
    if (k <= n && n <= 21) return sign + digits + std::string(static_cast<std::size_t>(n - k), '0');
    if (0 < n && n <= 21) return sign + digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
    if (-6 < n && n <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    std::string out = sign + digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    const int e = n - 1;
    return out + "e" + (e < 0 ? "-" : "+") + std::to_string(e < 0 ? -e : e);
}

BOSBASE_DECL std::string format_datetime_ms(std::int64_t ms_since_epoch) {
    auto floor_div = [](std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); };
    const std::int64_t days = floor_div(ms_since_epoch, 86400000);
    const std::int64_t ms_of_day = ms_since_epoch - days * 86400000;
    // Civil date from days since 1970-01-01 (proleptic Gregorian), valid for any int64 day count we can get.
    const std::int64_t z = days + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buf[64];
    const char* year_format = (year >= 0 && year <= 9999) ? "%04lld" : (year < 0 ? "-%06lld" : "+%06lld");
    int len = std::snprintf(buf, sizeof buf, year_format, static_cast<long long>(year < 0 ? -year : year));
    std::snprintf(buf + len, sizeof buf - static_cast<std::size_t>(len), "-%02lld-%02lld %02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(month), static_cast<long long>(day),
                  static_cast<long long>(ms_of_day / 3600000), static_cast<long long>(ms_of_day / 60000 % 60),
                  static_cast<long long>(ms_of_day / 1000 % 60), static_cast<long long>(ms_of_day % 1000));
    return buf;
}

}  // namespace detail
}  // namespace bosbase

namespace bosbase {

BOSBASE_DECL std::string filter_value::render(std::string_view key) const {
    if (is_date_) {
        return "'" + detail::format_datetime_ms(ms_) + "'";
    }
    switch (value_.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return value_.get<bool>() ? "true" : "false";
    case json::value_t::number_integer: return std::to_string(value_.get<std::int64_t>());
    case json::value_t::number_unsigned: return std::to_string(value_.get<std::uint64_t>());
    case json::value_t::number_float: return detail::js_number(value_.get<double>());
    case json::value_t::string: {
        const auto& text = value_.get_ref<const std::string&>();
        // The server ends a quoted literal at the first quote not directly after a
        // backslash and unescapes only \' -- a trailing backslash would swallow our
        // closing quote and let the rest of the expression change meaning.
        if (!text.empty() && text.back() == '\\') {
            throw std::invalid_argument("bosbase: filter parameter '" + std::string(key) +
                                        "': a string ending in a backslash cannot be written as a filter "
                                        "literal (the server would not see where it ends)");
        }
        return quote(text);
    }
    default: {
        std::string text;
        try {
            text = value_.dump();
        } catch (const json::type_error&) {
            throw std::invalid_argument("bosbase: filter parameter '" + std::string(key) +
                                        "': a JSON value is not valid UTF-8");
        }
        return quote(text);
    }
    }
}

BOSBASE_DECL std::string filter_value::quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

BOSBASE_DECL std::string filter(std::string_view raw, const filter_params& params) {
    if (params.empty()) {
        return std::string(raw);
    }
    std::vector<std::string> rendered;
    rendered.reserve(params.size());
    for (const auto& p : params) rendered.push_back(p.second.render(p.first));

    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const auto open = raw.find("{:", pos);
        if (open == std::string_view::npos) {
            break;
        }
        out.append(raw.substr(pos, open - pos));
        std::size_t matched = params.size();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const std::string& key = params[i].first;
            if (raw.compare(open + 2, key.size(), key) == 0 && open + 2 + key.size() < raw.size() &&
                raw[open + 2 + key.size()] == '}') {
                matched = i;
                break;
            }
        }
        if (matched == params.size()) {
            out += raw[open];
            pos = open + 1;
        } else {
            out += rendered[matched];
            pos = open + 3 + params[matched].first.size();
        }
    }
    if (pos < raw.size()) out.append(raw.substr(pos));
    return out;
}

}  // namespace bosbase

#endif  // BOSBASE_FILTER_IPP
