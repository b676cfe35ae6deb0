// The record API beyond CRUD: list options, full lists, first item, count,
// vector search, typed records, account flows, OAuth2 and external auths.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

#include <limits>

using bosbase::json;
using namespace bosbase_test;

namespace {

struct post {
    std::string id;
    std::string title;
    int likes = 0;
};

void from_json(const json& j, post& p) {
    j.at("id").get_to(p.id);
    j.at("title").get_to(p.title);
    p.likes = j.value("likes", 0);
}

void to_json(json& j, const post& p) {
    j = json{{"title", p.title}, {"likes", p.likes}};
    if (!p.id.empty()) j["id"] = p.id;
}

struct throwing_body {};
void to_json(json&, const throwing_body&) { throw std::runtime_error("no"); }

json page_of(json items, int page, int per_page, int total = -1) {
    return {{"items", std::move(items)}, {"page", page}, {"perPage", per_page}, {"totalItems", total},
            {"totalPages", total < 0 ? -1 : 1}};
}

// A braced list of one json is a copy of it for clang but an array for g++; say "array".
json page_of(std::initializer_list<json> items, int page, int per_page, int total = -1) {
    return page_of(json(std::vector<json>(items)), page, per_page, total);
}

json post_json(const std::string& id, const std::string& title = "t") {
    return {{"id", id}, {"title", title}, {"likes", 1}};
}

template <class F>
bosbase::ClientResponseError catch_error(F&& f) {
    try {
        f();
    } catch (const bosbase::ClientResponseError& e) {
        return e;
    }
    FAIL("no ClientResponseError");
    return bosbase::ClientResponseError("", 0, json::object());
}

}  // namespace

TEST_CASE("get_list: page and perPage, then the caller's query, then the named options") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, page_of(json::array(), 2, 5));
    bosbase::request_options opts;
    opts.query = {{"perPage", 7}, {"x", "1"}, {"sort", "title"}};
    opts.filter = "title != ''";
    opts.sort = "-created";  // replaces the query's sort in place, as JS option keys do
    opts.skip_total = true;
    opts.expand = "author";
    opts.fields = "id,title";
    (void)pb.collection("posts").get_list(2, 5, opts);
    CHECK(t.last().method == "GET");
    CHECK(t.last().target ==
          "/api/collections/posts/records?page=2&perPage=7&x=1&sort=-created&filter=title%20!%3D%20''"
          "&skipTotal=true&expand=author&fields=id%2Ctitle");
    CHECK(t.last().body.empty());

    t.reply_json(200, page_of(json::array(), 1, 30));
    bosbase::request_options no_skip;
    no_skip.skip_total = false;
    (void)pb.collection("posts").get_list(1, 30, no_skip);
    CHECK(t.last().target == "/api/collections/posts/records?page=1&perPage=30&skipTotal=false");
}

TEST_CASE("get_full_list pages with skipTotal=1 until a page is shorter than the server's perPage") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    // The server caps perPage: asked for 3, it answers 2 per page.
    t.reply_json(200, page_of({post_json("a"), post_json("b")}, 1, 2));
    t.reply_json(200, page_of({post_json("c"), post_json("d")}, 2, 2));
    t.reply_json(200, page_of({post_json("e")}, 3, 2));
    bosbase::request_options opts;
    opts.filter = "likes > 0";
    const json all = pb.collection("posts").get_full_list(3, opts);
    REQUIRE(all.is_array());
    REQUIRE(all.size() == 5);
    CHECK(all[4]["id"] == "e");
    REQUIRE(t.count() == 3);
    CHECK(t.s->requests[0].target ==
          "/api/collections/posts/records?page=1&perPage=3&skipTotal=1&filter=likes%20%3E%200");
    CHECK(t.s->requests[2].target ==
          "/api/collections/posts/records?page=3&perPage=3&skipTotal=1&filter=likes%20%3E%200");

    // the default batch is 500; an empty page ends the loop even when perPage says 0
    t.reply_json(200, page_of(json::array(), 1, 0));
    CHECK(pb.collection("posts").get_full_list().empty());
    CHECK(t.last().target == "/api/collections/posts/records?page=1&perPage=500&skipTotal=1");

    const auto typed = [&] {
        t.reply_json(200, page_of({post_json("a", "x")}, 1, 500));
        return pb.collection("posts").get_full_list<post>();
    }();
    REQUIRE(typed.size() == 1);
    CHECK(typed[0].title == "x");

    CHECK_THROWS_AS(pb.collection("posts").get_full_list(0), std::invalid_argument);

    t.reply_json(200, json{{"items", json::array({post_json("a")})}});  // no perPage
    auto e = catch_error([&] { (void)pb.collection("posts").get_full_list(); });
    CHECK(e.status() == 200);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
}

