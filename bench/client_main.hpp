// The part every C++ benchmark client shares: arguments, warm-up, the timed
// phase and the one JSON line the driver (bench/run_bench.py) reads.
//
//   <client> <base url> auth|list <calls> [warmup]
//
// CPU is user + sys of this process over the timed phase only, so start-up and
// connecting stay out of it. The timed loop lives in bench_timed_calls(), which
// is never inlined so callgrind can collect just that function
// (--toggle-collect=*bench_timed_calls*).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "alloc_counter.hpp"

namespace bosbase_bench {

/// The token the canned server accepts; a real app would have it from bind_custom_token.
inline const char* const app_token = "my-app-token";

struct cpu_times {
    double user = 0;
    double sys = 0;
};

inline cpu_times cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
            static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6};
}

// VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a
// client started by the Python driver would report the driver's peak instead.
inline long max_rss_kb() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    }
    std::fclose(f);
    return kb;
}

}  // namespace bosbase_bench

// Functions, not lambdas, so the timed loop has one symbol name in every client;
// the warm-up has its own so that callgrind's toggle leaves it out.
template <class Call>
__attribute__((noinline)) void bench_warmup_calls(Call& call, long calls) {
    for (long i = 0; i < calls; ++i) call();
}
template <class Call>
__attribute__((noinline)) void bench_timed_calls(Call& call, long calls) {
    // The empty asm makes this body differ from the warm-up's, or identical code
    // folding at -O2 merges the two and callgrind counts the warm-up too.
    asm volatile("" ::: "memory");
    for (long i = 0; i < calls; ++i) call();
}

/// Runs the client: `make(url)` builds the client state, `call(state, op)` makes one call.
template <class Make, class Call>
int bench_client_main(int argc, char** argv, const char* name, Make make, Call call) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s <base url> auth|list <calls> [warmup]\n", argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    const std::string op = argv[2];
    const long calls = std::atol(argv[3]);
    const long warmup = argc > 4 ? std::atol(argv[4]) : calls / 10;
    if ((op != "auth" && op != "list") || calls <= 0) {
        std::fprintf(stderr, "%s: op must be auth or list and calls > 0\n", name);
        return 2;
    }
    try {
        auto state = make(url);
        const bool auth = op == "auth";
        auto one = [&] { call(state, auth); };
        bench_warmup_calls(one, warmup);

        const auto allocs_before = bosbase_bench::allocations();
        const auto cpu_before = bosbase_bench::cpu_now();
        const auto wall_before = std::chrono::steady_clock::now();
        bench_timed_calls(one, calls);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
        const auto cpu_after = bosbase_bench::cpu_now();
        const double user = cpu_after.user - cpu_before.user;
        const double sys = cpu_after.sys - cpu_before.sys;
        const auto allocs = bosbase_bench::allocations() - allocs_before;

        std::printf("{\"client\":\"%s\",\"op\":\"%s\",\"calls\":%ld,\"cpu_s\":%.6f,\"user_s\":%.6f,\"sys_s\":%.6f,"
                    "\"wall_s\":%.6f,\"allocs\":%zu,\"maxrss_kb\":%ld}\n",
                    name, op.c_str(), calls, user + sys, user, sys, wall, allocs, bosbase_bench::max_rss_kb());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
}
