// Typed records, the whole loop: the types in app_types.hpp are generated at build time from
// typed_records_schema.json (bosbase_generate_types in examples/CMakeLists.txt; the schema was
// saved from a server with `bosbase-typegen --url ... --collections posts,users --dump-schema`).
// It signs in as a superuser, then creates, reads, lists, updates and deletes a post through
// pb.collection<app::posts>(), printing the typed realtime events as they arrive.
//   typed_records BASE_URL SUPERUSER_EMAIL SUPERUSER_PASSWORD
#include <bosbase.hpp>
#include <app_types.hpp>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: typed_records BASE_URL SUPERUSER_EMAIL SUPERUSER_PASSWORD\n";
        return 2;
    }
    try {
        bosbase::BosBase pb(argv[1]);
        pb.collection("_superusers").auth_with_password(argv[2], argv[3]);
        const auto posts = pb.collection<app::posts>();  // calls that take and return app::posts

        std::mutex m;
        std::condition_variable cv;
        int seen = 0;
        auto sub = posts.subscribe("*", [&](const bosbase::realtime_event_of<app::posts>& e) {
            std::lock_guard<std::mutex> lock(m);
            std::cout << "event: " << e.action << " \"" << e.record.title << "\"" << std::endl;
            ++seen;
            cv.notify_all();
        });

        app::posts draft;
        draft.title = "hello, typed records";
        draft.body = "created from a struct";
        const app::posts created = posts.create(draft);
        std::cout << "created " << created.id << " at "
                  << (created.created ? bosbase::record_io::format_time(*created.created) : "?") << "\n";

        // The field-name constants make a renamed field a compile error, not a wrong filter.
        const app::posts found = posts.get_first_list_item(
            bosbase::filter(std::string(app::posts::fields::title) + " = {:t}", {{"t", draft.title}}));
        app::posts changed = found;
        changed.title = "hello again";
        posts.update(changed.id, changed);
        const bosbase::list_result<app::posts> page = posts.get_list(1, 5);
        std::cout << "listed " << page.items.size() << " of " << page.total_items << " posts\n";
        posts.remove(created.id);

        std::unique_lock<std::mutex> lock(m);
        if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen >= 3; })) {
            std::cerr << "only " << seen << " of 3 events arrived\n";
            return 1;
        }
        std::cout << "done\n";
        return 0;
    } catch (const bosbase::ClientResponseError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
