// Realtime: the SSE parser, the exact subscription requests, reconnects, auth
// changes and the lifetime rules, all through a fake streaming transport.
#include <doctest/doctest.h>
#include <fake_stream_transport.hpp>
#include <fake_transport.hpp>

#include <bosbase.hpp>

#include <atomic>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using bosbase::json;
using bosbase_test::fake_stream_client;
using bosbase_test::fake_stream_transport;
using bosbase_test::mailbox;
using namespace std::string_literals;

namespace {

using events = std::vector<bosbase::detail::sse_event>;
using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;


using bosbase_test::cancel_outcome;
using bosbase_test::cancel_while_running;

using bosbase_test::check_prompt_abort;

bosbase::request_options with(const bosbase::cancel_token& token) {
    bosbase::request_options o;
    o.cancel = token;
    return o;
}

events parse_all(const std::vector<std::string>& chunks, std::size_t cap = 1 << 20, std::string* error = nullptr) {
    bosbase::detail::sse_parser parser(cap);
    events out;
    for (const auto& c : chunks) {
        if (!parser.feed(c, [&](const bosbase::detail::sse_event& e) {
                out.push_back(e);
                return true;
            })) {
            break;
        }
    }
    if (error) *error = parser.error();
    return out;
}

std::string describe(const events& evs) {
    std::string s;
    for (const auto& e : evs) s += "[" + e.event + "|" + e.data + "|" + e.id + "]";
    return s;
}

struct framing {
    const char* name;
    std::string input;
    std::string expected;
};

const std::vector<framing>& framings() {
    static const std::vector<framing> table = {
        {"PocketBase's own frame, no spaces", "id:abc\nevent:PB_CONNECT\ndata:{\"clientId\":\"abc\"}\n\n",
         "[PB_CONNECT|{\"clientId\":\"abc\"}|abc]"},
        {"one space after the colon is dropped, a second kept", "event: x\ndata:  two\n\n", "[x| two|]"},
        {"CRLF line ends", "event:a\r\ndata:1\r\n\r\n", "[a|1|]"},
        {"CR line ends", "event:a\rdata:1\r\r", "[a|1|]"},
        {"mixed line ends", "event:a\r\ndata:1\rdata:2\n\r\n", "[a|1\n2|]"},
        {"multi-line data", "data:l1\ndata:l2\ndata:\n\n", "[message|l1\nl2\n|]"},
        {"comments are ignored", ":hello\n: keep-alive\ndata:x\n:c\n\n", "[message|x|]"},
        {"no data, no event", "event:lonely\n\nid:7\n\n", ""},
        {"event name resets after each event", "event:a\ndata:1\n\ndata:2\n\n", "[a|1|][message|2|]"},
        {"id persists across events", "id:1\ndata:a\n\ndata:b\n\n", "[message|a|1][message|b|1]"},
        {"id with NUL is ignored", "id:1\ndata:a\n\nid:x\0y\ndata:b\n\n"s,
         "[message|a|1][message|b|1]"},
        {"a field without colon", "data\n\n", "[message||]"},
        {"unknown fields are ignored", "foo:bar\ndata:x\n\n", "[message|x|]"},
        {"BOM at the start", "\xEF\xBB\xBF" "data:x\n\n", "[message|x|]"},
        {"an unfinished event is not dispatched", "data:x\n\ndata:partial\n", "[message|x|]"},
        {"retry is parsed, not dispatched", "retry:1500\ndata:x\n\n", "[message|x|]"},
    };
    return table;
}

}  // namespace

TEST_CASE("sse_parser: a table of framings, whole") {
    for (const auto& f : framings()) {
        CAPTURE(f.name);
        CHECK(describe(parse_all({f.input})) == f.expected);
    }
}

TEST_CASE("sse_parser: every framing split at every byte and at random points gives the same events") {
    std::mt19937 rng(12345);
    for (const auto& f : framings()) {
        CAPTURE(f.name);
        for (std::size_t cut = 0; cut <= f.input.size(); ++cut) {
            CHECK(describe(parse_all({f.input.substr(0, cut), f.input.substr(cut)})) == f.expected);
        }
        for (int round = 0; round < 200; ++round) {
            std::vector<std::string> parts;
            std::size_t pos = 0;
            while (pos < f.input.size()) {
                const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 4)(rng);
                parts.push_back(f.input.substr(pos, n));
                pos += n;
            }
            CHECK(describe(parse_all(parts)) == f.expected);
        }
    }
}

TEST_CASE("sse_parser: retry and the size cap per event") {
    bosbase::detail::sse_parser parser(1 << 10);
    CHECK(parser.feed("retry:1500\nretry:x\n\n", [](const auto&) { return true; }));
    REQUIRE(parser.retry());
    CHECK(parser.retry()->count() == 1500);

    std::string error;
    const auto evs = parse_all({"data:small\n\n", "data:" + std::string(2000, 'x') + "\n\n", "data:after\n\n"}, 1024,
                               &error);
    CHECK(describe(evs) == "[message|small|]");
    CHECK(error.find("max_event_bytes (1024 bytes)") != std::string::npos);

    // A line that never ends is capped too, whatever the chunking.
    bosbase::detail::sse_parser endless(1024);
    bool ok = true;
    for (int i = 0; i < 100 && ok; ++i) ok = endless.feed(std::string(100, 'y'), [](const auto&) { return true; });
    CHECK_FALSE(ok);
    CHECK_FALSE(endless.error().empty());

    // Many data lines add up.
    std::string many;
    for (int i = 0; i < 200; ++i) many += "data:0123456789\n";
    CHECK(parse_all({many + "\n"}, 1024, &error).empty());
    CHECK_FALSE(error.empty());
}

