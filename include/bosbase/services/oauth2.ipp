// bosbase-cpp: definitions of services/oauth2.hpp (record_service::auth_with_oauth2: the OAuth2 sign-in of desktop and command-line apps.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_OAUTH2_IPP
#define BOSBASE_SERVICES_OAUTH2_IPP

#include "oauth2.hpp"

#include <condition_variable>
#include <mutex>

namespace bosbase {
namespace detail {

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

BOSBASE_DECL std::string oauth2_replace_query(std::string_view url,
                                              const std::vector<std::pair<std::string, std::string>>& replacements) {
    const std::size_t q = url.find('?');
    std::string out(url.substr(0, q));
    std::vector<std::pair<std::string, std::string>> params;
    auto set = [&params](std::string key, std::string value) {
        for (auto& p : params) {
            if (p.first == key) {
                p.second = std::move(value);
                return;
            }
        }
        params.emplace_back(std::move(key), std::move(value));
    };
    if (q != std::string_view::npos) {
        std::string_view query = url.substr(q + 1);
        while (!query.empty()) {
            const std::size_t amp = query.find('&');
            const std::string_view part = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (part.empty()) continue;
            const std::size_t eq = part.find('=');
            set(percent_decode(part.substr(0, eq), true),
                eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1), true));
        }
    }
    for (const auto& r : replacements) set(r.first, r.second);
    for (std::size_t i = 0; i < params.size(); ++i) {
        out += i == 0 ? '?' : '&';
        out += encode_uri_component(params[i].first) + "=" + encode_uri_component(params[i].second);
    }
    return out;
}

BOSBASE_DECL std::string oauth2_printable_error(const json& message) {
    auto it = message.find("error");
    if (it == message.end() || !it->is_string()) return {};
    const std::string& text = it->get_ref<const std::string&>();
    const bool plain = text.size() <= 200 && std::all_of(text.begin(), text.end(), [](char c) {
                           return c >= 0x20 && c < 0x7f;
                       });
    return plain ? text : std::string("(an error text that is not short printable ASCII)");
}

BOSBASE_DECL void oauth2_mailbox::notify() {
    { std::lock_guard<std::mutex> lock(mutex); }  // a waiter is either before its check or in wait()
    cv.notify_all();
}

BOSBASE_DECL oauth2_sign_in::oauth2_sign_in(client_core& core, const oauth2_options& oauth2,
                                            const request_options& options)
    : core_(core),
          options_(options),
          end_(clock::now() + options.deadline.value_or(oauth2.default_deadline)),
          limit_(options.deadline.value_or(oauth2.default_deadline)),
          redirect_url_(core.url().origin + core.url().prefix + "/api/oauth2-redirect"),
          box_(std::make_shared<oauth2_mailbox>()) {
    tokens_[0] = options.cancel ? &*options.cancel : nullptr;
    tokens_[1] = current_job_cancel();
    for (int i = 0; i < 2; ++i) {
        if (tokens_[i]) wake_[i] = tokens_[i]->on_cancel([box = box_] { box->notify(); });
    }
}

BOSBASE_DECL request_options oauth2_sign_in::step(request_options o) const {
    check();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - clock::now());
    const auto own = options_.deadline ? left : std::min(left, core_.settings().deadline);
    o.deadline = std::max(std::chrono::milliseconds(1), own);
    o.auto_refresh_threshold.reset();
    return o;
}

BOSBASE_DECL std::string oauth2_sign_in::listen() {
    realtime_core_ = std::make_shared<client_core>(core_);
    realtime_service realtime(realtime_core_);
    realtime.on_disconnect([box = box_](const realtime_disconnect& d) {
        {
            std::lock_guard<std::mutex> lock(box->mutex);
            if (!box->lost) box->lost = d.reason;
        }
        box->cv.notify_all();
    });
    request_options sub;
    sub.cancel = options_.cancel;
    sub.timeout = options_.timeout;
    sub = step(sub);
    subscription_ = realtime.subscribe(
        "@oauth2",
        [box = box_](const realtime_event& e) {
            {
                std::lock_guard<std::mutex> lock(box->mutex);
                if (!box->message) box->message = e.data;
            }
            box->cv.notify_all();
        },
        sub);
    std::string state = realtime.client_id();
    std::lock_guard<std::mutex> lock(box_->mutex);
    if (state.empty() || box_->lost) throw connection_lost(box_->lost.value_or("it closed"));
    return state;
}

BOSBASE_DECL json oauth2_sign_in::wait() {
    std::unique_lock<std::mutex> lock(box_->mutex);
    box_->cv.wait_until(lock, end_, [&] { return box_->message || box_->lost || canceled(); });
    if (box_->message) return *box_->message;  // it came: a later cancel is too late to matter
    if (canceled()) throw aborted();
    if (box_->lost) throw connection_lost(*box_->lost);
    throw timed_out();
}

BOSBASE_DECL void oauth2_sign_in::close() noexcept {
    subscription_.unsubscribe();
    realtime_core_.reset();
}

BOSBASE_DECL void oauth2_sign_in::check() const {
    if (canceled()) throw aborted();
    if (clock::now() >= end_) throw timed_out();
}

