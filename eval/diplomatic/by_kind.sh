#!/usr/bin/env bash
# MRR@10 and passage@1 of communique per kind of query in the diplomatic set (the `kind`
# field of queries.jsonl), now (defaults) and "before" (`--no-aliases --exact`). Prints Markdown.
#
#   CORPUS=/tmp/diplo bash eval/diplomatic/by_kind.sh      # corpus laid out as README.md says
#   BIN=target/debug/communique ...                         # default: target/release/communique
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-target/release/communique}
corpus=${CORPUS:?set CORPUS to the evaluation corpus folder (see eval/diplomatic/README.md)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kinds=$(python3 -c 'import json,sys
seen=[]
for l in open("eval/diplomatic/queries.jsonl"):
    k=json.loads(l).get("kind","untagged")
    if k not in seen: seen.append(k)
print(" ".join(seen))')
for kind in $kinds; do
  python3 -c 'import json,sys
for l in open("eval/diplomatic/queries.jsonl"):
    if json.loads(l).get("kind","untagged")==sys.argv[1]: sys.stdout.write(l)' "$kind" >"$work/$kind.jsonl"
done
echo "| kind | queries | system | nDCG@10 | MRR@10 | passage@1 |"
echo "|---|---|---|---|---|---|"
for kind in $kinds; do
  n=$(wc -l <"$work/$kind.jsonl")
  for sys in "now (defaults)|" "before (--no-aliases --exact)|--no-aliases --exact"; do
    name=${sys%%|*}
    flags=${sys#*|}
    # shellcheck disable=SC2086
    m=$("$bin" --corpus "$corpus" eval --queries "$work/$kind.jsonl" --json $flags)
    python3 -c 'import json,sys
m=json.loads(sys.argv[4])
print("| %s | %s | %s | %.4f | %.4f | %.4f |" % (sys.argv[1], sys.argv[2], sys.argv[3], m["ndcg_10"], m["mrr_10"], m["passage_at_1"] or 0))' "$kind" "$n" "$name" "$m"
  done
done
