//! Token filters of our own: apostrophes and invisible characters, the normalisation that
//! Arabic and Russian readers expect, French elisions, and a stemmer with a cache; and the
//! Arabic root of a light stem, which the query side reads for a word's family.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Treats typographic apostrophes like ASCII ones (`d’Ivoire` becomes `d'Ivoire`) and drops
/// invisible format characters from words: soft hyphens, zero-width spaces and joiners,
/// direction marks and overrides, so `secu\u{ad}rity` is `security`.
///
/// (English possessives are left out of tokens by [`crate::analysis::WordTokenizer`].)
#[derive(Clone, Copy, Debug, Default)]
pub struct PossessiveFilter;

/// The apostrophe look-alikes that mean an apostrophe inside a word.
const APOSTROPHES: [char; 4] = ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}'];

/// Invisible format characters (Unicode category Cf) that may sit inside a word.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// Rewrites `text` in place: apostrophe look-alikes become `'`, invisible characters go.
pub(crate) fn normalize_apostrophes(text: &mut String) {
    if text.is_ascii() {
        return;
    }
    if text.contains(APOSTROPHES) {
        *text = text.replace(APOSTROPHES, "'");
    }
    if text.contains(is_invisible) {
        text.retain(|c| !is_invisible(c));
    }
}

impl TokenFilter for PossessiveFilter {
    type Tokenizer<T: Tokenizer> = PossessiveFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PossessiveFilterWrapper<T> {
        PossessiveFilterWrapper { inner: tokenizer }
    }
}

/// [`PossessiveFilter`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct PossessiveFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PossessiveFilterWrapper<T> {
    type TokenStream<'a> = PossessiveFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PossessiveFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The stream of [`PossessiveFilter`].
pub struct PossessiveFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for PossessiveFilterStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        normalize_apostrophes(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_apostrophes;

    fn norm(word: &str) -> String {
        let mut text = word.to_string();
        normalize_apostrophes(&mut text);
        text
    }

    #[test]
    fn apostrophes() {
        assert_eq!(norm("d’ivoire"), "d'ivoire");
        assert_eq!(norm("o‘clock"), "o'clock");
        assert_eq!(norm("plain"), "plain");
        assert_eq!(norm("secu\u{ad}rity"), "security");
        assert_eq!(norm("\u{202e}kursk\u{202c}"), "kursk");
    }
}

/// A Snowball stemmer (English, Porter 2, unless built with [`CachedStemmer::new`]),
/// remembering the stems it has computed.
///
/// Words repeat a great deal, and stemming is the costliest step of analysis: a cache of the
/// most recent words (cleared when it reaches [`CachedStemmer::CAPACITY`] entries) makes it
/// several times faster. Each clone (tantivy clones analyzers per indexing thread) has its own
/// cache, so there is no lock.
#[derive(Clone)]
pub struct CachedStemmer {
    cache: fnv::FnvHashMap<String, String>,
    algorithm: frostem::Algorithm,
    settle: bool,
}

impl Default for CachedStemmer {
    fn default() -> Self {
        CachedStemmer::new(frostem::Algorithm::English)
    }
}

impl std::fmt::Debug for CachedStemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStemmer")
            .field("cached", &self.cache.len())
            .finish()
    }
}

impl CachedStemmer {
    /// The most stems kept before the cache is cleared.
    pub const CAPACITY: usize = 200_000;

    /// A cached stemmer for one of frostem's Snowball algorithms.
    pub fn new(algorithm: frostem::Algorithm) -> CachedStemmer {
        CachedStemmer {
            cache: fnv::FnvHashMap::default(),
            algorithm,
            settle: false,
        }
    }

    /// A cached stemmer that stems its own stems until they no longer change (at most
    /// [`CachedStemmer::SETTLE_ROUNDS`] times).
    ///
    /// Snowball's stemmers are not idempotent: Spanish makes `propiedad` of `propiedades`
    /// but `propied` of `propiedad` (it reads the final `-ad` as a verb ending only when it
    /// ends the word), so the plural and the singular would never meet. Stemming again until
    /// the stem settles sends both to `propi` (`propiedad`, `propied`, `propi`).
    ///
    /// ```
    /// use communique::analysis::CachedStemmer;
    /// use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream};
    /// let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
    ///     .filter(CachedStemmer::settled(frostem::Algorithm::Spanish))
    ///     .build();
    /// let mut stems = Vec::new();
    /// let mut stream = analyzer.token_stream("propiedades propiedad");
    /// while let Some(token) = stream.next() {
    ///     stems.push(token.text.clone());
    /// }
    /// assert_eq!(stems, ["propi", "propi"]);
    /// ```
    pub fn settled(algorithm: frostem::Algorithm) -> CachedStemmer {
        CachedStemmer {
            settle: true,
            ..CachedStemmer::new(algorithm)
        }
    }

