// Compile-cost subject: one translation unit that includes bosbase.hpp and signs
// in with auth_with_token, as a user's file would. Compared with
// compile_floor.cpp by bench/run_bench.py.
#include <bosbase.hpp>

#include <string>

std::string sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    return pb.collection("users").auth_with_token(app_token)["token"].get<std::string>();
}
