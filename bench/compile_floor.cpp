// Compile-cost reference: one translation unit that signs in by hand with the
// two libraries the SDK is built on (the same work as client_floor.cpp's
// auth()). bench/run_bench.py times compiling it beside compile_bosbase.cpp.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

std::string sign_in(const std::string& url, const std::string& app_token) {
    httplib::Client http(url);
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
    const nlohmann::json body{{"token", app_token}};
    auto res = http.Post("/api/collections/users/auth-with-token", body.dump(), "application/json");
    if (!res || res->status != 200) throw std::runtime_error("auth-with-token failed");
    return nlohmann::json::parse(res->body).at("token").get<std::string>();
}
