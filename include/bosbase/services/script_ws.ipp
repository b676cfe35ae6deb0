// bosbase-cpp: definitions of services/script_ws.hpp (scripts().execute_ws(): one script run over a WebSocket, and the deadline timer of the streamed calls.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPT_WS_IPP
#define BOSBASE_SERVICES_SCRIPT_WS_IPP

#include "script_ws.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL deadline_guard::deadline_guard(cancel_token target, clock::time_point when)
    : state_(std::make_shared<shared>()) {
    thread_ = std::thread([s = state_, target, when] {
        std::unique_lock<std::mutex> lock(s->mutex);
        if (!s->cv.wait_until(lock, when, [&] { return s->done; })) {
            s->fired = true;
            lock.unlock();
            target.cancel();
        }
    });
}

BOSBASE_DECL void deadline_guard::stop() {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->done = true;
    }
    state_->cv.notify_all();
    if (thread_.joinable()) thread_.join();
}

BOSBASE_DECL bool deadline_guard::fired() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->fired;
}

BOSBASE_DECL script_output execute_script_ws(client_core& c, const std::string& path,
                                             const std::vector<std::string>& arguments,
                                             std::string_view function_name, const request_options& options) {
    using clock = std::chrono::steady_clock;
    const auto& settings = c.settings();
    require_headers(options.headers, "request_options.headers");
    const std::string token = c.store().token();
    const call_secrets secrets{token};

    websocket_request req;
    req.url = websocket_origin(c.url().origin) + c.target_for(path, collect_query(options, {}));
    req.headers = options.headers;
    for (const auto& h : settings.headers) {
        if (!h.second.empty() && !has_header(req.headers, h.first)) req.headers.push_back(h);
    }
    if (!settings.lang.empty() && !has_header(req.headers, "Accept-Language")) {
        req.headers.emplace_back("Accept-Language", settings.lang);
    }
    if (!token.empty() && !has_header(req.headers, "Authorization")) req.headers.emplace_back("Authorization", token);
    req.connect_timeout = settings.connect_timeout;
    req.read_timeout = options.timeout.value_or(settings.timeout);
    req.write_timeout = req.read_timeout;
    req.max_message_bytes = settings.max_response_bytes;
    const std::chrono::milliseconds budget = options.deadline.value_or(settings.deadline);
    const auto deadline =
        clock::now() + std::clamp(budget, std::chrono::milliseconds(0), std::chrono::milliseconds(std::chrono::hours(24 * 365 * 100)));
    const std::string url = redact_url(req.url);
    const std::string what = "GET " + redact_url(c.url().origin + c.url().prefix + path) + " (WebSocket)";

    // One token the transport and the socket obey: the caller's, the async job's, or the deadline.
    cancel_token stop;
    cancel_token::registration links[2];
    if (options.cancel) links[0] = options.cancel->on_cancel([stop] { stop.cancel(); });
    if (const cancel_token* job = current_job_cancel()) links[1] = job->on_cancel([stop] { stop.cancel(); });
    auto failure = [&](error_kind kind, const std::string& why) {
        return ClientResponseError(url, 0, json::object(), kind, why, secrets.to_vector());
    };
    if (stop.is_canceled()) throw failure(error_kind::canceled, what + " was cancelled before it was sent");
    req.cancel = stop;

    deadline_guard guard(stop, deadline);
    auto ended = [&](error_kind kind, const std::string& why) {
        guard.stop();
        if (guard.fired()) {
            return failure(error_kind::deadline, what + " exceeded its deadline of " + std::to_string(budget.count()) + " ms");
        }
        if (stop.is_canceled()) return failure(error_kind::canceled, what + " was cancelled");
        return failure(kind, why);
    };

    std::unique_ptr<websocket_connection> conn;
    std::optional<transport_fault> refused;
    try {
        auto transport = copy_transport(c.transport(), "execute_ws");  // copies share what the transport keeps
        conn = transport->connect_websocket(req);
    } catch (const websocket_refused& e) {
        // The server's own answer to the upgrade (no script, no permission, not signed
        // in): its status and JSON, as execute() would report them.
        if (stop.is_canceled()) throw ended(error_kind::canceled, e.what());
        guard.stop();
        http_response res;
        res.status = e.status();
        res.body = e.body();
        const auto list = secrets.to_vector();
        throw ClientResponseError(url, e.status(), error_body(res, settings.max_json_depth, list), error_kind::none, {},
                                  list);
    } catch (...) {
        transport_fault fault = current_transport_fault();
        // A transport that does not tell the upgrade's status: a server that answers the
        // upgrade with an error and closes may look like a refused connect to it.
        const bool maybe_refused = fault.kind == error_kind::invalid_response || fault.kind == error_kind::connect;
        if (!maybe_refused || stop.is_canceled()) throw ended(fault.kind, fault.what);
        refused = std::move(fault);
    }
    if (refused) {
        // Perhaps the server answered the upgrade with an error the transport did not pass
        // on (one that throws websocket_refused never comes here). The same route asked
        // over plain HTTP gives that answer before it would upgrade, and runs nothing; a
        // server that is not there fails that request alike.
        guard.stop();
        (void)fetch_json(c, "GET", path, nullptr, options, secrets);
        throw failure(refused->kind, refused->what);
    }
    if (!conn) throw ended(error_kind::other, "the transport returned no WebSocket");

    std::string message;
    websocket_frame frame = websocket_frame::closed;
    {
        // Declared after conn, so gone before it: a cancel or the deadline ends a blocked read.
        cancel_token::registration wake = stop.on_cancel([&conn] { conn->shutdown(); });
        json first = json::object();
        if (!arguments.empty()) first["arguments"] = arguments;
        if (!function_name.empty()) first["function_name"] = std::string(function_name);
        try {
            if (!conn->send_text(first.dump())) {
                throw ended(error_kind::send, "the WebSocket closed before the script's arguments were sent");
            }
            frame = conn->read(message);
        } catch (const ClientResponseError&) {
            throw;
        } catch (const json::exception&) {
            throw std::invalid_argument("bosbase: script arguments and function name must be valid UTF-8");
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            throw ended(error_kind::receive, e.what());
        }
    }
    conn->shutdown();
    guard.stop();
    if (guard.fired() || stop.is_canceled()) throw ended(error_kind::canceled, {});
    if (frame == websocket_frame::closed) {
        throw failure(error_kind::receive, "the server closed the WebSocket without the script's answer");
    }
    constexpr int switched = 101;  // the status of the upgrade that carried the answer
    // A transport that reads past an answer over the cap says too_large; one that hands it over whole, its size.
    if (frame == websocket_frame::too_large ||
        (frame == websocket_frame::text && message.size() > settings.max_response_bytes)) {
        throw failure(error_kind::too_large, "the script's answer is larger than max_response_bytes (" +
                                                 std::to_string(settings.max_response_bytes) + " bytes)");
    }
    if (frame != websocket_frame::text) {
        throw invalid_response(c, path, options, switched, "The script's answer is a binary WebSocket message.");
    }
    const std::optional<json> parsed = parse_json(message, settings.max_json_depth);
    if (!parsed || !parsed->is_object()) {
        throw invalid_response(c, path, options, switched,
                               "The script's answer is not a JSON object, or nests deeper than max_json_depth.");
    }
    const auto status = parsed->find("status");
    if (parsed->find("output") == parsed->end() && status != parsed->end() && status->is_number_integer()) {
        // A failure after the upgrade (the script raised, bad arguments) comes as a message.
        const auto code = status->get<std::int64_t>();
        const int http = code >= 100 && code <= 599 ? static_cast<int>(code) : 500;
        const auto list = secrets.to_vector();
        throw ClientResponseError(url, http, *parsed, error_kind::none, {}, list);
    }
    return decode_as<script_output>(c, *parsed, switched, path, options);
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPT_WS_IPP
