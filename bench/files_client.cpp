// bosbase-cpp's side of scripts/bench_files.sh: one download to a path or one upload
// from a path through the default transport, then one line of figures.
//
// Usage: files_client download <base url> <target path>
//        files_client upload   <base url> <file path>
// Prints: <bytes> <seconds> <MiB/s> <peak RSS in KiB>
#include <bosbase.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: files_client download|upload <base url> <path>\n";
        return 2;
    }
    const std::string mode = argv[1];
    bosbase::client_options o;
    o.deadline = std::chrono::minutes(30);
    o.max_request_bytes = ~std::size_t(0);  // the file is streamed from disk, not held
    bosbase::BosBase pb(argv[2], o);
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t bytes = 0;
    try {
        if (mode == "download") {
            bytes = pb.files().download({{"collectionName", "docs"}, {"id", "r1"}}, "big.bin", argv[3]);
        } else if (mode == "upload") {
            const auto reply = pb.collection("docs").create_with_files(
                nullptr, {{"doc", bosbase::file_part::from_path(argv[3])}});
            bytes = reply.at("received").get<std::uint64_t>();
        } else {
            std::cerr << "files_client: unknown mode " << mode << "\n";
            return 2;
        }
    } catch (const std::exception& e) {
        std::cerr << "files_client: " << e.what() << "\n";
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf("%llu %.3f %.1f %ld\n", static_cast<unsigned long long>(bytes), seconds,
                static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds, usage.ru_maxrss);
    return 0;
}
