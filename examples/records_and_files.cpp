// Records on the demo server's public `posts` collection: create, list, filter,
// count, update and delete. (Anyone may list and view posts; writing needs a
// superuser, so the example signs in as one first.) Then files: a collection with
// a file field, an upload, the file's URL, and the bytes downloaded back; the
// collection is removed again however the example ends.
//
//   records_and_files [BASE_URL]
// The superuser comes from the environment (defaults match the dev server):
//   BOSBASE_URL, BOSBASE_ADMIN_EMAIL, BOSBASE_ADMIN_PASSWORD, and for an https:// server
//   whose CA is not in the system's store BOSBASE_CA_FILE (that CA's PEM file)
#include <bosbase.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : fallback;
}

// An https:// server whose certificate comes from a CA of its own (a company's, or a test
// run's): BOSBASE_CA_FILE names that CA's PEM file, trusted instead of the system's store.
bosbase::BosBase client_for(const std::string& url) {
    const std::string ca_file = env_or("BOSBASE_CA_FILE", "");
    if (ca_file.empty()) return bosbase::BosBase(url);
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = ca_file;
    return bosbase::BosBase(url, bosbase::httplib_transport(tls));
}

// Typed records: nlohmann's from_json/to_json are all the SDK needs.
struct post {
    std::string id;
    std::string title;
    std::string body;
};

void from_json(const bosbase::json& j, post& p) {
    j.at("id").get_to(p.id);
    j.at("title").get_to(p.title);
    j.at("body").get_to(p.body);
}

void to_json(bosbase::json& j, const post& p) { j = {{"title", p.title}, {"body", p.body}}; }

constexpr const char* files_collection = "records_and_files_docs";

// Removes the example's collection when it goes out of scope, on success and on error.
struct remove_collection_at_exit {
    const bosbase::BosBase& pb;
    ~remove_collection_at_exit() {
        try {
            pb.collections().remove(files_collection);
        } catch (const std::exception& e) {
            std::cerr << "  could not remove " << files_collection << ": " << e.what() << "\n";
        }
    }
};

void files(const bosbase::BosBase& pb) {
    std::cout << "\n6. A collection with a file field\n";
    try {
        pb.collections().remove(files_collection);  // left over from an interrupted run
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 404) throw;
    }
    pb.collections().create({{"name", files_collection},
                             {"type", "base"},
                             {"listRule", ""},
                             {"viewRule", ""},
                             {"fields",
                              {{{"name", "title"}, {"type", "text"}},
                               {{"name", "attachment"}, {"type", "file"}, {"maxSelect", 1}, {"maxSize", 1 << 20}}}}});
    remove_collection_at_exit cleanup{pb};
    std::cout << "  created " << files_collection << "\n";

    std::cout << "\n7. Upload a file with the record\n";
    const std::string content = "Hello from records_and_files.\n";
    const bosbase::json doc = pb.collection(files_collection)
                                  .create_with_files({{"title", "greeting"}},
                                          {{"attachment", bosbase::file_part::from_bytes("hello.txt", content,
                                                                                         "text/plain")}});
    std::cout << "  stored as " << doc["attachment"].get<std::string>() << "\n";

    std::cout << "\n8. Its URL, and the bytes downloaded back\n";
    const std::string url = pb.files().get_url(doc, doc["attachment"]);
    std::cout << "  " << url << "\n";
    const bosbase::http_response file = pb.send_raw("GET", url.substr(pb.base_url().size()));
    std::cout << "  downloaded " << file.body.size() << " bytes, "
              << (file.body == content ? "identical to the upload" : "DIFFERENT from the upload") << "\n";
    if (file.body != content) throw std::runtime_error("the downloaded file differs from the upload");
}

}  // namespace

int main(int argc, char** argv) {
    const std::string url = argc > 1 ? argv[1] : env_or("BOSBASE_URL", "http://127.0.0.1:8090");
    try {
        bosbase::BosBase pb = client_for(url);
        pb.collection("_superusers")
            .auth_with_password(env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com"),
                                env_or("BOSBASE_ADMIN_PASSWORD", "admin-password"));
        auto posts = pb.collection("posts");

        std::cout << "1. Create three posts\n";
        std::string first_id;
        for (const char* title : {"Hello", "It's C++", "Goodbye"}) {
            const post created = posts.create<post>(post{"", title, "written by records_and_files"});
            if (first_id.empty()) first_id = created.id;
            std::cout << "  created " << created.id << " '" << created.title << "'\n";
        }

        std::cout << "\n2. List them, titles from Z to A\n";
        bosbase::request_options mine;
        mine.sort = "-title";
        mine.filter = pb.filter("body = {:body}", {{"body", "written by records_and_files"}});
        const auto page = posts.get_list<post>(1, 10, mine);
        for (const auto& p : page.items) std::cout << "  " << p.title << "\n";
        std::cout << "  (" << page.total_items << " in total)\n";

        std::cout << "\n3. Filter with a parameter that contains a quote\n";
        const post found = posts.get_first_list_item<post>(pb.filter("title = {:t}", {{"t", "It's C++"}}));
        std::cout << "  found " << found.id << " '" << found.title << "'\n";
        std::cout << "  posts with 'o' in the title: " << posts.get_count("title ~ 'o'") << "\n";

        std::cout << "\n4. Update one\n";
        const post updated = posts.update<post>(first_id, bosbase::json{{"title", "Hello again"}});
        std::cout << "  " << updated.id << " is now '" << updated.title << "'\n";

        std::cout << "\n5. Delete them all\n";
        for (const auto& p : posts.get_full_list<post>(100, mine)) {
            posts.remove(p.id);
            std::cout << "  deleted " << p.id << "\n";
        }
        std::cout << "  " << posts.get_count() << " posts left.\n";

        files(pb);
        std::cout << "\nDone.\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
