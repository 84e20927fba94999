#!/usr/bin/env python3
"""Gathers the raw figures of benches/compare.sh in OUT_DIR into results.json and results.md.

    report.py OUT_DIR --articles N --jsonl-bytes B --text-bytes B --runs N --warmup N
              --inproc-runs N --corpus DIR
"""
import argparse
import glob
import json
import os
import statistics

TOOLS = ["communique", "rg", "fts5", "quest", "plain_tantivy"]
INPROC = ["communique", "plain_tantivy", "fts5", "xapian"]
INDEXERS = ["communique", "plain_tantivy", "fts5", "xapian"]
LABEL = {
    "communique": "communique",
    "rg": "rg -i (no index)",
    "fts5": "sqlite3 CLI, FTS5",
    "quest": "quest (Xapian)",
    "plain_tantivy": "plain tantivy",
    "xapian": "Xapian (python3-xapian)",
}

NOTES = """\
## What each tool does (and where it is not the same query)

- **communique**: `communique --index IX search QUERY` (top 10 articles, best passage of each with
  highlights, one tantivy document per passage, stemmed and exact views).
- **rg**: `rg ARGS CORPUS` over the raw JSON Lines files (one line per article): no index, no
  ranking, every matching article is printed whole (the output goes through a pipe; `results`
  is the number of matching articles). Matching is on substrings of the whole line, so it also
  hits `id`, `title` and `source`, and words are not stemmed (`security` also finds
  *securities*, `sanctions` does not find *sanctioned*). Any-word queries are an alternation
  (`nuclear|disarmament`); the phrase allows any whitespace between the words
  (`security\\s+council`) but not punctuation; boolean with exclusion is a PCRE2 lookahead per
  line (`-P '^(?!.*russia).*sanctions'`: article level, substring level); fuzzy is a regex of
  every string within one edit of `blinkn` as a whole word (`-w`); the date filter is a regex on the
  `"date"` key, which is the first of each line (`"date":"2020-.*(humanitarian|assistance)`).
- **fts5**: `sqlite3 -readonly DB "SELECT id, snippet(...) FROM docs WHERE docs MATCH '...' ...
  ORDER BY bm25(docs) LIMIT 10"`; one row per article, `porter unicode61` tokenizer, table
  optimized after the build. FTS5 AND-s bare words, so any-word queries are written with `OR`.
  Its phrases are stemmed (porter) phrases. It has no fuzzy query: `blinken OR blink`, the corpus
  words within one edit of `blinkn`, expanded beforehand (not timed). Dates are an UNINDEXED
  column compared in SQL after the MATCH.
- **quest / Xapian**: one document per passage (text cut on blank lines), BM25, English stemmer
  (STEM_SOME: phrases on unstemmed words), compacted database. `quest -d DB -m 10 -b year:Y
  -p title:S QUERY`. quest cannot collapse passages by article, so its top 10 are **passages**
  (several may come from one article) and it prints each passage's stored data instead of a
  snippet; the in-process `xapian.py bench` does collapse on the article id
  (`Enquire.set_collapse_key`) and makes a snippet (`MSet.snippet`). Xapian 1.4 has no
  edit-distance query: same pre-expanded `blinken OR blink` as FTS5. quest's date filter is the
  boolean year term `year:2020` (exact here, since the range is one whole year); xapian.py uses
  a value range on YYYYMMDD. `AND NOT` is at passage level (as in communique, whose `AND NOT`
  excludes passages), while FTS5, plain tantivy and rg exclude at article level.
- **plain tantivy**: `examples/plain_tantivy.rs search`: one document per article, tantivy's
  default tokenizer (no stemming, no stop words), `QueryParser` over title+text with words OR-ed,
  top 10 by BM25 and a `SnippetGenerator` snippet (150 bytes). Tantivy's parser fails on
  `a AND NOT b` (it matches nothing), so the boolean query is `sanctions -Russia`. Its grammar has
  no `word~1` fuzzy word: the example turns `Blinkn~1` into `QueryParser::set_field_fuzzy`
  (true Levenshtein-1 automaton, with constant scores and no highlights).
- **In-process** latency: each engine's own loop in one process (after one warm-up run):
  communique (`examples/communique_bench.rs`, the library's `Index::search`), plain tantivy
  (`plain_tantivy bench`) and the two Python scripts (`fts5.py bench`, `xapian.py bench`: Python
  overhead included). Each parses the query, finds the top 10 and makes their snippets.
- Whole-process times include starting the program and opening the index: for small indexes
  that is most of the time (Python is not used by any whole-process command).
- Index sizes are compared with the bytes of title+text; FTS5, Xapian and plain tantivy also
  store the text (Xapian stores every passage, as JSON), and communique stores passages, title,
  source and its columns.
"""


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def ms(seconds):
    return round(seconds * 1000, 2)


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def fmt_ratio(r):
    if r is None:
        return "–"
    return f"{r:.0f}×" if r >= 100 else (f"{r:.1f}×" if r >= 10 else f"{r:.2f}×")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--articles", type=int)
    ap.add_argument("--jsonl-bytes", type=int)
    ap.add_argument("--text-bytes", type=int)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--inproc-runs", type=int)
    ap.add_argument("--corpus")
    a = ap.parse_args()
    out = a.out
    here = os.path.dirname(os.path.abspath(__file__))

    versions = dict((r[0], r[1] if len(r) > 1 else "") for r in read_tsv(f"{out}/versions.tsv"))
    queries = []
    for r in read_tsv(os.path.join(here, "queries.txt")):
        if r[0].startswith("#"):
            continue
        keys = ["class", "since", "until", "communique", "plain_tantivy", "fts5", "xapian",
                "quest", "rg"]
        queries.append(dict(zip(keys, r)))
    classes = [q["class"] for q in queries]

    # Indexing
    indexing = {}
    for name, secs, rss_kb, size in read_tsv(f"{out}/indexing.tsv"):
        secs = float(secs)
        indexing[name] = {
            "seconds": round(secs, 3),
            "mb_per_s": round(a.text_bytes / 1e6 / secs, 2),
            "index_bytes": int(size),
            "index_to_text": round(int(size) / a.text_bytes, 3),
            "peak_rss_kb": int(rss_kb),
        }
    log = os.path.join(out, "index-communique.log")
    passages = None
    if os.path.exists(f"{out}/index-xapian.log"):
        for word in open(f"{out}/index-xapian.log").read().split(","):
            if "passages" in word:
                passages = int(word.split()[0])

    # Whole process (hyperfine)
    hits = {(r[0], r[1]): {"exit": int(r[2]), "results": int(r[3]), "output_bytes": int(r[4])}
            for r in read_tsv(f"{out}/hits.tsv")}
    commands = {(r[0], r[1]): r[2] for r in read_tsv(f"{out}/commands.tsv")}
    whole = {}
    for klass in classes:
        path = f"{out}/hyperfine-{klass.replace(' ', '-')}.json"
        if not os.path.exists(path):
            continue
        with open(path) as f:
            data = json.load(f)
        whole[klass] = {}
        for res in data["results"]:
            tool = res["command"]
            whole[klass][tool] = {
                "median_ms": ms(res["median"]),
                "min_ms": ms(res["min"]),
                "max_ms": ms(res["max"]),
                "mean_ms": ms(res["mean"]),
                "stddev_ms": ms(res["stddev"] or 0.0),
                "times_ms": [ms(t) for t in res["times"]],
                "command": commands.get((klass, tool)),
                **hits.get((klass, tool), {}),
            }
        base = whole[klass].get("communique", {}).get("median_ms")
        for tool, r in whole[klass].items():
            r["ratio_to_communique"] = round(r["median_ms"] / base, 3) if base else None

    # In process
    inproc = {}
    for tool in INPROC:
        for r in read_tsv(f"{out}/inproc-{tool}.tsv")[1:]:
            klass, med, lo, hi, n = r[0], float(r[1]), float(r[2]), float(r[3]), int(r[4])
            inproc.setdefault(klass, {})[tool] = {
                "median_us": med, "min_us": lo, "max_us": hi, "results": n, "query": r[5]}
    for klass, tools in inproc.items():
        base = tools.get("communique", {}).get("median_us")
        for r in tools.values():
            r["ratio_to_communique"] = round(r["median_us"] / base, 3) if base else None

    search_rss = {r[0]: int(r[1]) for r in read_tsv(f"{out}/search-rss.tsv") if r[1:] and r[1]}

    results = {
        "corpus": {"dir": a.corpus, "articles": a.articles, "xapian_passages": passages,
                   "jsonl_bytes": a.jsonl_bytes, "text_bytes": a.text_bytes},
        "settings": {"hyperfine_runs": a.runs, "hyperfine_warmup": a.warmup,
                     "inproc_runs": a.inproc_runs},
        "versions": versions,
        "queries": queries,
        "indexing": indexing,
        "whole_process": whole,
        "in_process": inproc,
        "search_peak_rss_kb_common_term": search_rss,
    }
    with open(f"{out}/results.json", "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)

    md = []
    md.append(f"# Speed comparison at {a.articles:,} articles\n")
    md.append("| | |\n|---|---|")
    for k in ["cpu", "nproc", "memory", "kernel", "load average", "rustc", "tantivy", "communique", "rg",
              "sqlite3", "python sqlite3", "quest", "python3-xapian", "hyperfine", "python3"]:
        if k in versions:
            md.append(f"| {k} | {versions[k]} |")
    md.append("")
    md.append(f"Corpus `{a.corpus}`: {a.articles:,} articles"
              + (f" ({passages:,} passages cut on blank lines)" if passages else "")
              + f", {a.text_bytes / 1e6:.1f} MB of title+text ({a.jsonl_bytes / 1e6:.1f} MB of"
              " JSON Lines). Whole process: hyperfine -N, "
              f"{a.warmup} warm-up runs, {a.runs} runs, output through a pipe. In process: "
              f"{a.inproc_runs} runs after one warm-up. Times are median (min–max).\n")

    md.append("## Indexing\n")
    md.append("| tool | build | MB/s | index size | size / text | peak RSS |")
    md.append("|---|---|---|---|---|---|")
    for name in INDEXERS:
        r = indexing.get(name)
        if r:
            md.append(f"| {LABEL[name]} | {r['seconds']:.1f} s | {r['mb_per_s']:.1f} | "
                      f"{r['index_bytes'] / 2**20:.1f} MiB | {r['index_to_text']:.2f} | "
                      f"{r['peak_rss_kb'] / 1024:.0f} MiB |")
    md.append("\nMB/s is title+text bytes over wall time (FTS5 and Xapian index from Python; "
              "Xapian's time includes compaction, FTS5's its `optimize`).\n")

    md.append("## Whole process, median in ms (ratio to communique)\n")
    md.append("| class | " + " | ".join(LABEL[t] for t in TOOLS) + " |")
    md.append("|---|" + "---|" * len(TOOLS))
    for klass in classes:
        cells = []
        for t in TOOLS:
            r = whole.get(klass, {}).get(t)
            cells.append("–" if not r else
                         f"{fmt_ms(r['median_ms'])}" + ("" if t == "communique" else
                                                        f" ({fmt_ratio(r['ratio_to_communique'])})"))
        md.append(f"| {klass} | " + " | ".join(cells) + " |")
    md.append("")

    md.append("### Detail: median, min, max (ms), results, output size\n")
    md.append("| class | tool | median | min | max | × communique | results | output |")
    md.append("|---|---|---|---|---|---|---|---|")
    for klass in classes:
        for t in TOOLS:
            r = whole.get(klass, {}).get(t)
            if not r:
                continue
            res = r.get("results", "")
            if t == "rg":
                res = f"{res} articles"
            elif t == "quest":
                res = f"{res} passages"
            out_kb = r.get("output_bytes")
            md.append(f"| {klass} | {LABEL[t]} | {fmt_ms(r['median_ms'])} | "
                      f"{fmt_ms(r['min_ms'])} | {fmt_ms(r['max_ms'])} | "
                      f"{fmt_ratio(r['ratio_to_communique'])} | {res} | "
                      + (f"{out_kb / 1e3:,.0f} kB" if out_kb is not None else "") + " |")
    md.append("")

    md.append("## In process, median in µs (ratio to communique)\n")
    md.append("| class | " + " | ".join(LABEL[t] for t in INPROC) + " |")
    md.append("|---|" + "---|" * len(INPROC))
    for klass in classes:
        cells = []
        for t in INPROC:
            r = inproc.get(klass, {}).get(t)
            if not r:
                cells.append("–")
                continue
            cell = f"{r['median_us']:,.0f} ({r['min_us']:,.0f}–{r['max_us']:,.0f})"
            if t != "communique":
                cell += f" {fmt_ratio(r['ratio_to_communique'])}"
            cells.append(cell)
        md.append(f"| {klass} | " + " | ".join(cells) + " |")
    md.append("")

    if search_rss:
        md.append("## Peak RSS of one search (common term, whole process)\n")
        md.append("| tool | peak RSS |\n|---|---|")
        for t in TOOLS:
            if t in search_rss:
                md.append(f"| {LABEL[t]} | {search_rss[t] / 1024:.1f} MiB |")
        md.append("")

    md.append("## Queries\n")
    md.append("| class | communique | plain tantivy | FTS5 MATCH | Xapian / quest | dates |")
    md.append("|---|---|---|---|---|---|")
    esc = lambda s: "`" + s.replace("|", "\\|") + "`"
    for q in queries:
        dates = "" if q["since"] == "-" else f"{q['since']} – {q['until']}"
        xq = esc(q["xapian"]) + ("" if q["quest"] == q["xapian"] else " / " + esc(q["quest"]))
        md.append(f"| {q['class']} | {esc(q['communique'])} | {esc(q['plain_tantivy'])} | "
                  f"{esc(q['fts5'])} | {xq} | {dates} |")
    md.append("\nrg arguments per class are in `benches/compare/queries.txt`; every exact "
              "command line is in `commands.tsv` and `results.json`.\n")
    md.append(NOTES)
    with open(f"{out}/results.md", "w", encoding="utf-8") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