    /// The most times a settled stemmer stems a word.
    pub const SETTLE_ROUNDS: usize = 3;
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerWrapper<T> {
        CachedStemmerWrapper {
            inner: tokenizer,
            cache: self.cache,
            algorithm: self.algorithm,
            settle: self.settle,
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerWrapper<T> {
    inner: T,
    cache: fnv::FnvHashMap<String, String>,
    algorithm: frostem::Algorithm,
    settle: bool,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerWrapper<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() >= CachedStemmer::CAPACITY {
            self.cache.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: frostem::Stemmer::new(self.algorithm),
            settle: self.settle,
        }
    }
}

/// The stream of [`CachedStemmer`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut fnv::FnvHashMap<String, String>,
    stemmer: frostem::Stemmer,
    settle: bool,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
        } else {
            let mut stem = self.stemmer.stem(&token.text).into_owned();
            if self.settle {
                for _ in 1..CachedStemmer::SETTLE_ROUNDS {
                    let again = self.stemmer.stem(&stem);
                    if again == stem {
                        break;
                    }
                    stem = again.into_owned();
                }
            }
            self.cache
                .insert(std::mem::take(&mut token.text), stem.clone());
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Rewrites a word the way its readers expect it to be compared, whatever the language of the
/// document: Arabic without short vowels and other diacritics (harakat, superscript alef),
/// without tatweel (`ـ`), with the alef forms `أ إ آ ٱ` read as `ا`, and without the alef
/// of a written accusative ending (`عقلاً`, `ضميرًا`: tanween fath with its alef, read as
/// `عقل`, `ضمير`, the word the other cases write); Russian `ё` read as `е`. ASCII words pass
/// untouched.
pub(crate) fn normalize_script(text: &mut String) {
    if text.is_ascii() {
        return;
    }
    strip_accusative_alef(text);
    let needs = text.chars().any(|c| {
        matches!(
            c,
            '\u{064B}'
                ..='\u{065F}'
                    | '\u{0670}'
                    | '\u{0640}'
                    | '\u{0622}'
                    | '\u{0623}'
                    | '\u{0625}'
                    | '\u{0671}'
                    | 'ё'
                    | 'Ё'
        )
    });
    if !needs {
        return;
    }
    *text = text
        .chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .map(|c| match c {
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => '\u{0627}',
            'ё' => 'е',
            'Ё' => 'Е',
            c => c,
        })
        .collect();
}

/// Removes a final alef that carries, or follows, a tanween fath (`اً`, `ًا`), with the mark,
/// when two letters are left: the indefinite accusative, which the other cases write without
/// the alef. Without the mark, a final alef cannot be told from a root's and stays.
fn strip_accusative_alef(text: &mut String) {
    const FATHATAN: char = '\u{064B}';
    for ending in [['\u{0627}', FATHATAN], [FATHATAN, '\u{0627}']] {
        let mut tail = text.chars().rev();
        if tail.next() == Some(ending[1]) && tail.next() == Some(ending[0]) {
            let rest = text.len() - ending.iter().map(|c| c.len_utf8()).sum::<usize>();
            let letters = text[..rest]
                .chars()
                .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
                .count();
            if letters >= 2 {
                text.truncate(rest);
            }
            return;
        }
    }
}

/// A token filter that reads Arabic without diacritics and tatweel, with the alef forms
/// `أ إ آ ٱ` as `ا`, and Russian `ё` as `е`; ASCII words pass untouched.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptNormalizer;

/// French elisions: the article or pronoun before an apostrophe goes (`l'homme` → `homme`,
/// `d'expression` → `expression`, `qu'il` → `il`). Apostrophes must be ASCII already
/// ([`PossessiveFilter`] runs first).
#[derive(Clone, Copy, Debug, Default)]
pub struct ElisionFilter;

const ELISIONS: [&str; 12] = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
];

fn strip_elision(text: &mut String) {
    let rest = without_elision(text);
    if rest.len() < text.len() {
        *text = rest.to_string();
    }
}

/// A French word as written without its elided article or pronoun (`l’oppression` →
/// `oppression`, `d'expression` → `expression`), the apostrophe straight or curly.
pub(crate) fn without_elision(word: &str) -> &str {
    match word.split_once(['\'', '’']) {
        Some((head, rest)) if !rest.is_empty() && ELISIONS.contains(&head) => rest,
        _ => word,
    }
}

/// Arabic light stemming in the manner of Larkey, Ballesteros and Connell's `light10`
/// ("Light Stemming for Arabic Information Retrieval", 2007), the stemmer that the Arabic IR
/// literature measures best, in place of Snowball's heavier one (which takes a root letter for
/// a prefix: `بطالة` → `طال`, and leaves `نقابات` and `نقابة` apart):
///
/// * the article and the particles joined to it (`ال`, `وال`, `بال`, `كال`, `فال`, `لل`)
///   go when two letters or more are left;
/// * `ة` is read as `ه` and a final `ى` as `ي`, then the suffixes `ها ان ات ون ين يه ية ه ة ي`
///   go, each at most once in that order, when a root's three letters are left (light10
///   leaves two, and took `الضمان` for a dual, `ضم`, apart from `الضمانة`, `ضمان`);
/// * a `ة` written `ت` before a pronoun (`شخصيته`, `حمايتها`) is read as `ة` again when a
///   root's three letters stand before it (and it is not the plural `ات`), so `شخصيته` and
///   `الشخصية` meet;
/// * a word that starts with one of the prepositions or conjunctions written joined to it
///   (`و`, `ب`, `ل`, `ك`, `ف`) is indexed twice at its position: as written (`بطالة` may be
///   unemployment, `وصاية` is guardianship) and without the letter (`بشخصيته` is `شخصية`,
///   `وحرية` is "and freedom"), when a root's three letters are left after stemming. Queries
///   read only the first, as written, so `بطالة` finds `البطالة`, `وصاية` finds `الوصاية`
///   (which keeps its `و` behind the article), and `الشخصية` finds `بشخصيته`, `حرية` finds
///   `وحرية`. (light10 strips `و` from every word of four letters or more, the query's too,
///   so `وصاية` became `صاي` and never met `الوصاية`, `وصا`.)
/// * a stem that ends in an alef is indexed also without it, stemmed as the word without it
///   would be, when a root's three letters are left: the indefinite accusative written without
///   its tanween (`عضوا`, `كاملا`, `مدنيا`), the word that the other cases write `عضو`,
///   `كامل`, `مدني`. The tanween itself is read away by `normalize_script`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicLightStemmer;

/// The light10 suffixes, in the order they are tried (after `ة` is read as `ه`).
const ARABIC_SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

/// The conjunctions and prepositions written joined to the next word.
const ARABIC_PROCLITICS: [char; 5] = ['و', 'ب', 'ل', 'ك', 'ف'];

/// The article `ال` and the particles joined to it: the word without them.
fn strip_arabic_prefix(word: &str) -> &str {
    const ARTICLES: [&str; 6] = ["ال", "وال", "بال", "كال", "فال", "لل"];
    for prefix in ARTICLES {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            return rest;
        }
    }
    word
}

