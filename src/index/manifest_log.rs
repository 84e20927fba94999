//! The manifest as an append-only log in a compact binary encoding.
//!
//! A log file (`communique-manifest-<opstamp>.log`) starts with [`MAGIC`], then one record of
//! the whole manifest, then one record per commit that changed it (a [`Delta`]). Each record is
//! its length (u32, little-endian), the first four bytes of the blake3 hash of its body, and
//! the body: a kind byte, then the content (varint-prefixed strings, 64-hex-digit hashes as
//! their 32 bytes). A file entry put by a delta is encoded against the entry it replaces when
//! the commit has it: the articles kept at the front and at the back, and those in between,
//! so one line added to a JSON Lines file of 10,000 articles costs a few dozen bytes.
//!
//! The commit payload names the log and its length at that commit: a reader reads that many
//! bytes and ignores anything after them (a commit that crashed after its append), and the
//! next commit cuts them off before it appends. Once the records after the whole manifest
//! weigh more than [`COMPACT_FRACTION`] of it, a commit writes a new log of the whole
//! manifest alone (compaction).

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use super::manifest::{ArticleEntry, Delta, FileEntry, Manifest};
use crate::{Error, Result};

/// Every log file starts with these bytes (the last one is the format's version).
pub(crate) const MAGIC: &[u8; 8] = b"CMQMLOG\x01";
/// A commit compacts the log once its deltas weigh more than the whole manifest over this.
pub(crate) const COMPACT_FRACTION: u64 = 2;
/// ...and at least this many bytes (a small manifest is cheap to write whole).
const COMPACT_MIN: u64 = 64 * 1024;
/// Record kinds.
const WHOLE: u8 = 1;
const DELTA: u8 = 2;
/// Bytes before a record's body: its length and its checksum.
const FRAME: usize = 8;

/// A bad log: what is wrong, and where (a byte offset).
#[derive(Debug)]
pub(crate) struct Bad(pub String);

type Decoded<T> = std::result::Result<T, Bad>;

/// Whether a log whose whole manifest takes `base` bytes and whose records end at `len` is
/// due for compaction.
pub(crate) fn due(base: u64, len: u64) -> bool {
    let tail = len.saturating_sub(base + MAGIC.len() as u64);
    tail >= COMPACT_MIN && tail > base / COMPACT_FRACTION
}

/// A new log holding `manifest` whole: its bytes and the length of its whole record.
pub(crate) fn whole(manifest: &Manifest) -> (Vec<u8>, u64) {
    let mut body = vec![WHOLE];
    put_manifest(&mut body, manifest);
    let mut bytes = MAGIC.to_vec();
    frame(&mut bytes, &body);
    let base = (bytes.len() - MAGIC.len()) as u64;
    (bytes, base)
}

/// The record of `delta`, its file entries encoded against those of `old` when given.
pub(crate) fn delta_record(delta: &Delta, old: Option<&Manifest>) -> Vec<u8> {
    let mut body = vec![DELTA];
    varint(&mut body, delta.put.len() as u64);
    for (path, entry) in &delta.put {
        string(&mut body, path);
        put_entry(&mut body, entry, old.and_then(|m| m.files.get(path)));
    }
    strings(&mut body, &delta.removed);
    strings(&mut body, &delta.invalidated);
    let mut bytes = Vec::with_capacity(body.len() + FRAME);
    frame(&mut bytes, &body);
    bytes
}

/// Appends `record` to the log at `path` after its first `len` bytes (cutting off what a
/// crashed commit left after them), and makes it durable. Returns the new length.
pub(crate) fn append(path: &Path, len: u64, record: &[u8]) -> Result<u64> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.set_len(len).map_err(|e| Error::io(path, e))?;
    file.seek(SeekFrom::Start(len))
        .map_err(|e| Error::io(path, e))?;
    file.write_all(record).map_err(|e| Error::io(path, e))?;
    file.sync_data().map_err(|e| Error::io(path, e))?;
    Ok(len + record.len() as u64)
}

/// Reads the manifest from the first `len` bytes of a log (`bytes` may run on).
pub(crate) fn read(bytes: &[u8], len: u64) -> Decoded<Manifest> {
    let Some(bytes) = bytes.get(..len as usize) else {
        return Err(Bad(format!(
            "is truncated: {} bytes, the commit recorded {len}",
            bytes.len()
        )));
    };
    if !bytes.starts_with(MAGIC) {
        return Err(Bad("does not start as a communique manifest log".into()));
    }
    let mut at = MAGIC.len();
    let mut manifest = None;
    while at < bytes.len() {
        let (body, next) = unframe(bytes, at)?;
        let mut reader = Reader { bytes: body, at: 0 };
        let result = match (reader.byte()?, manifest.as_mut()) {
            (WHOLE, None) => reader.manifest().map(|m| manifest = Some(m)),
            (DELTA, Some(current)) => reader.delta(current).map(|d| d.apply(current)),
            (kind, _) => Err(Bad(format!("unexpected record of kind {kind}"))),
        };
        result.map_err(|Bad(e)| Bad(format!("has a bad record at byte {at}: {e}")))?;
        at = next;
    }
    manifest.ok_or_else(|| Bad("holds no manifest".into()))
}

