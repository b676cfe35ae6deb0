// Typed records against the real BosBase (label real_typed, scripts/test_real_bosbase.sh): the
// structs bosbase_generate_types() wrote at build time from typed_records_schema.json (dumped
// from a real server by bosbase-typegen --dump-schema; see the schema's note in
// docs/typed-records.md), the collections imported from that same file, and every field
// type through create, read, list, update, realtime and delete; then bosbase-typegen itself
// against the server.
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <integration_helpers.hpp>
#include <temp_dir.hpp>

#include <bosbase.hpp>
#include <typed_test_types.hpp>  // generated from typed_records_schema.json at build time

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;
using typed_test::typed_all;
using typed_test::typed_authors;

namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The test's collections on a fresh server, from the schema file the types came from. The view
// stays out: BosBase d8bc341 on PostgreSQL 15 cannot create views (it wraps the query as
// "SELECT * FROM (...)" without an alias, which PostgreSQL 15 refuses).
void import_schema(const bosbase::BosBase& admin) {
    const json schema = json::parse(file_text(BOSBASE_TYPED_SCHEMA));
    json tables = json::array();
    for (const auto& c : schema) {
        if (c.at("type") != "view") tables.push_back(c);
    }
    admin.collections().import_collections(tables, false);
}

template <class T>
struct inbox {
    std::mutex m;
    std::condition_variable cv;
    std::vector<bosbase::realtime_event_of<T>> events;

    void put(const bosbase::realtime_event_of<T>& e) {
        std::lock_guard<std::mutex> lock(m);
        events.push_back(e);
        cv.notify_all();
    }
    bool wait_count(std::size_t n) {
        std::unique_lock<std::mutex> lock(m);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] { return events.size() >= n; });
    }
    bosbase::realtime_event_of<T> at(std::size_t i) {
        std::lock_guard<std::mutex> lock(m);
        return events.at(i);
    }
};

std::string text_of(const std::optional<bosbase::record_time>& t) {
    return t ? bosbase::record_io::format_time(*t) : std::string("(none)");
}

// Every field the client sends, equal after the round trip.
void check_sent_fields(const typed_all& got, const typed_all& sent) {
    CHECK(got.title == sent.title);
    CHECK(got.body == sent.body);
    CHECK(got.contact == sent.contact);
    CHECK(got.homepage == sent.homepage);
    CHECK(got.score == sent.score);
    CHECK(got.count == sent.count);
    CHECK(got.flag == sent.flag);
    CHECK(text_of(got.due) == text_of(sent.due));
    CHECK(got.status == sent.status);
    CHECK(got.tags == sent.tags);
    CHECK(got.author == sent.author);
    CHECK(got.authors == sent.authors);
    CHECK(got.meta == sent.meta);
    CHECK(got.location == sent.location);
    CHECK(got.embedding == sent.embedding);
}

void check_same(const typed_all& a, const typed_all& b) {
    check_sent_fields(a, b);
    CHECK(a.id == b.id);
    CHECK(a.attachment == b.attachment);
    CHECK(a.attachments == b.attachments);
    CHECK(text_of(a.created) == text_of(b.created));
    CHECK(text_of(a.updated) == text_of(b.updated));
    CHECK(a.createdBy == b.createdBy);
    CHECK(a.updatedBy == b.updatedBy);
}

typed_authors new_author(const std::string& email, const std::string& name) {
    typed_authors a;
    a.email = email;
    a.name = name;
    a.emailVisibility = true;
    a.verified = true;
    a.password = "author-password-1";
    a.password_confirm = a.password;
    return a;
}

}  // namespace

