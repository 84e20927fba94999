//! Chinese word segmentation: the `jieba` dictionary segmenter as a tantivy tokenizer, with
//! byte offsets that the highlighter uses like any other, and a dictionary compiled into the
//! executable so that a search from the shell does not build the whole of it.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_fst::raw::{Fst, Output};

/// The sum of the dictionary's frequencies (`TOTAL`), written by `build.rs`.
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/chinese_dictionary.rs"));
}

/// jieba's dictionary (`data/jieba-dict.txt`), compiled by `build.rs` into an fst map from each
/// word to its frequency, as the executable holds it: opening it reads nothing.
fn dictionary() -> &'static Fst<&'static [u8]> {
    static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/chinese_dictionary.fst"));
    static DICTIONARY: OnceLock<Fst<&'static [u8]>> = OnceLock::new();
    DICTIONARY.get_or_init(|| Fst::new(BYTES).expect("build.rs writes a well-formed fst"))
}

/// A word that jieba never looks up: it looks words up only inside runs of Han letters, ASCII
/// letters, digits and `+#&._%-`, and this is none of them. A segmenter with only some of the
/// dictionary's words holds it with the others' frequencies, so that its sum of frequencies,
/// which every word's probability is divided by, is the whole dictionary's.
const ABSENT: &str = "\u{0}";

/// The segmenter with the whole dictionary, built once on first need (about 100 ms).
static WHOLE: OnceLock<Jieba> = OnceLock::new();

/// [`WHOLE`], built now if it is not yet.
fn whole() -> &'static Jieba {
    WHOLE.get_or_init(|| {
        let mut jieba = Jieba::empty();
        let mut held = 0;
        let mut words = dictionary().stream();
        while let Some((word, frequency)) = tantivy_fst::Streamer::next(&mut words) {
            let word = std::str::from_utf8(word).expect("data/jieba-dict.txt is UTF-8");
            held += jieba.add_word(word, Some(frequency.value() as usize), None);
        }
        complete(&mut jieba, held);
        jieba
    })
}

/// A segmenter with only the dictionary's words that `text` holds, which cuts `text` exactly
/// as the whole dictionary does: jieba reads a text's words, their frequencies and the sum of
/// all frequencies, nothing else of the dictionary. Its cost grows with the text (the
/// dictionary is walked from each of its characters, as far as a word of it goes), not with
/// the dictionary. (What [`with_segmenter`] does in two steps, for the tests.)
#[cfg(test)]
fn of_words_in(text: &str) -> Jieba {
    segmenter_of(words_in(text))
}

/// The dictionary's words that `text` holds, each once, with their frequencies.
fn words_in(text: &str) -> Vec<(&str, usize)> {
    let dictionary = dictionary();
    let bytes = text.as_bytes();
    let mut words: Vec<(&str, usize)> = Vec::new();
    let mut added = HashSet::new();
    for (start, _) in text.char_indices() {
        let mut node = dictionary.root();
        let mut output = Output::zero();
        for (end, &byte) in bytes.iter().enumerate().skip(start) {
            let Some(i) = node.find_input(byte) else {
                break;
            };
            let transition = node.transition(i);
            output = output.cat(transition.out);
            node = dictionary.node(transition.addr);
            if node.is_final() && text.is_char_boundary(end + 1) {
                let word = &text[start..=end];
                if added.insert(word) {
                    words.push((word, output.cat(node.final_output()).value() as usize));
                }
            }
        }
    }
    words
}

/// A segmenter with only `words` (and the dictionary's total frequency).
fn segmenter_of(words: Vec<(&str, usize)>) -> Jieba {
    let mut jieba = Jieba::empty();
    let mut held = 0;
    for (word, frequency) in words {
        held += jieba.add_word(word, Some(frequency), None);
    }
    complete(&mut jieba, held);
    jieba
}

/// The segmenter of a text that holds no word of the dictionary (a title in Latin letters, a
/// number): it cuts every such text alike, so one serves them all.
fn of_no_words() -> &'static Jieba {
    static NONE: OnceLock<Jieba> = OnceLock::new();
    NONE.get_or_init(|| segmenter_of(Vec::new()))
}

/// Brings the sum of `jieba`'s frequencies, `held` so far, to the whole dictionary's.
fn complete(jieba: &mut Jieba, held: usize) {
    if let Some(rest) = compiled::TOTAL.checked_sub(held).filter(|&rest| rest > 0) {
        jieba.add_word(ABSENT, Some(rest), None);
    }
}

