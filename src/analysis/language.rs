//! Languages: the ones analysed in their own way, their codes, and detection from the text.
//!
//! An article's language is a lower-case code: ISO 639-1 where there is one (`en`, `ru`,
//! `zh`), else the primary subtag as given (`ast`). Declared languages (`lang` fields, front
//! matter, the HTML `lang` attribute) are normalised by [`normalize_code`]; an article that
//! declares none is given the language detected from its text by [`detect`] (`whatlang`).

use tantivy::tokenizer::StopWordFilter;

/// A language with an analysis of its own: its stemmer, its stop words, its normalisation
/// (and, for Chinese, its word segmentation). Text in any other language is analysed as
/// English (Unicode words, folded; the English stemmer leaves foreign words mostly alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English (`en`): Porter 2 stemmer, the index's English stop words.
    English,
    /// French (`fr`): elisions (`l'`, `d'`, `qu'`…) removed, Snowball French.
    French,
    /// Spanish (`es`): Snowball Spanish, then the plurals it leaves settled
    /// ([`crate::analysis::SpanishPlural`]); Snowball's stop words less `estado(s)` (State).
    Spanish,
    /// Portuguese (`pt`): Snowball Portuguese.
    Portuguese,
    /// German (`de`): Snowball German (`ß`, umlauts handled by the stemmer).
    German,
    /// Russian (`ru`): `ё` read as `е`, Snowball Russian, a noun it reads as an adjective
    /// stemmed again ([`crate::analysis::RussianShortStem`]), fleeting vowels dropped
    /// ([`crate::analysis::RussianFleetingVowel`]); Snowball's stop words less its content
    /// words (`жизнь`, `человек`…).
    Russian,
    /// Arabic (`ar`): diacritics and tatweel removed (with the alef of a written accusative),
    /// alef and hamza forms unified, light stemming ([`crate::analysis::ArabicLightStemmer`]).
    Arabic,
    /// Chinese (`zh`): words found by the `jieba` dictionary segmenter.
    Chinese,
}

/// The script a word is written in, as far as choosing its languages goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    /// Digits and symbols only: any language reads it the same.
    Neutral,
    Other,
}

impl Language {
    /// Every language with its own analysis, English first.
    pub const ALL: [Language; 8] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::Portuguese,
        Language::German,
        Language::Russian,
        Language::Arabic,
        Language::Chinese,
    ];

    /// Its ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Portuguese => "pt",
            Language::German => "de",
            Language::Russian => "ru",
            Language::Arabic => "ar",
            Language::Chinese => "zh",
        }
    }

    /// The language of a normalised code (see [`normalize_code`]), if it has its own analysis.
    ///
    /// ```
    /// use communique::analysis::Language;
    /// assert_eq!(Language::from_code("ru"), Some(Language::Russian));
    /// assert_eq!(Language::from_code("uk"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language whose analysis text in `code` gets: its own, else English's.
    pub fn analysing(code: Option<&str>) -> Language {
        code.and_then(Language::from_code)
            .unwrap_or(Language::English)
    }

    pub(crate) fn script(self) -> Script {
        match self {
            Language::Russian => Script::Cyrillic,
            Language::Arabic => Script::Arabic,
            Language::Chinese => Script::Han,
            _ => Script::Latin,
        }
    }

    /// Whether a word of `script` is read in this language: one of its script, or digits and
    /// symbols, which every language reads.
    pub(crate) fn reads(self, script: Script) -> bool {
        script == Script::Neutral || self.script() == script
    }

    pub(crate) fn whatlang(self) -> whatlang::Lang {
        match self {
            Language::English => whatlang::Lang::Eng,
            Language::French => whatlang::Lang::Fra,
            Language::Spanish => whatlang::Lang::Spa,
            Language::Portuguese => whatlang::Lang::Por,
            Language::German => whatlang::Lang::Deu,
            Language::Russian => whatlang::Lang::Rus,
            Language::Arabic => whatlang::Lang::Ara,
            Language::Chinese => whatlang::Lang::Cmn,
        }
    }

    /// Can this language write `word` with its letters? Latin-script languages are told
    /// apart by the accented letters of their alphabets: `torturé` or `nationalités` is not
    /// English, `niño` is not French. ASCII letters, digits and other scripts are left to
    /// the other signals (any Latin language may write them).
    ///
    /// ```
    /// use communique::analysis::Language;
    /// assert!(!Language::English.spells("torturé"));
    /// assert!(Language::French.spells("torturé") && Language::Spanish.spells("torturé"));
    /// assert!(!Language::French.spells("niño") && Language::Spanish.spells("niño"));
    /// assert!(Language::English.spells("torture"));
    /// ```
    pub fn spells(self, word: &str) -> bool {
        let letters: &str = match self {
            Language::English => "",
            Language::French => "àâæçéèêëîïôœùûüÿ",
            Language::Spanish => "áéíñóúü",
            Language::Portuguese => "áâãàçéêíóôõúü",
            Language::German => "äöüß",
            Language::Russian | Language::Arabic | Language::Chinese => return true,
        };
        word.chars()
            .flat_map(char::to_lowercase)
            .filter(|c| !c.is_ascii() && script_of(&c.to_string()) == Script::Latin)
            .all(|c| letters.contains(c))
    }

    pub(crate) fn stemmer(self) -> Option<frostem::Algorithm> {
        Some(match self {
            Language::English => frostem::Algorithm::English,
            Language::French => frostem::Algorithm::French,
            Language::Spanish => frostem::Algorithm::Spanish,
            Language::Portuguese => frostem::Algorithm::Portuguese,
            Language::German => frostem::Algorithm::German,
            Language::Russian => frostem::Algorithm::Russian,
            Language::Arabic => frostem::Algorithm::Arabic,
            Language::Chinese => return None,
        })
    }
}

