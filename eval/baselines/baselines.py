#!/usr/bin/env python3
"""Baseline retrieval runs (SQLite FTS5, Xapian) and TREC metrics, for
cross-checking communique's evaluation.

Standard library only, except that the `xapian` subcommand needs Debian's
Python bindings, which install for Debian's /usr/bin/python3 (not a pyenv
python):

    apt-get install -y python3-xapian xapian-tools

How to run (from the repo root; paths are the Cranfield copy in shared/):

    D=/work/shared/data/cranfield
    /usr/bin/python3 eval/baselines/baselines.py fts5 \
        --docs $D/docs.jsonl --queries $D/queries.jsonl \
        --out eval/baselines/cranfield-fts5.trec
    /usr/bin/python3 eval/baselines/baselines.py xapian \
        --docs $D/docs.jsonl --queries $D/queries.jsonl \
        --out eval/baselines/cranfield-xapian.trec
    /usr/bin/python3 eval/baselines/baselines.py xapian --bm25 1.2,0.75 \
        --docs $D/docs.jsonl --queries $D/queries.jsonl \
        --out eval/baselines/cranfield-xapian-bm25-1.2-0.75.trec
    /usr/bin/python3 eval/baselines/baselines.py metrics \
        --qrels $D/qrels.tsv --run eval/baselines/cranfield-fts5.trec [--json]

Inputs
  --docs     JSON Lines, one object per document. The id is read from
             --id-field (default "id"); the indexed fields are --fields
             (default "title,text"), each a separate column/field. Missing or
             null fields are indexed as empty text.
  --queries  JSON Lines, one object per query: id from --query-id-field
             (default "id"), text from --query-field (default "text").
  --qrels    whitespace-separated `query_id doc_id code` lines; a first line
             whose code column is not an integer is taken as a header.

Run files: TREC format `qid Q0 docid rank score tag`, --depth (default 100)
lines per query, ranks 1..depth. Scores are written with 6 decimals and
ordering is by the written score descending, ties by docid ascending (numeric
order when both ids are integers, else string order), so output is
deterministic. Queries with no results get no lines.

fts5:   SQLite FTS5 table with one column per --fields entry (default title,
        text), tokenize='porter unicode61'. Ranked by bm25() with default
        column weights (1.0 each; FTS5's fixed k1=1.2, b=0.75); score is
        -bm25() so that higher is better. Query: the query text is lowercased
        and split into alphanumeric words ([^\\W_]+), each word is quoted
        ("word") and they are joined with ' OR '. Repeated query words are
        kept (each occurrence is a separate OR'ed phrase, so bm25() counts it
        again). Optional --stopwords drops a small English stop list from
        the query.

xapian: TermGenerator with Stem("english") (default STEM_SOME) indexing each
        --fields entry into the same unprefixed field, with a term-position
        gap between fields. Enquire with BM25Weight; Xapian's defaults are
        k1=1, k2=0, k3=1, b=0.5, min_normlen=0.5; --bm25 K1,B overrides k1 and
        b only. QueryParser with Stem("english"), STEM_SOME, default operator
        OR, Xapian's default parser flags (FLAG_DEFAULT = phrase, boolean,
        love/hate), and NO stopper by default; --stopwords adds a
        SimpleStopper with a small English list. The database is a temporary
        on-disk (glass) database, deleted afterwards.

metrics: nDCG@10 (gain = code for codes >= 1, else 0; linear gain; discount
        1/log2(rank+1); ideal DCG from all judged docs of the query with
        gain > 0), MAP@100 (binary relevance, code >= 1; AP = sum of P@k at
        each relevant rank k <= 100, divided by the number of relevant docs),
        MRR@10 (1/rank of the first relevant doc in the top 10, else 0),
        P@10 (relevant in top 10 / 10), Recall@100 (relevant in top 100 /
        number relevant). Averaged over the queries of the qrels that have at
        least one relevant doc; such a query with no lines in the run scores
        0 on every measure (like trec_eval -c). The run is read in the order
        of its rank column (ties in rank by score descending, then docid);
        trec_eval instead re-sorts by score, breaking ties by docid
        descending, so results can differ when a run has tied scores.
"""

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile

