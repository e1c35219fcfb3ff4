// What is written from sctrace's command line definitions themselves (the
// CLI11 tree that parses and prints --help): the manual page sctrace(1) and
// the bash and zsh completions. Written at build time by the built sctrace
// (`sctrace --help-man PROSE`, `sctrace --completion bash|zsh`), so an option
// added to the CLI11 tree is in all three without another edit, and no
// option's description is typed twice.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sctrace {

// A command whose command line CLI11 does not read (strace's bundled short
// options): its help text, shown as it is.
struct VerbatimCommand {
    std::string name;
    std::string help;
};

struct CommandTree {
    const CLI::App* top = nullptr;  // sctrace: its own options and its commands
    // The command run when none is named (run): its options are also the top
    // level's, and its usage is sctrace's own.
    const CLI::App* default_command = nullptr;
    std::vector<VerbatimCommand> verbatim;
    std::string version;
};

// sctrace(1) in roff (man(7)). `prose` is Markdown with "## SECTION"
// headings (docs/sctrace.1.md): the generated SYNOPSIS after NAME, its
// sections in its order, and the generated COMMANDS and OPTIONS right after
// its DESCRIPTION.
// Throws std::runtime_error when the prose has no DESCRIPTION.
std::string man_page(const CommandTree& tree, std::string_view prose);

// A bash completion script (complete -F _sctrace sctrace): commands,
// options, their values (files, choices, rule ids from `sctrace rules list
// --json`), and the traced command's name for run.
std::string bash_completion(const CommandTree& tree);

// The same for zsh, as a #compdef function file (_sctrace).
std::string zsh_completion(const CommandTree& tree);

}  // namespace sctrace
