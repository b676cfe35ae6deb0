// bosbase-cpp: what every part uses: nlohmann/json, the basic aliases.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CONFIG_HPP
#define BOSBASE_CONFIG_HPP

#include "version.hpp"

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

// Where the client's definitions are compiled. By default (header-only) in every TU that
// includes the header, as inline functions. With BOSBASE_SEPARATE_COMPILATION, only in the
// one TU that also defines BOSBASE_IMPLEMENTATION; the others see declarations only
// (asio's BOOST_ASIO_SEPARATE_COMPILATION, stb's IMPLEMENTATION). BOSBASE_EXTERN_TEMPLATES,
// the earlier name, means the same.
#if defined(BOSBASE_EXTERN_TEMPLATES) && !defined(BOSBASE_SEPARATE_COMPILATION)
#define BOSBASE_SEPARATE_COMPILATION
#endif
#ifdef BOSBASE_SEPARATE_COMPILATION
#define BOSBASE_DECL
#else
#define BOSBASE_DECL inline
#endif

// Kept out of line everywhere: rare or bookkeeping-only code on the call path. Inlined,
// it spends the optimizer's per-unit inlining budget (GCC's inline-unit-growth) that
// the JSON lexer's per-character get() needs, which then costs every parse.
#if defined(__GNUC__) || defined(__clang__)
#define BOSBASE_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define BOSBASE_NOINLINE __declspec(noinline)
#else
#define BOSBASE_NOINLINE
#endif

namespace bosbase {

using json = nlohmann::json;

/// @brief Ordered HTTP header list; names compare case-insensitively where it matters.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// @brief Ordered query parameters. Values follow the JS SDK's rules: strings and
/// numbers as text, booleans as true/false, arrays repeat the key, objects are
/// sent as JSON, null values are skipped.
using query_params = std::vector<std::pair<std::string, json>>;

}  // namespace bosbase

#endif  // BOSBASE_CONFIG_HPP