TEST_CASE("get_first_list_item: one item with skipTotal=1, and nothing matching is a 404 built on the client") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, page_of({post_json("p1", "hello")}, 1, 1));
    const json first = pb.collection("posts").get_first_list_item("title = 'hello'");
    CHECK(first["id"] == "p1");
    CHECK(t.last().target ==
          "/api/collections/posts/records?page=1&perPage=1&filter=title%20%3D%20'hello'&skipTotal=1");

    t.reply_json(200, page_of({post_json("p2", "typed")}, 1, 1));
    bosbase::request_options opts;
    opts.expand = "author";
    CHECK(pb.collection("posts").get_first_list_item<post>("likes > 0", opts).title == "typed");
    CHECK(t.last().target ==
          "/api/collections/posts/records?page=1&perPage=1&filter=likes%20%3E%200&skipTotal=1&expand=author");

    t.reply_json(200, page_of(json::array(), 1, 1));
    auto e = catch_error([&] { (void)pb.collection("posts").get_first_list_item("title = 'none'"); });
    CHECK(e.status() == 404);
    CHECK(e.url().empty());
    CHECK(e.response() ==
          json{{"code", 404}, {"message", "The requested resource wasn't found."}, {"data", json::object()}});
    CHECK(e.error_kind() == bosbase::error_kind::none);
}

TEST_CASE("get_count: GET .../records/count with the filter, the integer comes back") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, {{"count", 42}});
    CHECK(pb.collection("posts").get_count("likes > 1") == 42);
    CHECK(t.last().method == "GET");
    CHECK(t.last().target == "/api/collections/posts/records/count?filter=likes%20%3E%201");

    t.reply_json(200, {{"count", -1}});
    bosbase::request_options skip;
    skip.skip_total = true;
    CHECK(pb.collection("posts").get_count({}, skip) == -1);
    CHECK(t.last().target == "/api/collections/posts/records/count?skipTotal=true");

    for (const json& bad : {json{{"count", 1.5}}, json{{"count", "3"}}, json{{"total", 3}}, json::array({3}),
                            json{{"count", std::numeric_limits<std::uint64_t>::max()}}}) {
        t.reply_json(200, bad);
        auto e = catch_error([&] { (void)pb.collection("posts").get_count(); });
        CHECK(e.status() == 200);
        CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
        CHECK(e.url() == "http://127.0.0.1:8090/api/collections/posts/records/count");
    }
}

TEST_CASE("vector_search: POST .../records/search with only the fields that were set") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    bosbase::vector_search_options search;
    search.field = "embedding";
    search.query_vector = {0.5, -1, 2.25};
    t.reply_json(200, page_of({post_json("a")}, 1, 20));
    (void)pb.collection("docs").vector_search(search);
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/collections/docs/records/search");
    CHECK(t.last().content_type == "application/json");
    CHECK(json::parse(t.last().body) == json{{"field", "embedding"}, {"queryVector", {0.5, -1.0, 2.25}}});

    search.limit = 5;
    search.distance = "l2";
    search.filter = "status = 'active'";
    search.include_distance = false;
    t.reply_json(200, page_of({{{"id", "a"}, {"title", "x"}, {"_distance", 0.1}}}, 1, 5));
    bosbase::request_options opts;
    opts.expand = "owner";
    const auto typed = pb.collection("docs").vector_search<post>(search, opts);
    CHECK(typed.items.size() == 1);
    CHECK(typed.total_items == -1);
    CHECK(t.last().target == "/api/collections/docs/records/search?expand=owner");
    CHECK(json::parse(t.last().body) == json{{"field", "embedding"},
                                             {"queryVector", {0.5, -1.0, 2.25}},
                                             {"limit", 5},
                                             {"distance", "l2"},
                                             {"filter", "status = 'active'"},
                                             {"includeDistance", false}});

    search.query_vector = {1.0, std::numeric_limits<double>::quiet_NaN()};
    const auto sent = t.count();
    CHECK_THROWS_AS(pb.collection("docs").vector_search(search), std::invalid_argument);
    CHECK(t.count() == sent);
}

