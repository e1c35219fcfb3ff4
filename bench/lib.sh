# shellcheck shell=bash disable=SC2154
# What the bench/*.sh scripts share; they source it after setting $root.

# splice_results NAME REPORT: puts REPORT's text (a file) between the lines
# "<!-- bench/NAME results: begin -->" and "<!-- bench/NAME results: end -->"
# of docs/performance.md, in place of what stood there. Returns 1, touching
# nothing, when the file or a marker is missing.
splice_results() {
    local name=$1 report=$2
    local doc=$root/docs/performance.md
    local begin="<!-- bench/$name results: begin -->" end="<!-- bench/$name results: end -->"
    [ -f "$doc" ] && grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" || return 1
    awk -v begin="$begin" -v end="$end" -v report="$report" '
        $0 == begin { print; while ((getline l < report) > 0) print l; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }' "$doc" >"$doc.new" && cat "$doc.new" >"$doc" && rm -f "$doc.new"
}
