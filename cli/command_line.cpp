#include "cli/command_line.h"

#include <cstdio>

namespace sctrace {

std::optional<std::string> unknown_option(const std::vector<std::string>& remaining) {
    if (remaining.empty()) return std::nullopt;
    const std::string& first = remaining.front();
    if (first.size() < 2 || first[0] != '-' || first == "--") return std::nullopt;
    return first.substr(0, first.find('='));
}

void report_unknown_option(std::string_view program, const std::string& option) {
    std::fprintf(stderr, "%.*s: unknown option '%s'\nRun '%.*s --help' for the options.\n",
                 static_cast<int>(program.size()), program.data(), option.c_str(),
                 static_cast<int>(program.size()), program.data());
}

int parse_error_status(const CLI::App& command, std::string_view program,
                       const CLI::ParseError& error) {
    if (dynamic_cast<const CLI::CallForHelp*>(&error) ||
        dynamic_cast<const CLI::CallForAllHelp*>(&error)) {
        // A command parsed on its own has no parent to name it by: say
        // "sctrace analyze", not "analyze", in its usage line.
        const auto space = program.find(' ');
        const std::string parents(space == std::string_view::npos ? "" : program.substr(0, space));
        std::fputs(command.help(parents).c_str(), stdout);
        return 0;
    }
    if (dynamic_cast<const CLI::CallForVersion*>(&error)) {
        std::printf("%s\n", error.what());
        return 0;
    }
    std::fprintf(stderr, "%.*s: %s\nRun '%.*s --help' for the options.\n",
                 static_cast<int>(program.size()), program.data(), error.what(),
                 static_cast<int>(program.size()), program.data());
    return kUsageError;
}

}  // namespace sctrace
