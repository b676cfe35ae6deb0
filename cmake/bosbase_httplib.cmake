# Finds cpp-httplib and provides the target httplib::httplib.
#
# Order: an existing target (FetchContent, Conan, a parent project), then a
# CMake package (vcpkg, Conan, upstream installs), then Debian's compiled
# library through pkg-config `cpp-httplib`. The pkg-config route keeps the
# library's -DCPPHTTPLIB_* compile flags: Debian's split header changes class
# layout with them, so dropping them would break the ABI against the .so.
# This file is installed next to bosbaseConfig.cmake and used by consumers too.
#
# BOSBASE_HTTPLIB_HEADER_DIR, when set, comes first: a directory holding the
# header-only httplib.h of another release (CI's `httplib-current` preset puts
# cpp-httplib 0.41.0 there with scripts/fetch_httplib_current.sh).

if(TARGET httplib::httplib)
  return()
endif()

set(BOSBASE_HTTPLIB_HEADER_DIR "" CACHE PATH
    "Directory with a header-only httplib.h to use instead of an installed cpp-httplib")
if(BOSBASE_HTTPLIB_HEADER_DIR)
  if(NOT EXISTS "${BOSBASE_HTTPLIB_HEADER_DIR}/httplib.h")
    message(FATAL_ERROR "bosbase: BOSBASE_HTTPLIB_HEADER_DIR=${BOSBASE_HTTPLIB_HEADER_DIR} has no httplib.h "
                        "(for the httplib-current preset run scripts/fetch_httplib_current.sh)")
  endif()
  find_package(OpenSSL 3 REQUIRED)  # current cpp-httplib needs OpenSSL 3
  find_package(ZLIB REQUIRED)
  find_package(Threads REQUIRED)
  add_library(httplib::httplib INTERFACE IMPORTED)
  # SYSTEM: the library's own warnings must not trip our -Werror.
  set_target_properties(httplib::httplib PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${BOSBASE_HTTPLIB_HEADER_DIR}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${BOSBASE_HTTPLIB_HEADER_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "CPPHTTPLIB_OPENSSL_SUPPORT;CPPHTTPLIB_ZLIB_SUPPORT"
    INTERFACE_LINK_LIBRARIES "OpenSSL::SSL;OpenSSL::Crypto;ZLIB::ZLIB;Threads::Threads")
  file(STRINGS "${BOSBASE_HTTPLIB_HEADER_DIR}/httplib.h" _bosbase_httplib_version REGEX "#define CPPHTTPLIB_VERSION ")
  message(STATUS "bosbase: cpp-httplib header from ${BOSBASE_HTTPLIB_HEADER_DIR}: ${_bosbase_httplib_version}")
  return()
endif()

find_package(httplib CONFIG QUIET)
if(TARGET httplib::httplib)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(BOSBASE_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
if(NOT BOSBASE_HTTPLIB_FOUND)
  return()
endif()

add_library(httplib::httplib INTERFACE IMPORTED)
set_property(TARGET httplib::httplib PROPERTY INTERFACE_LINK_LIBRARIES PkgConfig::BOSBASE_HTTPLIB)

# The .pc lists OpenSSL only in Requires.private, which a shared link does not
# pull in; header code compiled with the flag still calls OpenSSL directly.
if("-DCPPHTTPLIB_OPENSSL_SUPPORT" IN_LIST BOSBASE_HTTPLIB_CFLAGS_OTHER)
  find_package(OpenSSL QUIET)
  if(OPENSSL_FOUND)
    set_property(TARGET httplib::httplib APPEND PROPERTY INTERFACE_LINK_LIBRARIES OpenSSL::SSL OpenSSL::Crypto)
  endif()
endif()
find_package(Threads QUIET)
if(Threads_FOUND)
  set_property(TARGET httplib::httplib APPEND PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
