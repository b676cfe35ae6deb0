// Cancellation through the default transport: a call cancelled from another thread,
// 100 ms after it started, ends within 100 ms of cancel() with is_abort(), whatever it
// is doing, and leaves nothing behind (no half sign-in, no pooled connection).
#include <doctest/doctest.h>
#include <cancel_while_running.hpp>
#include <fault_server.hpp>

#include <bosbase.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

using bosbase_test::fault;
using bosbase_test::fault_server;
using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {

constexpr ms runs_for{100};  // the call is under way this long when it is cancelled

using outcome = bosbase_test::cancel_outcome;

// Cancels `call` from this thread once `started` is ready (the server has the request;
// by default at once) and `runs_for` has passed since the call began.
template <class Call>
outcome cancel_while_running(Call call, std::shared_future<void> started = {}) {
    return bosbase_test::cancel_while_running(
        call,
        [started] { return !started.valid() || started.wait_for(std::chrono::seconds(30)) == std::future_status::ready; },
        runs_for);
}

using bosbase_test::check_prompt_abort;

bosbase::client_options slow_limits() {
    bosbase::client_options o;
    o.timeout = ms(20000);
    o.connect_timeout = ms(20000);
    o.deadline = ms(20000);
    return o;
}

bosbase::request_options with(const bosbase::cancel_token& token) {
    bosbase::request_options o;
    o.cancel = token;
    return o;
}

// A loopback listener whose accept queue is full, so a new connect hangs in SYN_SENT.
class unanswered_listener {
public:
    unanswered_listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 0) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        // Fill the queue with connections nobody accepts (non-blocking: the last ones may
        // themselves stay in SYN_SENT, which is what the client under test will meet).
        for (int i = 0; i < 4; ++i) {
            const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            (void)::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
            fillers_.push_back(c);
        }
    }
    ~unanswered_listener() {
        for (int c : fillers_) ::close(c);
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    int fd_ = -1;
    int port_ = 0;
    std::vector<int> fillers_;
};

}  // namespace

TEST_CASE("cancel: a call waiting for an answer that never comes ends at once") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    server.then(fault::hang);
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& t) { (void)pb.collection("posts").get_list(1, 30, with(t)); }));
    // The cancelled connection is not pooled: the next call works, on a new one.
    CHECK(pb.collection("posts").get_list(1, 30)["items"].size() == 1);
    CHECK(server.connections() == 2);
}

TEST_CASE("cancel: a sign-in whose headers drip in is abandoned and the auth store keeps the old session") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    pb.auth_store().save("old-session-token-value", {{"id", "old"}});
    server.then(fault::drip_headers);
    check_prompt_abort(cancel_while_running([&](const bosbase::cancel_token& t) {
        (void)pb.collection("users").auth_with_token("custom-token-value", {}, {}, with(t));
    }));
    CHECK(pb.auth_store().token() == "old-session-token-value");
    CHECK(pb.auth_store().record()["id"] == "old");
}

TEST_CASE("cancel: a body that drips in is abandoned mid-read") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    server.then(fault::drip_body);
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& t) { (void)pb.collection("posts").get_list(1, 30, with(t)); }));
}

TEST_CASE("cancel: an upload the server does not read stops while it is being sent") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    server.then(fault::slow_reader);
    const bosbase::json big = {{"blob", std::string(std::size_t(16) << 20, 'a')}};
    // Encoding 16 MiB of JSON takes a while in a debug build; the clock starts once the
    // request goes to the transport.
    std::promise<void> sending;
    pb.before_send([&](bosbase::http_request&) { sending.set_value(); });
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& t) { (void)pb.send("POST", "/api/upload", big, with(t)); },
        sending.get_future().share()));
}

TEST_CASE("cancel: a connect that hangs (the server's accept queue is full) ends at once") {
    unanswered_listener listener;
    bosbase::BosBase pb(listener.url(), slow_limits());
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& t) { (void)pb.collection("posts").get_list(1, 30, with(t)); }));
}

TEST_CASE("cancel: get_full_list stops between and inside pages") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    server.then(fault::list_page_of_one);  // page 1 is full, so page 2 is asked for
    server.then(fault::hang);              // and never answered
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& t) { (void)pb.collection("posts").get_full_list(1, with(t)); }));
    CHECK(server.targets().size() == 2);
}

TEST_CASE("cancel: an async call ends through its future, and so does one cancelled before it started") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    server.then(fault::hang);
    check_prompt_abort(cancel_while_running([&](const bosbase::cancel_token& t) {
        auto page = pb.async([](const bosbase::BosBase& c) { return c.collection("posts").get_list(1, 30); }, t);
        (void)page.get();
    }));

    bosbase::cancel_token early;
    early.cancel();
    auto never = pb.async([](const bosbase::BosBase& c) { return c.collection("posts").get_list(1, 30); }, early);
    try {
        (void)never.get();
        FAIL("an async call with a cancelled token ran");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.is_abort());
    }
}

TEST_CASE("cancel: one token stops several calls on several threads, and a cancelled token refuses new calls") {
    fault_server server;
    bosbase::BosBase pb(server.url(), slow_limits());
    for (int i = 0; i < 3; ++i) server.then(fault::hang);
    const outcome o = cancel_while_running([&](const bosbase::cancel_token& t) {
        std::vector<std::future<void>> calls;
        for (int i = 0; i < 3; ++i) {
            calls.push_back(std::async(std::launch::async, [&] { (void)pb.collection("posts").get_list(1, 30, with(t)); }));
        }
        int aborted = 0;
        for (auto& call : calls) {
            try {
                call.get();
            } catch (const bosbase::ClientResponseError& e) {
                aborted += e.is_abort() ? 1 : 0;
            }
        }
        if (aborted == 3) throw bosbase::ClientResponseError("", 0, {}, bosbase::error_kind::canceled, "all three");
    });
    check_prompt_abort(o);

    bosbase::cancel_token spent;
    spent.cancel();
    const auto before = server.targets().size();
    try {
        (void)pb.collection("posts").get_list(1, 30, with(spent));
        FAIL("a call with a cancelled token was sent");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.is_abort());
    }
    CHECK(server.targets().size() == before);
}

TEST_CASE("cancel: destroying a client fails its queued async calls and stops the running one") {
    fault_server server;
    server.then(fault::hang);
    std::future<bosbase::json> running;
    std::vector<std::future<bosbase::json>> queued;
    {
        bosbase::client_options o = slow_limits();
        o.async_threads = 1;
        bosbase::BosBase pb(server.url(), o);
        running = pb.async([](const bosbase::BosBase& c) { return c.collection("posts").get_list(1, 30); });
        for (int i = 0; i < 3; ++i) {
            queued.push_back(pb.async([](const bosbase::BosBase& c) { return c.collection("posts").get_list(1, 30); }));
        }
        REQUIRE(server.wait_for_requests(1));
        const auto started = steady::now();
        // pb goes out of scope here.
        (void)started;
    }
    for (auto* f : {&running, &queued[0], &queued[1], &queued[2]}) {
        REQUIRE(f->wait_for(std::chrono::seconds(0)) == std::future_status::ready);
        try {
            (void)f->get();
            FAIL("an async call outlived its client");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.is_abort());
        }
    }
}
