// Pub/sub figures on loopback (scripts/bench_pubsub.sh): one signed-in client subscribes to
// a topic and publishes to it N times, one at a time; each round trip runs from publish()
// to its own message arriving (the server hands a publisher its own messages). Then N
// publishes back to back, and the time until every message has arrived, as messages per
// second. Prints one JSON line; figures only. With CA_FILE (an https:// BASE_URL, a TLS
// terminator in front of the server) it trusts that CA, and pub/sub goes over wss://.
//   pubsub_roundtrip BASE_URL EMAIL PASSWORD N [CA_FILE]
#include <bosbase.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#if BOSBASE_HTTPLIB_WEBSOCKET

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: pubsub_roundtrip BASE_URL EMAIL PASSWORD N [CA_FILE]\n");
        return 2;
    }
    using clock = std::chrono::steady_clock;
    const int n = std::stoi(argv[4]);
    try {
        bosbase::httplib_transport_options tls;
        if (argc > 5) tls.ca_cert_file = argv[5];
        bosbase::BosBase pb(argv[1], bosbase::httplib_transport(tls));
        pb.collection("users").auth_with_password(argv[2], argv[3]);
        std::mutex m;
        std::condition_variable cv;
        int received = 0;
        const std::string topic = "bench/" + std::to_string(clock::now().time_since_epoch().count());
        auto sub = pb.pubsub().subscribe(topic, [&](const bosbase::pubsub_message&) {
            std::lock_guard<std::mutex> lock(m);
            ++received;
            cv.notify_all();
        });
        auto wait_for = [&](int count) {
            std::unique_lock<std::mutex> lock(m);
            return cv.wait_for(lock, std::chrono::seconds(30), [&] { return received >= count; });
        };
        for (int i = 0; i < 20; ++i) pb.pubsub().publish(topic, {{"warmup", i}});
        if (!wait_for(20)) throw std::runtime_error("warm-up messages did not arrive");

        std::vector<double> rtt_us;
        for (int i = 0; i < n; ++i) {
            const auto t0 = clock::now();
            pb.pubsub().publish(topic, {{"n", i}});
            if (!wait_for(20 + i + 1)) throw std::runtime_error("a message did not arrive");
            rtt_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
        }
        std::sort(rtt_us.begin(), rtt_us.end());

        const auto t0 = clock::now();
        for (int i = 0; i < n; ++i) pb.pubsub().publish(topic, {{"burst", i}});
        if (!wait_for(20 + 2 * n)) throw std::runtime_error("the burst did not arrive");
        const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
        std::printf("{\"sdk\":\"bosbase-cpp\",\"n\":%d,\"rtt_median_us\":%.0f,\"rtt_p90_us\":%.0f,\"msgs_per_s\":%.0f}\n",
                    n, rtt_us[rtt_us.size() / 2], rtt_us[rtt_us.size() * 9 / 10], n / seconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

#else

int main() {
    std::fprintf(stderr, "pubsub_roundtrip needs cpp-httplib 0.39.0 or later\n");
    return 2;
}

#endif
