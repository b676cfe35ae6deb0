# Fails unless every place that states the bosbase version agrees with bosbase.hpp.
#   cmake -DSOURCE_DIR=<repo> -DPREFIX=<install prefix> [-DPROJECT_VERSION=<x.y.z>]
#         [-DCONAN=<conan executable>] -P tests/packaging/check_versions.cmake
# Checked: bosbase.hpp (BOSBASE_VERSION and MAJOR/MINOR/PATCH), single_include copy,
# the CMake project version (as passed in and as installed in bosbaseConfigVersion.cmake),
# the installed bosbase.pc, ports/bosbase/vcpkg.json and conanfile.py.

if(NOT SOURCE_DIR OR NOT PREFIX)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> -DPREFIX=<install prefix> [-DPROJECT_VERSION=x.y.z] [-DCONAN=conan] -P check_versions.cmake")
endif()

set(failures "")
function(expect what actual)
  if(actual STREQUAL expected)
    message(STATUS "  ok   ${what}: ${actual}")
  else()
    message(STATUS "  FAIL ${what}: '${actual}', but bosbase.hpp says '${expected}'")
    set(failures "${failures};${what}" PARENT_SCOPE)
  endif()
endfunction()

# The source of truth.
file(READ "${SOURCE_DIR}/bosbase.hpp" header)
if(NOT header MATCHES "\n#define BOSBASE_VERSION \"([^\"]+)\"")
  message(FATAL_ERROR "no BOSBASE_VERSION in ${SOURCE_DIR}/bosbase.hpp")
endif()
set(expected "${CMAKE_MATCH_1}")
message(STATUS "bosbase.hpp: BOSBASE_VERSION ${expected}")

set(parts "")
foreach(p MAJOR MINOR PATCH)
  if(NOT header MATCHES "\n#define BOSBASE_VERSION_${p} ([0-9]+)")
    message(FATAL_ERROR "no BOSBASE_VERSION_${p} in bosbase.hpp")
  endif()
  list(APPEND parts "${CMAKE_MATCH_1}")
endforeach()
list(JOIN parts "." joined)
expect("bosbase.hpp BOSBASE_VERSION_MAJOR/MINOR/PATCH" "${joined}")

file(READ "${SOURCE_DIR}/single_include/bosbase/bosbase.hpp" single)
string(REGEX MATCH "\n#define BOSBASE_VERSION \"([^\"]+)\"" _ "${single}")
expect("single_include/bosbase/bosbase.hpp" "${CMAKE_MATCH_1}")

if(DEFINED PROJECT_VERSION)
  expect("CMake project(bosbase VERSION)" "${PROJECT_VERSION}")
endif()

set(config_version "${PREFIX}/share/cmake/bosbase/bosbaseConfigVersion.cmake")
file(STRINGS "${config_version}" line REGEX "^set\\(PACKAGE_VERSION ")
string(REGEX REPLACE "^set\\(PACKAGE_VERSION \"([^\"]*)\"\\).*" "\\1" installed_cmake "${line}")
expect("installed bosbaseConfigVersion.cmake" "${installed_cmake}")

file(STRINGS "${PREFIX}/share/pkgconfig/bosbase.pc" line REGEX "^Version:")
string(REGEX REPLACE "^Version: *" "" pc_version "${line}")
expect("installed bosbase.pc" "${pc_version}")

file(READ "${SOURCE_DIR}/ports/bosbase/vcpkg.json" vcpkg_json)
string(JSON vcpkg_version ERROR_VARIABLE err GET "${vcpkg_json}" version)
expect("ports/bosbase/vcpkg.json" "${vcpkg_version}")

# conanfile.py reads the header in set_version(); a literal version would shadow that.
file(READ "${SOURCE_DIR}/conanfile.py" conanfile)
if(conanfile MATCHES "\n    version = \"([^\"]+)\"")
  expect("conanfile.py literal version" "${CMAKE_MATCH_1}")
elseif(NOT conanfile MATCHES "def set_version" OR NOT conanfile MATCHES "bosbase.hpp")
  message(STATUS "  FAIL conanfile.py: neither a version nor a set_version() that reads bosbase.hpp")
  list(APPEND failures "conanfile.py")
else()
  message(STATUS "  ok   conanfile.py: set_version() reads bosbase.hpp")
endif()
if(CONAN)
  execute_process(COMMAND "${CONAN}" inspect "${SOURCE_DIR}" --format=json
                  OUTPUT_VARIABLE inspect ERROR_VARIABLE inspect_err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "conan inspect failed:\n${inspect_err}")
  endif()
  string(JSON conan_version ERROR_VARIABLE err GET "${inspect}" version)
  expect("conan inspect (conanfile.py set_version)" "${conan_version}")
endif()

list(REMOVE_ITEM failures "")
if(failures)
  list(JOIN failures ", " failures)
  message(FATAL_ERROR "version mismatch in: ${failures}")
endif()
message(STATUS "all versions agree: ${expected}")
