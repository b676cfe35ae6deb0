# Offline check of the vcpkg overlay port (vcpkg itself cannot be fetched here).
#   cmake -DPORT_DIR=<repo>/ports/bosbase -DWORK_DIR=<empty dir> [-DREFERENCE_PREFIX=<cmake --install prefix>]
#         [-DGENERATOR=Ninja] -P tests/packaging/check_vcpkg_port.cmake
#
# 1. vcpkg.json: name, version equal to bosbase.hpp, the dependencies the port needs.
# 2. Runs portfile.cmake with stand-ins for the vcpkg helpers it calls. They do what
#    vcpkg does for this port (configure with the port's options, install into
#    CURRENT_PACKAGES_DIR, move CONFIG_PATH to share/<name> and fix the import
#    prefix, install the copyright) and assert the port's expectations: CONFIG_PATH
#    holds bosbaseConfig.cmake, the header is include/bosbase.hpp, and the raw
#    install is file for file what `cmake --install` produced at REFERENCE_PREFIX.
# 3. The final package tree is exactly what a header-only vcpkg package should hold.
# The caller then builds a find_package(bosbase) consumer with CMAKE_PREFIX_PATH=<WORK_DIR>/packages/bosbase.
# Not covered: vcpkg's own helpers and post-build checks, and vcpkg's cpp-httplib/nlohmann-json ports.

cmake_minimum_required(VERSION 3.16)
if(NOT PORT_DIR OR NOT WORK_DIR)
  message(FATAL_ERROR "usage: cmake -DPORT_DIR=<ports/bosbase> -DWORK_DIR=<dir> [-DREFERENCE_PREFIX=<prefix>] -P check_vcpkg_port.cmake")
endif()
if(NOT GENERATOR)
  set(GENERATOR "Ninja")
endif()

function(fail msg)
  message(FATAL_ERROR "vcpkg port check: ${msg}")
endfunction()

