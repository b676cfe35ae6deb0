// A thread-safe fake transport with the streaming call: the test pushes SSE bytes
// into the open stream, ends it, makes connects fail, and answers the
// subscription POSTs. Every wait here is bounded (condition variable + timeout).
#pragma once

#include <bosbase.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bosbase_test {

struct fake_stream_transport {
    using clock = std::chrono::steady_clock;

    struct state {
        std::mutex m;
        std::condition_variable cv;
        std::vector<bosbase::http_request> posts;           // everything sent through send()
        std::vector<bosbase::http_request> stream_requests;  // every stream() call
        std::function<bosbase::http_response(const bosbase::http_request&)> on_send;  // default: 204
        std::deque<std::string> chunks;  // bytes waiting for the open stream
        bool end_requested = false;      // the "server" closes the open stream
        bool stop_requested = false;     // the stopper ran
        bool open = false;
        bool auto_connect = true;        // send PB_CONNECT as soon as a stream opens
        int refuse_next = 0;             // stream() calls that fail to connect
        int opened = 0;
        int cancels = 0;
    };

    std::shared_ptr<state> s = std::make_shared<state>();

    bosbase::http_response send(const bosbase::http_request& req) {
        std::function<bosbase::http_response(const bosbase::http_request&)> answer;
        {
            std::lock_guard<std::mutex> lock(s->m);
            s->posts.push_back(req);
            answer = s->on_send;
        }
        s->cv.notify_all();
        if (answer) return answer(req);
        return bosbase::http_response{204, {}, {}};
    }

    bosbase::http_response stream(const bosbase::http_request& req, const bosbase::stream_handler& on_data) {
        auto st = s;
        {
            std::lock_guard<std::mutex> lock(st->m);
            st->stream_requests.push_back(req);
            if (st->refuse_next > 0) {
                --st->refuse_next;
                st->cv.notify_all();
                throw bosbase::transport_error(bosbase::error_kind::connect, "could not connect (fake)");
            }
            ++st->opened;
            st->open = true;
            st->stop_requested = false;
            st->end_requested = false;
            st->chunks.clear();
            if (st->auto_connect) {
                const std::string id = "client" + std::to_string(st->opened);
                st->chunks.push_back("id:" + id + "\nevent:PB_CONNECT\ndata:{\"clientId\":\"" + id + "\"}\n\n");
            }
        }
        st->cv.notify_all();
        // A token cancelled already runs the stopper at once: the loop below then ends.
        bosbase::cancel_token::registration stopper;
        if (req.cancel) {
            stopper = req.cancel->on_cancel([st] {
                std::lock_guard<std::mutex> lock(st->m);
                st->stop_requested = true;
                ++st->cancels;
                st->cv.notify_all();
            });
        }
        std::unique_lock<std::mutex> lock(st->m);
        while (true) {
            st->cv.wait(lock, [&] { return st->stop_requested || st->end_requested || !st->chunks.empty(); });
            if (st->stop_requested) {
                st->open = false;
                st->cv.notify_all();
                throw bosbase::transport_error(bosbase::error_kind::canceled, "stream cancelled");
            }
            if (!st->chunks.empty()) {
                std::string chunk = std::move(st->chunks.front());
                st->chunks.pop_front();
                lock.unlock();
                const bool go_on = on_data(chunk);
                lock.lock();
                if (!go_on) break;
                continue;
            }
            break;  // end requested and nothing left
        }
        st->open = false;
        st->cv.notify_all();
        return bosbase::http_response{200, {{"Content-Type", "text/event-stream"}}, {}};
    }

    // --- test side ---------------------------------------------------------

    void close() {
        std::lock_guard<std::mutex> lock(s->m);
        s->open = false;
        s->cv.notify_all();
    }

    void push(std::string bytes) {
        {
            std::lock_guard<std::mutex> lock(s->m);
            s->chunks.push_back(std::move(bytes));
        }
        s->cv.notify_all();
    }

    void push_event(const std::string& topic, const bosbase::json& data) {
        push("id:x\nevent:" + topic + "\ndata:" + data.dump() + "\n\n");
    }

    // The "server" ends the open stream (like the idle close after 5 minutes).
    void end_stream() {
        {
            std::lock_guard<std::mutex> lock(s->m);
            s->end_requested = true;
        }
        s->cv.notify_all();
    }

    template <class Pred>
    bool wait_for(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        std::unique_lock<std::mutex> lock(s->m);
        return s->cv.wait_for(lock, limit, [&] { return pred(*s); });
    }

    std::size_t post_count() {
        std::lock_guard<std::mutex> lock(s->m);
        return s->posts.size();
    }

    bosbase::http_request post(std::size_t i) {
        std::lock_guard<std::mutex> lock(s->m);
        return s->posts.at(i);
    }

    bosbase::http_request last_post() {
        std::lock_guard<std::mutex> lock(s->m);
        return s->posts.back();
    }
};

using fake_stream_client = bosbase::basic_bosbase<fake_stream_transport>;

// Collects callback values across threads; waits are bounded.
template <class T>
class mailbox {
public:
    // Notifies under the lock: a waiter that saw the item may destroy the mailbox at once.
    void put(T v) {
        std::lock_guard<std::mutex> lock(m_);
        items_.push_back(std::move(v));
        cv_.notify_all();
    }

    bool wait_count(std::size_t n, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        std::unique_lock<std::mutex> lock(m_);
        return cv_.wait_for(lock, limit, [&] { return items_.size() >= n; });
    }

    std::vector<T> items() {
        std::lock_guard<std::mutex> lock(m_);
        return items_;
    }

    std::size_t size() {
        std::lock_guard<std::mutex> lock(m_);
        return items_.size();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<T> items_;
};

}  // namespace bosbase_test
