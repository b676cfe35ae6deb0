// bosbase-cpp: scripts_service: BosBase's stored scripts, commands, uploads and WASM (pb.scripts()).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPTS_HPP
#define BOSBASE_SERVICES_SCRIPTS_HPP

#include "script_types.hpp"
#include "../multipart.hpp"
#include "../stream.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief Stored scripts and what runs them (pb.scripts()).
///
/// At BosBase d8bc341 every route here is superuser-only (script permissions are stored
/// but not applied): a signed-in user gets 403, an anonymous caller 401. The SDK does not
/// refuse any call because of who is signed in; the server decides.
///
/// What the server needs: execute* a BosBase function service at FUNCTION_URL that reads
/// the files the server writes under EXECUTE_PATH; command and upload `bash` and
/// EXECUTE_PATH; wasm* a CGO build with WasmEdge (others answer 500 "Failed to get WASM
/// manager.").
class scripts_service : public detail::service_base {
    using detail::service_base::core;
    using clock = std::chrono::steady_clock;

public:
    using detail::service_base::service_base;

    // --- stored scripts ------------------------------------------------------

    /// @brief Every script, sorted by name (GET /api/scripts).
    [[nodiscard]] std::vector<script> list(const request_options& options = {}) const;

    /// @brief Stores a script (201, version 1). `content` is Python source; the server
    /// removes characters other than letters, digits and `_.-:` from the name.
    /// 400 "Script already exists." / "Script content is required.".
    script create(std::string_view name, std::string_view content,
                                         std::string_view description = {},
                                         const request_options& options = {}) const;

    /// @brief One script by name; 404 "Script not found.".
    [[nodiscard]] script get(std::string_view name, const request_options& options = {}) const;

    /// @brief Changes the set fields (PATCH); the version goes up by one. With none set
    /// the server answers 400 "At least one of content or description must be provided.".
    script update(std::string_view name, const script_update& changes,
                                         const request_options& options = {}) const;

    /// @brief Deletes a script (204); 404 "Script not found.".
    void remove(std::string_view name, const request_options& options = {}) const;

    // --- running scripts -----------------------------------------------------

    /// @brief Runs `function_name` (default "main") of the script with the arguments as
    /// positional strings and waits for it: POST /api/scripts/{name}/execute. `output` is
    /// the function's return value (JSON text unless it returned a string). A failing
    /// script is 500 "Script execution failed.".
    script_output execute(std::string_view name, const std::vector<std::string>& arguments = {},
                                                 std::string_view function_name = {},
                                                 const request_options& options = {}) const;

    /// @brief Starts the script without waiting (202 {id, status:"running"}): POST
    /// /api/scripts/async/{name}/execute. Follow it with wait() or execute_async_status().
    script_job execute_async(std::string_view name,
                                                    const std::vector<std::string>& arguments = {},
                                                    std::string_view function_name = {},
                                                    const request_options& options = {}) const;

    /// @brief The status of an execute_async job; 404 "Job not found.".
    [[nodiscard]] script_job_status execute_async_status(
        std::string_view id, const request_options& options = {}) const;

    /// @brief Runs the script like execute(), streamed as server-sent events: GET
    /// /api/scripts/{name}/execute/sse?arguments=…&function_name=…&token=…, which sends
    /// one `{output}` event and closes. Authenticates with `?token=` like the JS SDK's
    /// EventSource (the token is redacted from error texts); the before/after-send hooks
    /// do not run for it. Needs a streaming transport (the default one is). The call's
    /// deadline and cancel token hold for the whole stream.
    script_output execute_sse(std::string_view name, const std::vector<std::string>& arguments = {},
                              std::string_view function_name = {}, const request_options& options = {}) const;

    /// @brief Runs the script like execute(), over a WebSocket: GET
    /// /api/scripts/{name}/execute/ws, the arguments sent as the first message, the
    /// answer one message back. Authenticates with the Authorization header (no token in
    /// the URL). A missing script or permission is the server's 404/403/401 and JSON as
    /// for execute(), taken from its answer to the upgrade (a transport that does not
    /// throw websocket_refused: asked again over HTTP); a script that fails is the status
    /// and message the server sends on the socket.
    /// Needs a transport with the WebSocket call (the default one with cpp-httplib 0.41
    /// or newer, ws:// only). The call's deadline and cancel token hold throughout.
    script_output execute_ws(std::string_view name, const std::vector<std::string>& arguments = {},
                             std::string_view function_name = {}, const request_options& options = {}) const;

