# bosbase_unity_batches(<target> SOURCES <files...> SIZES <n>...): a unity build of <target> in the
# batches given, in source order: the first <n> files in one translation unit, the next in another.
# Larger batches instantiate the client's templates fewer times (measured on the unit tests, g++ -O0
# -g1: two batches of 4 files took 25.4 CPU s, the same 8 files in one batch 14.5 s), but files that
# define the same helper (an anonymous-namespace catch_error, error_of) cannot share one, so each
# program's batches are chosen to keep them apart. The test trees and the Windows build both use it.
function(bosbase_unity_batches target)
  cmake_parse_arguments(arg "" "" "SOURCES;SIZES" ${ARGN})
  list(LENGTH arg_SOURCES count)
  set(total 0)
  foreach(size IN LISTS arg_SIZES)
    math(EXPR total "${total} + ${size}")
  endforeach()
  if(NOT total EQUAL count)
    message(FATAL_ERROR "bosbase_unity_batches(${target}): the batches hold ${total} files, the program has ${count}")
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD_MODE GROUP)
  set(index 0)
  set(batch 0)
  foreach(size IN LISTS arg_SIZES)
    math(EXPR last "${index} + ${size} - 1")
    foreach(i RANGE ${index} ${last})
      list(GET arg_SOURCES ${i} source)
      set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES UNITY_GROUP ${target}_${batch})
    endforeach()
    math(EXPR index "${last} + 1")
    math(EXPR batch "${batch} + 1")
  endforeach()
endfunction()
