// bosbase-cpp: The typed results of the script and script-permission services.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPT_TYPES_HPP
#define BOSBASE_SERVICES_SCRIPT_TYPES_HPP

#include "shapes.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace bosbase {

/// @brief A stored script (Python source, run by BosBase's function service).
struct script {
    std::string id;
    std::string name;
    std::string content;
    std::string description;  ///< "" when the script has none
    std::int64_t version = 0;  ///< 1 on create, one more on every update
    std::string created;
    std::string updated;
    json raw;  ///< the script as the server sent it
};

/// @brief The changes of scripts_service::update; at least one must be set.
struct script_update {
    std::optional<std::string> content;
    std::optional<std::string> description;
};

/// @brief What a script, a command or an upload printed or returned.
struct script_output {
    std::string output;
    json raw;  ///< the answer as the server sent it
};

/// @brief What scripts_service::upload answers.
struct script_upload_result {
    std::string output;  ///< "uploaded <path> to <EXECUTE_PATH>"
    std::string path;    ///< the file's absolute path on the server
    json raw;            ///< the answer as the server sent it
};

/// @brief What scripts_service::wasm answers.
struct wasm_result {
    std::string output;    ///< stdout (and stderr after it), else the function's return values
    std::string stdout_text;  ///< `stdout` (named so as not to collide with the C macro)
    std::string stderr_text;  ///< `stderr`
    std::string duration;  ///< a Go duration, e.g. "1.2ms"
    json raw;              ///< the answer as the server sent it
};

/// @brief Which kind of asynchronous job a script_job is: it decides the status route.
enum class script_job_kind {
    execute,  ///< scripts_service::execute_async, status at GET /api/scripts/async/{id}
    wasm,     ///< scripts_service::wasm_async, status at GET /api/scripts/wasm/async/{id}
    command   ///< scripts_service::command_async, status at GET /api/scripts/command/{id}
};

/// @brief A job that an *_async call started. Hand it to scripts_service::wait, or ask
/// for its status yourself. `kind` is set by the call that started it.
struct script_job {
    std::string id;
    std::string status;  ///< "running" when it was started
    script_job_kind kind = script_job_kind::execute;
    json raw;  ///< the answer as the server sent it
};

/// @brief The status of an asynchronous script, WASM or command job. Fields a kind
/// does not have stay empty; times are RFC 3339 text.
struct script_job_status {
    std::string id;
    std::string status;       ///< "running", "done" or "error"
    std::string output;       ///< set once the job is "done" or "error"
    std::string error;        ///< set when it is "error"
    std::string started_at;
    std::string finished_at;  ///< "" while it runs
    std::string script_name;  ///< execute jobs
    std::string command;      ///< command jobs
    std::string wasm_name;    ///< WASM jobs, with function, options, parameters, stdout, stderr, duration
    std::string function;
    std::string options;
    std::string parameters;
    std::string stdout_text;
    std::string stderr_text;
    std::string duration;
    json raw;  ///< the answer as the server sent it

    /// @brief True once the job is "done" or "error" (any other status is still going).
    [[nodiscard]] bool finished() const noexcept { return status == "done" || status == "error"; }
    /// @brief True when the job ended with "error".
    [[nodiscard]] bool failed() const noexcept { return status == "error"; }
};

/// @brief Who may run a script, as stored by pb.script_permissions(). BosBase d8bc341
/// stores these but does not apply them (every script route is superuser-only there).
struct script_permission {
    std::string id;
    std::string script_id;    ///< "" until a script of that name exists
    std::string script_name;
    std::string content;      ///< "anonymous", "user" or "superuser"
    std::int64_t version = 0;
    std::string created;
    std::string updated;
    json raw;  ///< the permission as the server sent it
};

/// @brief The changes of script_permissions_service::update; at least one must be set.
struct script_permission_update {
    std::optional<std::string> script_name;
    std::optional<std::string> content;
    std::optional<std::string> script_id;
};

template <class J>
void from_json(const J& j, script& out) {
    detail::shape_object(j, "a script");
    out.id = detail::shape_string(j, "id");
    out.name = detail::shape_string(j, "name");
    out.content = detail::shape_string(j, "content");
    out.description = detail::shape_optional_string(j, "description");
    out.version = detail::shape_integer(j, "version");
    out.created = detail::shape_optional_string(j, "created");
    out.updated = detail::shape_optional_string(j, "updated");
    out.raw = j;
}

template <class J>
void from_json(const J& j, script_output& out) {
    detail::shape_object(j, "a script output");
    out.output = detail::shape_string(j, "output");
    out.raw = j;
}

template <class J>
void from_json(const J& j, script_upload_result& out) {
    detail::shape_object(j, "an upload result");
    out.output = detail::shape_string(j, "output");
    out.path = detail::shape_optional_string(j, "path");
    out.raw = j;
}

template <class J>
void from_json(const J& j, wasm_result& out) {
    detail::shape_object(j, "a WASM result");
    out.output = detail::shape_string(j, "output");
    out.stdout_text = detail::shape_optional_string(j, "stdout");
    out.stderr_text = detail::shape_optional_string(j, "stderr");
    out.duration = detail::shape_optional_string(j, "duration");
    out.raw = j;
}

// `kind` is not in the answer: the call that started the job sets it.
template <class J>
void from_json(const J& j, script_job& out) {
    detail::shape_object(j, "a job");
    out.id = detail::shape_string(j, "id");
    out.status = detail::shape_string(j, "status");
    out.raw = j;
}

template <class J>
void from_json(const J& j, script_job_status& out) {
    detail::shape_object(j, "a job status");
    out.id = detail::shape_string(j, "id");
    out.status = detail::shape_string(j, "status");
    out.output = detail::shape_optional_string(j, "output");
    out.error = detail::shape_optional_string(j, "error");
    out.started_at = detail::shape_optional_string(j, "startedAt");
    out.finished_at = detail::shape_optional_string(j, "finishedAt");
    out.script_name = detail::shape_optional_string(j, "scriptName");
    out.command = detail::shape_optional_string(j, "command");
    out.wasm_name = detail::shape_optional_string(j, "wasmName");
    out.function = detail::shape_optional_string(j, "function");
    out.options = detail::shape_optional_string(j, "options");
    out.parameters = detail::shape_optional_string(j, "parameters");
    out.stdout_text = detail::shape_optional_string(j, "stdout");
    out.stderr_text = detail::shape_optional_string(j, "stderr");
    out.duration = detail::shape_optional_string(j, "duration");
    out.raw = j;
}

template <class J>
void from_json(const J& j, script_permission& out) {
    detail::shape_object(j, "a script permission");
    out.id = detail::shape_string(j, "id");
    out.script_id = detail::shape_optional_string(j, "scriptId");
    out.script_name = detail::shape_string(j, "scriptName");
    out.content = detail::shape_string(j, "content");
    out.version = detail::shape_integer(j, "version");
    out.created = detail::shape_optional_string(j, "created");
    out.updated = detail::shape_optional_string(j, "updated");
    out.raw = j;
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPT_TYPES_HPP
