#pragma once
#include <cstddef>

namespace bosbase_bench {
/// Number of global operator new calls so far (alloc_counter.cpp replaces it).
std::size_t allocations();
}  // namespace bosbase_bench
