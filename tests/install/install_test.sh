#!/usr/bin/env bash
# sctrace installed into a fresh prefix and run from another directory: it
# finds its own rule pack there (and its docs are there), and a copy of the
# binary placed elsewhere does not take a rules/ folder it happens to find.
#
#   install_test.sh BUILD_DIR SAMPLE    (SAMPLE: samples/double-close)
set -euo pipefail
build=$1
sample=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "install_test: FAIL: $*" >&2
    exit 1
}
unset SCTRACE_RULES

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
[ -x "$tmp/prefix/bin/sctrace" ] || fail "no PREFIX/bin/sctrace"
[ -f "$tmp/prefix/share/sctrace/rules/descriptors.yaml" ] || fail "no rule pack in PREFIX/share/sctrace/rules"
[ -f "$tmp/prefix/share/doc/sctrace/rules/double-close.md" ] || fail "no rule story in PREFIX/share/doc/sctrace"
[ -f "$tmp/prefix/share/doc/sctrace/ci.md" ] || fail "no docs in PREFIX/share/doc/sctrace"

# From another directory, nothing set: the installed pack.
cd "$tmp"
list=$("$tmp/prefix/bin/sctrace" rules list) || fail "rules list failed"
grep -q 'double-close' <<<"$list" || fail "rules list has no double-close: $list"
status=0
"$tmp/prefix/bin/sctrace" --findings "$tmp/findings.jsonl" -- "$sample" >/dev/null 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "the sample's status was $status"
grep -q '"rule":"double-close"' "$tmp/findings.jsonl" || fail "no double-close finding: $(cat "$tmp/findings.jsonl")"
# The finding points at the installed story, which `rules explain` prints.
story="$tmp/prefix/share/doc/sctrace/rules/double-close.md"
grep -qF "\"doc\":\"$story\"" "$tmp/findings.jsonl" ||
    fail "the finding's doc is not the installed story $story: $(cat "$tmp/findings.jsonl")"
explain=$("$tmp/prefix/bin/sctrace" rules explain double-close) || fail "rules explain failed"
grep -qxF "story: $story" <<<"$explain" || fail "rules explain names no installed story: $explain"
grep -qxF "$(sed -n '3p' "$story")" <<<"$explain" || fail "rules explain does not show the story's text: $explain"
# The manual page and the completions, where man, bash-completion and zsh look.
[ -f "$tmp/prefix/share/man/man1/sctrace.1" ] || fail "no PREFIX/share/man/man1/sctrace.1"
MANPATH="$tmp/prefix/share/man" man -w sctrace >/dev/null 2>&1 || fail "man does not find sctrace(1) in PREFIX/share/man"
grep -q -- 'hang\\-after' "$tmp/prefix/share/man/man1/sctrace.1" || fail "the installed man page has no --hang-after"
grep -q '^complete -F _sctrace' "$tmp/prefix/share/bash-completion/completions/sctrace" ||
    fail "no bash completion in PREFIX/share/bash-completion/completions/sctrace"
head -1 "$tmp/prefix/share/zsh/vendor-completions/_sctrace" | grep -qx '#compdef sctrace' ||
    fail "no zsh completion in PREFIX/share/zsh/vendor-completions/_sctrace"

# A copy elsewhere, a rules/ folder two levels up: not taken.
mkdir -p "$tmp/elsewhere/tools/bin" "$tmp/elsewhere/rules"
printf -- '- rule: decoy\n  desc: not ours\n  condition: evt.type = close\n  output: decoy\n  severity: error\n' \
    >"$tmp/elsewhere/rules/decoy.yaml"
cp "$tmp/prefix/bin/sctrace" "$tmp/elsewhere/tools/bin/sctrace"
status=0
err=$("$tmp/elsewhere/tools/bin/sctrace" rules list 2>&1 >/dev/null) || status=$?
[ "$status" -eq 2 ] || fail "a stray copy exited $status, not 2"
grep -q 'no bundled rule pack' <<<"$err" || fail "a stray copy did not say why: $err"
grep -q 'decoy' <<<"$err" && fail "a stray copy took the decoy rules"
# ... and takes the pack it is given.
SCTRACE_RULES="$tmp/prefix/share/sctrace/rules" "$tmp/elsewhere/tools/bin/sctrace" rules list |
    grep -q 'double-close' || fail "SCTRACE_RULES was not taken"
echo "install_test: ok"