TEST_CASE("realtime topic strings carry options exactly as the JS SDK encodes them") {
    using bosbase::detail::realtime_topic_key;
    CHECK(realtime_topic_key("posts/*", std::nullopt) == "posts/*");

    bosbase::subscribe_options expand;
    expand.expand = "author";
    // The example of the protocol sheet, byte for byte.
    CHECK(realtime_topic_key("posts/r1", expand) ==
          "posts/r1?options=%7B%22query%22%3A%7B%22expand%22%3A%22author%22%7D%7D");

    bosbase::subscribe_options all;
    all.filter = "title ~ 'a b'";
    all.fields = "id,title";
    all.query = {{"page", 2}};
    all.headers = {{"X-Token-Like", "v"}};
    CHECK(realtime_topic_key("t?x=1", all) ==
          "t?x=1&options=" + bosbase::detail::encode_uri_component(
                                 R"({"query":{"filter":"title ~ 'a b'","fields":"id,title","page":2},"headers":{"X-Token-Like":"v"}})"));

    CHECK(realtime_topic_key("posts/*", bosbase::subscribe_options{}) ==
          "posts/*?options=" + bosbase::detail::encode_uri_component(R"({"query":{}})"));
}

TEST_CASE("realtime: subscribe opens one stream without auth and POSTs the whole set") {
    fake_stream_transport t;
    mailbox<bosbase::realtime_event> got;
    fake_stream_client pb("http://127.0.0.1:8090/base", t);

    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) { got.put(e); });
    REQUIRE(t.post_count() == 1);
    const auto first = t.post(0);
    CHECK(first.method == "POST");
    CHECK(first.target == "/base/api/realtime");
    CHECK(json::parse(first.body) == json{{"clientId", "client1"}, {"subscriptions", {"posts/*"}}});
    {
        std::lock_guard<std::mutex> lock(t.s->m);
        REQUIRE(t.s->stream_requests.size() == 1);
        const auto& get = t.s->stream_requests[0];
        CHECK(get.method == "GET");
        CHECK(get.target == "/base/api/realtime");
        CHECK(bosbase_test::header(get, "Authorization") == "<absent>");
        CHECK(bosbase_test::header(get, "Accept") == "text/event-stream");
    }
    CHECK(pb.realtime().is_connected());
    CHECK(pb.realtime().client_id() == "client1");

    bosbase::subscribe_options opts;
    opts.filter = "title != ''";
    auto one = pb.collection("posts").subscribe("r1", [&](const bosbase::realtime_event& e) { got.put(e); }, opts);
    REQUIRE(t.post_count() == 2);
    const std::string key = bosbase::detail::realtime_topic_key("posts/r1", opts);
    CHECK(json::parse(t.post(1).body) == json{{"clientId", "client1"}, {"subscriptions", {"posts/*", key}}});
    CHECK(one.topic() == key);

    t.push_event("posts/*", {{"record", {{"id", "r9"}, {"title", "hi"}}}, {"action", "create"}});
    t.push_event(key, {{"record", {{"id", "r1"}}}, {"action", "update"}});
    REQUIRE(got.wait_count(2));
    const auto items = got.items();
    CHECK(items[0].topic == "posts/*");
    CHECK(items[0].action == "create");
    CHECK(items[0].record["title"] == "hi");
    CHECK(items[1].topic == key);
    CHECK(items[1].action == "update");

    // A second callback on the same topic adds no POST; dropping one topic shrinks the set.
    auto again = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
    CHECK(t.post_count() == 2);
    one.unsubscribe();
    CHECK_FALSE(one.active());
    REQUIRE(t.post_count() == 3);
    CHECK(json::parse(t.last_post().body)["subscriptions"] == json{"posts/*"});
}

TEST_CASE("realtime: the last unsubscribe closes the stream without a POST, and on_disconnect says why") {
    fake_stream_transport t;
    mailbox<bosbase::realtime_disconnect> gone;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().on_disconnect([&](const bosbase::realtime_disconnect& d) { gone.put(d); });
    {
        auto sub = pb.realtime().subscribe("custom", [](const bosbase::realtime_event&) {});
        CHECK(t.post_count() == 1);
    }
    REQUIRE(gone.wait_count(1));
    CHECK(gone.items()[0].reason == "no subscriptions left");
    CHECK_FALSE(gone.items()[0].reconnecting);
    CHECK(t.wait_for([](auto& s) { return !s.open; }));
    CHECK(t.post_count() == 1);
    CHECK_FALSE(pb.realtime().is_connected());

    // Subscribing again opens a new stream; that is not a reconnect.
    auto sub = pb.realtime().subscribe("custom", [](const bosbase::realtime_event&) {});
    CHECK(json::parse(t.last_post().body)["clientId"] == "client2");
}

TEST_CASE("realtime: a closed stream (idle close, server restart) reconnects, resubmits and fires the callbacks") {
    fake_stream_transport t;
    mailbox<std::string> connects, reconnects;
    mailbox<bosbase::realtime_disconnect> gone;
    mailbox<bosbase::realtime_event> got;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    bosbase::realtime_options o;
    o.reconnect_delay = std::chrono::milliseconds(1);
    o.max_reconnect_delay = std::chrono::milliseconds(5);
    pb.realtime().set_options(o);
    pb.realtime().on_connect([&](const std::string& id) { connects.put(id); });
    pb.realtime().on_reconnect([&](const std::string& id) { reconnects.put(id); });
    pb.realtime().on_disconnect([&](const bosbase::realtime_disconnect& d) { gone.put(d); });
    auto sub = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event& e) { got.put(e); });
    REQUIRE(connects.wait_count(1));

    {
        std::lock_guard<std::mutex> lock(t.s->m);
        t.s->refuse_next = 3;  // the server is down for three attempts
    }
    t.end_stream();
    REQUIRE(gone.wait_count(1));
    CHECK(gone.items()[0].reason == "the server closed the stream");
    CHECK(gone.items()[0].kind == bosbase::error_kind::none);
    CHECK(gone.items()[0].reconnecting);
    CHECK(gone.items()[0].topics == std::vector<std::string>{"posts/*"});
    REQUIRE(reconnects.wait_count(1));
    CHECK(reconnects.items()[0] == "client2");
    CHECK(connects.wait_count(2));
    CHECK(json::parse(t.last_post().body) == json{{"clientId", "client2"}, {"subscriptions", {"posts/*"}}});
    {
        std::lock_guard<std::mutex> lock(t.s->m);
        CHECK(t.s->stream_requests.size() == 5);  // first, three refused, the one that worked
    }
    t.push_event("posts/*", {{"action", "delete"}, {"record", {{"id", "x"}}}});
    REQUIRE(got.wait_count(1));
    CHECK(got.items()[0].action == "delete");
}

