import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load, save
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"

# Included by CMakeDeps after find_package(bosbase). With Conan-built dependencies
# the targets already exist and this does nothing. With [platform_requires] (for
# example Debian's libcpp-httplib-dev and nlohmann-json3-dev) Conan declares no
# targets for them, so they are found the way bosbaseConfig.cmake finds them,
# keeping the -DCPPHTTPLIB_* flags of Debian's compiled cpp-httplib.
_SYSTEM_DEPS_MODULE = """\
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_package(nlohmann_json 3.9 CONFIG QUIET)
  if(TARGET nlohmann_json::nlohmann_json)
    set_property(TARGET bosbase::bosbase APPEND PROPERTY INTERFACE_LINK_LIBRARIES nlohmann_json::nlohmann_json)
  endif()
endif()
if(NOT TARGET httplib::httplib)
  include("${CMAKE_CURRENT_LIST_DIR}/bosbase_httplib.cmake")
  if(NOT TARGET httplib::httplib)
    message(FATAL_ERROR "bosbase: cpp-httplib is a platform requirement but was not found on this system "
                        "(Debian: apt-get install libcpp-httplib-dev)")
  endif()
  set_property(TARGET bosbase::bosbase APPEND PROPERTY INTERFACE_LINK_LIBRARIES httplib::httplib)
endif()
"""


class BosbaseConan(ConanFile):
    """Conan 2 recipe for the header-only BosBase C++ SDK.

    The version is read from bosbase.hpp, the only place it is defined.
    """

    name = "bosbase"
    description = "Header-only C++17 client SDK for BosBase (a PocketBase fork)"
    license = "MIT"
    topics = ("bosbase", "pocketbase", "http-client", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    exports_sources = ("bosbase.hpp", "single_include/bosbase/bosbase.hpp", "LICENSE", "cmake/bosbase_httplib.cmake",
                       "cmake/bosbase_compiled.cmake")
    no_copy_source = True
    # HTTPS needs cpp-httplib built with OpenSSL (Conan's default is without).
    default_options = {"cpp-httplib/*:with_openssl": True}

    def set_version(self):
        header = load(self, os.path.join(self.recipe_folder, "bosbase.hpp"))
        match = re.search(r'^#define BOSBASE_VERSION "([^"]+)"', header, re.MULTILINE)
        if not match:
            raise ConanInvalidConfiguration("no BOSBASE_VERSION in bosbase.hpp")
        self.version = match.group(1)

    def layout(self):
        basic_layout(self, src_folder=".")

    def requirements(self):
        # The SDK uses only the cpp-httplib client API common to 0.11 (Debian 12) and current releases.
        self.requires("cpp-httplib/[>=0.11 <1]", transitive_headers=True)
        self.requires("nlohmann_json/[>=3.9 <4]", transitive_headers=True)

    def package_id(self):
        self.info.clear()

    def validate(self):
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 17)

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "bosbase.hpp", self.source_folder, os.path.join(self.package_folder, "include"))
        # <bosbase/bosbase.hpp> as well: the generated single_include/ copy, as cmake --install does.
        copy(self, "bosbase.hpp", os.path.join(self.source_folder, "single_include", "bosbase"),
             os.path.join(self.package_folder, "include", "bosbase"))
        cmake_dir = os.path.join(self.package_folder, self._cmake_module_dir)
        copy(self, "bosbase_httplib.cmake", os.path.join(self.source_folder, "cmake"), cmake_dir)
        copy(self, "bosbase_compiled.cmake", os.path.join(self.source_folder, "cmake"), cmake_dir)
        save(self, os.path.join(cmake_dir, "bosbase-system-deps.cmake"), _SYSTEM_DEPS_MODULE)

    @property
    def _cmake_module_dir(self):
        return os.path.join("lib", "cmake", "bosbase")

    def package_info(self):
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.set_property("cmake_file_name", "bosbase")
        self.cpp_info.set_property("cmake_target_name", "bosbase::bosbase")
        self.cpp_info.set_property("pkg_config_name", "bosbase")
        self.cpp_info.requires = ["cpp-httplib::cpp-httplib", "nlohmann_json::nlohmann_json"]
        self.cpp_info.builddirs = [self._cmake_module_dir]
        # bosbase::compiled (cmake/bosbase_compiled.cmake) after the dependencies are in place.
        self.cpp_info.set_property(
            "cmake_build_modules", [os.path.join(self._cmake_module_dir, "bosbase-system-deps.cmake"),
                                    os.path.join(self._cmake_module_dir, "bosbase_compiled.cmake")])
