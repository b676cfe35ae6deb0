// auth_with_oauth2 against a fuzzed server: the auth-methods answer, the realtime stream
// of the sign-in's own connection (PB_CONNECT and the answer to its subscription POST),
// the @oauth2 messages the browser's redirect produces, and the code exchange's answer.
//
// Input: [flags][methods mode]... [connect mode]... [junk s8][post status u16]
//        [push count % 4]([event][state][code][error][shape]...)* [exchange status u16][exchange mode]...
//   flags bit 0: the auth store holds a token before   bit 1: the url_callback cancels the call
//         bit 2: oauth2_options::scopes set            bit 3: the stream fails after the pushes
//                                                             (else the server closes it)
//   methods mode % 4: 0 a provider "oidc" with [authURL mode % 3: proper, s8, not a string]
//     [verifier mode % 3: proper, s8, absent]; 1 [status u16 % 1000][body s16];
//     2 [count % 4]([name s8][authURL s8])*; 3 a transport failure [kind % 12]
//   connect mode % 6: PB_CONNECT's data {"clientId": 0 proper, 1 "Cid-" + s8, 2 s8, 5 a number}
//     3 none (then the event's `id:` [s8] is the id), 4 [s8] that is not JSON
//   junk: SSE bytes before PB_CONNECT, without '@' and "PB_CONNECT" (so it only adds noise);
//   post status: the answer to POST /api/realtime (0 means 204)
//   a push is an SSE event sent once the url_callback ran: [event % 2: @oauth2, another]
//     [state % 4: the URL's state, s8 + "x" (another), absent, a number]
//     [code % 4: proper, "Code-" + s8, "", a number] [error % 4: absent, "access_denied", s8, a number]
//     [shape % 4: the object, nested [depth] levels deeper, padded with [u16] * 4 bytes,
//      s8 that replaces it (no CR or LF)]
//   exchange mode % 3: 0 a session, 1 [body s16], 2 an error that echoes code, state and verifier
//
// Contract: only ClientResponseError escapes (the provider name and callback are valid).
// The state in the URL handed to the app is the client id of the connection's accepted
// subscription; that connection's subscription POST carries no Authorization. The code is
// exchanged (at most once) only when the first @oauth2 message's state is that state, it
// has a non-empty code and no provider error (a non-empty string `error`), and then with that
// code, the provider's codeVerifier and the redirect URL; without a cancel, such a message
// is always exchanged. Once the URL was handed over, no failure shows the state or the code
// (and none of the exchange the verifier or the stored token) in what(), url(),
// original_error() or response().dump().
// The auth store changes only when the call succeeds, and then holds the session returned.
#include "fuzz_support.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace {

using bosbase::json;
using bosbase_fuzz::fail;

constexpr const char* origin = "http://127.0.0.1:8090";
constexpr const char* redirect_url = "http://127.0.0.1:8090/api/oauth2-redirect";
constexpr const char* proper_client_id = "Cid-4fQz9Lw2Xb";
constexpr const char* proper_code = "Code-8xJw3RtQ";
constexpr const char* proper_verifier = "Vf-2kPq8sZ0vM";
constexpr const char* proper_auth_url =
    "https://idp.example/authorize?client_id=cid&response_type=code&state=SERVERSTATE&redirect_uri=";
// {"type":"auth","id":"r1","collectionId":"_pb_users_auth_","refreshable":false,"exp":4102444800}
constexpr const char* stored_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0eXBlIjoiYXV0aCIsImlkIjoicjEiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJyZWZyZXNoYWJsZSI6ZmFsc2UsImV4"
    "cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";
// The same claims for r2: what a successful exchange hands back.
constexpr const char* new_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0eXBlIjoiYXV0aCIsImlkIjoicjIiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJyZWZyZXNoYWJsZSI6ZmFsc2UsImV4"
    "cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";
constexpr std::size_t max_json_depth = 32;

// Fuzzed text may not be UTF-8: replaced, as a server's JSON encoder would.
std::string dumped(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string no_line_ends(std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }), s.end());
    return s;
}

