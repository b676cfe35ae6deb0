// Must NOT compile: the CTest test expects the static_assert message of basic_bosbase.
#include <bosbase.hpp>

struct not_a_transport {
    int send(int) { return 0; }
};

int main() {
    bosbase::basic_bosbase<not_a_transport> pb("http://127.0.0.1:8090");
    (void)pb;
}
