#!/usr/bin/env python3
"""SQLite FTS5 and Xapian runs on the UDHR evaluation (the articles split by split.py --txt).

    /usr/bin/python3 eval/udhr/baselines.py fts5   TXT_FOLDER eval/udhr/queries.jsonl OUT.trec
    /usr/bin/python3 eval/udhr/baselines.py xapian TXT_FOLDER eval/udhr/queries.jsonl OUT.trec

Documents are the `CODE/NN.txt` files (id `CODE/NN.txt`; score.py compares ids without their
extension).

fts5:   one table, tokenize='porter unicode61' (the English Porter stemmer for every language,
        diacritics removed), bm25(); the query's words OR-ed, each quoted, as in
        eval/baselines/baselines.py. No language is given: FTS5 has no way to take one.
xapian: told the language of every document and query, as the issue asks: each document is
        indexed with the Snowball stemmer of its language (english, french, spanish, russian,
        arabic; Chinese unstemmed) and each query parsed with the stemmer of its language
        (the `lang` of the query). CJK text as character n-grams (FLAG_CJK_NGRAM), the only
        CJK segmentation Debian's Xapian has without ICU. BM25Weight with Xapian's defaults,
        default operator OR, STEM_SOME.

Needs Debian's python3-xapian for the xapian run (apt-get install -y python3-xapian).
"""
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

STEMMERS = {"eng": "english", "fra": "french", "spa": "spanish", "rus": "russian", "arb": "arabic", "cmn_hans": "none"}
QUERY_STEMMERS = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic", "zh": "none"}


def documents(folder):
    for path in sorted(Path(folder).glob("*/*.txt")):
        yield f"{path.parent.name}/{path.name}", path.parent.name, path.read_text(encoding="utf-8")


def queries(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def write(out, results):
    with open(out, "w", encoding="utf-8") as f:
        for qid, ranked in results:
            for rank, (doc, score) in enumerate(ranked[:100], 1):
                f.write(f"{qid} Q0 {doc} {rank} {score:.6f} baseline\n")


def fts5(folder, query_file, out):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text, tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?)", [(d, t) for d, _, t in documents(folder)])
    results = []
    for q in queries(query_file):
        words = re.findall(r"[^\W_]+", q["query"].lower())
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            "SELECT id, -bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs), id LIMIT 100",
            (match,),
        ).fetchall() if words else []
        results.append((q["id"], rows))
    write(out, results)


def xapian_run(folder, query_file, out):
    import xapian

    with tempfile.TemporaryDirectory() as tmp:
        db = xapian.WritableDatabase(tmp, xapian.DB_CREATE_OR_OPEN)
        tg = xapian.TermGenerator()
        tg.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
        for doc_id, code, text in documents(folder):
            doc = xapian.Document()
            tg.set_stemmer(xapian.Stem(STEMMERS[code]))
            tg.set_document(doc)
            tg.index_text(text)
            doc.set_data(doc_id)
            doc.add_boolean_term("Q" + doc_id)
            db.add_document(doc)
        db.commit()
        enquire = xapian.Enquire(db)
        enquire.set_weighting_scheme(xapian.BM25Weight())
        results = []
        for q in queries(query_file):
            qp = xapian.QueryParser()
            qp.set_database(db)
            qp.set_stemmer(xapian.Stem(QUERY_STEMMERS[q["lang"]]))
            qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
            qp.set_default_op(xapian.Query.OP_OR)
            query = qp.parse_query(q["query"], xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM)
            enquire.set_query(query)
            ranked = [(m.document.get_data().decode(), m.weight) for m in enquire.get_mset(0, 100)]
            ranked.sort(key=lambda r: (-round(r[1], 6), r[0]))
            results.append((q["id"], ranked))
        write(out, results)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("fts5", "xapian"):
        sys.exit(__doc__)
    (fts5 if sys.argv[1] == "fts5" else xapian_run)(*sys.argv[2:])


if __name__ == "__main__":
    main()