// The server's side of the sign-in, shared by the client's transport and the copy the
// sign-in's realtime connection makes of it.
struct world {
    std::mutex m;
    std::condition_variable cv;
    int post_status = 204;
    std::string first_chunk;               // junk, then PB_CONNECT
    std::vector<std::string> pushes;       // sent once released
    bool fail_after_pushes = false;
    bool released = false;                 // the url_callback ran
    bool stop = false;                     // the connection's cancel
    int streams = 0;
    std::vector<std::string> accepted_ids;  // clientIds of subscription POSTs answered 2xx
    bool realtime_authorized = false;       // a subscription POST carried Authorization
    std::vector<json> exchanges;            // bodies of POST .../auth-with-oauth2
};

struct oauth2_transport : bosbase_fuzz::scripted_transport {
    std::shared_ptr<world> w = std::make_shared<world>();

    bosbase::http_response send(const bosbase::http_request& req) {
        if (req.target == "/api/realtime") {  // from the realtime thread: not through the script
            BOSBASE_FUZZ_CHECK(req.origin == origin && req.method == "POST");
            const json body = json::parse(req.body, nullptr, false);
            std::lock_guard<std::mutex> lock(w->m);
            for (const auto& h : req.headers) {
                if (bosbase::detail::ascii_iequal(h.first, "Authorization")) w->realtime_authorized = true;
            }
            if (w->post_status >= 200 && w->post_status <= 299 && body.is_object() && body.contains("clientId") &&
                body["clientId"].is_string()) {
                w->accepted_ids.push_back(body["clientId"].get<std::string>());
            }
            return {w->post_status, {}, {}};
        }
        if (req.target.find("/auth-with-oauth2") != std::string::npos) {
            std::lock_guard<std::mutex> lock(w->m);
            w->exchanges.push_back(json::parse(req.body, nullptr, false));
        }
        return scripted_transport::send(req);
    }

    bosbase::http_response stream(const bosbase::http_request& req, const bosbase::stream_handler& on_data) {
        auto st = w;
        std::string first;
        {
            std::lock_guard<std::mutex> lock(st->m);
            // Only the first connection is served: a reconnect would carry another client id.
            if (++st->streams > 1) throw bosbase::transport_error(bosbase::error_kind::connect, "refused (fuzz)");
            first = st->first_chunk;
        }
        if (!on_data(first)) return {200, {}, {}};
        {
            std::lock_guard<std::mutex> lock(st->m);
            // No subscription accepted: nothing will release the stream, so the server ends it.
            if (st->accepted_ids.empty()) return {200, {}, {}};
        }
        bosbase::cancel_token::registration stopper;
        if (req.cancel) {
            stopper = req.cancel->on_cancel([st] {
                std::lock_guard<std::mutex> lock(st->m);
                st->stop = true;
                st->cv.notify_all();
            });
        }
        std::vector<std::string> pushes;
        {
            std::unique_lock<std::mutex> lock(st->m);
            // A bound, not a synchronisation: every flow releases or cancels the stream at once.
            if (!st->cv.wait_for(lock, std::chrono::seconds(20), [&] { return st->released || st->stop; })) {
                fail("the sign-in neither released nor closed its realtime connection");
            }
            if (st->stop) throw bosbase::transport_error(bosbase::error_kind::canceled, "stream cancelled (fuzz)");
            pushes = st->pushes;
        }
        for (const auto& chunk : pushes) {
            if (!on_data(chunk)) return {200, {}, {}};
        }
        if (st->fail_after_pushes) throw bosbase::transport_error(bosbase::error_kind::receive, "reset (fuzz)");
        return {200, {}, {}};
    }

    void release() {
        std::lock_guard<std::mutex> lock(w->m);
        w->released = true;
        w->cv.notify_all();
    }
};
static_assert(bosbase::is_streaming_transport_v<oauth2_transport>, "auth_with_oauth2 needs a stream");

using client = bosbase::basic_bosbase<oauth2_transport>;

// The value of `key` in the URL's query, decoded ("" when absent).
std::string query_value(const std::string& url, const std::string& key) {
    const auto q = url.find('?');
    if (q == std::string::npos) return {};
    std::size_t pos = q + 1;
    while (pos <= url.size()) {
        auto amp = url.find('&', pos);
        if (amp == std::string::npos) amp = url.size();
        const std::string part = url.substr(pos, amp - pos);
        const auto eq = part.find('=');
        if (bosbase::detail::percent_decode(part.substr(0, eq), true) == key) {
            return bosbase::detail::percent_decode(eq == std::string::npos ? "" : part.substr(eq + 1), true);
        }
        pos = amp + 1;
    }
    return {};
}

// One pushed event: its bytes, and its data as the listener gets it when it is @oauth2.
struct push {
    bool oauth2 = false;
    std::string data;  // one line
};

