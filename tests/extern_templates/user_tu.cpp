// A user TU of a split-mode program, as bench/compile_bosbase_extern.cpp is: it
// signs in and lists. Built at -O2 and checked by user_tu_symbols.cmake: it must
// define none of the client's code, only call it (what makes split mode cheap).
#define BOSBASE_EXTERN_TEMPLATES
#include <bosbase.hpp>

#include <string>

std::string split_mode_sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    auto users = pb.collection("users");
    (void)users.get_list(1, 30);
    return users.auth_with_token(app_token)["token"].get<std::string>();
}
