// bosbase-typegen and typed records: the name rules, the mapping of every field type and
// option, bad schemas, the generated header's text, record_io's reading and writing, and the
// typed handle (pb.collection<T>()) through the fake transports, with the structs generated
// from tests/integration/typed_records_schema.json (typed_test_types.hpp, kept in sync below).
#include <doctest/doctest.h>
#include <fake_stream_transport.hpp>
#include <fake_transport.hpp>

#include <bosbase.hpp>

#include "../../tools/typegen/emit.hpp"
#include "../../tools/typegen/schema.hpp"
#include "typed_test_types.hpp"

#include <fstream>
#include <sstream>
#include <initializer_list>
#include <string>

namespace typegen_test {

using bosbase::json;
using bosbase_typegen::field_kind;
using bosbase_typegen::identifier_for;
using bosbase_typegen::read_schema;
using bosbase_typegen::schema_error;
using bosbase_typegen::write_mode;

json collection(const std::string& name, const std::string& type, json fields) {
    return json{{"id", "pbc_" + name}, {"name", name}, {"type", type}, {"fields", std::move(fields)}};
}

// `collection(name, type, {field(...)})`: a braced list of one json is a copy of it, not an array,
// under some compilers (clang++ in C++20, CWG 2137), so the fields come as a list of their own.
json collection(const std::string& name, const std::string& type, std::initializer_list<json> fields) {
    json list = json::array();
    for (const auto& f : fields) list.push_back(f);
    return collection(name, type, std::move(list));
}

json field(const std::string& name, const std::string& type, json options = json::object()) {
    json f = std::move(options);
    f["name"] = name;
    f["type"] = type;
    return f;
}

std::string error_of(const json& doc, const bosbase_typegen::read_options& options = {}) {
    try {
        (void)read_schema(doc, options);
    } catch (const schema_error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const bosbase_typegen::field_model& field_of(const bosbase_typegen::collection_model& c, const std::string& name) {
    for (const auto& f : c.fields) {
        if (f.name == name) return f;
    }
    FAIL("no field " << name);
    return c.fields.front();
}

// Reads one member through record_io, as a generated from_json does.
template <class T>
T read_one(const json& value, T start = T{}) {
    bosbase::record_io::read(json{{"f", value}}, "f", start);
    return start;
}

template <class T>
json write_one(const T& value) {
    json j = json::object();
    bosbase::record_io::write(j, "f", value);
    return j["f"];
}

struct note {
    static constexpr const char* collection_name = "notes";
    std::string id;
    std::string text;
};
void from_json(const json& j, note& n) {
    bosbase::record_io::require_object(j, "notes");
    bosbase::record_io::read(j, "id", n.id);
    bosbase::record_io::read(j, "text", n.text);
}
void to_json(json& j, const note& n) { j = json{{"text", n.text}}; }

json page_of(json items) {
    return json{{"page", 1}, {"perPage", 30}, {"totalItems", items.size()}, {"totalPages", 1}, {"items", items}};
}

}  // namespace typegen_test

using namespace typegen_test;

TEST_CASE("typegen names: invalid characters, leading digits, reserved words and macros") {
    CHECK(identifier_for("title", "x") == "title");
    CHECK(identifier_for("in-progress", "x") == "in_progress");
    CHECK(identifier_for("a--b", "x") == "a_b");
    CHECK(identifier_for("a__b", "x") == "a_b");  // C++ reserves "__"
    CHECK(identifier_for("__x", "x") == "_x");
    CHECK(identifier_for("1st", "x") == "_1st");
    CHECK(identifier_for("_Abc", "x") == "x_Abc");  // "_" + capital is reserved
    CHECK(identifier_for("_superusers", "x") == "_superusers");
    CHECK(identifier_for("class", "x") == "class_");
    CHECK(identifier_for("default", "x") == "default_");
    CHECK(identifier_for("DELETE", "x") == "DELETE_");  // <windows.h>
    CHECK(identifier_for("linux", "x") == "linux_");    // GNU mode
    CHECK(identifier_for("\xc3\xbcn\xc3\xaf", "x") == "_n_");
    CHECK(identifier_for("a b.c", "x") == "a_b_c");
    CHECK_THROWS_AS((void)identifier_for("", "a field"), schema_error);
}

TEST_CASE("typegen names: two names with one C++ name are an error naming both, and so are clashes with generated names") {
    const std::string fields_clash =
        error_of(json::array({collection("c", "base", {field("a-b", "text"), field("a_b", "text")})}));
    CHECK(contains(fields_clash, "'a-b'"));
    CHECK(contains(fields_clash, "'a_b'"));
    CHECK(contains(fields_clash, "collection 'c'"));
    const std::string collections_clash =
        error_of(json::array({collection("x.y", "base", json::array()), collection("x_y", "base", json::array())}));
    CHECK(contains(collections_clash, "'x.y'"));
    CHECK(contains(collections_clash, "'x_y'"));
    const std::string values_clash =
        error_of(json::array({collection("c", "base", {field("s", "select", {{"values", {"a b", "a_b"}}})})}));
    CHECK(contains(values_clash, "'a b'"));
    CHECK(contains(values_clash, "'a_b'"));
    CHECK(contains(error_of(json::array({collection("c", "base", {field("s", "select", {{"values", {"none_"}}})})})),
                   "the empty selection"));
    const std::string enum_clash = error_of(
        json::array({collection("c", "base", {field("s", "select", {{"values", {"x"}}}), field("s_value", "text")})}));
    CHECK(contains(enum_clash, "'s_value'"));

    // A member cannot share its struct's name nor the generated ones: these get a '_'.
    const auto model = read_schema(json::array({collection(
        "tags", "base", {field("tags", "text"), field("fields", "text"), field("collection_name", "text")})}));
    const auto& c = model.collections.at(0);
    CHECK(c.ident == "tags");
    CHECK(field_of(c, "tags").ident == "tags_");
    CHECK(field_of(c, "fields").ident == "fields_");
    CHECK(field_of(c, "collection_name").ident == "collection_name_");
    CHECK(read_schema(json::array({collection("to_json", "base", json::array())})).collections[0].ident == "to_json_");
}

TEST_CASE("typegen mapping: every field type and option") {
    const json doc = json::array({collection(
        "all", "base",
        {field("id", "text"), field("t", "text"), field("e", "editor"), field("m", "email"), field("u", "url"),
         field("pw", "password"), field("n", "number"), field("i", "number", {{"onlyInt", true}}),
         field("b", "bool"), field("d", "date"), field("ad", "autodate"),
         field("s1", "select", {{"maxSelect", 1}, {"values", {"x", "y"}}}),
         field("s2", "select", {{"maxSelect", 2}, {"values", {"x"}}}), field("f1", "file", {{"maxSelect", 1}}),
         field("f2", "file", {{"maxSelect", 99}}), field("r1", "relation", {{"maxSelect", 1}, {"collectionId", "pbc_u"}}),
         field("r2", "relation", {{"maxSelect", 2}}), field("j", "json"), field("g", "geoPoint"),
         field("v", "vector", {{"dimension", 3}}), field("future", "hologram"), field("createdBy", "text")})});
    const auto model = read_schema(doc);
    const auto& c = model.collections.at(0);
    struct expectation {
        const char* name;
        field_kind kind;
        write_mode write;
    };
    const expectation table[] = {
        {"id", field_kind::text, write_mode::when_not_empty},
        {"t", field_kind::text, write_mode::always},
        {"e", field_kind::text, write_mode::always},
        {"m", field_kind::text, write_mode::always},
        {"u", field_kind::text, write_mode::always},
        {"pw", field_kind::password, write_mode::when_set},
        {"n", field_kind::number, write_mode::always},
        {"i", field_kind::integer, write_mode::always},
        {"b", field_kind::boolean, write_mode::always},
        {"d", field_kind::date, write_mode::always},
        {"ad", field_kind::date, write_mode::never},
        {"s1", field_kind::select, write_mode::always},
        {"s2", field_kind::select_multiple, write_mode::always},
        {"f1", field_kind::id_single, write_mode::never},
        {"f2", field_kind::id_multiple, write_mode::never},
        {"r1", field_kind::id_single, write_mode::always},
        {"r2", field_kind::id_multiple, write_mode::always},
        {"j", field_kind::json, write_mode::always},
        {"g", field_kind::geo_point, write_mode::always},
        {"v", field_kind::vector, write_mode::always},
        {"future", field_kind::json, write_mode::always},
        {"createdBy", field_kind::text, write_mode::never},
    };
    for (const auto& e : table) {
        CAPTURE(e.name);
        CHECK(field_of(c, e.name).kind == e.kind);
        CHECK(field_of(c, e.name).write == e.write);
    }
    CHECK_FALSE(field_of(c, "pw").read);
    CHECK_FALSE(field_of(c, "future").known_type);
    CHECK(field_of(c, "r1").relation_collection_id == "pbc_u");
    CHECK(field_of(c, "s1").enum_ident == "s1_value");
    CHECK(field_of(c, "s1").values.size() == 2);

    const std::string header = bosbase_typegen::emit_header(model);
    CHECK(contains(header, "namespace bosbase_types {"));
    CHECK(contains(header, "    ::std::string t;"));
    CHECK(contains(header, "    ::std::optional<::std::string> pw;"));
    CHECK(contains(header, "    double n = 0;"));
    CHECK(contains(header, "    ::std::int64_t i = 0;"));
    CHECK(contains(header, "    bool b = false;"));
    CHECK(contains(header, "    ::std::optional<::bosbase::record_time> d;"));
    CHECK(contains(header, "    s1_value s1 = s1_value::none_;"));
    CHECK(contains(header, "    ::std::vector<s2_value> s2;"));
    CHECK(contains(header, "    ::std::string f1;"));
    CHECK(contains(header, "    ::std::vector<::std::string> f2;"));
    CHECK(contains(header, "    ::std::vector<::std::string> r2;"));
    CHECK(contains(header, "    ::bosbase::json j;"));
    CHECK(contains(header, "    ::bosbase::geo_point g;"));
    CHECK(contains(header, "    ::std::vector<double> v;"));
    CHECK(contains(header, "    ::bosbase::json future;  ///< hologram, a type bosbase-typegen does not know"));
    CHECK(contains(header, "enum class s1_value { none_, x, y };"));
    CHECK(contains(header, "static constexpr const char* collection_id = \"pbc_all\";"));
    CHECK(contains(header, "if (!r.id.empty()) ::bosbase::record_io::write(j, \"id\", r.id);"));
    CHECK(contains(header, "::bosbase::record_io::write_if_set(j, \"pw\", r.pw);"));
    CHECK_FALSE(contains(header, "write(j, \"ad\""));
    CHECK_FALSE(contains(header, "write(j, \"f1\""));
    CHECK_FALSE(contains(header, "write(j, \"createdBy\""));
    CHECK_FALSE(contains(header, "read(j, \"pw\""));
}

TEST_CASE("typegen mapping: auth and view collections, system collections, --collections") {
    const json doc = json::array(
        {collection("users", "auth",
                    {field("id", "text"), field("password", "password"), field("tokenKey", "text"),
                     field("email", "email"), field("emailVisibility", "bool"), field("verified", "bool")}),
         collection("v", "view", {field("id", "text"), field("n", "number")}),
         json{{"name", "_superusers"}, {"type", "auth"}, {"system", true}, {"fields", json::array()}}});
    const auto model = read_schema(doc);
    REQUIRE(model.collections.size() == 2);  // system collections only when asked for
    const auto& users = model.collections[0];
    CHECK(users.name == "users");
    CHECK(std::none_of(users.fields.begin(), users.fields.end(), [](const auto& f) { return f.name == "tokenKey"; }));
    CHECK(field_of(users, "email").write == write_mode::when_not_empty);
    CHECK(field_of(users, "verified").write == write_mode::always);
    REQUIRE(users.extra_members.size() == 2);
    CHECK(users.extra_members[0].ident == "password_confirm");
    CHECK(users.extra_members[1].ident == "old_password");
    CHECK(field_of(model.collections[1], "n").write == write_mode::never);
    const std::string header = bosbase_typegen::emit_header(model);
    CHECK(contains(header, "write_if_set(j, \"passwordConfirm\", r.password_confirm);"));
    CHECK(contains(header, "// No to_json: the records of a view cannot be created or updated."));
    CHECK_FALSE(contains(header, "const v& r"));

    bosbase_typegen::read_options only;
    only.collections = {"_superusers"};
    const auto su = read_schema(doc, only);
    REQUIRE(su.collections.size() == 1);
    CHECK(su.collections[0].ident == "_superusers");
    only.collections = {"missing"};
    CHECK(contains(error_of(doc, only), "no collection 'missing'"));
}

TEST_CASE("typegen bad input: a clear error for each, never anything else") {
    CHECK_THROWS_WITH_AS((void)bosbase_typegen::read_schema_text("{not json"), doctest::Contains("not valid JSON"),
                         schema_error);
    CHECK_THROWS_AS((void)bosbase_typegen::read_schema_text(std::string(100, '[') + std::string(100, ']')),
                    schema_error);
    CHECK(contains(error_of(json{{"x", 1}}), "not a JSON array of collections"));
    CHECK(contains(error_of(json::array({1})), "not a JSON object"));
    CHECK(contains(error_of(json::array({json{{"type", "base"}, {"fields", json::array()}}})), "has no 'name'"));
    CHECK(contains(error_of(json::array({json{{"name", "c"}}})), "has no 'fields' array"));
    CHECK(contains(error_of(json::array({collection("c", "table", json::array())})), "unknown type 'table'"));
    CHECK(contains(error_of(json::array({collection("c", "base", {json{{"name", "f"}}})})), "has no 'type'"));
    CHECK(contains(error_of(json::array({collection("c", "base", {field("f", "number", {{"onlyInt", "yes"}})})})),
                   "'onlyInt' is not true or false"));
    CHECK(contains(error_of(json::array({collection("c", "base", {field("f", "file", {{"maxSelect", "2"}})})})),
                   "'maxSelect' is not a number"));
    CHECK(contains(error_of(json::array({collection("c", "base", {field("f", "select", {{"values", {1}}})})})),
                   "a select value is not a string"));
    CHECK(contains(error_of(json::array({collection("c", "base", json::array()), collection("c", "base", json::array())})),
                   "the collection 'c' twice"));
    CHECK(contains(error_of(json::array({collection("c", "base", {field("", "text")})})), "empty name"));
    for (const char* ns : {"", "1x", "a::", "::a", "class", "a-b", "bosbase", "std", "a::__b"}) {
        CAPTURE(ns);
        bosbase_typegen::emit_options o;
        o.name_space = ns;
        CHECK_THROWS_AS((void)bosbase_typegen::emit_header({}, o), schema_error);
    }
    bosbase_typegen::emit_options nested;
    nested.name_space = "app::db";
    CHECK(contains(bosbase_typegen::emit_header({}, nested), "namespace app::db {"));
    // An object with the list as `collections` or `items` (a page of the collections list).
    CHECK(read_schema(json{{"items", json::array({collection("c", "base", json::array())})}}).collections.size() == 1);
}

TEST_CASE("typegen text: any bytes become a C++ literal of exactly those bytes") {
    CHECK(bosbase_typegen::literal("plain") == "\"plain\"");
    CHECK(bosbase_typegen::literal("q\"b\\?n\n\x01\xc3\xbc" "7") == "\"q\\\"b\\\\\\?n\\012\\001\\303\\2747\"");
    const auto model = read_schema(json::array(
        {collection("c", "base", {field("s", "select", {{"values", {"say \"hi\"", "a\\b", "line\nbreak"}}})})}));
    const std::string header = bosbase_typegen::emit_header(model);
    CHECK(contains(header, "case c::s_value::say_hi_: return \"say \\\"hi\\\"\";"));
    CHECK(contains(header, "if (s == \"line\\012break\")"));
}

TEST_CASE("typegen: the checked-in typed_test_types.hpp is what the generator writes from the test schema") {
#ifdef BOSBASE_TYPEGEN_SOURCE_DIR
    auto text = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        REQUIRE(in.good());
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    const std::string root = BOSBASE_TYPEGEN_SOURCE_DIR;
    bosbase_typegen::emit_options o;
    o.name_space = "typed_test";
    o.source = "typed_records_schema.json";
    const std::string made = bosbase_typegen::emit_header(
        bosbase_typegen::read_schema_text(text(root + "/tests/integration/typed_records_schema.json")), o);
    const std::string kept = text(root + "/tests/unit/typed_test_types.hpp");
    // After the first line, which names the SDK's version. Regenerate with
    // bosbase-typegen --schema tests/integration/typed_records_schema.json --namespace typed_test --out tests/unit/typed_test_types.hpp
    CHECK(made.substr(made.find('\n')) == kept.substr(kept.find('\n')));
#endif
}

TEST_CASE("record_io: reading what the server sends, leniently for absent and strictly for the type") {
    using bosbase::record_io::parse_time;
    using bosbase::record_io::format_time;
    CHECK(read_one<std::string>("x") == "x");
    CHECK(read_one<std::string>(nullptr, "kept") == "kept");
    CHECK(read_one<double>(2.5) == 2.5);
    CHECK(read_one<std::int64_t>(42) == 42);
    CHECK(read_one<std::int64_t>(5.0) == 5);  // the server's float64
    CHECK(read_one<std::int64_t>(-9007199254740991.0) == -9007199254740991);
    CHECK_THROWS_WITH_AS((void)read_one<std::int64_t>(5.5), doctest::Contains("'f' is not an integer"),
                         std::runtime_error);
    CHECK_THROWS_AS((void)read_one<std::int64_t>(1e300), std::runtime_error);
    CHECK_THROWS_WITH_AS((void)read_one<double>("1"), doctest::Contains("'f' is not a number but string"),
                         std::runtime_error);
    CHECK(read_one<bool>(true));
    CHECK_THROWS_AS((void)read_one<bool>(1), std::runtime_error);
    CHECK(read_one<std::vector<std::string>>(json::array({"a", "b"})) == std::vector<std::string>{"a", "b"});
    CHECK_THROWS_AS((void)read_one<std::vector<std::string>>(json::array({1})), std::runtime_error);
    CHECK(read_one<std::vector<double>>(json::array({1, -0.5})) == std::vector<double>{1, -0.5});
    CHECK(read_one<bosbase::geo_point>(json{{"lon", 1.5}, {"lat", -2}}) == bosbase::geo_point{1.5, -2});
    CHECK_THROWS_AS((void)read_one<bosbase::geo_point>(json{{"lon", "1"}}), std::runtime_error);
    CHECK(read_one<json>(json{{"a", 1}}) == json{{"a", 1}});

    CHECK_FALSE(read_one<std::optional<bosbase::record_time>>("").has_value());
    const auto t = read_one<std::optional<bosbase::record_time>>("2024-02-29 13:14:15.678Z");
    REQUIRE(t.has_value());
    CHECK(t->time_since_epoch().count() == 1709212455678);
    CHECK(format_time(*t) == "2024-02-29 13:14:15.678Z");
    CHECK(parse_time("2024-02-29T13:14:15Z") == parse_time("2024-02-29 13:14:15.000Z"));
    CHECK(parse_time("2024-02-29 13:14:15.6789Z") == parse_time("2024-02-29 13:14:15.678Z"));
    CHECK(format_time(*parse_time("1969-12-31 23:59:59.999Z")) == "1969-12-31 23:59:59.999Z");
    CHECK(format_time(*parse_time("0001-01-01 00:00:00.000Z")) == "0001-01-01 00:00:00.000Z");
    for (const char* bad : {"2024-13-01 00:00:00Z", "2024-02-30 00:00:00Z", "2024-01-01 24:00:00Z", "yesterday",
                            "2024-01-01 00:00:00.Z", "2024-01-01 00:00:00Zx", "2024-01-01"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_time(bad).has_value());
    }
    CHECK_THROWS_WITH_AS((void)read_one<std::optional<bosbase::record_time>>("soon"),
                         doctest::Contains("not a date the SDK reads"), std::runtime_error);

    using status = typed_test::typed_all::status_value;
    CHECK(read_one<status>("in-progress") == status::in_progress);
    CHECK(read_one<status>("", status::done) == status::none_);  // "": no selection
    CHECK(read_one<std::optional<status>>("in-progress") == status::in_progress);
    CHECK_FALSE(read_one<std::optional<status>>("").has_value());
    CHECK_THROWS_WITH_AS((void)read_one<std::optional<status>>("archived"),
                         doctest::Contains("\"archived\", which is not among the select values"), std::runtime_error);
    CHECK(read_one<std::vector<status>>(json::array({"done", "default"})) ==
          std::vector<status>{status::done, status::default_});
}

TEST_CASE("record_io: writing what a create or update may send") {
    CHECK(write_one(std::optional<bosbase::record_time>()) == "");
    CHECK(write_one(bosbase::record_io::parse_time("2024-02-29 13:14:15.678Z")) == "2024-02-29 13:14:15.678Z");
    CHECK(write_one(bosbase::geo_point{1, 2}) == json{{"lon", 1.0}, {"lat", 2.0}});
    CHECK(write_one(std::vector<double>{1.5}) == json::array({1.5}));
    CHECK_THROWS_AS((void)write_one(std::vector<double>{std::nan("")}), std::invalid_argument);
    using tags = typed_test::typed_all::tags_value;
    CHECK(write_one(std::vector<tags>{tags::c, tags::a}) == json::array({"c", "a"}));
    CHECK(write_one(std::optional<typed_test::typed_all::status_value>()) == "");
    CHECK(write_one(typed_test::typed_all::status_value::none_) == "");
    CHECK(write_one(typed_test::typed_all::status_value::default_) == "default");

    typed_test::typed_all r;
    r.title = "t";
    r.count = 3;
    r.created = bosbase::record_io::parse_time("2024-01-01 00:00:00Z");
    r.attachment = "f.png";
    r.createdBy = "someone";
    const json body = r;
    CHECK_FALSE(body.contains("id"));  // empty: the server makes one
    CHECK_FALSE(body.contains("created"));
    CHECK_FALSE(body.contains("attachment"));
    CHECK_FALSE(body.contains("createdBy"));
    CHECK(body["title"] == "t");
    CHECK(body["count"] == 3);
    CHECK(body["status"] == "");
    CHECK(body["meta"].is_null());

    typed_test::typed_authors a;
    a.name = "n";
    CHECK(json(a) == json{{"name", "n"}, {"emailVisibility", false}, {"verified", false}});
    a.password = "pw-1";
    a.password_confirm = "pw-1";
    a.email = "a@example.com";
    const json with_password = a;
    CHECK(with_password["password"] == "pw-1");
    CHECK(with_password["passwordConfirm"] == "pw-1");
    CHECK(with_password["email"] == "a@example.com");
    CHECK_FALSE(with_password.contains("oldPassword"));
}

TEST_CASE("typed handle: each call takes and returns the generated type") {
    bosbase_test::fake_transport t;
    bosbase_test::fake_client pb("http://127.0.0.1:8090", t);
    const auto all = pb.collection<typed_test::typed_all>();
    CHECK(all.untyped().name() == "typed_all");
    const json stored{{"id", "r1"},        {"title", "T"},        {"count", 7},  {"status", "done"},
                      {"tags", {"b"}},     {"due", ""},           {"flag", true}, {"location", {{"lon", 1}, {"lat", 2}}},
                      {"embedding", {0.5}}, {"created", "2024-01-01 00:00:00.000Z"}, {"expand", json::object()}};

    t.reply_json(200, stored);
    const typed_test::typed_all one = all.get_one("r1");
    CHECK(t.last().target == "/api/collections/typed_all/records/r1");
    CHECK(one.title == "T");
    CHECK(one.count == 7);
    CHECK(one.status == typed_test::typed_all::status_value::done);
    CHECK(one.tags == std::vector<typed_test::typed_all::tags_value>{typed_test::typed_all::tags_value::b});
    CHECK(one.flag);
    CHECK(one.location == bosbase::geo_point{1, 2});
    CHECK(one.created.has_value());

    t.reply_json(200, page_of(json::array({stored, stored})));
    const bosbase::list_result<typed_test::typed_all> page = all.get_list(1, 2);
    CHECK(t.last().target == "/api/collections/typed_all/records?page=1&perPage=2");
    CHECK(page.items.size() == 2);

    t.reply_json(200, page_of(json::array({stored})));
    CHECK(all.get_full_list().size() == 1);
    t.reply_json(200, page_of(json::array({stored})));
    const std::string filter = std::string(typed_test::typed_all::fields::title) + " = 'T'";
    CHECK(all.get_first_list_item(filter).id == "r1");
    CHECK(contains(t.last().target, "filter=title%20%3D%20'T'"));

    t.reply_json(200, stored);
    typed_test::typed_all draft;
    draft.title = "new";
    (void)all.create(draft);
    CHECK(t.last().method == "POST");
    CHECK(json::parse(t.last().body) == json(draft));

    t.reply_json(200, stored);
    (void)all.update("r1", one);
    CHECK(t.last().method == "PATCH");
    CHECK(json::parse(t.last().body)["id"] == "r1");
    CHECK(json::parse(t.last().body)["title"] == "T");

    t.reply(204);
    all.remove("r1");
    CHECK(t.last().method == "DELETE");

    // A record that does not fit the type is the server's error, with what did not fit.
    t.reply_json(200, json{{"id", "r1"}, {"count", "seven"}});
    try {
        (void)all.get_one("r1");
        FAIL("no error");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.status() == 200);
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        CHECK(contains(e.what(), "record field 'count' is not an integer but string"));
    }

    // A view: read only (no to_json), and a hand-written record type works the same.
    t.reply_json(200, json{{"id", "v1"}, {"title", "T"}, {"score", 1.5}});
    CHECK(pb.collection<typed_test::typed_view>().get_one("v1").score == 1.5);
    t.reply_json(200, json{{"id", "n1"}, {"text", "hello"}});
    CHECK(pb.collection<note>().create(note{"", "hello"}).id == "n1");
    CHECK(t.last().target == "/api/collections/notes/records");
    CHECK(json::parse(t.last().body) == json{{"text", "hello"}});
}

TEST_CASE("typed handle: realtime events carry the typed record, and one that does not fit goes to on_error") {
    bosbase_test::fake_stream_transport t;
    bosbase_test::mailbox<bosbase::ClientResponseError> errors;  // before the client: on_error writes here
    bosbase_test::fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().on_error([&](const bosbase::ClientResponseError& e) { errors.put(e); });
    bosbase_test::mailbox<bosbase::realtime_event_of<typed_test::typed_all>> got;
    auto sub = pb.collection<typed_test::typed_all>().subscribe(
        "*", [&](const bosbase::realtime_event_of<typed_test::typed_all>& e) { got.put(e); });
    REQUIRE(t.post_count() == 1);
    CHECK(json::parse(t.post(0).body)["subscriptions"] == json{"typed_all/*"});
    t.push_event("typed_all/*", {{"action", "create"}, {"record", {{"id", "r1"}, {"status", "draft"}}}});
    t.push_event("typed_all/*", {{"action", "update"}, {"record", {{"id", "r2"}, {"status", "gone"}}}});
    t.push_event("typed_all/*", {{"action", "delete"}, {"record", {{"id", "r3"}, {"count", 2}}}});
    REQUIRE(got.wait_count(2));
    const auto items = got.items();
    REQUIRE(items.size() == 2);
    CHECK(items[0].action == "create");
    CHECK(items[0].topic == "typed_all/*");
    CHECK(items[0].record.id == "r1");
    CHECK(items[0].record.status == typed_test::typed_all::status_value::draft);
    CHECK(items[1].action == "delete");
    CHECK(items[1].record.count == 2);
    REQUIRE(errors.wait_count(1));
    CHECK(errors.items()[0].error_kind() == bosbase::error_kind::invalid_response);
    CHECK(std::string(errors.items()[0].what()).find("a realtime event on typed_all/* does not fit the requested type") !=
          std::string::npos);
}
