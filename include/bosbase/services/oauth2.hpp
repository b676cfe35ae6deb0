// bosbase-cpp: record_service::auth_with_oauth2: the OAuth2 sign-in of desktop and command-line apps.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_OAUTH2_HPP
#define BOSBASE_SERVICES_OAUTH2_HPP

#include "oauth2_options.hpp"
#include "records.hpp"
#include "../cancel.hpp"
#include "../realtime/service.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

namespace detail {

/// The JS SDK's _replaceQueryParams: the query is decoded, each key in `replacements`
/// replaces its value in place (or is appended), and every key and value is encoded
/// again as encodeURIComponent does. The server's authURL ends in "redirect_uri=", so
/// the redirect URL appended to it is encoded here.
BOSBASE_DECL std::string oauth2_replace_query(std::string_view url,
                                        const std::vector<std::pair<std::string, std::string>>& replacements);

/// A provider's `error` is text from the browser's redirect: shown only when it is a
/// short printable ASCII word list (RFC 6749 error codes are), so it cannot smuggle
/// anything into logs.
BOSBASE_DECL std::string oauth2_printable_error(const json& message);

/// What the realtime thread hands the waiting caller: the @oauth2 message or the loss
/// of the connection whose client id went out as the state.
struct oauth2_mailbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<json> message;
    std::optional<std::string> lost;  // why the connection ended (never a secret)

    void notify();
};

/// One sign-in: its deadline and cancel tokens, and a realtime connection of its own.
/// Like the JS SDK's one-off RealtimeService, the connection belongs to this call alone:
/// the state handed to the browser is its client id, so no reconnect of the app's own
/// realtime (after a token change, say) can invalidate it, and the app's on_disconnect
/// stays the app's. The connection is a guest's: @oauth2 needs no identity.
class oauth2_sign_in {
    using clock = std::chrono::steady_clock;

public:
    oauth2_sign_in(client_core& core, const oauth2_options& oauth2, const request_options& options);

    oauth2_sign_in(const oauth2_sign_in&) = delete;
    oauth2_sign_in& operator=(const oauth2_sign_in&) = delete;

    // The subscription goes first, then the connection's core (which joins its thread).
    ~oauth2_sign_in() { close(); }

    const std::string& redirect_url() const noexcept { return redirect_url_; }

    /// The caller's options for one request of the flow, within what is left of the whole.
    request_options step(request_options o) const;

    /// Subscribes to @oauth2 on a new connection; returns its client id, the state.
    std::string listen();

    /// Waits for the redirect's message; ends it on a cancel, the deadline or a lost connection.
    json wait();

    /// Ends the subscription and the connection.
    void close() noexcept;

    void check() const;

    ClientResponseError failure(const std::string& why, const std::vector<std::string_view>& secrets) const;

private:
    bool canceled() const;

    ClientResponseError aborted() const;

    ClientResponseError timed_out() const;

    ClientResponseError connection_lost(const std::string& reason) const;

    client_core& core_;
    const request_options& options_;
    const clock::time_point end_;
    const std::chrono::milliseconds limit_;
    const std::string redirect_url_;
    std::shared_ptr<oauth2_mailbox> box_;
    const cancel_token* tokens_[2] = {nullptr, nullptr};
    cancel_token::registration wake_[2];
    std::shared_ptr<client_core> realtime_core_;
    subscription subscription_;
};

}  // namespace detail


}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "oauth2.ipp"
#endif

#endif  // BOSBASE_SERVICES_OAUTH2_HPP