    // --- WASM ----------------------------------------------------------------

    /// @brief Runs a WASM module under EXECUTE_PATH and waits: POST /api/scripts/wasm
    /// {options, wasm, params}. `cli_options` picks the function ("--func=name", "-f name"
    /// or a bare name; default _start), `params` are space-separated arguments.
    wasm_result wasm(std::string_view cli_options, std::string_view wasm_name,
                                            std::string_view params = {}, const request_options& options = {}) const;

    /// @brief Starts a WASM run without waiting (202): POST /api/scripts/wasm/async.
    script_job wasm_async(std::string_view cli_options, std::string_view wasm_name,
                                                 std::string_view params = {},
                                                 const request_options& options = {}) const;

    /// @brief The status of a wasm_async job; 404 "Job not found.".
    [[nodiscard]] script_job_status wasm_async_status(std::string_view id,
                                                                          const request_options& options = {}) const;

    // --- shell commands and files -----------------------------------------

    /// @brief Runs `bash -c command` on the server host in EXECUTE_PATH and waits (up to the
    /// server's 30 minutes): `output` is stdout and stderr. A non-zero exit is 500
    /// "Failed to execute command.".
    script_output command(std::string_view command, const request_options& options = {}) const;

    /// @brief Starts the command without waiting (the server answers 200, not 202).
    script_job command_async(std::string_view command,
                                                    const request_options& options = {}) const;

    /// @brief The status of a command_async job; 404 "Command not found.".
    [[nodiscard]] script_job_status command_status(std::string_view id,
                                                                       const request_options& options = {}) const;

    /// @brief Writes `file` into EXECUTE_PATH on the server (replacing what is there):
    /// multipart POST /api/scripts/upload with the file as `file` and, when given, the
    /// target `path` (relative; default the file's name; `..` is 400 "Invalid path.").
    script_upload_result upload(const file_part& file, std::string_view path = {},
                                                       const request_options& options = {}) const;

    // --- waiting for a job ---------------------------------------------------

    /// @brief Polls the job's status route (by job.kind) until the job is "done" or
    /// "error" and returns that last status; a job that ends in "error" is returned, not
    /// thrown. It polls at once, then every `poll_interval` (at least 1 ms).
    ///
    /// The call's deadline (request_options::deadline, else client_options::deadline)
    /// bounds the whole wait, polls and pauses together: when it passes, the wait ends
    /// with ClientResponseError error_kind::deadline. A cancel
    /// (request_options::cancel, or the token of the pb.async() job it runs in) ends it at
    /// once, during a poll or a pause, with is_abort(). Errors of a poll (404, 403, network)
    /// end it as they are.
    script_job_status wait(const script_job& job,
                                                  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500),
                                                  const request_options& options = {}) const;

private:
    static std::string script_path(std::string_view name);

    static std::string status_path(script_job_kind kind, std::string_view id);

    static const char* kind_name(script_job_kind kind);

    // A duration far beyond any wait, so that adding it to now() cannot overflow.
    static constexpr std::chrono::milliseconds max_budget() { return std::chrono::hours(24 * 365 * 100); }

    static json execute_body(const std::vector<std::string>& arguments, std::string_view function_name);

    static json wasm_body(std::string_view cli_options, std::string_view wasm_name, std::string_view params);

    script_job start_job(const std::string& path, const json& body, script_job_kind kind,
                         const request_options& options) const;

    script_job_status job_status(script_job_kind kind, std::string_view id, const request_options& options) const;

    ClientResponseError wait_ended(const std::string& path, const request_options& options, error_kind kind,
                                   const script_job& job, const char* how, std::chrono::milliseconds budget,
                                   std::size_t polls, const std::string& last_status) const;

    // Wakes a pause of wait() when the call's token, or the token of the async job the
    // call runs in, is cancelled: the pause waits on a condition, never a plain sleep.
    class cancel_waiter {
    public:
        explicit cancel_waiter(const request_options& options);

        bool canceled();

        // True when cancelled before `until`.
        bool sleep_until(clock::time_point until);

    private:
        struct shared;  // a mutex and condition variable, with the definitions
        std::shared_ptr<shared> state_;
        cancel_token::registration own_;
        cancel_token::registration job_;
    };

    script_output sse_call(const std::string& path, const std::vector<std::string>& arguments,
                           std::string_view function_name, const request_options& options) const;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "scripts.ipp"
#endif

#endif  // BOSBASE_SERVICES_SCRIPTS_HPP
