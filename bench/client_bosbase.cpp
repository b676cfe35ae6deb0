// bosbase-cpp as a user writes it: the default client and the public calls, so
// whatever the header does today is what gets measured.
#include <bosbase.hpp>

#include <memory>
#include <string>

#include "client_main.hpp"

int main(int argc, char** argv) {
    return bench_client_main(
        argc, argv, "bosbase-cpp",
        [](const std::string& url) { return std::make_unique<bosbase::BosBase>(url); },
        [](std::unique_ptr<bosbase::BosBase>& pb, bool auth) {
            if (auth) {
                pb->collection("users").auth_with_token(bosbase_bench::app_token);
            } else {
                (void)pb->collection("posts").get_list(1, 30);
            }
        });
}