# A small English stop list (used only with --stopwords).
STOPWORDS = sorted(set("""
a an and are as at be been but by can could did do does for from had has have
how i if in into is it its may might must no not of on or so such than that the
their them then there these they this those to was were what when where which
who whom why will with would
""".split()))

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


# ---------------------------------------------------------------- input/output

def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{lineno}: bad JSON: {e}")


def field_text(obj, name):
    v = obj.get(name)
    if v is None:
        return ""
    if isinstance(v, list):
        return " ".join(str(x) for x in v if x is not None)
    return str(v)


def load_docs(args):
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    if not fields:
        sys.exit("--fields is empty")
    docs = []
    seen = set()
    for obj in read_jsonl(args.docs):
        if args.id_field not in obj:
            sys.exit(f"document without id field {args.id_field!r}: {str(obj)[:200]}")
        did = str(obj[args.id_field])
        if did in seen:
            sys.exit(f"duplicate document id {did!r}")
        seen.add(did)
        docs.append((did, [field_text(obj, f) for f in fields]))
    return fields, docs


def load_queries(args):
    queries = []
    for obj in read_jsonl(args.queries):
        if args.query_id_field not in obj:
            sys.exit(f"query without id field {args.query_id_field!r}: {str(obj)[:200]}")
        queries.append((str(obj[args.query_id_field]), field_text(obj, args.query_field)))
    return queries


def id_key(did):
    """Sort key for ids: integers numerically, before non-integer ids."""
    s = str(did)
    if s.isdigit():
        return (0, int(s), s)
    return (1, 0, s)


def write_run(path, results, depth, tag):
    """results: list of (qid, [(docid, score), ...]) in query order."""
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for qid, hits in results:
            # Round first, so the written scores are what the order follows.
            hits = [(d, round(float(s), 6)) for d, s in hits]
            hits.sort(key=lambda h: (-h[1], id_key(h[0])))
            for rank, (did, score) in enumerate(hits[:depth], 1):
                out.write(f"{qid} Q0 {did} {rank} {score:.6f} {tag}\n")
                n += 1
    print(f"wrote {n} lines for {len(results)} queries to {path}", file=sys.stderr)


def query_words(text, stop):
    words = WORD_RE.findall(text.lower())
    if stop:
        words = [w for w in words if w not in STOPWORDS]
    return words


# ---------------------------------------------------------------- fts5

def cmd_fts5(args):
    import sqlite3
    fields, docs = load_docs(args)
    queries = load_queries(args)
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        con.execute("DROP TABLE probe")
    except sqlite3.OperationalError as e:
        sys.exit(f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5 ({e}); "
                 "try Debian's /usr/bin/python3 (or install the sqlite3 CLI)")
    cols = ", ".join(f'"c{i}"' for i in range(len(fields)))
    con.execute(f"CREATE VIRTUAL TABLE docs USING fts5({cols}, tokenize='porter unicode61')")
    # rowid = position in docs; the external id is kept in Python.
    ph = ", ".join("?" for _ in fields)
    con.executemany(f"INSERT INTO docs(rowid, {cols}) VALUES (?, {ph})",
                    ((i, *texts) for i, (_, texts) in enumerate(docs)))
    con.commit()
    ids = [d for d, _ in docs]
    limit = -1 if args.fetch <= 0 else args.fetch
    results = []
    for qid, text in queries:
        if args.native:
            match = text
        else:
            words = query_words(text, args.stopwords)
            if not words:
                results.append((qid, []))
                continue
            match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = con.execute(
            "SELECT rowid, bm25(docs) FROM docs WHERE docs MATCH ? "
            "ORDER BY bm25(docs) LIMIT ?", (match, limit)).fetchall()
        results.append((qid, [(ids[r], -s) for r, s in rows]))
    print(f"fts5: SQLite {sqlite3.sqlite_version}, {len(docs)} docs, {len(queries)} queries",
          file=sys.stderr)
    write_run(args.out, results, args.depth, args.tag or "fts5-bm25")


# ---------------------------------------------------------------- xapian

