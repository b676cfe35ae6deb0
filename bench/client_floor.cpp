// The floor: what a careful programmer writes by hand with the same two
// libraries the SDK uses. One reused httplib::Client with keep-alive and
// TCP_NODELAY, the JSON body built with nlohmann and dumped, the response
// parsed with json::parse, and the sign-in's token and record kept (a client
// that throws them away would not be a fair floor).
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "client_main.hpp"

namespace {

using nlohmann::json;

struct floor_client {
    httplib::Client http;
    std::string token;
    json record;
    std::size_t items_seen = 0;

    explicit floor_client(const std::string& url) : http(url) {
        http.set_keep_alive(true);
        // Without it the body of a kept-alive POST waits for the server's delayed ACK.
        http.set_tcp_nodelay(true);
    }

    void auth() {
        const json body{{"token", bosbase_bench::app_token}};
        auto res = http.Post("/api/collections/users/auth-with-token", body.dump(), "application/json");
        if (!res || res->status != 200) throw std::runtime_error("auth-with-token failed");
        json parsed = json::parse(res->body);
        token = parsed.at("token").get<std::string>();
        record = std::move(parsed.at("record"));
    }

    void list() {
        auto res = http.Get("/api/collections/posts/records?page=1&perPage=30");
        if (!res || res->status != 200) throw std::runtime_error("list failed");
        const json parsed = json::parse(res->body);
        items_seen += parsed.at("items").size();
    }
};

}  // namespace

int main(int argc, char** argv) {
    return bench_client_main(
        argc, argv, "floor", [](const std::string& url) { return floor_client(url); },
        [](floor_client& c, bool auth) { auth ? c.auth() : c.list(); });
}