/// How many bytes of text a process cuts with segmenters of their own words before it builds
/// the whole dictionary: a search from the shell cuts its query and the passages it shows
/// (a few kilobytes), an indexer or a long-running service soon passes this and then pays the
/// whole dictionary once. Small segmenters cost about 0.3 µs a byte, the whole dictionary
/// 120 ms to build and then 0.04 µs a byte (the Universal Declaration in Chinese, 12 kB):
/// cutting this much with small ones costs about 70 ms, so a process pays at most about
/// twice the least it could have. Each small segmenter also costs a fixed part (an empty
/// segmenter's tables, about 0.5 MiB to clear), counted as [`SMALL_SEGMENTER_BYTES`].
const SMALL_SEGMENTERS_BUDGET: usize = 256 * 1024;

/// The least a small segmenter counts against [`SMALL_SEGMENTERS_BUDGET`], for its fixed part:
/// at most 256 of them before the whole dictionary is built.
const SMALL_SEGMENTER_BYTES: usize = 1024;

/// Cuts `text` with the whole dictionary once it is built or once the process has cut
/// [`SMALL_SEGMENTERS_BUDGET`] bytes; until then with a segmenter of the text's own words
/// (one shared by the texts that hold none). All cut every text alike.
fn with_segmenter<R>(text: &str, cut: impl FnOnce(&Jieba) -> R) -> R {
    static SMALL_BYTES: AtomicUsize = AtomicUsize::new(0);
    if let Some(jieba) = WHOLE.get() {
        return cut(jieba);
    }
    let words = words_in(text);
    if words.is_empty() {
        return cut(of_no_words());
    }
    let cost = text.len().max(SMALL_SEGMENTER_BYTES);
    if SMALL_BYTES.fetch_add(cost, Ordering::Relaxed) + cost <= SMALL_SEGMENTERS_BUDGET {
        return cut(&segmenter_of(words));
    }
    cut(whole())
}

/// Splits Chinese text into dictionary words, in jieba's search mode: a long word also gives
/// the dictionary words inside it, at the same position (`发表意见` gives `发表`, `意见` and
/// `发表意见`), so that a query for `意见` finds it. Words of other scripts in the text come
/// out whole; punctuation and spaces are not tokens.
#[derive(Clone, Debug, Default)]
pub struct ChineseTokenizer;

/// The stream of [`ChineseTokenizer`] tokens over one text.
pub struct ChineseTokenStream {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        let mut tokens: Vec<Token> = Vec::new();
        let mut position = 0;
        let mut covered = 0;
        let words = with_segmenter(text, |jieba| jieba.cut_for_search(text, true));
        for word in words {
            if !word.word.chars().any(char::is_alphanumeric) {
                continue;
            }
            // A word inside the last one (search mode gives the parts, then the whole) shares
            // its position.
            if word.byte_start >= covered && !tokens.is_empty() {
                position += 1;
            }
            covered = covered.max(word.byte_end);
            tokens.push(Token {
                offset_from: word.byte_start,
                offset_to: word.byte_end,
                position,
                text: word.word.to_string(),
                position_length: 1,
            });
        }
        ChineseTokenStream {
            tokens: tokens.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for ChineseTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.token = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The words of a Chinese query, as the segmenter cuts it (no overlapping parts), without
/// punctuation and stop words.
pub(crate) fn segment(text: &str) -> Vec<String> {
    with_segmenter(text, |jieba| jieba.cut(text, true))
        .into_iter()
        .filter(|w| w.word.chars().any(char::is_alphanumeric) && !STOP_WORDS.contains(&w.word))
        .map(|w| w.word.to_lowercase())
        .collect()
}

/// Function words of Chinese that carry no topic: the particles, conjunctions and pronouns most
/// frequent in documents.
pub const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "于", "其", "之", "这", "那", "就", "都",
    "而", "也", "被", "把", "所", "以", "为", "并", "等", "中", "上", "下", "着", "个", "一个",
    "我们", "他们", "它", "他", "她", "我", "你", "该", "此", "从", "向", "由", "则",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_byte_offsets() {
        let text = "人人有权享有主张和发表意见的自由;UN 2024";
        let mut tokenizer = ChineseTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(&text[token.offset_from..token.offset_to], token.text);
            words.push(token.text.clone());
        }
        assert!(words.contains(&"意见".to_string()), "{words:?}");
        assert!(words.contains(&"自由".to_string()), "{words:?}");
        assert!(words.contains(&"UN".to_string()), "{words:?}");
        assert!(!words.iter().any(|w| w == ";" || w == " "), "{words:?}");
    }

