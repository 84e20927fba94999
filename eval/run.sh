#!/usr/bin/env bash
# Ranking quality, in one run: communique's defaults and ablations next to SQLite FTS5, Xapian
# and plain tantivy, on Cranfield and on the diplomatic development set. Prints Markdown.
#
#   bash eval/run.sh            # needs ../shared; installs python3-xapian if missing
#
# Everything is evaluated by the same code (`communique eval`, run files via --run).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(cd "${COMMUNIQUE_SHARED:-../shared}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! /usr/bin/python3 -c 'import xapian' 2>/dev/null; then
  apt-get install -y python3-xapian xapian-tools >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y python3-xapian xapian-tools >/dev/null; }
fi
cargo build --release --quiet --bin communique --example plain_tantivy
bin=./target/release/communique

# Corpora: Cranfield's documents alone; the seed, the press releases and the UN speeches.
mkdir -p "$work/cranfield" "$work/dipl/seed" "$work/dipl/state-dept-press" "$work/dipl/ungd"
cran="$shared/data/cranfield"
ln -s "$cran/docs.jsonl" "$work/cranfield/docs.jsonl"
ln -s "$shared/seed/000_b491b3170320ace1.txt" "$work/dipl/seed/"
for f in "$shared"/data/state-dept-press/*.jsonl; do ln -s "$f" "$work/dipl/state-dept-press/"; done
for d in "$shared"/data/ungd/speeches/*; do ln -s "$d" "$work/dipl/ungd/"; done

cran_eval() { $bin --corpus "$work/cranfield" eval --queries "$cran/queries.jsonl" --qrels "$cran/qrels.tsv" --json "$@"; }
dipl_eval() { $bin --corpus "$work/dipl" eval --queries eval/diplomatic/queries.jsonl --json "$@"; }
row() { # name json
  python3 -c '
import json, sys
m = json.loads(sys.argv[2])
cells = ["%.4f" % m[k] for k in ("ndcg_10", "map_100", "mrr_10", "p_10", "recall_100")]
for k in ("passage_accuracy", "passage_at_1"):
    if m.get(k) is not None:
        cells.append("%.4f" % m[k])
print("| %s | %s |" % (sys.argv[1], " | ".join(cells)))' "$1" "$2"
}

echo "## Cranfield (225 queries): communique next to the BM25 peers"
echo
echo "| system | nDCG@10 | MAP@100 | MRR@10 | P@10 | R@100 |"
echo "|---|---|---|---|---|---|"
/usr/bin/python3 eval/baselines/baselines.py fts5 --docs "$cran/docs.jsonl" --queries "$cran/queries.jsonl" --out "$work/fts5.trec" >/dev/null
/usr/bin/python3 eval/baselines/baselines.py xapian --docs "$cran/docs.jsonl" --queries "$cran/queries.jsonl" --out "$work/xapian.trec" >/dev/null
/usr/bin/python3 eval/baselines/baselines.py xapian --bm25 1.2,0.75 --docs "$cran/docs.jsonl" --queries "$cran/queries.jsonl" --out "$work/xapian-1.2.trec" >/dev/null
./target/release/examples/plain_tantivy trec --docs "$cran/docs.jsonl" --queries "$cran/queries.jsonl" --out "$work/tantivy.trec" >/dev/null
row "SQLite FTS5 (porter unicode61, bm25(), words OR-ed)" "$(cran_eval --run "$work/fts5.trec")"
row "Xapian (BM25 k1=1 b=0.5, English stemmer)" "$(cran_eval --run "$work/xapian.trec")"
row "Xapian (BM25 k1=1.2 b=0.75, English stemmer)" "$(cran_eval --run "$work/xapian-1.2.trec")"
row "plain tantivy (default tokenizer, BM25, whole documents)" "$(cran_eval --run "$work/tantivy.trec")"
row "**communique (defaults)**" "$(cran_eval)"

variants=(
  "BM25 over passages only|--title 0 --proximity 0 --coverage 0 --feedback 0 --no-query-stop-words --no-split-compounds --article-score best"
  "+ title boost 0.3|--proximity 0 --coverage 0 --feedback 0 --no-query-stop-words --no-split-compounds --article-score best"
  "+ question words as stop words|--proximity 0 --coverage 0 --feedback 0 --no-split-compounds --article-score best"
  "+ proximity 0.3 (slop 5)|--coverage 0 --feedback 0 --no-split-compounds --article-score best"
  "+ coverage 0.25|--feedback 0 --no-split-compounds --article-score best"
  "+ feedback for queries of 10+ words|--no-split-compounds --article-score best"
  "+ lowercase compounds split into words|--article-score best"
  "+ article = best passage + 0.3 x next two (defaults)|"
  "feedback for every query|--feedback-min-words 0"
  "feedback 20 words|--feedback 20"
  "no title boost|--title 0"
  "title boost 0.5|--title 0.5"
  "no proximity|--proximity 0"
  "proximity 0.5|--proximity 0.5"
  "proximity slop 2|--slop 2"
  "proximity slop 10|--slop 10"
  "no stemming (exact view)|--no-stemming"
  "stop words kept|--stop-words"
  "passages of ~60 words (10,60,80)|--passage-words 10,60,80"
  "passages of ~150 words (10,150,200)|--passage-words 10,150,200"
  "whole documents, no windows|--passage-words 10,5000,5000"
  "article = best 3 passages (1, .5, .25)|--article-score combined"
)
for corpus in cranfield diplomatic; do
  echo
  if [[ $corpus == cranfield ]]; then
    echo "## Ablation on Cranfield"
    echo
    echo "| variant | nDCG@10 | MAP@100 | MRR@10 | P@10 | R@100 |"
    echo "|---|---|---|---|---|---|"
  else
    echo "## Ablation on the diplomatic development set ($(grep -c . eval/diplomatic/queries.jsonl) queries)"
    echo
    echo "| variant | nDCG@10 | MAP@100 | MRR@10 | P@10 | R@100 | passage accuracy | passage@1 |"
    echo "|---|---|---|---|---|---|---|---|"
  fi
  for v in "${variants[@]}"; do
    name=${v%%|*}
    flags=${v#*|}
    # shellcheck disable=SC2086
    if [[ $corpus == cranfield ]]; then row "$name" "$(cran_eval $flags)"; else row "$name" "$(dipl_eval $flags)"; fi
  done
done
