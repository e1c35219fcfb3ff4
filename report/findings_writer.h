// Where findings go: readable text on stderr (what, where, why, evidence, doc
// link) and JSON Lines for machines (--findings FILE).
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "engine/rules/engine.h"

namespace sctrace {

// A finding as readable text, each line starting with `prefix`: what and
// where, the message, why, evidence, stacks (strace -k's frame shape), the
// doc link. Stderr gets it with "sctrace: "; the JUnit report without.
std::string finding_text(const rules::Finding& finding, std::string_view prefix = "");

class TextFindingsWriter final : public rules::FindingSink {
public:
    explicit TextFindingsWriter(FILE* out) : out_(out) {}
    void on_finding(const rules::Finding& finding) override;

    // Called just before and just after a finding's text is written, e.g.
    // to take a status line that shares the terminal (analyze's progress
    // line) off the screen and put it back, so the two never overprint.
    // Empty functions (the default) do nothing.
    void set_around_write(std::function<void()> before, std::function<void()> after) {
        before_ = std::move(before);
        after_ = std::move(after);
    }

private:
    FILE* out_;
    std::function<void()> before_, after_;
};

class JsonlFindingsWriter final : public rules::FindingSink {
public:
    explicit JsonlFindingsWriter(int fd) : fd_(fd) {}
    void on_finding(const rules::Finding& finding) override;

private:
    int fd_;
};

// One event in strace's notation, for evidence: "connect(3, {...}, 16) = 0".
std::string describe_event(const Event& event);

}  // namespace sctrace
