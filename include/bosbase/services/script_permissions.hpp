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
                                                    const request_options& options = {}) const;

    /// @brief The permission of a script; 404 "Permission not found.".
    [[nodiscard]] script_permission get(std::string_view script_name,
                                                               const request_options& options = {}) const;

    /// @brief Changes the set fields (PATCH, snake_case keys); the version goes up by one.
    /// With none set the server answers 400 "At least one field must be provided.".
    script_permission update(std::string_view script_name,
                                                    const script_permission_update& changes,
                                                    const request_options& options = {}) const;

    /// @brief Deletes the permission (204); 404 "Permission not found.".
    void remove(std::string_view script_name, const request_options& options = {}) const;

private:
    static std::string path(std::string_view script_name);
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "script_permissions.ipp"
#endif

#endif  // BOSBASE_SERVICES_SCRIPT_PERMISSIONS_HPP
