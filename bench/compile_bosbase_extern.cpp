// Compile-cost probe for an opt-in split mode: the same TU as
// compile_bosbase.cpp, but the client templates are declared as explicitly
// instantiated elsewhere, so this TU parses bosbase.hpp without instantiating
// and compiling the call path. That is what a user TU would pay if one TU of the
// program held the definitions. Works with the header as it is (no mode macro
// needed); if the header grows such a mode, switch this file to it.
#include <bosbase.hpp>

#include <string>

extern template class bosbase::basic_bosbase<bosbase::httplib_transport>;
extern template class bosbase::record_service<bosbase::httplib_transport>;

std::string sign_in(const std::string& url, const std::string& app_token) {
    bosbase::BosBase pb(url);
    return pb.collection("users").auth_with_token(app_token)["token"].get<std::string>();
}
