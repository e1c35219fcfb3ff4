// `sctrace rules list|check|explain|fields|traced [-r PATH ...] [RULE] [--json]`:
// what the rule files say, without tracing anything.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace sctrace {

class RulesCommand final : public Command {
public:
    // Adds `rules` and its subcommands to `sctrace`.
    explicit RulesCommand(CLI::App& sctrace);
    int execute() override;

private:
    CLI::App* list_ = nullptr;
    CLI::App* check_ = nullptr;
    CLI::App* explain_ = nullptr;
    CLI::App* fields_ = nullptr;
    CLI::App* traced_ = nullptr;
    std::vector<std::string> paths_;
    std::vector<std::string> only_;  // traced --rule
    bool json_ = false;
    bool no_default_rules_ = false;
    std::string rule_id_;
};

}  // namespace sctrace
