#!/usr/bin/python3
"""Xapian baseline for benches/compare.sh (Debian's python3-xapian: run with /usr/bin/python3).

BM25 (Xapian's defaults), English stemmer (STEM_SOME: stemmed terms for ranking, unstemmed
terms with positions for phrases), one document per passage: each article's text is cut on
blank lines ("\\n\\n"). A passage document holds:
    text        the passage, indexed without prefix (positions kept)
    title       the article title, indexed with prefix S (query it as title:WORD)
    Y<year>     a boolean term, so `quest -b year:Y` can filter by year
    Q<id>#<n>   a unique id term
    value 0     the article id (the collapse key: the top 10 are 10 articles)
    value 1     the date as YYYYMMDD (for value ranges)
    data        JSON {id, title, date, text} of the passage (for the snippet)
The database is built, committed once, then compacted (xapian-compact) into DB.

    xapian.py index CORPUS_DIR DB           build (replaces DB); prints articles, passages, s, MB/s
    xapian.py query DB QUERY [SINCE [UNTIL]]    top 10 articles: rank, id, snippet
    xapian.py bench DB QUERIES_FILE RUNS    in-process latency: median/min/max microseconds

QUERY is Xapian QueryParser syntax (FLAG_DEFAULT: phrases, AND/OR/NOT, +/-; words OR-ed), the
same as `quest`. QUERIES_FILE lines: class<TAB>since<TAB>until<TAB>query ('-' for no date).
"""
import glob
import json
import os
import shutil
import statistics
import sys
import time

# This file is called xapian.py: keep its own folder off the path, or it imports itself.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
import xapian  # noqa: E402  (Debian: python3-xapian)

SLOT_ID, SLOT_DATE = 0, 1


def index(corpus, db):
    start = time.perf_counter()
    build = db + ".build"
    for d in (db, build):
        if os.path.exists(d):
            shutil.rmtree(d)
    files = sorted(glob.glob(os.path.join(corpus, "*.jsonl")))
    if not files:
        sys.exit(f"no .jsonl files in {corpus}")
    wdb = xapian.WritableDatabase(build, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    articles = passages = nbytes = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                a = json.loads(line)
                aid, title, date = str(a["id"]), a.get("title", ""), a.get("date", "")
                text = a.get("text", "")
                articles += 1
                nbytes += len(text.encode("utf-8"))
                for n, passage in enumerate(p for p in text.split("\n\n") if p.strip()):
                    doc = xapian.Document()
                    tg.set_document(doc)
                    tg.index_text_without_positions(title, 1, "S")
                    tg.index_text(passage)
                    if date:
                        doc.add_boolean_term("Y" + date[:4])
                        doc.add_value(SLOT_DATE, date.replace("-", "")[:8])
                    doc.add_value(SLOT_ID, aid)
                    idterm = f"Q{aid}#{n}"
                    doc.add_boolean_term(idterm)
                    doc.set_data(json.dumps(
                        {"id": aid, "title": title, "date": date, "text": passage},
                        ensure_ascii=False))
                    wdb.add_document(doc)  # fresh database: no need to replace by id
                    passages += 1
    wdb.commit()
    wdb.close()
    # Compact into the final database, as xapian-compact does for a static index: about half
    # the size, and faster to search.
    xapian.Database(build).compact(db)
    shutil.rmtree(build)
    secs = time.perf_counter() - start
    print(f"{articles} articles, {passages} passages, {nbytes} bytes of text "
          f"({nbytes / 1e6:.1f} MB) in {secs:.2f} s: {nbytes / 1e6 / secs:.1f} MB/s")


class Searcher:
    def __init__(self, db):
        self.db = xapian.Database(db)
        self.stem = xapian.Stem("english")
        qp = xapian.QueryParser()
        qp.set_database(self.db)
        qp.set_stemmer(self.stem)
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_default_op(xapian.Query.OP_OR)
        qp.add_prefix("title", "S")
        qp.add_boolean_prefix("year", "Y")
        self.qp = qp

    def top10(self, text, since=None, until=None):
        """[(id, snippet)] of the 10 best articles (passages collapsed on the article id)."""
        query = self.qp.parse_query(text, xapian.QueryParser.FLAG_DEFAULT)
        since = None if since in (None, "", "-") else since.replace("-", "")
        until = None if until in (None, "", "-") else until.replace("-", "")
        if since and until:
            dates = xapian.Query(xapian.Query.OP_VALUE_RANGE, SLOT_DATE, since, until)
        elif since:
            dates = xapian.Query(xapian.Query.OP_VALUE_GE, SLOT_DATE, since)
        elif until:
            dates = xapian.Query(xapian.Query.OP_VALUE_LE, SLOT_DATE, until)
        else:
            dates = None
        if dates is not None:
            query = xapian.Query(xapian.Query.OP_FILTER, query, dates)
        enquire = xapian.Enquire(self.db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(xapian.BM25Weight())
        enquire.set_collapse_key(SLOT_ID)
        mset = enquire.get_mset(0, 10)
        hits = []
        for m in mset:
            data = json.loads(m.document.get_data().decode("utf-8"))
            snippet = mset.snippet(data["text"], 150, self.stem,
                                   xapian.MSet.SNIPPET_EXHAUSTIVE, "[", "]", "…")
            if isinstance(snippet, bytes):
                snippet = snippet.decode("utf-8", "replace")
            hits.append((data["id"], snippet))
        return hits


def query(db, text, since=None, until=None):
    hits = Searcher(db).top10(text, since, until)
    for rank, (id_, snippet) in enumerate(hits, 1):
        print(f"{rank}\t{id_}\t{snippet.replace(chr(10), ' ')}")
    return 0 if hits else 1


def bench(db, queries_file, runs):
    s = Searcher(db)
    print("class\tmedian_us\tmin_us\tmax_us\thits\tquery")
    with open(queries_file, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            klass, since, until, q = cols if len(cols) == 4 else ("-", "-", "-", line)
            hits = len(s.top10(q, since, until))  # warm-up
            times = []
            for _ in range(max(runs, 1)):
                t = time.perf_counter()
                s.top10(q, since, until)
                times.append((time.perf_counter() - t) * 1e6)
            print(f"{klass}\t{statistics.median(times):.1f}\t{min(times):.1f}\t{max(times):.1f}"
                  f"\t{hits}\t{q}")


def main(argv):
    if len(argv) >= 3 and argv[0] == "index":
        return index(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "query":
        return query(argv[1], argv[2], *argv[3:5])
    if len(argv) == 4 and argv[0] == "bench":
        return bench(argv[1], argv[2], int(argv[3]))
    sys.exit(__doc__)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends quietly
    sys.exit(main(sys.argv[1:]))
