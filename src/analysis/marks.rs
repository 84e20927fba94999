//! Quotation marks: the one table of which marks open and close a quotation, shared by the
//! quotation finder, the passage splitter and the query lexer.

/// The straight double quote, which both opens and closes.
pub(crate) const STRAIGHT: char = '"';

/// Typographic marks that open a quotation: `“` (English), `„` (German), `«` (French).
pub(crate) const OPENING: &[char] = &['“', '„', '«'];

/// Typographic marks that close a quotation: `”` (English), `»` (French), and `“`, which
/// closes a German `„…“`.
pub(crate) const CLOSING: &[char] = &['”', '»', '“'];

/// Does `c` open a quotation (a typographic opening mark; not the straight quote)?
pub(crate) fn opens(c: char) -> bool {
    OPENING.contains(&c)
}

/// Does `c` close a quotation (a typographic closing mark; not the straight quote)?
pub(crate) fn closes(c: char) -> bool {
    CLOSING.contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_german_and_french_marks() {
        for (open, close) in [('“', '”'), ('„', '“'), ('«', '»')] {
            assert!(opens(open) && closes(close), "{open}…{close}");
        }
        // Apostrophes and single marks are not quotation marks; the straight quote is apart.
        for c in ['’', '‘', '\'', STRAIGHT, 'a'] {
            assert!(!opens(c) && !closes(c), "{c}");
        }
    }
}
