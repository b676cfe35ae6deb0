// auth_with_oauth2 against a hostile BosBase on 127.0.0.1, through the default transport:
// the realtime stream that should bring the redirect closes, stays silent, or brings
// garbage; the subscription is refused; auth-methods never answers. Every failure is a
// ClientResponseError, in bounded time, without the state (the realtime client id).
#include <doctest/doctest.h>
#include <cancel_while_running.hpp>
#include <error_of.hpp>
#include <fake_stream_transport.hpp>  // mailbox
#include <local_server.hpp>

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

using bosbase::json;
using bosbase_test::mailbox;
using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* client_id = "oauth2stateSECRETclientid0000000000000001";

enum class stream_mode {
    close_when_told,    // PB_CONNECT, then the stream ends once the app has the URL
    silent,             // PB_CONNECT, then nothing (the redirect never comes)
    garbage_when_told,  // PB_CONNECT, then an @oauth2 event whose data is not JSON
};

// BosBase as far as the sign-in sees it. The handlers wait on `cv` in short steps, so
// the destructor's release() lets every one of them end before the server stops.
class hostile_bosbase {
public:
    explicit hostile_bosbase(stream_mode mode, int subscribe_status = 204, bool hang_auth_methods = false)
        : mode_(mode), subscribe_status_(subscribe_status), hang_auth_methods_(hang_auth_methods) {
        server_->Get("/api/collections/users/auth-methods", [this](const httplib::Request&, httplib::Response& res) {
            if (hang_auth_methods_) wait(ms(20000));
            const json methods{
                {"oauth2",
                 {{"enabled", true},
                  {"providers", json::array({{{"name", "oidc"},
                                              {"authURL", "http://127.0.0.1:1/authorize?state=x&redirect_uri="},
                                              {"codeVerifier", "verifier"}}})}}}};
            res.set_content(methods.dump(), "application/json");
        });
        server_->Post("/api/realtime", [this](const httplib::Request&, httplib::Response& res) {
            res.status = subscribe_status_;
            if (subscribe_status_ != 204) {
                res.set_content(R"({"status":403,"message":"Forbidden.","data":{}})", "application/json");
            }
        });
        server_->Get("/api/realtime", [this](const httplib::Request&, httplib::Response& res) {
            res.set_chunked_content_provider("text/event-stream", [this](std::size_t offset, httplib::DataSink& sink) {
                if (offset == 0) {
                    const std::string connect = std::string("id:") + client_id +
                                                "\nevent:PB_CONNECT\ndata:{\"clientId\":\"" + client_id + "\"}\n\n";
                    sink.write(connect.data(), connect.size());
                    return true;
                }
                const signal got = wait(ms(50));
                if (got == signal::released || (got == signal::told && mode_ == stream_mode::close_when_told)) {
                    sink.done();
                    return false;
                }
                if (got == signal::told && mode_ == stream_mode::garbage_when_told && take_garbage()) {
                    const std::string garbage = "event:@oauth2\ndata:{\"state\":\n\n";
                    sink.write(garbage.data(), garbage.size());
                }
                return true;
            });
        });
        server_.start();
    }

    hostile_bosbase(const hostile_bosbase&) = delete;
    hostile_bosbase& operator=(const hostile_bosbase&) = delete;

    ~hostile_bosbase() {
        {
            std::lock_guard<std::mutex> lock(m_);
            released_ = true;
            cv_.notify_all();
        }
        server_.stop();
    }

    std::string url() const { return server_.url(); }

    // What the browser would do: here it only moves the stream on.
    void tell() {
        std::lock_guard<std::mutex> lock(m_);
        told_ = true;
        cv_.notify_all();
    }

private:
    enum class signal { none, told, released };

    // What happened within `limit` (handlers wait in short steps, so that the destructor's
    // release lets every one of them end before the server stops).
    signal wait(ms limit) {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait_for(lock, limit, [&] { return told_ || released_; });
        return released_ ? signal::released : told_ ? signal::told : signal::none;
    }

    bool take_garbage() {
        std::lock_guard<std::mutex> lock(m_);
        return !std::exchange(garbage_sent_, true);
    }