/// The light10 suffixes of a word (its article already gone) removed, `ة` read as `ه`.
fn strip_arabic_suffixes(word: &str) -> String {
    let mut word: String = word
        .chars()
        .map(|c| if c == 'ة' { 'ه' } else { c })
        .collect();
    if word.ends_with('ى') {
        word.pop();
        word.push('ي');
    }
    // A pronoun after a ta marbuta, which is then written ت: `شخصيته` is `شخصية` + `ه`.
    for pronoun in ["ها", "ه"] {
        if let Some(rest) = word.strip_suffix(pronoun)
            && let Some(before) = rest.strip_suffix('ت')
            && before.chars().count() >= 3
            && !before.ends_with('ا')
        {
            word = format!("{before}ه");
            break;
        }
    }
    for suffix in ARABIC_SUFFIXES {
        if let Some(rest) = word.strip_suffix(suffix)
            && rest.chars().count() >= 3
        {
            word.truncate(rest.len());
        }
    }
    word
}

/// The light stem of an Arabic word (normalised by [`normalize_script`] already).
pub(crate) fn arabic_light_stem(word: &str) -> String {
    strip_arabic_suffixes(strip_arabic_prefix(word))
}

/// The three letters of an Arabic root that a light stem (see [`arabic_light_stem`]) is
/// built on, read from the common patterns of nouns and verbs in the manner of the ISRI
/// stemmer (Taghva, Elkhoury and Coombs, "Arabic Stemming without a Root Dictionary", 2005):
/// `عبيد` (slaves, فعيل) and `استعباد` (enslavement, استفعال) are `عبد`; `املاك` (أفعال) and
/// `تملك` (تفعل) are `ملك`; `فنان` and `فنون` are `فنن`. Hamza forms are read as `ا`. `None` when
/// no pattern says which letters are the root's (words of two letters, or of more than seven).
///
/// ```text
/// عمال → عمل    مقبوض → قبض    اعتراف → عرف    يعترف → عرف
/// ```
pub(crate) fn arabic_root(stem: &str) -> Option<String> {
    let letters: Vec<char> = stem
        .chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .map(|c| match c {
            'ء' | 'ؤ' | 'ئ' | 'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            c => c,
        })
        .collect();
    if !letters
        .iter()
        .all(|c| ('\u{0621}'..='\u{064A}').contains(c))
    {
        return None;
    }
    root_of(&letters).map(|root| root.iter().collect())
}

/// The roots of a typed Arabic word whose light stem is `stem`: the stem's (see
/// [`arabic_root`]), then that of the word less its article only, when the light stem took a
/// root letter for a suffix: `الأديان` (religions, the pattern أفعال) has the light stem `ادي`,
/// its `ان` read as the dual's ending, and `اديان` is of `دين`; and, for a stem of the tenth
/// form with two root letters written (`مسترق`, enslaved), the root whose last letter is
/// doubled, which the form writes once (`رقق`, of the text's `استرقاق` and `الرقيق`; the
/// same letters read as the eighth form are of `سرق`, steal, which [`arabic_root`] gives).
pub(crate) fn arabic_roots(word: &str, stem: &str) -> Vec<String> {
    let mut roots: Vec<String> = arabic_root(stem).into_iter().collect();
    if let Some(root) = geminate_tenth_form(stem)
        && !roots.contains(&root)
    {
        roots.push(root);
    }
    let mut bare = word.to_string();
    normalize_script(&mut bare);
    let bare = strip_arabic_prefix(&bare);
    // The word less its article, then less its plural or dual ending only (`المتدينون`:
    // `متدين`, whose light stem `متد` lost the root's last letters with a second ending).
    let plural = PLURAL_ENDINGS.iter().find_map(|ending| {
        bare.strip_suffix(ending)
            .filter(|rest| rest.chars().count() >= 3)
    });
    for reading in std::iter::once(bare).chain(plural) {
        if reading != stem
            && let Some(root) = arabic_root(reading)
            && !roots.contains(&root)
        {
            roots.push(root);
        }
    }
    roots
}

/// The endings of the sound plurals and the dual, which [`arabic_roots`] takes off a word
/// alone.
const PLURAL_ENDINGS: [&str; 4] = ["ون", "ين", "ات", "ان"];

/// The doubled root of a light stem of the tenth form written with two root letters
/// (`مسترق`, `استرق`, `يسترق`: `رقق`), if `stem` is one.
fn geminate_tenth_form(stem: &str) -> Option<String> {
    let letters: Vec<char> = stem.chars().collect();
    let [first, 'س', 'ت', r1, r2] = letters[..] else {
        return None;
    };
    let arabic = |c: char| ('\u{0621}'..='\u{064A}').contains(&c);
    ("امتين".contains(first) && arabic(r1) && arabic(r2) && r1 != r2)
        .then(|| [r1, r2, r2].iter().collect())
}

