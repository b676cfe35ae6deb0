// The depth-limited JSON parser every response goes through. This file is also
// built alone with BOSBASE_JSON_PUBLIC_SAX (json::sax_parse instead of nlohmann's
// parser class) and with JSON_DIAGNOSTICS (parent pointers kept), so each way the
// header can parse gives the same answers.
#include <doctest/doctest.h>
#include <bosbase.hpp>

#include <string>

using bosbase::json;

TEST_CASE("the depth-limited parser builds what json::parse builds, and counts only real nesting") {
    using bosbase::detail::parse_json;
    const std::string docs[] = {R"({"a":"[[[[{{{{","b":[1,2.5,-3,true,null,{"c":"\"]]"}],"d":{}})", "[]", "{}", "\"s\"",
                                "42", "[[],[[]],{\"k\":[]}]", R"({"dup":1,"dup":2})", R"({"big":18446744073709551615})"};
    for (const auto& doc : docs) {
        CAPTURE(doc);
        const auto parsed = parse_json(doc, 16);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == json::parse(doc));
    }
    CHECK(parse_json(R"({"a":"[[[[[[{{{{"})", 1).has_value());  // brackets in strings do not count
    CHECK(parse_json(R"(["\\",[]])", 2).has_value());
    CHECK_FALSE(parse_json(R"(["\\",[[]]])", 2).has_value());
    CHECK_FALSE(parse_json("[[[]]]", 2).has_value());
    CHECK_FALSE(parse_json("{\"a\":", 8).has_value());  // truncated
    CHECK_FALSE(parse_json("", 8).has_value());
    CHECK_FALSE(parse_json("[1,2] trailing", 8).has_value());
    CHECK_FALSE(parse_json(std::string("\"\xFF\""), 8).has_value());  // not UTF-8
}

TEST_CASE("the depth-limited parser refuses depth max + 1 and accepts depth max") {
    using bosbase::detail::parse_json;
    for (std::size_t max : {1u, 2u, 16u, 128u}) {
        CAPTURE(max);
        const std::string arrays_ok = std::string(max, '[') + std::string(max, ']');
        const std::string arrays_deep = std::string(max + 1, '[') + std::string(max + 1, ']');
        CHECK(parse_json(arrays_ok, max).has_value());
        CHECK_FALSE(parse_json(arrays_deep, max).has_value());
        std::string objects_ok = "1";
        for (std::size_t i = 0; i < max; ++i) objects_ok = "{\"k\":" + objects_ok + "}";
        CHECK(parse_json(objects_ok, max).has_value());
        CHECK_FALSE(parse_json("[" + objects_ok + "]", max).has_value());
    }
}

TEST_CASE("the depth-limited parser keeps every member and element in order") {
    using bosbase::detail::parse_json;
    std::string doc = "{\"items\":[";
    for (int i = 0; i < 300; ++i) {
        doc += (i ? "," : "") + std::string("{\"id\":\"r") + std::to_string(i) + "\",\"n\":" + std::to_string(i) +
               ",\"tags\":[\"a\",\"" + std::string(40, 'x') + "\"]}";
    }
    doc += "],\"page\":1}";
    const auto parsed = parse_json(doc, 8);
    REQUIRE(parsed.has_value());
    REQUIRE((*parsed)["items"].size() == 300);
    CHECK((*parsed)["items"][299]["id"] == "r299");
    CHECK((*parsed)["items"][7]["tags"][1] == std::string(40, 'x'));
    CHECK(*parsed == json::parse(doc));
}
