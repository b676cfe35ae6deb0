# Writes single_include/bosbase/bosbase.hpp from bosbase.hpp, or with -DCHECK=ON
# fails when the committed copy differs from what would be written.
#   cmake -DSRC=bosbase.hpp -DDST=single_include/bosbase/bosbase.hpp [-DCHECK=ON] -P cmake/sync_single_include.cmake
# (-D options must come before -P.)

if(NOT SRC OR NOT DST)
  message(FATAL_ERROR "usage: cmake -DSRC=<bosbase.hpp> -DDST=<output> [-DCHECK=ON] -P sync_single_include.cmake")
endif()

file(READ "${SRC}" content)
string(REGEX MATCH "#define BOSBASE_VERSION \"([^\"]+)\"" _ "${content}")
set(version "${CMAKE_MATCH_1}")
if(NOT version)
  message(FATAL_ERROR "no BOSBASE_VERSION in ${SRC}")
endif()

set(banner "// GENERATED from bosbase.hpp by cmake/sync_single_include.cmake - DO NOT EDIT.
// bosbase-cpp ${version}: header-only C++17 client SDK for BosBase
// SPDX-License-Identifier: MIT
")
set(expected "${banner}${content}")

if(CHECK)
  if(NOT EXISTS "${DST}")
    message(FATAL_ERROR "${DST} is missing; run: cmake --build <build> --target bosbase_single_include")
  endif()
  file(READ "${DST}" actual)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${DST} is stale; regenerate it with: cmake -DSRC=bosbase.hpp -DDST=${DST} -P cmake/sync_single_include.cmake")
  endif()
  message(STATUS "${DST} is up to date (${version})")
else()
  file(WRITE "${DST}" "${expected}")
  message(STATUS "wrote ${DST} (${version})")
endif()
