// The stress test's server, in a process of its own so ThreadSanitizer sees only the
// client's threads. Prints "READY <port>", answers like a healthy BosBase (GET
// /__stats reports the accepted connections) and exits when its stdin closes.
#include <fault_server.hpp>

#include <unistd.h>

#include <cstdio>

int main() {
    bosbase_test::fault_server server;
    std::printf("READY %d\n", server.port());
    std::fflush(stdout);
    char buf[256];
    while (::read(0, buf, sizeof buf) > 0) {
    }
    return 0;
}
