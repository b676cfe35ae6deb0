// bosbase-cpp: Filter expressions with safely escaped parameters, and the query-building helpers they share.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_FILTER_HPP
#define BOSBASE_FILTER_HPP

#include "config.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

// JS String(number): shortest round-trip digits, plain notation for exponents
// from -7 to 20, "1e+21" style beyond (ECMA-262 Number::toString).
BOSBASE_DECL std::string js_number(double v);

// 'YYYY-MM-DD HH:MM:SS.sssZ' in UTC, the server's datetime format (and JS toISOString with a space).
BOSBASE_DECL std::string format_datetime_ms(std::int64_t ms_since_epoch);

}  // namespace detail

/// @brief One parameter value of bosbase::filter(): a string, number, bool,
/// null, date (system_clock time point) or any JSON value.
class filter_value {
public:
    filter_value(std::nullptr_t) : value_(nullptr) {}
    filter_value(bool b) : value_(b) {}
    template <class N, std::enable_if_t<std::is_arithmetic_v<N> && !std::is_same_v<N, bool> &&
                                            !std::is_same_v<N, char>, int> = 0>
    filter_value(N number) : value_(number) {}
    filter_value(const char* text) : value_(text == nullptr ? json(nullptr) : json(std::string(text))) {}
    filter_value(std::string text) : value_(std::move(text)) {}
    filter_value(std::string_view text) : value_(std::string(text)) {}
    filter_value(json value) : value_(std::move(value)) {}
    template <class Duration>
    filter_value(std::chrono::time_point<std::chrono::system_clock, Duration> time)
        : value_(nullptr),
          is_date_(true),
          ms_(std::chrono::floor<std::chrono::milliseconds>(time).time_since_epoch().count()) {}

    /// @brief The text that replaces the placeholder; `key` only names the parameter in errors.
    std::string render(std::string_view key) const;

private:
    static std::string quote(const std::string& text);

    json value_;
    bool is_date_ = false;
    std::int64_t ms_ = 0;
};

/// @brief Named filter parameters, in order: `{{"name", "x"}, {"n", 3}}`.
using filter_params = std::vector<std::pair<std::string, filter_value>>;

/// @brief Builds a filter expression, replacing each `{:key}` with the value of
/// that parameter, escaped so that no value can change the expression's structure:
/// strings become '…' with ' escaped as \', numbers JS-style (`1.5`, `1e+21`,
/// `NaN`), booleans and null as words, dates as '2024-01-02 03:04:05.678Z' (UTC),
/// other JSON as its quoted JSON text. One left-to-right pass: substituted text
/// is never scanned again; a placeholder without a parameter stays as written;
/// with duplicate keys the first wins.
///
/// Throws std::invalid_argument for a string that ends in a backslash (the
/// server's filter syntax cannot express it) and for non-UTF-8 JSON values.
BOSBASE_DECL std::string filter(std::string_view raw, const filter_params& params);

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "filter.ipp"
#endif

#endif  // BOSBASE_FILTER_HPP
