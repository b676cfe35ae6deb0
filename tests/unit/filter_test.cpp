// bosbase::filter(): the JS SDK's escaping rules, minus its quirks, and the
// property that no parameter value can change the expression's structure.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("filter renders each value kind as the JS SDK does") {
    using namespace std::chrono;
    const auto date = system_clock::time_point(milliseconds(1697613072000));  // 2023-10-18 07:11:12.000Z
    const std::string out = bosbase::filter(
        "a={:s} b={:i} c={:d} d={:t} e={:f} g={:n} h={:date} i={:arr} j={:obj} k={:u}",
        {{"s", "it's"},
         {"i", -123},
         {"d", -123.45},
         {"t", true},
         {"f", false},
         {"n", nullptr},
         {"date", date},
         {"arr", json{1, 2, 3, "t'1"}},
         {"obj", json{{"a", "t'1"}}},
         {"u", std::uint64_t(18446744073709551615ull)}});
    CHECK(out == "a='it\\'s' b=-123 c=-123.45 d=true e=false g=null h='2023-10-18 07:11:12.000Z' "
                 "i='[1,2,3,\"t\\'1\"]' j='{\"a\":\"t\\'1\"}' k=18446744073709551615");

    // JSON strings, numbers and booleans render like their plain counterparts.
    CHECK(bosbase::filter("{:a} {:b} {:c} {:d}", {{"a", json("x")}, {"b", json(2)}, {"c", json(true)}, {"d", json()}}) ==
          "'x' 2 true null");
    CHECK(bosbase::filter("{:a}", {{"a", std::string("s")}}) == "'s'");
    CHECK(bosbase::filter("{:a}", {{"a", std::string_view("v")}}) == "'v'");
    // backslashes and double quotes are not escaped (the server keeps them literally)
    CHECK(bosbase::filter("{:a}", {{"a", "a\\b\"c"}}) == "'a\\b\"c'");
}

TEST_CASE("filter formats numbers like JS String(number)") {
    const std::vector<std::pair<double, std::string>> cases = {
        {0.0, "0"},         {-0.0, "0"},           {1.0, "1"},         {100.0, "100"},
        {1.5, "1.5"},       {0.1, "0.1"},          {0.1 + 0.2, "0.30000000000000004"},
        {1e21, "1e+21"},    {1e20, "100000000000000000000"},           {123456789012345680000.0, "123456789012345680000"},
        {1e-6, "0.000001"}, {1e-7, "1e-7"},        {1.5e-7, "1.5e-7"}, {-2.5e30, "-2.5e+30"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {std::numeric_limits<double>::quiet_NaN(), "NaN"},
        {std::numeric_limits<double>::infinity(), "Infinity"},
        {-std::numeric_limits<double>::infinity(), "-Infinity"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.second);
        CHECK(bosbase::filter("{:x}", {{"x", c.first}}) == c.second);
    }
    CHECK(bosbase::filter("{:x}", {{"x", 2.5f}}) == "2.5");
}

TEST_CASE("filter formats dates in UTC with milliseconds, before 1970 too") {
    using namespace std::chrono;
    CHECK(bosbase::filter("{:d}", {{"d", system_clock::time_point(milliseconds(0))}}) == "'1970-01-01 00:00:00.000Z'");
    CHECK(bosbase::filter("{:d}", {{"d", system_clock::time_point(milliseconds(-1))}}) == "'1969-12-31 23:59:59.999Z'");
    CHECK(bosbase::filter("{:d}", {{"d", system_clock::time_point(milliseconds(951782400123))}}) ==
          "'2000-02-29 00:00:00.123Z'");
    CHECK(bosbase::filter("{:d}", {{"d", time_point_cast<seconds>(system_clock::time_point(seconds(4102444800)))}}) ==
          "'2100-01-01 00:00:00.000Z'");
}

TEST_CASE("filter substitutes once, left to right, and leaves unknown placeholders") {
    CHECK(bosbase::filter("x = {:a}", {}) == "x = {:a}");
    CHECK(bosbase::filter("a={:a} b={:b} again={:a} none={:c} {:", {{"a", 1}, {"b", "{:a}"}}) ==
          "a=1 b='{:a}' again=1 none={:c} {:");
    // No `$&`-style expansion and no re-substitution of inserted text.
    CHECK(bosbase::filter("{:a}{:b}", {{"a", "$&$'$`"}, {"b", "{:b}"}}) == "'$&$\\'$`''{:b}'");
    // The first of duplicate keys wins; a key that is a prefix of another does not match it.
    CHECK(bosbase::filter("{:ab} {:a}", {{"a", 1}, {"ab", 2}, {"a", 3}}) == "2 1");
    CHECK(bosbase::filter("{:{:a}}", {{"a", 1}}) == "{:1}");
}

TEST_CASE("filter refuses what it cannot write safely, quoting no value") {
    try {
        bosbase::filter("x = {:p}", {{"p", "secret-value\\"}});
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("'p'") != std::string::npos);
        CHECK(std::string(e.what()).find("secret-value") == std::string::npos);
    }
    CHECK_THROWS_AS(bosbase::filter("x = {:p}", {{"p", json{"\xff"}}}), std::invalid_argument);
    // also when the placeholder is not used: every value is checked
    CHECK_THROWS_AS(bosbase::filter("x", {{"p", "a\\"}}), std::invalid_argument);
}