    /// Chinese of the kind the engine holds, written for this test: statements, dates, Latin
    /// names and acronyms, numbers with connectors.
    const STATEMENTS: &[&str] = &[
        "安理会成员国在联合国总部举行紧急会议，讨论朝鲜最近发射弹道导弹的问题。各国代表强调，必须全面执行安全理事会有关决议，通过对话和平解决半岛核问题。",
        "外交部发言人表示，中方愿同各方一道，为维护地区和平稳定发挥建设性作用。",
        "联合国大会第七十九届会议一般性辩论期间，多国领导人呼吁加强多边主义，推动可持续发展目标的实现，应对气候变化、粮食安全和公共卫生等全球性挑战。",
        "G7外长会议于2024年3月15日发表联合声明，谴责对乌克兰的侵略，并宣布新的制裁措施；NATO秘书长出席了记者会。",
        "人人有权享有主张和发表意见的自由；此项权利包括持有主张而不受干涉的自由。",
    ];

    /// The words a segmenter cuts `text` into, with their byte offsets, in both modes.
    fn cuts(jieba: &Jieba, text: &str) -> Vec<(String, usize, usize, bool)> {
        let cut = jieba.cut(text, true).into_iter().map(|w| (w, false));
        let search = jieba
            .cut_for_search(text, true)
            .into_iter()
            .map(|w| (w, true));
        cut.chain(search)
            .map(|(w, search)| (w.word.to_string(), w.byte_start, w.byte_end, search))
            .collect()
    }

    #[test]
    fn a_segmenter_of_the_texts_own_words_cuts_as_the_whole_dictionary() {
        for text in STATEMENTS {
            assert_eq!(
                cuts(&of_words_in(text), text),
                cuts(whole(), text),
                "{text}"
            );
        }
        // All of them at once, and a text with no dictionary word.
        let all = STATEMENTS.concat();
        let small = cuts(&of_words_in(&all), &all);
        assert_eq!(small, cuts(whole(), &all));
        for word in ["弹道导弹", "弹道", "外交部", "安理会", "联合声明"] {
            assert!(small.iter().any(|(w, ..)| w == word), "{word}: {small:?}");
        }
        assert_eq!(
            cuts(&of_words_in("UN 2024"), "UN 2024"),
            cuts(whole(), "UN 2024")
        );
        assert!(words_in("UN 2024").is_empty());
        assert_eq!(cuts(of_no_words(), "UN 2024"), cuts(whole(), "UN 2024"));
    }

    #[test]
    fn the_compiled_dictionary_holds_jiebas_words_and_frequencies() {
        let jieba = whole();
        assert!(jieba.has_word("安理会") && jieba.has_word("我们"));
        assert!(!jieba.has_word("安理会我们"));
        let dictionary = dictionary();
        assert_eq!(dictionary.len(), 349_045);
        // `data/jieba-dict.txt` line `中华人民共和国 9989 ns`.
        assert_eq!(
            dictionary.get("中华人民共和国").map(Output::value),
            Some(9_989)
        );
        let mut words = dictionary.stream();
        let mut sum = 0;
        while let Some((_, frequency)) = tantivy_fst::Streamer::next(&mut words) {
            sum += frequency.value() as usize;
        }
        assert_eq!(sum, compiled::TOTAL);
    }

    /// The whole Universal Declaration in simplified and traditional Chinese, as its pages are
    /// written (markup included: any text is cut alike).
    #[test]
    #[ignore = "reads ../shared/data/udhr (or $COMMUNIQUE_SHARED)"]
    fn segmenters_of_own_words_cut_the_udhr_as_the_whole_dictionary() {
        let shared = std::env::var_os("COMMUNIQUE_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let folder = shared.join("data/udhr/declaration");
        for page in ["cmn_hans.html", "cmn_hant.html"] {
            let path = folder.join(page);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (../shared or COMMUNIQUE_SHARED)", path.display())
            });
            let mut words = 0;
            for paragraph in text.split("</p>") {
                let small = cuts(&of_words_in(paragraph), paragraph);
                assert_eq!(small, cuts(whole(), paragraph), "{page}: {paragraph}");
                words += small.len();
            }
            assert!(words > 2_000, "{page}: {words} words");
        }
    }
}
