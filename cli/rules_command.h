// `sctrace rules list|check|explain|fields [-r PATH ...] [RULE] [--json]`:
// what the rule files say, without tracing anything.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sctrace {

class RulesCommand {
public:
    // Adds `rules` and its subcommands to `sctrace`.
    explicit RulesCommand(CLI::App& sctrace);
    RulesCommand(const RulesCommand&) = delete;
    RulesCommand& operator=(const RulesCommand&) = delete;

    CLI::App& app() { return *app_; }
    // Once app() has parsed the arguments: does it, returns the exit status.
    int execute();

private:
    CLI::App* app_;
    CLI::App* list_ = nullptr;
    CLI::App* check_ = nullptr;
    CLI::App* explain_ = nullptr;
    CLI::App* fields_ = nullptr;
    std::vector<std::string> paths_;
    bool json_ = false;
    std::string rule_id_;
};

}  // namespace sctrace
