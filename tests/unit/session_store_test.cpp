// Sessions that survive a restart: the file store's bytes and permissions, auth_store::persist_to
// through sign-in, reload and sign-out, diagnostics for files that are not sessions, custom stores.
#include <doctest/doctest.h>
#include <fake_transport.hpp>
#include <temp_dir.hpp>

#include <memory>
#include <string>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

namespace {

// Sign-in answer of the fake transport for a users record.
std::string sign_in_with_password(fake_client& pb, fake_transport& t) {
    const std::string jwt = valid_auth_token();
    t.reply_json(200, auth_response(jwt));
    pb.collection("users").auth_with_password("u@x.io", "password-123");
    return jwt;
}

// A session_store that records what the auth_store asks of it.
struct recording_store : bosbase::session_store {
    std::optional<bosbase::saved_session> saved;
    std::vector<std::string> calls;
    bool fail_writes = false;

    std::optional<bosbase::saved_session> load() override {
        calls.push_back("load");
        return saved;
    }
    void save(const bosbase::saved_session& s) override {
        calls.push_back("save " + s.token);
        if (fail_writes) throw std::runtime_error("keychain locked");
        saved = s;
    }
    void remove() override {
        calls.push_back("remove");
        saved.reset();
    }
};

}  // namespace

TEST_CASE("file_session_store: the file holds format, token and record, is 0600 and leaves no temporary file") {
    temp_dir dir;
    bosbase::file_session_store store(dir / "session.json");
    CHECK_FALSE(store.load().has_value());  // no file: no session, no error

    const std::string jwt = valid_auth_token();
    store.save({jwt, {{"id", "r1"}, {"email", "u@x.io"}}});
    CHECK(json::parse(read_text(dir / "session.json")) ==
          json{{"format", "bosbase-session/1"}, {"token", jwt}, {"record", {{"id", "r1"}, {"email", "u@x.io"}}}});
    CHECK(mode_of(dir / "session.json") == 0600);
    CHECK(dir.listing() == "session.json");

    const auto back = store.load();
    REQUIRE(back.has_value());
    CHECK(back->token == jwt);
    CHECK(back->record == json{{"id", "r1"}, {"email", "u@x.io"}});

    SUBCASE("a file made world-readable before is replaced by an owner-only one") {
        std::filesystem::permissions(dir / "session.json", std::filesystem::perms(0644));
        store.save({jwt, nullptr});
        CHECK(mode_of(dir / "session.json") == 0600);
        CHECK(store.load()->record.is_null());
    }
    SUBCASE("remove deletes the file; removing again is no error") {
        store.remove();
        CHECK(dir.listing().empty());
        store.remove();
        CHECK_FALSE(store.load().has_value());
    }
}

TEST_CASE("file_session_store: files that are not sessions throw with the path and never the content") {
    temp_dir dir;
    const auto path = dir / "session.json";
    bosbase::file_session_store store(path);
    const std::string jwt = valid_auth_token();
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"{\"format\":\"bosbase-session/1\",\"token\":\"" + jwt, "not a JSON object"},
        {"", "not a JSON object"},
        {"[\"" + jwt + "\"]", "not a JSON object"},
        {"{\"token\":\"" + jwt + "\",\"record\":{}}", "no \"format\""},
        {"{\"format\":\"bosbase-session/2\",\"token\":\"" + jwt + "\"}", "no \"format\""},
        {"{\"format\":\"bosbase-session/1\",\"token\":\"\"}", "damaged"},
        {"{\"format\":\"bosbase-session/1\",\"token\":7}", "damaged"},
        {"{\"format\":\"bosbase-session/1\",\"token\":\"" + jwt + "\",\"record\":[1]}", "damaged"},
        {"{\"format\":\"bosbase-session/1\",\"token\":\"" + jwt + "\\r\\nX: 1\"}", "control bytes"},
    };
    for (const auto& entry : bad) {
        const std::string& content = entry.first;  // not a structured binding: CAPTURE's lambda takes it
        const std::string& why = entry.second;
        CAPTURE(content);
        write_text(path, content);
        try {
            store.load();
            FAIL("no error");
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            CHECK(what.find(path.string()) != std::string::npos);
            CHECK(what.find(why) != std::string::npos);
            CHECK(what.find(jwt) == std::string::npos);
        }
    }
    CHECK_THROWS_AS(bosbase::file_session_store(""), std::invalid_argument);
    CHECK_THROWS_AS(bosbase::file_session_store(dir.path / ""), std::invalid_argument);
}

