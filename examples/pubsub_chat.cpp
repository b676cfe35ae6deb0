// Two users chat over BosBase pub/sub in one program: each signs in on a client of
// its own, subscribes to the room, says two lines, and prints what it hears (its
// own lines too: the server hands a publisher its own messages). Exits once both
// have heard all four lines.
//   pubsub_chat BASE_URL EMAIL_1 PASSWORD_1 EMAIL_2 PASSWORD_2
// Over wss:// for an https:// BASE_URL when cpp-httplib is built with TLS; ws:// otherwise. A
// server whose certificate comes from a CA of its own: BOSBASE_CA_FILE names that CA's PEM file.
#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>

#if BOSBASE_HTTPLIB_WEBSOCKET

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: pubsub_chat BASE_URL EMAIL_1 PASSWORD_1 EMAIL_2 PASSWORD_2\n";
        return 2;
    }
    try {
        const std::string room = "chat/room-1";
        std::mutex m;
        std::condition_variable cv;
        std::map<std::string, int> heard;  // per listener

        // One client per user: a client is one identity, and its own WebSocket.
        bosbase::httplib_transport_options tls;
        if (const char* ca = std::getenv("BOSBASE_CA_FILE")) tls.ca_cert_file = ca;
        bosbase::BosBase ann(argv[1], bosbase::httplib_transport(tls));
        bosbase::BosBase bob(argv[1], bosbase::httplib_transport(tls));
        ann.collection("users").auth_with_password(argv[2], argv[3]);
        bob.collection("users").auth_with_password(argv[4], argv[5]);

        auto listen = [&](const bosbase::BosBase& pb, const std::string& who) {
            return pb.pubsub().realtime_subscribe(room, [&, who](const bosbase::pubsub_realtime_message& msg) {
                std::lock_guard<std::mutex> lock(m);
                std::cout << who << " hears " << msg.payload.value("from", "?") << ": "
                          << msg.payload.value("text", "") << std::endl;
                ++heard[who];
                cv.notify_all();
            });
        };
        auto ann_sub = listen(ann, "ann");
        auto bob_sub = listen(bob, "bob");

        auto say = [&](const bosbase::BosBase& pb, const std::string& from, const std::string& text) {
            const auto ack = pb.pubsub().realtime_publish(room, "say", {{"from", from}, {"text", text}});
            std::lock_guard<std::mutex> lock(m);
            std::cout << from << " said \"" << text << "\" (stored at " << ack.created << ")" << std::endl;
        };
        say(ann, "ann", "hi bob");
        say(bob, "bob", "hi ann");
        say(ann, "ann", "pub/sub works");
        say(bob, "bob", "bye");

        std::unique_lock<std::mutex> lock(m);
        if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return heard["ann"] >= 4 && heard["bob"] >= 4; })) {
            std::cerr << "ann heard " << heard["ann"] << ", bob heard " << heard["bob"] << " of 4 lines within 10 s\n";
            return 1;
        }
        std::cout << "done: both heard all 4 lines" << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}

#else

int main() {
    std::cerr << "pubsub_chat needs the default transport's WebSocket (built with BOSBASE_HTTPLIB_WEBSOCKET=0)\n";
    return 2;
}

#endif