def cmd_xapian(args):
    try:
        import xapian
    except ImportError as e:
        sys.exit(f"cannot import xapian ({e}) with {sys.executable}.\n"
                 "Install Debian's bindings (apt-get install -y python3-xapian xapian-tools) "
                 "and run this script with Debian's python: /usr/bin/python3 "
                 + " ".join(sys.argv))
    k1, b = 1.0, 0.5
    if args.bm25:
        try:
            k1, b = (float(x) for x in args.bm25.split(","))
        except ValueError:
            sys.exit("--bm25 wants K1,B, e.g. 1.2,0.75")
    k2, k3, min_normlen = 0.0, 1.0, 0.5

    fields, docs = load_docs(args)
    queries = load_queries(args)
    tmp = tempfile.mkdtemp(prefix="xapian-baseline-")
    try:
        db = xapian.WritableDatabase(os.path.join(tmp, "db"), xapian.DB_CREATE_OR_OVERWRITE)
        stem = xapian.Stem("english")
        tg = xapian.TermGenerator()
        tg.set_stemmer(stem)
        tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        for did, texts in docs:
            doc = xapian.Document()
            tg.set_document(doc)
            for i, t in enumerate(texts):
                if i:
                    tg.increase_termpos()
                tg.index_text(t)
            doc.set_data(did)
            doc.add_boolean_term("Q" + did)
            db.add_document(doc)
        db.commit()

        stopper = None
        qp = xapian.QueryParser()
        qp.set_database(db)
        qp.set_stemmer(stem)
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_default_op(xapian.Query.OP_OR)
        if args.stopwords:
            stopper = xapian.SimpleStopper()
            for w in STOPWORDS:
                stopper.add(w)
            qp.set_stopper(stopper)
        flags = xapian.QueryParser.FLAG_DEFAULT if args.qp_flags == "default" else 0

        enq = xapian.Enquire(db)
        enq.set_weighting_scheme(xapian.BM25Weight(k1, k2, k3, b, min_normlen))
        fetch = db.get_doccount() if args.fetch <= 0 else args.fetch
        results = []
        for qid, text in queries:
            q = qp.parse_query(text, flags)
            enq.set_query(q)
            mset = enq.get_mset(0, fetch)
            results.append((qid, [(m.document.get_data().decode("utf-8"), m.weight)
                                  for m in mset]))
            if args.verbose:
                print(f"{qid}: {q}", file=sys.stderr)
        print(f"xapian {xapian.version_string()}: BM25Weight(k1={k1}, k2={k2}, k3={k3}, "
              f"b={b}, min_normlen={min_normlen}), stopper={'on' if stopper else 'off'}, "
              f"flags={args.qp_flags}, {db.get_doccount()} docs, {len(queries)} queries",
              file=sys.stderr)
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tag = args.tag or ("xapian-bm25" if not args.bm25 else f"xapian-bm25-{k1:g}-{b:g}")
    write_run(args.out, results, args.depth, tag)


# ---------------------------------------------------------------- metrics

def load_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) == 4:          # TREC style: qid iter docid rel
                parts = [parts[0], parts[2], parts[3]]
            if len(parts) != 3:
                sys.exit(f"{path}:{lineno}: expected `query_id doc_id code`")
            try:
                code = int(parts[2])
            except ValueError:
                if lineno == 1:
                    continue  # header
                sys.exit(f"{path}:{lineno}: code is not an integer")
            qrels.setdefault(parts[0], {})[parts[1]] = code
    return qrels


def load_run(path):
    run = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 5:
                sys.exit(f"{path}:{lineno}: expected `qid Q0 docid rank score [tag]`")
            run.setdefault(parts[0], []).append((int(parts[3]), float(parts[4]), parts[2]))
    for qid, rows in run.items():
        rows.sort(key=lambda r: (r[0], -r[1], id_key(r[2])))
        seen, ranked = set(), []
        for _, _, d in rows:
            if d not in seen:  # keep first occurrence of a duplicated docid
                seen.add(d)
                ranked.append(d)
        run[qid] = ranked
    return run