# Files under a directory, relative and sorted.
function(tree_of dir out)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${dir}" "${dir}/*")
  list(SORT files)
  set(${out} "${files}" PARENT_SCOPE)
endfunction()

# --- 1. vcpkg.json -----------------------------------------------------------
file(READ "${PORT_DIR}/vcpkg.json" manifest)
string(JSON port_name GET "${manifest}" name)
string(JSON port_version GET "${manifest}" version)
get_filename_component(source_dir "${PORT_DIR}/../.." ABSOLUTE)
file(STRINGS "${source_dir}/bosbase.hpp" line REGEX "^#define BOSBASE_VERSION \"")
string(REGEX REPLACE "^#define BOSBASE_VERSION \"([^\"]+)\".*" "\\1" header_version "${line}")
get_filename_component(dir_name "${PORT_DIR}" NAME)
if(NOT port_name STREQUAL "bosbase" OR NOT dir_name STREQUAL port_name)
  fail("vcpkg.json name '${port_name}' must be 'bosbase', like its folder '${dir_name}'")
endif()
if(NOT port_version STREQUAL header_version)
  fail("vcpkg.json version '${port_version}' differs from bosbase.hpp '${header_version}'")
endif()
message(STATUS "vcpkg.json: ${port_name} ${port_version} (bosbase.hpp: ${header_version})")

set(deps "")
string(JSON n LENGTH "${manifest}" dependencies)
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON dep GET "${manifest}" dependencies ${i})
  string(JSON type TYPE "${manifest}" dependencies ${i})
  if(type STREQUAL "STRING")
    list(APPEND deps "${dep}")
  else()
    string(JSON name GET "${dep}" name)
    string(JSON host ERROR_VARIABLE no_host GET "${dep}" host)
    string(JSON features ERROR_VARIABLE no_features GET "${dep}" features)
    set(entry "${name}")
    if(host STREQUAL "ON")
      string(APPEND entry ":host")
    endif()
    if(features MATCHES "\"openssl\"")
      string(APPEND entry "[openssl]")
    endif()
    list(APPEND deps "${entry}")
  endif()
endforeach()
list(SORT deps)
set(want_deps "cpp-httplib[openssl];nlohmann-json;vcpkg-cmake-config:host;vcpkg-cmake:host")
list(SORT want_deps)
if(NOT deps STREQUAL want_deps)
  fail("vcpkg.json dependencies are '${deps}', expected '${want_deps}'")
endif()
message(STATUS "vcpkg.json dependencies: ${deps}")

# --- 2. portfile.cmake with stand-ins for the vcpkg helpers ----------------------
set(PORT "${port_name}")
set(VERSION "${port_version}")
set(CURRENT_PACKAGES_DIR "${WORK_DIR}/packages/${PORT}")
set(CURRENT_BUILDTREES_DIR "${WORK_DIR}/buildtrees/${PORT}")
file(REMOVE_RECURSE "${WORK_DIR}/packages" "${WORK_DIR}/buildtrees")
set(called "")

function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG")
  foreach(opt -DBOSBASE_BUILD_TESTS=OFF -DBOSBASE_BUILD_EXAMPLES=OFF -DBOSBASE_BUILD_BENCHMARKS=OFF)
    if(NOT opt IN_LIST arg_OPTIONS)
      fail("vcpkg_cmake_configure must pass ${opt}")
    endif()
  endforeach()
  if(NOT VCPKG_BUILD_TYPE STREQUAL "release")
    fail("a header-only port sets VCPKG_BUILD_TYPE release before configuring")
  endif()
  # vcpkg configures with its install dirs fixed like this.
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${CURRENT_BUILDTREES_DIR}/rel" -G "${GENERATOR}"
            -DCMAKE_BUILD_TYPE=Release "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}"
            -DCMAKE_INSTALL_BINDIR:STRING=bin -DCMAKE_INSTALL_LIBDIR:STRING=lib
            ${arg_OPTIONS} ${arg_OPTIONS_RELEASE}
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("configure failed:\n${out}")
  endif()
  set(called "${called};configure" PARENT_SCOPE)
endfunction()

function(vcpkg_cmake_install)
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${CURRENT_BUILDTREES_DIR}/rel"
                  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("install failed:\n${out}")
  endif()
  set(called "${called};install" PARENT_SCOPE)
endfunction()

function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PACKAGE_NAME;CONFIG_PATH" "")
  set(from "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
  if(NOT EXISTS "${from}/${arg_PACKAGE_NAME}Config.cmake")
    fail("CONFIG_PATH ${arg_CONFIG_PATH} holds no ${arg_PACKAGE_NAME}Config.cmake after install")
  endif()
  if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/include/bosbase.hpp")
    fail("the install has no include/bosbase.hpp")
  endif()
  tree_of("${CURRENT_PACKAGES_DIR}" raw)
  message(STATUS "port install (before fixup):")
  foreach(f IN LISTS raw)
    message(STATUS "  ${f}")
  endforeach()
  if(REFERENCE_PREFIX)
    tree_of("${REFERENCE_PREFIX}" reference)
    # The port is header-only (-DBOSBASE_TYPEGEN=OFF): it leaves out the bosbase-typegen program.
    list(FILTER reference EXCLUDE REGEX "^bin/")
    if(NOT raw STREQUAL reference)
      fail("the port's install differs from `cmake --install` at ${REFERENCE_PREFIX}:\n  port: ${raw}\n  cmake --install: ${reference}")
    endif()
    message(STATUS "same files as `cmake --install` at ${REFERENCE_PREFIX}")
  endif()
  # Like vcpkg: move the package files to share/<name>, re-anchor the targets file's
  # import prefix two levels up, and drop the emptied folders.
  set(to "${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME}")
  file(GLOB files "${from}/*")
  file(MAKE_DIRECTORY "${to}")
  foreach(f IN LISTS files)
    get_filename_component(name "${f}" NAME)
    file(RENAME "${f}" "${to}/${name}")
  endforeach()
  file(REMOVE_RECURSE "${from}")
  file(GLOB targets_files "${to}/*Targets.cmake")
  foreach(f IN LISTS targets_files)
    file(READ "${f}" content)
    string(REGEX REPLACE "get_filename_component\\(_IMPORT_PREFIX \"\\\${CMAKE_CURRENT_LIST_FILE}\" PATH\\)(\nget_filename_component\\(_IMPORT_PREFIX \"\\\${_IMPORT_PREFIX}\" PATH\\))*"
           "get_filename_component(_IMPORT_PREFIX \"\${CMAKE_CURRENT_LIST_FILE}\" PATH)\nget_filename_component(_IMPORT_PREFIX \"\${_IMPORT_PREFIX}\" PATH)\nget_filename_component(_IMPORT_PREFIX \"\${_IMPORT_PREFIX}\" PATH)"
           fixed "${content}")
    string(REGEX MATCHALL "get_filename_component\\(_IMPORT_PREFIX " steps "${fixed}")
    list(LENGTH steps n_steps)
    if(NOT n_steps EQUAL 3)
      fail("could not re-anchor _IMPORT_PREFIX in ${f}")
    endif()
    file(WRITE "${f}" "${fixed}")
  endforeach()
  file(GLOB left "${CURRENT_PACKAGES_DIR}/share/cmake/*")
  if(NOT left)
    file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/cmake")
  endif()
  set(called "${called};config_fixup" PARENT_SCOPE)
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  list(GET arg_FILE_LIST 0 first)
  if(NOT EXISTS "${first}")
    fail("copyright file ${first} does not exist")
  endif()
  file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}/share/${PORT}")
  file(COPY_FILE "${first}" "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright")
  set(called "${called};copyright" PARENT_SCOPE)
endfunction()

function(vcpkg_fixup_pkgconfig)
  fail("vcpkg_fixup_pkgconfig: vcpkg's cpp-httplib has no cpp-httplib.pc, so bosbase.pc cannot be validated there")
endfunction()

include("${PORT_DIR}/portfile.cmake")

foreach(step configure install config_fixup copyright)
  if(NOT step IN_LIST called)
    fail("portfile.cmake never ran the ${step} step")
  endif()
endforeach()

# --- 3. the package as vcpkg would hold it --------------------------------------
tree_of("${CURRENT_PACKAGES_DIR}" final)
set(want
  include/bosbase.hpp
  include/bosbase/bosbase.hpp
  share/bosbase/bosbaseConfig.cmake
  share/bosbase/bosbaseConfigVersion.cmake
  share/bosbase/bosbaseTargets.cmake
  share/bosbase/bosbase_compiled.cmake
  share/bosbase/bosbase_httplib.cmake
  share/bosbase/bosbase_typegen.cmake
  share/bosbase/copyright
  share/bosbase/usage)
list(SORT want)
if(NOT final STREQUAL want)
  fail("the package holds\n  ${final}\nexpected\n  ${want}")
endif()
message(STATUS "vcpkg package tree (${CURRENT_PACKAGES_DIR}):")
foreach(f IN LISTS final)
  message(STATUS "  ${f}")
endforeach()
message(STATUS "vcpkg port check passed")
