// A user TU of a separate-compilation program, as bench/compile_bosbase_extern.cpp is:
// it signs in and lists. Built at -O2 and checked by user_tu_symbols.cmake: it must
// define none of the client's code, only call it (what makes the mode cheap), and it
// sees declarations only, so cpp-httplib's header never comes in.
#define BOSBASE_SEPARATE_COMPILATION
#include <bosbase.hpp>

#ifdef CPPHTTPLIB_VERSION
#error "a BOSBASE_SEPARATE_COMPILATION TU must not include httplib.h"
#endif
// The SDK's threads stay with the definitions (<future> does come in: pb.async returns a
// std::future). Checked with libstdc++'s guard macro, which is what CI builds with.
#if defined(_GLIBCXX_THREAD)
#error "a BOSBASE_SEPARATE_COMPILATION TU must not include <thread>"
#endif

#include <string>

std::string split_mode_sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    auto users = pb.collection("users");
    (void)users.get_list(1, 30);
    return users.auth_with_token(app_token)["token"].get<std::string>();
}