TEST_CASE("typed records: from_json and to_json beside the raw calls") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, post_json("p1", "one"));
    const post one = pb.collection("posts").get_one<post>("p1");
    CHECK(one.id == "p1");
    CHECK(one.title == "one");

    t.reply_json(200, page_of({post_json("a", "x"), post_json("b", "y")}, 3, 2, 6));
    const auto page = pb.collection("posts").get_list<post>(3, 2);
    CHECK(page.items.size() == 2);
    CHECK(page.items[1].title == "y");
    CHECK(page.page == 3);
    CHECK(page.per_page == 2);
    CHECK(page.total_items == 6);
    CHECK(page.total_pages == 1);
    CHECK(t.last().target == "/api/collections/posts/records?page=3&perPage=2");

    t.reply_json(200, post_json("new", "made"));
    const post made = pb.collection("posts").create<post>(post{"", "made", 3});
    CHECK(made.id == "new");
    CHECK(t.last().method == "POST");
    CHECK(json::parse(t.last().body) == json{{"title", "made"}, {"likes", 3}});

    t.reply_json(200, post_json("new", "changed"));
    const post changed = pb.collection("posts").update<post>("new", json{{"title", "changed"}});
    CHECK(changed.title == "changed");
    CHECK(t.last().method == "PATCH");
    CHECK(t.last().target == "/api/collections/posts/records/new");

    // A body whose to_json throws is bad input: nothing is sent.
    const auto sent = t.count();
    CHECK_THROWS_AS(pb.collection("posts").create<post>(throwing_body{}), std::invalid_argument);
    CHECK(t.count() == sent);

    // A response that does not fit the type is the server's trouble, with the real status.
    t.reply_json(201, json{{"id", 5}});
    auto e = catch_error([&] { (void)pb.collection("posts").get_one<post>("p1"); });
    CHECK(e.status() == 201);
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
    CHECK(e.url() == "http://127.0.0.1:8090/api/collections/posts/records/p1");
    CHECK(e.message().find("does not fit the requested type") != std::string::npos);

    t.reply_json(200, json{{"items", json::array()}, {"page", "1"}});
    e = catch_error([&] { (void)pb.collection("posts").get_list<post>(); });
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);

    t.reply_json(200, page_of({post_json("a"), json{{"id", "b"}}}, 1, 30));
    e = catch_error([&] { (void)pb.collection("posts").get_list<post>(); });
    CHECK(e.error_kind() == bosbase::error_kind::invalid_response);
}

TEST_CASE("password reset, verification and email change send the JS SDK's bodies") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    auto users = pb.collection("users");

    struct expected {
        std::function<void()> call;
        std::string path;
        json body;
    };
    const std::vector<expected> calls = {
        {[&] { users.request_password_reset("a@b.io"); }, "request-password-reset", {{"email", "a@b.io"}}},
        {[&] { users.confirm_password_reset("reset-token-1", "new-password", "new-password"); },
         "confirm-password-reset",
         {{"token", "reset-token-1"}, {"password", "new-password"}, {"passwordConfirm", "new-password"}}},
        {[&] { users.request_verification("a@b.io"); }, "request-verification", {{"email", "a@b.io"}}},
        {[&] { users.confirm_verification("verify-token-1"); }, "confirm-verification", {{"token", "verify-token-1"}}},
        {[&] { users.request_email_change("new@b.io"); }, "request-email-change", {{"newEmail", "new@b.io"}}},
        {[&] { users.confirm_email_change("change-token-1", "the-password"); },
         "confirm-email-change",
         {{"token", "change-token-1"}, {"password", "the-password"}}},
    };
    for (const auto& c : calls) {
        CAPTURE(c.path);
        t.reply(204);
        c.call();
        CHECK(t.last().method == "POST");
        CHECK(t.last().target == "/api/collections/users/" + c.path);
        CHECK(t.last().content_type == "application/json");
        CHECK(json::parse(t.last().body) == c.body);
    }

    // The confirm calls' secrets never reach an error's text.
    t.reply_json(400, {{"status", 400}, {"message", "Bad token reset-token-1 / new-password"}, {"data", {}}});
    auto e = catch_error([&] { users.confirm_password_reset("reset-token-1", "new-password", "new-password"); });
    CHECK(std::string(e.what()).find("reset-token-1") == std::string::npos);
    CHECK(std::string(e.what()).find("new-password") == std::string::npos);
}