/// [`arabic_root`] of normalised letters: a pattern of the word's length, else the word less
/// one affix letter (a suffix first), tried again.
fn root_of(c: &[char]) -> Option<[char; 3]> {
    let is = |i: usize, set: &str| set.contains(c[i]);
    // The `ت` of the eighth form (افتعل), as written after the root's first letter: `ط` after
    // an emphatic (`اضطهاد`, persecution, of `ضهد`), `د` after `د`, `ذ` or `ز` (`ازدهار`).
    let infix = |i: usize| {
        c[i] == 'ت'
            || (c[i] == 'ط' && "صضطظ".contains(c[i - 1]))
            || (c[i] == 'د' && "دذز".contains(c[i - 1]))
    };
    let found = match c.len() {
        3 => Some([c[0], c[1], c[2]]),
        4 if c[1] == 'ا' => Some([c[0], c[2], c[3]]),
        4 if is(2, "اوي") => Some([c[0], c[1], c[3]]),
        4 if is(0, "متينا") => Some([c[1], c[2], c[3]]),
        4 if c[3] == 'ه' => Some([c[0], c[1], c[2]]),
        5 if is(0, "ايتن") && infix(2) => Some([c[1], c[3], c[4]]),
        5 if c[0] == 'ا' && c[3] == 'ا' => Some([c[1], c[2], c[4]]),
        5 if c[0] == 'م' && c[1] == 'ن' => Some([c[2], c[3], c[4]]),
        5 if c[0] == 'ا' && c[1] == 'ن' => Some([c[2], c[3], c[4]]),
        5 if c[0] == 'م' && infix(2) => Some([c[1], c[3], c[4]]),
        // The participle of the fifth form (متفعل: `متدين`, religious, of `دين`), not مفعول
        // (`متروك`, of `ترك`) nor a sixth form's (`متساو`), whose `و` and `ا` stand where the
        // fifth form's second root letter does, nor the third form's participle of a root
        // beginning with `ت` (`متابع`, of `تبع`), whose `ا` stands where its first does.
        5 if c[0] == 'م' && c[1] == 'ت' && c[2] != 'ا' && !is(3, "او") => {
            Some([c[2], c[3], c[4]])
        }
        5 if c[0] == 'م' && is(3, "اوي") => Some([c[1], c[2], c[4]]),
        5 if is(0, "مت") && c[2] == 'ا' => Some([c[1], c[3], c[4]]),
        5 if c[0] == 'ت' && c[3] == 'ي' => Some([c[1], c[2], c[4]]),
        5 if c[1] == 'و' && c[2] == 'ا' => Some([c[0], c[3], c[4]]),
        // The broken plural فعائل (`عقائد`, beliefs, of `عقيدة`; `وسائل`), its hamza read as `ا`;
        // not the noun فعاءة (`قراءة`, reading, of `قرا`), whose `ة` the suffixes take.
        5 if c[2] == 'ا' && c[3] == 'ا' && c[4] != 'ه' => Some([c[0], c[1], c[4]]),
        5 if c[1] == 'ا' && is(3, "وي") => Some([c[0], c[2], c[4]]),
        5 if c[3] == 'ا' && c[4] == 'ن' => Some([c[0], c[1], c[2]]),
        6 if c[..3] == ['ا', 'س', 'ت'] || c[..3] == ['م', 'س', 'ت'] => {
            Some([c[3], c[4], c[5]])
        }
        6 if c[0] == 'ا' && infix(2) && c[4] == 'ا' => Some([c[1], c[3], c[5]]),
        6 if c[0] == 'ا' && c[1] == 'ن' && c[4] == 'ا' => Some([c[2], c[3], c[5]]),
        6 if c[0] == 'ت' && c[2] == 'ا' && c[4] == 'ي' => Some([c[1], c[3], c[5]]),
        7 if c[..3] == ['ا', 'س', 'ت'] && c[5] == 'ا' => Some([c[3], c[4], c[6]]),
        _ => None,
    };
    if found.is_some() || c.len() <= 3 || c.len() > 7 {
        return found;
    }
    if "هياتن".contains(c[c.len() - 1])
        && let Some(root) = root_of(&c[..c.len() - 1])
    {
        return Some(root);
    }
    if "امتينوفبل".contains(c[0]) {
        return root_of(&c[1..]);
    }
    None
}

/// The stem of a word without its joined conjunction or preposition (`بشخصيته` → `شخص`,
/// `وحرية` → `حري`), when it has one and a root's three letters are left of the stem.
fn arabic_stem_without_proclitic(word: &str) -> Option<String> {
    if strip_arabic_prefix(word) != word {
        return None; // an article: `بالحرية`, `للمجتمع`
    }
    let rest = word.strip_prefix(ARABIC_PROCLITICS)?;
    let stem = strip_arabic_suffixes(rest);
    (stem.chars().count() >= 3).then_some(stem)
}

/// The stem of an indefinite accusative written without its tanween (`عضوا` → `عضو`,
/// `مدنيا` → `مدن`): the `stem` without its final alef, stemmed again, when a root's three
/// letters are left.
fn arabic_stem_without_alef(stem: &str) -> Option<String> {
    let rest = stem.strip_suffix('ا')?;
    let stem = strip_arabic_suffixes(rest);
    (stem.chars().count() >= 3).then_some(stem)
}

/// The other stems a word is indexed with at its position, besides its stem as written
/// (`stem`): without its joined conjunction or preposition, without an accusative alef.
fn arabic_other_stems(word: &str, stem: &str) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    let proclitic = arabic_stem_without_proclitic(word);
    let readings = std::iter::once(stem.to_string()).chain(proclitic.clone());
    for reading in readings.clone() {
        others.extend(arabic_stem_without_alef(&reading));
    }
    others.extend(proclitic);
    others.retain(|other| other != stem);
    others.sort();
    others.dedup();
    others
}

