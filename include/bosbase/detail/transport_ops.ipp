// bosbase-cpp: definitions of detail/transport_ops.hpp (the one place that knows the transport's type: its calls behind a small interface.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_DETAIL_TRANSPORT_OPS_IPP
#define BOSBASE_DETAIL_TRANSPORT_OPS_IPP

#include "transport_ops.hpp"

namespace bosbase {
namespace detail {

BOSBASE_DECL std::unique_ptr<transport_ops> copy_transport(const transport_ops& ops, const char* who) {
    auto made = ops.copy();
    if (!made) {
        throw std::logic_error(std::string("bosbase: ") + who +
                               " needs a copyable transport (its thread keeps a copy of its own)");
    }
    return made;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_DETAIL_TRANSPORT_OPS_IPP
