// `sctrace --format strace --no-times` against strace 6.1 itself (-f -o), on
// the same programs.
//
// Each programs/NAME.c starts with a line
//     // strace-compat: -e trace=%net -s 64
// naming the options both tracers get. Both run the program with ASLR off
// (setarch -R) and the same environment, so addresses agree; what differs
// between any two runs (pids, ephemeral ports, time left) is normalised.
// Calls split by other threads ("<unfinished ...>" / "<... resumed>") are
// joined again, and threads are compared as sequences without their ids,
// because thread interleaving is not deterministic.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> split_words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

// Runs argv with stdout/stderr to /dev/null; returns the exit status. A run
// that takes longer than `limit` is killed (its whole process group) and
// reported, with the state of what was still running, in *hang.
int run_quiet(const std::vector<std::string>& argv, std::string* hang = nullptr,
              std::chrono::seconds limit = std::chrono::seconds(60)) {
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        // Nothing inherited beyond 0-2: the programs' fd numbers (and the
        // "not open" fds they probe, like select on fd 20) must not depend
        // on what ctest or a shell left open.
        syscall(SYS_close_range, 3u, ~0u, 0u);
        freopen("/dev/null", "r", stdin);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execvp(args[0], args.data());
        _exit(127);
    }
    setpgid(pid, pid);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            if (hang) {
                // What was stuck, and where: worth more than a ctest timeout.
                FILE* ps =
                    popen(("ps -o pid,stat,wchan:24,args -g " + std::to_string(pid)).c_str(), "r");
                char line[512];
                *hang = "hung after " + std::to_string(limit.count()) + " s: " + argv.back() + "\n";
                while (ps && fgets(line, sizeof line, ps)) *hang += line;
                if (ps) pclose(ps);
            }
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool have(const char* program) {
    return run_quiet({"sh", "-c", std::string("command -v ") + program}) == 0;
}

// One traced thread's calls, in order, normalised.
using Thread = std::vector<std::string>;

std::string normalise(std::string line) {
    static const std::vector<std::pair<std::regex, std::string>> rules = {
        // The launched command's own execve: its envp sits on the launcher's
        // stack, which differs between the two tracers.
        {std::regex(R"(^(execve\(.*\], )0x[0-9a-f]+( /\* \d+ vars? \*/\)))"), "$1ENVP$2"},
        // Ephemeral and test ports.
        {std::regex(R"(htons\(\d+\))"), "htons(PORT)"},
        // Time left in a timed wait depends on the scheduler.
        {std::regex(R"(left \{tv_sec=\d+, tv_nsec=\d+\})"), "left {TIME}"},
        // A dead child's CPU time (SIGCHLD's si_utime/si_stime, in clock
        // ticks) is the child's own: a busy machine can add a tick in one
        // run and not in the other.
        {std::regex(R"(si_utime=\d+, si_stime=\d+)"), "si_utime=TICKS, si_stime=TICKS"},
        // strace pads results to column 40; joined lines lose that.
        {std::regex(R"(\)\s+= )"), ") = "},
    };
    for (const auto& [re, with] : rules) line = std::regex_replace(line, re, with);
    return line;
}

// Parses a "-f -o" log into threads; pids are replaced by their order of
// first appearance everywhere in the text.
std::vector<Thread> parse_log(const std::string& text, std::vector<std::string>* problems) {
    std::map<long, Thread> threads;
    std::map<long, std::string> pending;  // tid -> unfinished line's head
    std::vector<long> order;
    std::istringstream in(text);
    static const std::regex line_re(R"(^(\d+)\s+(.*)$)");
    static const std::regex resumed_re(R"(^<\.\.\. (\w+) resumed>(.*)$)");
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, line_re)) {
            if (!line.starts_with("strace: ") && !line.empty()) problems->push_back(line);
            continue;
        }
        const long tid = std::stol(m[1]);
        if (std::find(order.begin(), order.end(), tid) == order.end()) order.push_back(tid);
        std::string body = m[2];
        if (body.ends_with(" <unfinished ...>")) {
            pending[tid] = body.substr(0, body.size() - std::string(" <unfinished ...>").size());
            continue;
        }
        std::smatch r;
        if (std::regex_match(body, r, resumed_re)) {
            auto it = pending.find(tid);
            if (it == pending.end()) {
                problems->push_back("resumed without unfinished: " + line);
                continue;
            }
            body = it->second + std::string(r[2]);
            pending.erase(it);
        }
        threads[tid].push_back(body);
    }
    for (const auto& [tid, head] : pending) threads[tid].push_back(head + " <unfinished ...>");
    // Numbers equal to a traced pid become P1, P2 ... (clone results, si_pid).
    std::vector<Thread> result;
    for (auto& [tid, lines] : threads) {
        for (auto& l : lines) {
            for (std::size_t i = 0; i < order.size(); ++i) {
                l = std::regex_replace(l, std::regex("\\b" + std::to_string(order[i]) + "\\b"),
                                       "P" + std::to_string(i + 1));
            }
            l = normalise(l);
        }
        result.push_back(std::move(lines));
    }
    std::sort(result.begin(), result.end());
    return result;
}

