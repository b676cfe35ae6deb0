// bosbase-typegen: the schema (the server's collection models, as JSON) read into a model of
// C++ types and names. Everything the program decides is here and in emit.hpp, so that the
// unit tests and the fuzzer see exactly what the program does.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TYPEGEN_SCHEMA_HPP
#define BOSBASE_TYPEGEN_SCHEMA_HPP

#include <bosbase/bosbase.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bosbase_typegen {

/// Bad input: an unreadable schema, a name that cannot be a C++ name, two names that map to
/// the same one, a collection asked for that is not there. The message says which.
class schema_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a field becomes in C++.
enum class field_kind {
    text,            ///< text, editor, email, url: std::string
    password,        ///< write only: std::optional<std::string>, never read
    number,          ///< double
    integer,         ///< number with onlyInt: std::int64_t
    boolean,         ///< bool
    date,            ///< date, autodate: std::optional<bosbase::record_time>
    select,          ///< maxSelect <= 1: the enum, none_ for no selection ("")
    select_multiple, ///< std::vector<enum>
    id_single,       ///< file or relation with maxSelect <= 1: std::string
    id_multiple,     ///< file or relation with maxSelect > 1: std::vector<std::string>
    json,            ///< json, and types this generator does not know: bosbase::json
    geo_point,       ///< bosbase::geo_point
    vector,          ///< BosBase's vector (pgvector): std::vector<double>
};

/// How a field goes into a create or update body.
enum class write_mode {
    never,          ///< read only (autodate, file, the audit fields, everything of a view)
    always,         ///< every create and update sends it
    when_not_empty, ///< id (empty: the server makes one) and an auth record's email (unseen: "")
    when_set,       ///< write-only members (passwords)
};

struct select_value {
    std::string value;  ///< as on the server
    std::string ident;  ///< the enumerator
};

struct field_model {
    std::string name;       ///< as on the server
    std::string type;       ///< the server's field type
    std::string ident;      ///< the member
    field_kind kind = field_kind::text;
    write_mode write = write_mode::always;
    bool read = true;       ///< false for write-only members
    bool known_type = true; ///< false: a field type this generator does not know (kept as JSON)
    std::string enum_ident;              ///< select: the enum's name
    std::vector<select_value> values;    ///< select
    std::string relation_collection_id;  ///< relation: the collection it points to
};

struct collection_model {
    std::string name;
    std::string id;
    std::string type;  ///< "base", "auth" or "view"
    std::string ident;
    std::vector<field_model> fields;       ///< the server's fields (with a field-name constant each)
    std::vector<field_model> extra_members;  ///< write-only members that are no field (passwordConfirm, oldPassword)
};

struct schema_model {
    std::vector<collection_model> collections;  ///< sorted by name
};

struct read_options {
    /// Only these collections (by name), each of which must exist; empty: every collection
    /// that is not a system collection (system ones can be named here).
    std::vector<std::string> collections;
};

// --- names ---------------------------------------------------------------

/// Words that cannot be a C++ name: the keywords and alternative tokens, and macros that
/// common platform headers define (glibc, <windows.h>), which would turn a member into
/// something else.
inline bool is_reserved_word(std::string_view s) {
    static const std::set<std::string_view> words = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
        "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
        "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
        "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
        "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
        "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
        "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
        "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
        // macros of common headers
        "NULL", "EOF", "BUFSIZ", "assert", "errno", "stdin", "stdout", "stderr", "offsetof", "setjmp", "linux",
        "unix", "i386", "major", "minor", "makedev", "TRUE", "FALSE", "IN", "OUT", "OPTIONAL", "DELETE", "ERROR",
        "CONST", "VOID", "interface", "near", "far", "small", "hyper", "pascal", "cdecl", "min", "max"};
    return words.count(s) != 0;
}

/// The C++ name for a server name: characters other than ASCII letters, digits and '_' become
/// '_', a run of '_' becomes one (C++ reserves "__"), a leading digit or "_X" gets a prefix
/// ('_' and 'x'), and a reserved word a trailing '_'. Throws for an empty name.
inline std::string identifier_for(std::string_view name, std::string_view what) {
    if (name.empty()) throw schema_error("bosbase-typegen: " + std::string(what) + " has an empty name");
    std::string out;
    out.reserve(name.size() + 2);
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        const char mapped = ok ? c : '_';
        if (mapped == '_' && !out.empty() && out.back() == '_') continue;
        out += mapped;
    }
    if (out[0] >= '0' && out[0] <= '9') {
        out.insert(0, "_");
    } else if (out.size() > 1 && out[0] == '_' && out[1] >= 'A' && out[1] <= 'Z') {
        out.insert(0, "x");
    }
    if (is_reserved_word(out)) out += '_';
    return out;
}

/// A name followed by a suffix, without making "__".
inline std::string with_suffix(const std::string& ident, const char* suffix) {
    std::string base = ident;
    while (!base.empty() && base.back() == '_') base.pop_back();
    return (base.empty() ? std::string("x") : base) + suffix;
}

