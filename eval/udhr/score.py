#!/usr/bin/env python3
"""Success@1 and MRR@10 per language of TREC run files on the UDHR queries, as Markdown.

    python3 eval/udhr/score.py eval/udhr/queries.jsonl "NAME=RUN.trec" ...

A query succeeds at rank k when its aligned article (`rus/19.html`) is the k-th document of its
ranking; document ids are compared without their extension (`rus/19.txt` is `rus/19`).
"""
import json
import sys
from collections import defaultdict
from pathlib import PurePosixPath

ORDER = ["en", "fr", "es", "ru", "ar", "zh"]


def stem(doc):
    return str(PurePosixPath(doc).with_suffix(""))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    queries = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    print("| system | " + " | ".join(f"{l} s@1 / MRR@10" for l in ORDER) + " | all s@1 / MRR@10 |")
    print("|---" * (len(ORDER) + 2) + "|")
    for spec in sys.argv[2:]:
        name, path = spec.split("=", 1)
        ranked = defaultdict(list)
        for line in open(path, encoding="utf-8"):
            parts = line.split()
            if len(parts) >= 4:
                ranked[parts[0]].append((int(parts[3]), stem(parts[2])))
        per = defaultdict(list)
        for q in queries:
            target = {stem(r["article"]) for r in q["relevant"]}
            docs = [d for _, d in sorted(ranked.get(q["id"], []))][:10]
            rank = next((i + 1 for i, d in enumerate(docs) if d in target), None)
            per[q["lang"]].append(rank)
            per["all"].append(rank)
        cells = []
        for lang in ORDER + ["all"]:
            ranks = per[lang]
            s1 = sum(1 for r in ranks if r == 1)
            mrr = sum(1 / r for r in ranks if r) / max(len(ranks), 1)
            cells.append(f"{s1}/{len(ranks)} = {s1 / max(len(ranks), 1):.2f} / {mrr:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