// Built once the state is known (in the url_callback).
struct push_plan {
    int event = 0, state = 0, code = 0, error = 0, shape = 0;
    std::string wrong_state, code_tail, error_text, raw;
    int depth = 0;
    std::size_t padding = 0;

    push make(const std::string& url_state) const {
        json body = json::object();
        if (state == 0) body["state"] = url_state;
        if (state == 1) body["state"] = wrong_state + "x";
        if (state == 3) body["state"] = 7;
        if (code == 0) body["code"] = proper_code;
        if (code == 1) body["code"] = "Code-" + code_tail;
        if (code == 2) body["code"] = "";
        if (code == 3) body["code"] = 8;
        if (error == 1) body["error"] = "access_denied";
        if (error == 2) body["error"] = error_text;
        if (error == 3) body["error"] = 9;
        if (shape == 2) body["padding"] = std::string(padding, 'p');
        std::string text = dumped(body);
        if (shape == 1) {
            text.pop_back();
            text += ",\"deep\":" + std::string(static_cast<std::size_t>(depth), '[') +
                    std::string(static_cast<std::size_t>(depth), ']') + "}";
        }
        if (shape == 3) text = no_line_ends(raw);
        return {event == 0, text};
    }
};

// What the listener gets from an event's data: JSON within max_json_depth, else {}.
json as_listener_sees(std::string text) {
    if (!text.empty() && text.front() == ' ') text.erase(0, 1);  // SSE drops one space after "data:"
    auto parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || bosbase_fuzz::json_depth(parsed) > max_json_depth) return json::object();
    return parsed;
}

std::string string_or_empty(const json& object, const char* key) { return bosbase::detail::string_field(object, key); }