/// The body of the record at `at`, and where the next starts.
fn unframe(bytes: &[u8], at: usize) -> Decoded<(&[u8], usize)> {
    let head = bytes
        .get(at..at + FRAME)
        .ok_or_else(|| Bad(format!("is truncated inside the record at byte {at}")))?;
    let len = u32::from_le_bytes(head[..4].try_into().expect("4 bytes")) as usize;
    let body = bytes
        .get(at + FRAME..at + FRAME + len)
        .ok_or_else(|| Bad(format!("is truncated inside the record at byte {at}")))?;
    if blake3::hash(body).as_bytes()[..4] != head[4..] {
        return Err(Bad(format!("has a damaged record at byte {at}")));
    }
    Ok((body, at + FRAME + len))
}

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&blake3::hash(body).as_bytes()[..4]);
    out.extend_from_slice(body);
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn string(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn strings(out: &mut Vec<u8>, list: &[String]) {
    varint(out, list.len() as u64);
    for s in list {
        string(out, s);
    }
}

/// A hash: 64 lowercase hex digits as their 32 bytes (tag 1), anything else as a string.
fn hash(out: &mut Vec<u8>, hash: &str) {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut raw = [0u8; 32];
    let hex = hash.len() == 64
        && hash
            .as_bytes()
            .chunks_exact(2)
            .zip(&mut raw)
            .all(|(pair, byte)| match (nibble(pair[0]), nibble(pair[1])) {
                (Some(high), Some(low)) => {
                    *byte = (high << 4) | low;
                    true
                }
                _ => false,
            });
    if hex {
        out.push(1);
        out.extend_from_slice(&raw);
    } else {
        out.push(0);
        string(out, hash);
    }
}

fn article(out: &mut Vec<u8>, article: &ArticleEntry) {
    string(out, &article.id);
    hash(out, &article.hash);
}

/// A file entry: whole (tag 0), or against `old` (tag 1): the articles kept at its front and
/// back, and the new ones in between.
fn put_entry(out: &mut Vec<u8>, entry: &FileEntry, old: Option<&FileEntry>) {
    let (front, back) = old.map_or((0, 0), |old| common_ends(&old.articles, &entry.articles));
    out.push(u8::from(old.is_some()));
    varint(out, entry.size);
    match entry.mtime {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.to_le_bytes());
        }
    }
    hash(out, &entry.hash);
    if old.is_some() {
        varint(out, front as u64);
        varint(out, back as u64);
    }
    let middle = &entry.articles[front..entry.articles.len() - back];
    varint(out, middle.len() as u64);
    for a in middle {
        article(out, a);
    }
}

