// Realtime with overlapping subscriptions under wine, then a clean exit (issue 27, item 10).
//   bosbase_windows_realtime_overlap BASE_URL
// A superuser (BOSBASE_ADMIN_EMAIL, BOSBASE_ADMIN_PASSWORD; the dev server's seeded account by
// default) makes a public collection and goes away; an anonymous client subscribes to "*" on it,
// to one record's topic and to a custom topic, drops the last two while "*" stays, sees a second
// anonymous client create and delete a record, unsubscribes "*", and both clients end. Every
// realtime thread ends on the way: with mingw-w64's thread_local teardown in the wrong order each
// one freed cpp-httplib's thread_local regexes twice and the program crashed, in a later free or
// after main. scripts/test_windows.sh runs it with wine's heap checks on (WINEDEBUG=warn+heap),
// which turn such a use of freed memory into a crash every time, and fails on wine's crash report.
// It also checks the order itself: a thread_local's destructor must find its storage alive.
// Over https:// every client trusts BOSBASE_CA_FILE (a PEM file) when it is set.
#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// Where the exiting thread had its thread_local `marker`, and whether the destructor of another
// of its thread_locals still found it there. Once emutls has freed the thread's storage, taking
// the address of a thread_local allocates new storage: another address.
const void* marker_seen = nullptr;
bool storage_alive_in_destructor = false;
thread_local int marker = 0;

struct exit_probe {
    ~exit_probe() { storage_alive_in_destructor = &marker == marker_seen; }
};

bool thread_local_destructors_run_on_live_storage() {
    std::thread([] {
        marker_seen = &marker;
        thread_local exit_probe probe;
        (void)&probe;
    }).join();
    return storage_alive_in_destructor;
}

constexpr const char* collection = "windows_realtime_overlap";

bosbase::BosBase client_for(const std::string& url) {
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = env_or("BOSBASE_CA_FILE", "");
    return bosbase::BosBase(url, bosbase::httplib_transport(tls));
}

void remove_collection(const std::string& url, const std::string& email, const std::string& password) {
    bosbase::BosBase admin = client_for(url);
    admin.collection("_superusers").auth_with_password(email, password);
    try {
        admin.collections().remove(collection);
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 404) throw;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bosbase_windows_realtime_overlap BASE_URL\n";
        return 2;
    }
    // On to the realtime part either way: what the wrong order does to it shows too.
    const bool order_right = thread_local_destructors_run_on_live_storage();
    if (order_right) {
        std::cout << "thread_local destructors run before their storage is freed" << std::endl;
    } else {
        std::cerr << "a thread_local's destructor ran after its thread's storage was freed (mingw-w64's emutls "
                     "before libstdc++'s thread-exit destructors; see platform.hpp)" << std::endl;
    }
    const std::string url = argv[1];
    const std::string email = env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com");
    const std::string password = env_or("BOSBASE_ADMIN_PASSWORD", "admin-password");
    try {
        {
            remove_collection(url, email, password);  // left over from an interrupted run
            bosbase::BosBase admin = client_for(url);
            admin.collection("_superusers").auth_with_password(email, password);
            admin.collections().create({{"name", collection},
                                        {"type", "base"},
                                        {"listRule", ""},
                                        {"viewRule", ""},
                                        {"createRule", ""},
                                        {"deleteRule", ""},
                                        {"fields", {{{"name", "title"}, {"type", "text"}}}}});
        }
        std::mutex m;
        std::condition_variable cv;
        std::vector<std::string> actions;
        {
            bosbase::BosBase watcher = client_for(url);
            bosbase::BosBase writer = client_for(url);
            auto all = watcher.collection(collection).subscribe("*", [&](const bosbase::realtime_event& e) {
                std::lock_guard<std::mutex> lock(m);
                actions.push_back(e.action);
                cv.notify_all();
            });
            {
                auto one = watcher.collection(collection).subscribe("abcdefghijklmno",
                                                                    [](const bosbase::realtime_event&) {});
                auto custom = watcher.realtime().subscribe("windows-overlap", [](const bosbase::realtime_event&) {});
            }
            const auto topics = watcher.realtime().topics();
            if (topics != std::vector<std::string>{std::string(collection) + "/*"}) {
                std::cerr << "after dropping two subscriptions " << topics.size() << " topics are left, not only \"*\"\n";
                return 1;
            }
            const std::string id = writer.collection(collection).create({{"title", "overlap"}})["id"];
            writer.collection(collection).remove(id);
            {
                std::unique_lock<std::mutex> lock(m);
                if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return actions.size() >= 2; })) {
                    std::cerr << "only " << actions.size() << " of 2 events arrived within 10 s\n";
                    return 1;
                }
                if (actions != std::vector<std::string>{"create", "delete"}) {
                    std::cerr << "the events were not a create and a delete\n";
                    return 1;
                }
            }
            watcher.collection(collection).unsubscribe("*");
            if (!watcher.realtime().topics().empty()) {
                std::cerr << "topics are left after unsubscribing \"*\"\n";
                return 1;
            }
        }
        remove_collection(url, email, password);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    std::cout << "done: create and delete arrived on \"*\" with overlapping subscriptions; both clients ended"
              << std::endl;
    return order_right ? 0 : 1;
}