void check_secrets(const bosbase::ClientResponseError& e, const std::vector<std::string>& secrets) {
    std::string text;
    try {
        text = e.response().dump();
    } catch (const std::exception& x) {
        fail("response().dump() threw", std::string(typeid(x).name()) + ": " + x.what());
    }
    for (const auto& secret : secrets) {
        // Shorter ones are not scrubbed by design (detail::min_scrubbed_length).
        if (secret.size() < bosbase::detail::min_scrubbed_length) continue;
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.what(), secret), std::string("secret in what(): ") + e.what());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.url(), secret), "secret in url(): " + e.url());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.original_error(), secret),
                               "secret in original_error(): " + e.original_error());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(text, secret), "secret in response(): " + text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::uint8_t flags = in.byte();
        oauth2_transport transport;
        transport.s->expected_origin = origin;
        world& w = *transport.w;

        // The auth-methods answer.
        std::string verifier;  // what the provider entry's codeVerifier is, as the SDK reads it
        bosbase_fuzz::scripted_step methods;
        switch (in.byte() % 4) {
        case 0: {
            json provider = {{"name", "oidc"}};
            const int url_mode = in.byte() % 3;
            if (url_mode == 0) provider["authURL"] = proper_auth_url;
            if (url_mode == 1) provider["authURL"] = in.str();
            if (url_mode == 2) provider["authURL"] = json::array();
            const int verifier_mode = in.byte() % 3;
            if (verifier_mode == 0) provider["codeVerifier"] = proper_verifier;
            if (verifier_mode == 1) provider["codeVerifier"] = in.str();
            json answer = {{"oauth2", {{"enabled", true}, {"providers", json::array({provider})}}}};
            methods.response = {200, {}, dumped(answer)};
            break;
        }
        case 1:
            methods.response.status = in.u16() % 1000;
            methods.response.body = in.str16();
            break;
        case 2: {
            json providers = json::array();
            for (int n = in.byte() % 4; n > 0; --n) {
                const std::string name = in.str();
                providers.push_back({{"name", name}, {"authURL", in.str()}});
            }
            methods.response = {200, {}, dumped({{"oauth2", {{"providers", providers}}}})};
            break;
        }
        default:
            methods.action = bosbase_fuzz::scripted_step::what::transport_error;
            methods.kind = static_cast<bosbase::error_kind>(in.byte() % 12);
            methods.message = "methods failed (fuzz)";
            break;
        }
        transport.s->script.push_back(methods);

        // The realtime stream up to PB_CONNECT, and the answer to the subscription POST.
        std::string connect = "event:PB_CONNECT\n";
        switch (in.byte() % 6) {
        case 0: connect += "data:" + dumped({{"clientId", proper_client_id}}) + "\n\n"; break;
        case 1: connect += "data:" + dumped({{"clientId", "Cid-" + in.str()}}) + "\n\n"; break;
        case 2: connect += "data:" + dumped({{"clientId", in.str()}}) + "\n\n"; break;
        case 3: connect = "id:" + no_line_ends(in.str()) + "\n" + connect + "data:{}\n\n"; break;
        case 4: connect += "data:" + no_line_ends(in.str()) + "\n\n"; break;
        default: connect += "data:{\"clientId\":5}\n\n"; break;
        }
        std::string junk = in.str();
        std::replace(junk.begin(), junk.end(), '@', '#');
        for (auto at = junk.find("PB_CONNECT"); at != std::string::npos; at = junk.find("PB_CONNECT")) junk[at] = 'Q';
        // The junk ends in a blank line, so that PB_CONNECT starts an event of its own.
        w.first_chunk = junk + "\n\n" + connect;
        const int post_status = in.u16() % 1000;
        w.post_status = post_status == 0 ? 204 : post_status;
        w.fail_after_pushes = flags & 0x08;

        std::vector<push_plan> plans(in.byte() % 4);
        for (auto& p : plans) {
            p.event = in.byte() % 2;
            p.state = in.byte() % 4;
            if (p.state == 1) p.wrong_state = in.str();
            p.code = in.byte() % 4;
            if (p.code == 1) p.code_tail = in.str();
            p.error = in.byte() % 4;
            if (p.error == 2) p.error_text = in.str();
            p.shape = in.byte() % 4;
            if (p.shape == 1) p.depth = in.byte() % 64;
            if (p.shape == 2) p.padding = std::size_t(in.u16()) * 4;
            if (p.shape == 3) p.raw = in.str();
        }

        bosbase_fuzz::scripted_step exchange;
        exchange.response.status = in.u16() % 1000;
        switch (in.byte() % 3) {
        case 0:
            exchange.response.body =
                json{{"token", new_token}, {"record", {{"id", "r2"}, {"collectionId", "_pb_users_auth_"},
                                                       {"collectionName", "users"}}}}.dump();
            break;
        case 1: exchange.response.body = in.str16(); break;
        default: break;  // filled in once the state is known
        }
        const bool echo_exchange = exchange.response.body.empty();

        bosbase::client_options options;
        options.max_json_depth = max_json_depth;
        client pb(origin, transport, options);
        if (flags & 0x01) pb.auth_store().save(stored_token, {{"id", "r1"}, {"collectionName", "users"}});
        const std::string token_before = pb.auth_store().token();
        const json record_before = pb.auth_store().record();

        bosbase::oauth2_options oauth2;
        if (flags & 0x04) oauth2.scopes = {"openid", "email"};
        bosbase::request_options call;
        call.deadline = std::chrono::milliseconds(3000);  // a bound: no input waits for it
        bosbase::cancel_token token;
        call.cancel = token;

        bool handed_over = false;
        std::string url_state;
        std::optional<json> first_message;  // the first @oauth2 message, as the listener gets it
        auto on_url = [&](const std::string& url) {
            BOSBASE_FUZZ_CHECK_MSG(!handed_over, "the url_callback ran twice");
            handed_over = true;
            url_state = query_value(url, "state");
            {
                std::lock_guard<std::mutex> lock(w.m);
                BOSBASE_FUZZ_CHECK_MSG(!w.accepted_ids.empty() && w.accepted_ids.back() == url_state,
                                       "the URL's state is not the client id of the accepted subscription");
                for (const auto& p : plans) {
                    const push made = p.make(url_state);
                    w.pushes.push_back("id:e\nevent:" + std::string(made.oauth2 ? "@oauth2" : "other") + "\ndata:" +
                                       made.data + "\n\n");
                    if (made.oauth2 && !first_message) first_message = as_listener_sees(made.data);
                }
            }
            if (echo_exchange) {
                // A server that repeats everything it knows in its error.
                const std::string code = string_or_empty(first_message.value_or(json()), "code");
                transport.s->script.back().response.body =
                    dumped({{"message", "Failed: " + code + " " + url_state + " " + verifier},
                            {"data", {{"code", code}, {"state", url_state}, {"codeVerifier", verifier}}}});
            }
            if (flags & 0x02) token.cancel();
            transport.release();
        };
        transport.s->script.push_back(exchange);

        // What the SDK reads as the provider's codeVerifier.
        {
            const json answer = json::parse(methods.response.body, nullptr, false);
            if (answer.is_object() && answer.contains("oauth2") && answer["oauth2"].is_object()) {
                const json& list = answer["oauth2"].value("providers", json::array());
                if (list.is_array()) {
                    for (const auto& p : list) {
                        if (string_or_empty(p, "name") == "oidc") {
                            verifier = string_or_empty(p, "codeVerifier");
                            break;
                        }
                    }
                }
            }
        }

        std::optional<json> result;
        std::optional<bosbase::ClientResponseError> failure;
        try {
            result = pb.collection("users").auth_with_oauth2("oidc", on_url, oauth2, call);
        } catch (const bosbase::ClientResponseError& e) {
            failure = e;
        }

        std::lock_guard<std::mutex> lock(w.m);
        BOSBASE_FUZZ_CHECK_MSG(!w.realtime_authorized, "the sign-in's realtime connection is not a guest's");
        BOSBASE_FUZZ_CHECK_MSG(w.exchanges.size() <= 1, "the code was exchanged twice");
        const json msg = first_message.value_or(json());
        const std::string msg_state = string_or_empty(msg, "state");
        const std::string msg_code = string_or_empty(msg, "code");
        const bool provider_error = !string_or_empty(msg, "error").empty();
        const bool exchangeable = handed_over && !msg_state.empty() && msg_state == url_state && !msg_code.empty() &&
                                  !provider_error;
        if (!w.exchanges.empty()) {
            const json& sent = w.exchanges.front();
            BOSBASE_FUZZ_CHECK_MSG(exchangeable, "a code was exchanged from a message that does not allow it: " +
                                                     dumped(msg));
            BOSBASE_FUZZ_CHECK(sent.is_object());
            BOSBASE_FUZZ_CHECK_MSG(sent.value("code", json()) == msg_code, "another code was exchanged");
            BOSBASE_FUZZ_CHECK(sent.value("provider", json()) == "oidc");
            BOSBASE_FUZZ_CHECK_MSG(sent.value("codeVerifier", json()) == verifier, "another codeVerifier was sent");
            BOSBASE_FUZZ_CHECK(sent.value("redirectURL", json()) == redirect_url);
        } else if (exchangeable && !(flags & 0x02)) {
            BOSBASE_FUZZ_CHECK_MSG(failure && failure->error_kind() == bosbase::error_kind::deadline,
                                   "a message that allows the exchange was not exchanged: " +
                                       std::string(failure ? failure->what() : "the call succeeded"));
        }

        if (result) {
            BOSBASE_FUZZ_CHECK_MSG(w.exchanges.size() == 1, "a sign-in succeeded without an exchange");
            BOSBASE_FUZZ_CHECK(exchange.response.status >= 200 && exchange.response.status <= 299);
            BOSBASE_FUZZ_CHECK(result->is_object() && result->contains("token") && (*result)["token"].is_string());
            BOSBASE_FUZZ_CHECK_MSG(pb.auth_store().token() == (*result)["token"].get<std::string>(),
                                   "the store missed the sign-in");
        } else {
            BOSBASE_FUZZ_CHECK(failure.has_value());
            BOSBASE_FUZZ_CHECK_MSG(pb.auth_store().token() == token_before && pb.auth_store().record() == record_before,
                                   "a failed sign-in changed the auth store");
            if (handed_over) {
                std::vector<std::string> secrets;
                // Only ids and codes made to be recognisable: a fuzzed one may be any word of a message.
                if (url_state.rfind("Cid-", 0) == 0) secrets.push_back(url_state);
                if (msg_code.rfind("Code-", 0) == 0) secrets.push_back(msg_code);
                // The exchange also carries the verifier, and the stored token as Authorization.
                if (!w.exchanges.empty() && verifier == proper_verifier) secrets.emplace_back(verifier);
                if (!w.exchanges.empty() && (flags & 0x01)) secrets.emplace_back(stored_token);
                check_secrets(*failure, secrets);
            }
            if (flags & 0x02 && handed_over && w.exchanges.empty()) {
                BOSBASE_FUZZ_CHECK_MSG(failure->is_abort() || failure->error_kind() == bosbase::error_kind::deadline,
                                       std::string("a sign-in cancelled from the url_callback did not end as one: ") +
                                           failure->what());
            }
        }
    });
}
