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
