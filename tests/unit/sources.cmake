# The unit tests' files, one list for the Linux trees (tests/CMakeLists.txt) and the Windows build
# (tests/windows/CMakeLists.txt). The order makes the unity batches of 4: files that share a
# helper's name are never in one batch.
set(BOSBASE_UNIT_TEST_FILES
  token_methods_test.cpp
  auth_store_test.cpp
  errors_test.cpp
  request_building_test.cpp
  custom_transport_test.cpp
  records_test.cpp
  bad_input_test.cpp
  hardening_test.cpp
  object_model_test.cpp
  records_api_test.cpp
  services_test.cpp
  filter_test.cpp
  files_test.cpp
  readme_snippets_test.cpp
  realtime_test.cpp
  pubsub_test.cpp
  script_ws_test.cpp
  json_parse_test.cpp
  vectors_test.cpp
  llm_documents_test.cpp
  langchaingo_test.cpp
  caches_test.cpp
  data_services_test.cpp
  scripts_test.cpp
  session_store_test.cpp
  auto_refresh_test.cpp
  oauth2_test.cpp
  transfers_test.cpp
  ws_frame_test.cpp
  typegen_test.cpp
  call_shape_test.cpp)
