# bosbase_generate_types(TARGET <target> SCHEMA <file.json> [NAMESPACE <ns>] OUTPUT <file.hpp>
#                        [COLLECTIONS <name>...])
#
# Generates OUTPUT (relative: in the current binary folder) from SCHEMA (relative: in the current
# source folder, a file checked into your repository: `bosbase-typegen --dump-schema` writes one)
# with bosbase-typegen at build time, again whenever the schema changes, and lets TARGET include it
# by its file name. The program is the `bosbase-typegen` target of this build when there is one
# (add_subdirectory, FetchContent), else the installed one (find_package), else BOSBASE_TYPEGEN_EXECUTABLE
# or `bosbase-typegen` on the PATH.
function(bosbase_generate_types)
  cmake_parse_arguments(arg "" "TARGET;SCHEMA;NAMESPACE;OUTPUT" "COLLECTIONS" ${ARGN})
  foreach(required IN ITEMS TARGET SCHEMA OUTPUT)
    if(NOT arg_${required})
      message(FATAL_ERROR "bosbase_generate_types: ${required} is missing")
    endif()
  endforeach()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "bosbase_generate_types: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR "bosbase_generate_types: '${arg_TARGET}' is not a target")
  endif()
  if(NOT arg_NAMESPACE)
    set(arg_NAMESPACE bosbase_types)
  endif()
  get_filename_component(schema "${arg_SCHEMA}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(output "${arg_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  get_filename_component(output_dir "${output}" DIRECTORY)

  set(depends "${schema}")
  if(TARGET bosbase-typegen)
    set(tool "$<TARGET_FILE:bosbase-typegen>")
    list(APPEND depends bosbase-typegen)
  elseif(BOSBASE_TYPEGEN_EXECUTABLE)
    set(tool "${BOSBASE_TYPEGEN_EXECUTABLE}")
  else()
    find_program(BOSBASE_TYPEGEN_EXECUTABLE bosbase-typegen)
    if(NOT BOSBASE_TYPEGEN_EXECUTABLE)
      message(FATAL_ERROR "bosbase_generate_types: bosbase-typegen not found (install bosbase-cpp with it, or set "
                          "BOSBASE_TYPEGEN_EXECUTABLE)")
    endif()
    set(tool "${BOSBASE_TYPEGEN_EXECUTABLE}")
  endif()

  set(collections)
  if(arg_COLLECTIONS)
    string(REPLACE ";" "," joined "${arg_COLLECTIONS}")
    set(collections --collections "${joined}")
  endif()
  file(MAKE_DIRECTORY "${output_dir}")
  add_custom_command(OUTPUT "${output}"
    COMMAND "${tool}" --schema "${schema}" --namespace "${arg_NAMESPACE}" ${collections} --out "${output}"
    DEPENDS ${depends}
    COMMENT "bosbase-typegen: ${arg_OUTPUT} from ${arg_SCHEMA}"
    VERBATIM)
  target_sources(${arg_TARGET} PRIVATE "${output}")
  target_include_directories(${arg_TARGET} PRIVATE "${output_dir}")
endfunction()
