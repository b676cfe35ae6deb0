// Realtime against the dev server (real PocketBase): events arrive, options
// filter, a restarted server is reconnected to by itself, many clients, a flood.
#include <test_server.hpp>
#include <doctest/doctest.h>
#include <fake_stream_transport.hpp>  // mailbox

#include <bosbase.hpp>

#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <cstddef>
// ASan's runtime has it; g++ 12 ships no header that declares it.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

using bosbase::json;
using bosbase_test::dev_accounts;
using bosbase_test::test_server;
using bosbase_test::mailbox;

namespace {

constexpr auto within_1s = std::chrono::milliseconds(1000);

// posts can only be written by superusers (createRule is unset).
bosbase::BosBase admin_client(const test_server& server) {
    bosbase::BosBase admin(server.url());
    admin.collection("_superusers").auth_with_password(dev_accounts::admin_email, dev_accounts::admin_password);
    return admin;
}

// What the process holds: its RSS, or under ASan, whose quarantine keeps freed memory
// resident (256 MB by default), the heap bytes allocated and not yet freed.
long memory_kib() {
#if defined(__SANITIZE_ADDRESS__)
    return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024);
#else
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (::sysconf(_SC_PAGESIZE) / 1024);
#endif
}

}  // namespace

TEST_CASE("realtime: create, update and delete of a post each arrive within 1 s") {
    test_server server;
    auto admin = admin_client(server);
    mailbox<bosbase::realtime_event> got;
    mailbox<bosbase::realtime_event> mine;
    bosbase::BosBase pb(server.url());
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) { got.put(e); });
    CHECK(pb.realtime().is_connected());
    CHECK(pb.realtime().client_id().size() == 40);

    const auto created = admin.collection("posts").create({{"title", "first"}});
    const std::string id = created["id"];
    REQUIRE(got.wait_count(1, within_1s));
    admin.collection("posts").update(id, {{"title", "second"}});
    REQUIRE(got.wait_count(2, within_1s));
    admin.collection("posts").remove(id);
    REQUIRE(got.wait_count(3, within_1s));

    const auto items = got.items();
    CHECK(items[0].action == "create");
    CHECK(items[0].record["title"] == "first");
    CHECK(items[1].action == "update");
    CHECK(items[1].record["title"] == "second");
    CHECK(items[2].action == "delete");
    CHECK(items[2].record["id"] == id);
    for (const auto& e : items) CHECK(e.topic == "posts/*");

    // One record's topic only sees that record.
    const std::string other = admin.collection("posts").create({{"title", "watched"}})["id"];
    auto one = pb.collection("posts").subscribe(other, [&](const bosbase::realtime_event& e) { mine.put(e); });
    admin.collection("posts").create({{"title", "not watched"}});
    admin.collection("posts").update(other, {{"title", "changed"}});
    REQUIRE(mine.wait_count(1, within_1s));
    CHECK(mine.items()[0].record["title"] == "changed");
    CHECK(mine.size() == 1);
}

TEST_CASE("realtime: subscription options filter events on the server") {
    test_server server;
    auto admin = admin_client(server);
    mailbox<bosbase::realtime_event> got;
    bosbase::BosBase pb(server.url());
    bosbase::subscribe_options opts;
    opts.filter = "title = 'yes'";
    opts.fields = "id,title";
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) { got.put(e); }, opts);
    CHECK(sub.topic().find("posts/*?options=") == 0);

    admin.collection("posts").create({{"title", "no"}, {"body", "b"}});
    admin.collection("posts").create({{"title", "yes"}, {"body", "b"}});
    REQUIRE(got.wait_count(1, within_1s));
    // Events of one client arrive in order, so the "no" would have come first.
    const auto first = got.items()[0];
    CHECK(first.record["title"] == "yes");
    CHECK(first.topic == sub.topic());
    CHECK_FALSE(first.record.contains("body"));  // fields=id,title
}

TEST_CASE("realtime: a restarted server is reconnected to by itself and on_reconnect fires") {
    test_server server;
    mailbox<std::string> reconnects;
    mailbox<bosbase::realtime_disconnect> gone;
    mailbox<bosbase::realtime_event> got;
    bosbase::BosBase pb(server.url());
    bosbase::realtime_options o;
    o.reconnect_delay = std::chrono::milliseconds(50);
    o.max_reconnect_delay = std::chrono::milliseconds(500);
    pb.realtime().set_options(o);
    pb.realtime().on_reconnect([&](const std::string& id) { reconnects.put(id); });
    pb.realtime().on_disconnect([&](const bosbase::realtime_disconnect& d) { gone.put(d); });
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) { got.put(e); });
    const std::string first_id = pb.realtime().client_id();

    const auto restarted_at = std::chrono::steady_clock::now();
    server.restart();
    REQUIRE(gone.wait_count(1, std::chrono::seconds(30)));
    CHECK(gone.items()[0].reconnecting);
    REQUIRE(reconnects.wait_count(1, std::chrono::seconds(30)));
    CHECK(reconnects.items()[0] != first_id);
    MESSAGE("reconnected " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - restarted_at).count()
                           << " ms after the restart began");

    auto admin = admin_client(server);
    admin.collection("posts").create({{"title", "after restart"}});
    REQUIRE(got.wait_count(1, within_1s));
    CHECK(got.items()[0].record["title"] == "after restart");
}

