//! Arbitrary (query, passage text) pairs, split at the first NUL byte: every highlight that
//! search returns, and every highlight of an excerpt, must be a non-empty, sorted,
//! non-overlapping byte range on char boundaries inside its text.
#![no_main]

use std::ops::Range;

use communique::{Article, Index, Query, SearchOptions};
use libfuzzer_sys::fuzz_target;

fn check(what: &str, text: &str, highlights: &[Range<usize>]) {
    let mut prev_end = 0usize;
    for (i, h) in highlights.iter().enumerate() {
        assert!(h.start < h.end, "{what}: highlight {i} {h:?} empty or reversed in {text:?}");
        assert!(h.end <= text.len(), "{what}: highlight {i} {h:?} past the text ({}) {text:?}", text.len());
        assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end),
            "{what}: highlight {i} {h:?} not on char boundaries in {text:?}");
        assert!(i == 0 || h.start >= prev_end,
            "{what}: highlight {i} {h:?} unsorted or overlapping (previous end {prev_end}) in {text:?}");
        prev_end = h.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(nul) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(query), Ok(text)) = (std::str::from_utf8(&data[..nul]), std::str::from_utf8(&data[nul + 1..])) else {
        return;
    };
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    let Ok(query) = Query::parse(query) else {
        return;
    };
    let index = Index::in_memory().expect("in-memory index");
    {
        let mut writer = index.writer().expect("writer");
        // Errors are not findings; panics are.
        if writer.add(&Article::new("fuzz", text)).is_err() || writer.commit().is_err() {
            return;
        }
    }
    let Ok(hits) = index.search(&query, &SearchOptions::new()) else {
        return;
    };
    for hit in &hits {
        for passage in &hit.passages {
            // `start..end` is documented as the passage's byte range in the article body.
            assert_eq!(
                text.get(passage.start..passage.end),
                Some(passage.text.as_str()),
                "passage {}..{} is not the body's text there",
                passage.start,
                passage.end
            );
            check("passage", &passage.text, &passage.highlights);
            for n in [1, 20, 200] {
                let excerpt = passage.excerpt(n);
                check(&format!("excerpt({n})"), &excerpt.text, &excerpt.highlights);
            }
        }
    }
});
