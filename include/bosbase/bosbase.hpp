// bosbase-cpp: a header-only C++17 client SDK for BosBase (a PocketBase fork).
// SPDX-License-Identifier: MIT
//
// The SDK is developed in the parts under include/bosbase/, one concern each; this
// file includes all of them. The single-file headers (bosbase.hpp at the top of the
// repository and single_include/bosbase/bosbase.hpp) are generated from it by
// scripts/amalgamate.py: edit the parts, then regenerate.
//
// Dependencies: nlohmann/json always; cpp-httplib unless BOSBASE_NO_HTTPLIB is
// defined (then only custom transports are available, see README).
#ifndef BOSBASE_HPP
#define BOSBASE_HPP

// The parts, bottom layer first. Each includes what it uses, so this list only fixes
// the order in which they appear in the generated single file. Parts only the definitions
// use (realtime's and pub/sub's connections and threads, the async executor, the WebSocket
// codec, everything that knows cpp-httplib) come with the definitions (X.ipp) that include
// them, after every declaration.
#include "version.hpp"
#include "config.hpp"
#include "cancel.hpp"
#include "transport.hpp"
#include "detail/text.hpp"
#include "errors.hpp"
#include "detail/json_parse.hpp"
#include "detail/base_url.hpp"
#include "detail/request.hpp"
#include "session_store.hpp"
#include "auth_store.hpp"
#include "options.hpp"
#include "filter.hpp"
#include "results.hpp"
#include "multipart.hpp"
#include "stream.hpp"
#include "transfer.hpp"
#include "websocket.hpp"
#include "detail/transport_ops.hpp"
#include "client_core.hpp"
#include "services/common.hpp"
#include "services/transfers.hpp"
#include "services/oauth2_options.hpp"
#include "services/records.hpp"
#include "services/decode.hpp"
#include "services/shapes.hpp"
#include "services/admin.hpp"
#include "services/files.hpp"
#include "services/batch.hpp"
#include "services/vectors.hpp"
#include "services/llm_documents.hpp"
#include "services/langchaingo.hpp"
#include "services/caches.hpp"
#include "services/redis.hpp"
#include "services/graphql.hpp"
#include "services/script_types.hpp"
#include "services/scripts.hpp"
#include "services/script_permissions.hpp"
#include "connection_events.hpp"
#include "realtime/events.hpp"
#include "realtime/registry.hpp"
#include "realtime/service.hpp"
#include "typed.hpp"
#include "services/oauth2.hpp"
#include "pubsub/events.hpp"
#include "pubsub/service.hpp"
#include "client.hpp"

#ifndef BOSBASE_NO_HTTPLIB
// httplib/transport.hpp declares the default transport without cpp-httplib's types; its
// definitions (httplib/transport.ipp) bring in cpp-httplib and the parts that use it:
// platform.hpp, platform_socket.hpp, httplib/compat.hpp, mbedtls.hpp, call.hpp,
// watchdog.hpp, ws_stream.hpp and websocket.hpp.
#include "proxy.hpp"
#include "httplib/transport.hpp"
#include "default_client.hpp"
#endif

#endif  // BOSBASE_HPP
