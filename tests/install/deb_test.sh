#!/usr/bin/env bash
# The Debian package (make deb): built from the already-built tree by CPack,
# its control fields (computed Depends, section, maintainer) and its files,
# then installed without touching the host: unpacked into a scratch root and
# run from there, and installed by dpkg itself into a scratch instdir with a
# scratch database. No chroot or container is used: the unpacked binary runs
# with the host's libraries, which the package's Depends name.
#
#   deb_test.sh BUILD_DIR VERSION SAMPLE    (SAMPLE: samples/double-close)
set -euo pipefail
build=$1
version=$2
sample=$3
fail() {
    echo "deb_test: FAIL: $*" >&2
    exit 1
}
for tool in cpack dpkg-deb dpkg dpkg-shlibdeps file; do
    if ! command -v "$tool" >/dev/null; then
        echo "deb_test: SKIPPED: no $tool (scripts/install-deps installs dpkg-dev and file)"
        exit 77
    fi
done
unset SCTRACE_RULES
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
    fail "cpack failed: $(cat "$tmp/cpack.log")"
deb="$tmp/out/sctrace_${version}_amd64.deb"
[ -f "$deb" ] || fail "no sctrace_${version}_amd64.deb: $(ls "$tmp/out")"

field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = sctrace ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), not $version"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
[ "$(field Section)" = devel ] || fail "Section: $(field Section)"
grep -q '<.*@.*>' <<<"$(field Maintainer)" || fail "Maintainer: '$(field Maintainer)'"
grep -q 'syscall tracer' <<<"$(field Description)" || fail "Description: $(field Description)"
# dpkg-shlibdeps' Depends: the libraries sctrace links, with versions.
depends=$(field Depends)
for lib in libc6 libseccomp2 libstdc++6; do
    tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qxF "$lib" ||
        fail "Depends has no $lib: $depends"
done
dpkg-deb --info "$deb" >/dev/null || fail "dpkg-deb --info failed"

contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for f in ./usr/bin/sctrace ./usr/share/sctrace/rules/descriptors.yaml ./usr/share/man/man1/sctrace.1 \
    ./usr/share/bash-completion/completions/sctrace ./usr/share/zsh/vendor-completions/_sctrace \
    ./usr/share/doc/sctrace/rules/double-close.md; do
    grep -qxF "$f" <<<"$contents" || fail "the package has no $f: $contents"
done
outside=$(grep -v '^\./usr/' <<<"$contents" | grep -vx '\./' || true)
[ -z "$outside" ] || fail "the package installs outside /usr: $outside"

# Unpacked into a scratch root and run from elsewhere: it finds its pack and
# its stories beside itself.
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
sctrace="$root/usr/bin/sctrace"
[ "$("$sctrace" --version)" = "sctrace $version" ] || fail "--version: $("$sctrace" --version)"
check=$("$sctrace" rules check) || fail "rules check failed: $check"
grep -q 'rule(s) OK' <<<"$check" || fail "rules check: $check"
status=0
"$sctrace" -- true >/dev/null 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "sctrace -- true exited $status"
"$sctrace" --findings "$tmp/findings.jsonl" -- "$sample" >/dev/null 2>&1 || fail "the sample failed under the unpacked sctrace"
grep -qF "\"doc\":\"$root/usr/share/doc/sctrace/rules/double-close.md\"" "$tmp/findings.jsonl" ||
    fail "the finding does not point at the unpacked story: $(cat "$tmp/findings.jsonl")"

# dpkg itself, into a scratch instdir with a scratch database (nothing of
# the host's: its log goes there too). That database knows none of the
# host's packages, so the Depends are forced; they were checked above.
admin="$tmp/admin"
mkdir -p "$admin/updates" "$admin/info" "$admin/triggers" "$tmp/inst"
touch "$admin/status" "$admin/available"
dpkg_scratch() {
    dpkg --instdir="$tmp/inst" --admindir="$admin" --log="$tmp/dpkg.log" --force-not-root \
        --force-script-chrootless "$@"
}
dpkg_scratch --force-depends -i "$deb" >"$tmp/dpkg.out" 2>&1 || fail "dpkg -i: $(cat "$tmp/dpkg.out")"
dpkg-query --admindir="$admin" -W -f='${Status} ${Version}' sctrace | grep -qx "install ok installed $version" ||
    fail "dpkg does not list sctrace $version as installed"
"$tmp/inst/usr/bin/sctrace" rules list | grep -q double-close || fail "the dpkg-installed sctrace has no rule pack"
dpkg_scratch -r sctrace >"$tmp/dpkg.out" 2>&1 || fail "dpkg -r: $(cat "$tmp/dpkg.out")"
[ ! -e "$tmp/inst/usr/bin/sctrace" ] || fail "dpkg -r left usr/bin/sctrace"
echo "deb_test: ok ($(basename "$deb"): Depends: $depends)"
