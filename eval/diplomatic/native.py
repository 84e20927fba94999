#!/usr/bin/env python3
"""Translate the diplomatic query set into SQLite FTS5's and Xapian's own query syntax, and
write the evaluation corpus as one JSON Lines file, for eval/baselines/baselines.py.

Standard library only. Usage (from the repository root):

    python3 eval/diplomatic/native.py --shared ../shared --docs OUT_DOCS.jsonl --queries OUT_Q.jsonl

Each output query has `id`, `kind`, `query` (communique's), `fts5` and `xapian`. The rules:

| communique            | FTS5                              | Xapian (QueryParser)          |
|-----------------------|-----------------------------------|-------------------------------|
| bare words            | `"w1" OR "w2" …`                  | `w1 w2 …` (default op OR)     |
| `"a phrase"`          | `"a phrase"` (OR-ed with the rest) | `"a phrase"`                  |
| `A AND B`, `OR`, `NOT` | `A AND B`, `OR`, `NOT`            | `A AND B`, `OR`, `NOT`        |
| `A NEAR/5 B`          | `NEAR("a" "b", 5)`                | `A NEAR/5 B`                  |
| `"a b c"~4`           | `NEAR("a" "b" "c", 4)`            | `a NEAR/4 b NEAR/4 c`         |
| `A NEAR/s B` (sentence), `A NEAR/p B` (passage) | no scope operator: `A AND B` | no scope operator: `A AND B` |

FTS5's `NEAR(…, N)` allows at most N tokens between the phrases. Xapian's parser turns
`a NEAR/N b` into a window of N+1 positions (`a NEAR/4 b NEAR/4 c` into one NEAR of window 6:
see `baselines.py xapian --verbose`). Both differ a little from communique's "within N
positions" and from Lucene's slop: the distances are close, not equal.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import validate  # noqa: E402  (load_corpus: the evaluation corpus, as the README lays it out)

TOKEN = re.compile(r'"([^"]*)"(?:~(\d+))?|(\bNEAR/(?:\d+|s|p)\b)|\b(AND|OR|NOT)\b|([^\s"()]+)')
WORD = re.compile(r"[^\W_]+")


def tokens(query):
    """(kind, value, slop) for each token: phrase, near, op, word."""
    out = []
    for m in TOKEN.finditer(query):
        if m.group(1) is not None:
            out.append(("phrase", m.group(1), int(m.group(2)) if m.group(2) else None))
        elif m.group(3):
            out.append(("near", m.group(3)[5:], None))
        elif m.group(4):
            out.append(("op", m.group(4), None))
        else:
            out.append(("word", m.group(5), None))
    return out


def fts_words(text):
    return ['"%s"' % w for w in WORD.findall(text.lower())]


def fts5(query):
    toks = tokens(query)
    if not any(k in ("op", "near") or s for k, _, s in toks):
        # Plain words and phrases: OR-ed, as baselines.py does for Cranfield.
        parts = []
        for kind, value, _ in toks:
            if kind == "phrase":
                parts.append('"%s"' % " ".join(WORD.findall(value.lower())))
            else:
                parts.extend(fts_words(value))
        return " OR ".join(parts)
    out = []
    i = 0
    while i < len(toks):
        kind, value, slop = toks[i]
        if kind == "near":
            left = out.pop()
            right_kind, right, _ = toks[i + 1]
            right = " ".join(fts_words(right)) if right_kind == "word" else '"%s"' % right.lower()
            if value in ("s", "p"):
                out.append("%s AND %s" % (left, right))
            else:
                out.append("NEAR(%s %s, %s)" % (left, right, value))
            i += 2
            continue
        if kind == "op":
            out.append(value)
        elif kind == "phrase" and slop is not None:
            out.append("NEAR(%s, %d)" % (" ".join(fts_words(value)), slop))
        elif kind == "phrase":
            out.append('"%s"' % " ".join(WORD.findall(value.lower())))
        else:
            out.append(" ".join(fts_words(value)))
        i += 1
    return " ".join(out)


def xapian(query):
    out = []
    for kind, value, slop in tokens(query):
        if kind == "near":
            out.append("AND" if value in ("s", "p") else "NEAR/" + value)
        elif kind == "op":
            out.append(value)
        elif kind == "phrase" and slop is not None:
            out.append((" NEAR/%d " % slop).join(value.split()))
        elif kind == "phrase":
            out.append('"%s"' % value)
        else:
            out.append(value)
    return " ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared"))
    ap.add_argument("--queries-in", default=os.path.join(HERE, "queries.jsonl"))
    ap.add_argument("--docs", required=True, help="write the corpus here (id, title, text)")
    ap.add_argument("--queries", required=True, help="write the translated queries here")
    args = ap.parse_args()

    titles = {}
    for name in sorted(n for n in os.listdir(os.path.join(args.shared, "data", "state-dept-press")) if n.endswith(".jsonl")):
        with open(os.path.join(args.shared, "data", "state-dept-press", name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    obj = json.loads(line)
                    titles[obj["id"]] = obj.get("title") or ""
    docs = validate.load_corpus(args.shared)
    with open(args.docs, "w", encoding="utf-8") as f:
        for did, (_, text) in docs.items():
            f.write(json.dumps({"id": did, "title": titles.get(did, ""), "text": text}, ensure_ascii=False) + "\n")
    with open(args.queries_in, encoding="utf-8") as f, open(args.queries, "w", encoding="utf-8") as out:
        for line in f:
            if line.strip():
                q = json.loads(line)
                out.write(json.dumps({"id": q["id"], "kind": q.get("kind", "untagged"), "query": q["query"],
                                      "fts5": fts5(q["query"]), "xapian": xapian(q["query"])},
                                     ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