TEST_CASE("realtime: an auth change resubmits with the new token on a new connection, a kept token does not") {
    fake_stream_transport t;
    mailbox<std::string> reconnects;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().on_reconnect([&](const std::string& id) { reconnects.put(id); });
    auto sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
    CHECK(bosbase_test::header(t.post(0), "Authorization") == "<absent>");

    const std::string token = bosbase_test::valid_auth_token();
    pb.auth_store().save(token, json{{"id", "r1"}, {"collectionName", "users"}});
    REQUIRE(reconnects.wait_count(1));
    REQUIRE(t.wait_for([](auto& s) { return s.posts.size() == 2; }));
    CHECK(bosbase_test::header(t.post(1), "Authorization") == token);
    CHECK(json::parse(t.post(1).body)["clientId"] == "client2");

    // Same token (a record merge after update()): nothing happens.
    pb.auth_store().save(token, json{{"id", "r1"}, {"collectionName", "users"}, {"name", "new"}});
    // Sign-out: a new connection again, without Authorization.
    pb.auth_store().clear();
    REQUIRE(reconnects.wait_count(2));
    REQUIRE(t.wait_for([](auto& s) { return s.posts.size() == 3; }));
    CHECK(bosbase_test::header(t.post(2), "Authorization") == "<absent>");
    CHECK(json::parse(t.post(2).body)["clientId"] == "client3");
}

TEST_CASE("realtime: subscribe fails clearly when there is no connection or the server refuses the set") {
    SUBCASE("connection refused") {
        fake_stream_transport t;
        t.s->refuse_next = 1;
        fake_stream_client pb("http://127.0.0.1:8090", t);
        try {
            (void)pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
            FAIL("subscribe should throw");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 0);
            CHECK(e.error_kind() == bosbase::error_kind::connect);
        }
        CHECK(pb.realtime().topics().empty());
    }
    SUBCASE("the POST is refused") {
        fake_stream_transport t;
        t.s->on_send = [](const bosbase::http_request&) {
            return bosbase::http_response{403, {}, R"({"status":403,"message":"The current and the previous request authorization don't match.","data":{}})"};
        };
        fake_stream_client pb("http://127.0.0.1:8090", t);
        try {
            (void)pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
            FAIL("subscribe should throw");
        } catch (const bosbase::ClientResponseError& e) {
            CHECK(e.status() == 403);
        }
        CHECK(pb.realtime().topics().empty());
    }
    SUBCASE("bad input") {
        fake_stream_transport t;
        fake_stream_client pb("http://127.0.0.1:8090", t);
        auto noop = [](const bosbase::realtime_event&) {};
        CHECK_THROWS_AS(pb.realtime().subscribe("", noop), std::invalid_argument);
        CHECK_THROWS_AS(pb.realtime().subscribe(std::string(2501, 'a'), noop), std::invalid_argument);
        CHECK_THROWS_AS(pb.realtime().subscribe("bad\xff", noop), std::invalid_argument);
        CHECK_THROWS_AS(pb.realtime().subscribe("ok", nullptr), std::invalid_argument);
        CHECK_THROWS_AS(pb.collection("posts").subscribe("", noop), std::invalid_argument);
        CHECK(t.post_count() == 0);
    }
}

TEST_CASE("realtime: a throwing callback does not stop the stream or the other callbacks") {
    fake_stream_transport t;
    mailbox<std::string> got;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    auto bad = pb.realtime().subscribe("topic", [](const bosbase::realtime_event&) { throw std::runtime_error("x"); });
    auto good = pb.realtime().subscribe("topic", [&](const bosbase::realtime_event& e) { got.put(e.data.dump()); });
    t.push_event("topic", {{"n", 1}});
    t.push("event:topic\ndata:not json\n\n");
    t.push_event("topic", {{"n", 2}});
    REQUIRE(got.wait_count(3));
    CHECK(got.items() == std::vector<std::string>{R"({"n":1})", "{}", R"({"n":2})"});
}

TEST_CASE("run_realtime_stream: whatever the transport throws becomes the reason, and nothing escapes the thread") {
    struct throwing_transport {
        int which = 0;
        bosbase::http_response stream(const bosbase::http_request&, const bosbase::stream_handler&) {
            switch (which) {
            case 0: throw bosbase::transport_error(bosbase::error_kind::timeout, "no byte for 30 s");
            case 1: throw std::runtime_error("socket closed");
            case 2: throw std::bad_alloc();
            default: throw 42;
            }
        }
    };
    struct row {
        bosbase::error_kind kind;
        std::string reason;
    };
    const std::vector<row> table = {{bosbase::error_kind::timeout, "no byte for 30 s"},
                                    {bosbase::error_kind::other, "socket closed"},
                                    {bosbase::error_kind::other, "out of memory"},
                                    {bosbase::error_kind::other, "the transport threw a non-standard exception"}};
    bosbase::http_request req;
    req.origin = "http://127.0.0.1:8090";
    req.target = "/api/realtime";
    for (int i = 0; i < static_cast<int>(table.size()); ++i) {
        CAPTURE(i);
        bosbase::detail::transport_holder<throwing_transport> t(throwing_transport{i});
        bosbase::detail::realtime_connection_end end;
        CHECK_NOTHROW(end = bosbase::detail::run_realtime_stream(
                          t, req, 1024, [](const bosbase::detail::sse_event&, auto&) { return true; }));
        CHECK(end.info.kind == table[i].kind);
        CHECK(end.info.reason == table[i].reason);
        REQUIRE(end.error.has_value());
        CHECK(end.error->error_kind() == table[i].kind);
        CHECK(end.error->original_error() == "realtime connection failed: " + table[i].reason);
    }
}

