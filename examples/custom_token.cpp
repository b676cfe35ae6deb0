// Custom-token sign-in, end to end: bind a token to a user and to a superuser,
// sign in with each token alone, unbind, and show that the token stops working.
//
//   custom_token [BASE_URL]
// Accounts come from the environment (defaults match the dev server):
//   BOSBASE_URL, BOSBASE_USER_EMAIL, BOSBASE_USER_PASSWORD,
//   BOSBASE_ADMIN_EMAIL, BOSBASE_ADMIN_PASSWORD, and for an https:// server whose CA is
//   not in the system's store BOSBASE_CA_FILE (that CA's PEM file)
// Tokens: BOSBASE_USER_TOKEN and BOSBASE_ADMIN_TOKEN if set, otherwise a fresh
// random one each (256 bits from std::random_device). A custom token signs in on its
// own, so a fixed, well-known one bound on a real server would let anyone in; and
// every token this program binds is unbound again before it exits, also when a step
// fails, so a failed run leaves no credential behind.
#include <bosbase.hpp>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <utility>

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : fallback;
}

// 32 bytes from std::random_device, as 64 hex characters.
std::string random_token() {
    std::random_device device;
    std::uniform_int_distribution<unsigned> byte(0, 255);
    static const char hex[] = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 32; ++i) {
        const unsigned b = byte(device);
        token += hex[b >> 4];
        token += hex[b & 0xF];
    }
    return token;
}

// An https:// server whose certificate comes from a CA of its own (a company's, or a test
// run's): BOSBASE_CA_FILE names that CA's PEM file, trusted instead of the system's store.
bosbase::BosBase client_for(const std::string& url) {
    const std::string ca_file = env_or("BOSBASE_CA_FILE", "");
    if (ca_file.empty()) return bosbase::BosBase(url);
    bosbase::httplib_transport_options tls;
    tls.ca_cert_file = ca_file;
    return bosbase::BosBase(url, bosbase::httplib_transport(tls));
}

// Tokens are secrets: show only enough to recognise one.
std::string shorten(const std::string& token, std::size_t shown, const std::string& note = "") {
    return token.substr(0, shown) + "... (" + std::to_string(token.size()) + " chars" + note + ")";
}

// Binds a token on construction and unbinds it in the destructor unless unbind()
// already did, so that an exception between the two cannot leave the token bound.
class token_binding {
public:
    token_binding(bosbase::BosBase& pb, std::string collection, std::string email, std::string password,
                  std::string token)
        : pb_(pb),
          collection_(std::move(collection)),
          email_(std::move(email)),
          password_(std::move(password)),
          token_(std::move(token)) {
        try {
            pb_.collection(collection_).bind_custom_token(email_, password_, token_, {}, {});
        } catch (const bosbase::ClientResponseError& e) {
            // No response: the server may have bound it before the answer was lost, so
            // unbind to be sure. If that gets no answer either, the server is most likely
            // unreachable, and the error below says so; a second message would only confuse.
            if (e.status() == 0) {
                try {
                    unbind();
                } catch (const std::exception&) {
                }
            }
            throw;
        }
    }
    token_binding(const token_binding&) = delete;
    token_binding& operator=(const token_binding&) = delete;

    ~token_binding() {
        if (bound_) unbind_quietly();
    }

    void unbind() {
        pb_.collection(collection_).unbind_custom_token(email_, password_, token_, {}, {});
        bound_ = false;
    }

private:
    // A destructor must not throw: report instead, so the user knows to unbind by hand.
    void unbind_quietly() noexcept {
        try {
            unbind();
            std::cerr << "  (unbound the token of " << email_ << " in '" << collection_ << "' on the way out)\n";
        } catch (const std::exception& e) {
            std::cerr << "warning: could not unbind the token of " << email_ << " in '" << collection_
                      << "'; it still signs in until unbound: " << e.what() << "\n";
        }
    }

    bosbase::BosBase& pb_;
    std::string collection_;
    std::string email_;
    std::string password_;
    std::string token_;
    bool bound_ = true;
};

void sign_in_with(bosbase::BosBase& pb, const std::string& collection, const std::string& token) {
    auto auth = pb.collection(collection).auth_with_token(token, {}, {}, std::nullopt);
    std::cout << "  signed in to '" << collection << "' with the custom token alone\n"
              << "  auth token: " << shorten(auth["token"].get<std::string>(), 12) << "\n"
              << "  record:     " << auth["record"].dump() << "\n"
              << "  auth store holds a valid token: " << std::boolalpha << pb.auth_store().is_valid()
              << ", superuser: " << pb.auth_store().is_superuser() << "\n";
}

std::string describe(const std::string& token, const char* env_name) {
    const bool given = std::getenv(env_name) != nullptr && *std::getenv(env_name) != '\0';
    return shorten(token, 6, given ? std::string(", from ") + env_name : ", random for this run");
}

}  // namespace

int main(int argc, char** argv) {
    const std::string url = argc > 1 ? argv[1] : env_or("BOSBASE_URL", "http://127.0.0.1:8090");
    const std::string user_email = env_or("BOSBASE_USER_EMAIL", "user@example.com");
    const std::string user_password = env_or("BOSBASE_USER_PASSWORD", "user-password");
    const std::string admin_email = env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com");
    const std::string admin_password = env_or("BOSBASE_ADMIN_PASSWORD", "admin-password");
    const std::string user_token = env_or("BOSBASE_USER_TOKEN", random_token());
    const std::string admin_token = env_or("BOSBASE_ADMIN_TOKEN", random_token());

    try {
        bosbase::BosBase pb = client_for(url);
        std::cout << "Server: " << pb.base_url() << "\n\n";

        std::cout << "1. Bind custom tokens (needs each account's email and password; unbound again on any exit)\n";
        token_binding user_binding(pb, "users", user_email, user_password, user_token);
        std::cout << "  bound " << describe(user_token, "BOSBASE_USER_TOKEN") << " to " << user_email
                  << " in 'users'\n";
        token_binding admin_binding(pb, "_superusers", admin_email, admin_password, admin_token);
        std::cout << "  bound " << describe(admin_token, "BOSBASE_ADMIN_TOKEN") << " to " << admin_email
                  << " in '_superusers'\n\n";

        std::cout << "2. Sign in with the user's token\n";
        sign_in_with(pb, "users", user_token);
        std::cout << "\n3. Sign in with the superuser's token\n";
        sign_in_with(pb, "_superusers", admin_token);

        std::cout << "\n4. Unbind both tokens\n";
        user_binding.unbind();
        admin_binding.unbind();
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