TEST_CASE("realtime: 10 clients with 10 subscriptions each all get their events") {
    test_server server;
    auto admin = admin_client(server);
    mailbox<std::string> got;
    std::vector<std::unique_ptr<bosbase::BosBase>> clients;
    std::vector<bosbase::subscription> subs;
    for (int c = 0; c < 10; ++c) {
        clients.push_back(std::make_unique<bosbase::BosBase>(server.url()));
        for (int k = 0; k < 10; ++k) {
            bosbase::subscribe_options o;
            o.query = {{"n", k}};  // ten distinct topics on one collection
            subs.push_back(clients.back()->collection("posts").subscribe(
                "*", [&got, c](const bosbase::realtime_event& e) { got.put(std::to_string(c) + e.topic); }, o));
        }
    }
    admin.collection("posts").create({{"title", "to everyone"}});
    REQUIRE(got.wait_count(100, std::chrono::seconds(5)));
    auto items = got.items();
    std::sort(items.begin(), items.end());
    CHECK(std::unique(items.begin(), items.end()) == items.end());  // each subscription exactly once
}

TEST_CASE("realtime: a flood of 10,000 events keeps memory bounded") {
    test_server server;
    std::atomic<int> seen{0};
    mailbox<int> done;
    bosbase::BosBase pb(server.url());
    constexpr int total = 10000;
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event&) {
        if (++seen == total) done.put(1);
    });
    const long before = memory_kib();
    mailbox<std::string> writer_errors;
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&server, &writer_errors, w] {
            try {
                auto admin = admin_client(server);
                // ~10 KB each (text fields hold at most 5000 characters): ~100 MB of events
                // in all, so keeping them would show.
                const bosbase::json post{{"title", std::string(4900, 't')}, {"body", std::string(4900, 'b')}};
                for (int i = w; i < total; i += 4) admin.collection("posts").create(post);
            } catch (const std::exception& e) {
                writer_errors.put(e.what());
            }
        });
    }
    for (auto& w : writers) w.join();
    REQUIRE(writer_errors.items().empty());
    REQUIRE(done.wait_count(1, std::chrono::seconds(60)));
    const long grown = memory_kib() - before;
    MESSAGE("flood: " << total << " events, memory growth " << grown << " KiB");
    CHECK(seen == total);
    CHECK(grown < 48 * 1024);  // generous: the events are never queued, only parsed and handed on
}

TEST_CASE("realtime: the README snippet runs against a server") {
    test_server server;
    auto admin = admin_client(server);
    const std::string record_id = admin.collection("posts").create({{"title", "readme"}})["id"];
    auto readme = [&](const std::string& url, const std::string& RECORD_ID) {
        // --- docs/services/realtime.md, first snippet (keep in sync; only the URL and RECORD_ID differ) ---
        bosbase::BosBase pb(url);

        pb.realtime().on_reconnect([](const std::string& client_id) {
            // The connection was lost and is back: events may have been missed, reload what you show.
            (void)client_id;
        });
        pb.realtime().on_disconnect([](const bosbase::realtime_disconnect& d) {
            std::cerr << "realtime: " << d.reason << (d.reconnecting ? " (reconnecting)" : "") << "\n";
        });

        bosbase::subscribe_options options;  // optional: filter, expand, fields, query, headers
        options.filter = "title != ''";
        options.fields = "id,title";
        auto sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event& e) {
            std::cout << e.action << " " << e.record["id"] << "\n";  // "create", "update" or "delete"
        }, options);

        auto one = pb.collection("posts").subscribe(RECORD_ID, [](const bosbase::realtime_event&) {});
        auto custom = pb.realtime().subscribe("my-topic", [](const bosbase::realtime_event& e) { (void)e.data; });

        sub.unsubscribe();  // or let `sub` go out of scope
        // --- end of the snippet ---
        CHECK_FALSE(sub.active());
        CHECK(pb.realtime().topics() == std::vector<std::string>{"posts/" + RECORD_ID, "my-topic"});
    };
    readme(server.url(), record_id);
}
