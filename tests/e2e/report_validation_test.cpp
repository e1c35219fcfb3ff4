// sctrace's SARIF files checked by Microsoft's SARIF Multitool, as GitHub
// code scanning would take them: no error and no warning, for a finding with
// a stack, a crash, a flaky --repeat run and an analyze of a saved log. The
// Multitool comes with scripts/install-deps (the npm registry's package);
// where it could not be fetched the tests say so and skip.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 300s;

std::string multitool() {
    if (const char* set = std::getenv("SARIF_MULTITOOL"); set && *set) return set;
    return "/opt/sctrace-tools/sarif-multitool-5.7.0/package/Sarif.Multitool";
}

class SarifValidation : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace's reports";
        if (access(multitool().c_str(), X_OK) != 0) {
            GTEST_SKIP() << "SKIPPED LOUDLY: no SARIF Multitool at " << multitool()
                         << " (scripts/install-deps fetches it; or set SARIF_MULTITOOL)";
        }
        dir_ = make_test_dir("sctrace-sarif");
        ASSERT_FALSE(dir_.empty());
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // The Multitool's errors and warnings about `sarif`, with the SARIF
    // and GitHub rule sets, one per line ("" when there are none).
    std::string problems(const std::string& sarif) {
        const std::string log = sarif + ".validation.sarif";
        const RunResult r = run({multitool(), "validate", sarif, "--level", "Error;Warning",
                                 "--rule-kind", "Sarif;Gh", "-o", log},
                                {"Sarif.Multitool validate", "", false}, kTimeout);
        EXPECT_EQ(r.status, 0) << r.out << r.err;
        const auto doc = nlohmann::json::parse(read_file(log), nullptr, false);
        if (doc.is_discarded()) return "no validation log: " + r.out + r.err;
        std::string out;
        for (const auto& result : doc["runs"][0]["results"]) {
            const std::string level = result.value("level", "warning");
            if (level != "error" && level != "warning") continue;
            out +=
                result.value("ruleId", "?") + " " + level + ": " + result["message"].dump() + "\n";
        }
        return out;
    }

    std::string dir_;
};

TEST_F(SarifValidation, TheCheckSeesWhatCodeScanningWouldWarnAbout) {
    // A file that lacks what sctrace writes (the tool's informationUri): the
    // check is not one that passes anything.
    std::FILE* f = std::fopen(path("bare.sarif").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(R"({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
  "runs": [{"tool": {"driver": {"name": "bare"}}, "results": []}]})",
               f);
    std::fclose(f);
    EXPECT_NE(problems(path("bare.sarif")).find("SARIF2005"), std::string::npos);
}

TEST_F(SarifValidation, AFindingWithItsStack) {
#ifdef DOUBLE_CLOSE_BIN
    const RunResult r = run({"/usr/bin/env", "-C", dir_, Tracer::get().path, "-k", "--sarif",
                             path("double-close.sarif"), "--", DOUBLE_CLOSE_BIN},
                            {"sctrace -k --sarif", "", false}, kTimeout);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(problems(path("double-close.sarif")), "");
#endif
}

TEST_F(SarifValidation, ARunWithNoFindings) {
    const RunResult r = run({Tracer::get().path, "--sarif", path("none.sarif"), "--", "/bin/true"},
                            {"sctrace --sarif -- true", "", false}, kTimeout);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(problems(path("none.sarif")), "");
}

TEST_F(SarifValidation, TheReportOfAFlakyTestRunAgainAndAgain) {
#ifdef FLAKY_CONNECT_RACE_BIN
    const RunResult r = run(
        {Tracer::get().path, "--repeat", "4", "--fail-on", "info", "--sarif", path("flaky.sarif"),
         "--", FLAKY_CONNECT_RACE_BIN, "--fail-every", "2", path("counter")},
        {"sctrace --repeat --sarif", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(problems(path("flaky.sarif")), "");
    EXPECT_EQ(problems(path("flaky.run2.sarif")), "");
#endif
}

TEST_F(SarifValidation, AnalyzeOfASavedLog) {
#ifdef SCTRACE_SOURCE_DIR
    const std::string log =
        std::string(SCTRACE_SOURCE_DIR) + "/samples/logs/double-close.ttT-y.log";
    ASSERT_EQ(access(log.c_str(), R_OK), 0) << log;
    const RunResult r = run({Tracer::get().path, "analyze", "--sarif", path("analyze.sarif"), log},
                            {"sctrace analyze --sarif", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << "the log's finding\n" << r.err;
    EXPECT_EQ(problems(path("analyze.sarif")), "");
#endif
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// sctrace's JUnit reports against the plain JUnit format and against Maven
// Surefire's, with reruns (tests/schemas/), checked by xmllint.
class JunitValidation : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace's reports";
        if (access("/usr/bin/xmllint", X_OK) != 0) {
            GTEST_SKIP() << "SKIPPED LOUDLY: no /usr/bin/xmllint (apt-get install libxml2-utils; "
                            "scripts/install-deps does)";
        }
        dir_ = make_test_dir("sctrace-junit");
        ASSERT_FALSE(dir_.empty());
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // xmllint's complaints about `xml` against tests/schemas/SCHEMA ("" when valid).
    static std::string problems(const std::string& xml, const std::string& schema) {
#ifdef SCTRACE_SOURCE_DIR
        const RunResult r = run({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(SCTRACE_SOURCE_DIR) + "/tests/schemas/" + schema, xml},
                                {"xmllint --schema " + schema, "", false}, kTimeout);
        return r.status == 0 ? "" : r.err;
#else
        (void)xml;
        (void)schema;
        return "no source tree";
#endif
    }

    std::string dir_;
};

TEST_F(JunitValidation, AReportWithFindingsIsPlainJunitAndSurefire) {
#ifdef DOUBLE_CLOSE_BIN
    const RunResult r =
        run({Tracer::get().path, "--junit", path("one.xml"), "--", DOUBLE_CLOSE_BIN},
            {"sctrace --junit", "", false}, kTimeout);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(problems(path("one.xml"), "junit.xsd"), "");
    EXPECT_EQ(problems(path("one.xml"), "surefire.xsd"), "");
#endif
}

TEST_F(JunitValidation, TheReportOfAFlakyCommandIsSurefiresWithFlakyFailures) {
#ifdef FLAKY_CONNECT_RACE_BIN
    const RunResult r = run({Tracer::get().path, "--repeat", "4", "--junit", path("flaky.xml"),
                             "--", FLAKY_CONNECT_RACE_BIN, "--fail-every", "2", path("counter")},
                            {"sctrace --repeat --junit", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(problems(path("flaky.xml"), "surefire.xsd"), "");
    // Each run's own report is plain JUnit.
    EXPECT_EQ(problems(path("flaky.run2.xml"), "junit.xsd"), "");
    // The whole is not: plain JUnit has no reruns, which is why it is
    // Surefire's, and what makes this check one that can fail.
    EXPECT_NE(problems(path("flaky.xml"), "junit.xsd").find("flakyFailure"), std::string::npos);
#endif
}

TEST_F(JunitValidation, TheReportOfACommandThatFailsEveryRunHasRerunFailures) {
    const RunResult r = run(
        {Tracer::get().path, "--repeat", "3", "--junit", path("failing.xml"), "--", "/bin/false"},
        {"sctrace --repeat -- false", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << r.err;
    EXPECT_NE(read_file(path("failing.xml")).find("<rerunFailure"), std::string::npos);
    EXPECT_EQ(problems(path("failing.xml"), "surefire.xsd"), "");
}

}  // namespace
}  // namespace e2e
