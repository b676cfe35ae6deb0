// bosbase-typegen: C++ record types from a BosBase server's collections (see docs/typed-records.md).
// SPDX-License-Identifier: MIT
#include "emit.hpp"
#include "schema.hpp"

#include <bosbase/bosbase.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char* const usage =
    "usage: bosbase-typegen --url URL --email EMAIL --password PASSWORD [--auth-collection _superusers]\n"
    "                       [--dump-schema FILE.json] [options] --out FILE.hpp\n"
    "       bosbase-typegen --schema FILE.json [options] --out FILE.hpp\n"
    "       bosbase-typegen --url ... --dump-schema FILE.json   (only save the schema)\n"
    "options: --collections a,b,...   only these collections (default: every non-system one)\n"
    "         --namespace NS          the namespace of the types (default bosbase_types)\n"
    "The password may also come from the environment variable BOSBASE_PASSWORD.\n";

struct arguments {
    std::string url, email, password, auth_collection = "_superusers";
    std::string schema, dump_schema, out;
    std::string name_space = "bosbase_types";
    std::vector<std::string> collections;
};

[[noreturn]] void usage_error(const std::string& why) {
    std::cerr << "bosbase-typegen: " << why << "\n" << usage;
    std::exit(2);
}

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

arguments parse(int argc, char** argv) {
    arguments a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (i + 1 >= argc) usage_error("'" + flag + "' needs a value");
        const std::string value = argv[++i];
        if (flag == "--url") a.url = value;
        else if (flag == "--email") a.email = value;
        else if (flag == "--password") a.password = value;
        else if (flag == "--auth-collection") a.auth_collection = value;
        else if (flag == "--collections") a.collections = split(value);
        else if (flag == "--namespace") a.name_space = value;
        else if (flag == "--schema") a.schema = value;
        else if (flag == "--dump-schema") a.dump_schema = value;
        else if (flag == "--out") a.out = value;
        else usage_error("unknown option '" + flag + "'");
    }
    if (a.password.empty()) {
        if (const char* env = std::getenv("BOSBASE_PASSWORD")) a.password = env;
    }
    if (a.schema.empty() == a.url.empty()) usage_error("give either --url (a server) or --schema (a file)");
    if (!a.url.empty() && (a.email.empty() || a.password.empty())) usage_error("--url needs --email and --password");
    if (!a.schema.empty() && !a.dump_schema.empty()) usage_error("--dump-schema is for --url");
    if (a.out.empty() && a.dump_schema.empty()) usage_error("--out is missing");
    return a;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw bosbase_typegen::schema_error("bosbase-typegen: cannot read '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw bosbase_typegen::schema_error("bosbase-typegen: cannot read '" + path + "'");
    return text.str();
}

// Written beside the target and renamed over it, so that a failure leaves no partial file.
void write_file(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::remove(temp.c_str());
            throw bosbase_typegen::schema_error("bosbase-typegen: cannot write '" + path + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::remove(temp.c_str());
        throw bosbase_typegen::schema_error("bosbase-typegen: cannot write '" + path + "': " + ec.message());
    }
}

// The collections as the server sent them; with --collections only those.
std::string dump_of(const bosbase::json& schema, const std::vector<std::string>& only) {
    if (only.empty() || !schema.is_array()) return schema.dump(2) + "\n";
    bosbase::json kept = bosbase::json::array();
    for (const auto& c : schema) {
        auto name = c.is_object() ? c.find("name") : c.end();
        if (name != c.end() && name->is_string() &&
            std::find(only.begin(), only.end(), name->get<std::string>()) != only.end()) {
            kept.push_back(c);
        }
    }
    return kept.dump(2) + "\n";
}

}  // namespace

int main(int argc, char** argv) {
    const arguments args = parse(argc, argv);
    try {
        bosbase::json schema;
        std::string source = args.schema;
        if (!args.url.empty()) {
            bosbase::BosBase pb(args.url);
            pb.collection(args.auth_collection).auth_with_password(args.email, args.password);
            schema = pb.collections().get_full_list(500);
            source = args.url;
        } else {
            std::optional<bosbase::json> doc = bosbase::detail::parse_json(read_file(args.schema), 64);
            if (!doc) throw bosbase_typegen::schema_error("bosbase-typegen: '" + args.schema + "' is not valid JSON");
            schema = std::move(*doc);
            source = std::filesystem::path(args.schema).filename().string();
        }
        bosbase_typegen::read_options read;
        read.collections = args.collections;
        // Everything is checked before anything is written.
        std::string header;
        if (!args.out.empty()) {
            const bosbase_typegen::schema_model model = bosbase_typegen::read_schema(schema, read);
            bosbase_typegen::emit_options emit;
            emit.name_space = args.name_space;
            emit.source = source;
            header = bosbase_typegen::emit_header(model, emit);
        }
        if (!args.dump_schema.empty()) write_file(args.dump_schema, dump_of(schema, args.collections));
        if (!args.out.empty()) write_file(args.out, header);
        return 0;
    } catch (const bosbase::ClientResponseError& e) {
        std::cerr << "bosbase-typegen: the server: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
    }
    return 1;
}