namespace detail {

// Records which server name took each C++ name in one scope; a second one is an error.
class name_scope {
public:
    explicit name_scope(std::string where) : where_(std::move(where)) {}

    void reserve(const std::string& ident, const std::string& why) { taken_.emplace(ident, why); }

    void claim(const std::string& ident, const std::string& what) {
        auto [it, fresh] = taken_.emplace(ident, what);
        if (!fresh) {
            throw schema_error("bosbase-typegen: " + where_ + it->second + " and " + what +
                               " both map to the C++ name '" + ident + "'; rename one of them on the server");
        }
    }

private:
    std::string where_;
    std::map<std::string, std::string> taken_;
};

inline std::string quote_name(std::string_view s) { return "'" + std::string(s) + "'"; }

inline const bosbase::json* member(const bosbase::json& object, const char* key) {
    auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

inline std::string string_member(const bosbase::json& object, const char* key, const std::string& where,
                                 bool required) {
    const bosbase::json* v = member(object, key);
    if (v == nullptr) {
        if (required) throw schema_error("bosbase-typegen: " + where + " has no '" + key + "'");
        return {};
    }
    if (!v->is_string()) throw schema_error("bosbase-typegen: " + where + ": '" + key + "' is not a string");
    return v->get<std::string>();
}

inline bool bool_member(const bosbase::json& object, const char* key, const std::string& where) {
    const bosbase::json* v = member(object, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) throw schema_error("bosbase-typegen: " + where + ": '" + key + "' is not true or false");
    return v->get<bool>();
}

inline std::int64_t int_member(const bosbase::json& object, const char* key, const std::string& where) {
    const bosbase::json* v = member(object, key);
    if (v == nullptr) return 0;
    if (!v->is_number()) throw schema_error("bosbase-typegen: " + where + ": '" + key + "' is not a number");
    const double d = v->get<double>();
    if (!(d > -1e15 && d < 1e15)) throw schema_error("bosbase-typegen: " + where + ": '" + key + "' is out of range");
    return static_cast<std::int64_t>(d);
}

// The C++ kind of one field, and how it is sent.
inline void classify(field_model& f, const bosbase::json& field, const std::string& collection_type,
                     const std::string& where) {
    const std::string& t = f.type;
    const bool multiple = int_member(field, "maxSelect", where) > 1;
    if (t == "text" || t == "editor" || t == "email" || t == "url") {
        f.kind = field_kind::text;
    } else if (t == "password") {
        f.kind = field_kind::password;
        f.read = false;
        f.write = write_mode::when_set;
    } else if (t == "number") {
        f.kind = bool_member(field, "onlyInt", where) ? field_kind::integer : field_kind::number;
    } else if (t == "bool") {
        f.kind = field_kind::boolean;
    } else if (t == "date") {
        f.kind = field_kind::date;
    } else if (t == "autodate") {
        f.kind = field_kind::date;
        f.write = write_mode::never;  // the server sets it
    } else if (t == "select") {
        f.kind = multiple ? field_kind::select_multiple : field_kind::select;
        const bosbase::json* values = member(field, "values");
        if (values != nullptr && !values->is_array()) {
            throw schema_error("bosbase-typegen: " + where + ": 'values' is not an array");
        }
        name_scope scope(where + ": the select values ");
        scope.claim("none_", "the empty selection (enumerator none_)");
        for (const auto& v : values ? *values : bosbase::json::array()) {
            if (!v.is_string()) throw schema_error("bosbase-typegen: " + where + ": a select value is not a string");
            select_value sv{v.get<std::string>(), {}};
            sv.ident = identifier_for(sv.value, where + ": a select value");
            scope.claim(sv.ident, quote_name(sv.value));
            f.values.push_back(std::move(sv));
        }
    } else if (t == "file") {
        f.kind = multiple ? field_kind::id_multiple : field_kind::id_single;
        f.write = write_mode::never;  // files go up with create_with_files / update_with_files
    } else if (t == "relation") {
        f.kind = multiple ? field_kind::id_multiple : field_kind::id_single;
        f.relation_collection_id = string_member(field, "collectionId", where, false);
    } else if (t == "json") {
        f.kind = field_kind::json;
    } else if (t == "geoPoint") {
        f.kind = field_kind::geo_point;
    } else if (t == "vector") {
        f.kind = field_kind::vector;
    } else {
        f.kind = field_kind::json;
        f.known_type = false;
    }
    if (f.name == "id") f.write = write_mode::when_not_empty;
    if (collection_type == "auth" && f.name == "email") f.write = write_mode::when_not_empty;
    if (collection_type == "base" && (f.name == "createdBy" || f.name == "updatedBy")) {
        f.write = write_mode::never;  // BosBase's audit fields: the server fills them
    }
    if (collection_type == "view") f.write = write_mode::never;
}

// Member names a generated struct uses itself.
inline void reserve_struct_names(name_scope& scope) {
    for (const char* n : {"fields", "collection_name", "collection_id", "collection_type"}) {
        scope.reserve(n, "a name of the generated struct");
    }
}

inline collection_model read_collection(const bosbase::json& c) {
    if (!c.is_object()) throw schema_error("bosbase-typegen: a collection in the schema is not a JSON object");
    collection_model m;
    m.name = string_member(c, "name", "a collection", true);
    const std::string where = "collection " + quote_name(m.name);
    m.id = string_member(c, "id", where, false);
    m.type = string_member(c, "type", where, false);
    if (m.type.empty()) m.type = "base";
    if (m.type != "base" && m.type != "auth" && m.type != "view") {
        throw schema_error("bosbase-typegen: " + where + " has the unknown type " + quote_name(m.type));
    }
    m.ident = identifier_for(m.name, where);
    for (const char* n : {"to_json", "from_json", "to_string", "from_string"}) {
        if (m.ident == n) m.ident += '_';
    }
    const bosbase::json* fields = member(c, "fields");
    if (fields == nullptr || !fields->is_array()) {
        throw schema_error("bosbase-typegen: " + where + " has no 'fields' array");
    }
    name_scope scope(where + ": the fields ");
    reserve_struct_names(scope);
    for (const auto& field : *fields) {
        if (!field.is_object()) throw schema_error("bosbase-typegen: " + where + ": a field is not a JSON object");
        field_model f;
        f.name = string_member(field, "name", where + ": a field", true);
        const std::string fwhere = where + ", field " + quote_name(f.name);
        f.type = string_member(field, "type", fwhere, true);
        // Never sent by the server, and writing it would end every session of the record.
        if (m.type == "auth" && f.name == "tokenKey") continue;
        f.ident = identifier_for(f.name, fwhere);
        if (f.ident == m.ident || f.ident == "fields" || f.ident == "collection_name" || f.ident == "collection_id" ||
            f.ident == "collection_type") {
            f.ident += '_';  // a member cannot share its struct's name, nor the generated ones
        }
        classify(f, field, m.type, fwhere);
        scope.claim(f.ident, quote_name(f.name));
        if (f.kind == field_kind::select || f.kind == field_kind::select_multiple) {
            f.enum_ident = with_suffix(f.ident, "_value");
            scope.claim(f.enum_ident, "the select values of " + quote_name(f.name));
        }
        m.fields.push_back(std::move(f));
    }
    if (m.type == "auth") {
        for (const char* extra : {"passwordConfirm", "oldPassword"}) {
            field_model f;
            f.name = extra;
            f.type = "password";
            f.ident = extra[0] == 'p' ? "password_confirm" : "old_password";
            f.kind = field_kind::password;
            f.read = false;
            f.write = write_mode::when_set;
            scope.claim(f.ident, std::string("the write-only ") + extra);
            m.extra_members.push_back(std::move(f));
        }
    }
    return m;
}

}  // namespace detail

/// The collections of a schema document: a JSON array of collection models (what
/// bosbase-typegen --dump-schema writes, and the Dashboard's collections export), or an object
/// with such an array as `collections` or `items`.
inline schema_model read_schema(const bosbase::json& doc, const read_options& options = {}) {
    const bosbase::json* list = &doc;
    if (doc.is_object()) {
        list = detail::member(doc, "collections");
        if (list == nullptr) list = detail::member(doc, "items");
    }
    if (list == nullptr || !list->is_array()) {
        throw schema_error("bosbase-typegen: the schema is not a JSON array of collections (nor an object with one "
                           "as 'collections' or 'items')");
    }
    std::set<std::string> wanted(options.collections.begin(), options.collections.end());
    std::set<std::string> seen;
    schema_model model;
    detail::name_scope scope("the collections ");
    for (const auto& c : *list) {
        if (!c.is_object()) throw schema_error("bosbase-typegen: a collection in the schema is not a JSON object");
        const std::string name = detail::string_member(c, "name", "a collection", true);
        if (!seen.insert(name).second) {
            throw schema_error("bosbase-typegen: the schema has the collection " + detail::quote_name(name) + " twice");
        }
        const bool system = detail::bool_member(c, "system", "collection " + detail::quote_name(name));
        if (wanted.empty() ? system : wanted.count(name) == 0) continue;
        collection_model m = detail::read_collection(c);
        scope.claim(m.ident, detail::quote_name(m.name));
        model.collections.push_back(std::move(m));
    }
    for (const auto& name : wanted) {
        if (seen.count(name) == 0) {
            throw schema_error("bosbase-typegen: the schema has no collection " + detail::quote_name(name));
        }
    }
    std::sort(model.collections.begin(), model.collections.end(),
              [](const collection_model& a, const collection_model& b) { return a.name < b.name; });
    return model;
}

/// The same from JSON text; the text must parse (nesting at most 64 deep).
inline schema_model read_schema_text(const std::string& text, const read_options& options = {}) {
    std::optional<bosbase::json> doc = bosbase::detail::parse_json(text, 64);
    if (!doc) throw schema_error("bosbase-typegen: the schema is not valid JSON (or nests deeper than 64)");
    return read_schema(*doc, options);
}

}  // namespace bosbase_typegen

#endif  // BOSBASE_TYPEGEN_SCHEMA_HPP