TEST_CASE("persist_to: a sign-in is saved, a second client starts signed in, clear() deletes the file") {
    temp_dir dir;
    const auto path = dir / "session.json";
    fake_transport t;
    std::string jwt;
    {
        fake_client pb("http://h", t);
        pb.auth_store().persist_to(path);
        CHECK(dir.listing().empty());  // nothing to save yet
        jwt = sign_in_with_password(pb, t);
        CHECK(json::parse(read_text(path))["token"] == jwt);
        CHECK(json::parse(read_text(path))["record"]["email"] == "u@x.io");
        CHECK(pb.auth_store().persist_problem().empty());
    }
    fake_client restarted("http://h", t);
    std::vector<std::string> seen;
    restarted.auth_store().on_change([&](const std::string& token, const json&) { seen.push_back(token); });
    restarted.auth_store().persist_to(path);
    CHECK(restarted.auth_store().token() == jwt);
    CHECK(restarted.auth_store().record()["email"] == "u@x.io");
    CHECK(seen == std::vector<std::string>{jwt});  // listeners hear of the session read back

    t.reply_json(200, {{"id", "p1"}});
    CHECK(restarted.collection("posts").get_one("p1")["id"] == "p1");
    CHECK(header(t.last(), "Authorization") == jwt);  // the saved token is used at once

    SUBCASE("a record update is saved too") {
        t.reply_json(200, {{"id", "r1"}, {"collectionId", "_pb_users_auth_"}, {"name", "New"}});
        restarted.collection("users").update("r1", {{"name", "New"}});
        CHECK(json::parse(read_text(path))["record"]["name"] == "New");
        CHECK(json::parse(read_text(path))["record"]["email"] == "u@x.io");
    }
    SUBCASE("sign-out removes the file") {
        restarted.auth_store().clear();
        CHECK(dir.listing().empty());
        fake_client third("http://h", t);
        third.auth_store().persist_to(path);
        CHECK(third.auth_store().token().empty());
    }
    SUBCASE("persist(nullptr) stops saving") {
        restarted.auth_store().persist(nullptr);
        restarted.auth_store().clear();
        CHECK(json::parse(read_text(path))["token"] == jwt);
    }
}

TEST_CASE("persist_to: with no saved session, the session in memory is saved at once") {
    temp_dir dir;
    fake_transport t;
    fake_client pb("http://h", t);
    const std::string jwt = sign_in_with_password(pb, t);
    pb.auth_store().persist_to(dir / "s.json");
    CHECK(json::parse(read_text(dir / "s.json"))["token"] == jwt);
}

TEST_CASE("persist_to: a corrupt or foreign file is an empty session and a diagnostic, never an exception") {
    temp_dir dir;
    const auto path = dir / "session.json";
    const std::string jwt = valid_auth_token();
    for (const std::string& content : {"{\"format\":\"bosbase-session/1\",\"token\":\"" + jwt,
                                      std::string("{\"theme\":\"dark\",\"token\":\"") + jwt + "\"}"}) {
        CAPTURE(content);
        write_text(path, content);
        fake_transport t;
        fake_client pb("http://h", t);
        std::vector<std::string> told;
        pb.auth_store().persist_to(path, [&](const std::string& problem) { told.push_back(problem); });
        CHECK(pb.auth_store().token().empty());
        REQUIRE(told.size() == 1);
        CHECK(told[0].find("is not a bosbase session file") != std::string::npos);
        CHECK(told[0].find(jwt) == std::string::npos);
        CHECK(pb.auth_store().persist_problem() == told[0]);
        CHECK(read_text(path) == content);  // left alone until there is a session to save

        // The next sign-in replaces it with a session, and the problem is over.
        sign_in_with_password(pb, t);
        CHECK(json::parse(read_text(path))["format"] == "bosbase-session/1");
        CHECK(pb.auth_store().persist_problem().empty());
    }
}

TEST_CASE("persist: a custom session_store is loaded once, then saved or removed after every change, in order") {
    auto store = std::make_shared<recording_store>();
    store->saved = bosbase::saved_session{valid_auth_token(), {{"id", "r1"}}};
    fake_transport t;
    fake_client pb("http://h", t);
    pb.auth_store().persist(store);
    CHECK(pb.auth_store().token() == valid_auth_token());
    pb.auth_store().save("t2", {{"id", "r2"}});
    pb.auth_store().clear();
    CHECK(store->calls == std::vector<std::string>{"load", "save t2", "remove"});

    SUBCASE("a store that fails to save: the change stands, the problem is reported") {
        store->fail_writes = true;
        std::string told;
        pb.auth_store().persist(store, [&](const std::string& problem) { told = problem; });
        pb.auth_store().save("t3", nullptr);
        CHECK(pb.auth_store().token() == "t3");
        CHECK(told == "keychain locked");
        CHECK(pb.auth_store().persist_problem() == "keychain locked");
    }
    SUBCASE("a diagnostic handler that throws is ignored") {
        store->fail_writes = true;
        pb.auth_store().persist(store, [](const std::string&) { throw std::runtime_error("handler"); });
        CHECK_NOTHROW(pb.auth_store().save("t4", nullptr));
        CHECK(pb.auth_store().token() == "t4");
    }
    SUBCASE("a saved token with control bytes is not used") {
        store->saved = bosbase::saved_session{"a\r\nb", nullptr};
        fake_client other("http://h", t);
        other.auth_store().persist(store);
        CHECK(other.auth_store().token().empty());
        CHECK(other.auth_store().persist_problem().find("control bytes") != std::string::npos);
    }
}