    const stream_mode mode_;
    const int subscribe_status_;
    const bool hang_auth_methods_;
    std::mutex m_;
    std::condition_variable cv_;
    bool told_ = false;
    bool released_ = false;
    bool garbage_sent_ = false;
    bosbase_test::local_server server_;
};

bosbase::request_options within(ms deadline) {
    bosbase::request_options o;
    o.deadline = deadline;
    return o;
}

void check_no_state(const bosbase::ClientResponseError& e) {
    CHECK(std::string(e.what()).find(client_id) == std::string::npos);
    CHECK(e.response().dump().find(client_id) == std::string::npos);
}

}  // namespace

TEST_CASE("fault oauth2: a realtime stream that closes before the redirect ends the sign-in at once") {
    hostile_bosbase server(stream_mode::close_when_told);
    bosbase::BosBase pb(server.url());
    mailbox<std::string> urls;
    const auto started = steady::now();
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2(
            "oidc",
            [&](const std::string& url) {
                urls.put(url);
                server.tell();
            },
            {}, within(ms(20000)));
    });
    const auto took = std::chrono::duration_cast<ms>(steady::now() - started);
    CHECK(urls.size() == 1);
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::receive);
    CHECK(std::string(e.what()).find("the realtime connection that waited for the OAuth2 redirect ended") !=
          std::string::npos);
    check_no_state(e);
    CHECK(took < ms(5000));  // long before the 20 s deadline
    MESSAGE("ended " << took.count() << " ms after the start; the stream closed right after the URL went out");
    CHECK(pb.auth_store().token().empty());
    CHECK_NOTHROW((void)pb.collection("users").list_auth_methods());  // the client still works
}

TEST_CASE("fault oauth2: a redirect that never comes ends at the deadline over a real connection") {
    hostile_bosbase server(stream_mode::silent);
    bosbase::BosBase pb(server.url());
    const auto started = steady::now();
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) {}, {}, within(ms(700)));
    });
    const auto took = std::chrono::duration_cast<ms>(steady::now() - started);
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    check_no_state(e);
    CHECK(took >= ms(700));
    CHECK(took < ms(700 + 1500));
    MESSAGE("a 700 ms sign-in without a redirect ended after " << took.count() << " ms");
}

TEST_CASE("fault oauth2: a cancel while the redirect is awaited ends the sign-in within 100 ms") {
    hostile_bosbase server(stream_mode::silent);
    bosbase::BosBase pb(server.url());
    mailbox<std::string> urls;
    bosbase_test::check_prompt_abort(bosbase_test::cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            bosbase::request_options o;
            o.cancel = token;
            (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string& url) { urls.put(url); }, {},
                                                           o);
        },
        [&] { return urls.wait_count(1); }));
}

TEST_CASE("fault oauth2: an @oauth2 message that is not JSON is refused as a state mismatch") {
    hostile_bosbase server(stream_mode::garbage_when_told);
    bosbase::BosBase pb(server.url());
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string&) { server.tell(); }, {},
                                                       within(ms(20000)));
    });
    CHECK(std::string(e.what()).find("state does not match") != std::string::npos);
    check_no_state(e);
}

TEST_CASE("fault oauth2: a refused subscription ends the sign-in before the app gets a URL") {
    hostile_bosbase server(stream_mode::silent, 403);
    bosbase::BosBase pb(server.url());
    bool called = false;
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [&](const std::string&) { called = true; }, {},
                                                       within(ms(5000)));
    });
    CHECK_FALSE(called);
    CHECK(e.status() == 403);
    check_no_state(e);
}

TEST_CASE("fault oauth2: auth-methods that never answers is bounded by the sign-in's deadline") {
    hostile_bosbase server(stream_mode::silent, 204, true);
    bosbase::BosBase pb(server.url());
    const auto started = steady::now();
    const auto e = bosbase_test::error_of([&] {
        (void)pb.collection("users").auth_with_oauth2("oidc", [](const std::string&) { FAIL("called"); }, {},
                                                       within(ms(600)));
    });
    const auto took = std::chrono::duration_cast<ms>(steady::now() - started);
    CHECK(e.error_kind() == bosbase::error_kind::deadline);
    CHECK(took < ms(600 + 1500));
    MESSAGE("auth-methods hanging: ended after " << took.count() << " ms");
}
