// Sign in with a custom token when the collection requires MFA.
//
// The token is the first factor: the server answers 401 with an mfaId.
// The second factor is any other auth method (password here, or OTP) called
// with that mfaId in its body; it returns the normal auth response.
//
//   mfa_token_login BASE_URL TOKEN EMAIL PASSWORD
#include <bosbase.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: mfa_token_login BASE_URL CUSTOM_TOKEN EMAIL PASSWORD\n";
        return 2;
    }
    bosbase::BosBase pb(argv[1]);
    auto users = pb.collection("users");
    try {
        auto auth = users.auth_with_token(argv[2]);
        std::cout << "signed in without MFA as " << auth["record"]["email"].get<std::string>() << "\n";
        return 0;
    } catch (const bosbase::ClientResponseError& e) {
        if (e.mfa_id().empty()) {
            std::cerr << "token sign-in failed: " << e.what() << "\n";
            return 1;
        }
        std::cout << "first factor accepted; MFA required (mfaId " << e.mfa_id() << ")\n";
        try {
            bosbase::request_options second;  // the server ties the second factor to the first
            second.body = {{"mfaId", e.mfa_id()}};
            auto auth = users.auth_with_password(argv[3], argv[4], second);
            std::cout << "second factor accepted; signed in as " << auth["record"]["email"].get<std::string>() << "\n";
            return 0;
        } catch (const bosbase::ClientResponseError& second) {
            std::cerr << "second factor failed: " << second.what() << "\n";
            return 1;
        }
    }
}
