// Custom-token sign-in, end to end: bind a token to a user and to a superuser,
// sign in with each token alone, unbind, and show that the token stops working.
//
//   custom_token [BASE_URL]
// Accounts come from the environment (defaults match the dev server):
//   BOSBASE_URL, BOSBASE_USER_EMAIL, BOSBASE_USER_PASSWORD,
//   BOSBASE_ADMIN_EMAIL, BOSBASE_ADMIN_PASSWORD
#include <bosbase.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : fallback;
}

// Auth tokens are secrets: show only enough to recognise one.
std::string shorten(const std::string& token) { return token.substr(0, 12) + "... (" + std::to_string(token.size()) + " chars)"; }

void sign_in_with(bosbase::BosBase& pb, const std::string& collection, const std::string& token) {
    auto auth = pb.collection(collection).auth_with_token(token, {}, {}, std::nullopt);
    std::cout << "  signed in to '" << collection << "' with the custom token alone\n"
              << "  auth token: " << shorten(auth["token"].get<std::string>()) << "\n"
              << "  record:     " << auth["record"].dump() << "\n"
              << "  auth store holds a valid token: " << std::boolalpha << pb.auth_store().is_valid()
              << ", superuser: " << pb.auth_store().is_superuser() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::string url = argc > 1 ? argv[1] : env_or("BOSBASE_URL", "http://127.0.0.1:8090");
    const std::string user_email = env_or("BOSBASE_USER_EMAIL", "user@example.com");
    const std::string user_password = env_or("BOSBASE_USER_PASSWORD", "user-password");
    const std::string admin_email = env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com");
    const std::string admin_password = env_or("BOSBASE_ADMIN_PASSWORD", "admin-password");
    const std::string user_token = "my-app-token";
    const std::string admin_token = "admin-app-token";

    try {
        bosbase::BosBase pb(url);
        std::cout << "Server: " << pb.base_url() << "\n\n";

        std::cout << "1. Bind custom tokens (needs each account's email and password)\n";
        pb.collection("users").bind_custom_token(user_email, user_password, user_token, {}, {});
        std::cout << "  bound '" << user_token << "' to " << user_email << " in 'users'\n";
        pb.collection("_superusers").bind_custom_token(admin_email, admin_password, admin_token, {}, {});
        std::cout << "  bound '" << admin_token << "' to " << admin_email << " in '_superusers'\n\n";

        std::cout << "2. Sign in with the user's token\n";
        sign_in_with(pb, "users", user_token);
        std::cout << "\n3. Sign in with the superuser's token\n";
        sign_in_with(pb, "_superusers", admin_token);

        std::cout << "\n4. Unbind both tokens\n";
        pb.collection("users").unbind_custom_token(user_email, user_password, user_token, {}, {});
        pb.collection("_superusers").unbind_custom_token(admin_email, admin_password, admin_token, {}, {});
        pb.auth_store().clear();
        std::cout << "  unbound; the auth store is cleared\n\n";

        std::cout << "5. Try the user's token again\n";
        try {
            pb.collection("users").auth_with_token(user_token);
            std::cout << "  unexpected: the unbound token still signs in\n";
            return 1;
        } catch (const bosbase::ClientResponseError& e) {
            std::cout << "  refused as expected: HTTP " << e.status() << " \"" << e.message() << "\"\n";
        }
        std::cout << "\nDone: custom tokens bind, sign in, and stop working once unbound.\n";
        return 0;
    } catch (const bosbase::ClientResponseError& e) {
        std::cerr << "error: " << e.what() << "\n";
        if (e.status() == 0) {
            std::cerr << "Is a BosBase server running at " << url << "? Try: bash scripts/demo.sh\n";
        }
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
