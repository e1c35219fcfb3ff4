// How loading rule files grows with their macros (bench/macro_bench.cpp,
// `build/bench/macro_bench`). Each case is loaded in a child process, so its
// time and peak memory are its own; the figures are in docs/performance.md.
//
//   chain K    m<k> uses m<k-1> once, K levels deep (legal up to the nesting
//              limit, an error past it)
//   twice K    m<k> uses m<k-1> twice: 2^K copies of m0 if expanded; past
//              the evaluation-cost limit an error, reached in linear time
//   wide N     N macros, each used by one of N/10 rules
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/rules/rule_set.h"

namespace {

std::string levels(int k, int uses) {
    std::string text = "- macro: m0\n  condition: evt.type = close and evt.errno = EBADF\n";
    for (int i = 1; i <= k; ++i) {
        text += "- macro: m" + std::to_string(i) + "\n  condition: ";
        for (int u = 0; u < uses; ++u) text += (u ? " or m" : "m") + std::to_string(i - 1);
        text += "\n";
    }
    return text + "- rule: top\n  condition: m" + std::to_string(k) + "\n";
}

std::string wide(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
        text += "- macro: w" + std::to_string(i) + "\n  condition: fd.num = " + std::to_string(i) +
                " and evt.type = close\n";
    }
    for (int r = 0; r < n / 10; ++r) {
        text += "- rule: r" + std::to_string(r) + "\n  condition: ";
        for (int i = r * 10; i < r * 10 + 10; ++i)
            text += (i > r * 10 ? " or w" : "w") + std::to_string(i);
        text += "\n";
    }
    return text;
}

void measure(const char* shape, int n, const std::string& text) {
    int fds[2];
    if (pipe(fds) != 0) return;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const auto start = std::chrono::steady_clock::now();
        sctrace::rules::RuleSet set;
        set.load_text("bench.yaml", text);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        std::string result = set.errors().empty()
                                 ? std::to_string(set.rules().size()) + " rule(s)"
                                 : "error: " + set.errors().front().message.substr(0, 60);
        const std::string line = std::to_string(ms) + "\t" + result;
        (void)!write(fds[1], line.data(), line.size());
        _exit(0);
    }
    close(fds[1]);
    char buffer[256] = {};
    const ssize_t got = read(fds[0], buffer, sizeof buffer - 1);
    close(fds[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    std::string out(buffer, got > 0 ? static_cast<std::size_t>(got) : 0);
    const std::string ms = out.substr(0, out.find('\t'));
    const std::string result =
        out.find('\t') == std::string::npos ? "(died)" : out.substr(out.find('\t') + 1);
    std::printf("| %-6s | %6d | %9zu | %9.2f | %8ld | %s |\n", shape, n, text.size(),
                std::stod(ms.empty() ? "0" : ms), usage.ru_maxrss, result.c_str());
}

}  // namespace

int main() {
    std::printf("| shape  |      n |     bytes | load (ms) | RSS (KB) | result |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | --- |\n");
    for (int k : {10, 20, 40, 60, 64, 100, 1000}) measure("chain", k, levels(k, 1));
    for (int k : {10, 14, 15, 16, 20, 30, 40}) measure("twice", k, levels(k, 2));
    for (int n : {1000, 2000, 4000, 8000, 16000}) measure("wide", n, wide(n));
    return 0;
}
