#!/bin/sh
# git on a repository of its own: init, add, commit, branch, merge, log, gc.
# Fixed names and dates make the hashes, so the output is the same on every run.
set -eu
repo=$1
export GIT_AUTHOR_NAME="corpus test" GIT_AUTHOR_EMAIL=corpus@test
export GIT_COMMITTER_NAME="corpus test" GIT_COMMITTER_EMAIL=corpus@test
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
git init -q -b main "$repo"
cd "$repo"
for i in 1 2 3 4 5; do
    printf 'file %s\n' "$i" > "f$i.txt"
    git add "f$i.txt"
    git commit -q -m "add f$i"
done
git checkout -q -b side
echo side >> f1.txt
git commit -q -am "side change"
git checkout -q main
echo main >> f2.txt
git commit -q -am "main change"
git merge -q --no-edit side
git log --stat --format='%H %s'
git gc -q
git fsck --no-progress
git status --short
