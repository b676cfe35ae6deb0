// bosbase-typegen: the model (schema.hpp) written as a C++ header.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TYPEGEN_EMIT_HPP
#define BOSBASE_TYPEGEN_EMIT_HPP

#include "schema.hpp"

#include <string>
#include <string_view>

namespace bosbase_typegen {

struct emit_options {
    std::string name_space = "bosbase_types";  ///< may be nested: "app::db"
    std::string source;                         ///< where the schema came from, for the header's first line
};

/// A C++ string literal of any bytes. Octal escapes, since a hex escape would swallow the
/// digits after it; '?' escaped against trigraphs.
inline std::string literal(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\' || c == '?') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            out += '\\';
            out += static_cast<char>('0' + (c >> 6));
            out += static_cast<char>('0' + ((c >> 3) & 7));
            out += static_cast<char>('0' + (c & 7));
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

/// Checks a namespace ("a" or "a::b"): each part must already be a C++ name.
inline void check_namespace(const std::string& ns) {
    std::string_view rest = ns;
    while (true) {
        const auto sep = rest.find("::");
        const std::string part(rest.substr(0, sep));
        if (part.empty() || identifier_for(part, "the namespace") != part || part == "bosbase" || part == "std") {
            throw schema_error("bosbase-typegen: the namespace '" + ns +
                               "' is not a C++ namespace name of its own (parts of letters, digits and '_', not "
                               "starting with a digit, no keyword, not bosbase or std)");
        }
        if (sep == std::string_view::npos) return;
        rest.remove_prefix(sep + 2);
    }
}

namespace detail {

inline std::string cpp_type(const collection_model& c, const field_model& f) {
    (void)c;
    switch (f.kind) {
        case field_kind::text: return "::std::string";
        case field_kind::password: return "::std::optional<::std::string>";
        case field_kind::number: return "double";
        case field_kind::integer: return "::std::int64_t";
        case field_kind::boolean: return "bool";
        case field_kind::date: return "::std::optional<::bosbase::record_time>";
        case field_kind::select: return f.enum_ident;
        case field_kind::select_multiple: return "::std::vector<" + f.enum_ident + ">";
        case field_kind::id_single: return "::std::string";
        case field_kind::id_multiple: return "::std::vector<::std::string>";
        case field_kind::json: return "::bosbase::json";
        case field_kind::geo_point: return "::bosbase::geo_point";
        case field_kind::vector: return "::std::vector<double>";
    }
    return "::bosbase::json";
}

inline std::string initializer(const field_model& f) {
    switch (f.kind) {
        case field_kind::number: return " = 0";
        case field_kind::integer: return " = 0";
        case field_kind::boolean: return " = false";
        case field_kind::select: return " = " + f.enum_ident + "::none_";
        default: return "";
    }
}

inline std::string note(const field_model& f) {
    std::string n = f.type;
    if (f.kind == field_kind::integer) n += ", onlyInt";
    if (!f.known_type) n += ", a type bosbase-typegen does not know: kept as JSON";
    if (f.write == write_mode::never) n += ", read only";
    if (!f.read) n += ", write only: sent when set, never read";
    return n;
}

inline void emit_enum_functions(std::string& out, const collection_model& c, const field_model& f) {
    const std::string type = c.ident + "::" + f.enum_ident;
    out += "template <class = void>\nconst char* to_string(" + type + " v) noexcept {\n    switch (v) {\n";
    for (const auto& v : f.values) {
        out += "        case " + type + "::" + v.ident + ": return " + literal(v.value) + ";\n";
    }
    out += "        case " + type + "::none_: return \"\";\n    }\n    return \"\";\n}\n";
    out += "template <class = void>\nbool from_string(::std::string_view s, " + type + "& out) noexcept {\n";
    for (const auto& v : f.values) {
        out += "    if (s == " + literal(v.value) + ") { out = " + type + "::" + v.ident + "; return true; }\n";
    }
    out += "    if (s.empty()) { out = " + type + "::none_; return true; }\n    return false;\n}\n";
}

inline void emit_collection(std::string& out, const collection_model& c) {
    out += "/// Collection " + literal(c.name) + " (" + c.type + ").\nstruct " + c.ident + " {\n";
    out += "    static constexpr const char* collection_name = " + literal(c.name) + ";\n";
    out += "    static constexpr const char* collection_id = " + literal(c.id) + ";\n";
    out += "    static constexpr const char* collection_type = " + literal(c.type) + ";\n\n";
    out += "    /// The fields' names on the server, for filters, sorts and `fields`.\n    struct fields {\n";
    for (const auto& f : c.fields) {
        out += "        static constexpr const char* " + f.ident + " = " + literal(f.name) + ";\n";
    }
    out += "    };\n";
    for (const auto& f : c.fields) {
        if (f.enum_ident.empty()) continue;
        out += "\n    /// The values of the select field " + literal(f.name) + "; none_ is no selection (\"\").\n    enum class " +
               f.enum_ident + " { none_";
        for (const auto& v : f.values) out += ", " + v.ident;
        out += " };\n";
    }
    out += "\n";
    for (const auto* list : {&c.fields, &c.extra_members}) {
        for (const auto& f : *list) {
            out += "    " + cpp_type(c, f) + " " + f.ident + initializer(f) + ";  ///< " + note(f) + "\n";
        }
    }
    out += "};\n\n";

    for (const auto& f : c.fields) {
        if (!f.enum_ident.empty()) emit_enum_functions(out, c, f);
    }

    out += "template <class J, ::bosbase::record_io::if_json<J> = 0>\nvoid from_json(const J& j, " + c.ident + "& r) {\n";
    out += "    ::bosbase::record_io::require_object(j, " + literal(c.name) + ");\n";
    for (const auto& f : c.fields) {
        if (!f.read) continue;
        out += "    ::bosbase::record_io::read(j, " + literal(f.name) + ", r." + f.ident + ");\n";
    }
    out += "}\n";

    if (c.type == "view") {
        out += "// No to_json: the records of a view cannot be created or updated.\n\n";
        return;
    }
    out += "template <class J, ::bosbase::record_io::if_json<J> = 0>\nvoid to_json(J& j, const " + c.ident + "& r) {\n";
    out += "    j = J::object();\n";
    for (const auto* list : {&c.fields, &c.extra_members}) {
        for (const auto& f : *list) {
            const std::string key = literal(f.name);
            switch (f.write) {
                case write_mode::never: break;
                case write_mode::always:
                    out += "    ::bosbase::record_io::write(j, " + key + ", r." + f.ident + ");\n";
                    break;
                case write_mode::when_not_empty:
                    out += "    if (!r." + f.ident + ".empty()) ::bosbase::record_io::write(j, " + key + ", r." +
                           f.ident + ");\n";
                    break;
                case write_mode::when_set:
                    out += "    ::bosbase::record_io::write_if_set(j, " + key + ", r." + f.ident + ");\n";
                    break;
            }
        }
    }
    out += "}\n\n";
}

inline std::string guard_for(const std::string& ns) {
    std::string g = "BOSBASE_TYPEGEN_";
    for (char c : ns) g += c == ':' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return g + "_HPP";
}

}  // namespace detail

/// The header: one struct per collection in `options.name_space`, needing only bosbase.hpp.
inline std::string emit_header(const schema_model& model, const emit_options& options = {}) {
    check_namespace(options.name_space);
    std::string out;
    out.reserve(4096 + model.collections.size() * 4096);
    out += "// Generated by bosbase-typegen (bosbase-cpp " BOSBASE_VERSION ")";
    if (!options.source.empty()) out += " from " + literal(options.source);
    out += ".\n// Do not edit: regenerate it from the schema.\n";
    const std::string guard = detail::guard_for(options.name_space);
    out += "#ifndef " + guard + "\n#define " + guard + "\n\n";
    out += "#include <bosbase/bosbase.hpp>\n\n#include <cstdint>\n#include <optional>\n#include <string>\n"
           "#include <string_view>\n#include <vector>\n\n";
    out += "namespace " + options.name_space + " {\n\n";
    for (const auto& c : model.collections) detail::emit_collection(out, c);
    out += "}  // namespace " + options.name_space + "\n\n#endif  // " + guard + "\n";
    return out;
}

}  // namespace bosbase_typegen

#endif  // BOSBASE_TYPEGEN_EMIT_HPP
