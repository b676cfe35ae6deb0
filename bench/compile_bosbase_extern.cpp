// Compile-cost probe for the opt-in split mode: the same TU as
// compile_bosbase.cpp, built with BOSBASE_EXTERN_TEMPLATES (as every TU of a
// program using the mode is), so it parses bosbase.hpp without instantiating
// and compiling the client for the default transport; one other TU of such a
// program defines BOSBASE_IMPLEMENTATION and pays for that once.
#define BOSBASE_EXTERN_TEMPLATES
#include <bosbase.hpp>

#include <string>

std::string sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    return pb.collection("users").auth_with_token(app_token)["token"].get<std::string>();
}
