// bosbase-cpp: definitions of services/script_permissions.hpp (script_permissions_service: who may run which script (pb.script_permissions()).)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_SERVICES_SCRIPT_PERMISSIONS_IPP
#define BOSBASE_SERVICES_SCRIPT_PERMISSIONS_IPP

#include "script_permissions.hpp"

namespace bosbase {

BOSBASE_DECL script_permission script_permissions_service::create(std::string_view script_name,
                                                                  std::string_view content,
                                                                  std::string_view script_id,
                                                                  const request_options& options) const {
    json body{{"script_name", std::string(script_name)}, {"content", std::string(content)}};
    if (!script_id.empty()) body["script_id"] = std::string(script_id);
    return detail::fetch_as<script_permission>(core(), "POST", "/api/script-permissions", body, options);
}

BOSBASE_DECL script_permission script_permissions_service::get(std::string_view script_name,
                                                               const request_options& options) const {
    return detail::fetch_as<script_permission>(core(), "GET", path(script_name), nullptr, options);
}

BOSBASE_DECL script_permission script_permissions_service::update(std::string_view script_name,
                                                                  const script_permission_update& changes,
                                                                  const request_options& options) const {
    json body = json::object();
    if (changes.script_name) body["script_name"] = *changes.script_name;
    if (changes.content) body["content"] = *changes.content;
    if (changes.script_id) body["script_id"] = *changes.script_id;
    return detail::fetch_as<script_permission>(core(), "PATCH", path(script_name), body, options);
}

BOSBASE_DECL void script_permissions_service::remove(std::string_view script_name,
                                                     const request_options& options) const {
    core().perform("DELETE", path(script_name), nullptr, options, {});
}

BOSBASE_DECL std::string script_permissions_service::path(std::string_view script_name) {
    detail::require_path_segment(script_name, "script name");
    return "/api/script-permissions/" + detail::encode_uri_component(script_name);
}

}  // namespace bosbase

#endif  // BOSBASE_SERVICES_SCRIPT_PERMISSIONS_IPP
