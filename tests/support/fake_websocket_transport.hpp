// A thread-safe fake transport with the WebSocket call: the test plays the server. It
// pushes frames into the open socket, closes it, refuses connects, and sees every frame
// the SDK sent. By default it answers like apis/pubsub.go (ready on connect, an
// acknowledgement for each request); each of those can be turned off. Every wait is
// bounded (condition variable + timeout).
#pragma once

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace bosbase_test {

struct fake_websocket_transport {
    using clock = std::chrono::steady_clock;

    struct state {
        std::mutex m;
        std::condition_variable cv;
        std::vector<bosbase::websocket_request> connects;  // every connect_websocket() call
        std::vector<std::string> sent;                     // every frame sent, over all connections
        std::deque<std::pair<bosbase::websocket_frame, std::string>> inbound;  // for the open socket
        int generation = 0;      // of the open socket (connects that succeeded)
        bool open = false;
        bool closing = false;    // the "server" closes the open socket once inbound is read
        int refuse_next = 0;     // connects that fail with refuse_kind
        bosbase::error_kind refuse_kind = bosbase::error_kind::connect;
        int refuse_status = 0;   // when set, connects throw websocket_refused with it and refuse_body...
        std::string refuse_body;
        int refuse_times = -1;   // ...this many times (-1: every time)
        bool hold_shut_reads = false;  // a read() on a socket shut by the SDK waits until this is false
        int sends_refused = 0;         // send_text() calls on a socket already gone
        bool auto_ready = true;  // `ready` as soon as a socket opens
        bool auto_ack = true;    // acknowledge subscribe, unsubscribe, publish, ping
        bool refuse_publish = false;  // answer publishes as to an anonymous client
        bool stall_publish = false;   // a publish frame's send blocks until this is false (or shutdown)
        int stalled = 0;              // sends blocked by stall_publish now
        int published = 0;
        int shutdowns = 0;
        int messages = 0;  // pushed by message() without an id
    };

    class connection final : public bosbase::websocket_connection {
    public:
        connection(std::shared_ptr<state> s, int generation) : s_(std::move(s)), generation_(generation) {}
        ~connection() override { shutdown(); }

        bosbase::websocket_frame read(std::string& message) override {
            std::unique_lock<std::mutex> lock(s_->m);
            s_->cv.wait(lock, [&] {
                if (shut_) return !s_->hold_shut_reads;
                return stale() || !s_->inbound.empty() || s_->closing;
            });
            if (shut_ || stale() || s_->inbound.empty()) {
                end_locked();
                return bosbase::websocket_frame::closed;
            }
            auto front = std::move(s_->inbound.front());
            s_->inbound.pop_front();
            message = std::move(front.second);
            return front.first;
        }

        bool send_text(std::string_view message) override {
            std::unique_lock<std::mutex> lock(s_->m);
            if (s_->stall_publish && message.find(R"("type":"publish")") != std::string_view::npos) {
                ++s_->stalled;
                s_->cv.notify_all();
                s_->cv.wait(lock, [&] { return !s_->stall_publish || shut_; });
                --s_->stalled;
            }
            if (shut_ || stale()) {
                ++s_->sends_refused;
                s_->cv.notify_all();
                return false;
            }
            s_->sent.emplace_back(message);
            if (s_->auto_ack) answer_locked(std::string(message));
            s_->cv.notify_all();
            return true;
        }

        void shutdown() noexcept override {
            std::lock_guard<std::mutex> lock(s_->m);
            if (!shut_) ++s_->shutdowns;
            shut_ = true;
            end_locked();
            s_->cv.notify_all();
        }

    private:
        bool stale() const { return s_->generation != generation_ || !s_->open; }
        void end_locked() {
            if (!stale()) {
                s_->open = false;
                s_->closing = false;
                s_->inbound.clear();
                s_->cv.notify_all();
            }
        }
        void answer_locked(const std::string& frame) {
            const auto f = bosbase::json::parse(frame);
            const std::string type = f.value("type", "");
            const std::string id = f.value("requestId", "");
            bosbase::json out;
            if (type == "subscribe") out = {{"type", "subscribed"}, {"requestId", id}};
            if (type == "unsubscribe") out = {{"type", "unsubscribed"}, {"requestId", id}};
            if (type == "ping") out = {{"type", "pong"}, {"requestId", id}};
            if (type == "publish" && s_->refuse_publish) {
                out = {{"type", "error"}, {"requestId", id}, {"message", "authentication required to publish"}};
            } else if (type == "publish") {
                ++s_->published;
                out = {{"type", "published"}, {"requestId", id}, {"id", "m" + std::to_string(s_->published)},
                       {"topic", f.value("topic", "")}, {"created", "2026-12-05 01:00:00.000Z"}};
            }
            if (!out.is_null()) s_->inbound.emplace_back(bosbase::websocket_frame::text, out.dump());
        }

        std::shared_ptr<state> s_;
        const int generation_;
        bool shut_ = false;  // guarded by s_->m
    };

    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request&) { return {204, {}, {}}; }

    std::unique_ptr<bosbase::websocket_connection> connect_websocket(const bosbase::websocket_request& req) {
        std::lock_guard<std::mutex> lock(s->m);
        s->connects.push_back(req);
        s->cv.notify_all();
        if (req.cancel && req.cancel->is_canceled()) {
            throw bosbase::transport_error(bosbase::error_kind::canceled, "cancelled");
        }
        if (s->refuse_next > 0) {
            --s->refuse_next;
            throw bosbase::transport_error(s->refuse_kind, "refused by the fake");
        }
        if (s->refuse_status != 0 && s->refuse_times != 0) {
            if (s->refuse_times > 0) --s->refuse_times;
            throw bosbase::websocket_refused(s->refuse_status, s->refuse_body,
                                             "the server answered the upgrade with HTTP " +
                                                 std::to_string(s->refuse_status));
        }
        ++s->generation;
        s->open = true;
        s->closing = false;
        s->inbound.clear();
        if (s->auto_ready) {
            s->inbound.emplace_back(bosbase::websocket_frame::text,
                                    R"({"type":"ready","clientId":"client)" + std::to_string(s->generation) + "\"}");
        }
        return std::make_unique<connection>(s, s->generation);
    }

    // --- the test's side -----------------------------------------------------------

    void push(const std::string& text, bosbase::websocket_frame kind = bosbase::websocket_frame::text) const {
        std::lock_guard<std::mutex> lock(s->m);
        s->inbound.emplace_back(kind, text);
        s->cv.notify_all();
    }

    // Without an id, one of its own ("x1", "x2", ...): the server's ids are unique, and the SDK
    // delivers each once.
    void message(const std::string& topic, const bosbase::json& data, const std::string& created,
                 std::string id = {}) const {
        if (id.empty()) {
            std::lock_guard<std::mutex> lock(s->m);
            id = "x" + std::to_string(++s->messages);
        }
        push(bosbase::json{{"type", "message"}, {"id", id}, {"topic", topic}, {"data", data}, {"created", created}}
                 .dump());
    }

    // The server closes the socket (after what is already pushed).
    void close() const {
        std::lock_guard<std::mutex> lock(s->m);
        s->closing = true;
        s->cv.notify_all();
    }

    template <class Pred>
    bool wait(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) const {
        std::unique_lock<std::mutex> lock(s->m);
        return s->cv.wait_for(lock, limit, [&] { return pred(*s); });
    }

    template <class Fn>
    auto with(Fn fn) const {
        std::lock_guard<std::mutex> lock(s->m);
        return fn(*s);
    }

    std::vector<std::string> sent() const {
        return with([](state& st) { return st.sent; });
    }

    // The frames sent of one type, parsed.
    std::vector<bosbase::json> sent_of(const std::string& type) const {
        std::vector<bosbase::json> out;
        for (const auto& f : sent()) {
            auto j = bosbase::json::parse(f);
            if (j.value("type", "") == type) out.push_back(j);
        }
        return out;
    }
};

}  // namespace bosbase_test
