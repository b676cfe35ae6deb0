// Feeds bytes through a zlib deflate stream and appends what comes out: the one
// loop the test servers use to build gzip bodies and bombs.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>

namespace bosbase_test {

inline void deflate_pump(z_stream& z, const char* data, std::size_t size, int flush, std::string& out) {
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(size);
    do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        deflate(&z, flush);
        out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
}

}  // namespace bosbase_test
