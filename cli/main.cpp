// sctrace's command line (docs/cli.md, `sctrace --help`):
//
//   sctrace [run] [OPTIONS] [--] COMMAND [ARGS...]   (cli/run_command.h)
//   sctrace [run] [OPTIONS] -p PID [-p PID ...]
//   sctrace analyze [OPTIONS] FILE...                 (cli/analyze.h)
//   sctrace rules list|check|explain|fields ...       (cli/rules_command.h)
//   sctrace strace [STRACE OPTIONS] COMMAND [ARGS...]  (cli/strace_command.h)
//   sctrace diff PASS FAIL                            (cli/diff_command.h)
//   sctrace help [COMMAND]
//
// `run` is the default, and its command line is strace's: sctrace's options,
// then the command, whose own arguments are never sctrace's. So a command is
// named by the first word only; any other first word starts a `run`, and
// `sctrace -- analyze` runs a program called analyze, as strace would.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/analyze.h"
#include "cli/command_docs.h"
#include "cli/command_line.h"
#include "cli/diff_command.h"
#include "cli/rules_command.h"
#include "cli/run_command.h"
#include "cli/strace_command.h"
#include "cli/strace_options.h"
#include "cli/version.h"

namespace sctrace {
namespace {

class Sctrace {
public:
    Sctrace() : run_(app_), analyze_(app_), rules_(app_), diff_(app_) {
        app_.set_version_flag("--version", std::string("sctrace ") + kVersion);
        // strace's command line is read by strace_main(), never by CLI11:
        // this entry names it in --help, the manual and the completions.
        strace_ = app_.add_subcommand(
            "strace", "strace 6.1's command line and output, with the rules' findings on stderr");
        help_ = app_.add_subcommand("help", "Show this help, or a command's: sctrace help analyze");
        help_->add_option("COMMAND", help_topic_, "The command to explain");
        // Build-time outputs, hidden from --help (group ""): written from
        // this very tree, they cannot disagree with --help.
        app_.add_option("--help-man", man_prose_,
                        "Write sctrace(1) in roff, with the prose sections of FILE")
            ->type_name("FILE")
            ->group("");
        app_.add_option("--completion", completion_shell_, "Write a shell's completion script")
            ->check(CLI::IsMember({"bash", "zsh"}))
            ->group("");
        app_.footer(
            "With no command, sctrace runs one (sctrace [OPTIONS] -- COMMAND): the options of\n"
            "run follow. `sctrace help COMMAND` shows another command's options.");
    }

    int main(int argc, char** argv) {
        std::vector<std::string> args(argv + 1, argv + argc);
        // Through a link named strace, or `sctrace strace ...`: strace's
        // own command line, which CLI11 does not read (bundled short options).
        const std::string_view self = argc > 0 ? std::string_view(argv[0]) : "";
        if (self.substr(self.rfind('/') + 1) == "strace") return strace_main(args);
        if (!args.empty() && args.front() == "strace") {
            return strace_main(std::vector<std::string>(args.begin() + 1, args.end()));
        }
        CLI::App* command = command_named(args.empty() ? "" : args.front());
        if (command && command != &app_) args.erase(args.begin());
        if (!command) command = &run_.app();
        // CLI11 takes the arguments last first.
        std::vector<std::string> reversed(args.rbegin(), args.rend());
        const std::string program = command == &app_ ? "sctrace" : "sctrace " + command->get_name();
        try {
            command->parse(reversed);
        } catch (const CLI::ParseError& e) {
            if (command == &app_ && dynamic_cast<const CLI::CallForHelp*>(&e)) return help("");
            return parse_error_status(*command, program, e);
        }
        for (Command* c : std::initializer_list<Command*>{&run_, &analyze_, &rules_, &diff_}) {
            if (command == &c->app()) return c->execute();
        }
        if (command == &app_ && !man_prose_.empty()) return write_manual();
        if (command == &app_ && !completion_shell_.empty()) {
            const CommandTree tree = command_tree();
            return write_out(
                completion_shell_ == "zsh" ? zsh_completion(tree) : bash_completion(tree),
                "--completion");
        }
        if (command == help_) return help(help_topic_);
        std::fprintf(stderr, "sctrace: give a command to run (sctrace -- CMD), or a subcommand\n");
        return kUsageError;
    }

private:
    // The command `word` names: a subcommand; the top level for its own
    // options (--help, --version); nullptr for anything else, which is
    // run's (an option of run, "--", a program).
    CLI::App* command_named(std::string_view word) {
        const std::string_view option = word.substr(0, word.find('='));
        if (word == "-h" || word == "--help" || word == "--version" || option == "--help-man" ||
            option == "--completion") {
            return &app_;
        }
        for (CLI::App* sub : app_.get_subcommands([](CLI::App*) { return true; })) {
            if (sub->get_name() == word) return sub;
        }
        return nullptr;
    }

