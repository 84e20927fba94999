//! The index schema: one tantivy document per passage, article metadata stored once.
//!
//! Every passage document carries its article's id, its ordinal, its byte offset in the body
//! and its own text (stored with the exact view, so a queued document holds it once beside the
//! stemmed view; passages partition the body, so the body is stored once), plus
//! the indexed views used by search: the passage text (stemmed and exact), the article title
//! (stemmed and exact), the source (exact) and the date. The first passage of an article (the
//! *head*, ordinal 0) also stores the article's title, date, source, URL, path and metadata.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{EXACT, STEMMED};

/// Version of the schema and analysis. Bump it whenever either changes in a way that makes an
/// old index wrong for this build; an index of another version asks for `index --rebuild`.
pub const SCHEMA_VERSION: u32 = 14;

/// The names of the fast fields, for opening their columns on a segment (the schema is built
/// with the same names).
pub(crate) mod fast {
    /// The article id column.
    pub const ARTICLE_ID: &str = "article_id";
    /// The passage ordinal column.
    pub const ORDINAL: &str = "ordinal";
    /// The near-duplicate cluster key column (heads only).
    pub const DUP: &str = "dup";
    /// The article's entities column (facet keys).
    pub const ENTITIES: &str = "entities";
    /// The raw source column (heads only).
    pub const SOURCE: &str = "source_text";
    /// The article date column.
    pub const DATE: &str = "date";
    /// The article language column.
    pub const LANG: &str = "lang";
    /// The commit sequence number column.
    pub const SEQ: &str = "seq";
}

/// The fields of the schema, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// Article id: raw, indexed (to delete and filter by article) and fast (to group passages).
    pub article_id: Field,
    /// Passage ordinal within its article (0 is the head): indexed and fast.
    pub ordinal: Field,
    /// Byte offset of the passage in the article body: stored beside the text, which is read
    /// with it (a column's block table would cost every search from the shell its opening).
    pub start: Field,
    /// The passage text, stored: the same field as [`Fields::exact`] (one value holds the text
    /// for the store and the exact view).
    pub text: Field,
    /// Passage text, stemmed view, with positions.
    pub stem: Field,
    /// Passage text, exact view, with positions, and stored (see [`Fields::text`]).
    pub exact: Field,
    /// Article title, stemmed view.
    pub title_stem: Field,
    /// Article title, exact view.
    pub title_exact: Field,
    /// Article source, exact view.
    pub source: Field,
    /// Article date: indexed and fast, for filters and statistics.
    pub date: Field,
    /// Head only, stored: the title as written.
    pub title: Field,
    /// Head only, stored: the date as written.
    pub date_text: Field,
    /// Head only, stored and fast (raw): the source as written.
    pub source_text: Field,
    /// Head only, stored: the URL.
    pub url: Field,
    /// Head only, stored: the corpus-relative path.
    pub path: Field,
    /// Head only, stored: other metadata as a JSON object.
    pub metadata: Field,
    /// The article's entities (`country:PRK`, `org:UNSC`, `signatory:USA`), on every passage:
    /// indexed (filters) and fast (facet counts).
    pub entities: Field,
    /// The passage's own entity mentions (`country:PRK`, `org:UNSC`): indexed.
    pub mentions: Field,
    /// The words inside the passage's quotations, stemmed view, with positions.
    pub quote_stem: Field,
    /// The words inside the passage's quotations, exact view, with positions.
    pub quote_exact: Field,
    /// The passage's quotations, stored as JSON `[[start, end, speaker or null], …]` (byte
    /// ranges in the passage text).
    pub quotes: Field,
    /// Head only: the article's near-duplicate cluster key (see [`crate::domain::fingerprints`]):
    /// indexed (to count a cluster), fast (to collapse results) and stored.
    pub dup: Field,
    /// Head only: the article's sampled shingle fingerprints, indexed (to find its copies).
    pub fingerprints: Field,
    /// Head only: how many fingerprints the article has: fast.
    pub fingerprint_count: Field,
    /// The article's language code (`en`, `ru`, …; `und` when unknown), on every passage:
    /// indexed (the `--lang` filter, the languages of the index), fast (the facet) and stored.
    pub lang: Field,
    /// The sequence number of the commit that added (or last changed) the article, on every
    /// passage: indexed (to find what a commit changed, for saved searches) and fast.
    pub seq: Field,
}

