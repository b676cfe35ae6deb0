// Compile-cost probe for separate compilation: the same TU as compile_bosbase.cpp,
// built with BOSBASE_SEPARATE_COMPILATION (as every TU of a program using the mode
// is), so it sees the client's declarations only; one other TU of such a program
// defines BOSBASE_IMPLEMENTATION and compiles the definitions once.
#define BOSBASE_SEPARATE_COMPILATION
#include <bosbase.hpp>

#include <string>

std::string sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    return pb.collection("users").auth_with_token(app_token)["token"].get<std::string>();
}