std::vector<std::string> programs() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(COMPAT_SOURCE_DIR)) {
        if (entry.path().extension() == ".c") names.push_back(entry.path().stem());
    }
    std::sort(names.begin(), names.end());
    return names;
}

class StraceCompat : public ::testing::TestWithParam<std::string> {};

TEST_P(StraceCompat, SameLinesAsStrace) {
    if (!have("strace")) {
        GTEST_SKIP() << "strace is not installed: the side-by-side check cannot run "
                        "(apt-get install strace)";
    }
    const std::string name = GetParam();
    const std::string source = read_file(fs::path(COMPAT_SOURCE_DIR) / (name + ".c"));
    static const std::regex options_re(R"(// strace-compat:([^\n]*))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(source, m, options_re))
        << name << ".c has no '// strace-compat: OPTIONS' line";
    const std::vector<std::string> options = split_words(m[1]);
    const std::string program = std::string(COMPAT_PROGRAM_DIR) + "/" + name;
    // Per process: two builds' suites (or people) may run at once.
    const fs::path dir =
        fs::temp_directory_path() / ("sctrace-compat-" + name + "-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string strace_log = dir / "strace.log", sctrace_log = dir / "sctrace.log";

    std::vector<std::string> strace_argv = {"setarch", "x86_64", "-R",      "strace",
                                            "-f",      "-o",     strace_log};
    // strace -f -o's lines: sctrace's own log adds times unless told not to.
    std::vector<std::string> sctrace_argv = {"setarch", "x86_64",     "-R", SCTRACE_BIN, "--format",
                                             "strace",  "--no-times", "-o", sctrace_log};
    for (const auto& o : options) {
        strace_argv.push_back(o);
        sctrace_argv.push_back(o);
    }
    strace_argv.push_back(program);
    sctrace_argv.push_back("--");
    sctrace_argv.push_back(program);

    std::string hang;
    const int strace_status = run_quiet(strace_argv, &hang);
    ASSERT_EQ(hang, "");
    const int sctrace_status = run_quiet(sctrace_argv, &hang);
    ASSERT_EQ(hang, "");
    EXPECT_EQ(strace_status, sctrace_status);

    std::vector<std::string> problems;
    const auto expected = parse_log(read_file(strace_log), &problems);
    const auto actual = parse_log(read_file(sctrace_log), &problems);
    for (const auto& p : problems) ADD_FAILURE() << "unparsed line: " << p;
    ASSERT_FALSE(expected.empty()) << "strace printed nothing for " << name;

    // Report the first differing line of each thread, not a wall of text.
    std::ostringstream diff;
    const std::size_t n = std::max(expected.size(), actual.size());
    for (std::size_t t = 0; t < n; ++t) {
        const Thread empty;
        const Thread& e = t < expected.size() ? expected[t] : empty;
        const Thread& a = t < actual.size() ? actual[t] : empty;
        for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
            const std::string el = i < e.size() ? e[i] : "(nothing)";
            const std::string al = i < a.size() ? a[i] : "(nothing)";
            if (el != al) {
                diff << "thread " << t << " line " << i << ":\n  strace:  " << el
                     << "\n  sctrace: " << al << "\n";
            }
        }
    }
    if (!diff.str().empty()) ADD_FAILURE() << diff.str() << "logs kept in " << dir;
    if (!HasFailure()) fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Programs, StraceCompat, ::testing::ValuesIn(programs()),
                         [](const auto& info) { return info.param; });

}  // namespace
