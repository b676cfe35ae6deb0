// The one doctest main of every test program. It fails a run in which no test
// case ran: CTest runs each case by name, and a name that no longer matches
// (renamed case, a ';' split by CMake) must not pass silently.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>

namespace {

std::atomic<int> g_cases_started{0};

struct count_listener : doctest::IReporter {
    explicit count_listener(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++g_cases_started; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

REGISTER_LISTENER("bosbase_count", 1, count_listener);

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) {
        return result;  // --list-test-cases, --help and the like
    }
    if (result == 0 && g_cases_started == 0) {
        std::fprintf(stderr, "bosbase tests: no test case matched the filter; failing on purpose\n");
        return 1;
    }
    return result;
}
