// The smallest useful program: sign in with a custom token and read your own record.
//   quick_prototype BASE_URL TOKEN
#include <bosbase.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: quick_prototype BASE_URL CUSTOM_TOKEN\n";
        return 2;
    }
    try {
        bosbase::BosBase pb(argv[1]);
        auto auth = pb.collection("users").auth_with_token(argv[2]);
        auto me = pb.collection("users").get_one(auth["record"]["id"].get<std::string>());
        std::cout << me.dump(2) << "\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
