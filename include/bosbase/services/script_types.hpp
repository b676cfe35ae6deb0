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

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script& out) {
    const detail::object_reader<J> r(j, "a script");
    out.id = r.string("id");
    out.name = r.string("name");
    out.content = r.string("content");
    out.description = r.string_or_empty("description");
    out.version = r.integer("version");
    out.created = r.string_or_empty("created");
    out.updated = r.string_or_empty("updated");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script_output& out) {
    const detail::object_reader<J> r(j, "a script output");
    out.output = r.string("output");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script_upload_result& out) {
    const detail::object_reader<J> r(j, "an upload result");
    out.output = r.string("output");
    out.path = r.string_or_empty("path");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, wasm_result& out) {
    const detail::object_reader<J> r(j, "a WASM result");
    out.output = r.string("output");
    out.stdout_text = r.string_or_empty("stdout");
    out.stderr_text = r.string_or_empty("stderr");
    out.duration = r.string_or_empty("duration");
    out.raw = j;
}

// `kind` is not in the answer: the call that started the job sets it.
template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script_job& out) {
    const detail::object_reader<J> r(j, "a job");
    out.id = r.string("id");
    out.status = r.string("status");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script_job_status& out) {
    const detail::object_reader<J> r(j, "a job status");
    out.id = r.string("id");
    out.status = r.string("status");
    out.output = r.string_or_empty("output");
    out.error = r.string_or_empty("error");
    out.started_at = r.string_or_empty("startedAt");
    out.finished_at = r.string_or_empty("finishedAt");
    out.script_name = r.string_or_empty("scriptName");
    out.command = r.string_or_empty("command");
    out.wasm_name = r.string_or_empty("wasmName");
    out.function = r.string_or_empty("function");
    out.options = r.string_or_empty("options");
    out.parameters = r.string_or_empty("parameters");
    out.stdout_text = r.string_or_empty("stdout");
    out.stderr_text = r.string_or_empty("stderr");
    out.duration = r.string_or_empty("duration");
    out.raw = j;
}

template <class J, detail::if_json<J> = 0>
void from_json(const J& j, script_permission& out) {
    const detail::object_reader<J> r(j, "a script permission");
    out.id = r.string("id");
    out.script_id = r.string_or_empty("scriptId");
    out.script_name = r.string("scriptName");
    out.content = r.string("content");
    out.version = r.integer("version");
    out.created = r.string_or_empty("created");
    out.updated = r.string_or_empty("updated");
    out.raw = j;
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPT_TYPES_HPP
