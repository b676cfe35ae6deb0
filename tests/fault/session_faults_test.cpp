// What can go wrong with a saved session: a directory or an unwritable place where the file
// should be, a full disk, a writer that died half-way, and two processes writing at once.
// None of it throws out of the auth store, and the file always holds one whole session.
#include <doctest/doctest.h>
#include <fake_transport.hpp>
#include <temp_dir.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

using bosbase::json;
using namespace bosbase_test;

namespace {

std::string password_sign_in(fake_client& pb, fake_transport& t, const std::string& id = "r1") {
    const std::string jwt = make_jwt({{"type", "auth"}, {"id", id}, {"collectionId", "_pb_users_auth_"}, {"exp", 4102444800}});
    t.reply_json(200, {{"token", jwt}, {"record", {{"id", id}, {"collectionId", "_pb_users_auth_"}}}});
    pb.collection("users").auth_with_password("u@x.io", "fault-password-secret-1");
    return jwt;
}

// A sign-in whose session cannot be saved: the sign-in stands, the problem is told once,
// names the path, holds neither token nor password, and no temporary file is left.
void check_unsaved_sign_in(const std::filesystem::path& path, const char* why) {
    fake_transport t;
    fake_client pb("http://h", t);
    std::vector<std::string> told;
    pb.auth_store().persist_to(path, [&](const std::string& problem) { told.push_back(problem); });
    told.clear();  // what reading said is another test's business
    std::string jwt;
    CHECK_NOTHROW(jwt = password_sign_in(pb, t));
    CHECK(pb.auth_store().token() == jwt);
    REQUIRE(told.size() == 1);
    CHECK(told[0].find(path.string()) != std::string::npos);
    CHECK(told[0].find("was not written") != std::string::npos);
    CHECK(told[0].find(why) != std::string::npos);
    CHECK(told[0].find(jwt) == std::string::npos);
    CHECK(told[0].find("fault-password-secret-1") == std::string::npos);
    CHECK(pb.auth_store().persist_problem() == told[0]);
}

}  // namespace

TEST_CASE("session fault: a directory where the session file should be") {
    temp_dir dir;
    const auto path = dir / "session.json";
    std::filesystem::create_directory(path);
    {
        fake_transport t;
        fake_client pb("http://h", t);
        std::string told;
        pb.auth_store().persist_to(path, [&](const std::string& problem) { told = problem; });
        CHECK(pb.auth_store().token().empty());
        CHECK(told.find("is not a regular file") != std::string::npos);
    }
    check_unsaved_sign_in(path, "Is a directory");
    CHECK(dir.listing() == "session.json");  // the temporary file is gone
    CHECK(std::filesystem::is_directory(path));

    fake_transport t;
    fake_client pb("http://h", t);
    pb.auth_store().persist_to(path);
    pb.auth_store().save(valid_auth_token(), nullptr);
    CHECK_NOTHROW(pb.auth_store().clear());
    CHECK(pb.auth_store().persist_problem().find("is a directory and was left alone") != std::string::npos);
    CHECK(std::filesystem::is_directory(path));
}

TEST_CASE("session fault: the session file's directory cannot be written") {
    temp_dir dir;
    write_text(dir / "plain", "a file, not a directory");
    check_unsaved_sign_in(dir / "plain" / "session.json", "cannot create a file in");

    if (::geteuid() == 0) {
        MESSAGE("running as root, which writes into read-only directories: that case is left out");
        return;
    }
    const auto locked = dir / "locked";
    std::filesystem::create_directory(locked);
    std::filesystem::permissions(locked, std::filesystem::perms(0500));
    check_unsaved_sign_in(locked / "session.json", "Permission denied");
}

