// bosbase-cpp: definitions of cancel.hpp (cancel_token, the one way to stop a call from another thread.)
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_CANCEL_IPP
#define BOSBASE_CANCEL_IPP

#include "cancel.hpp"

namespace bosbase {

BOSBASE_DECL auto cancel_token::registration::operator=(registration&& other) noexcept -> registration& {
    if (this != &other) {
        reset();
        state_ = std::move(other.state_);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

BOSBASE_DECL auto cancel_token::on_cancel(std::function<void()> fn) const -> registration {
    const std::uint64_t id = state_->add(std::move(fn));
    return registration(id == 0 ? nullptr : state_, id);
}

}  // namespace bosbase

namespace bosbase {
namespace detail {

BOSBASE_DECL const cancel_token*& job_cancel_slot() noexcept {
    static thread_local const cancel_token* slot = nullptr;
    return slot;
}

}  // namespace detail
}  // namespace bosbase

#endif  // BOSBASE_CANCEL_IPP