BOSBASE_DECL ClientResponseError oauth2_sign_in::failure(const std::string& why,
                                                         const std::vector<std::string_view>& secrets) const {
    return ClientResponseError(redirect_url_, 0, json{{"message", why}}, error_kind::other, why, secrets);
}

BOSBASE_DECL bool oauth2_sign_in::canceled() const {
    return (tokens_[0] && tokens_[0]->is_canceled()) || (tokens_[1] && tokens_[1]->is_canceled());
}

BOSBASE_DECL ClientResponseError oauth2_sign_in::aborted() const {
    return ClientResponseError(redirect_url_, 0, json::object(), error_kind::canceled,
                               "the OAuth2 sign-in was cancelled");
}

BOSBASE_DECL ClientResponseError oauth2_sign_in::timed_out() const {
    return ClientResponseError(redirect_url_, 0, json::object(), error_kind::deadline,
                               "no OAuth2 redirect within the sign-in's deadline (" +
                                   std::to_string(limit_.count()) + " ms)");
}

BOSBASE_DECL ClientResponseError oauth2_sign_in::connection_lost(const std::string& reason) const {
    return ClientResponseError(redirect_url_, 0, json::object(), error_kind::receive,
                               "the realtime connection that waited for the OAuth2 redirect ended (" + reason +
                                   "); its client id was the sign-in's state, so start the sign-in again");
}

}  // namespace detail
}  // namespace bosbase

namespace bosbase {

BOSBASE_DECL auto record_service::auth_with_oauth2(std::string_view provider,
                                                   oauth2_url_callback url_callback,
                                                   const oauth2_options& oauth2) const -> json {
    const request_options& options = oauth2;  // the request's part: deadline, cancel, headers
    if (!core().transport().can_stream()) {
        throw std::logic_error(
            "bosbase: auth_with_oauth2 needs a transport with the streaming call `bosbase::http_response "
            "stream(const bosbase::http_request&, const bosbase::stream_handler&)`: the browser's redirect "
            "comes back over realtime (see README, section 'OAuth2 sign-in')");
    }
    if (provider.empty()) {
        throw std::invalid_argument("bosbase: auth_with_oauth2 needs a provider name (see list_auth_methods())");
    }
    if (!url_callback) {
        throw std::invalid_argument("bosbase: auth_with_oauth2 needs a url_callback that opens the sign-in URL");
    }
    if (oauth2.default_deadline.count() <= 0 || (options.deadline && options.deadline->count() <= 0)) {
        throw std::invalid_argument("bosbase: auth_with_oauth2: the deadline must be positive");
    }
    detail::require_object_body(oauth2.create_data, "OAuth2 create_data");
    detail::oauth2_sign_in flow(core(), oauth2, options);

    request_options lookup;
    lookup.headers = options.headers;
    lookup.cancel = options.cancel;
    lookup.timeout = options.timeout;
    const json methods = list_auth_methods(flow.step(lookup));
    json entry;
    std::string enabled;
    const auto oauth2_methods = methods.find("oauth2");
    if (oauth2_methods != methods.end() && oauth2_methods->is_object()) {
        const auto providers = oauth2_methods->find("providers");
        if (providers != oauth2_methods->end() && providers->is_array()) {
            for (const json& p : *providers) {
                const std::string name = detail::string_field(p, "name");
                if (name == provider && entry.is_null()) entry = p;
                if (!name.empty()) enabled += (enabled.empty() ? "" : ", ") + name;
            }
        }
    }
    if (entry.is_null()) {
        throw flow.failure("the collection '" + collection_ + "' has no OAuth2 provider '" + std::string(provider) +
                               "' (enabled: " + (enabled.empty() ? std::string("none") : enabled) + ")",
                           {});
    }
    const std::string auth_url = detail::string_field(entry, "authURL");
    const std::string code_verifier = detail::string_field(entry, "codeVerifier");
    if (auth_url.empty()) {
        throw detail::invalid_response(core(), base_path_ + "/auth-methods", options, 200,
                                       "The server's OAuth2 provider '" + std::string(provider) + "' has no authURL.");
    }

    const std::string state = flow.listen();
    std::vector<std::pair<std::string, std::string>> replacements{{"state", state}};
    if (!oauth2.scopes.empty()) {
        std::string scope;
        for (const auto& s : oauth2.scopes) scope += (scope.empty() ? "" : " ") + s;
        replacements.emplace_back("scope", std::move(scope));
    }
    url_callback(detail::oauth2_replace_query(auth_url + flow.redirect_url(), replacements));
    flow.check();  // the callback may have taken the whole deadline, or been cancelled meanwhile

    const json message = flow.wait();
    flow.close();
    const std::string code = detail::string_field(message, "code");
    const std::string got_state = detail::string_field(message, "state");
    if (got_state.empty() || got_state != state) {
        throw flow.failure("the OAuth2 redirect's state does not match this sign-in's", {state, got_state, code});
    }
    const std::string provider_error = detail::oauth2_printable_error(message);
    if (!provider_error.empty() || code.empty()) {
        throw flow.failure(provider_error.empty() ? "the OAuth2 redirect carried no code"
                                                  : "the OAuth2 provider refused the sign-in: " + provider_error,
                           {state, code});
    }
    return exchange_oauth2_code(provider, code, code_verifier, flow.redirect_url(), oauth2.create_data,
                                flow.step(options), {code, code_verifier, state});
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_OAUTH2_IPP