/// How many articles `old` and `new` share at the front, and then at the back.
fn common_ends(old: &[ArticleEntry], new: &[ArticleEntry]) -> (usize, usize) {
    let front = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let back = old[front..]
        .iter()
        .rev()
        .zip(new[front..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (front, back)
}

fn put_manifest(out: &mut Vec<u8>, manifest: &Manifest) {
    varint(out, manifest.files.len() as u64);
    for (path, entry) in &manifest.files {
        string(out, path);
        put_entry(out, entry, None);
    }
}

/// Reads a record's body.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Decoded<&[u8]> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or_else(|| Bad("it ends early".into()))?;
        self.at += n;
        Ok(slice)
    }

    fn byte(&mut self) -> Decoded<u8> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Decoded<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(Bad("a number runs on".into()))
    }

    /// A count, no larger than the bytes left could hold.
    fn count(&mut self) -> Decoded<usize> {
        let n = self.varint()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(Bad(format!("a count of {n} runs past the record")));
        }
        Ok(n)
    }

    fn string(&mut self) -> Decoded<String> {
        let n = self.count()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| Bad("a name is not UTF-8".into()))
    }

    fn strings(&mut self) -> Decoded<Vec<String>> {
        (0..self.count()?).map(|_| self.string()).collect()
    }

    fn hash(&mut self) -> Decoded<String> {
        match self.byte()? {
            0 => self.string(),
            1 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let raw = self.take(32)?;
                let mut digits = vec![0u8; 64];
                for (pair, b) in digits.chunks_exact_mut(2).zip(raw) {
                    pair[0] = HEX[(b >> 4) as usize];
                    pair[1] = HEX[(b & 15) as usize];
                }
                String::from_utf8(digits).map_err(|_| Bad("a hash is not hex".into()))
            }
            tag => Err(Bad(format!("unknown hash tag {tag}"))),
        }
    }

    fn article(&mut self) -> Decoded<ArticleEntry> {
        Ok(ArticleEntry {
            id: self.string()?,
            hash: self.hash()?,
        })
    }

    /// A file entry; one encoded against the entry it replaces takes it from `old`.
    fn entry(&mut self, old: Option<&FileEntry>) -> Decoded<FileEntry> {
        let against = self.byte()? == 1;
        let size = self.varint()?;
        let mtime = match self.byte()? {
            0 => None,
            _ => Some(i128::from_le_bytes(
                self.take(16)?.try_into().expect("16 bytes"),
            )),
        };
        let hash = self.hash()?;
        let (front, back) = if against {
            (self.varint()? as usize, self.varint()? as usize)
        } else {
            (0, 0)
        };
        let old_articles = match (against, old) {
            (false, _) => &[][..],
            (true, Some(old)) => &old.articles[..],
            (true, None) => return Err(Bad("an entry changes a file not recorded".into())),
        };
        if front + back > old_articles.len() {
            return Err(Bad("an entry keeps more articles than its file had".into()));
        }
        let mut articles = old_articles[..front].to_vec();
        for _ in 0..self.count()? {
            articles.push(self.article()?);
        }
        articles.extend_from_slice(&old_articles[old_articles.len() - back..]);
        Ok(FileEntry {
            size,
            mtime,
            hash,
            articles,
        })
    }

    fn manifest(&mut self) -> Decoded<Manifest> {
        let mut manifest = Manifest::default();
        for _ in 0..self.count()? {
            let path = self.string()?;
            let entry = self.entry(None)?;
            manifest.files.insert(path, entry);
        }
        Ok(manifest)
    }

    /// A delta, its entries read against `current` (the manifest before it).
    fn delta(&mut self, current: &Manifest) -> Decoded<Delta> {
        let mut delta = Delta::default();
        for _ in 0..self.count()? {
            let path = self.string()?;
            let entry = self.entry(current.files.get(&path))?;
            delta.put.insert(path, entry);
        }
        delta.removed = self.strings()?;
        delta.invalidated = self.strings()?;
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ids: &[&str], hash: &str) -> FileEntry {
        FileEntry {
            size: 120,
            mtime: Some(1_733_000_000_123_456_789),
            hash: hash.into(),
            articles: ids
                .iter()
                .map(|id| ArticleEntry {
                    id: id.to_string(),
                    hash: blake3::hash(id.as_bytes()).to_hex().to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_log_of_a_whole_manifest_and_deltas_reads_back_as_applied() {
        let mut manifest = Manifest::default();
        let many: Vec<String> = (0..1000).map(|i| format!("cable-{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        manifest
            .files
            .insert("cables.jsonl".into(), entry(&many, &"ab".repeat(32)));
        manifest
            .files
            .insert("kursk.md".into(), entry(&["kursk"], "not hex"));
        let (mut log, base) = whole(&manifest);
        assert_eq!(read(&log, log.len() as u64).unwrap(), manifest);
        // One line appended to the JSON Lines file, one file gone, one article invalidated.
        let mut longer = many.clone();
        longer.insert(500, "cable-new");
        let delta = Delta {
            put: [("cables.jsonl".to_string(), entry(&longer, &"cd".repeat(32)))].into(),
            removed: vec!["kursk.md".into()],
            invalidated: vec![],
        };
        let record = delta_record(&delta, Some(&manifest));
        assert!(
            record.len() < 200,
            "encoded against the old entry: {}",
            record.len()
        );
        log.extend_from_slice(&record);
        let mut expected = manifest.clone();
        delta.apply(&mut expected);
        assert_eq!(read(&log, log.len() as u64).unwrap(), expected);
        assert_eq!(expected.files["cables.jsonl"].articles.len(), 1001);
        // Bytes after the recorded length (a crashed commit) are not read.
        let committed = log.len() as u64;
        log.extend_from_slice(b"\x05\x00\x00\x00junk");
        assert_eq!(read(&log, committed).unwrap(), expected);
        assert!(!due(base, committed));
    }

    #[test]
    fn a_truncated_or_damaged_log_says_so() {
        let mut manifest = Manifest::default();
        manifest
            .files
            .insert("kursk.md".into(), entry(&["kursk"], "h"));
        let (log, _) = whole(&manifest);
        let len = log.len() as u64;
        let Bad(short) = read(&log[..log.len() - 3], len).unwrap_err();
        assert!(short.contains("truncated"), "{short}");
        let Bad(cut) = read(&log[..log.len() - 3], len - 3).unwrap_err();
        assert!(
            cut.contains("truncated inside the record at byte 8"),
            "{cut}"
        );
        let mut damaged = log.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        let Bad(bad) = read(&damaged, len).unwrap_err();
        assert!(bad.contains("damaged record at byte 8"), "{bad}");
        let Bad(other) = read(b"{\"files\":{}}", 12).unwrap_err();
        assert!(other.contains("does not start"), "{other}");
    }
}
