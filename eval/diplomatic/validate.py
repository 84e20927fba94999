#!/usr/bin/env python3
"""Validate eval/diplomatic/queries.jsonl against the real data in ../shared.

Standard library only. Usage:

    python3 eval/diplomatic/validate.py [--shared DIR] [--queries FILE]

DIR defaults to ../shared beside the repository (the layout every checkout and CI run has).
Exit status is 0 when every check passes, 1 otherwise.

Checks: every line is a JSON object with `id`, `query`, `note` and `relevant`; query ids are
unique; every query has a `kind` (topical, boolean, proximity, demonym, misspelled,
transliteration); each query judges 1-8 distinct articles; grades are 1 or 2; every article id exists in
the evaluation corpus; every passage is an exact substring of that article's stored text,
contains no newline and is 8-25 words long.
"""

import argparse
import collections
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SEED = "seed/000_b491b3170320ace1.txt"
KINDS = ("topical", "boolean", "proximity", "demonym", "misspelled", "transliteration")


def load_corpus(shared):
    """Article id -> (source, text), as the evaluation corpus lays them out."""
    docs = {}
    with open(os.path.join(shared, "seed", "000_b491b3170320ace1.txt"), encoding="utf-8") as f:
        docs[SEED] = ("seed", f.read())
    for path in sorted(glob.glob(os.path.join(shared, "data", "state-dept-press", "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    obj = json.loads(line)
                    docs[obj["id"]] = ("state-dept-press", obj["text"])
    for path in sorted(glob.glob(os.path.join(shared, "data", "ungd", "speeches", "*", "*.txt"))):
        year = os.path.basename(os.path.dirname(path))
        with open(path, encoding="utf-8") as f:
            docs["ungd/%s/%s" % (year, os.path.basename(path))] = ("ungd", f.read())
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.jsonl"))
    args = ap.parse_args()

    docs = load_corpus(args.shared)
    by_source = collections.Counter(src for src, _ in docs.values())
    print("corpus: %d articles (%s)" % (len(docs), ", ".join(
        "%s %d" % kv for kv in sorted(by_source.items()))))

    errors = []
    ids = set()
    query_source = collections.Counter()
    judged_source = collections.Counter()
    grades = collections.Counter()
    n_queries = n_judged = 0
    syntax = 0
    kinds = collections.Counter()

    with open(args.queries, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = "line %d" % number
        try:
            q = json.loads(line)
        except ValueError as e:
            errors.append("%s: invalid JSON: %s" % (where, e))
            continue
        if not isinstance(q, dict):
            errors.append("%s: not a JSON object" % where)
            continue
        for field, kind in (("id", str), ("query", str), ("note", str), ("relevant", list)):
            if not isinstance(q.get(field), kind) or not q.get(field):
                errors.append("%s: missing or empty `%s`" % (where, field))
        qid = q.get("id")
        where = "%s (%s)" % (where, qid)
        if qid in ids:
            errors.append("%s: duplicate query id" % where)
        ids.add(qid)
        n_queries += 1
        if any(tok in (q.get("query") or "") for tok in ('"', " AND ", " OR ", " NOT ", "title:", "source:")):
            syntax += 1
        kind = q.get("kind")
        if kind not in KINDS:
            errors.append("%s: kind %r not one of %s" % (where, kind, ", ".join(KINDS)))
        kinds[kind] += 1
        rel = q.get("relevant") or []
        if not 1 <= len(rel) <= 8:
            errors.append("%s: %d judged articles (want 1-8)" % (where, len(rel)))
        seen = set()
        sources = set()
        for j in rel:
            art = j.get("article")
            grade = j.get("grade")
            passage = j.get("passage")
            if art in seen:
                errors.append("%s: article judged twice: %s" % (where, art))
            seen.add(art)
            if grade not in (1, 2) or isinstance(grade, bool):
                errors.append("%s: grade %r not in {1, 2} for %s" % (where, grade, art))
            else:
                grades[grade] += 1
            if art not in docs:
                errors.append("%s: unknown article id: %s" % (where, art))
                continue
            src, text = docs[art]
            sources.add(src)
            judged_source[src] += 1
            n_judged += 1
            if not isinstance(passage, str) or not passage:
                errors.append("%s: missing passage for %s" % (where, art))
                continue
            if "\n" in passage or "\r" in passage:
                errors.append("%s: passage contains a line break (%s)" % (where, art))
            if passage not in text:
                errors.append("%s: passage is not a verbatim substring of %s: %r" % (where, art, passage[:60]))
            words = len(passage.split())
            if not 8 <= words <= 25:
                errors.append("%s: passage has %d words (want 8-25) in %s" % (where, words, art))
        if len(sources) == 1:
            query_source[sources.pop()] += 1
        elif sources:
            query_source["mixed (" + " + ".join(sorted(sources)) + ")"] += 1

    print("queries: %d (%d use query syntax such as quoted phrases)" % (n_queries, syntax))
    for name, count in sorted(query_source.items(), key=lambda kv: (kv[0].startswith("mixed"), kv[0])):
        label = name if name.startswith("mixed") else "only " + name
        print("  %-45s %d" % (label + ":", count))
    print("kinds: " + ", ".join("%s %d" % (k, kinds[k]) for k in KINDS if kinds[k]))
    print("judgments: %d (grade 2: %d, grade 1: %d)" % (n_judged, grades[2], grades[1]))
    for name, count in sorted(judged_source.items()):
        print("  %-45s %d" % ("articles from " + name + ":", count))
    if errors:
        print("FAILED: %d problem(s)" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK: all ids exist, all passages are verbatim single-line substrings, grades in {1,2}, ids unique")
    return 0


if __name__ == "__main__":
    sys.exit(main())
