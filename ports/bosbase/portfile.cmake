# Overlay port that builds the bosbase-cpp checkout it lives in:
#   vcpkg install bosbase --overlay-ports=<bosbase-cpp>/ports
# A registry port would fetch a release instead, with
#   vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO <owner>/bosbase-cpp REF "v${VERSION}" SHA512 ...).
# Keep "version" in vcpkg.json equal to BOSBASE_VERSION in bosbase.hpp
# (tests/packaging/check_versions.cmake fails otherwise).

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(VCPKG_BUILD_TYPE release) # header-only port

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DBOSBASE_BUILD_TESTS=OFF
        -DBOSBASE_BUILD_EXAMPLES=OFF
        -DBOSBASE_BUILD_BENCHMARKS=OFF
        -DBOSBASE_INSTALL=ON
        -DBOSBASE_TYPEGEN=OFF
)

vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME bosbase CONFIG_PATH share/cmake/bosbase)

# bosbase.pc requires cpp-httplib.pc, which vcpkg's cpp-httplib does not install;
# vcpkg users get the CMake package only.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/pkgconfig")

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
