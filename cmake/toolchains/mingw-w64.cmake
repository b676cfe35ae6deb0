# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix: the
# posix thread model, which std::thread and std::mutex need). scripts/test_windows.sh uses it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(BOSBASE_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${BOSBASE_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${BOSBASE_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${BOSBASE_MINGW_PREFIX}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${BOSBASE_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The programs run under wine with no mingw DLLs beside them: libstdc++, libgcc and
# winpthread linked in.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