TEST_CASE("realtime: an oversized event ends the connection with too_large and the SDK reconnects") {
    fake_stream_transport t;
    mailbox<bosbase::realtime_disconnect> gone;
    mailbox<std::string> reconnects;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    bosbase::realtime_options o;
    o.max_event_bytes = 256;
    o.reconnect_delay = std::chrono::milliseconds(1);
    pb.realtime().set_options(o);
    pb.realtime().on_disconnect([&](const bosbase::realtime_disconnect& d) { gone.put(d); });
    pb.realtime().on_reconnect([&](const std::string& id) { reconnects.put(id); });
    auto sub = pb.realtime().subscribe("topic", [](const bosbase::realtime_event&) {});
    t.push("event:topic\ndata:" + std::string(1000, 'x') + "\n\n");
    REQUIRE(gone.wait_count(1));
    CHECK(gone.items()[0].kind == bosbase::error_kind::too_large);
    CHECK(reconnects.wait_count(1));
}

TEST_CASE("realtime: the client's destructor interrupts a blocked stream and joins promptly") {
    fake_stream_transport t;
    auto started = std::chrono::steady_clock::now();
    {
        fake_stream_client pb("http://127.0.0.1:8090", t);
        auto sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
        REQUIRE(t.wait_for([](auto& s) { return s.open; }));
        started = std::chrono::steady_clock::now();
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    std::lock_guard<std::mutex> lock(t.s->m);
    CHECK_FALSE(t.s->open);
    CHECK(t.s->cancels >= 1);
}

TEST_CASE("realtime: a subscription does not keep the client alive and a handle outliving it is inert") {
    fake_stream_transport t;
    bosbase::subscription sub;
    {
        fake_stream_client pb("http://127.0.0.1:8090", t);
        sub = pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
    }
    CHECK(t.wait_for([](auto& s) { return !s.open; }));
    CHECK(sub.active());
    sub.unsubscribe();  // the client is gone: nothing to do, no throw
    CHECK_FALSE(sub.active());
}

TEST_CASE("realtime: the last handle to the client dying inside a callback ends the thread on its own") {
    fake_stream_transport t;
    auto holder = std::make_shared<fake_stream_client>("http://127.0.0.1:8090", t);
    auto sub = std::make_shared<bosbase::subscription>();
    std::atomic<int> calls{0};
    // The callback owns the client (a cycle) and breaks it by unsubscribing itself.
    *sub = holder->realtime().subscribe("topic", [holder, sub, &calls](const bosbase::realtime_event&) {
        ++calls;
        sub->unsubscribe();
    });
    holder.reset();
    t.push_event("topic", {{"n", 1}});
    CHECK(t.wait_for([](auto& s) { return !s.open; }));
    CHECK(calls == 1);
    // The client died on the realtime thread, which detached itself and ended: the
    // realtime state and the client's transport are gone (only `t` is left).
    std::weak_ptr<fake_stream_transport::copy_tracker> copies = t.copies;
    t.copies.reset();
    CHECK(t.wait_for([](auto& s) { return s.copies_gone; }));
    CHECK(copies.expired());
}

TEST_CASE("realtime: subscribe, unsubscribe and sign-in churn from several threads") {
    fake_stream_transport t;
    mailbox<int> always;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    bosbase::realtime_options o;
    o.reconnect_delay = std::chrono::milliseconds(1);
    o.max_reconnect_delay = std::chrono::milliseconds(2);
    pb.realtime().set_options(o);
    std::atomic<int> delivered{0};
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    auto keep = pb.realtime().subscribe("always", [&](const bosbase::realtime_event&) { always.put(1); });

    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < 60; ++k) {
                try {
                    auto sub = pb.collection("c" + std::to_string(i)).subscribe(
                        "*", [&](const bosbase::realtime_event&) { ++delivered; });
                    if (k % 3 == 0) sub.unsubscribe();
                } catch (const bosbase::ClientResponseError&) {
                    ++failures;  // a sign-in can swap the connection under a subscribe
                }
            }
        });
    }
    threads.emplace_back([&] {
        const std::string token = bosbase_test::valid_auth_token();
        for (int k = 0; k < 40; ++k) {
            if (k % 2 == 0) pb.auth_store().save(token + std::to_string(k), json::object());
            else pb.auth_store().clear();
        }
    });
    threads.emplace_back([&] {
        while (!done) {
            t.wait_for([](auto& s) { return s.chunks.size() < 16; }, std::chrono::milliseconds(100));
            t.push_event("always", {{"n", 1}});
        }
    });
    for (std::size_t i = 0; i + 1 < threads.size(); ++i) threads[i].join();
    done = true;
    threads.back().join();
    // Once the churn is over the stream settles and delivers again.
    bool settled = false;
    for (int i = 0; i < 100 && !settled; ++i) {
        const auto before = always.size();
        t.push_event("always", {{"n", 2}});
        settled = always.wait_count(before + 1, std::chrono::milliseconds(100));
    }
    CHECK(settled);
    CHECK(failures < 240);
    CHECK(pb.realtime().topics().front() == "always");
}

TEST_CASE("realtime: a subscribe cancelled while the stream never sends PB_CONNECT ends at once, leaving nothing") {
    fake_stream_transport t;
    t.s->auto_connect = false;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            (void)pb.collection("posts").subscribe("*", [](const bosbase::realtime_event&) {}, with(token));
        },
        [&] { return t.wait_for([](auto& s) { return s.open; }); }));
    CHECK(pb.realtime().topics().empty());
    CHECK(t.wait_for([](auto& s) { return !s.open; }));  // its connection goes with it
    CHECK(t.post_count() == 0);
}

