// What every sctrace command does with its command line alike: name an
// option it does not know, and turn CLI11's parse errors into help or exit
// status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sctrace {

// Exit status of a command line that cannot be used (docs/cli.md).
constexpr int kUsageError = 2;

// One of sctrace's commands: a CLI11 subcommand that owns its options and,
// once its arguments are parsed, does its work.
class Command {
public:
    virtual ~Command() = default;
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    CLI::App& app() { return *app_; }
    // Once app() has parsed the arguments: checks them, does the work, and
    // returns the exit status.
    virtual int execute() = 0;

protected:
    explicit Command(CLI::App* app) : app_(app) {}

    CLI::App* app_;
};

// The first of a command's left-over arguments (CLI::App::remaining()) when
// it is an option the command does not know, without any "=VALUE". Unknown
// options come before anything else there: `run` stops parsing at its
// COMMAND (or "--"), and the other commands take every other word as an
// operand.
std::optional<std::string> unknown_option(const std::vector<std::string>& remaining);

// "PROGRAM: unknown option OPTION" and where to read about the options, on
// stderr. `program`: "sctrace", "sctrace analyze" ...
void report_unknown_option(std::string_view program, const std::string& option);

// What a CLI11 parse error of `command` (named `program`) means: --help and
// --version print to stdout and return 0; anything else is said on stderr
// with where to read more, and returns kUsageError.
int parse_error_status(const CLI::App& command, std::string_view program,
                       const CLI::ParseError& error);

}  // namespace sctrace
