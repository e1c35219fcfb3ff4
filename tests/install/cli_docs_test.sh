#!/usr/bin/env bash
# What a user reads about sctrace without its source: --version, --help,
# the manual page and the shell completions (the last two written at build
# time from the same command line definitions as --help).
#
#   cli_docs_test.sh version SCTRACE VERSION   --version says the project's VERSION
#   cli_docs_test.sh help SCTRACE              --help lists every command with its line
#   cli_docs_test.sh man SCTRACE PAGE          sctrace.1 renders cleanly, has every command
#   cli_docs_test.sh cli-md PAGE CLI_MD        docs/cli.md names every option the page has
#   cli_docs_test.sh bash SCTRACE SCRIPT       the bash completion completes options, commands
#   cli_docs_test.sh zsh SCTRACE SCRIPT        the zsh completion parses and completes
set -euo pipefail
fail() {
    echo "cli_docs_test: FAIL: $*" >&2
    exit 1
}

# The commands --help lists under "Subcommands:", one per line.
commands_of() {
    "$1" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

case $1 in
version)
    out=$("$2" --version)
    [ "$out" = "sctrace $3" ] || fail "--version said '$out', the project's version is $3"
    ;;
help)
    help=$("$2" --help)
    commands=$(commands_of "$2")
    for c in run analyze rules diff strace help; do
        grep -qx "$c" <<<"$commands" || fail "--help lists no command $c: $help"
        # Its one line: the name, then a description.
        grep -Eq "^  $c +[A-Za-z]" <<<"$help" || fail "--help has no description for $c"
    done
    # The build-time options stay out of the help.
    grep -q -- '--help-man\|--completion' <<<"$help" && fail "--help shows a build-time option"
    # `help strace` shows strace's own options (not CLI11's, it has none).
    "$2" help strace | grep -q -- '-e trace=SET' || fail "sctrace help strace shows no strace options"
    ;;
man)
    page=$3
    warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || fail "man -l warns: $warnings"
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "groff -ww warns: $warnings"
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
    for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
        grep -qx "$section" <<<"$text" || fail "the page has no $section section"
    done
    for c in $(commands_of "$2"); do
        grep -Eq "^ +sctrace $c\$" <<<"$text" || fail "the page has no section for the command $c"
    done
    # Options of run (the top level's) and of a nested command, with their
    # descriptions and type names as --help has them.
    grep -Eq -- '^ +--hang-after DURATION$' <<<"$text" || fail "the page has no --hang-after DURATION"
    grep -q 'How long a thread may stay stuck' <<<"$text" || fail "the page lacks --hang-after's description"
    grep -Eq -- '^ +--format text\|jsonl\|strace$' <<<"$text" || fail "the page has not --format's choices"
    grep -Eq '^ +sctrace rules explain$' <<<"$text" || fail "the page has no 'rules explain'"
    grep -q 'SCTRACE_RULES' <<<"$text" || fail "the page has no SCTRACE_RULES"
    grep -q 'share/sctrace/rules' <<<"$text" || fail "the page names no installed rule pack"
    # No option is spelled with a typesetter's hyphen (it could not be typed).
    grep -q -- '‐' <<<"$text" && fail "the page has a Unicode hyphen in it: $(grep -- '‐' <<<"$text" | head -3)"
    ;;
cli-md)
    # The page is written from the options' definitions; docs/cli.md is
    # written by hand, so an option added in code and not there shows here.
    options=$(MANWIDTH=200 man -l "$2" 2>/dev/null | grep -E '^ +-' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
    [ "$(wc -l <<<"$options")" -gt 20 ] || fail "found only these options in the page: $options"
    missing=""
    for o in $options; do
        grep -qE -- "$o([^a-z0-9-]|\$)" "$3" || missing="$missing $o"
    done
    [ -z "$missing" ] || fail "docs/cli.md does not name:$missing"
    ;;
bash)
    # A shell with nothing of the user's, the script sourced, the function
    # called as bash would call it.
    out=$(SCTRACE="$2" bash --norc -c '
        source "$1"
        complete_words() {
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
            _sctrace
            printf "%s\n" "${COMPREPLY[@]}"
        }
        echo "== options"; complete_words "$SCTRACE" --hang
        echo "== commands"; complete_words "$SCTRACE" ru
        echo "== rules"; complete_words "$SCTRACE" rules ex
        echo "== format"; complete_words "$SCTRACE" --format ""
        echo "== rule ids"; complete_words "$SCTRACE" rules explain double
        echo "== after the command"; complete_words "$SCTRACE" true ru
        echo "== complete"; complete -p sctrace
    ' sh "$3")
    section() { sed -n "/^== $1\$/,/^==/p" <<<"$out" | sed '1d;/^==/d'; }
    section options | grep -qx -- '--hang-after' || fail "sctrace --hang did not complete to --hang-after: $out"
    section commands | grep -qx 'rules' || fail "sctrace ru did not complete to rules: $out"
    section commands | grep -qx 'run' || fail "sctrace ru did not complete to run: $out"
    [ "$(section rules)" = explain ] || fail "sctrace rules ex did not complete to explain alone: $out"
    [ "$(section format | tr '\n' ' ')" = "text jsonl strace " ] || fail "--format's choices: $out"
    section 'rule ids' | grep -qx 'double-close' || fail "rules explain double did not complete the rule id: $out"
    [ -z "$(section 'after the command')" ] || fail "the traced command's arguments were taken as sctrace's: $out"
    section complete | grep -q -- '-F _sctrace' || fail "the script does not register _sctrace: $out"
    ;;
zsh)
    if ! command -v zsh >/dev/null; then
        echo "cli_docs_test: SKIPPED: zsh is not installed (scripts/install-deps installs it); the zsh completion is not checked"
        exit 0
    fi
    script=$3
    head -1 "$script" | grep -qx '#compdef sctrace' || fail "$script does not start with #compdef sctrace"
    zsh -n "$script" || fail "zsh -n $script failed"
    # Completed for real, by TAB in an interactive zsh on a pseudo-terminal.
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    cp "$script" "$dir/_sctrace"
    status=0
    zsh -f "$(dirname "$0")/zsh_complete.zsh" "$dir" "$(dirname "$2")" || status=$?
    [ "$status" -ne 77 ] || fail "zsh has no zsh/zpty module to type into"
    [ "$status" -eq 0 ] || fail "zsh did not complete as it should (above)"
    ;;
*)
    fail "unknown check $1"
    ;;
esac
echo "cli_docs_test: $1: ok"