/// The entities a passage mentions: one untokenized term each (`country:PRK`), without
/// positions, with a term frequency (always 1) and field norms. tantivy prunes a union with
/// block-max WAND only when every term reads frequencies, and it writes each block's best
/// (norm, frequency) only for a field with norms: without them every block of the term reads
/// as scoring zero, and WAND skips the passages it alone finds (the test of
/// `search::mentions`).
fn mentions() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

fn text_view(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// A text view without positions: scored, never searched for phrases or proximity.
fn text_view_without_positions(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

/// A raw text field with one value a document (an id, a code), indexed without field norms:
/// the norm of one token is always 1, which is what BM25 assumes without them.
fn raw_one_value(options: TextOptions) -> TextOptions {
    let indexing = options
        .get_indexing_options()
        .cloned()
        .unwrap_or_default()
        .set_fieldnorms(false);
    options.set_indexing_options(indexing)
}

/// An indexed integer field without field norms (one byte a document each, which only the
/// BM25 score of a term of the field would read).
fn indexed_number() -> NumericOptions {
    NumericOptions::default().set_indexed()
}

/// Builds the schema and its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let exact = builder.add_text_field("exact", text_view(EXACT).set_stored());
    let fields = Fields {
        article_id: builder.add_text_field(fast::ARTICLE_ID, raw_one_value(STRING | FAST)),
        ordinal: builder.add_u64_field(fast::ORDINAL, indexed_number().set_fast()),
        start: builder.add_u64_field("start", STORED),
        text: exact,
        stem: builder.add_text_field("stem", text_view(STEMMED)),
        exact,
        // Title words are scored, never searched as phrases in the stemmed view (a title
        // phrase reads `title_exact`): no positions.
        title_stem: builder.add_text_field("title_stem", text_view_without_positions(STEMMED)),
        title_exact: builder.add_text_field("title_exact", text_view(EXACT)),
        source: builder.add_text_field("source", text_view(EXACT)),
        date: builder.add_date_field(
            fast::DATE,
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        title: builder.add_text_field("title", STORED),
        date_text: builder.add_text_field("date_text", STORED),
        source_text: builder.add_text_field(
            fast::SOURCE,
            TextOptions::default().set_stored().set_fast("raw"),
        ),
        url: builder.add_text_field("url", STORED),
        path: builder.add_text_field("path", STORED),
        metadata: builder.add_text_field("metadata", STORED),
        entities: builder.add_text_field(fast::ENTITIES, STRING | FAST),
        mentions: builder.add_text_field("mentions", mentions()),
        quote_stem: builder.add_text_field("quote_stem", text_view(STEMMED)),
        quote_exact: builder.add_text_field("quote_exact", text_view(EXACT)),
        quotes: builder.add_text_field("quotes", STORED),
        dup: builder.add_u64_field(fast::DUP, indexed_number().set_fast().set_stored()),
        fingerprints: builder.add_u64_field("fingerprints", indexed_number()),
        fingerprint_count: builder.add_u64_field("fingerprint_count", FAST),
        lang: builder.add_text_field("lang", raw_one_value(STRING | FAST | STORED)),
        seq: builder.add_u64_field(fast::SEQ, indexed_number().set_fast()),
    };
    (builder.build(), fields)
}

/// Resolves the fields of an existing index's schema, failing if one is missing or different.
pub(crate) fn resolve(schema: &Schema) -> Result<Fields, String> {
    let (expected, fields) = build();
    for (field, entry) in expected.fields() {
        let found = schema
            .get_field(entry.name())
            .map_err(|_| format!("field `{}` is missing", entry.name()))?;
        if found != field || schema.get_field_entry(found) != entry {
            return Err(format!("field `{}` differs", entry.name()));
        }
    }
    Ok(fields)
}
