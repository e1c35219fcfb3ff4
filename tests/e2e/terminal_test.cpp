// The findings' text as a person at a terminal sees it, through the real
// binary with its stderr on a pseudo-terminal: coloured by severity, wrapped,
// a rule that fires many times shown a few times and then counted, a table
// at the end; and, piped, exactly the plain lines scripts grep, unless
// --color always asks for colour.
//
// sctrace's own presentation, not strace's: skipped when SCTRACE_E2E_TRACER
// points at strace.
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

extern char** environ;

namespace e2e {
namespace {

struct Output {
    int status = -1;
    std::string err;  // stderr, with the terminal's \r\n made \n
};

// Environment variables a test sets (a value) or removes (nullopt).
using EnvChanges = std::map<std::string, std::optional<std::string>>;

// Runs argv with stderr on a new pseudo-terminal of `columns` columns (or, if
// `terminal` is false, on a pipe) and stdout on /dev/null; the environment is
// this one with `env` applied. Gives up, killing the child, after 60 s.
Output run_with_stderr(const std::vector<std::string>& argv, bool terminal, const EnvChanges& env,
                       unsigned short columns = 100) {
    Output result;
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        if (!env.count(name)) env_strings.push_back(entry);
    }
    for (const auto& [name, value] : env) {
        if (value) env_strings.push_back(name + "=" + *value);
    }
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    int read_fd = -1, write_fd = -1;
    if (terminal) {
        read_fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (read_fd < 0 || ::grantpt(read_fd) != 0 || ::unlockpt(read_fd) != 0) {
            ADD_FAILURE() << "no pseudo-terminal: " << std::strerror(errno);
            return result;
        }
        winsize size{};
        size.ws_row = 50;
        size.ws_col = columns;
        ::ioctl(read_fd, TIOCSWINSZ, &size);
        write_fd = ::open(::ptsname(read_fd), O_RDWR | O_NOCTTY | O_CLOEXEC);
    } else {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            ADD_FAILURE() << "pipe: " << std::strerror(errno);
            return result;
        }
        read_fd = fds[0];
        write_fd = fds[1];
    }
    if (write_fd < 0) {
        ADD_FAILURE() << "cannot open the terminal's other end: " << std::strerror(errno);
        ::close(read_fd);
        return result;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(write_fd, STDERR_FILENO);
        ::execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    ::close(write_fd);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(read_fd, buf, sizeof buf);
        if (n > 0) {
            result.err.append(buf, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;  // EOF on a pipe; EIO on a terminal nobody has open any more
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ADD_FAILURE() << "timed out";
            break;
        }
    }
    ::close(read_fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::string text;
    for (const char c : result.err) {
        if (c != '\r') text += c;
    }
    result.err = text;
    return result;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

const EnvChanges kColourTerminal = {
    {"TERM", "xterm-256color"}, {"NO_COLOR", std::nullopt}, {"COLUMNS", std::nullopt}};

class Terminal : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        if (t.is_strace) GTEST_SKIP() << "sctrace's own terminal output";
        ASSERT_EQ(access(t.path.c_str(), X_OK), 0) << "no sctrace at " << t.path;
        dir_ = make_test_dir("sctrace-terminal");
        ASSERT_FALSE(dir_.empty());
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }

    // sctrace analyze LOG [options]: the sample log with one double-close.
    std::vector<std::string> analyze(std::vector<std::string> options = {}) const {
        std::vector<std::string> argv{Tracer::get().path, "analyze"};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back(std::string(SCTRACE_SOURCE_DIR) + "/samples/logs/double-close.ttT-y.log");
        return argv;
    }

    // A log of `n` double-closes, each of another fd (so each message
    // differs), in strace -f -tt's notation.
    std::string many_double_closes(int n) const {
        const std::string path = dir_ + "/many.log";
        std::ofstream log(path);
        for (int i = 0; i < n; ++i) {
            const int fd = 3 + i;
            char time[32];
            std::snprintf(time, sizeof time, "12:00:%02d.%06d", i / 1000, (i % 1000) * 100);
            log << "4711  " << time << " openat(AT_FDCWD, \"/tmp/f" << i << "\", O_RDONLY) = " << fd
                << "\n";
            log << "4711  " << time << " close(" << fd << ") = 0\n";
            log << "4711  " << time << " close(" << fd << ") = -1 EBADF (Bad file descriptor)\n";
        }
        log << "4711  12:00:59.000000 exit_group(0) = ?\n";
        log << "4711  12:00:59.000001 +++ exited with 0 +++\n";
        return path;
    }

    std::string dir_;
};

TEST_F(Terminal, FindingsAreColouredOnATerminal) {
    const Output out = run_with_stderr(analyze(), true, kColourTerminal);
    EXPECT_EQ(out.status, 1) << out.err;
    EXPECT_NE(out.err.find("sctrace: \x1b[31merror\x1b[0m [\x1b[1mdouble-close\x1b[0m]"),
              std::string::npos)
        << out.err;
    // The table, not the summary lines.
    EXPECT_NE(out.err.find("sctrace: summary:\nsctrace:   "), std::string::npos) << out.err;
    EXPECT_EQ(out.err.find("summary: double-close"), std::string::npos) << out.err;
}

TEST_F(Terminal, PipedFindingsHaveNoEscapesAndTodaysLines) {
    const Output out = run_with_stderr(analyze(), false, kColourTerminal);
    EXPECT_EQ(out.status, 1) << out.err;
    EXPECT_EQ(out.err.find('\x1b'), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("sctrace: error [double-close] pid "), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("sctrace: summary: double-close error ×1, first "), std::string::npos)
        << out.err;
}

TEST_F(Terminal, ColorAlwaysColoursAPipeButChangesNothingElse) {
    const Output plain = run_with_stderr(analyze(), false, kColourTerminal);
    const Output out = run_with_stderr(analyze({"--color", "always"}), false,
                                       {{"TERM", "dumb"}, {"NO_COLOR", "1"}});
    EXPECT_NE(out.err.find("\x1b[31merror\x1b[0m"), std::string::npos) << out.err;
    // Without its escapes, the same text as the plain pipe's.
    std::string stripped;
    for (std::size_t i = 0; i < out.err.size(); ++i) {
        if (out.err[i] == '\x1b') {
            i = out.err.find('m', i);
            continue;
        }
        stripped += out.err[i];
    }
    EXPECT_EQ(stripped, plain.err) << describe_difference(plain.err, stripped);
}

TEST_F(Terminal, NoColorOrADumbTermOrColorNeverLeaveATerminalPlain) {
    for (const auto& [label, options, env] :
         std::vector<std::tuple<std::string, std::vector<std::string>, EnvChanges>>{
             {"NO_COLOR=1", {}, {{"TERM", "xterm"}, {"NO_COLOR", "1"}}},
             {"TERM=dumb", {}, {{"TERM", "dumb"}, {"NO_COLOR", std::nullopt}}},
             {"--color never", {"--color=never"}, kColourTerminal}}) {
        const Output out = run_with_stderr(analyze(options), true, env);
        EXPECT_EQ(out.status, 1) << label << "\n" << out.err;
        EXPECT_EQ(out.err.find('\x1b'), std::string::npos) << label << "\n" << out.err;
        EXPECT_NE(out.err.find("sctrace: error [double-close]"), std::string::npos) << label << "\n"
                                                                                    << out.err;
    }
    // An empty NO_COLOR is as if it were unset.
    const Output out = run_with_stderr(analyze(), true, {{"TERM", "xterm"}, {"NO_COLOR", ""}});
    EXPECT_NE(out.err.find("\x1b[31merror"), std::string::npos) << out.err;
}

TEST_F(Terminal, ABadColorValueIsAUsageError) {
    const Output out = run_with_stderr(analyze({"--color", "sometimes"}), false, kColourTerminal);
    EXPECT_EQ(out.status, 2) << out.err;
    EXPECT_NE(out.err.find("--color"), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("sometimes"), std::string::npos) << out.err;
}

TEST_F(Terminal, ParagraphsWrapToTheTerminalsWidth) {
    const Output out = run_with_stderr(analyze({"--color=never"}), true, kColourTerminal, 60);
    const std::size_t why = out.err.find("sctrace:   why: ");
    ASSERT_NE(why, std::string::npos) << out.err;
    // The paragraph goes on, indented under itself, on the next line.
    const std::size_t end = out.err.find('\n', why);
    EXPECT_LE(end - why, 60u) << out.err;
    EXPECT_EQ(out.err.compare(end + 1, 16, "sctrace:        "), 0) << out.err;
    // Piped, it is one line.
    const Output piped = run_with_stderr(analyze(), false, {{"COLUMNS", "60"}});
    const std::size_t piped_why = piped.err.find("sctrace:   why: ");
    ASSERT_NE(piped_why, std::string::npos) << piped.err;
    EXPECT_GT(piped.err.find('\n', piped_why) - piped_why, 60u) << piped.err;
}

TEST_F(Terminal, ARuleFiringManyTimesIsShownAFewTimesThenCounted) {
    const std::string log = many_double_closes(40);
    const Output out = run_with_stderr({Tracer::get().path, "analyze", "--rule", "double-close",
                                        "--findings", dir_ + "/findings.jsonl", log},
                                       true, kColourTerminal);
    EXPECT_EQ(out.status, 1) << out.err;
    EXPECT_EQ(count(out.err, "[\x1b[1mdouble-close\x1b[0m]"), 5u) << out.err;
    EXPECT_NE(out.err.find("... and 35 more double-close findings not shown above"),
              std::string::npos)
        << out.err;
    EXPECT_NE(out.err.find("double-close\x1b[0m  \x1b[31merror\x1b[0m"), std::string::npos)
        << out.err;
    // The findings file has every one.
    std::ifstream findings(dir_ + "/findings.jsonl");
    std::size_t lines = 0;
    for (std::string line; std::getline(findings, line);) ++lines;
    EXPECT_EQ(lines, 40u);
    // Piped, each finding of another fd is shown, as before.
    const Output piped = run_with_stderr(
        {Tracer::get().path, "analyze", "--rule", "double-close", log}, false, kColourTerminal);
    EXPECT_EQ(count(piped.err, "sctrace: error [double-close]"), 40u) << piped.err;
}

}  // namespace
}  // namespace e2e