TEST_CASE("typed records: every field type through create, get, lists, update, realtime and delete") {
    test_server server;
    REQUIRE_MESSAGE(server.is_bosbase(), "needs the real BosBase: run scripts/test_real_bosbase.sh");
    const bosbase::BosBase admin = bosbase_test::superuser(server);
    import_schema(admin);

    // The auth collection: system fields, write-only passwords, and signing in with them.
    const auto authors = admin.collection<typed_authors>();
    const typed_authors ann = authors.create(new_author("ann@example.com", "Ann"));
    const typed_authors bob = authors.create(new_author("bob@example.com", "Bob"));
    CHECK(ann.id.size() == 36);
    CHECK(ann.email == "ann@example.com");
    CHECK(ann.name == "Ann");
    CHECK(ann.emailVisibility);
    CHECK(ann.verified);
    CHECK(ann.created.has_value());
    CHECK(!ann.password.has_value());  // never read back
    bosbase::BosBase as_ann(server.url());
    as_ann.collection<typed_authors>().untyped().auth_with_password("ann@example.com", "author-password-1");
    CHECK(as_ann.auth_store().is_valid());

    const auto all = admin.collection<typed_all>();
    inbox<typed_all> heard;
    auto sub = all.subscribe("*", [&](const bosbase::realtime_event_of<typed_all>& e) { heard.put(e); });

    typed_all sent;
    sent.title = "Typed \"quotes\" and ünïcode";
    sent.body = "<p>rich <b>text</b></p>";
    sent.contact = "someone@example.com";
    sent.homepage = "https://example.com/a?b=c";
    sent.score = 2.5;
    sent.count = 9007199254740991;  // 2^53 - 1: the server keeps numbers as float64
    sent.flag = true;
    sent.due = bosbase::record_io::parse_time("2024-02-29 13:14:15.678Z");
    sent.status = typed_all::status_value::in_progress;
    sent.tags = {typed_all::tags_value::c, typed_all::tags_value::a};
    sent.author = ann.id;
    sent.authors = {ann.id, bob.id};
    sent.meta = json{{"k", json::array({1, 2.5, json{{"x", nullptr}}, "s"})}};
    sent.location = bosbase::geo_point{12.5, -45.25};
    sent.embedding = {0.5, -1.25, 3};

    const typed_all created = all.create(sent);
    check_sent_fields(created, sent);
    CHECK(created.id.size() == 36);
    REQUIRE(created.created.has_value());
    CHECK(created.updated == created.created);

    check_same(all.get_one(created.id), created);
    const bosbase::list_result<typed_all> page = all.get_list(1, 10);
    REQUIRE(page.items.size() == 1);
    CHECK(page.total_items == 1);
    check_same(page.items[0], created);
    const std::vector<typed_all> every = all.get_full_list();
    REQUIRE(every.size() == 1);
    check_same(every[0], created);
    // The field-name constants in a filter.
    const typed_all first = all.get_first_list_item(
        bosbase::filter(std::string(typed_all::fields::status) + " = {:s} && " + typed_all::fields::count + " > 0",
                        {{"s", "in-progress"}}));
    check_same(first, created);
    CHECK(all.get_count() == 1);

    // Update: every writable field changed, the rest kept.
    typed_all changed = created;
    changed.title = "changed";
    changed.body.clear();
    changed.score = -0.125;
    changed.count = -7;
    changed.flag = false;
    changed.due.reset();
    changed.status = typed_all::status_value::default_;
    changed.tags = {typed_all::tags_value::b};
    changed.author.clear();
    changed.authors = {bob.id};
    changed.meta = json::array({"only", "this"});
    changed.location = bosbase::geo_point{-180, 90};
    changed.embedding = {1, 2, 3.75};
    const typed_all updated = all.update(created.id, changed);
    check_sent_fields(updated, changed);
    CHECK(updated.id == created.id);
    CHECK(text_of(updated.created) == text_of(created.created));
    check_same(all.get_one(created.id), updated);

    // A file goes up through update_with_files; the file fields read back as names.
    bosbase::file_list files;
    files.emplace_back("attachment", bosbase::file_part::from_bytes("note.txt", "hello"));
    files.emplace_back("attachments", bosbase::file_part::from_bytes("a.txt", "a"));
    files.emplace_back("attachments", bosbase::file_part::from_bytes("b.txt", "b"));
    const typed_all with_files = all.update_with_files(created.id, updated, files);
    CHECK(with_files.attachment.rfind("note", 0) == 0);
    CHECK(with_files.attachments.size() == 2);
    check_sent_fields(with_files, changed);

    // Realtime: create, update, update, each record typed.
    REQUIRE(heard.wait_count(3));
    CHECK(heard.at(0).action == "create");
    check_same(heard.at(0).record, created);
    CHECK(heard.at(1).action == "update");
    check_same(heard.at(1).record, updated);
    CHECK(heard.at(2).action == "update");
    check_same(heard.at(2).record, with_files);

    all.remove(created.id);
    REQUIRE(heard.wait_count(4));
    CHECK(heard.at(3).action == "delete");
    CHECK(heard.at(3).record.id == created.id);
    CHECK(all.get_list(1, 10).items.empty());

    // The auth record, updated through the typed handle: the email, unseen by others, stays.
    typed_authors renamed = authors.get_one(bob.id);
    renamed.name = "Robert";
    const typed_authors bob2 = authors.update(bob.id, renamed);
    CHECK(bob2.name == "Robert");
    CHECK(bob2.email == "bob@example.com");
}

TEST_CASE("bosbase-typegen against the real server writes what the schema file gives") {
    test_server server;
    REQUIRE_MESSAGE(server.is_bosbase(), "needs the real BosBase: run scripts/test_real_bosbase.sh");
    import_schema(bosbase_test::superuser(server));
    bosbase_test::temp_dir dir;
    const std::string tool = BOSBASE_TYPEGEN_PATH;
    const std::string from_server = dir.path.string() + "/server.hpp";
    const std::string dumped = dir.path.string() + "/dumped.json";
    const std::string from_dump = dir.path.string() + "/dump.hpp";
    const std::string from_file = dir.path.string() + "/file.hpp";
    const std::string common = " --namespace typed_test --collections typed_all,typed_authors";
    auto run = [](const std::string& command) { return bosbase_test::run_command(command + " 2>&1"); };

    auto r = run(tool + " --url " + server.url() + " --email " + dev_accounts::admin_email + " --password " +
                 dev_accounts::admin_password + common + " --dump-schema " + dumped + " --out " + from_server);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(tool + " --schema " + dumped + common + " --out " + from_dump);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(tool + " --schema " + BOSBASE_TYPED_SCHEMA + common + " --out " + from_file);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    // The same types all three ways (the first line names the source).
    auto body = [](const std::string& path) {
        const std::string text = file_text(path);
        return text.substr(text.find('\n'));
    };
    CHECK(body(from_server).find("struct typed_all {") != std::string::npos);
    CHECK(body(from_server) == body(from_file));
    CHECK(body(from_dump) == body(from_file));

    // A wrong password: a clear error without the password, and no output file.
    const std::string refused = dir.path.string() + "/refused.hpp";
    r = run(tool + " --url " + server.url() + " --email " + dev_accounts::admin_email +
            " --password Wr0ng-Secret-9 --out " + refused);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("bosbase-typegen: the server:") != std::string::npos);
    CHECK(r.output.find("Wr0ng-Secret-9") == std::string::npos);
    CHECK(!std::ifstream(refused).good());
}