def query_metrics(ranked, judged):
    gain = {d: c for d, c in judged.items() if c >= 1}
    nrel = len(gain)
    # nDCG@10
    dcg = sum(gain.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(gain.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    ndcg = dcg / idcg if idcg > 0 else 0.0
    # AP@100
    hits, ap = 0, 0.0
    for i, d in enumerate(ranked[:100]):
        if d in gain:
            hits += 1
            ap += hits / (i + 1)
    ap /= nrel
    rr = 0.0
    for i, d in enumerate(ranked[:10]):
        if d in gain:
            rr = 1.0 / (i + 1)
            break
    p10 = sum(1 for d in ranked[:10] if d in gain) / 10.0
    r100 = sum(1 for d in ranked[:100] if d in gain) / nrel
    return {"ndcg@10": ndcg, "map@100": ap, "mrr@10": rr, "p@10": p10, "recall@100": r100}


def cmd_metrics(args):
    qrels = load_qrels(args.qrels)
    run = load_run(args.run)
    evaluated = [q for q in qrels if any(c >= 1 for c in qrels[q].values())]
    evaluated.sort(key=id_key)
    if not evaluated:
        sys.exit("no query in the qrels has a relevant document")
    names = ["ndcg@10", "map@100", "mrr@10", "p@10", "recall@100"]
    sums = dict.fromkeys(names, 0.0)
    per_query = {}
    missing = 0
    for q in evaluated:
        ranked = run.get(q, [])
        if not ranked:
            missing += 1
        m = query_metrics(ranked, qrels[q])
        per_query[q] = m
        for k in names:
            sums[k] += m[k]
    n = len(evaluated)
    means = {k: sums[k] / n for k in names}
    extra = sorted(set(run) - set(qrels), key=id_key)
    summary = (f"{os.path.basename(args.run)}: "
               + " ".join(f"{k}={means[k]:.4f}" for k in names)
               + f" (queries={n} with >=1 relevant of {len(qrels)} in qrels; "
               f"{missing} without results; {len(extra)} run queries not in qrels)")
    print(summary)
    if args.json:
        out = {"run": args.run, "qrels": args.qrels, "queries_evaluated": n,
               "queries_in_qrels": len(qrels), "queries_without_results": missing,
               "run_queries_not_in_qrels": len(extra), "mean": means}
        if args.per_query:
            out["per_query"] = per_query
        text = json.dumps(out, indent=2, sort_keys=True)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text + "\n")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def retrieval(name, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--docs", required=True)
        p.add_argument("--queries", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--id-field", default="id")
        p.add_argument("--fields", default="title,text",
                       help="comma-separated document fields to index (default title,text)")
        p.add_argument("--query-id-field", default="id")
        p.add_argument("--query-field", default="text")
        p.add_argument("--depth", type=int, default=100, help="results written per query")
        p.add_argument("--fetch", type=int, default=0,
                       help="results fetched per query before tie-breaking (0 = all matches)")
        p.add_argument("--stopwords", action="store_true",
                       help="remove a small English stop list from queries (default: off)")
        p.add_argument("--tag", default=None)
        return p

    p = retrieval("fts5", "SQLite FTS5 bm25() run")
    p.add_argument("--native", action="store_true",
                   help="the query field is already in FTS5's own syntax (AND, NEAR(...)): used as is")
    p = retrieval("xapian", "Xapian BM25Weight run")
    p.add_argument("--bm25", default=None, metavar="K1,B",
                   help="set BM25 k1,b (default Xapian's k1=1, b=0.5)")
    p.add_argument("--qp-flags", choices=["default", "none"], default="default",
                   help="QueryParser flags: FLAG_DEFAULT (default) or 0")
    p.add_argument("--verbose", action="store_true", help="print parsed queries")

    p = sub.add_parser("metrics", help="nDCG@10, MAP@100, MRR@10, P@10, Recall@100")
    p.add_argument("--qrels", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--json", nargs="?", const="-", default=None,
                   help="also write JSON (to stdout, or to the given file)")
    p.add_argument("--per-query", action="store_true", help="include per-query values in JSON")

    args = ap.parse_args()
    {"fts5": cmd_fts5, "xapian": cmd_xapian, "metrics": cmd_metrics}[args.cmd](args)


if __name__ == "__main__":
    main()