    // The help of the top level (with run's options, the default command's),
    // or of the command `topic` names.
    int help(const std::string& topic) {
        if (topic.empty()) {
            std::fputs(app_.help().c_str(), stdout);
            std::fputs(("\n" + run_.app().help("sctrace")).c_str(), stdout);
            return 0;
        }
        CLI::App* command = command_named(topic);
        if (!command || command == &app_) {
            std::string names;
            for (const CLI::App* sub : app_.get_subcommands([](CLI::App*) { return true; })) {
                names += (names.empty() ? "" : ", ") + sub->get_name();
            }
            std::fprintf(stderr, "sctrace help: no command '%s' (%s)\n", topic.c_str(),
                         names.c_str());
            return kUsageError;
        }
        if (command == strace_) {
            std::fputs(strace_usage_text(), stdout);
            return 0;
        }
        std::fputs(command->help("sctrace").c_str(), stdout);
        return 0;
    }

    CommandTree command_tree() {
        CommandTree tree;
        tree.top = &app_;
        tree.default_command = &run_.app();
        tree.verbatim.push_back({strace_->get_name(), strace_usage_text()});
        tree.version = kVersion;
        return tree;
    }

    // sctrace(1): the tree, with the prose of the file --help-man names.
    int write_manual() {
        std::ifstream in(man_prose_);
        std::ostringstream prose;
        prose << in.rdbuf();
        if (!in) {
            std::fprintf(stderr, "sctrace --help-man: cannot read %s\n", man_prose_.c_str());
            return kUsageError;
        }
        try {
            return write_out(man_page(command_tree(), prose.str()), "--help-man");
        } catch (const std::runtime_error& e) {
            std::fprintf(stderr, "sctrace --help-man: %s: %s\n", man_prose_.c_str(), e.what());
            return kUsageError;
        }
    }

    // A build step installs what these write: a short write must fail it.
    static int write_out(const std::string& text, const char* option) {
        if (std::fputs(text.c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
            std::fprintf(stderr, "sctrace %s: cannot write the standard output\n", option);
            return 1;
        }
        return 0;
    }

    CLI::App app_{"sctrace: a syscall tracer that names known-bad patterns", "sctrace"};
    RunCommand run_;
    AnalyzeCommand analyze_;
    RulesCommand rules_;
    DiffCommand diff_;
    CLI::App* strace_ = nullptr;
    CLI::App* help_ = nullptr;
    std::string help_topic_;
    std::string man_prose_;
    std::string completion_shell_;
};

}  // namespace
}  // namespace sctrace

int main(int argc, char** argv) {
    try {
        sctrace::Sctrace sctrace;
        return sctrace.main(argc, argv);
    } catch (const std::bad_alloc&) {
        // Memory ran out. Inputs are read in bounded memory, so this is a
        // limit (ulimit -v) below what the input needs: an error about the
        // input (exit 2), not a bug in sctrace (70).
        std::fprintf(stderr,
                     "sctrace: out of memory: the input needs more memory than sctrace may "
                     "use here (see ulimit -v)\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: internal error: %s\n", e.what());
        return 70;  // EX_SOFTWARE
    }
}
