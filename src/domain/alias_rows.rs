//! The rows of an alias table (the format of `data/aliases.tsv`): the one reading of its lines
//! and columns, and the one rule for names written in a script other than Latin. Plain `std`
//! code: `build.rs` includes this file with `#[path]` to compile the built-in table's prefilter.

/// One group of an alias table, as written.
pub(crate) struct Row<'a> {
    /// Its 1-based line number.
    pub line: usize,
    /// The group's id, trimmed (empty if the line has none).
    pub id: &'a str,
    /// Its kind as written, trimmed (`country`, `org` or `place`), if the column is there.
    pub kind: Option<&'a str>,
    /// Its names, in order.
    pub names: Vec<&'a str>,
    /// Its codes.
    pub codes: Vec<&'a str>,
    /// Its weak names (equivalents that are not names of their own).
    pub weak: Vec<&'a str>,
}

/// The rows of a table: one group per line, tab-separated `id`, `kind`, names, codes and weak
/// names, each list `|`-separated (items trimmed, empty ones left out); blank lines and lines
/// starting with `#` are skipped.
pub(crate) fn rows(text: &str) -> impl Iterator<Item = Row<'_>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(index, line)| {
            let columns: Vec<&str> = line.split('\t').collect();
            let list = |i: usize| -> Vec<&str> {
                columns.get(i).map_or_else(Vec::new, |c| {
                    c.split('|')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect()
                })
            };
            Row {
                line: index + 1,
                id: columns.first().map_or("", |c| c.trim()),
                kind: columns.get(1).map(|c| c.trim()),
                names: list(2),
                codes: list(3),
                weak: list(4),
            }
        })
}

/// Does a name start in a script other than Latin (Greek, Cyrillic, Arabic, Indic, Chinese,
/// Japanese, Korean…)? Its exact-view words then start with a letter that is not ASCII: the
/// analysis lower-cases these scripts and folds only Latin letters to ASCII.
pub(crate) fn other_script(name: &str) -> bool {
    name.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| {
        matches!(c,
            '\u{0370}'..='\u{03FF}' // Greek
            | '\u{0400}'..='\u{052F}' // Cyrillic
            | '\u{0530}'..='\u{08FF}' // Armenian, Hebrew, Arabic, Syriac, Thaana…
            | '\u{0900}'..='\u{0FFF}' // Indic scripts, Thai, Lao, Tibetan
            | '\u{10A0}'..='\u{10FF}' // Georgian
            | '\u{1100}'..='\u{11FF}' // Hangul jamo
            | '\u{1200}'..='\u{139F}' // Ethiopic
            | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
            | '\u{3400}'..='\u{4DBF}' // CJK extension A
            | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
            | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
        )
    })
}

/// The longest word the analysis indexes, in bytes (`crate::analysis::MAX_TOKEN_BYTES`, which a
/// test holds this to): longer words are not part of a key.
pub(crate) const MAX_TOKEN_BYTES: usize = 64;

/// What is wrong with a row, if anything: its kind must be `country`, `org` or `place`, and it
/// needs an id and a name or a code.
pub(crate) fn check(row: &Row<'_>) -> Result<(), String> {
    match row.kind {
        Some("country" | "org" | "place") => {}
        other => {
            return Err(format!(
                "kind must be country, org or place, not {:?}",
                other.unwrap_or("")
            ));
        }
    }
    if row.id.is_empty() {
        return Err("a group needs an id".into());
    }
    if row.names.is_empty() && row.codes.is_empty() {
        return Err(format!("group {} has no name and no code", row.id));
    }
    Ok(())
}

/// The exact-view key of a name written in ASCII letters, digits and spaces (most names): its
/// words lower-cased, joined by single spaces (UAX#29 keeps letters and digits together, and
/// the analysis folds nothing else in them). `None` for any other name, whose key needs the
/// analyzer. `crate::domain::aliases` tests it against the analyzer.
pub(crate) fn ascii_key(text: &str) -> Option<String> {
    if !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ') {
        if word.is_empty() || word.len() > MAX_TOKEN_BYTES {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    }
    Some(out)
}