/// The script of a word: that of its first letter (digits and symbols are neutral).
pub(crate) fn script_of(word: &str) -> Script {
    for c in word.chars() {
        if !c.is_alphabetic() {
            continue;
        }
        return match c as u32 {
            0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
            0x0400..=0x052F => Script::Cyrillic,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => Script::Arabic,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
            _ => Script::Other,
        };
    }
    Script::Neutral
}

/// Normalises a declared language tag to the code stored in the index: lower case, the
/// primary subtag only, ISO 639-1 for the languages analysed in their own way. `None` for
/// something that is no language tag.
///
/// # Example
/// ```
/// use communique::analysis::normalize_code;
/// assert_eq!(normalize_code("zh-Hans").as_deref(), Some("zh"));
/// assert_eq!(normalize_code("en_GB").as_deref(), Some("en"));
/// assert_eq!(normalize_code("rus").as_deref(), Some("ru"));
/// assert_eq!(normalize_code("arb").as_deref(), Some("ar"));
/// assert_eq!(normalize_code("Ukrainian"), None);
/// ```
pub fn normalize_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let code = match primary.as_str() {
        "eng" => "en",
        "fra" | "fre" => "fr",
        "spa" => "es",
        "por" => "pt",
        "deu" | "ger" => "de",
        "rus" => "ru",
        "ara" | "arb" => "ar",
        "zho" | "chi" | "cmn" => "zh",
        other => other,
    };
    Some(code.to_string())
}

/// The code stored for an article whose language is neither declared nor detectable (ISO 639-2
/// "undetermined").
pub const UNKNOWN_LANGUAGE: &str = "und";

/// How much of an article's text detection reads (the first bytes, on a character boundary).
pub const DETECTION_BYTES: usize = 1024;