TEST_CASE("pb.filter is the same function") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    CHECK(pb.filter("title = {:t}", {{"t", "a'b"}}) == "title = 'a\\'b'");
    CHECK(fake_client::filter("n > {:n}", {{"n", 3}}) == "n > 3");
}

namespace {

// The server's (fexpr) view of an expression: a quoted literal runs to the first
// matching quote not directly after a backslash; everything else is split into
// words, numbers, operators and parentheses. Returns token kinds; "?" marks an
// unterminated literal.
std::vector<std::string> token_kinds(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    auto is_word = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '@' || c == '-' || c == ':' || c == '+';
    };
    while (i < s.size()) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            while (j < s.size() && !(s[j] == c && s[j - 1] != '\\')) ++j;
            if (j >= s.size()) {
                out.push_back("?");
                return out;
            }
            out.push_back("text");
            i = j + 1;
        } else if (c == '(' || c == ')') {
            out.push_back(std::string(1, c));
            ++i;
        } else if (is_word(c)) {
            std::size_t j = i;
            while (j < s.size() && is_word(s[j])) ++j;
            out.push_back("word");
            i = j;
        } else {
            std::size_t j = i;
            while (j < s.size() && !is_word(s[j]) && s[j] != ' ' && s[j] != '\'' && s[j] != '"' && s[j] != '(' &&
                   s[j] != ')')
                ++j;
            out.push_back("op:" + s.substr(i, j - i));
            i = j;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("property: no parameter value changes the structure of the expression") {
    const std::string expr = "(title = {:s} || body ~ {:t}) && created > {:d} && tags ?= {:j} && n != {:n}";
    const auto reference = token_kinds(
        bosbase::filter(expr, {{"s", "x"}, {"t", "y"}, {"d", std::chrono::system_clock::time_point()},
                               {"j", json{{"k", "v"}}}, {"n", 1}}));
    REQUIRE(reference.size() == 21);

    const std::vector<std::string> alphabet = {"a", "b", " ", "'", "\"", "\\", "{", "}", ":", "(", ")", "&",
                                               "|", "=", "~", "!", "<", ">", "?", "%", "$", "`", "\n", "\t",
                                               "\xc3\xa9", "{:s}", "\\'", "''"};
    std::mt19937 rng(20240611);
    auto random_text = [&] {
        std::string out;
        const std::size_t len = rng() % 12;
        for (std::size_t i = 0; i < len; ++i) out += alphabet[rng() % alphabet.size()];
        return out;
    };
    int refused = 0;
    for (int round = 0; round < 20000; ++round) {
        const std::string s = random_text();
        const std::string u = random_text();
        json j = json::object();
        j[random_text()] = json::array({random_text(), static_cast<int>(rng() % 100)});
        const double n = std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 200) - 100) *
                         ((rng() & 1) ? -1 : 1);
        bosbase::filter_params params{{"s", s}, {"t", u}, {"d", std::chrono::system_clock::now()}, {"j", j}, {"n", n}};
        std::string built;
        try {
            built = bosbase::filter(expr, params);
        } catch (const std::invalid_argument&) {
            // only a string ending in a backslash is refused
            CHECK(((!s.empty() && s.back() == '\\') || (!u.empty() && u.back() == '\\')));
            ++refused;
            continue;
        }
        CAPTURE(built);
        REQUIRE(token_kinds(built) == reference);
    }
    CHECK(refused > 0);
    CHECK(refused < 20000);
}
