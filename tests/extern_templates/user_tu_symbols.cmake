# Fails when the split-mode user TU defines (rather than only calls) any function
# of the client templates or of the default transport, other than destructors.
# cmake -DNM=<nm> -DOBJECT=<user_tu.o> -P user_tu_symbols.cmake
execute_process(COMMAND ${NM} -C --defined-only ${OBJECT} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${OBJECT}")
endif()
string(REPLACE "\n" ";" lines "${symbols}")
set(compiled "")
foreach(line IN LISTS lines)
  if(line MATCHES "bosbase::(record_service|basic_bosbase|detail::client_core|detail::service_base|httplib_transport|detail::parse_json|detail::depth_limited_builder|detail::httplib_watchdog)"
     AND NOT line MATCHES "::~")
    list(APPEND compiled "${line}")
  endif()
endforeach()
list(LENGTH compiled count)
if(count GREATER 0)
  list(JOIN compiled "\n" shown)
  message(FATAL_ERROR "the split-mode user TU compiled ${count} client functions itself:\n${shown}")
endif()
message(STATUS "the split-mode user TU only calls the client")
