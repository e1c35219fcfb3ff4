// Where findings go: readable text on stderr (what, where, why, evidence, doc
// link) and JSON Lines for machines (--findings FILE).
#pragma once

#include <cstdio>
#include <string>

#include "engine/rules/engine.h"

namespace sctrace {

class TextFindingsWriter final : public rules::FindingSink {
public:
    explicit TextFindingsWriter(FILE* out) : out_(out) {}
    void on_finding(const rules::Finding& finding) override;

private:
    FILE* out_;
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
