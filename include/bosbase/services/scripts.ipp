// bosbase-cpp: definitions of services/scripts.hpp (scripts_service: BosBase's stored scripts, commands, uploads and WASM (pb.scripts()).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPTS_IPP
#define BOSBASE_SERVICES_SCRIPTS_IPP

#include "scripts.hpp"
#include "script_ws.hpp"
#include "../realtime/sse_parser.hpp"

#include <condition_variable>
#include <thread>
#include <mutex>

namespace bosbase {

struct scripts_service::cancel_waiter::shared {
    std::mutex mutex;
    std::condition_variable cv;
    bool fired = false;
};

BOSBASE_DECL std::vector<script> scripts_service::list(const request_options& options) const {
    auto& c = core();
    const std::string path = "/api/scripts";
    detail::json_reply reply = detail::fetch_json(c, "GET", path, nullptr, options);
    const json& items = detail::items_of(c, reply.body, path, options, reply.status);
    std::vector<script> out;
    out.reserve(items.size());
    for (const auto& item : items) out.push_back(detail::decode_as<script>(c, item, reply.status, path, options));
    return out;
}

BOSBASE_DECL script scripts_service::create(std::string_view name, std::string_view content,
                                            std::string_view description, const request_options& options) const {
    const json body{{"name", std::string(name)},
                    {"content", std::string(content)},
                    {"description", std::string(description)}};
    return detail::fetch_as<script>(core(), "POST", "/api/scripts", body, options);
}

BOSBASE_DECL script scripts_service::get(std::string_view name, const request_options& options) const {
    return detail::fetch_as<script>(core(), "GET", script_path(name), nullptr, options);
}

BOSBASE_DECL script scripts_service::update(std::string_view name, const script_update& changes,
                                            const request_options& options) const {
    json body = json::object();
    if (changes.content) body["content"] = *changes.content;
    if (changes.description) body["description"] = *changes.description;
    return detail::fetch_as<script>(core(), "PATCH", script_path(name), body, options);
}

BOSBASE_DECL void scripts_service::remove(std::string_view name, const request_options& options) const {
    core().perform("DELETE", script_path(name), nullptr, options, {});
}

BOSBASE_DECL script_output scripts_service::execute(std::string_view name,
                                                    const std::vector<std::string>& arguments,
                                                    std::string_view function_name,
                                                    const request_options& options) const {
    return detail::fetch_as<script_output>(core(), "POST", script_path(name) + "/execute",
                                              execute_body(arguments, function_name), options);
}

BOSBASE_DECL script_job scripts_service::execute_async(std::string_view name,
                                                       const std::vector<std::string>& arguments,
                                                       std::string_view function_name,
                                                       const request_options& options) const {
    detail::require_path_segment(name, "script name");
    return start_job("/api/scripts/async/" + detail::encode_uri_component(name) + "/execute",
                     execute_body(arguments, function_name), script_job_kind::execute, options);
}

BOSBASE_DECL script_job_status scripts_service::execute_async_status(std::string_view id,
                                                                     const request_options& options) const {
    return job_status(script_job_kind::execute, id, options);
}

BOSBASE_DECL script_output scripts_service::execute_sse(std::string_view name,
                                                        const std::vector<std::string>& arguments,
                                                        std::string_view function_name,
                                                        const request_options& options) const {
    if (!core().transport().can_stream()) {
        throw std::logic_error(
            "bosbase: execute_sse needs a transport with the streaming call "
            "`http_response stream(const http_request&, const stream_handler&)` (see README, 'Realtime')");
    }
    return sse_call(script_path(name) + "/execute/sse", arguments, function_name, options);
}

BOSBASE_DECL script_output scripts_service::execute_ws(std::string_view name,
                                                       const std::vector<std::string>& arguments,
                                                       std::string_view function_name,
                                                       const request_options& options) const {
    if (!core().transport().can_websocket()) {
        throw std::logic_error(
            "bosbase: execute_ws needs a transport with the WebSocket call "
            "`std::unique_ptr<bosbase::websocket_connection> connect_websocket(const "
            "bosbase::websocket_request&)`; the default transport has it with cpp-httplib 0.41 or newer "
            "(see README, 'Pub/sub')");
    }
    return detail::execute_script_ws(core(), script_path(name) + "/execute/ws", arguments, function_name, options);
}

BOSBASE_DECL wasm_result scripts_service::wasm(std::string_view cli_options, std::string_view wasm_name,
                                               std::string_view params, const request_options& options) const {
    return detail::fetch_as<wasm_result>(core(), "POST", "/api/scripts/wasm",
                                            wasm_body(cli_options, wasm_name, params), options);
}

BOSBASE_DECL script_job scripts_service::wasm_async(std::string_view cli_options, std::string_view wasm_name,
                                                    std::string_view params, const request_options& options) const {
    return start_job("/api/scripts/wasm/async", wasm_body(cli_options, wasm_name, params), script_job_kind::wasm,
                     options);
}

BOSBASE_DECL script_job_status scripts_service::wasm_async_status(std::string_view id,
                                                                  const request_options& options) const {
    return job_status(script_job_kind::wasm, id, options);
}

BOSBASE_DECL script_output scripts_service::command(std::string_view command, const request_options& options) const {
    return detail::fetch_as<script_output>(core(), "POST", "/api/scripts/command",
                                              json{{"command", std::string(command)}}, options);
}

BOSBASE_DECL script_job scripts_service::command_async(std::string_view command,
                                                       const request_options& options) const {
    return start_job("/api/scripts/command", json{{"command", std::string(command)}, {"async", true}},
                     script_job_kind::command, options);
}

BOSBASE_DECL script_job_status scripts_service::command_status(std::string_view id,
                                                               const request_options& options) const {
    return job_status(script_job_kind::command, id, options);
}

BOSBASE_DECL script_upload_result scripts_service::upload(const file_part& file, std::string_view path,
                                                          const request_options& options) const {
    json fields = json::object();
    if (!path.empty()) fields["path"] = std::string(path);
    auto& c = core();
    const std::string route = "/api/scripts/upload";
    auto body = detail::build_multipart(fields, file_list{{"file", file}}, c.settings().max_request_bytes);
    detail::json_reply reply = detail::fetch_body_json(c, "POST", route, std::move(body), options);
    return detail::decode_as<script_upload_result>(c, reply.body, reply.status, route, options);
}

BOSBASE_DECL script_job_status scripts_service::wait(const script_job& job,
                                                     std::chrono::milliseconds poll_interval,
                                                     const request_options& options) const {
    if (poll_interval.count() < 1) {
        throw std::invalid_argument("bosbase: the poll interval of wait() must be at least 1 ms");
    }
    auto& c = core();
    const std::string path = status_path(job.kind, job.id);
    const std::chrono::milliseconds budget = options.deadline.value_or(c.settings().deadline);
    const auto started = clock::now();
    const auto end = started + std::clamp(budget, std::chrono::milliseconds(0), max_budget());
    cancel_waiter waiter(options);
    request_options poll = options;
    std::string last_status = job.status;
    for (std::size_t polls = 0;; ++polls) {
        if (waiter.canceled()) {
            throw wait_ended(path, options, error_kind::canceled, job, "was cancelled", budget, polls, last_status);
        }
        const auto now = clock::now();
        if (now >= end) {
            throw wait_ended(path, options, error_kind::deadline, job, "exceeded its deadline", budget, polls,
                             last_status);
        }
        poll.deadline = std::chrono::ceil<std::chrono::milliseconds>(end - now);
        script_job_status status;
        try {
            status = detail::fetch_as<script_job_status>(c, "GET", path, nullptr, poll);
        } catch (const ClientResponseError& e) {
            // A poll cut short by what is left of the budget: the wait's deadline passed.
            if (e.error_kind() == error_kind::deadline && clock::now() >= end) {
                throw wait_ended(path, options, error_kind::deadline, job, "exceeded its deadline", budget,
                                 polls + 1, last_status);
            }
            // Cancelled during a poll: the same answer as during a pause.
            if (e.error_kind() == error_kind::canceled) {
                throw wait_ended(path, options, error_kind::canceled, job, "was cancelled", budget, polls + 1,
                                 last_status);
            }
            throw;
        }
        if (status.finished()) {
            return status;
        }
        last_status = status.status;
        if (waiter.sleep_until(std::min(clock::now() + poll_interval, end))) {
            throw wait_ended(path, options, error_kind::canceled, job, "was cancelled", budget, polls + 1,
                             last_status);
        }
    }
}

BOSBASE_DECL std::string scripts_service::script_path(std::string_view name) {
    detail::require_path_segment(name, "script name");
    return "/api/scripts/" + detail::encode_uri_component(name);
}

BOSBASE_DECL std::string scripts_service::status_path(script_job_kind kind, std::string_view id) {
    detail::require_path_segment(id, "job id");
    const std::string encoded = detail::encode_uri_component(id);
    switch (kind) {
    case script_job_kind::wasm: return "/api/scripts/wasm/async/" + encoded;
    case script_job_kind::command: return "/api/scripts/command/" + encoded;
    case script_job_kind::execute: break;
    }
    return "/api/scripts/async/" + encoded;
}

BOSBASE_DECL const char* scripts_service::kind_name(script_job_kind kind) {
    switch (kind) {
    case script_job_kind::wasm: return "WASM";
    case script_job_kind::command: return "command";
    case script_job_kind::execute: break;
    }
    return "script";
}

BOSBASE_DECL json scripts_service::execute_body(const std::vector<std::string>& arguments,
                                                std::string_view function_name) {
    json body = json::object();
    if (!arguments.empty()) body["arguments"] = arguments;
    if (!function_name.empty()) body["function_name"] = std::string(function_name);
    return body;
}

BOSBASE_DECL json scripts_service::wasm_body(std::string_view cli_options, std::string_view wasm_name,
                                             std::string_view params) {
    return json{{"options", std::string(cli_options)}, {"wasm", std::string(wasm_name)}, {"params", std::string(params)}};
}

BOSBASE_DECL script_job scripts_service::start_job(const std::string& path, const json& body,
                                                   script_job_kind kind, const request_options& options) const {
    script_job job = detail::fetch_as<script_job>(core(), "POST", path, body, options);
    job.kind = kind;
    return job;
}

BOSBASE_DECL script_job_status scripts_service::job_status(script_job_kind kind, std::string_view id,
                                                           const request_options& options) const {
    return detail::fetch_as<script_job_status>(core(), "GET", status_path(kind, id), nullptr, options);
}

BOSBASE_DECL ClientResponseError scripts_service::wait_ended(const std::string& path,
                                                             const request_options& options, error_kind kind,
                                                             const script_job& job, const char* how,
                                                             std::chrono::milliseconds budget,
                                                             std::size_t polls,
                                                             const std::string& last_status) const {
    std::string text = std::string("waiting for the ") + kind_name(job.kind) + " job " + job.id + " " + how;
    if (kind == error_kind::deadline) text += " of " + std::to_string(budget.count()) + " ms";
    text += " (" + std::to_string(polls) + (polls == 1 ? " poll" : " polls") + ", last status '" + last_status + "')";
    return ClientResponseError(core().error_url(path, options), 0, json::object(), kind, text);
}

BOSBASE_DECL scripts_service::cancel_waiter::cancel_waiter(const request_options& options)
    : state_(std::make_shared<shared>()) {
    auto fire = [s = state_] {
        {
            std::lock_guard<std::mutex> lock(s->mutex);
            s->fired = true;
        }
        s->cv.notify_all();
    };
    if (options.cancel) own_ = options.cancel->on_cancel(fire);
    if (const cancel_token* job = detail::current_job_cancel()) job_ = job->on_cancel(fire);
}

BOSBASE_DECL bool scripts_service::cancel_waiter::canceled() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->fired;
}