impl TokenFilter for ArabicLightStemmer {
    type Tokenizer<T: Tokenizer> = ArabicLightStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ArabicLightStemmerWrapper<T> {
        ArabicLightStemmerWrapper { inner: tokenizer }
    }
}

/// [`ArabicLightStemmer`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct ArabicLightStemmerWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ArabicLightStemmerWrapper<T> {
    type TokenStream<'a> = ArabicLightStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ArabicLightStemmerStream {
            tail: self.inner.token_stream(text),
            others: Vec::new(),
            current: Token::default(),
        }
    }
}

/// The stream of [`ArabicLightStemmer`]: each word's stem, then (at the same position) its
/// other stems ([`arabic_other_stems`]), if it has any.
pub struct ArabicLightStemmerStream<T> {
    tail: T,
    /// The other tokens of the last word, not yet given.
    others: Vec<Token>,
    current: Token,
}

impl<T: TokenStream> TokenStream for ArabicLightStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(other) = self.others.pop() {
            self.current = other;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        let stem = arabic_light_stem(&token.text);
        self.others = arabic_other_stems(&token.text, &stem)
            .into_iter()
            .map(|text| Token {
                text,
                ..token.clone()
            })
            .collect();
        self.current = Token {
            text: stem,
            ..token.clone()
        };
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Russian fleeting vowels, after the Snowball stemmer: a stem ending in a consonant, `о` or
/// `е`, then `к` or `ц` loses the vowel, which Russian drops whenever an ending follows
/// (`порядок`, `порядка`; `человек`; `отец`, `отца`), so the forms with and without an ending
/// meet (`порядк`). Snowball keeps the vowel of the endingless form, and `международного
/// порядка` missed `международный порядок`. Applied to every stem, it sends the stems of the
/// nouns whose vowel stays (`урок`, `урока`) to one stem too.
#[derive(Clone, Copy, Debug, Default)]
pub struct RussianFleetingVowel;

fn drop_fleeting_vowel(stem: &mut String) {
    let chars: Vec<char> = stem.chars().collect();
    let n = chars.len();
    if n < 4 || !matches!(chars[n - 1], 'к' | 'ц') || !matches!(chars[n - 2], 'о' | 'е') {
        return;
    }
    let before = chars[n - 3];
    if ('а'..='я').contains(&before) && !"аеиоуыэюяйьъ".contains(before) {
        *stem = chars[..n - 2].iter().chain(&chars[n - 1..]).collect();
    }
}

/// Spanish plurals that the Snowball stemmer leaves whole, after it: a stem of four letters
/// or more that still ends in `-as`, `-es` or `-os` loses its `s`. Snowball Spanish takes an
/// ending off only inside the word's region, which begins after the first vowel that follows
/// a consonant, so a short word that begins with a vowel keeps its plural: `actos` and
/// `acto`, `años` and `año`, `armas` and `arma` never met (`actos de barbarie`, the
/// preamble's words, was not found by `acto de barbarie`). Every form with such a stem loses
/// the same `s` (`intereses` and `interés` are both `intere`), so no two forms that met part.
/// Shorter stems are left (`mes`, `gas`), and so are those in `-is` and `-us` (`crisis`,
/// `virus`: one word in both numbers) and an accented vowel's (`país`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SpanishPlural;

/// The fewest letters a stem has for [`SpanishPlural`] to take its `s` off.
const SPANISH_PLURAL_MIN_CHARS: usize = 4;

fn settle_spanish_plural(stem: &mut String) {
    if stem.chars().count() >= SPANISH_PLURAL_MIN_CHARS
        && ["as", "es", "os"]
            .iter()
            .any(|ending| stem.ends_with(ending))
    {
        stem.pop();
    }
}

/// Russian nouns that Snowball reads as adjectives, after the Snowball stemmer: a stem that
/// ends in an adjectival ending (`-ых`, `-ой`, `-ем`...) with fewer than four letters before
/// it is stemmed again, as Snowball stems the noun's endingless form. Snowball takes the
/// `-ых` of the noun `отдых` (rest) for an adjective's and stems it to `отд`, but stems
/// `отдыхом` and `отдыха` to `отдых`: the forms of one noun never met. Stemming `отдых` again
/// sends them all to `отд`. A real adjective's stem never ends in its ending (`новый`,
/// `новых`, `новая` are all `нов`), so adjectives are left as they were, and so are longer
/// stems (`закон`), which no adjectival ending leaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct RussianShortStem;

/// Snowball Russian's adjectival endings, longest first.
const RUSSIAN_ADJECTIVAL: [&str; 26] = [
    "ими", "ыми", "его", "ого", "ему", "ому", "ее", "ие", "ые", "ое", "ей", "ий", "ый", "ой", "ем",
    "им", "ым", "ом", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею",
];

/// The most letters a Snowball stem keeps before an adjectival ending for
/// [`RussianShortStem`] to stem it again: fewer than four.
const RUSSIAN_SHORT_STEM: usize = 3;

fn settle_short_adjectival(stem: &mut String) {
    let Some(ending) = RUSSIAN_ADJECTIVAL.iter().find(|e| stem.ends_with(*e)) else {
        return;
    };
    let before = &stem[..stem.len() - ending.len()];
    if before.chars().count() > RUSSIAN_SHORT_STEM {
        return;
    }
    let again = frostem::Stemmer::new(frostem::Algorithm::Russian)
        .stem(stem)
        .into_owned();
    // Only when Snowball itself takes that ending off (it is in the word's region).
    if again == before {
        *stem = again;
    }
}

/// French plurals in `-x` that the Snowball stemmer leaves as they are, before it: each
/// becomes its singular (`lieux` → `lieu`, `enjeux` → `enjeu`, `vœux` → `vœu`, `yeux` →
/// `œil`), so that the singular and the plural meet. Snowball French takes off the plural
/// `-s` and the `-aux` of `-al` and `-eau` nouns, but not the `-x` of the nouns in `-eu` and
/// `-ou`, nor the irregular plurals: `reconnaissance en tous lieux` never met `en tout lieu`.
/// Adjectives in `-eux` (`heureux`) are the same word in both numbers and are not listed.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrenchPlural;

/// Plural and singular of the French nouns whose plural [`FrenchPlural`] settles, sorted by
/// bytes (for the binary search).
const FRENCH_PLURALS: [(&str, &str); 25] = [
    ("adieux", "adieu"),
    ("aveux", "aveu"),
    ("bijoux", "bijou"),
    ("cailloux", "caillou"),
    ("cheveux", "cheveu"),
    ("choux", "chou"),
    ("cieux", "ciel"),
    ("dieux", "dieu"),
    ("désaveux", "désaveu"),
    ("enjeux", "enjeu"),
    ("essieux", "essieu"),
    ("feux", "feu"),
    ("genoux", "genou"),
    ("hiboux", "hibou"),
    ("jeux", "jeu"),
    ("joujoux", "joujou"),
    ("lieux", "lieu"),
    ("milieux", "milieu"),
    ("moyeux", "moyeu"),
    ("neveux", "neveu"),
    ("poux", "pou"),
    ("voeux", "voeu"),
    ("vœux", "vœu"),
    ("yeux", "œil"),
    ("épieux", "épieu"),
];

/// `word` made singular if it is one of [`FRENCH_PLURALS`] (lower-cased, accents as written).
fn settle_french_plural(word: &mut String) {
    if !word.ends_with('x') {
        return;
    }
    if let Ok(at) = FRENCH_PLURALS.binary_search_by(|(plural, _)| (*plural).cmp(word.as_str())) {
        *word = FRENCH_PLURALS[at].1.to_string();
    }
}

macro_rules! word_filter {
    ($filter:ident, $wrapper:ident, $stream:ident, $apply:expr) => {
        impl TokenFilter for $filter {
            type Tokenizer<T: Tokenizer> = $wrapper<T>;

            fn transform<T: Tokenizer>(self, tokenizer: T) -> $wrapper<T> {
                $wrapper { inner: tokenizer }
            }
        }

        /// The filter applied to a tokenizer.
        #[derive(Clone, Debug)]
        pub struct $wrapper<T> {
            inner: T,
        }

        impl<T: Tokenizer> Tokenizer for $wrapper<T> {
            type TokenStream<'a> = $stream<T::TokenStream<'a>>;

            fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
                $stream {
                    tail: self.inner.token_stream(text),
                }
            }
        }

        /// The stream of the filter.
        pub struct $stream<T> {
            tail: T,
        }

        impl<T: TokenStream> TokenStream for $stream<T> {
            /// A word the filter empties (an Arabic diacritic alone) is dropped.
            fn advance(&mut self) -> bool {
                while self.tail.advance() {
                    $apply(&mut self.tail.token_mut().text);
                    if !self.tail.token().text.is_empty() {
                        return true;
                    }
                }
                false
            }

            fn token(&self) -> &Token {
                self.tail.token()
            }

            fn token_mut(&mut self) -> &mut Token {
                self.tail.token_mut()
            }
        }
    };
}