/// The language of a text, detected from its first [`DETECTION_BYTES`] bytes: a code as
/// [`normalize_code`] gives it, or `None` when the text is too short or too ambiguous to say.
///
/// Text in Latin script is given a language only when the detector is confident (a short
/// English text must not be taken for Dutch and stemmed as such); other scripts say more.
///
/// # Example
/// ```
/// use communique::analysis::detect;
/// assert_eq!(detect("Все люди рождаются свободными и равными в своем достоинстве и правах.").as_deref(), Some("ru"));
/// assert_eq!(detect("Toute personne a droit à la liberté d'opinion et d'expression.").as_deref(), Some("fr"));
/// assert_eq!(detect("42"), None);
/// ```
pub fn detect(text: &str) -> Option<String> {
    let mut end = text.len().min(DETECTION_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if looks_english(sample) {
        return Some("en".to_string());
    }
    let info = whatlang::detect(sample)?;
    let latin = info.script() == whatlang::Script::Latin;
    if latin && !info.is_reliable() {
        return None;
    }
    // Chinese script without kana is Chinese, whatever the trigrams say.
    if info.script() == whatlang::Script::Mandarin {
        return Some("zh".to_string());
    }
    normalize_code(info.lang().code())
}

/// English function words, frequent in any English text and rare as words of other languages.
const ENGLISH_MARKERS: [&str; 8] = ["the", "of", "and", "to", "that", "with", "was", "for"];

/// Is this plainly English: at least 20 words, of which more than one in ten is `the`, `of`,
/// `and`… (a quarter of English prose; next to none of French, Spanish or German prose)? A
/// fast path before the detector, which costs far more, for the common case.
fn looks_english(sample: &str) -> bool {
    let mut words = 0usize;
    let mut markers = 0usize;
    for word in sample.split(|c: char| !c.is_ascii_alphabetic()) {
        if word.is_empty() {
            continue;
        }
        words += 1;
        if word.len() <= 4 && ENGLISH_MARKERS.iter().any(|m| word.eq_ignore_ascii_case(m)) {
            markers += 1;
        }
    }
    words >= 20 && markers * 10 > words
}

/// Which of `candidates` the detector takes a (short) text to be in, if any, with its
/// confidence (0 to 1; near 0 for a word or two).
pub(crate) fn detect_among(text: &str, candidates: &[Language]) -> Option<(Language, f64)> {
    if candidates.len() < 2 {
        return None;
    }
    let detector =
        whatlang::Detector::with_allowlist(candidates.iter().map(|l| l.whatlang()).collect());
    let found = detector.detect(text)?;
    candidates
        .iter()
        .copied()
        .find(|l| l.whatlang() == found.lang())
        .map(|l| (l, found.confidence()))
}

/// The stop words of a language's stemmed view, when they are not tantivy's list for it.
///
/// Snowball's Russian and Spanish lists (which tantivy ships) hold words that carry a topic:
/// `жизнь` (life), `человек` (person), `estado`, `estados` (State, States). Dropping them
/// loses the topic, and only the form in the list goes: `жизни` was indexed while `жизнь` was not, so `право на
/// жизнь` (Article 3 of the Universal Declaration) could not be found by the word "life".
/// These lists are Snowball's without such words (the Snowball lists are BSD-licensed:
/// Copyright (c) 2001 Dr Martin Porter and the Snowball contributors).
pub(crate) fn stop_word_filter(language: Language) -> Option<StopWordFilter> {
    let words = match language {
        Language::Russian => RUSSIAN_STOP_WORDS,
        Language::Spanish => SPANISH_STOP_WORDS,
        _ => return None,
    };
    Some(StopWordFilter::remove(words.iter().map(|w| w.to_string())))
}

/// Snowball's Russian stop words less its content words: `жизнь`, `человек`, `сказал`,
/// `сказала`, `сказать`, `говорил`, `кажется`, `сегодня`, `хорошо`, `лучше` and the numerals
/// `один`, `два`, `три`.
#[rustfmt::skip]
const RUSSIAN_STOP_WORDS: &[&str] = &[
    "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так",
    "его", "но", "да", "ты", "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было",
    "вот", "от", "меня", "еще", "нет", "о", "из", "ему", "теперь", "когда", "даже", "ну", "вдруг",
    "ли", "если", "уже", "или", "ни", "быть", "был", "него", "до", "вас", "нибудь", "опять", "уж",
    "вам", "ведь", "там", "потом", "себя", "ничего", "ей", "может", "они", "тут", "где", "есть",
    "надо", "ней", "для", "мы", "тебя", "их", "чем", "была", "сам", "чтоб", "без", "будто", "чего",
    "раз", "тоже", "себе", "под", "будет", "ж", "тогда", "кто", "этот", "того", "потому", "этого",
    "какой", "совсем", "ним", "здесь", "этом", "почти", "мой", "тем", "чтобы", "нее", "сейчас",
    "были", "куда", "зачем", "всех", "никогда", "можно", "при", "наконец", "об", "другой", "хоть",
    "после", "над", "больше", "тот", "через", "эти", "нас", "про", "всего", "них", "какая",
    "много", "разве", "эту", "моя", "впрочем", "свою", "этой", "перед", "иногда", "чуть", "том",
    "нельзя", "такой", "им", "более", "всегда", "конечно", "всю", "между",
];

/// Snowball's Spanish stop words less `estado` and `estados`, forms of `estar` that are also
/// the noun State.
#[rustfmt::skip]
const SPANISH_STOP_WORDS: &[&str] = &[
    "de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un", "para", "con",
    "no", "una", "su", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "o", "este", "sí",
    "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "también", "me", "hasta", "hay",
    "donde", "quien", "desde", "todo", "nos", "durante", "todos", "uno", "les", "ni", "contra",
    "otros", "ese", "eso", "ante", "ellos", "e", "esto", "mí", "antes", "algunos", "qué", "unos",
    "yo", "otro", "otras", "otra", "él", "tanto", "esa", "estos", "mucho", "quienes", "nada",
    "muchos", "cual", "poco", "ella", "estar", "estas", "algunas", "algo", "nosotros", "mi", "mis",
    "tú", "te", "ti", "tu", "tus", "ellas", "nosotras", "vosotros", "vosotras", "os", "mío", "mía",
    "míos", "mías", "tuyo", "tuya", "tuyos", "tuyas", "suyo", "suya", "suyos", "suyas", "nuestro",
    "nuestra", "nuestros", "nuestras", "vuestro", "vuestra", "vuestros", "vuestras", "esos",
    "esas", "estoy", "estás", "está", "estamos", "estáis", "están", "esté", "estés", "estemos",
    "estéis", "estén", "estaré", "estarás", "estará", "estaremos", "estaréis", "estarán",
    "estaría", "estarías", "estaríamos", "estaríais", "estarían", "estaba", "estabas", "estábamos",
    "estabais", "estaban", "estuve", "estuviste", "estuvo", "estuvimos", "estuvisteis",
    "estuvieron", "estuviera", "estuvieras", "estuviéramos", "estuvierais", "estuvieran",
    "estuviese", "estuvieses", "estuviésemos", "estuvieseis", "estuviesen", "estando", "estada",
    "estadas", "estad", "he", "has", "ha", "hemos", "habéis", "han", "haya", "hayas", "hayamos",
    "hayáis", "hayan", "habré", "habrás", "habrá", "habremos", "habréis", "habrán", "habría",
    "habrías", "habríamos", "habríais", "habrían", "había", "habías", "habíamos", "habíais",
    "habían", "hube", "hubiste", "hubo", "hubimos", "hubisteis", "hubieron", "hubiera", "hubieras",
    "hubiéramos", "hubierais", "hubieran", "hubiese", "hubieses", "hubiésemos", "hubieseis",
    "hubiesen", "habiendo", "habido", "habida", "habidos", "habidas", "soy", "eres", "es", "somos",
    "sois", "son", "sea", "seas", "seamos", "seáis", "sean", "seré", "serás", "será", "seremos",
    "seréis", "serán", "sería", "serías", "seríamos", "seríais", "serían", "era", "eras", "éramos",
    "erais", "eran", "fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron", "fuera", "fueras",
    "fuéramos", "fuerais", "fueran", "fuese", "fueses", "fuésemos", "fueseis", "fuesen", "siendo",
    "sido", "tengo", "tienes", "tiene", "tenemos", "tenéis", "tienen", "tenga", "tengas",
    "tengamos", "tengáis", "tengan", "tendré", "tendrás", "tendrá", "tendremos", "tendréis",
    "tendrán", "tendría", "tendrías", "tendríamos", "tendríais", "tendrían", "tenía", "tenías",
    "teníamos", "teníais", "tenían", "tuve", "tuviste", "tuvo", "tuvimos", "tuvisteis", "tuvieron",
    "tuviera", "tuvieras", "tuviéramos", "tuvierais", "tuvieran", "tuviese", "tuvieses",
    "tuviésemos", "tuvieseis", "tuviesen", "teniendo", "tenido", "tenida", "tenidos", "tenidas",
    "tened",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabets_tell_latin_languages_apart() {
        assert!(Language::English.spells("nationalities"));
        assert!(!Language::English.spells("nationalités"));
        assert!(
            !Language::English.spells("Torturé"),
            "capitals are read as lower case"
        );
        assert!(Language::French.spells("ÉLECTION"));
        assert!(!Language::French.spells("elección"));
        assert!(Language::Spanish.spells("elección") && Language::Spanish.spells("niño"));
        assert!(!Language::German.spells("niño") && Language::German.spells("Straße"));
        assert!(Language::Portuguese.spells("eleição") && !Language::Spanish.spells("eleição"));
        // Other scripts are not for alphabets to judge.
        assert!(Language::Russian.spells("выражения") && Language::English.spells("выражения"));
    }

    #[test]
    fn codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
            assert_eq!(
                normalize_code(language.code()).as_deref(),
                Some(language.code())
            );
        }
        assert_eq!(normalize_code("pt_PT").as_deref(), Some("pt"));
        assert_eq!(normalize_code("de-1996").as_deref(), Some("de"));
        assert_eq!(normalize_code("ukr").as_deref(), Some("ukr"));
        assert_eq!(normalize_code(""), None);
        assert_eq!(normalize_code("x"), None);
    }

    #[test]
    fn detection_of_the_six_un_languages() {
        let cases = [
            (
                "All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience.",
                "en",
            ),
            (
                "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de raison et de conscience.",
                "fr",
            ),
            (
                "Todos los seres humanos nacen libres e iguales en dignidad y derechos y, dotados como están de razón y conciencia.",
                "es",
            ),
            (
                "Все люди рождаются свободными и равными в своем достоинстве и правах. Они наделены разумом и совестью.",
                "ru",
            ),
            (
                "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا.",
                "ar",
            ),
            (
                "人人生而自由,在尊严和权利上一律平等。他们赋有理性和良心,并应以兄弟关系的精神相对待。",
                "zh",
            ),
        ];
        for (text, code) in cases {
            assert_eq!(detect(text).as_deref(), Some(code), "{text}");
        }
    }

    #[test]
    fn the_english_fast_path() {
        assert!(looks_english(
            "The Secretary of State met with the Foreign Minister of Japan to discuss the situation in the region and the war in Ukraine."
        ));
        for other in [
            "Toute personne a droit à la liberté de pensée, de conscience et de religion ; ce droit implique la liberté de changer de religion ou de conviction.",
            "Toda persona tiene derecho a la libertad de pensamiento, de conciencia y de religión; este derecho incluye la libertad de cambiar de religión o de creencia.",
            "Jeder hat das Recht auf Gedanken-, Gewissens- und Religionsfreiheit; dieses Recht schließt die Freiheit ein, seine Religion oder seine Weltanschauung zu wechseln.",
            "the of and",
        ] {
            assert!(!looks_english(other), "{other}");
        }
    }

    #[test]
    fn scripts() {
        assert_eq!(script_of("свобода"), Script::Cyrillic);
        assert_eq!(script_of("حرية"), Script::Arabic);
        assert_eq!(script_of("自由"), Script::Han);
        assert_eq!(script_of("libertad"), Script::Latin);
        assert_eq!(script_of("expresión"), Script::Latin);
        assert_eq!(script_of("1948"), Script::Neutral);
        assert_eq!(script_of("ελευθερία"), Script::Other);
    }
}
