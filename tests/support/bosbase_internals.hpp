// The SDK's implementation parts the tests reach into (detail:: names, platform macros).
// The test programs link bosbase::compiled, so <bosbase.hpp> gives them declarations only
// (BOSBASE_SEPARATE_COMPILATION): the parts only the definitions use are included here, by
// their paths in the source tree. Their functions are compiled once, in bosbase::compiled.
#ifndef BOSBASE_TEST_INTERNALS_HPP
#define BOSBASE_TEST_INTERNALS_HPP

#include <bosbase.hpp>

#include <bosbase/async.hpp>
#include <bosbase/detail/ws_frame.hpp>
#include <bosbase/detail/ws_handshake.hpp>
#include <bosbase/pubsub/machine.hpp>
#include <bosbase/pubsub/protocol.hpp>
#include <bosbase/pubsub/state.hpp>
#include <bosbase/realtime/connection.hpp>
#include <bosbase/realtime/sse_parser.hpp>
#include <bosbase/realtime/state.hpp>
#include <bosbase/services/script_ws.hpp>

#ifndef BOSBASE_NO_HTTPLIB
#include <bosbase/platform.hpp>
#include <bosbase/platform_socket.hpp>
#include <bosbase/httplib/compat.hpp>
#include <bosbase/httplib/mbedtls.hpp>
#include <bosbase/httplib/call.hpp>
#include <bosbase/httplib/watchdog.hpp>
#include <bosbase/httplib/ws_stream.hpp>
#include <bosbase/httplib/websocket.hpp>
#endif

#endif  // BOSBASE_TEST_INTERNALS_HPP
