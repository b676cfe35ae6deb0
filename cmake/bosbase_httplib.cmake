# Finds cpp-httplib and provides the target httplib::httplib.
#
# Order: an existing target (FetchContent, Conan, a parent project), then a
# CMake package (vcpkg, Conan, upstream installs), then Debian's compiled
# library through pkg-config `cpp-httplib`. The pkg-config route keeps the
# library's -DCPPHTTPLIB_* compile flags: Debian's split header changes class
# layout with them, so dropping them would break the ABI against the .so.
# This file is installed next to bosbaseConfig.cmake and used by consumers too.

if(TARGET httplib::httplib)
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