TEST_CASE("realtime: a subscribe cancelled while the server does not confirm the set ends at once") {
    SUBCASE("the first subscription: the realtime thread's POST is stopped too") {
        fake_stream_transport t;
        t.hold_posts(true);
        fake_stream_client pb("http://127.0.0.1:8090", t);
        check_prompt_abort(cancel_while_running(
            [&](const bosbase::cancel_token& token) {
                (void)pb.realtime().subscribe("topic", [](const bosbase::realtime_event&) {}, with(token));
            },
            [&] { return t.wait_for([](auto& s) { return s.held == 1; }); }));
        CHECK(pb.realtime().topics().empty());
        CHECK(t.wait_for([](auto& s) { return s.held == 0 && !s.open; }));
        CHECK_FALSE(pb.realtime().is_connected());
    }
    SUBCASE("a later subscription: the caller's own POST is stopped, the others stay") {
        fake_stream_transport t;
        mailbox<std::string> got;
        fake_stream_client pb("http://127.0.0.1:8090", t);
        auto first = pb.realtime().subscribe("first", [&](const bosbase::realtime_event& e) { got.put(e.topic); });
        t.hold_posts(true);
        check_prompt_abort(cancel_while_running(
            [&](const bosbase::cancel_token& token) {
                (void)pb.realtime().subscribe("second", [](const bosbase::realtime_event&) {}, with(token));
            },
            [&] { return t.wait_for([](auto& s) { return s.held == 1; }); }));
        t.hold_posts(false);
        CHECK(pb.realtime().topics() == std::vector<std::string>{"first"});
        CHECK(pb.realtime().is_connected());
        CHECK(json::parse(t.last_post().body)["subscriptions"] == json{"first", "second"});  // the one cancelled
        // The next change puts the server's set right again, on the same connection.
        auto third = pb.realtime().subscribe("third", [](const bosbase::realtime_event&) {});
        CHECK(json::parse(t.last_post().body) == json{{"clientId", "client1"}, {"subscriptions", {"first", "third"}}});
        t.push_event("first", {{"n", 1}});
        CHECK(got.wait_count(1));
    }
}

