// Prints live changes of the `posts` collection. To have something to show it
// signs in as a superuser, creates, updates and deletes a post itself, prints
// each event as it arrives, and exits.
//   realtime_feed BASE_URL SUPERUSER_EMAIL SUPERUSER_PASSWORD
#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: realtime_feed BASE_URL SUPERUSER_EMAIL SUPERUSER_PASSWORD\n";
        return 2;
    }
    try {
        bosbase::BosBase pb(argv[1]);
        pb.collection("_superusers").auth_with_password(argv[2], argv[3]);

        std::mutex m;
        std::condition_variable cv;
        int seen = 0;
        pb.realtime().on_disconnect([](const bosbase::realtime_disconnect& d) {
            std::cout << "disconnected: " << d.reason << (d.reconnecting ? " (reconnecting)" : "") << "\n";
        });
        auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) {
            std::lock_guard<std::mutex> lock(m);
            std::cout << e.action << " " << e.record.value("id", "") << " \"" << e.record.value("title", "")
                      << "\"" << std::endl;
            ++seen;
            cv.notify_all();
        });
        std::cout << "subscribed to posts/* as client " << pb.realtime().client_id() << "\n";

        auto posts = pb.collection("posts");
        const std::string id = posts.create({{"title", "hello, realtime"}})["id"];
        posts.update(id, {{"title", "hello again"}});
        posts.remove(id);

        std::unique_lock<std::mutex> lock(m);
        if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen >= 3; })) {
            std::cerr << "only " << seen << " of 3 events arrived within 10 s\n";
            return 1;
        }
        std::cout << "done: 3 live changes received\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