TEST_CASE("confirm_verification marks, confirm_email_change signs out, the stored record the token is for") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = sign_in(pb, t);  // record r1 of _pb_users_auth_
    const auto verify_token = make_jwt({{"type", "verification"}, {"id", "r1"}, {"collectionId", "_pb_users_auth_"},
                                        {"email", "u@x.io"}});
    const auto other_token = make_jwt({{"type", "emailChange"}, {"id", "r2"}, {"collectionId", "_pb_users_auth_"}});
    const auto change_token = make_jwt({{"type", "emailChange"}, {"id", "r1"}, {"collectionId", "_pb_users_auth_"}});

    t.reply(204);
    pb.collection("users").confirm_verification(verify_token);
    CHECK(pb.auth_store().record()["verified"] == true);

    t.reply(204);
    pb.collection("users").confirm_email_change(other_token, "the-password");
    CHECK(pb.auth_store().token() == jwt);

    t.reply(204);
    pb.collection("users").confirm_email_change(change_token, "the-password");
    CHECK(pb.auth_store().token().empty());
}

TEST_CASE("auth_with_oauth2_code posts the code exchange and stores the auth") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = valid_auth_token();
    t.reply_json(200, auth_response(jwt));
    pb.collection("users").auth_with_oauth2_code("google", "the-oauth-code", "the-code-verifier",
                                                 "http://localhost/cb", json{{"name", "New"}});
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/collections/users/auth-with-oauth2");
    CHECK(json::parse(t.last().body) == json{{"provider", "google"},
                                             {"code", "the-oauth-code"},
                                             {"codeVerifier", "the-code-verifier"},
                                             {"redirectURL", "http://localhost/cb"},
                                             {"createData", {{"name", "New"}}}});
    CHECK(pb.auth_store().token() == jwt);

    t.reply_json(200, auth_response(jwt));
    pb.collection("users").auth_with_oauth2_code("google", "c0de-value", "verifier-2", "http://localhost/cb");
    CHECK_FALSE(json::parse(t.last().body).contains("createData"));

    CHECK_THROWS_AS(pb.collection("users").auth_with_oauth2_code("g", "c", "v", "r", json::array()),
                    std::invalid_argument);

    t.reply_json(400, {{"status", 400}, {"message", "bad code the-oauth-code"}, {"data", {}}});
    auto e = catch_error(
        [&] { pb.collection("users").auth_with_oauth2_code("google", "the-oauth-code", "the-code-verifier", "r"); });
    CHECK(std::string(e.what()).find("the-oauth-code") == std::string::npos);
}

TEST_CASE("external auths are records of _externalAuths filtered by recordRef") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, page_of({{{"id", "ea1"}, {"provider", "google"}, {"recordRef", "r'1"}}}, 1, 500));
    const json links = pb.collection("users").list_external_auths("r'1");
    CHECK(links.size() == 1);
    CHECK(t.last().target ==
          "/api/collections/_externalAuths/records?page=1&perPage=500&skipTotal=1"
          "&filter=recordRef%20%3D%20'r%5C'1'");

    t.reply_json(200, page_of({{{"id", "ea1"}, {"provider", "google"}}}, 1, 1));
    t.reply(204);
    pb.collection("users").unlink_external_auth("r1", "google");
    REQUIRE(t.count() == 3);
    CHECK(t.s->requests[1].target ==
          "/api/collections/_externalAuths/records?page=1&perPage=1"
          "&filter=recordRef%20%3D%20'r1'%20%26%26%20provider%20%3D%20'google'&skipTotal=1");
    CHECK(t.last().method == "DELETE");
    CHECK(t.last().target == "/api/collections/_externalAuths/records/ea1");

    t.reply_json(200, page_of(json::array(), 1, 1));
    CHECK(catch_error([&] { pb.collection("users").unlink_external_auth("r1", "github"); }).status() == 404);

    CHECK_THROWS_AS(pb.collection("users").list_external_auths(""), std::invalid_argument);
    CHECK_THROWS_AS(pb.collection("users").list_external_auths(".."), std::invalid_argument);
}

TEST_CASE("get_full_list stops a server that never sends a short page at max_response_bytes") {
    fake_transport t;
    bosbase::client_options options;
    options.max_response_bytes = 4096;
    fake_client pb("http://127.0.0.1:8090", t, options);
    // Every page is full (perPage 1, one item), forever: the byte budget ends it.
    for (int page = 1; page <= 200; ++page) t.reply_json(200, page_of({post_json("p" + std::to_string(page))}, page, 1));
    auto e = catch_error([&] { (void)pb.collection("posts").get_full_list(1); });
    CHECK(e.status() == 0);
    CHECK(e.error_kind() == bosbase::error_kind::too_large);
    CHECK(t.count() < 200);
}
