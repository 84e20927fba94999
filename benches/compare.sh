#!/usr/bin/env bash
# Side-by-side speed comparison: communique against ripgrep, SQLite FTS5, Xapian and plain
# tantivy, on the same generated corpus and the same queries (benches/compare/queries.txt).
#
#   benches/compare.sh [--articles N] [--runs N] [--warmup N] [--inproc-runs N] [--reuse-indexes]
#
# Defaults: 20,000 articles (about 62 MB of text; the whole run takes a few minutes), hyperfine
# --runs 20 --warmup 3, 50 in-process runs. --articles 190000 works too (Xapian's Python
# indexing is then the longest step, about a quarter of an hour). For each tool it records the
# build time, MB/s, index size against the text and peak RSS of indexing; then, per query
# class, the whole process with hyperfine (-N, output through a pipe) and the in-process latency
# of each engine. Everything lands in bench-data/compare-N/ (results.json, results.md, the
# hyperfine JSON exports and logs); results.md is printed at the end.
#
# Needs: cargo, /usr/bin/python3 with sqlite3 (FTS5) and python3-xapian, and the Debian packages
# ripgrep sqlite3 hyperfine xapian-tools time (installed with apt-get when missing, as root).
set -euo pipefail

ARTICLES=20000
SEED=1
RUNS=20
WARMUP=3
INPROC_RUNS=50
REUSE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --articles) ARTICLES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --inproc-runs) INPROC_RUNS="$2"; shift 2 ;;
        --reuse-indexes) REUSE=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HERE=benches/compare
PY=/usr/bin/python3
CORPUS="bench-data/gen-$ARTICLES-$SEED"
OUT="bench-data/compare-$ARTICLES"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$OUT"
log() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
log "tools"
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v quest >/dev/null || missing+=(xapian-tools)
[[ -x /usr/bin/time ]] || missing+=(time)
[[ -x $PY ]] && $PY -c 'import xapian' 2>/dev/null || missing+=(python3-xapian)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing: ${missing[*]}" >&2
    if [[ $(id -u) -ne 0 ]]; then
        echo "not root: run apt-get install -y ${missing[*]} first" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep sqlite3 hyperfine \
        python3-xapian xapian-tools time >&2
fi
$PY - <<'EOF'
import sqlite3
con = sqlite3.connect(":memory:")
con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
EOF

# ---------------------------------------------------------------- build, corpus
log "cargo build --release (communique, gen_corpus, plain_tantivy, communique_bench)"
cargo build --release --bin communique --example gen_corpus --example plain_tantivy \
    --example communique_bench >&2
BIN=target/release/communique
PLAIN=target/release/examples/plain_tantivy
CBENCH=target/release/examples/communique_bench

if ! compgen -G "$CORPUS/part-*.jsonl" >/dev/null; then
    log "generating $CORPUS"
    target/release/examples/gen_corpus --articles "$ARTICLES" --seed "$SEED" --out "$CORPUS" >&2
fi
# Bytes of the JSON Lines files and of the text (title + text fields) they hold.
read -r JSONL_BYTES TEXT_BYTES N_ARTICLES < <($PY - "$CORPUS" <<'EOF'
import glob, json, os, sys
jsonl = text = n = 0
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.jsonl"))):
    jsonl += os.path.getsize(p)
    with open(p, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                n += 1
                text += len(a.get("title", "").encode()) + len(a.get("text", "").encode())
print(jsonl, text, n)
EOF
)
echo "corpus $CORPUS: $N_ARTICLES articles, $JSONL_BYTES bytes of JSON Lines, $TEXT_BYTES bytes of title+text" >&2

# ---------------------------------------------------------------- indexes
IX_COMMUNIQUE="$OUT/ix-communique"
IX_PLAIN="$OUT/ix-plain-tantivy"
DB_FTS5="$OUT/fts5.db"
DB_XAPIAN="$OUT/xapian.db"
INDEX_TSV="$OUT/indexing.tsv"

# build NAME DEST COMMAND...: time it, peak RSS, size on disk.
build() {
    local name="$1" dest="$2"; shift 2
    rm -rf "$dest"
    log "indexing: $name"
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$OUT/index-$name.time" "$@" >"$OUT/index-$name.log" 2>&1 || {
        cat "$OUT/index-$name.log" >&2; return 1; }
    t1=$(date +%s.%N)
    local rss size
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/index-$name.time")
    size=$(du -sb "$dest" | cut -f1)
    printf '%s\t%s\t%s\t%s\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" \
        "$rss" "$size" >>"$INDEX_TSV"
    tail -n 2 "$OUT/index-$name.log" >&2
}
if [[ $REUSE -eq 1 && -s $INDEX_TSV && -d $IX_COMMUNIQUE && -d $IX_PLAIN && -f $DB_FTS5 && -d $DB_XAPIAN ]]; then
    log "reusing the indexes and figures of $INDEX_TSV"
