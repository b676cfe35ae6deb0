// Loopback server for scripts/bench_files.sh: serves one file from disk in pieces and
// takes multipart uploads, counting the parts' bytes without keeping them. The same server answers
// bosbase-cpp and curl, so only the clients differ.
//
// Usage: files_server <file to serve>   (prints the port, then serves until killed)
#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: files_server <file>\n";
        return 2;
    }
    const std::string path = argv[1];
    std::ifstream probe(path, std::ios::binary | std::ios::ate);
    if (!probe) {
        std::cerr << "files_server: cannot open " << path << "\n";
        return 1;
    }
    const auto size = static_cast<std::size_t>(probe.tellg());

    httplib::Server server;
    server.Get("/api/files/docs/r1/big.bin", [&](const httplib::Request&, httplib::Response& res) {
        auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
        auto buffer = std::make_shared<std::vector<char>>(std::size_t(256) << 10);
        res.set_content_provider(size, "application/octet-stream",
                                 [file, buffer](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                     file->seekg(static_cast<std::streamoff>(offset));
                                     const auto n = std::min(length, buffer->size());
                                     file->read(buffer->data(), static_cast<std::streamsize>(n));
                                     sink.write(buffer->data(), static_cast<std::size_t>(file->gcount()));
                                     return file->gcount() > 0;
                                 });
    });
    server.Post("/api/collections/docs/records",
                [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
                    std::uint64_t received = 0;
                    // cpp-httplib 0.11 reads a multipart body only through the multipart reader.
                    reader([](const auto&) { return true; },
                           [&](const char*, std::size_t n) {
                               received += n;
                               return true;
                           });
                    res.set_content("{\"id\":\"r1\",\"collectionName\":\"docs\",\"received\":" +
                                        std::to_string(received) + "}",
                                    "application/json");
                });
    server.set_payload_max_length(std::size_t(-1));
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) return 1;
    std::cout << port << std::endl;
    server.listen_after_bind();
    return 0;
}