BOSBASE_DECL bool scripts_service::cancel_waiter::sleep_until(clock::time_point until) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->cv.wait_until(lock, until, [&] { return state_->fired; });
}

BOSBASE_DECL script_output scripts_service::sse_call(const std::string& path,
                                                     const std::vector<std::string>& arguments,
                                                     std::string_view function_name,
                                                     const request_options& options) const {
    auto& c = core();
    const auto& settings = c.settings();
    detail::require_headers(options.headers, "request_options.headers");
    query_params first;
    if (!arguments.empty()) first.emplace_back("arguments", arguments);
    if (!function_name.empty()) first.emplace_back("function_name", std::string(function_name));
    query_params query = detail::collect_query(options, first);
    const std::string token = c.store().token();
    const bool caller_token = std::any_of(query.begin(), query.end(), [](const auto& p) { return p.first == "token"; });
    if (!token.empty() && !caller_token) query.emplace_back("token", token);
    const detail::call_secrets secrets{token};

    http_request req;
    req.method = "GET";
    req.origin = c.url().origin;
    req.target = c.target_for(path, query);
    req.headers = options.headers;
    for (const auto& h : settings.headers) {
        if (!h.second.empty() && !detail::has_header(req.headers, h.first)) req.headers.push_back(h);
    }
    if (!detail::has_header(req.headers, "Accept")) req.headers.emplace_back("Accept", "text/event-stream");
    if (!settings.lang.empty() && !detail::has_header(req.headers, "Accept-Language")) {
        req.headers.emplace_back("Accept-Language", settings.lang);
    }
    req.connect_timeout = settings.connect_timeout;
    req.read_timeout = options.timeout.value_or(settings.timeout);
    req.write_timeout = req.read_timeout;
    const std::chrono::milliseconds budget = options.deadline.value_or(settings.deadline);
    const auto started = clock::now();
    req.deadline = started + std::clamp(budget, std::chrono::milliseconds(0), max_budget());
    req.max_response_bytes = settings.max_response_bytes;
    req.decompress = false;
    const std::string url = detail::redact_url(req.origin + req.target);

    // One token the transport obeys: the caller's, the async job's, or the deadline.
    cancel_token stop;
    cancel_token::registration links[2];
    if (options.cancel) links[0] = options.cancel->on_cancel([stop] { stop.cancel(); });
    if (const cancel_token* job = detail::current_job_cancel()) links[1] = job->on_cancel([stop] { stop.cancel(); });
    auto failure = [&](error_kind kind, const std::string& what) {
        return ClientResponseError(url, 0, json::object(), kind, what, secrets.to_vector());
    };
    if (stop.is_canceled()) {
        throw failure(error_kind::canceled, "GET " + req.origin + " was cancelled before it was sent");
    }
    req.cancel = stop;

    detail::sse_parser parser(settings.max_response_bytes);
    std::optional<std::string> event_data;
    std::size_t received = 0;
    bool too_large = false;
    stream_handler on_data = [&](std::string_view chunk) -> bool {
        received += chunk.size();
        if (received > settings.max_response_bytes) {
            too_large = true;
            return false;
        }
        return parser.feed(chunk, [&](const detail::sse_event& ev) {
            event_data = ev.data;
            return false;  // the one event is all there is
        });
    };

    http_response res;
    {
        detail::deadline_guard guard(stop, req.deadline);
        // Past the deadline the deadline is the reason, however the stream ended: a
        // transport may stop it there on its own timer (the default one does), before
        // this call's fires, and report it as ended or failed.
        auto ended = [&](error_kind kind, const std::string& what) {
            guard.stop();
            if (guard.fired() || kind == error_kind::deadline || clock::now() >= req.deadline) {
                return failure(error_kind::deadline, "GET " + req.origin + " exceeded its deadline of " +
                                                         std::to_string(budget.count()) + " ms");
            }
            if (stop.is_canceled()) return failure(error_kind::canceled, "GET " + req.origin + " was cancelled");
            return failure(kind, what);
        };
        try {
            // A copy, as realtime uses: copies share the connection pool.
            auto transport = detail::copy_transport(c.transport(), "execute_sse");
            res = transport->stream(req, on_data);
        } catch (...) {
            const detail::transport_fault fault = detail::current_transport_fault();
            throw ended(fault.kind, fault.what);
        }
        guard.stop();
        if (guard.fired() || stop.is_canceled() || clock::now() >= req.deadline) {
            throw ended(error_kind::canceled, "GET " + req.origin + " was cancelled");
        }
    }
    if (res.status < 200 || res.status > 299) {
        const auto list = secrets.to_vector();
        throw ClientResponseError(url, res.status, detail::error_body(res, settings.max_json_depth, list),
                                  error_kind::none, {}, list);
    }
    if (too_large || !parser.error().empty()) {
        throw failure(error_kind::too_large, "the event stream is larger than max_response_bytes (" +
                                                 std::to_string(settings.max_response_bytes) + " bytes)");
    }
    if (!event_data) {
        throw detail::invalid_response(c, path, options, res.status,
                                       "The script's event stream ended without an event.");
    }
    auto parsed = detail::parse_json(*event_data, settings.max_json_depth);
    if (!parsed) {
        throw detail::invalid_response(c, path, options, res.status,
                                       "The script's event is not JSON, or nests deeper than max_json_depth.");
    }
    return detail::decode_as<script_output>(c, *parsed, res.status, path, options);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPTS_IPP