else
    : >"$INDEX_TSV"
    build communique "$IX_COMMUNIQUE" "$BIN" --corpus "$CORPUS" --index "$IX_COMMUNIQUE" index
    build plain_tantivy "$IX_PLAIN" "$PLAIN" index --corpus "$CORPUS" --index "$IX_PLAIN"
    build fts5 "$DB_FTS5" $PY "$HERE/fts5.py" index "$CORPUS" "$DB_FTS5"
    build xapian "$DB_XAPIAN" $PY "$HERE/xapian.py" index "$CORPUS" "$DB_XAPIAN"
fi

# ---------------------------------------------------------------- queries
# Columns of queries.txt: class since until communique plain_tantivy fts5 xapian quest rg
QUERIES=()
while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    QUERIES+=("$line")
done <"$HERE/queries.txt"

# Per-engine query files for the in-process benches: class<TAB>since<TAB>until<TAB>query.
for pair in communique:4 plain_tantivy:5 fts5:6 xapian:7; do
    name=${pair%%:*}; col=${pair##*:}
    printf '%s\n' "${QUERIES[@]}" | awk -F'\t' -v OFS='\t' -v c="$col" '{print $1, $2, $3, $c}' \
        >"$OUT/queries-$name.tsv"
done

# quote WORDS...: one string of shell words, as hyperfine -N splits them.
quote() { local out="" w; for w in "$@"; do out+="$(printf '%q' "$w") "; done; printf '%s' "${out% }"; }

HITS_TSV="$OUT/hits.tsv"
: >"$HITS_TSV"
: >"$OUT/commands.tsv"
slug() { echo "$1" | tr ' ' '-'; }
for line in "${QUERIES[@]}"; do
    IFS=$'\t' read -r class since until q_comm q_plain q_fts5 q_xapian q_quest q_rg <<<"$line"
    s=$(slug "$class")
    dates_comm=(); dates_plain=()
    [[ $since != - ]] && dates_comm+=(--since "$since") && dates_plain+=(--since "$since")
    [[ $until != - ]] && dates_comm+=(--until "$until") && dates_plain+=(--until "$until")
    sql=$($PY "$HERE/fts5.py" sql "$q_fts5" "$since" "$until")
    eval "rg_args=($q_rg)"   # the rg column is written as shell words
    cmd_comm=("$BIN" --index "$IX_COMMUNIQUE" --color never search "${dates_comm[@]}" "$q_comm")
    cmd_rg=(rg "${rg_args[@]}" "$CORPUS")
    cmd_fts5=(sqlite3 -readonly "$DB_FTS5" "$sql")
    cmd_quest=(quest -d "$DB_XAPIAN" -m 10 -b year:Y -p title:S "$q_quest")
    cmd_plain=("$PLAIN" search --index "$IX_PLAIN" "${dates_plain[@]}" "$q_plain")

    # One run of each first: it must succeed (exit 0, or 1 for "nothing found"); count its output.
    for tool in communique rg fts5 quest plain_tantivy; do
        case $tool in
            communique) cmd=("${cmd_comm[@]}") ;;
            rg) cmd=("${cmd_rg[@]}") ;;
            fts5) cmd=("${cmd_fts5[@]}") ;;
            quest) cmd=("${cmd_quest[@]}") ;;
            plain_tantivy) cmd=("${cmd_plain[@]}") ;;
        esac
        rc=0
        if [[ $tool == rg ]]; then
            # rg prints every matching article: count lines and bytes, keep the first 100 lines.
            set +e
            "${cmd[@]}" 2>"$OUT/err-$s-$tool.txt" | $PY -c '
import sys
lines = size = 0
with open(sys.argv[1], "wb") as keep:
    for line in sys.stdin.buffer:
        lines += 1
        size += len(line)
        if lines <= 100:
            keep.write(line)
