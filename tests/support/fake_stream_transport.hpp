// A thread-safe fake transport with the streaming call: the test pushes SSE bytes
// into the open stream, ends it, makes connects fail, and answers the
// subscription POSTs. Every wait here is bounded (condition variable + timeout).
#pragma once

#include <bosbase.hpp>
#include <cancel_while_running.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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
        int answer_next = 0;             // stream() calls answered with answer_status instead of a stream
        int answer_status = 503;
        int opened = 0;
        int cancels = 0;
        bool hold_posts = false;   // send() waits until this is false again (or its cancel or deadline)
        int held = 0;              // sends waiting now
        bool copies_gone = false;  // the last copy of the transport was destroyed
    };

    // Tells the test when the last copy of this transport is gone: the client's and
    // realtime's own copies die with their owners, so this shows that they did.
    struct copy_tracker {
        std::shared_ptr<state> s;
        ~copy_tracker() {
            std::lock_guard<std::mutex> lock(s->m);
            s->copies_gone = true;
            s->cv.notify_all();
        }
    };

    std::shared_ptr<state> s = std::make_shared<state>();
    std::shared_ptr<copy_tracker> copies{new copy_tracker{s}};

    bosbase::http_response send(const bosbase::http_request& req) {
        std::function<bosbase::http_response(const bosbase::http_request&)> answer;
        {
            std::unique_lock<std::mutex> lock(s->m);
            s->posts.push_back(req);
            answer = s->on_send;
            s->cv.notify_all();
            if (s->hold_posts) wait_while_held(lock, req);
        }
        if (answer) return answer(req);
        return bosbase::http_response{204, {}, {}};
    }

    // A server that takes the request and does not answer: the wait ends when the test
    // releases it, the request's cancel token fires, or its deadline passes.
    void wait_while_held(std::unique_lock<std::mutex>& lock, const bosbase::http_request& req) {
        auto st = s;
        auto canceled = std::make_shared<bool>(false);
        ++st->held;
        st->cv.notify_all();
        lock.unlock();
        bosbase::cancel_token::registration wake;
        if (req.cancel) {
            wake = req.cancel->on_cancel([st, canceled] {
                std::lock_guard<std::mutex> inner(st->m);
                *canceled = true;
                st->cv.notify_all();
            });
        }
        lock.lock();
        const bool released = st->cv.wait_until(lock, req.deadline, [&] { return !st->hold_posts || *canceled; });
        const bool was_canceled = *canceled;
        --st->held;
        st->cv.notify_all();
        lock.unlock();
        wake.reset();  // unlocked: a cancel callback running now takes the lock
        lock.lock();
        if (was_canceled) throw bosbase::transport_error(bosbase::error_kind::canceled, "POST cancelled (fake)");
        if (!released) throw bosbase::transport_error(bosbase::error_kind::deadline, "POST past its deadline (fake)");
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
            if (st->answer_next > 0) {
                --st->answer_next;
                st->cv.notify_all();
                return bosbase::http_response{st->answer_status, {}, {}};
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
        return wait_on(s, pred, limit);
    }

    // For a test that handed its transport to the client and kept only the state.
    template <class Pred>
    static bool wait_on(const std::shared_ptr<state>& st, Pred pred,
                        std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        std::unique_lock<std::mutex> lock(st->m);
        return st->cv.wait_for(lock, limit, [&] { return pred(*st); });
    }

    void hold_posts(bool hold) {
        std::lock_guard<std::mutex> lock(s->m);
        s->hold_posts = hold;
        s->cv.notify_all();
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
