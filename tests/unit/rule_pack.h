// Bundled rule files run over strace lines, for tests of what the pack finds:
// the log converter feeds the engine the same events a live run gives.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "report/findings_writer.h"
#include "sources/strace/strace_log.h"

namespace sctrace {

struct CollectFindings final : rules::FindingSink {
    std::vector<rules::Finding> findings;
    void on_finding(const rules::Finding& f) override { findings.push_back(f); }
};

struct RulePack {
    rules::RuleSet rules;
    CollectFindings sink;
    std::unique_ptr<rules::RuleEngine> engine;
    std::unique_ptr<strace_text::StraceLogConverter> converter;

    // `files`: names under rules/ ("macros.yaml").
    explicit RulePack(const std::vector<std::string>& files) {
        std::vector<std::string> paths;
        for (const auto& f : files) paths.push_back(std::string(SCTRACE_RULES_DIR) + "/" + f);
        rules.load(paths);
        EXPECT_TRUE(rules.errors().empty()) << rules.format_errors();
        engine = std::make_unique<rules::RuleEngine>(rules, std::vector<rules::FindingSink*>{&sink},
                                                     describe_event);
        converter = std::make_unique<strace_text::StraceLogConverter>(*engine);
        converter->begin_file("pack.log", 0, 0);
    }
    RulePack& operator<<(const std::string& line) {
        EXPECT_TRUE(converter->feed(line)) << line;
        return *this;
    }
    std::vector<rules::Finding> of(const std::string& rule) const {
        std::vector<rules::Finding> out;
        for (const auto& f : sink.findings) {
            if (f.rule == rule) out.push_back(f);
        }
        return out;
    }
};

}  // namespace sctrace