print(lines, size)' "$OUT/out-$s-$tool.txt" >"$OUT/count-$s-$tool.txt"
            rc=${PIPESTATUS[0]}
            set -e
        else
            "${cmd[@]}" >"$OUT/out-$s-$tool.txt" 2>"$OUT/err-$s-$tool.txt" || rc=$?
        fi
        if [[ $rc -gt 1 ]]; then
            echo "$tool failed on $class (exit $rc): $(quote "${cmd[@]}")" >&2
            cat "$OUT/err-$s-$tool.txt" >&2
            exit 1
        fi
        case $tool in
            communique) hits=$("$BIN" --index "$IX_COMMUNIQUE" search --json "${dates_comm[@]}" "$q_comm" | wc -l) ;;
            rg) read -r hits bytes <"$OUT/count-$s-$tool.txt" ;;   # matching lines = articles
            fts5) hits=$(sqlite3 -readonly "$DB_FTS5" "SELECT count(*) FROM (${sql%;});") ;;
            plain_tantivy) hits=$(wc -l <"$OUT/out-$s-$tool.txt") ;;
            quest) hits=$(grep -c '^[0-9]*: \[' "$OUT/out-$s-$tool.txt" || true) ;;
        esac
        [[ $tool == rg ]] || bytes=$(wc -c <"$OUT/out-$s-$tool.txt")
        printf '%s\t%s\t%s\t%s\t%s\n' "$class" "$tool" "$rc" "$hits" "$bytes" >>"$HITS_TSV"
        printf '%s\t%s\t%s\n' "$class" "$tool" "$(quote "${cmd[@]}")" >>"$OUT/commands.tsv"
    done

    log "hyperfine: $class"
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --output=pipe --style basic \
        --export-json "$OUT/hyperfine-$s.json" \
        -n communique "$(quote "${cmd_comm[@]}")" \
        -n rg "$(quote "${cmd_rg[@]}")" \
        -n fts5 "$(quote "${cmd_fts5[@]}")" \
        -n quest "$(quote "${cmd_quest[@]}")" \
        -n plain_tantivy "$(quote "${cmd_plain[@]}")" >"$OUT/hyperfine-$s.log" 2>&1 || {
        cat "$OUT/hyperfine-$s.log" >&2; exit 1; }
done

# ---------------------------------------------------------------- peak RSS of one search
log "peak RSS of one search (common term)"
RSS_TSV="$OUT/search-rss.tsv"
: >"$RSS_TSV"
while IFS=$'\t' read -r class tool cmdline; do
    [[ $class == "common term" ]] || continue
    eval "cmd=($cmdline)"
    /usr/bin/time -v -o "$OUT/search-$tool.time" "${cmd[@]}" >/dev/null 2>&1 || true
    printf '%s\t%s\n' "$tool" \
        "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/search-$tool.time")" >>"$RSS_TSV"
done <"$OUT/commands.tsv"

# ---------------------------------------------------------------- in-process latency
log "in-process latency ($INPROC_RUNS runs per query)"
"$CBENCH" --index "$IX_COMMUNIQUE" --queries "$OUT/queries-communique.tsv" --runs "$INPROC_RUNS" \
    >"$OUT/inproc-communique.tsv"
"$PLAIN" bench --index "$IX_PLAIN" --queries "$OUT/queries-plain_tantivy.tsv" --runs "$INPROC_RUNS" \
    >"$OUT/inproc-plain_tantivy.tsv"
$PY "$HERE/fts5.py" bench "$DB_FTS5" "$OUT/queries-fts5.tsv" "$INPROC_RUNS" >"$OUT/inproc-fts5.tsv"
$PY "$HERE/xapian.py" bench "$DB_XAPIAN" "$OUT/queries-xapian.tsv" "$INPROC_RUNS" \
    >"$OUT/inproc-xapian.tsv"

# ---------------------------------------------------------------- versions, machine, report
{
    echo -e "rg\t$(rg --version | sed -n 1p)"
    echo -e "sqlite3\t$(sqlite3 --version | cut -d' ' -f1-2)"
    echo -e "python sqlite3\t$($PY -c 'import sqlite3; print(sqlite3.sqlite_version)')"
    echo -e "quest\t$(quest --version | sed -n 1p)"
    echo -e "python3-xapian\t$($PY -c 'import sys; sys.path.pop(0); import xapian; print(xapian.version_string())')"
    echo -e "hyperfine\t$(hyperfine --version)"
    echo -e "python3\t$($PY --version 2>&1)"
    echo -e "rustc\t$(rustc --version)"
    echo -e "tantivy\t$(grep -A1 '^name = "tantivy"$' Cargo.lock | sed -n 's/version = "\(.*\)"/\1/p')"
    echo -e "communique\t$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo ' + uncommitted changes')"
    echo -e "nproc\t$(nproc)"
    echo -e "cpu\t$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo -e "memory\t$(free -h | awk '/^Mem:/ {print $2}')"
    echo -e "kernel\t$(uname -sr)"
    echo -e "load average\tat start $LOAD_START; at end $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/versions.tsv"

$PY "$HERE/report.py" "$OUT" --articles "$N_ARTICLES" --jsonl-bytes "$JSONL_BYTES" \
    --text-bytes "$TEXT_BYTES" --runs "$RUNS" --warmup "$WARMUP" --inproc-runs "$INPROC_RUNS" \
    --corpus "$CORPUS"
cat "$OUT/results.md"
