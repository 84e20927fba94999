#!/usr/bin/env python3
"""SQLite FTS5 baseline for benches/compare.sh.

One row per article in an FTS5 table
    docs(id UNINDEXED, title, date UNINDEXED, text, tokenize='porter unicode61')
ranked by bm25() (k1=1.2, b=0.75, both columns weight 1) with snippet() for the excerpt.

    fts5.py index CORPUS_DIR DB          build (replaces DB); prints articles, bytes, s, MB/s
    fts5.py query DB QUERY [SINCE [UNTIL]]   top 10: rank, id, snippet
    fts5.py sql QUERY [SINCE [UNTIL]]    the same query as SQL, for the sqlite3 CLI
    fts5.py bench DB QUERIES_FILE RUNS   in-process latency: median/min/max microseconds

QUERY is FTS5 query syntax (words are AND-ed by default: write OR for any-word queries).
QUERIES_FILE lines: class<TAB>since<TAB>until<TAB>query (dates '-' or YYYY-MM-DD); '#' skips.
"""
import glob
import json
import os
import sqlite3
import statistics
import sys
import time

SNIPPET = "snippet(docs, 3, '[', ']', '…', 24)"  # about 150 characters


def sql_for(query, since=None, until=None, literal=False):
    """The top-10 statement; with literal=True the values are inlined (for the sqlite3 CLI)."""
    where = ["docs MATCH ?"]
    params = [query]
    if since and since != "-":
        where.append("date >= ?")
        params.append(since)
    if until and until != "-":
        where.append("date <= ?")
        params.append(until)
    sql = (f"SELECT id, {SNIPPET} FROM docs WHERE {' AND '.join(where)} "
           "ORDER BY bm25(docs) LIMIT 10;")
    if literal:
        for p in params:
            sql = sql.replace("?", "'" + p.replace("'", "''") + "'", 1)
        return sql
    return sql, params


def index(corpus, db):
    start = time.perf_counter()
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5("
                "id UNINDEXED, title, date UNINDEXED, text, tokenize='porter unicode61')")
    articles = nbytes = 0
    files = sorted(glob.glob(os.path.join(corpus, "*.jsonl")))
    if not files:
        sys.exit(f"no .jsonl files in {corpus}")

    def rows():
        nonlocal articles, nbytes
        for path in files:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    a = json.loads(line)
                    text = a.get("text", "")
                    articles += 1
                    nbytes += len(text.encode("utf-8"))
                    yield (str(a["id"]), a.get("title", ""), a.get("date", ""), text)

    with con:
        con.executemany("INSERT INTO docs(id, title, date, text) VALUES (?, ?, ?, ?)", rows())
    # Merge the b-trees into one, as a read-mostly user would.
    with con:
        con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.close()
    secs = time.perf_counter() - start
    print(f"{articles} articles, {nbytes} bytes of text ({nbytes / 1e6:.1f} MB) "
          f"in {secs:.2f} s: {nbytes / 1e6 / secs:.1f} MB/s")


def top10(con, query, since=None, until=None):
    sql, params = sql_for(query, since, until)
    return con.execute(sql, params).fetchall()


def query(db, q, since=None, until=None):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = top10(con, q, since, until)
    for rank, (id_, snippet) in enumerate(rows, 1):
        print(f"{rank}\t{id_}\t{snippet.replace(chr(10), ' ')}")
    return 0 if rows else 1


def bench(db, queries_file, runs):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    print("class\tmedian_us\tmin_us\tmax_us\thits\tquery")
    with open(queries_file, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            klass, since, until, q = cols if len(cols) == 4 else ("-", "-", "-", line)
            hits = len(top10(con, q, since, until))  # warm-up
            times = []
            for _ in range(max(runs, 1)):
                t = time.perf_counter()
                top10(con, q, since, until)
                times.append((time.perf_counter() - t) * 1e6)
            print(f"{klass}\t{statistics.median(times):.1f}\t{min(times):.1f}\t{max(times):.1f}"
                  f"\t{hits}\t{q}")


def main(argv):
    if len(argv) >= 3 and argv[0] == "index":
        return index(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "query":
        return query(argv[1], argv[2], *argv[3:5])
    if len(argv) >= 2 and argv[0] == "sql":
        print(sql_for(argv[1], *argv[2:4], literal=True))
        return 0
    if len(argv) == 4 and argv[0] == "bench":
        return bench(argv[1], argv[2], int(argv[3]))
    sys.exit(__doc__)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends quietly
    sys.exit(main(sys.argv[1:]))
