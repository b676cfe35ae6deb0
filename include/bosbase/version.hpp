// bosbase-cpp: the SDK's version, the only place it is written (CMake reads it here).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_VERSION_HPP
#define BOSBASE_VERSION_HPP

#define BOSBASE_VERSION_MAJOR 0
#define BOSBASE_VERSION_MINOR 1
#define BOSBASE_VERSION_PATCH 0
#define BOSBASE_VERSION "0.1.0"

#endif  // BOSBASE_VERSION_HPP
