// The CI integrations as a CI server runs them: the composite action's steps
// (action.yml) and the GitLab template's job (integrations/gitlab/), read
// from their YAML and executed, with the environment the server gives a job,
// on a project with a flaky test and one with a finding. What docs/ci.md
// shows is what is run here.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 120s;

std::string dir_of(const std::string& path) {
    return path.substr(0, path.rfind('/'));
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

class CiIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        if (t.is_strace) GTEST_SKIP() << "sctrace's CI integrations";
#if !defined(SCTRACE_SOURCE_DIR) || !defined(FLAKY_CONNECT_RACE_BIN) || !defined(DOUBLE_CLOSE_BIN)
        GTEST_SKIP() << "the samples were not built";
#endif
        dir_ = make_test_dir("sctrace-ci");
        ASSERT_FALSE(dir_.empty());
        project_ = dir_ + "/project";
        ASSERT_EQ(::mkdir(project_.c_str(), 0755), 0);
    }
    void TearDown() override {
        drop_test_dir(dir_, HasFailure());
    }

    std::string path(const std::string& name) const {
        return project_ + "/" + name;
    }

    // Runs `script` with bash as a CI server does (GitHub: bash --noprofile
    // --norc -eo pipefail; GitLab: each line in one shell, stopping at a
    // failure), in the project, with only `env` and a PATH that finds the
    // sctrace under test.
    RunResult run_script(const std::string& script, std::map<std::string, std::string> env,
                         const std::string& label) {
        std::vector<std::string> argv{"/usr/bin/env", "-i", "-C", project_};
        env["PATH"] = dir_of(Tracer::get().path) + ":/usr/local/bin:/usr/bin:/bin";
        env["HOME"] = dir_;
        for (const auto& [k, v] : env) argv.push_back(k + "=" + v);
        argv.insert(argv.end(),
                    {"/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script});
        return run(argv, {label, "", false}, kTimeout);
    }

    // The composite action's steps, run one after another as the runner
    // does, `inputs` given as in a workflow's `with:` (the others take their
    // defaults). Returns the last step's result.
    RunResult run_action(const std::map<std::string, std::string>& with) {
#ifdef SCTRACE_SOURCE_DIR
        const YAML::Node action = YAML::LoadFile(std::string(SCTRACE_SOURCE_DIR) + "/action.yml");
        EXPECT_EQ(action["runs"]["using"].as<std::string>(), "composite");
        std::map<std::string, std::string> inputs;
        for (const auto& input : action["inputs"]) {
            const std::string name = input.first.as<std::string>();
            inputs[name] = input.second["default"] ? input.second["default"].as<std::string>() : "";
            if (input.second["required"] && input.second["required"].as<bool>()) {
                EXPECT_TRUE(with.contains(name)) << "required input " << name;
            }
        }
        for (const auto& [k, v] : with) {
            EXPECT_TRUE(inputs.contains(k)) << "no input " << k;
            inputs[k] = v;
        }
        const auto expand = [&](std::string text) {
            replace_all(text, "${{ github.action_path }}", SCTRACE_SOURCE_DIR);
            for (const auto& [k, v] : inputs) replace_all(text, "${{ inputs." + k + " }}", v);
            EXPECT_EQ(text.find("${{"), std::string::npos) << "unexpanded: " << text;
            return text;
        };
        RunResult last;
        for (const auto& step : action["runs"]["steps"]) {
            EXPECT_EQ(step["shell"].as<std::string>(), "bash");
            std::map<std::string, std::string> env = github_env_;
            for (const auto& e : step["env"]) {
                env[e.first.as<std::string>()] = expand(e.second.as<std::string>());
            }
            last = run_script(expand(step["run"].as<std::string>()), env,
                              step["name"].as<std::string>());
            if (last.status != 0) break;
        }
        return last;
#else
        (void)with;
        return {};
#endif
    }

    std::map<std::string, std::string> github_env() {
        return {{"CI", "true"},
                {"GITHUB_ACTIONS", "true"},
                {"GITHUB_WORKSPACE", project_},
                {"GITHUB_STEP_SUMMARY", dir_ + "/step_summary"},
                {"GITHUB_OUTPUT", dir_ + "/output"},
                {"GITHUB_PATH", dir_ + "/path"},
                {"RUNNER_TEMP", dir_}};
    }

    std::string dir_, project_;
    std::map<std::string, std::string> github_env_;
};

TEST_F(CiIntegration, TheGithubActionCatchesAFlakyTestAndSaysWhatDiffered) {
#ifdef FLAKY_CONNECT_RACE_BIN
    github_env_ = github_env();
    const RunResult r =
        run_action({{"command", std::string(FLAKY_CONNECT_RACE_BIN) + " --fail-every 2 counter"},
                    {"repeat", "10"},
                    {"until-fail", "true"}});
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(read_file(dir_ + "/output").find("exit-status=1\n"), std::string::npos);
    const std::string summary = read_file(dir_ + "/step_summary");
    EXPECT_EQ(summary.rfind("### sctrace --repeat: flaky: failed 1 of 2 runs (run 2)\n", 0), 0u)
        << summary;
    EXPECT_NE(summary.find("connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
              std::string::npos)
        << summary;
    const std::string junit = read_file(path("sctrace-reports/junit.xml"));
    EXPECT_NE(junit.find("<flakyFailure message=\"run 2 of 2: exited with status 1\""),
              std::string::npos)
        << junit;
    EXPECT_NE(read_file(path("sctrace-reports/flight.run2.strace")).find("ECONNREFUSED"),
              std::string::npos);
    EXPECT_NO_THROW((void)nlohmann::json::parse(read_file(path("sctrace-reports/sctrace.sarif"))));
#endif
}

TEST_F(CiIntegration, TheGithubActionAnnotatesAFinding) {
#ifdef DOUBLE_CLOSE_BIN
    github_env_ = github_env();
    const RunResult r = run_action({{"command", std::string(DOUBLE_CLOSE_BIN)}});
    EXPECT_EQ(r.status, 121) << "--fail-on error was met\n" << r.err;
    // The runner reads the step's output for workflow commands.
    const std::size_t at = r.out.find("::error ");
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::string annotation = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(annotation.find("title=sctrace%3A double-close (error)::"), std::string::npos)
        << annotation;
    EXPECT_NE(read_file(dir_ + "/step_summary").find("| `double-close` | error | 1 |"),
              std::string::npos)
        << read_file(dir_ + "/step_summary");
    EXPECT_NE(read_file(dir_ + "/output").find("exit-status=121\n"), std::string::npos);
#endif
}

TEST_F(CiIntegration, TheGithubActionBuildsNothingWhenSctraceIsOnThePath) {
    github_env_ = github_env();
#ifdef SCTRACE_SOURCE_DIR
    const RunResult r =
        run_script(std::string("bash ") + SCTRACE_SOURCE_DIR + "/integrations/github/install.sh",
                   {{"SCTRACE_ACTION_PATH", SCTRACE_SOURCE_DIR}, {"GITHUB_PATH", dir_ + "/path"}},
                   "install.sh");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("sctrace: using " + Tracer::get().path), std::string::npos) << r.out;
#endif
}

TEST_F(CiIntegration, TheGitlabTemplatesJobReportsToTheMergeRequest) {
#if defined(SCTRACE_SOURCE_DIR) && defined(FLAKY_CONNECT_RACE_BIN)
    const YAML::Node file = YAML::LoadFile(std::string(SCTRACE_SOURCE_DIR) +
                                           "/integrations/gitlab/sctrace.gitlab-ci.yml");
    const YAML::Node job = file[".sctrace"];
    ASSERT_TRUE(job.IsMap());
    std::map<std::string, std::string> env{
        {"CI", "true"}, {"GITLAB_CI", "true"}, {"CI_PROJECT_DIR", project_}};
    for (const auto& v : job["variables"])
        env[v.first.as<std::string>()] = v.second.as<std::string>();
    // What a pipeline's job sets when it extends .sctrace.
    env["SCTRACE_COMMAND"] = std::string(FLAKY_CONNECT_RACE_BIN) + " --fail-every 3 counter";
    env["SCTRACE_OPTIONS"] = "--fail-on error --repeat 10 --until-fail";
    std::string script;
    for (const auto& line : job["script"]) script += line.as<std::string>() + "\n";
    const RunResult r = run_script(script, env, "the .sctrace job's script");
    EXPECT_EQ(r.status, 1) << r.err;

    const YAML::Node reports = job["artifacts"]["reports"];
    const std::string junit = read_file(path(reports["junit"].as<std::string>()));
    EXPECT_NE(junit.find("<flakyFailure message=\"run 3 of 3: exited with status 1\""),
              std::string::npos)
        << junit;
    const auto codequality =
        nlohmann::json::parse(read_file(path(reports["codequality"].as<std::string>())));
    EXPECT_TRUE(codequality.is_array());
    EXPECT_EQ(job["artifacts"]["when"].as<std::string>(), "always");
    for (const auto& p : job["artifacts"]["paths"]) {
        EXPECT_EQ(access(path(p.as<std::string>()).c_str(), F_OK), 0) << p.as<std::string>();
    }
    EXPECT_NE(read_file(path("sctrace-reports/summary.md"))
                  .find("### sctrace --repeat: flaky: failed 1 of 3 runs (run 3)"),
              std::string::npos);
#endif
}

}  // namespace
}  // namespace e2e
