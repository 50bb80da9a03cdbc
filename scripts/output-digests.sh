#!/usr/bin/env bash
# Build every sample output (both editions in every format, the diff, comment report, coverage, OSCAL, release and the
# sample town) into OUT, then print one "sha256  path" line per file, sorted. Comparing the lists of two commits proves
# a refactor left every output byte-identical:  scripts/output-digests.sh /tmp/a > a.txt; ...; diff a.txt b.txt
# The release runs with GIT_DIR set to a missing path, so its manifest records the revision "unknown" rather than
# the commit being compared.
set -euo pipefail
out=${1:?usage: scripts/output-digests.sh OUT_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
g="$here/.venv/bin/guideline"
rm -rf "$out"; mkdir -p "$out"
cd "$here"
q=-q
"$g" build --edition draft --format all -o "$out/build" $q >/dev/null
"$g" build --edition r5-03 --format all -o "$out/build" $q >/dev/null
"$g" diff r5-03 draft -o "$out/diff" >/dev/null
"$g" comments report --round r6-public -o "$out/comments" >/dev/null
mkdir -p "$out/coverage"
for f in csv html json xlsx; do "$g" coverage --edition draft -o "$out/coverage/coverage.$f" >/dev/null; done
"$g" export oscal --edition draft -o "$out/oscal" >/dev/null
GIT_DIR=/nonexistent "$g" release --edition draft --previous r5-03 --round r6-public -o "$out/release" >/dev/null
cp -R examples/local/sample-town "$out/town"
"$g" local rebase "$out/town" --to draft --report "$out/town-rebase.json" >/dev/null || true
"$g" local resolve "$out/town" org-ciso --take local >/dev/null
"$g" local diff "$out/town" -o "$out/town-diff" >/dev/null
"$g" local build "$out/town" -o "$out/town-policy" --format all >/dev/null
cd "$out" && find . -type f ! -path './town/*' -print0 | sort -z | xargs -0 sha256sum
