// bosbase-cpp: script_permissions_service: who may run which script (pb.script_permissions()).
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPT_PERMISSIONS_HPP
#define BOSBASE_SERVICES_SCRIPT_PERMISSIONS_HPP

#include "script_types.hpp"

#include <string>
#include <string_view>

namespace bosbase {

/// @brief The stored execution permission of a script, by script name (superuser only).
/// `content` is "anonymous", "user" (records of `users`) or "superuser". The server
/// has no list route. At BosBase d8bc341 the stored permissions have no effect: every
/// /api/scripts route requires a superuser whatever they say.
class script_permissions_service : public detail::service_base {
    using detail::service_base::core;

public:
    using detail::service_base::service_base;

    /// @brief POST /api/script-permissions {script_name, content, script_id?} (201). The
    /// script need not exist yet. 400 "Permission already exists for this script." /
    /// "Invalid content value." / "Script_name is required.".
    script_permission create(std::string_view script_name, std::string_view content,
                                                    std::string_view script_id = {},
                                                    const request_options& options = {}) const {
        json body{{"script_name", std::string(script_name)}, {"content", std::string(content)}};
        if (!script_id.empty()) body["script_id"] = std::string(script_id);
        return detail::fetch_as<script_permission>(core(), "POST", "/api/script-permissions", body, options);
    }

    /// @brief The permission of a script; 404 "Permission not found.".
    [[nodiscard]] script_permission get(std::string_view script_name,
                                                               const request_options& options = {}) const {
        return detail::fetch_as<script_permission>(core(), "GET", path(script_name), nullptr, options);
    }

    /// @brief Changes the set fields (PATCH, snake_case keys); the version goes up by one.
    /// With none set the server answers 400 "At least one field must be provided.".
    script_permission update(std::string_view script_name,
                                                    const script_permission_update& changes,
                                                    const request_options& options = {}) const {
        json body = json::object();
        if (changes.script_name) body["script_name"] = *changes.script_name;
        if (changes.content) body["content"] = *changes.content;
        if (changes.script_id) body["script_id"] = *changes.script_id;
        return detail::fetch_as<script_permission>(core(), "PATCH", path(script_name), body, options);
    }

    /// @brief Deletes the permission (204); 404 "Permission not found.".
    void remove(std::string_view script_name, const request_options& options = {}) const {
        core().perform("DELETE", path(script_name), nullptr, options, {});
    }

private:
    static std::string path(std::string_view script_name) {
        detail::require_path_segment(script_name, "script name");
        return "/api/script-permissions/" + detail::encode_uri_component(script_name);
    }
};

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPT_PERMISSIONS_HPP
