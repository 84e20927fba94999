//! Near-duplicates: syndicated copies of one statement, found by sampled shingles.
//!
//! An article's *fingerprints* are the hashes of its five-word shingles (exact view: folded,
//! lower case, every word kept) that fall in a fixed 1-in-16 sample of the hash space. The
//! sample is the same for every text, so two texts that share a passage share its sampled
//! fingerprints (Broder's mod-*m* sampling): the share of the shorter text's fingerprints found
//! in the longer estimates *containment*, which catches a statement quoted whole inside a
//! longer report as well as a copy with a new headline or a changed dateline.

use std::hash::Hasher;

use crate::analysis::Analyzer;

/// Words per shingle.
pub(crate) const SHINGLE_WORDS: usize = 5;
/// One shingle in this many is a fingerprint.
pub(crate) const SAMPLE: u64 = 16;
/// A text with fewer fingerprints (about 130 words) is never called a duplicate: too little
/// evidence.
pub(crate) const MIN_FINGERPRINTS: usize = 8;
/// Two texts are near-duplicates when this share of the smaller one's fingerprints is in the
/// other.
pub(crate) const MIN_CONTAINMENT: f64 = 0.8;
/// A fingerprint that this many articles share is boilerplate (a press office's footer), not
/// evidence: it is ignored when looking for duplicates.
pub(crate) const MAX_SHARED: usize = 256;

/// The sampled shingle fingerprints of `text`, sorted, without repeats.
///
/// A fingerprint is the high 32 bits of a sampled shingle's 64-bit hash: the index keeps one
/// term a fingerprint, and 32-bit values sort densely enough for its term dictionary to share
/// half of each key with the one before (at 20,000 generated articles the fingerprints'
/// dictionary takes 3.9 MB instead of 6.9 with whole 64-bit hashes, and the clusters found are
/// the same). Two shingles that collide in 32 bits only add one fingerprint in common between
/// two unrelated texts, far from the containment of 0.8 that makes a copy.
///
/// ```
/// use communique::analysis::Analyzer;
/// use communique::domain::fingerprints;
///
/// let mut analyzer = Analyzer::new();
/// let statement = "The ministers condemned the deployment of troops to the Kursk region and \
///     called on all states to respect the resolutions of the Security Council in full.";
/// let copy = format!("WASHINGTON, Dec 16 (Wire) - {statement} Nothing else was said.");
/// let a = fingerprints(&mut analyzer, statement);
/// let b = fingerprints(&mut analyzer, &copy);
/// assert!(a.iter().all(|f| b.contains(f)));
/// ```
pub fn fingerprints(analyzer: &mut Analyzer, text: &str) -> Vec<u64> {
    fingerprints_of(&analyzer.exact(text))
}

/// [`fingerprints`] of a text's exact-view tokens, already analysed.
pub(crate) fn fingerprints_of(tokens: &[crate::analysis::AnalyzedToken]) -> Vec<u64> {
    let mut out: Vec<u64> = tokens
        .windows(SHINGLE_WORDS)
        .filter_map(|window| {
            let mut hasher = fnv::FnvHasher::default();
            for token in window {
                hasher.write(token.text.as_bytes());
                hasher.write_u8(0);
            }
            let hash = mix(hasher.finish());
            hash.is_multiple_of(SAMPLE).then_some(hash >> 32)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The cluster key of an article that duplicates no other: a hash of its id.
pub(crate) fn own_key(id: &str) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(id.as_bytes());
    mix(hasher.finish())
}

/// Whether two texts with `a` and `b` fingerprints, `shared` of them in common, are
/// near-duplicates.
pub(crate) fn near_duplicates(a: usize, b: usize, shared: usize) -> bool {
    let smaller = a.min(b);
    smaller >= MIN_FINGERPRINTS && shared as f64 >= MIN_CONTAINMENT * smaller as f64
}

/// A finaliser that spreads FNV's bits (its low bits are weak for sampling).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATEMENT: &str = "We, the foreign ministers of the countries listed below, condemn \
        in the strongest terms the deployment of troops to the Kursk region. The transfer of \
        ballistic missiles and munitions violates several resolutions of the Security Council. \
        We call on all states to stop such transfers and to respect the resolutions in full, \
        and we will continue to support the people of the country under attack for as long as \
        it takes. We also welcome the work of the panel and the monitoring team on this matter.";

    #[test]
    fn copies_and_quotations_share_fingerprints_others_do_not() {
        let mut analyzer = Analyzer::new();
        let a = fingerprints(&mut analyzer, STATEMENT);
        assert!(a.len() >= MIN_FINGERPRINTS, "{} fingerprints", a.len());
        assert!(a.iter().all(|&f| f <= u64::from(u32::MAX)), "{a:?}");
        let shared = |b: &[u64]| a.iter().filter(|f| b.binary_search(f).is_ok()).count();

        // A copy with another dateline and typographic changes.
        let copy = format!("BRUSSELS — {}", STATEMENT.replace("We,", "“We,"));
        let b = fingerprints(&mut analyzer, &copy);
        assert!(near_duplicates(a.len(), b.len(), shared(&b)));

        // Quoted whole inside a report three times as long.
        let report = format!(
            "{} The statement read: {STATEMENT} {}",
            "Officials met in the capital on Monday to discuss the situation at the border. "
                .repeat(6),
            "Analysts said the text broke little new ground but showed unity among the allies. "
                .repeat(6)
        );
        let c = fingerprints(&mut analyzer, &report);
        assert!(near_duplicates(a.len(), c.len(), shared(&c)));

        // Another statement on the same subject, in other words.
        let other = "The ministers discussed troops, missiles and the Kursk region at length, \
            and said that the Security Council must act. They agreed to meet again next month \
            to review the resolutions and to hear from the panel of experts on the transfers. \
            No statement was adopted, and several delegations asked for more time to consult \
            their capitals before taking a position on the draft text circulated on Friday.";
        let d = fingerprints(&mut analyzer, other);
        assert!(!near_duplicates(a.len(), d.len(), shared(&d)));
    }

    #[test]
    fn short_texts_are_never_duplicates() {
        let mut analyzer = Analyzer::new();
        let a = fingerprints(&mut analyzer, "The Council met on Monday.");
        assert!(a.len() < MIN_FINGERPRINTS);
        assert!(!near_duplicates(a.len(), a.len(), a.len()));
    }
}