TEST_CASE("realtime: a subscribe's deadline and subscribe_timeout bound its wait, and a spent token refuses it") {
    fake_stream_transport t;
    t.s->auto_connect = false;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    auto noop = [](const bosbase::realtime_event&) {};

    bosbase::request_options call;
    call.deadline = ms(50);
    const auto started = steady::now();
    try {
        (void)pb.realtime().subscribe("a", noop, call);
        FAIL("subscribe should throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.error_kind() == bosbase::error_kind::deadline);
        CHECK(std::string(e.what()).find("its deadline (50 ms)") != std::string::npos);
    }
    CHECK(steady::now() - started < std::chrono::seconds(2));

    bosbase::realtime_options o;
    o.subscribe_timeout = ms(50);
    pb.realtime().set_options(o);
    try {
        (void)pb.realtime().subscribe("b", noop);
        FAIL("subscribe should throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.error_kind() == bosbase::error_kind::timeout);
        CHECK(std::string(e.what()).find("subscribe_timeout (50 ms)") != std::string::npos);
    }
    CHECK(pb.realtime().topics().empty());

    bosbase::cancel_token spent;
    spent.cancel();
    try {
        (void)pb.realtime().subscribe("c", noop, with(spent));
        FAIL("subscribe should throw");
    } catch (const bosbase::ClientResponseError& e) {
        CHECK(e.is_abort());
    }
    CHECK(pb.realtime().topics().empty());
}

TEST_CASE("realtime: subscribe takes the subscription's options from request_options, and refuses what it cannot honour") {
    fake_stream_transport t;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    auto noop = [](const bosbase::realtime_event&) {};
    bosbase::request_options sorted;
    sorted.sort = "-created";
    CHECK_THROWS_AS(pb.realtime().subscribe("a", noop, sorted), std::invalid_argument);
    bosbase::request_options headers;
    headers.headers = {{"X-A", "1"}};
    // Two places for the subscription's options at once: refused, not merged.
    CHECK_THROWS_AS(pb.collection("posts").subscribe("*", noop, bosbase::subscribe_options{}, headers),
                    std::invalid_argument);
    CHECK(t.post_count() == 0);

    // filter, expand, fields, query and headers in request_options are the subscription's own,
    // the same key as the subscribe_options spelling; the call's bounds stay the call's.
    bosbase::request_options one;
    one.filter = "a = 1";
    one.headers = {{"X-A", "1"}};
    one.deadline = std::chrono::milliseconds(5000);
    bosbase::subscribe_options same;
    same.filter = "a = 1";
    same.headers = {{"X-A", "1"}};
    auto a = pb.collection("posts").subscribe("*", noop, one);
    CHECK(a.topic() == bosbase::detail::realtime_topic_key("posts/*", same));
    // Every spelling compiles: {} (no longer ambiguous), std::nullopt, subscribe_options, both.
    auto b = pb.realtime().subscribe("b", noop, {});
    auto c = pb.realtime().subscribe("c", noop, std::nullopt);
    auto d = pb.collection("posts").subscribe("r1", noop, same, bosbase::request_options{});
    CHECK(b.topic() == "b");
    CHECK(c.topic() == "c");
    CHECK(d.topic() == bosbase::detail::realtime_topic_key("posts/r1", same));
}

TEST_CASE("realtime: inside an async call, subscribe obeys the call's token and its handle still unsubscribes") {
    fake_stream_transport t;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    auto noop = [](const bosbase::realtime_event&) {};
    // The async view reaches the core without owning it; the handle must still find it.
    auto sub = pb.async([&](const fake_stream_client& c) { return c.realtime().subscribe("topic", noop); }).get();
    CHECK(pb.realtime().topics() == std::vector<std::string>{"topic"});
    sub.unsubscribe();
    CHECK(pb.realtime().topics().empty());

    t.s->auto_connect = false;
    check_prompt_abort(cancel_while_running(
        [&](const bosbase::cancel_token& token) {
            (void)pb.async([&](const fake_stream_client& c) { return c.realtime().subscribe("other", noop); }, token)
                .get();
        },
        [&] { return t.wait_for([](auto& s) { return s.open && s.opened == 2; }); }));
    CHECK(pb.realtime().topics().empty());
}

TEST_CASE("realtime: unsubscribe() waits for its callback to return, and the callback never runs again") {
    fake_stream_transport t;
    mailbox<int> entered, others;
    std::atomic<bool> finished{false};
    std::atomic<int> calls{0};
    fake_stream_client pb("http://127.0.0.1:8090", t);
    auto sub = pb.realtime().subscribe("topic", [&](const bosbase::realtime_event&) {
        ++calls;
        entered.put(1);
        // Long enough that an unsubscribe() which did not wait would return first.
        std::this_thread::sleep_for(ms(200));
        finished = true;
    });
    auto other = pb.realtime().subscribe("topic", [&](const bosbase::realtime_event&) { others.put(1); });
    t.push_event("topic", {{"n", 1}});
    REQUIRE(entered.wait_count(1));
    sub.unsubscribe();
    CHECK(finished);
    REQUIRE(others.wait_count(1));
    t.push_event("topic", {{"n", 2}});
    REQUIRE(others.wait_count(2));  // the event was dispatched: the removed callback was skipped
    CHECK(calls == 1);
}

TEST_CASE("realtime: the realtime thread holds no reference to the client while it streams") {
    fake_stream_transport t;
    auto core = std::make_shared<bosbase::detail::client_core>(
        bosbase::detail::parse_base_url("http://127.0.0.1:8090"), bosbase::client_options{},
        std::make_unique<bosbase::detail::transport_holder<fake_stream_transport>>(t));
    std::weak_ptr<bosbase::detail::client_core> weak = core;
    bosbase::subscription sub;  // outlives the client
    auto pb = std::make_unique<fake_stream_client>(std::move(core));
    sub = pb->collection("posts").subscribe("*", [](const bosbase::realtime_event&) {});
    REQUIRE(t.wait_for([](auto& s) { return s.open; }));
    CHECK(weak.use_count() == 1);  // the client alone: the thread, blocked in stream(), has none

    const auto started = steady::now();
    pb.reset();
    CHECK(steady::now() - started < ms(500));
    CHECK(weak.expired());
    CHECK(t.wait_for([](auto& s) { return !s.open; }));
    CHECK(sub.active());
    sub.unsubscribe();  // nothing to do, no throw
}

TEST_CASE("realtime: the last client handle going while the realtime thread POSTs ends the client on that thread") {
    std::shared_ptr<fake_stream_transport::state> s;
    mailbox<std::string> connects;
    bosbase::subscription sub;  // outlives the client
    {
        fake_stream_transport t;
        s = t.s;
        auto pb = std::make_unique<fake_stream_client>("http://127.0.0.1:8090", std::move(t));
        bosbase::realtime_options o;
        o.reconnect_delay = ms(1);
        pb->realtime().set_options(o);
        pb->realtime().on_connect([&](const std::string& id) { connects.put(id); });
        sub = pb->realtime().subscribe("topic", [](const bosbase::realtime_event&) {});
        REQUIRE(connects.wait_count(1));
        {
            std::lock_guard<std::mutex> lock(s->m);
            s->hold_posts = true;
            s->end_requested = true;  // the server restarts: the thread reconnects and POSTs the set
        }
        s->cv.notify_all();
        REQUIRE(fake_stream_transport::wait_on(s, [](auto& st) { return st.held == 1; }));
        const auto started = steady::now();
        pb.reset();  // the realtime thread, in its POST, now holds the only reference
        CHECK(steady::now() - started < ms(500));
        {
            std::lock_guard<std::mutex> lock(s->m);
            s->hold_posts = false;  // the POST returns; the client's destructor runs on the realtime thread
        }
        s->cv.notify_all();
    }
    // It detaches itself, ends the stream and frees everything, its own copy of the
    // transport included: no copy is left once the thread is gone.
    CHECK(fake_stream_transport::wait_on(s, [](auto& st) { return st.copies_gone && !st.open; }));
    CHECK(connects.size() == 1);  // nothing of the app ran after the client was gone
    sub.unsubscribe();
}

TEST_CASE("realtime: the README's cancellable subscribe compiles and behaves as it says") {
    fake_stream_transport t;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    mailbox<std::string> outcome;
    auto on_post = [](const bosbase::realtime_event&) {};
    auto readme = [&](bosbase::cancel_token cancel) {
        // --- docs/services/realtime.md, "Cancelling a subscribe" (keep in sync) ---
        bosbase::request_options call;
        call.cancel = cancel;
        call.deadline = std::chrono::seconds(5);   // this call only, instead of subscribe_timeout
        try {
            auto live = pb.collection("posts").subscribe("*", on_post, call);
            // ... or with subscribe_options: subscribe("*", on_post, options, call)
            outcome.put("subscribed");
        } catch (const bosbase::ClientResponseError& e) {
            if (e.is_abort()) { outcome.put("cancelled"); }
        }
        // --- end of the snippet ---
    };
    readme(bosbase::cancel_token());
    bosbase::cancel_token spent;
    spent.cancel();
    readme(spent);
    CHECK(outcome.items() == std::vector<std::string>{"subscribed", "cancelled"});
    CHECK(pb.realtime().topics().empty());
}

// --- the surface realtime shares with pub/sub -----------------------------------------------

namespace {

struct rt_point {
    int x = 0;
    std::string id;
};

void from_json(const json& j, rt_point& p) {
    j.at("x").get_to(p.x);
    if (j.contains("id")) j.at("id").get_to(p.id);
}

bosbase::realtime_options rt_fast_options() {
    bosbase::realtime_options o;
    o.reconnect_delay = std::chrono::milliseconds(1);
    o.max_reconnect_delay = std::chrono::milliseconds(5);
    return o;
}

}  // namespace

static_assert(std::is_same_v<bosbase::realtime_disconnect, bosbase::disconnect_event>);
static_assert(std::is_same_v<bosbase::pubsub_disconnect, bosbase::disconnect_event>);
static_assert(std::is_same_v<bosbase::pubsub_reconnect, bosbase::connection_event>);

TEST_CASE("realtime: on_connect and on_reconnect get a connection_event, on_disconnect a disconnect_event") {
    fake_stream_transport t;
    mailbox<bosbase::connection_event> connects, reconnects;
    mailbox<bosbase::disconnect_event> gone;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().set_options(rt_fast_options());
    pb.realtime().on_connect([&](const bosbase::connection_event& e) { connects.put(e); });
    pb.realtime().on_reconnect([&](const bosbase::connection_event& e) { reconnects.put(e); });
    pb.realtime().on_disconnect([&](const bosbase::disconnect_event& d) { gone.put(d); });
    auto a = pb.realtime().subscribe("a", [](const bosbase::realtime_event&) {});
    auto b = pb.realtime().subscribe("b", [](const bosbase::realtime_event&) {});
    REQUIRE(connects.wait_count(1));
    const auto first = connects.items()[0];
    CHECK(first.client_id == "client1");
    CHECK_FALSE(first.reconnect);
    CHECK(first.topics == std::vector<std::string>{"a"});  // "b" came after the connection
    CHECK(first.disconnected_at == std::chrono::system_clock::time_point());
    CHECK(first.missed_since.empty());

    const auto before = std::chrono::system_clock::now();
    t.end_stream();
    REQUIRE(reconnects.wait_count(1));
    REQUIRE(connects.wait_count(2));
    const auto again = reconnects.items()[0];
    CHECK(again.client_id == "client2");
    CHECK(again.reconnect);
    CHECK(again.topics == std::vector<std::string>{"a", "b"});
    CHECK(again.disconnected_at >= before);
    CHECK(again.disconnected_at <= std::chrono::system_clock::now());
    CHECK(again.missed_since.empty());  // realtime events carry no server time
    CHECK(connects.items()[1].client_id == "client2");
    CHECK(connects.items()[1].reconnect);
    REQUIRE(gone.wait_count(1));
    CHECK(gone.items()[0].topics == std::vector<std::string>{"a", "b"});
    CHECK(gone.items()[0].reconnecting);
}

TEST_CASE("realtime: the earlier callback shapes still compile and work, and {} and nullptr clear a callback") {
    fake_stream_transport t;
    mailbox<std::string> connects, reconnects;
    mailbox<bosbase::realtime_disconnect> gone;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().set_options(rt_fast_options());
    pb.realtime().on_connect([&](const std::string& id) { connects.put(id); });
    std::function<void(const std::string&)> by_id = [&](const std::string& id) { reconnects.put(id); };
    pb.realtime().on_reconnect(by_id);
    pb.realtime().on_disconnect([&](const bosbase::realtime_disconnect& d) { gone.put(d); });
    auto sub = pb.realtime().subscribe("a", [](const bosbase::realtime_event&) {});
    REQUIRE(connects.wait_count(1));
    CHECK(connects.items()[0] == "client1");
    t.end_stream();
    REQUIRE(reconnects.wait_count(1));
    CHECK(reconnects.items()[0] == "client2");
    REQUIRE(connects.wait_count(2));

    // Cleared in each spelling: an empty std::function of the old shape, a null pointer, {} and nullptr.
    // (A captureless lambda of the old shape converts to a pointer too: it must still be taken.)
    pb.realtime().on_connect([](const std::string& client_id) { (void)client_id; });
    pb.realtime().on_connect(std::function<void(const std::string&)>());
    void (*no_function)(const std::string&) = nullptr;
    pb.realtime().on_connect(no_function);
    pb.realtime().on_reconnect({});
    pb.realtime().on_disconnect(nullptr);
    pb.realtime().on_connect(nullptr);
    pb.realtime().on_error({});
    pb.realtime().on_error(nullptr);
    mailbox<std::string> later;
    pb.realtime().on_reconnect([&](const std::string& id) { later.put(id); });
    pb.realtime().on_reconnect(std::function<void(const std::string&)>());
    pb.realtime().on_connect([&](const auto& e) { later.put("generic " + e.client_id); });  // the event's shape
    t.end_stream();
    REQUIRE(later.wait_count(1));
    CHECK(later.items()[0] == "generic client3");
    CHECK(connects.size() == 2);
    CHECK(reconnects.size() == 1);
    CHECK(gone.size() == 1);
    pb.realtime().unsubscribe();  // no argument: every subscription, as pub/sub's
    CHECK(pb.realtime().topics().empty());
}

TEST_CASE("realtime: disconnect() ends every subscription and closes the stream, as unsubscribe_all() does") {
    fake_stream_transport t;
    mailbox<bosbase::disconnect_event> gone;
    mailbox<bosbase::connection_event> connects;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().on_disconnect([&](const bosbase::disconnect_event& d) { gone.put(d); });
    pb.realtime().on_connect([&](const bosbase::connection_event& e) { connects.put(e); });
    pb.realtime().disconnect();  // nothing to end yet: no connection is opened for it
    CHECK(t.s->opened == 0);
    std::atomic<int> events{0};
    auto a = pb.realtime().subscribe("a", [&](const bosbase::realtime_event&) { ++events; });
    auto b = pb.collection("posts").subscribe("*", [&](const bosbase::realtime_event&) { ++events; });
    CHECK(pb.realtime().is_connected());
    pb.realtime().disconnect();
    CHECK(pb.realtime().topics().empty());
    REQUIRE(gone.wait_count(1));
    CHECK(gone.items()[0].reason == "disconnect() was called");
    CHECK(gone.items()[0].kind == bosbase::error_kind::none);
    CHECK_FALSE(gone.items()[0].reconnecting);
    CHECK(gone.items()[0].topics.empty());
    CHECK(t.wait_for([](auto& s) { return !s.open; }));
    CHECK_FALSE(pb.realtime().is_connected());
    CHECK(t.post_count() == 2);  // no POST to empty the set: the connection went instead
    a.unsubscribe();             // a handle ended by disconnect() does nothing more
    CHECK(t.post_count() == 2);

    // The next subscribe connects again: a new connection, not a reconnect.
    auto c = pb.realtime().subscribe("c", [&](const bosbase::realtime_event&) { ++events; });
    REQUIRE(connects.wait_count(2));
    CHECK(connects.items()[1].client_id == "client2");
    CHECK_FALSE(connects.items()[1].reconnect);
    pb.realtime().unsubscribe_all();
    REQUIRE(gone.wait_count(2));
    CHECK(gone.items()[1].reason == "disconnect() was called");
    CHECK(pb.realtime().topics().empty());
    CHECK(events.load() == 0);
}

TEST_CASE("realtime: subscribe<T> decodes the record (or a custom topic's data), and one that does not fit goes to on_error") {
    fake_stream_transport t;
    mailbox<bosbase::ClientResponseError> errors;
    mailbox<std::string> got;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().on_error([&](const bosbase::ClientResponseError& e) { errors.put(e); });
    bosbase::request_options o;
    o.headers = {{"X-Secret-Like", "s3cret"}};
    auto rec = pb.realtime().subscribe<rt_point>(
        "points/*", [&](const rt_point& p, const bosbase::realtime_event& e) {
            got.put(e.action + " " + p.id + " " + std::to_string(p.x));
        }, o);
    auto custom = pb.realtime().subscribe<int>(
        "count", [&](const int& n, const bosbase::realtime_event& e) { got.put(e.topic + " " + std::to_string(n)); });
    CHECK_THROWS_AS(pb.realtime().subscribe<int>("x", std::function<void(const int&, const bosbase::realtime_event&)>()),
                    std::invalid_argument);

    t.push_event(rec.topic(), {{"action", "create"}, {"record", {{"id", "r1"}, {"x", "not a number"}}}});
    t.push_event(rec.topic(), {{"action", "update"}, {"record", {{"id", "r2"}, {"x", 2}}}});
    t.push_event("count", "seven");
    t.push_event("count", 7);
    REQUIRE(got.wait_count(2));
    REQUIRE(errors.wait_count(2));
    CHECK(got.items() == std::vector<std::string>{"update r2 2", "count 7"});
    const auto errs = errors.items();
    for (const auto& e : errs) {
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        CHECK(e.status() == 0);
    }
    const std::string first = errs[0].what();
    CHECK(first.find("a realtime event on points/* does not fit the requested type") != std::string::npos);
    CHECK(first.find("s3cret") == std::string::npos);  // the topic without its options
    CHECK(first.find("options") == std::string::npos);
    CHECK(std::string(errs[1].what()).find("a realtime event on count does not fit") != std::string::npos);
    CHECK(pb.realtime().is_connected());
}

TEST_CASE("realtime: on_error hears of a connection the server refuses, once per new status, not of network failures") {
    fake_stream_transport t;
    mailbox<bosbase::ClientResponseError> errors;
    mailbox<bosbase::connection_event> reconnects;
    fake_stream_client pb("http://127.0.0.1:8090", t);
    pb.realtime().set_options(rt_fast_options());
    pb.realtime().on_error([&](const bosbase::ClientResponseError& e) { errors.put(e); });
    pb.realtime().on_reconnect([&](const bosbase::connection_event& e) { reconnects.put(e); });
    auto sub = pb.realtime().subscribe("a", [](const bosbase::realtime_event&) {});

    {
        std::lock_guard<std::mutex> lock(t.s->m);
        t.s->refuse_next = 2;  // network failures: retried, not reported
        t.s->answer_next = 3;  // then the stream refused with 503 three times: reported once
        t.s->on_send = [](const bosbase::http_request&) {
            return bosbase::http_response{403, {}, R"({"status":403,"message":"The current and the previous request authorization don't match.","data":{}})"};
        };
    }
    t.end_stream();
    // Several refused sets: reported once.
    REQUIRE(t.wait_for([](auto& s) { return s.posts.size() >= 5; }));
    REQUIRE(errors.wait_count(2));
    {
        std::lock_guard<std::mutex> lock(t.s->m);
        t.s->on_send = nullptr;
    }
    REQUIRE(reconnects.wait_count(1));
    REQUIRE(errors.size() == 2);
    CHECK(errors.items()[0].status() == 503);
    const auto e = errors.items()[1];
    CHECK(e.status() == 403);
    CHECK(std::string(e.what()).find("authorization don't match") != std::string::npos);

    // After a connection that worked, the same status is news again.
    {
        std::lock_guard<std::mutex> lock(t.s->m);
        t.s->on_send = [](const bosbase::http_request&) {
            return bosbase::http_response{403, {}, R"({"status":403,"message":"refused again","data":{}})"};
        };
    }
    t.end_stream();
    REQUIRE(errors.wait_count(3));
    CHECK(std::string(errors.items()[2].what()).find("refused again") != std::string::npos);
    {
        std::lock_guard<std::mutex> lock(t.s->m);
        t.s->on_send = nullptr;
    }
    REQUIRE(reconnects.wait_count(2));
}
