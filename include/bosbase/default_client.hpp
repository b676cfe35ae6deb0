// bosbase-cpp: bosbase::BosBase, the client over the default transport, and opt-in split compilation.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DEFAULT_CLIENT_HPP
#define BOSBASE_DEFAULT_CLIENT_HPP

#include "client.hpp"
#include "httplib/transport.hpp"

#ifndef BOSBASE_NO_HTTPLIB

namespace bosbase {

/// @brief The client most programs want: cpp-httplib transport with keep-alive.
using BosBase = basic_bosbase<httplib_transport>;

// Separate compilation (config.hpp, BOSBASE_DECL): the client for the default transport
// is instantiated in the one TU that defines BOSBASE_IMPLEMENTATION, and only declared
// (extern template) in the others. Without the macros the header works as a drop-in.
#if defined(BOSBASE_SEPARATE_COMPILATION) && defined(BOSBASE_IMPLEMENTATION)
#define BOSBASE_INSTANTIATE_(prefix) prefix template
#elif defined(BOSBASE_SEPARATE_COMPILATION)
#define BOSBASE_INSTANTIATE_(prefix) prefix extern template
#endif
#ifdef BOSBASE_INSTANTIATE_
BOSBASE_INSTANTIATE_() class detail::transport_holder<httplib_transport>;
BOSBASE_INSTANTIATE_() class basic_bosbase<httplib_transport>;
// A member template is not part of the class's instantiation: each is named on its
// own, for the JSON flavour every record call has (T = json).
BOSBASE_INSTANTIATE_() basic_bosbase<httplib_transport>::basic_bosbase(std::string_view, client_options);
BOSBASE_INSTANTIATE_() json record_service::get_list<json>(int, int, const request_options&) const;
BOSBASE_INSTANTIATE_() json record_service::get_full_list<json>(int, const request_options&) const;
BOSBASE_INSTANTIATE_()
json record_service::get_first_list_item<json>(std::string_view, const request_options&) const;
BOSBASE_INSTANTIATE_()
json record_service::vector_search<json>(const vector_search_options&, const request_options&) const;
BOSBASE_INSTANTIATE_() json record_service::get_one<json>(std::string_view, const request_options&) const;
BOSBASE_INSTANTIATE_() json record_service::create<json, json>(const json&, const request_options&) const;
BOSBASE_INSTANTIATE_()
json record_service::create_with_files<json, json>(const json&, const file_list&,
                                                                      const request_options&) const;
BOSBASE_INSTANTIATE_()
json record_service::update<json, json>(std::string_view, const json&, const request_options&) const;
BOSBASE_INSTANTIATE_()
json record_service::update_with_files<json, json>(std::string_view, const json&, const file_list&,
                                                                      const request_options&) const;
BOSBASE_INSTANTIATE_()
cache_entry cache_service::set_entry<json>(std::string_view, std::string_view, const json&,
                                                             std::optional<std::int64_t>, const request_options&) const;
#undef BOSBASE_INSTANTIATE_
#endif

}  // namespace bosbase

#endif  // BOSBASE_NO_HTTPLIB

#endif  // BOSBASE_DEFAULT_CLIENT_HPP
