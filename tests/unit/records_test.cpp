// The record calls around the token flow: list, view, create, update, delete.
#include <doctest/doctest.h>
#include <fake_transport.hpp>

using bosbase::json;
using namespace bosbase_test;

TEST_CASE("get_list sends page and perPage first, then the caller's query") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    t.reply_json(200, {{"items", json::array()}, {"page", 2}, {"perPage", 10}, {"totalItems", 0}, {"totalPages", 0}});
    bosbase::request_options opts;
    opts.query = {{"filter", "title = 'a b'"}, {"sort", "-created"}};
    auto list = pb.collection("posts").get_list(2, 10, opts);
    CHECK(list["page"] == 2);
    CHECK(t.last().method == "GET");
    CHECK(t.last().target ==
          "/api/collections/posts/records?page=2&perPage=10&filter=title%20%3D%20'a%20b'&sort=-created");
}

TEST_CASE("get_one, create, update and remove") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);

    t.reply_json(200, {{"id", "a/b"}});
    bosbase::request_options expand_author;
    expand_author.expand = "author";
    (void)pb.collection("posts").get_one("a/b", expand_author);
    CHECK(t.last().target == "/api/collections/posts/records/a%2Fb?expand=author");
    CHECK_THROWS_AS(pb.collection("posts").get_one(""), std::invalid_argument);

    t.reply_json(200, {{"id", "p1"}, {"title", "t"}});
    pb.collection("posts").create({{"title", "t"}});
    CHECK(t.last().method == "POST");
    CHECK(t.last().target == "/api/collections/posts/records");
    CHECK(json::parse(t.last().body) == json{{"title", "t"}});

    t.reply_json(200, {{"id", "p1"}, {"title", "u"}});
    pb.collection("posts").update("p1", {{"title", "u"}});
    CHECK(t.last().method == "PATCH");
    CHECK(t.last().target == "/api/collections/posts/records/p1");

    t.reply(204);
    pb.collection("posts").remove("p1");
    CHECK(t.last().method == "DELETE");
    CHECK(t.last().target == "/api/collections/posts/records/p1");
    CHECK(t.last().body.empty());
}

TEST_CASE("updating or deleting the signed-in record keeps the auth store in step") {
    fake_transport t;
    fake_client pb("http://127.0.0.1:8090", t);
    const std::string jwt = sign_in(pb, t);

    t.reply_json(200, {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"collectionName", "users"}, {"name", "New"}});
    pb.collection("users").update("r1", {{"name", "New"}});
    CHECK(pb.auth_store().record()["name"] == "New");
    CHECK(pb.auth_store().token() == jwt);

    t.reply(204);
    pb.collection("users").remove("other");
    CHECK(pb.auth_store().token() == jwt);

    t.reply(204);
    pb.collection("users").remove("r1");
    CHECK(pb.auth_store().token().empty());
}