TEST_CASE("session fault: a full disk leaves the previous session whole") {
    temp_dir dir;
    const auto path = dir / "session.json";
    fake_transport t;
    fake_client pb("http://h", t);
    pb.auth_store().persist_to(path);
    const std::string first = password_sign_in(pb, t, "r1");
    const std::string saved = read_text(path);

    // RLIMIT_FSIZE makes writes past a few bytes fail (EFBIG) as a full disk would, for
    // this process only, and SIGXFSZ is ignored so that it is an error, not an exit.
    rlimit previous{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &previous) == 0);
    struct sigaction ignore {}, old_action{};
    ignore.sa_handler = SIG_IGN;
    REQUIRE(::sigaction(SIGXFSZ, &ignore, &old_action) == 0);
    rlimit tiny = previous;
    tiny.rlim_cur = 16;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &tiny) == 0);
    std::string second;
    std::string problem;
    {
        second = password_sign_in(pb, t, "r2");
        problem = pb.auth_store().persist_problem();
    }
    ::setrlimit(RLIMIT_FSIZE, &previous);
    ::sigaction(SIGXFSZ, &old_action, nullptr);

    CHECK(pb.auth_store().token() == second);  // the sign-in stands in memory
    CHECK(problem.find("writing") != std::string::npos);
    CHECK(problem.find("File too large") != std::string::npos);
    CHECK(read_text(path) == saved);  // the old session, whole
    CHECK(dir.listing() == "session.json");

    fake_client restarted("http://h", t);
    restarted.auth_store().persist_to(path);
    CHECK(restarted.auth_store().token() == first);
}

TEST_CASE("session fault: a writer that died before its rename leaves the old session readable") {
    temp_dir dir;
    const auto path = dir / "session.json";
    bosbase::file_session_store store(path);
    store.save({valid_auth_token(), {{"id", "r1"}}});
    // What a crash between write and rename leaves behind: a partial temporary file.
    write_text(dir / (".session.json.tmp-" + std::to_string(::getpid()) + "-0"), "{\"format\":\"bosbase-ses");
    const auto back = store.load();
    REQUIRE(back.has_value());
    CHECK(back->token == valid_auth_token());
    // The next writer steps over the leftover name instead of failing or appending to it.
    for (int i = 0; i < 3; ++i) CHECK_NOTHROW(store.save({"t" + std::to_string(i), nullptr}));
    CHECK(store.load()->token == "t2");
}

TEST_CASE("session fault: processes writing one file at once never leave a torn session") {
    temp_dir dir;
    const auto path = dir / "session.json";
    bosbase::file_session_store(path).save({"start", nullptr});
    // Each child writes sessions whose record is large enough that a torn write would
    // show; the parent reads the whole time. Every read must be one whole session.
    constexpr int children = 3;
    constexpr int writes = 150;
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            bosbase::file_session_store mine(path);
            int failures = 0;
            for (int i = 0; i < writes; ++i) {
                const std::string token = "child" + std::to_string(c) + "-" + std::to_string(i);
                try {
                    mine.save({token, {{"id", token}, {"padding", std::string(64 * 1024, char('a' + c))}}});
                } catch (...) {
                    ++failures;
                }
            }
            ::_exit(failures == 0 ? 0 : 1);
        }
        pids.push_back(pid);
    }
    bosbase::file_session_store reader(path);
    int reads = 0;
    int torn = 0;
    int running = children;
    while (running > 0) {
        try {
            const auto s = reader.load();
            ++reads;
            if (!s || (s->token != "start" &&
                       (!s->record.is_object() || s->record["id"] != s->token ||
                        s->record["padding"].get<std::string>().size() != 64 * 1024))) {
                ++torn;
            }
        } catch (const std::exception& e) {
            ++torn;
            MESSAGE(e.what());
        }
        running = 0;
        for (auto& pid : pids) {
            if (pid == 0) continue;
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == 0) {
                ++running;
            } else {
                CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));  // every child's writes worked
                pid = 0;
            }
        }
    }
    CHECK(reads > 0);
    CHECK(torn == 0);
    // Last writer wins: the file holds the final session of one of the children.
    const auto last = reader.load();
    REQUIRE(last.has_value());
    CHECK(last->token.find("-" + std::to_string(writes - 1)) != std::string::npos);
    CHECK(dir.listing() == "session.json");
}