word_filter!(
    ScriptNormalizer,
    ScriptNormalizerWrapper,
    ScriptNormalizerStream,
    normalize_script
);
word_filter!(
    RussianFleetingVowel,
    RussianFleetingVowelWrapper,
    RussianFleetingVowelStream,
    drop_fleeting_vowel
);
word_filter!(
    RussianShortStem,
    RussianShortStemWrapper,
    RussianShortStemStream,
    settle_short_adjectival
);
word_filter!(
    SpanishPlural,
    SpanishPluralWrapper,
    SpanishPluralStream,
    settle_spanish_plural
);
word_filter!(
    FrenchPlural,
    FrenchPluralWrapper,
    FrenchPluralStream,
    settle_french_plural
);
word_filter!(
    ElisionFilter,
    ElisionFilterWrapper,
    ElisionFilterStream,
    strip_elision
);

#[cfg(test)]
mod script_tests {
    use super::*;

    /// The stemmed view's terms of `text` in `language`.
    fn stems_in(language: crate::analysis::Language, text: &str) -> Vec<String> {
        let mut analyzer = crate::analysis::stemmed_analyzer_for(language);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = TokenStream::next(&mut stream) {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn spanish_plurals_that_snowball_leaves_meet_their_singulars() {
        let stems = |text: &str| stems_in(crate::analysis::Language::Spanish, text);
        // The preamble's `actos de barbarie`, and words of diplomacy.
        for (plural, singular) in [
            ("actos", "acto"),
            ("años", "año"),
            ("armas", "arma"),
            ("artes", "arte"),
            ("intereses", "interés"),
            ("derechos", "derecho"),
        ] {
            assert_eq!(stems(plural), stems(singular), "{plural}");
        }
        // One word in both numbers, and an accented vowel's stem, are left alone.
        for word in ["crisis", "virus", "país", "mes"] {
            let mut settled = word.to_string();
            settle_spanish_plural(&mut settled);
            assert_eq!(settled, word);
        }
        // Different words stay apart.
        assert_ne!(stems("armas"), stems("armado"));
    }

    #[test]
    fn french_plurals_in_x_meet_their_singulars() {
        assert!(FRENCH_PLURALS.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        let stems = |text: &str| stems_in(crate::analysis::Language::French, text);
        // Article 6 of the Declaration, and a reader's words for it.
        assert_eq!(stems("lieux"), stems("lieu"));
        assert_eq!(stems("enjeux"), stems("enjeu"));
        assert_eq!(stems("vœux"), stems("vœu"));
        assert_eq!(stems("yeux"), stems("œil"));
        // An adjective in -eux is one word in both numbers, and other words in -x are
        // left alone.
        for word in ["heureux", "prix", "paix", "choix"] {
            let mut settled = word.to_string();
            settle_french_plural(&mut settled);
            assert_eq!(settled, word);
        }
    }

    fn norm(word: &str) -> String {
        let mut text = word.to_string();
        normalize_script(&mut text);
        text
    }

    #[test]
    fn arabic_and_russian_normalisation() {
        // Diacritics and tatweel go; the alef forms are one.
        assert_eq!(norm("حُرِّيَّة"), "حرية");
        assert_eq!(norm("حـــرية"), "حرية");
        assert_eq!(norm("أحرار"), "احرار");
        assert_eq!(norm("إعلان"), "اعلان");
        assert_eq!(norm("آراء"), "اراء");
        // The alef of a written accusative goes with its tanween, on either side of it; a
        // final alef without the mark stays.
        assert_eq!(norm("عقلاً"), "عقل");
        assert_eq!(norm("ضميرًا"), "ضمير");
        assert_eq!(norm("سرا"), "سرا");
        assert_eq!(norm("لاً"), "لا");
        assert_eq!(norm("ещё"), "еще");
        assert_eq!(norm("Ёлка"), "Елка");
        assert_eq!(norm("plain"), "plain");
        assert_eq!(norm("Kyïv"), "Kyïv");
    }

    #[test]
    fn arabic_prefixes() {
        for (word, expected) in [
            ("والتعبير", "تعبير"),
            ("التعبير", "تعبير"),
            ("للتعذيب", "تعذيب"),
            ("البطالة", "بطالة"),
            // The conjunction `و` is no article: the word is also indexed without it.
            ("وضمير", "وضمير"),
            ("ولد", "ولد"),
            ("ال", "ال"),
        ] {
            assert_eq!(strip_arabic_prefix(word), expected);
        }
    }

    #[test]
    fn arabic_roots_join_the_patterns_of_a_word() {
        // The light stems of words built on one root meet at it.
        for (words, root) in [
            (&["العبيد", "استعباده", "العبودية"][..], "عبد"),
            (&["الأملاك", "التملك", "ملكه"], "ملك"),
            (&["الفنانون", "الفنون"], "فنن"),
            (&["العمال", "العمل"], "عمل"),
            (&["المقبوض", "القبض"], "قبض"),
            (&["الاعتراف", "يعترف"], "عرف"),
            (&["اللاجئون", "يلجأ"], "لجا"),
            (&["الزوجين", "الزواج"], "زوج"),
            (&["مكتب", "كاتب", "كتاب"], "كتب"),
            // The eighth form's `ت` after an emphatic is `ط`, after `ز` it is `د`.
            (&["المضطهدون", "الاضطهاد", "يضطهد"], "ضهد"),
            (&["الازدهار", "مزدهر"], "زهر"),
            // The broken plural فعائل and its singular فعيلة.
            (&["العقائد", "عقيدته"], "عقد"),
            (&["الوسائل", "وسيلة"], "وسل"),
            // The participle of the fifth form, and مفعول and the third form's participle
            // (`متابعة`, follow-up, of `تبع`), which are not.
            (&["متدينة", "الدين"], "دين"),
            (&["متروك", "الترك"], "ترك"),
            (&["متابعة", "تابع"], "تبع"),
        ] {
            for word in words {
                let mut normalised = word.to_string();
                normalize_script(&mut normalised);
                let stem = arabic_light_stem(&normalised);
                assert_eq!(arabic_root(&stem).as_deref(), Some(root), "{word} ({stem})");
            }
        }
        // A broken plural whose last letters the light stem reads as a suffix has the root
        // of its letters too.
        let mut word = "الأديان".to_string();
        normalize_script(&mut word);
        let stem = arabic_light_stem(&word);
        assert!(
            arabic_roots(&word, &stem).contains(&"دين".to_string()),
            "{stem}"
        );
        // A sound plural whose light stem lost a root letter with a second ending
        // (`المتدينون`: `متد`) has the root of the word less its plural ending.
        let mut word = "المتدينون".to_string();
        normalize_script(&mut word);
        let roots = arabic_roots(&word, &arabic_light_stem(&word));
        assert!(roots.contains(&"دين".to_string()), "{roots:?}");
        // The tenth form of a doubled root writes the doubled letter once: `المسترقون`, the
        // enslaved, is of `رقق` (Article 4's `استرقاق`, `الرقيق`) as well as of `سرق`.
        for (word, text) in [("المسترقون", "الاسترقاق"), ("مسترق", "الرقيق")]
        {
            let (mut word, mut text) = (word.to_string(), text.to_string());
            normalize_script(&mut word);
            normalize_script(&mut text);
            let text_root = arabic_root(&arabic_light_stem(&text));
            assert_eq!(text_root.as_deref(), Some("رقق"), "{text}");
            let roots = arabic_roots(&word, &arabic_light_stem(&word));
            assert!(roots.contains(&"رقق".to_string()), "{word}: {roots:?}");
        }
        // فعاءة is no broken plural: `القراءة` (reading) is of `قرا` only.
        let mut word = "القراءة".to_string();
        normalize_script(&mut word);
        let roots = arabic_roots(&word, &arabic_light_stem(&word));
        assert!(!roots.contains(&"قره".to_string()), "{roots:?}");
        // No root is guessed for two letters, nor for another script.
        assert_eq!(arabic_root("حق"), None);
        assert_eq!(arabic_root("freedom"), None);
        // Odd input: nothing, marks alone, a mixed word, more than seven letters.
        assert_eq!(arabic_root(""), None);
        assert_eq!(arabic_root("\u{064E}\u{0640}"), None);
        assert_eq!(arabic_root("حقx"), None);
        assert_eq!(arabic_root("استقلاليتهم"), None);
    }

    #[test]
    fn arabic_light_stems() {
        // Forms of one word meet; a root letter is not taken for a prefix.
        for forms in [
            &["بطالة", "البطالة"][..],
            &["نقابة", "نقابات", "النقابات"],
            &["الشخصية", "شخصيته", "شخصية"],
            &["حرية", "الحرية", "حرياتها", "حريات"],
            &["واجب", "واجبات"],
            &["مصلحة", "مصلحته"],
            &["الضمان", "الضمانة", "ضمانات"],
        ] {
            let stems: Vec<String> = forms.iter().map(|w| arabic_light_stem(w)).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{forms:?}: {stems:?}");
        }
        assert_eq!(arabic_light_stem("بطالة"), "بطال");
        // A short word keeps its last letter `ت` (`بيته`, his house, is `بيت`).
        assert_eq!(arabic_light_stem("بيته"), "بيت");
        assert_eq!(
            arabic_stem_without_proclitic("بشخصيته").as_deref(),
            Some("شخص")
        );
        assert_eq!(
            arabic_stem_without_proclitic("بطالة").as_deref(),
            Some("طال")
        );
        // `و` is read both ways too: `وصاية` (guardianship) as written meets `الوصاية`,
        // and `وحرية` (and freedom) is also `حرية`.
        assert_eq!(arabic_light_stem("وصاية"), arabic_light_stem("الوصاية"));
        assert_eq!(arabic_light_stem("وحدة"), arabic_light_stem("الوحدة"));
        assert_eq!(
            arabic_stem_without_proclitic("وحرية"),
            Some(arabic_light_stem("حرية"))
        );
        assert_eq!(arabic_stem_without_proclitic("والحرية"), None);
        assert_eq!(arabic_stem_without_proclitic("ولد"), None);
        assert_eq!(arabic_stem_without_proclitic("بيت"), None);
        // An accusative written without its tanween is also read without its alef; a word
        // of two letters (`سرا`) keeps it, and so does a stem that no alef ends.
        assert_eq!(arabic_other_stems("عضوا", "عضوا"), ["عضو"]);
        assert_eq!(arabic_other_stems("مدنيا", "مدنيا"), ["مدن"]);
        assert_eq!(
            arabic_other_stems("وعضوا", "وعضوا"),
            ["عضو", "عضوا", "وعضو"]
        );
        assert!(arabic_other_stems("سرا", "سرا").is_empty());
        assert!(arabic_other_stems("حرياتها", &arabic_light_stem("حرياتها")).is_empty());
        assert_eq!(arabic_stem_without_proclitic("بالحرية"), None);
        assert_eq!(arabic_stem_without_proclitic("للمجتمع"), None);
    }

    #[test]
    fn russian_fleeting_vowels() {
        for (stem, expected) in [
            ("порядок", "порядк"),
            ("порядк", "порядк"),
            ("человек", "человк"),
            ("отец", "отц"),
            ("урок", "урк"),
            // A vowel before the vowel, or a short stem, stays.
            ("заек", "заек"),
            ("рок", "рок"),
            ("закон", "закон"),
        ] {
            let mut text = stem.to_string();
            drop_fleeting_vowel(&mut text);
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn russian_nouns_read_as_adjectives() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::Russian);
        let stem = |word: &str| {
            let mut stem = stemmer.stem(word).into_owned();
            settle_short_adjectival(&mut stem);
            stem
        };
        // The noun `отдых` (rest) and its cases meet; Snowball alone gave `отд` and `отдых`.
        assert_eq!(stemmer.stem("отдыхом"), "отдых");
        for word in ["отдых", "отдыха", "отдыхом", "отдыху"] {
            assert_eq!(stem(word), "отд", "{word}");
        }
        // Short adjectives keep Snowball's stems (`злых` and `всех` have no ending in their
        // region: Snowball leaves them whole).
        for word in ["новый", "новых", "новая", "новом", "новыми"] {
            assert_eq!(stem(word), "нов", "{word}");
        }
        for word in ["злых", "злой", "злые", "всех", "тихих", "наших"] {
            assert_eq!(stem(word), stemmer.stem(word), "{word}");
        }
        // A longer stem, or an ending outside the word's region, stays.
        assert_eq!(stem("законом"), "закон");
        assert_eq!(stem("стихом"), "стих");
    }

    #[test]
    fn french_elisions() {
        for (word, expected) in [
            ("l'homme", "homme"),
            ("d'expression", "expression"),
            ("qu'il", "il"),
            ("jusqu'au", "au"),
            ("aujourd'hui", "aujourd'hui"),
            ("l'", "l'"),
        ] {
            let mut text = word.to_string();
            strip_elision(&mut text);
            assert_eq!(text, expected);
            let curly = word.replace('\'', "’");
            assert_eq!(without_elision(&curly), expected.replace('\'', "’"));
        }
    }
}
