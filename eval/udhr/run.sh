#!/usr/bin/env bash
# The UDHR evaluation: queries in the six UN languages, each judged by its aligned article.
# Prints success@1 and MRR@10 per language (Markdown), on the development queries then the
# held-out ones, for communique (languages declared by
# the pages' `lang`, then left to detection), SQLite FTS5 and Xapian told every language.
#
#   bash eval/udhr/run.sh [BASELINE_BINARY]
#
# BASELINE_BINARY (optional): another build of communique, such as main's before languages,
# run on the same articles as text files (it reads no HTML).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=$(cd "${COMMUNIQUE_SHARED:-../shared}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! /usr/bin/python3 -c 'import xapian' 2>/dev/null; then
  apt-get install -y python3-xapian >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y python3-xapian >/dev/null; }
fi
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target} nice -n 19 cargo build --release --quiet --bin communique
bin=./target/release/communique
python3 eval/udhr/split.py "$shared/data/udhr" "$work/html"
python3 eval/udhr/split.py "$shared/data/udhr" "$work/detected" --no-lang
python3 eval/udhr/split.py "$shared/data/udhr" "$work/txt" --txt

for set in ${UDHR_SETS:-queries heldout heldout2 heldout3 heldout4 heldout5 heldout6 heldout7 heldout8 heldout9 heldout10 heldout11 heldout12 heldout13 heldout14 heldout15 heldout16 heldout17 heldout18 heldout19 heldout20 heldout21 heldout22 heldout23 heldout24}; do
  queries=eval/udhr/$set.jsonl
  echo
  echo "### $set ($(wc -l <"$queries") queries)"
  echo
  runs=()
  if [[ $# -ge 1 ]]; then
    "$1" --corpus "$work/txt" --index "$work/idx-before" eval --queries "$queries" --write-run "$work/before.trec" >/dev/null
    runs+=("communique before languages (text files)=$work/before.trec")
  fi
  $bin --corpus "$work/html" --index "$work/idx-html" eval --queries "$queries" --write-run "$work/html.trec" >/dev/null
  $bin --corpus "$work/detected" --index "$work/idx-detected" eval --queries "$queries" --write-run "$work/detected.trec" >/dev/null
  /usr/bin/python3 eval/udhr/baselines.py fts5 "$work/txt" "$queries" "$work/fts5.trec"
  /usr/bin/python3 eval/udhr/baselines.py xapian "$work/txt" "$queries" "$work/xapian.trec"
  runs+=(
    "SQLite FTS5 (porter unicode61)=$work/fts5.trec"
    "Xapian, told the language of every document and query=$work/xapian.trec"
    "**communique** (HTML lang attributes; queries without language)=$work/html.trec"
    "**communique**, every language detected=$work/detected.trec"
  )
  python3 eval/udhr/score.py "$queries" "${runs[@]}"
done
