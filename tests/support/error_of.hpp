// The ClientResponseError a call ends with; FAIL when it ends any other way.
#pragma once

#include <doctest/doctest.h>

#include <bosbase.hpp>

namespace bosbase_test {

template <class F>
bosbase::ClientResponseError error_of(F&& call) {
    try {
        call();
    } catch (const bosbase::ClientResponseError& e) {
        return e;
    }
    FAIL("no ClientResponseError");
    return bosbase::ClientResponseError("", 0, bosbase::json::object());
}

}  // namespace bosbase_test
